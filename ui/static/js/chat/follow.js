// Following a streaming answer down the conversation without reading layout on each chunk. Whether the person is at
// the bottom is told by an IntersectionObserver on an empty element after the messages (computed by the browser once
// per frame, after its own layout); the answer's view scrolls down right after it paints, in the same frame, so the
// frame is laid out once. Reading scrollHeight per chunk forced a layout of the whole answer per chunk (5 % of a
// 500 KB answer's profile, and long tasks as it grew).

const NEAR_PX = 80; // within this of the bottom counts as at the bottom: a person reading the last lines is following

/** `scroller` scrolls, `content` is its last child. → {follow() after a paint, toBottom() when a thread opens or a message is sent} */
export function scrollFollower(scroller, content) {
  const end = document.createElement("div");
  end.className = "scroll-end";
  end.setAttribute("aria-hidden", "true");
  content.after(end);
  let atBottom = true;
  // Edge-adjacent counts as intersecting (IntersectionObserver spec, "isIntersecting"): the empty element at the
  // very bottom of the scroller's content is seen when the view is scrolled all the way down.
  new IntersectionObserver((entries) => { atBottom = entries[entries.length - 1].isIntersecting; },
    { root: scroller, rootMargin: `0px 0px ${NEAR_PX}px 0px` }).observe(end);
  const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };
  return {
    toBottom,
    follow() {
      if (atBottom) toBottom();
    },
  };
}
