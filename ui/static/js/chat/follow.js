// Following a streaming answer down the conversation without reading layout on each chunk (reading scrollHeight per
// chunk forced a layout of the whole answer per chunk: 5 % of a 500 KB answer's profile). Whether the person is at
// the bottom is read when the view scrolls: scroll events come once a frame at most, before its animation callbacks,
// while the last frame's layout is still clean. The answer's view scrolls down right after its frame's render, in
// the same callback, so each frame is laid out once.

const UP_KEYS = new Set(["ArrowUp", "PageUp", "Home"]);
const NEAR_PX = 80; // within this of the bottom counts as at the bottom: a person reading the last lines is following

/** → {follow() after an answer's frame, toBottom() when a thread opens or a message is sent} for `scroller`. */
export function scrollFollower(scroller) {
  let atBottom = true;
  let ownTop = 0; // where toBottom left the view
  scroller.addEventListener("scroll", () => {
    const gap = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    // Any step up the person takes stops the following, even one within NEAR_PX (a smooth wheel scroll begins with a
    // small step, which the next frame would undo); the view pulled up by content that shrank is still at the bottom.
    if (scroller.scrollTop < ownTop && gap > 1) atBottom = false;
    else if (gap < NEAR_PX) atBottom = true;
  }, { passive: true });
  // A wheel or a key taking the view up stops the following at once, in the frame it comes in: input is handled
  // before that frame's render, whose toBottom would otherwise land in the same frame as the scroll the person
  // started (scrolled on the compositor as a delta), leaving them the answer's growth below the top they scrolled to.
  scroller.addEventListener("wheel", (event) => {
    if (event.deltaY < 0) atBottom = false;
  }, { passive: true });
  scroller.addEventListener("keydown", (event) => {
    if (UP_KEYS.has(event.key)) atBottom = false;
  });
  const toBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
    ownTop = scroller.scrollTop;
    atBottom = true;
  };
  return {
    toBottom,
    follow() {
      if (atBottom) toBottom();
    },
  };
}
