// Pure: the Activity log's search (docs/architecture.md, "Browser store"). Every request adds one line to a
// packed search chunk; this module writes that line (searchLine) and reads it back (parseLineText), and finds
// which request keys match a search and filters without reading a single record. Then the order of the rows.
import { STATUSES } from "./files/check.js";
import { NO_PROVIDER } from "./counters.js";
import { pad } from "./keys.js";

export const SEARCH_PREFIX = "search:";
export const LINES_PER_SEARCH_CHUNK = 1000;
export const ALL_SEARCH_CHUNKS = [SEARCH_PREFIX, "search;"];

// ---- the line: `<req key>\t<model> <provider> <provider_model> <status> <prompt preview>\n`, lowercased ----

const flat = (text) => text.replace(/[\t\r\n]+/g, " ");

/** One line of a search chunk; absent parts (no provider yet) are left out, tabs and newlines flattened. */
export function searchLine(key, record) {
  const text = [record.model, record.provider, record.provider_model, record.status, record.prompt_preview]
    .filter(Boolean).join(" ");
  return `${key}\t${flat(text).toLowerCase()}\n`;
}

/** The request key a line (without its newline) was written for. */
export const lineKey = (line) => line.slice(0, line.indexOf("\t"));

/**
 * A line's text part (searchLine's order) → {model, provider, status}. The model is the first word; the status
 * is the first of ok/error/aborted after it (at most two words on: provider and provider model, each of which
 * may be absent); a provider is only there when a word stands between the model and the status.
 */
export function parseLineText(text) {
  const words = text.split(" ", 8);
  const at = words.findIndex((word, i) => i > 0 && i < 7 && STATUSES.includes(word));
  return { model: words[0], provider: at >= 2 ? words[1] : null, status: at > 0 ? words[at] : null };
}

// ---- the chunks: `search:<8-digit number>`, each holding up to LINES_PER_SEARCH_CHUNK lines ----

export function searchChunkKey(chunkNo) {
  return `${SEARCH_PREFIX}${pad(chunkNo, 8)}`;
}

export function searchChunkNo(key) {
  return Number(key.slice(SEARCH_PREFIX.length));
}

/** Where a new search line goes: the last chunk if it has room, else a new one. */
export function appendSearchLine(lastKey, lastText, line) {
  const lines = lastText ? lastText.split("\n").length - 1 : 0;
  if (lastKey === null || lines >= LINES_PER_SEARCH_CHUNK) {
    const next = lastKey === null ? 0 : searchChunkNo(lastKey) + 1;
    return { key: searchChunkKey(next), text: line };
  }
  return { key: lastKey, text: lastText + line };
}

/** Search lines appended in bulk: the last chunk filled up first, then new chunks; → [{key, text}] to put. */
export function packSearchLines(lastKey, lastText, lines) {
  const chunks = [];
  let key = lastKey;
  let text = lastText ?? "";
  let count = text ? text.split("\n").length - 1 : 0;
  let changed = false;
  for (const line of lines) {
    if (key === null || count >= LINES_PER_SEARCH_CHUNK) {
      if (changed) chunks.push({ key, text });
      key = searchChunkKey(key === null ? 0 : searchChunkNo(key) + 1);
      text = "";
      count = 0;
    }
    text += line;
    count += 1;
    changed = true;
  }
  if (changed) chunks.push({ key, text });
  return chunks;
}

// ---- matching ----

/** Whether filters need each line parsed (model, provider, status); a search alone only looks for text. */
const needsParse = (f) => Boolean(f.model || f.provider || f.status);

/**
 * The matches in one chunk: [{key, model, provider, status}] of lines whose key is within [lower, upper) and
 * whose text holds `f.q` (lowercased) and matches f.model / f.provider ("(none)": no provider) / f.status.
 */
export function matchChunk(chunk, f, [lower, upper]) {
  const out = [];
  const q = flat(f.q ?? "").toLowerCase(); // as searchLine flattened the text
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
