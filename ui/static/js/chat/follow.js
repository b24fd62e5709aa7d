// Following a streaming answer down the conversation without reading layout on each chunk (reading scrollHeight per
// chunk forced a layout of the whole answer per chunk: 5 % of a 500 KB answer's profile). Whether the person is at
// the bottom is read when the view scrolls: scroll events come once a frame at most, before its animation callbacks,
// while the last frame's layout is still clean. The answer's view scrolls down right after its frame's render, in
// the same callback, so each frame is laid out once.

const NEAR_PX = 80; // within this of the bottom counts as at the bottom: a person reading the last lines is following

/** → {follow() after an answer's frame, toBottom() when a thread opens or a message is sent} for `scroller`. */
export function scrollFollower(scroller) {
  let atBottom = true;
  scroller.addEventListener("scroll", () => {
    atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_PX;
  }, { passive: true });
  const toBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
    atBottom = true;
  };
  return {
    toBottom,
    follow() {
      if (atBottom) toBottom();
    },
  };
}
