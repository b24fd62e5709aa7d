// Pure: the files "Export" writes, as parts for a Blob (a million records never make one string), and the CSV
// of the Activity log: the column list and cell rule shared with `llms --report csv` (tests/vectors/csv.json).
import { isoWithOffset } from "../keys.js";

export const SOURCE = "llms";
export const FORMAT_VERSION = 1;

function header(kind, count, now) {
  return { source: SOURCE, kind, version: FORMAT_VERSION, exported_at: isoWithOffset(now), count };
}

/** The numbers of a record that float noise reaches (sums of token × price, times): [field, its ROUNDING column]. */
const RECORD_ROUNDING = [["cost_usd", "cost_usd"], ["computed_cost_usd", "cost_usd"], ["response_ms", "response_ms"],
  ["ttft_ms", "ttft_ms"]];

/** A record as the JSON exports write it: as stored, its costs and times without float noise (ROUNDING). */
export function exportedRecord(record) {
  const kept = {};
  for (const [field, column] of RECORD_ROUNDING) {
    const value = rounded(column, record[field]);
    if (value !== record[field]) kept[field] = value;
  }
  return Object.keys(kept).length ? { ...record, ...kept } : record;
}

/** The text of a request-log export, as parts for a Blob (a million records never make one string). */
export function requestsFileParts(records, now = new Date()) {
  const head = JSON.stringify(header("requests", records.length, now));
  const parts = [`${head.slice(0, -1)},"requests":[\n`];
  records.forEach((record, i) => parts.push(`${i ? ",\n" : ""}${JSON.stringify(exportedRecord(record))}`));
  parts.push("\n]}\n");
  return parts;
}

/** The same request log as JSON Lines: the header object on the first line, then one record per line. */
export function requestsJsonlParts(records, now = new Date()) {
  const parts = [`${JSON.stringify(header("requests", records.length, now))}\n`];
  for (const record of records) parts.push(`${JSON.stringify(exportedRecord(record))}\n`);
  return parts;
}

/** The text of a chat export: threads with their messages. */
export function threadsFileParts(threads, now = new Date()) {
  const head = JSON.stringify(header("threads", threads.length, now));
  const parts = [`${head.slice(0, -1)},"threads":[\n`];
  threads.forEach(({ thread, messages }, i) => parts.push(`${i ? ",\n" : ""}${JSON.stringify({ ...thread, messages })}`));
  parts.push("\n]}\n");
  return parts;
}

/** The columns of the CSV, in order: the same list `llms --report csv` writes (tests/vectors/csv.json). */
export const CSV_COLUMNS = [
  "timestamp", "request_id", "client", "provider", "model", "provider_model", "status", "finish_reason",
  "prompt_preview", "input_tokens", "output_tokens", "cached_tokens", "cache_write_tokens", "reasoning_tokens",
  "cost_usd", "cost_provenance", "response_ms", "ttft_ms", "tokens_per_s", "error",
];

/**
 * One CSV cell (RFC 4180): a text that starts with =, +, -, @, tab or CR would run as a formula in a spreadsheet
 * (OWASP "CSV Injection"), so it is prefixed with '; a cell holding a comma, a quote or a line break is quoted.
 */
export function csvCell(value) {
  if (value === null || value === undefined) return "";
  const cell = String(value);
  const safe = typeof value !== "number" && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  // ";" too: a spreadsheet set to split on semicolons would otherwise cut the cell and could read a formula.
  return /[",;\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Float noise is not written (7.899999999906868): places per column (llms/ledger/export.py ROUNDING): a cost to
 * 1e-12 USD, a time to 1e-3 ms, tokens whole; other columns as computed.
 */
export const ROUNDING = {
  cost_usd: 12, response_ms: 3, ttft_ms: 3, input_tokens: 0, output_tokens: 0, cached_tokens: 0, cache_write_tokens: 0,
  reasoning_tokens: 0,
};

/** `value` of `column` to ROUNDING's places (toFixed rounds the exact binary value, as Python's round). */
export function rounded(column, value) {
  const places = ROUNDING[column];
  if (places === undefined || typeof value !== "number") return value;
  return places === 0 ? Math.round(value) : Number(value.toFixed(places));
}

/** A record's value in each CSV column: no tokens without a usage; a detail a usage leaves out is 0. */
function csvValues(r) {
  const tokens = r.usage && {
    input_tokens: r.usage.prompt_tokens, output_tokens: r.usage.completion_tokens,
    cached_tokens: r.usage.prompt_tokens_details?.cached_tokens ?? 0,
    cache_write_tokens: r.usage.prompt_tokens_details?.cache_write_tokens ?? 0,
    reasoning_tokens: r.usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
  return { ...r, request_id: r.id, ...tokens, error: r.error?.message };
}

/** Request records as CSV rows (CRLF), one header row first. */
export function recordsCsv(records) {
  const rows = [CSV_COLUMNS.join(",")];
  for (const record of records) {
    const values = csvValues(record);
    rows.push(CSV_COLUMNS.map((column) => csvCell(rounded(column, values[column]))).join(","));
  }
  return `${rows.join("\r\n")}\r\n`;
}
