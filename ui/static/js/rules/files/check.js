// Pure: the value checks every file and ledger line goes through (docs/architecture.md, "Export and import files").
// Each returns the clean value or throws ImportError naming where (`requests[12].timestamp: …`), so a file is
// refused with the first thing wrong and a record is rebuilt from the fields we know, never copied.
import { MAX_TOKENS, MAX_TOTAL_TOKENS } from "../counters.js";
import { PROVENANCES } from "../pricing.js";

export const MAX_TEXT_CHARS = 2_000_000; // one message's content
export const MAX_ERROR_CHARS = 10_000;
const MAX_TIERS = 20;
export const COST_PROVENANCES = [...PROVENANCES, "imported"];
export const STATUSES = ["ok", "error", "aborted"];

// The ledger's time rule (llms/ledger/schema.py): a T, seconds, at most 9 fraction digits, an offset, a real date.
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
// Far from the years a Date or a time-zone conversion cannot hold, as the server bounds them.
const EARLIEST_YEAR = 1970;
const LATEST_YEAR = 8999;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TIME_EXAMPLE = "2026-05-14T09:30:12.345+02:00";
const SHOWN_CHARS = 60;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const TOKEN_FIELDS = ["prompt_tokens", "completion_tokens", "total_tokens"];
const PROMPT_DETAILS = ["cached_tokens", "cache_write_tokens", "cache_write_1h_tokens"];
const COMPLETION_DETAILS = ["reasoning_tokens"];
const PRICE_FIELDS = ["input", "output", "cached_input", "cache_write", "cache_write_1h"];

export const absent = (value) => value === null || value === undefined;

/** A value we refuse; the message says what is wrong and where. */
export class ImportError extends Error {}

/** The first `most` code points of a text (a surrogate pair is one character, as Python counts them). */
export function codePointPrefix(value, most) {
  if (value.length <= most) return value;
  let prefix = "";
  let count = 0;
  for (const character of value) {
    if (count++ === most) break;
    prefix += character;
  }
  return prefix;
}

/** Whether a text holds more than `most` code points (read only as far as needed). */
function longerThan(value, most) {
  if (value.length <= most) return false;
  let count = 0;
  for (let i = 0; i < value.length; i += 1) {
    const pair = (value.charCodeAt(i) & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) i += 1;
    count += 1;
    if (count > most) return true;
  }
  return false;
}

/**
 * A value as compact JSON the way llms/ledger/schema.py json_text writes it: numbers as String(number) (so a
 * non-finite one reads Infinity or NaN, not null), an absent value as null (JSON has no undefined).
 */
export function jsonText(value) {
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(jsonText).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A value in a message: its JSON, cut to 57 code points and "…" when longer than 60 (the server's rule). */
export const shown = (value) => {
  const text = jsonText(value);
  return longerThan(text, SHOWN_CHARS) ? `${codePointPrefix(text, SHOWN_CHARS - 3)}…` : text;
};
export const fail = (at, expected, value) => { throw new ImportError(`${at}: expected ${expected}, got ${shown(value)}`); };

export function object(at, value, { nullable = false } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(at, nullable ? "an object or null" : "an object", value);
  return value;
}

export function array(at, value, max) {
  if (!Array.isArray(value)) fail(at, "a list", value);
  if (value.length > max) throw new ImportError(`${at}: holds ${value.length.toLocaleString("en-US")} entries; at most ${max.toLocaleString("en-US")} can be imported at once`);
  return value;
}

/** A text of at most `max` characters, counted in code points as the server counts them. */
export function text(at, value, { max = 10_000, nullable = false } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== "string" || longerThan(value, max)) fail(at, `a text of at most ${max} characters${nullable ? " or null" : ""}`, value);
  return value;
}

/** An id; a whole number stands for its digits where `fromNumber` (other apps' files), never in a ledger line. */
export function id(at, value, { fromNumber = true } = {}) {
  const idText = fromNumber && typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  if (typeof idText !== "string" || !ID.test(idText)) fail(at, "an id of letters, digits and _.:@- (at most 128)", value);
  return idText;
}

/** A finite number ≥ 0 (at most `max` when given); `true` is not a number, 5.0 is a whole one. */
export function number(at, value, { nullable = false, integer = false, max = Infinity } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? "≥ 0" : `from 0 to ${max}`;
    fail(at, `${integer ? "a whole number" : "a number"} ${range}${nullable ? " or null" : ""}`, value);
  }
  return value;
}

export function oneOf(at, value, allowed, { nullable = false } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (!allowed.includes(value)) fail(at, `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}${nullable ? " or null" : ""}`, value);
  return value;
}

function realTime(year, month, day, hour, minute, second, offsetHours = 0, offsetMinutes = 0) {
  if (year < EARLIEST_YEAR || year > LATEST_YEAR || month < 1 || month > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0);
  return day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
}

/**
 * An ISO 8601 time with its offset and a real calendar date (Date.parse alone takes February 30 and 24:00);
 * `like` is the example the message gives (the ledger's messages give the server's).
 */
export function timestamp(at, value, { like = TIME_EXAMPLE } = {}) {
  const parts = typeof value === "string" ? ISO_WITH_OFFSET.exec(value) : null;
  if (!parts || !realTime(...parts.slice(1).filter((part) => part !== undefined).map(Number))) {
    fail(at, `an ISO 8601 time with its offset like ${like}`, value);
  }
  return value;
}

/**
 * A token count: a whole number from 0 to MAX_TOKENS, a total (the sum of two counts) to MAX_TOTAL_TOKENS, as
 * llms/ledger/schema.py bounds them, so no sum of counts becomes Infinity.
 */
export function tokenCount(at, value, { total = false, nullable = false } = {}) {
  return number(at, value, { nullable, integer: true, max: total ? MAX_TOTAL_TOKENS : MAX_TOKENS });
}

/**
 * A usage: prompt_tokens and completion_tokens token counts (absent reads as null), total_tokens too when given
 * (else their sum), each *_details null or an object of token counts or nulls, cost a number when given.
 */
export function usage(at, value) {
  if (object(at, value, { nullable: true }) === null) return null;
  const out = {};
  for (const field of TOKEN_FIELDS) {
    if (field !== "total_tokens" || value[field] !== undefined) {
      out[field] = tokenCount(`${at}.${field}`, value[field], { total: field === "total_tokens" });
    }
  }
  out.total_tokens ??= out.prompt_tokens + out.completion_tokens;
  const details = (name, fields) => {
    if (object(`${at}.${name}`, value[name], { nullable: true }) === null) return;
    out[name] = {};
    for (const field of fields) {
      const count = value[name][field];
      if (!absent(count)) out[name][field] = tokenCount(`${at}.${name}.${field}`, count);
    }
  };
  details("prompt_tokens_details", PROMPT_DETAILS);
  details("completion_tokens_details", COMPLETION_DETAILS);
  if (value.cost !== undefined) out.cost = number(`${at}.cost`, value.cost);
  return out;
}

/** A price entry: each price ≥ 0 or -1 (variable) or null; `tiers` a list of at most MAX_TIERS, each with `above`. */
export function prices(at, value) {
  if (object(at, value, { nullable: true }) === null) return null;
  const out = {};
  for (const field of PRICE_FIELDS) {
    const price = value[field];
    if (price === undefined || price === null) continue;
    if (typeof price !== "number" || !Number.isFinite(price) || (price < 0 && price !== -1)) fail(`${at}.${field}`, "a price ≥ 0 (or -1: variable)", price);
    out[field] = price;
  }
  if (value.tiers !== undefined) {
    if (!Array.isArray(value.tiers) || value.tiers.length > MAX_TIERS) fail(`${at}.tiers`, `a list of at most ${MAX_TIERS} tiers`, value.tiers);
    out.tiers = value.tiers.map((tier, i) => ({
      above: number(`${at}.tiers[${i}].above`, object(`${at}.tiers[${i}]`, tier).above),
      ...prices(`${at}.tiers[${i}]`, { ...tier, tiers: undefined }),
    }));
  }
  return out;
}

/** A request's error: its message (at most MAX_ERROR_CHARS) and type texts or null, its HTTP status or null. */
export function requestError(at, value) {
  if (object(at, value, { nullable: true }) === null) return null;
  return {
    message: text(`${at}.message`, value.message, { nullable: true, max: MAX_ERROR_CHARS }) ?? "",
    type: text(`${at}.type`, value.type, { nullable: true, max: 200 }),
    code: value.code === null || value.code === undefined ? null : String(value.code).slice(0, 200),
    status: number(`${at}.status`, value.status, { nullable: true, integer: true }),
  };
}
