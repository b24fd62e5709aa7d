// A thread's prompt cache, turn by turn (rules/cache_timeline.js): each request's input, cached and written tokens,
// the cached share, and where the cache broke with its likely cause. Hidden while no turn read or wrote a cache.
import { el } from "../dom.js";
import { cacheTimeline, threadTurns } from "../rules/cache_timeline.js";
import { formatTokens } from "../rules/metrics.js";

const percent = (share) => (share === null ? "—" : `${(share * 100).toFixed(1)}\u00a0%`); // no break before "%"

function row(turn) {
  const cells = [formatTokens(turn.input_tokens), formatTokens(turn.cached_tokens), formatTokens(turn.written_tokens)];
  return el("tr", { className: turn.broke ? "cache-broke" : null }, [
    el("th", { scope: "row", text: turn.broke ? `${turn.turn} ⚠` : String(turn.turn) }),
    ...cells.map((text) => el("td", { className: "num", text })),
    el("td", { className: "num" }, [
      el("meter", { min: "0", max: "1", value: String(turn.cached_share ?? 0), "aria-hidden": "true" }), " ", percent(turn.cached_share),
    ]),
  ]);
}

function summaryText(rows) {
  const input = rows.reduce((n, r) => n + r.input_tokens, 0);
  const cached = rows.reduce((n, r) => n + r.cached_tokens, 0);
  const breaks = rows.filter((r) => r.broke).map((r) => r.turn);
  const broke = breaks.length ? ` · broke at turn ${breaks.join(", ")}` : "";
  return `Cache: ${percent(input ? cached / input : null)} of ${formatTokens(input)} input tokens read from cache over ${rows.length} ${rows.length === 1 ? "turn" : "turns"}${broke}`;
}

/** The view: `node` to place in the thread, `show(messages)` after the thread changed. */
export function cacheTimelineView() {
  const summary = el("summary");
  const body = el("tbody");
  const notes = el("div", { className: "cache-breaks" });
  const table = el("table", { className: "cache-turns", "aria-label": "Cache by turn" }, [
    el("thead", {}, [el("tr", {}, ["Turn", "Input", "Cached", "Written", "Cached share"].map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
    body,
  ]);
  const node = el("details", { className: "cache-timeline", hidden: true }, [summary, notes, table]);
  return {
    node,
    show(messages) {
      const rows = cacheTimeline(threadTurns(messages));
      node.hidden = !rows.some((r) => r.cached_tokens + r.written_tokens > 0);
      if (node.hidden) return;
      summary.textContent = summaryText(rows);
      notes.replaceChildren(...rows.filter((r) => r.broke).map((r) => el("p", { className: "cache-break", role: "note", text: r.broke.text })));
      body.replaceChildren(...rows.map(row));
    },
  };
}
