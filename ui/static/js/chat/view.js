// DOM builders for the chat page: thread list items, messages, metrics, totals. No state, no storage.
import { el } from "../dom.js";
import { answerBody } from "./answer_body.js";
import { highlightCode, loadMarkdown, markdownReady, whenMarkdown } from "./markdown.js";
import { messageMetrics, threadTotals } from "../rules/metrics.js";
import { reasoningDisclosure } from "./reasoning.js";

/** <dt>/<dd> pairs in one <dl>: the name for screen readers, the text (and its note) for everyone. */
export function fillMetrics(dl, items) {
  dl.replaceChildren(...items.map(({ name, text, note = null, title = null }) => el("div", { className: "metric" }, [
    el("dt", { className: "visually-hidden", text: name }),
    el("dd", { title }, [text, ...(note ? [" ", el("span", { className: "metric-note", text: `(${note})` })] : [])]),
  ])));
  return dl;
}

export function threadItem(thread, active) {
  const title = el("span", { className: "thread-name", text: thread.title });
  const totals = fillMetrics(el("dl", { className: "thread-item-totals", "aria-label": "Totals" }), threadTotals(thread.totals));
  const link = el("a", { className: "thread-link", href: `#thread=${encodeURIComponent(thread.id)}`,
    "aria-current": active ? "page" : null }, [title, totals]);
  const rename = el("button", { type: "button", className: "icon-button", "aria-label": "Rename", title: `Rename “${thread.title}”`, "data-action": "rename", text: "✎" });
  const remove = el("button", { type: "button", className: "icon-button", "aria-label": "Delete", title: `Delete “${thread.title}”`, "data-action": "delete", text: "×" });
  return el("li", { className: "thread-item", "data-thread-id": thread.id }, [link, el("div", { className: "thread-actions" }, [rename, remove])]);
}

export function userMessage(message) {
  // What a person typed is text, never HTML.
  return el("article", { className: "message user", "aria-label": "You" }, [el("div", { className: "user-text", text: message.content })]);
}

// Rendering an answer (streaming, finished or stored) takes at most this much of a frame (plus one block), so typing,
// scrolling and Stop stay responsive; blocks beyond it wait for the next frame. Half a frame: the frame's style,
// layout and paint of what was rendered come on top (with 16 ms, a 500 KB answer's frames took up to 60-80 ms of CPU).
const FRAME_BUDGET_MS = 8;

/**
 * An answer's view; `update({text, reasoning})` while streaming, `finish(message)` once it is recorded. `onPaint()`
 * runs right after a frame's rendering (chat/follow.js scrolls down then, so the browser lays the frame out once).
 */
export function assistantMessage({ onPaint = () => {} } = {}) {
  const reasoning = reasoningDisclosure();
  const body = el("div", { className: "markdown" });
  const status = el("p", { className: "answer-status", hidden: true });
  const metrics = el("dl", { className: "metrics", "aria-label": "Metrics", hidden: true });
  const article = el("article", { className: "message assistant streaming", "aria-label": "Assistant", "aria-busy": "true" },
    [reasoning.node, body, status, metrics]);
  const render = answerBody(body);
  let pending = null;
  let latest = { text: "", reasoning: "" };
  let finished = false;
  let waiting = false;
  loadMarkdown(); // marked and DOMPurify load from the moment an answer is on its way or on screen
  // Until they are here, frames paint nothing; the first frame after paints the latest text.
  const waitForMarkdown = () => {
    if (waiting) return;
    waiting = true;
    whenMarkdown(() => { pending ??= requestAnimationFrame(paintFrame); });
  };
  const paint = () => {
    pending = null;
    if (!markdownReady()) return waitForMarkdown();
    if (render(latest.text, FRAME_BUDGET_MS)) pending = requestAnimationFrame(paintFrame);
    else if (finished) highlightCode(body);
    if (!finished) reasoning.show(latest.reasoning);
  };
  // onPaint only in a frame: a stored answer's first paint comes before it is in the page, with nothing to follow.
  function paintFrame() {
    paint();
    onPaint();
  }
  return {
    node: article,
    update(next) {
      latest = next;
      pending ??= requestAnimationFrame(paintFrame); // one render per frame, however fast chunks come
    },
    finish(message, { onRetry, canRetry }) {
      if (pending) cancelAnimationFrame(pending);
      latest = { text: message.content ?? "", reasoning: message.reasoning ?? "" };
      finished = true;
      reasoning.finish(latest.reasoning);
      paint(); // what is left renders in the next frames, like a stream: a long answer never freezes
      article.classList.remove("streaming");
      article.removeAttribute("aria-busy");
      showOutcome(article, status, message, { onRetry, canRetry });
      if (message.record) {
        fillMetrics(metrics, messageMetrics(message.record));
        metrics.hidden = false;
      }
    },
  };
}

function errorText(error) {
  const head = error.status ? `Error ${error.status}` : "Error";
  const kind = error.type || error.code;
  return `${head}${kind ? ` (${kind})` : ""}: ${error.message}`;
}

function showOutcome(article, status, message, { onRetry, canRetry }) {
  article.classList.toggle("error", message.status === "error");
  article.classList.toggle("aborted", message.status === "aborted");
  if (message.status === "ok") return;
  status.hidden = false;
  if (message.status === "aborted") {
    status.textContent = "Stopped.";
    return;
  }
  status.setAttribute("role", "alert");
  status.replaceChildren(el("span", { text: errorText(message.error ?? { message: "unknown error" }) }));
  if (canRetry) {
    const retry = el("button", { type: "button", className: "retry", text: "Retry" });
    retry.addEventListener("click", () => onRetry(message));
    status.append(" ", retry);
  }
}

/** A stored answer, rendered at once. */
export function storedAnswer(message, { onPaint, ...options }) {
  const view = assistantMessage({ onPaint });
  view.finish(message, options);
  return view.node;
}
