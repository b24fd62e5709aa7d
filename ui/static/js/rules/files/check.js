// Pure: the value checks every file and ledger line goes through (docs/architecture.md, "Export and import files").
// Each returns the clean value or throws ImportError naming where (`requests[12].timestamp: …`), so a file is
// refused with the first thing wrong and a record is rebuilt from the fields we know, never copied.
import { PROVENANCES } from "../pricing.js";

export const MAX_TEXT_CHARS = 2_000_000; // one message's content
export const COST_PROVENANCES = [...PROVENANCES, "imported"];
export const STATUSES = ["ok", "error", "aborted"];

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const TOKEN_FIELDS = ["prompt_tokens", "completion_tokens", "total_tokens"];
const PROMPT_DETAILS = ["cached_tokens", "cache_write_tokens", "cache_write_1h_tokens"];
const COMPLETION_DETAILS = ["reasoning_tokens"];
const PRICE_FIELDS = ["input", "output", "cached_input", "cache_write", "cache_write_1h"];

/** A value we refuse; the message says what is wrong and where. */
export class ImportError extends Error {}

export const shown = (value) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}…` : text;
};
export const fail = (at, expected, value) => { throw new ImportError(`${at}: expected ${expected}, got ${shown(value)}`); };

export function object(at, value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(at, "an object", value);
  return value;
}

export function array(at, value, max) {
  if (!Array.isArray(value)) fail(at, "a list", value);
  if (value.length > max) throw new ImportError(`${at}: holds ${value.length.toLocaleString("en-US")} entries; at most ${max.toLocaleString("en-US")} can be imported at once`);
  return value;
}

export function text(at, value, { max = 10_000, nullable = false } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== "string") fail(at, nullable ? "a text or null" : "a text", value);
  if (value.length > max) throw new ImportError(`${at}: ${value.length.toLocaleString("en-US")} characters; at most ${max.toLocaleString("en-US")}`);
  return value;
}

export function id(at, value) {
  const idText = typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  if (typeof idText !== "string" || !ID.test(idText)) fail(at, "an id of letters, digits and _.:@- (at most 128)", value);
  return idText;
}

export function number(at, value, { nullable = false, integer = false } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    fail(at, `${integer ? "a whole number" : "a number"} ≥ 0${nullable ? " or null" : ""}`, value);
  }
  return value;
}

export function oneOf(at, value, allowed) {
  if (!allowed.includes(value)) fail(at, `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`, value);
  return value;
}

export function timestamp(at, value) {
  if (typeof value !== "string" || !ISO_WITH_OFFSET.test(value) || !Number.isFinite(Date.parse(value))) {
    fail(at, "an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00", value);
  }
  return value;
}

export function usage(at, value) {
  if (value === null || value === undefined) return null;
  object(at, value);
  const out = {};
  for (const field of TOKEN_FIELDS) {
    if (value[field] !== undefined) out[field] = number(`${at}.${field}`, value[field], { integer: true });
  }
  if (out.prompt_tokens === undefined || out.completion_tokens === undefined) {
    throw new ImportError(`${at}: expected prompt_tokens and completion_tokens`);
  }
  out.total_tokens ??= out.prompt_tokens + out.completion_tokens;
  const details = (name, fields) => {
    if (value[name] === undefined || value[name] === null) return;
    object(`${at}.${name}`, value[name]);
    out[name] = {};
    for (const field of fields) {
      const n = value[name][field];
      if (n !== undefined && n !== null) out[name][field] = number(`${at}.${name}.${field}`, n, { integer: true });
    }
  };
  details("prompt_tokens_details", PROMPT_DETAILS);
  details("completion_tokens_details", COMPLETION_DETAILS);
  if (value.cost !== undefined) out.cost = number(`${at}.cost`, value.cost);
  return out;
}

export function prices(at, value) {
  if (value === null || value === undefined) return null;
  object(at, value);
  const out = {};
  for (const field of PRICE_FIELDS) {
    const price = value[field];
    if (price === undefined || price === null) continue;
    if (typeof price !== "number" || !Number.isFinite(price) || (price < 0 && price !== -1)) fail(`${at}.${field}`, "a price ≥ 0 (or -1: variable)", price);
    out[field] = price;
  }
  if (value.tiers !== undefined) {
    out.tiers = array(`${at}.tiers`, value.tiers, 20).map((tier, i) => ({
      above: number(`${at}.tiers[${i}].above`, object(`${at}.tiers[${i}]`, tier).above),
      ...prices(`${at}.tiers[${i}]`, { ...tier, tiers: undefined }),
    }));
  }
  return out;
}

export function requestError(at, value) {
  if (value === null || value === undefined) return null;
  object(at, value);
  return {
    message: text(`${at}.message`, value.message ?? "", { max: 10_000 }),
    type: text(`${at}.type`, value.type, { nullable: true, max: 200 }),
    code: value.code === null || value.code === undefined ? null : String(value.code).slice(0, 200),
    status: number(`${at}.status`, value.status, { nullable: true, integer: true }),
  };
}
