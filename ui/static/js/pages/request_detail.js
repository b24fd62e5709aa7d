// One request's whole record, opened from its Activity row: when, which model where, what it cost and why that
// figure (the prices used and the cost's provenance), its tokens split, its timings, and the full error.
import { el } from "../dom.js";
import { formatDuration, formatSpeed, formatTokens } from "../rules/metrics.js";
import { formatUsd } from "../rules/pricing.js";

// Where a cost comes from, in words (docs/architecture.md, "Price entry": cost_for's provenance).
const PROVENANCE = {
  reported: "reported by the provider",
  computed: "computed from the tokens and the prices below",
  estimated: "estimated from the text (the provider sent no usage)",
  unpriced: "unknown: no price for this model",
};
const PRICE_FIELDS = [["input", "Input"], ["cached_input", "Cached input"], ["cache_write", "Cache write (5 min)"],
  ["cache_write_1h", "Cache write (1 h)"], ["output", "Output"]];

const dash = (value) => (value === null || value === undefined || value === "" ? "—" : String(value));
// -1 is OpenRouter's "variable" (docs/architecture.md, "Price entry"): not free, unknown.
const priceText = (usdPer1m) => (usdPer1m === undefined || usdPer1m === null ? "—" : usdPer1m < 0 ? "variable" : `${formatUsd(usdPer1m, "computed")} per 1M`);

function tokenRows(usage) {
  if (!usage) return [["Tokens", "— (no usage recorded)"]];
  const prompt = usage.prompt_tokens_details ?? {};
  const writes = prompt.cache_write_tokens ?? 0;
  const writes1h = prompt.cache_write_1h_tokens ?? 0;
  return [
    ["Input tokens", formatTokens(usage.prompt_tokens)],
    ["Cached input", formatTokens(prompt.cached_tokens ?? 0)],
    ["Cache write (5 min)", formatTokens(writes - writes1h)],
    ["Cache write (1 h)", formatTokens(writes1h)],
    ["Output tokens", formatTokens(usage.completion_tokens)],
    ["Reasoning (in output)", formatTokens(usage.completion_tokens_details?.reasoning_tokens ?? 0)],
  ];
}

function priceRows(prices) {
  if (!prices) return [["Prices", "— (none known for this model)"]];
  const rows = PRICE_FIELDS.filter(([field]) => field in prices || field === "input" || field === "output")
    .map(([field, label]) => [`${label} price`, priceText(prices[field])]);
  for (const tier of prices.tiers ?? []) {
    rows.push([`Above ${formatTokens(tier.above)} input tokens`, PRICE_FIELDS.filter(([field]) => field in tier)
      .map(([field, label]) => `${label.toLowerCase()} ${priceText(tier[field])}`).join(", ")]);
  }
  return rows;
}

function errorText(error) {
  if (!error) return null;
  const kind = [error.type, error.code].filter(Boolean).join(", ");
  return `${error.status ? `${error.status} ` : ""}${kind ? `(${kind}) ` : ""}${error.message}`;
}

/** The rows of a record's detail, [label, text] in reading order. */
export function detailRows(record) {
  const cost = record.cost_provenance ? `${formatUsd(record.cost_usd, record.cost_provenance)}: ${PROVENANCE[record.cost_provenance]}` : "—";
  return [
    ["Time", new Date(record.timestamp).toLocaleString("en-US", { dateStyle: "full", timeStyle: "long" })],
    ["Model", record.model + (record.demo ? " (demo data)" : "")],
    ["Provider", dash(record.provider)],
    ["Provider model", dash(record.provider_model)],
    ["Request id", record.id],
    ["Status", record.status + (record.finish_reason ? ` (finish reason: ${record.finish_reason})` : "")],
    ...(record.error ? [["Error", errorText(record.error)]] : []),
    ...(record.client ? [["Sent by", [record.client, record.client_app, record.endpoint].filter(Boolean).join(" · ")]] : []),
    ["Prompt", dash(record.prompt_preview)],
    ...tokenRows(record.usage),
    ["Cost", cost],
    ...priceRows(record.prices),
    ["Response time", formatDuration(record.response_ms)],
    ["Time to first token", formatDuration(record.ttft_ms)],
    ["Speed", formatSpeed(record.tokens_per_s)],
  ];
}

/** The detail dialog, made once and filled per record; closes with Escape, its Close button or a click outside. */
export function detailDialog() {
  const title = el("h2", { id: "request-detail-title", text: "Request" });
  const list = el("dl", { className: "detail-list" });
  const close = el("button", { type: "button", className: "detail-close", text: "Close" });
  const dialog = el("dialog", { className: "request-detail", "aria-labelledby": "request-detail-title" },
    [el("div", { className: "detail-head" }, [title, close]), list]);
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  document.body.append(dialog);
  return {
    /** `opener` gives the element focus goes back to: asked at close, since the list may have been redrawn meanwhile. */
    show(record, opener) {
      title.textContent = `${record.model} · ${record.status}`;
      list.replaceChildren(...detailRows(record).flatMap(([label, text]) => [el("dt", { text: label }), el("dd", { text })]));
      // Back to the row it was opened from. Closing a modal dialog already puts focus back where it was (HTML's dialog
      // focusing steps), and the close event comes a task later, after a key may have moved focus on: only a row redrawn
      // meanwhile (focus fell to the body) needs it done here.
      dialog.addEventListener("close", () => {
        if (!document.activeElement || document.activeElement === document.body) opener?.()?.focus();
      }, { once: true });
      dialog.showModal();
      close.focus();
    },
  };
}
