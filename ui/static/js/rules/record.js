// Pure: the ONE definition of a request record in the browser (docs/architecture.md, "Request record"): its
// fields and the check of each. Every record is built through checkRecord: the chat recorder (buildRecord),
// ledger lines (fromLedger), imports (files/import.js, files/llmspy.js), demo data and test fixtures. The Python
// twin is llms/ledger/schema.py; both pass tests/vectors/records.json. A new field is one line in FIELDS.
import { MAX_COST_USD } from "./counters.js";
import { isoWithOffset } from "./keys.js";
import { costFor, estimateTokens } from "./pricing.js";
import { energyCost } from "./energy.js";
import { generationTokensPerSecond, tokensPerSecond } from "./metrics.js";
import { PROVENANCES } from "./pricing.js";
import {
  COST_PROVENANCES, ImportError, MAX_ERROR_CHARS, STATUSES, absent, codePointPrefix, fail, id, number, object, oneOf,
  prices, requestError, shown, text, timestamp, tokenCount, usage,
} from "./files/check.js";

/** A record's prompt_preview is the first this many characters of the prompt (recorded, imported or pulled). */
export const PROMPT_PREVIEW_CHARS = 200;
/** The most characters (code points) of each text a record and a ledger line hold (schema.py TEXT_LIMITS). */
const MOST_CHARS = {
  client: 200, client_app: 200, token: 200, provider: 200, model: 200, provider_model: 300, endpoint: 200,
  finish_reason: 100, user_id: 206, ip_address: 100, price_version: 200, service_tier: 100,
};
/** An answer's tool calls: at most this many names of at most this many characters (schema.py MAX_TOOL_CALLS). */
const MAX_TOOL_CALLS = 1000;
const MAX_TOOL_NAME_CHARS = 200;

const amount = (at, value) => number(at, value, { nullable: true });
const bounded = (field, { nullable = true } = {}) => (at, value) => text(at, value, { nullable, max: MOST_CHARS[field] });

/** Every field, in the order a record is written, with the check that rebuilds its value (or throws ImportError). */
const FIELDS = {
  id,
  timestamp,
  thread_id: (at, value) => (absent(value) ? null : id(at, value)),
  model: bounded("model", { nullable: false }),
  provider: bounded("provider"),
  provider_model: bounded("provider_model"),
  prompt_preview: (at, value) => codePointPrefix(text(at, value ?? "", { max: 100_000 }), PROMPT_PREVIEW_CHARS),
  usage,
  cost_usd: amount,
  cost_provenance: (at, value) => oneOf(at, value, COST_PROVENANCES, { nullable: true }),
  prices,
  response_ms: amount,
  ttft_ms: amount,
  tokens_per_s: amount,
  generation_tokens_per_s: amount,
  server_duration_ms: amount,
  server_ttft_ms: amount,
  status: (at, value) => oneOf(at, value, STATUSES),
  error: requestError,
  finish_reason: bounded("finish_reason"),
};

/** The rates an energy-priced request was costed at (llms/pricing/energy.py), or null. */
function energyRates(at, value) {
  if (object(at, value, { nullable: true }) === null) return null;
  return { watts: number(`${at}.watts`, value.watts), usd_per_kwh: number(`${at}.usd_per_kwh`, value.usd_per_kwh) };
}

/**
 * What priced a request, kept by a ledger line and a record when known: ours beside a cost the provider reported
 * (the Price check), the energy rates of a local model, the version of the price data (pricing/version.py).
 */
const PRICED_BY = {
  computed_cost_usd: (at, value) => number(at, value, { nullable: true, max: MAX_COST_USD }),
  energy: energyRates,
  price_version: bounded("price_version"),
};

/** The names of the tools an answer called, one per call, in order; null when it called none. */
function toolCalls(at, value) {
  if (value === null || value === undefined) return null;
  const names = Array.isArray(value) && value.length <= MAX_TOOL_CALLS
    && value.every((name) => typeof name === "string" && [...name].length <= MAX_TOOL_NAME_CHARS);
  if (!names) {
    fail(at, `a list of at most ${MAX_TOOL_CALLS} tool names (texts of at most ${MAX_TOOL_NAME_CHARS} characters) or null`,
      value);
  }
  return [...value];
}

/** What an answer said about itself (ledger lines): the tools it called, the service tier that served it. */
const ANSWERED = { tool_calls: toolCalls, service_tier: bounded("service_tier") };

/** Fields a record carries only when known: who sent it through the API (ledger lines), and the demo mark. */
const OPTIONAL = {
  client: bounded("client"),
  client_app: bounded("client_app"),
  token: bounded("token"),
  endpoint: bounded("endpoint"),
  demo: (at, value) => oneOf(at, value, [true]),
  ...PRICED_BY,
  ...ANSWERED,
};

export const RECORD_FIELDS = [...Object.keys(FIELDS), ...Object.keys(OPTIONAL)];

/** A request record rebuilt from the fields we know (anything else is left out); throws ImportError naming `at`. */
export function checkRecord(at, value) {
  object(at, value);
  const record = {};
  for (const [field, check] of Object.entries(FIELDS)) record[field] = check(`${at}.${field}`, value[field]);
  for (const [field, check] of Object.entries(OPTIONAL)) {
    if (!absent(value[field])) record[field] = check(`${at}.${field}`, value[field]);
  }
  return record;
}

/** The speeds of a record from its output tokens and timings, as every builder computes them. */
export function speedsOf(completionTokens, responseMs, ttftMs) {
  return {
    tokens_per_s: tokensPerSecond(completionTokens, responseMs),
    generation_tokens_per_s: generationTokensPerSecond(completionTokens, responseMs, ttftMs),
  };
}

// ---- the ledger (GET /api/ledger) ----

/** The fields a ledger line must hold, in the order they are named when missing (schema.py REQUIRED_FIELDS). */
const LINE_REQUIRED = ["timestamp", "request_id", "status", "model"];
// No request lasts a week; the server bounds durations so its time arithmetic stays in range (MAX_DURATION_MS).
const MAX_DURATION_MS = 7 * 24 * 3_600_000;
const duration = (at, value) => number(at, value, { nullable: true, max: MAX_DURATION_MS });
// A larger cost than MAX_COST_USD (counters.js) is a malformed line, as schema.py reads it.
const lineCost = (at, value) => number(at, value, { nullable: true, max: MAX_COST_USD });
// Token counts at most MAX_TOKENS, a total at most twice that (counters.js), as schema.py reads them.
const count = (at, value) => tokenCount(at, value, { nullable: true });
const total = (at, value) => tokenCount(at, value, { nullable: true, total: true });

/**
 * A ledger line's checks in the order the server runs them (llms/ledger/schema.py line_problem), so the first
 * problem found is the one both name. The line's costs are the server's: never "imported".
 */
const LINE_FIELDS = {
  timestamp: (at, value) => timestamp(at, value, { like: "2026-11-23T10:00:00.000+01:00" }),
  request_id: (at, value) => id(at, value, { fromNumber: false }),
  client: bounded("client"),
  client_app: bounded("client_app"),
  token: bounded("token"),
  provider: bounded("provider"),
  model: FIELDS.model,
  provider_model: bounded("provider_model"),
  endpoint: bounded("endpoint"),
  status: FIELDS.status,
  error: requestError,
  finish_reason: bounded("finish_reason"),
  usage,
  cost_usd: lineCost,
  cost_provenance: (at, value) => oneOf(at, value, PROVENANCES, { nullable: true }),
  prices,
  response_ms: duration,
  ttft_ms: duration,
  // The cost-tracking guide's flat fields (docs/contracts.md); lines written before them lack them.
  user_id: bounded("user_id"),
  ip_address: bounded("ip_address"),
  input_tokens: count,
  output_tokens: count,
  total_tokens: total,
  input_cost: lineCost,
  output_cost: lineCost,
  total_cost: lineCost,
  ...PRICED_BY,
  ...ANSWERED,
};

/** Throws ImportError with what makes a ledger line unusable, in the server's words (tests/vectors/records.json). */
function checkLine(line) {
  if (line === null || typeof line !== "object" || Array.isArray(line)) {
    throw new ImportError(`not a ledger record (expected a JSON object, got ${shown(line)})`);
  }
  const missing = LINE_REQUIRED.filter((field) => line[field] === undefined); // JSON has no undefined: absent
  if (missing.length) throw new ImportError(`not a ledger record (it has no ${missing.join(", ")})`);
  for (const [field, check] of Object.entries(LINE_FIELDS)) check(field, line[field]);
}

/**
 * A ledger line as a store record: id = request_id, so the same request is never stored twice. The line is
 * checked first as the server checks it, and refused with the server's own message (field paths are the line's,
 * without `at`); `at` names the record built from it. Only the preview of the last user message is kept: it is
 * shortened first, so a long pasted prompt never fails a line.
 */
export function fromLedger(at, line) {
  checkLine(line);
  const lastUser = Array.isArray(line.messages) ? [...line.messages].reverse().find((m) => m?.role === "user") : null;
  const preview = typeof lastUser?.content === "string" ? codePointPrefix(lastUser.content, PROMPT_PREVIEW_CHARS) : "";
  return checkRecord(at, {
    ...line, id: line.request_id, thread_id: null, prompt_preview: preview,
    ...speedsOf(line.usage?.completion_tokens ?? 0, line.response_ms, line.ttft_ms),
    server_duration_ms: line.response_ms ?? null, server_ttft_ms: line.ttft_ms ?? null,
  });
}

// ---- the chat recorder: a stream outcome (chat/stream.js) → the record the store keeps ----

const providerOf = (config, providerId) => config?.providers?.find((p) => p.id === providerId) ?? null;
const serves = (provider, name) => provider.models.some((m) => m.alias === name || m.provider_model === name);

/** The model name a request asked for: `provider/alias` pins a provider and names its alias (llms/routing.py). */
function askedName(config, asked) {
  const slash = asked.indexOf("/");
  const pinned = slash > 0 ? providerOf(config, asked.slice(0, slash)) : null;
  return pinned && serves(pinned, asked.slice(slash + 1)) ? asked.slice(slash + 1) : asked;
}

/**
 * The alias a request is priced by at the provider that answered (X-LLMS-Provider): the alias asked for when that
 * provider has it, else (a provider model id was asked for) that provider's first alias of it. Two aliases of one
 * provider model may be priced apart (a batch tier), so the alias asked for is never re-derived from the provider
 * model. Null when the provider does not serve the name. /api/config's shape: {providers: [{id, models: [{alias,
 * provider_model}]}], pricing: {provider: {alias: price entry}}}.
 */
export function aliasAt(config, providerId, asked) {
  const models = providerOf(config, providerId)?.models ?? [];
  const name = askedName(config, asked);
  if (models.some((m) => m.alias === name)) return name;
  return models.find((m) => m.provider_model === name)?.alias ?? null;
}

/** The price entry a request is charged at (aliasAt), from /api/config's `pricing`; null when unpriced or unknown. */
export function priceOf(config, providerId, asked) {
  const alias = aliasAt(config, providerId, asked);
  return alias === null ? null : config?.pricing?.[providerId]?.[alias] ?? null;
}

/**
 * What prices a request made now from the page, from /api/config: `price_for(provider)` (priceOf), `energy_for(provider)`
 * (a provider priced by electricity: its rates, else null) and the `price_version` of the server's price data.
 */
export function callPrices(config, asked) {
  return {
    price_for: (providerId) => priceOf(config, providerId, asked),
    energy_for: (providerId) => providerOf(config, providerId)?.energy ?? null,
    price_version: config?.price_version ?? null,
  };
}

/** Our cost of a request the provider priced itself (llms/pricing/cost.py computed_beside_reported), else null. */
function computedBesideReported(used, cost) {
  if (cost.provenance !== "reported" || !cost.prices || !used) return null;
  const { cost: reported, ...ours } = used;
  return costFor(ours, cost.prices).cost_usd;
}

/** Usage estimated from the text sent and received: the shape of llms/pricing.estimated_usage. */
export function estimatedUsage(promptText, answerText) {
  const prompt = estimateTokens(promptText);
  const completion = estimateTokens(answerText);
  return {
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 },
  };
}

/**
 * The usage to record: the server's, or an estimate when the stream began but ended without one
 * (Stop, cut, mid-stream error), or null when no provider started answering.
 */
function usageOf(outcome, promptText) {
  if (outcome.usage) return { usage: outcome.usage, estimated: false };
  if (!outcome.started_headers) return { usage: null, estimated: false };
  return { usage: estimatedUsage(promptText, outcome.text + outcome.reasoning), estimated: true };
}

/** A provider's text cut to what a record keeps, saying so, so an answer is never lost to a long message. */
const clipped = (value, max) => (
  typeof value === "string" && codePointPrefix(value, max) !== value ? `${codePointPrefix(value, max - 1)}…` : value);

/** The record of the call and the outcome, with what was made of them (usage, cost, status, error). */
function recordOf(call, outcome, { usage: used, cost, price, status, error }) {
  return checkRecord("record", {
    id: outcome.request_id ?? call.id, // the server's request_id when it gave one, so the ledger and the store agree
    timestamp: isoWithOffset(call.started),
    thread_id: call.thread_id,
    model: call.model,
    provider: outcome.provider,
    provider_model: outcome.provider_model,
    prompt_preview: call.prompt,
    usage: used,
    cost_usd: cost.cost_usd,
    cost_provenance: cost.provenance,
    prices: cost.energy ? null : cost.prices ?? price,
    computed_cost_usd: computedBesideReported(used, cost),
    energy: cost.energy ?? null,
    price_version: call.price_version ?? null,
    response_ms: outcome.response_ms,
    ttft_ms: outcome.ttft_ms,
    ...speedsOf(used?.completion_tokens ?? 0, outcome.response_ms, outcome.ttft_ms),
    server_duration_ms: outcome.server?.duration_ms ?? null,
    server_ttft_ms: outcome.server?.ttft_ms ?? null,
    status,
    error: error && { ...error, message: clipped(error.message, MAX_ERROR_CHARS) },
    finish_reason: clipped(outcome.finish_reason, MOST_CHARS.finish_reason),
    service_tier: outcome.service_tier ?? null,
  });
}

const priceFor = (call, outcome) => (outcome.provider ? call.price_for(outcome.provider) : null);

/**
 * @param {object} call    {id (used when the server gave no request_id), started: Date, thread_id, model (the alias asked for),
 *                         prompt (the user text answered), prompt_text (all messages sent, for estimates),
 *                         and what priced it: callPrices' price_for(provider), and (left out by a caller that prices
 *                         nothing by energy) energy_for(provider) and price_version}
 * @param {object} outcome what streamChat resolved to
 */
export function buildRecord(call, outcome) {
  const { usage: used, estimated } = usageOf(outcome, call.prompt_text);
  const price = priceFor(call, outcome);
  const energy = outcome.provider && call.energy_for ? call.energy_for(outcome.provider) : null;
  let cost = { cost_usd: null, provenance: null, prices: price };
  // Charged at the service tier the answer says served it (OpenAI's service_tier on its chunks), as the ledger does.
  const serviceTier = outcome.service_tier ?? null;
  if (used) cost = energy ? energyCost(outcome.response_ms, energy) : costFor(used, price, { estimated, serviceTier });
  return recordOf(call, outcome, { usage: used, cost, price, status: outcome.status, error: outcome.error });
}

/**
 * The record of a request whose outcome buildRecord could not turn into one (`error`: what it threw, e.g. a usage
 * that does not add up): an error that says what failed, without the usage it could not read, its cost unknown
 * ("unpriced" once a provider answered: it may have billed), so the request is kept and never counted as $0.
 */
export function failedRecord(call, outcome, error) {
  const price = priceFor(call, outcome);
  const cost = { cost_usd: null, provenance: outcome.provider ? "unpriced" : null, prices: price };
  const failure = `the answer could not be recorded: ${error.message}`;
  return recordOf(call, outcome, {
    usage: null, cost, price, status: "error",
    error: {
      message: outcome.error ? `${outcome.error.message}; then ${failure}` : failure,
      type: "record_error", code: null, status: outcome.error?.status ?? null,
    },
  });
}
