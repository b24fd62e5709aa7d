// Pure: the browser store's keys (docs/architecture.md, "Browser store") and the local-time rules they use.
// Keys are strings that sort in the order pages read them, so a month or a page is one key range.

export const REQUEST_PREFIX = "req:";
export const DAY_PREFIX = "day:";
export const SEARCH_PREFIX = "search:";
export const THREAD_PREFIX = "thread:";
export const MESSAGE_PREFIX = "msg:";
export const LINES_PER_SEARCH_CHUNK = 1000;

/** `value` zero-padded to `width` digits. */
export const pad = (value, width = 2) => String(value).padStart(width, "0");

/** `req:<epoch ms, 13 digits>:<id>`: string order is time order (until the year 2286). */
export function requestKey(epochMs, id) {
  if (!Number.isInteger(epochMs) || epochMs < 0) throw new Error(`requestKey: epoch ms must be an integer ≥ 0, got ${epochMs}`);
  return `${REQUEST_PREFIX}${pad(epochMs, 13)}:${id}`;
}

/** The epoch ms a request key was made from. */
export function requestKeyTime(key) {
  return Number(key.slice(REQUEST_PREFIX.length, REQUEST_PREFIX.length + 13));
}

/** [lower, upper) key bounds of the requests made in [startMs, endMs). */
export function requestRange(startMs, endMs) {
  return [`${REQUEST_PREFIX}${pad(startMs, 13)}`, `${REQUEST_PREFIX}${pad(endMs, 13)}`];
}

/** Bounds of every request key: `req:` up to `req;` (';' follows ':'). */
export const ALL_REQUESTS = [REQUEST_PREFIX, "req;"];

/** Local calendar date `YYYY-MM-DD` of a Date, in the person's time zone. */
export function localDate(date) {
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}`;
}

/** Local wall-clock hour `HH`. */
export function localHour(date) {
  return pad(date.getHours(), 2);
}

export function dayKey(isoDate) {
  return `${DAY_PREFIX}${isoDate}`;
}

/**
 * A local month's key ranges: `requests` [lower, upper) from the local midnight of the 1st to that of the next
 * month's 1st (DST-proof: Date does the zone arithmetic), `days` [lower, upper] over its day rollups.
 */
export function monthRange(year, month1to12) {
  const start = new Date(year, month1to12 - 1, 1).getTime();
  const end = new Date(year, month1to12, 1).getTime();
  const prefix = `${DAY_PREFIX}${pad(year, 4)}-${pad(month1to12, 2)}-`;
  return { requests: requestRange(start, end), days: [`${prefix}01`, `${prefix}31`] };
}

/** ISO 8601 with the local offset: `2026-05-14T09:30:12.345+02:00`. */
export function isoWithOffset(date) {
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin >= 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  const time = `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
  return `${localDate(date)}T${time}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

export function threadKey(threadId) {
  return `${THREAD_PREFIX}${threadId}`;
}

export const ALL_THREADS = [THREAD_PREFIX, "thread;"];

/** `msg:<thread id>:<6-digit seq>`: a thread's messages in order. */
export function messageKey(threadId, seq) {
  return `${MESSAGE_PREFIX}${threadId}:${pad(seq, 6)}`;
}

/** [lower, upper] bounds of one thread's messages. */
export function messageRange(threadId) {
  return [`${MESSAGE_PREFIX}${threadId}:`, `${MESSAGE_PREFIX}${threadId};`];
}

export function searchChunkKey(chunkNo) {
  return `${SEARCH_PREFIX}${pad(chunkNo, 8)}`;
}

export const ALL_SEARCH_CHUNKS = [SEARCH_PREFIX, "search;"];

export function searchChunkNo(key) {
  return Number(key.slice(SEARCH_PREFIX.length));
}

/** One line of a search chunk: `<req key>\t<lowercased model provider status prompt>\n`, tabs and newlines flattened. */
export function searchLine(key, record) {
  const text = [record.model, record.provider, record.provider_model, record.status, record.prompt_preview]
    .filter(Boolean).join(" ").replace(/[\t\r\n]+/g, " ").toLowerCase();
  return `${key}\t${text}\n`;
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

/** The id in a request key `req:<13 digits>:<id>`. */
export function requestKeyId(key) {
  return key.slice(REQUEST_PREFIX.length + 14);
}

export const META_PREFIX = "meta:";
export const DEMO_META = `${META_PREFIX}demo`;
