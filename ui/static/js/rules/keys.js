// Pure: the browser store's keys (docs/architecture.md, "Browser store") and the local-time rules they use.
// Keys are strings that sort in the order pages read them, so a month or a page is one key range. The search
// chunks' keys and lines are search.js.

export const REQUEST_PREFIX = "req:";
export const DAY_PREFIX = "day:";
export const THREAD_PREFIX = "thread:";
export const MESSAGE_PREFIX = "msg:";

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

/** The id in a request key `req:<13 digits>:<id>`. */
export function requestKeyId(key) {
  return key.slice(REQUEST_PREFIX.length + 14);
}

export const PENDING_PREFIX = "pending:";

/** `pending:<request id>`: a request on its way (chat/inflight.js), apart from the records until it ends. */
export function pendingKey(id) {
  return `${PENDING_PREFIX}${id}`;
}

export const ALL_PENDING = [PENDING_PREFIX, "pending;"];

export const META_PREFIX = "meta:";
export const DEMO_META = `${META_PREFIX}demo`;
