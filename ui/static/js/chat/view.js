// DOM builders for the chat page: thread list items, messages, metrics, totals. No state, no storage.
import { el } from "../dom.js";
import { highlightCode, renderMarkdown } from "./markdown.js";
import { messageMetrics, threadTotals } from "../rules/metrics.js";

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

/** An answer's view; `update(text, reasoning)` while streaming, `finish(message)` once it is recorded. */
export function assistantMessage() {
  const reasoningBody = el("div", { className: "reasoning-text" });
  const reasoning = el("details", { className: "reasoning", hidden: true }, [el("summary", { text: "Reasoning" }), reasoningBody]);
  const body = el("div", { className: "markdown" });
  const status = el("p", { className: "answer-status", hidden: true });
  const metrics = el("dl", { className: "metrics", "aria-label": "Metrics", hidden: true });
  const article = el("article", { className: "message assistant streaming", "aria-label": "Assistant", "aria-busy": "true" },
    [reasoning, body, status, metrics]);
  let pending = null;
  let latest = { text: "", reasoning: "" };
  const paint = () => {
    pending = null;
    body.replaceChildren(renderMarkdown(latest.text));
    reasoning.hidden = !latest.reasoning;
    reasoningBody.textContent = latest.reasoning;
    highlightCode(body);
  };
  return {
    node: article,
    update(next) {
      latest = next;
      pending ??= requestAnimationFrame(paint); // one render per frame, however fast chunks come
    },
    finish(message, { onRetry, canRetry }) {
      if (pending) cancelAnimationFrame(pending);
      latest = { text: message.content ?? "", reasoning: message.reasoning ?? "" };
      paint();
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
export function storedAnswer(message, options) {
  const view = assistantMessage();
  view.finish(message, options);
  return view.node;
}
