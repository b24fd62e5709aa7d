// Pure: the Activity log's query over the packed search chunks (docs/architecture.md, "Browser store"):
// which request keys match a search and filters, without reading a single record.
import { STATUSES } from "../io.js";
import { NO_PROVIDER } from "../rollup.js";

/**
 * A search line's text part `model provider provider_model status prompt` (absent parts left out, lowercased)
 * → {model, provider, status}; the status is the first of ok/error/aborted after the model.
 */
export function parseLineText(text) {
  const words = text.split(" ", 8);
  const at = words.findIndex((word, i) => i > 0 && i < 7 && STATUSES.includes(word));
  return { model: words[0], provider: at >= 2 ? words[1] : null, status: at > 0 ? words[at] : null };
}

/** Whether filters need each line parsed (model, provider, status); a search alone only looks for text. */
const needsParse = (f) => Boolean(f.model || f.provider || f.status);

/**
 * The matches in one chunk: [{key, model, provider, status}] of lines whose key is within [lower, upper) and
 * whose text holds `f.q` (lowercased) and matches f.model / f.provider ("(none)": no provider) / f.status.
 */
export function matchChunk(chunk, f, [lower, upper]) {
  const out = [];
  const q = (f.q ?? "").replace(/[\t\r\n]+/g, " ").toLowerCase(); // as searchLine flattened the text
  const model = f.model?.toLowerCase() ?? null;
  const provider = f.provider === NO_PROVIDER ? null : f.provider?.toLowerCase() ?? null;
  const consider = (start, end) => {
    const tab = chunk.indexOf("\t", start);
    const key = chunk.slice(start, tab);
    if (key < lower || key >= upper) return;
    const text = chunk.slice(tab + 1, end);
    if (q && !text.includes(q)) return;
    const parsed = parseLineText(text);
    if (model && parsed.model !== model) return;
    if (f.provider && parsed.provider !== provider) return;
    if (f.status && parsed.status !== f.status) return;
    out.push({ key, ...parsed });
  };
  if (q && !needsParse(f)) {
    // Jump from hit to hit: most lines never match and are never sliced.
    let from = 0;
    for (let hit = chunk.indexOf(q); hit !== -1; hit = chunk.indexOf(q, from)) {
      const start = chunk.lastIndexOf("\n", hit) + 1;
      const tab = chunk.indexOf("\t", start);
      if (hit > tab) {
        const end = chunk.indexOf("\n", hit);
        consider(start, end);
        from = end + 1;
      } else {
        from = tab + 1; // the hit is in the key: look on in this line's text
      }
    }
    return out;
  }
  for (let start = 0; start < chunk.length;) {
    const end = chunk.indexOf("\n", start);
    consider(start, end);
    start = end + 1;
  }
  return out;
}

export const COLUMNS = [
  { id: "time", label: "Date & time", type: "text" },
  { id: "model", label: "Model", type: "text" },
  { id: "provider", label: "Provider", type: "text" },
  { id: "prompt", label: "Prompt", type: "text" },
  { id: "input", label: "Input tokens", type: "number" },
  { id: "output", label: "Output tokens", type: "number" },
  { id: "cost", label: "Cost", type: "number" },
  { id: "response", label: "Response time", type: "number" },
  { id: "speed", label: "Speed", type: "number" },
  { id: "status", label: "Status", type: "text" },
];

/** The value a column sorts a record by; unknown numbers sort below every known one. */
export function sortValue(column, record) {
  switch (column) {
    case "model": return record.model ?? "";
    case "provider": return record.provider ?? "";
    case "status": return record.status ?? "";
    case "prompt": return (record.prompt_preview ?? "").toLowerCase();
    case "input": return record.usage?.prompt_tokens ?? -1;
    case "output": return record.usage?.completion_tokens ?? -1;
    case "cost": return record.cost_usd ?? -1;
    case "response": return record.response_ms ?? -1;
    case "speed": return record.tokens_per_s ?? -1;
    default: throw new Error(`no column ${JSON.stringify(column)}`);
  }
}

/** Sorts [{key, value}] by a column's value, then by key (time): a stable, total order. */
export function sortRows(rows, column, direction) {
  const sign = direction === "asc" ? 1 : -1;
  return rows.sort((a, b) => {
    const x = a.value;
    const y = b.value;
    const order = typeof x === "number" ? x - y : x < y ? -1 : x > y ? 1 : 0;
    return sign * (order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  });
}
