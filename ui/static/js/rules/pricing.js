// Pure: provider usage → normalized usage → cost in USD with its provenance; USD display.
// The same rules as llms/usage.py and llms/pricing.py (read their docstrings for the why and the
// provider sources); both pass tests/vectors/pricing.json. Runs in the browser and in node.

export const PROVENANCES = ["reported", "computed", "estimated", "unpriced"];
export const TOKENS_PER_PRICE_UNIT = 1_000_000;
export const CHARS_PER_TOKEN = 4;
const CACHE_PRICE_FIELDS = ["cached_input", "cache_write", "cache_write_1h"];
const UNKNOWN = "—";

// ---- usage (llms/usage.py) ----

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Python's `not raw`: null, undefined or an empty object mean "no usage". */
function isEmpty(raw) {
  return raw === null || raw === undefined || (isObject(raw) && Object.keys(raw).length === 0);
}

function tokenCount(value) {
  // Providers send null for "none of this kind"; anything else non-numeric is a malformed body.
  if (value === null || value === undefined) return 0;
  if (typeof value !== "number") throw new Error(`expected a token count, got ${JSON.stringify(value)}`);
  return Math.trunc(value);
}

function normalized({ prompt, completion, cached, cacheWrite, reasoning, cacheWrite1h = null, cost = null }) {
  const promptDetails = { cached_tokens: cached, cache_write_tokens: cacheWrite };
  if (cacheWrite1h !== null) promptDetails.cache_write_1h_tokens = cacheWrite1h;
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
  if (cost !== null) usage.cost = cost;
  return usage;
}

// OpenAI chat completions (also Groq, Mistral, DeepSeek, OpenRouter, Ollama /v1): cached_tokens is a
// part of prompt_tokens, reasoning_tokens a part of completion_tokens; DeepSeek's prompt_cache_hit_tokens
// too; OpenRouter's usage.cost is USD billed.
function normalizeOpenai(raw) {
  const promptDetails = raw.prompt_tokens_details || {};
  const completionDetails = raw.completion_tokens_details || {};
  let cached = tokenCount(promptDetails.cached_tokens);
  if (!cached && raw.prompt_cache_hit_tokens !== null && raw.prompt_cache_hit_tokens !== undefined) {
    cached = tokenCount(raw.prompt_cache_hit_tokens);
  }
  const cost = raw.cost ?? null;
  if (cost !== null && typeof cost !== "number") {
    throw new Error(`expected usage.cost to be a number, got ${JSON.stringify(cost)}`);
  }
  return normalized({
    prompt: tokenCount(raw.prompt_tokens),
    completion: tokenCount(raw.completion_tokens),
    cached,
    cacheWrite: tokenCount(promptDetails.cache_write_tokens),
    reasoning: tokenCount(completionDetails.reasoning_tokens),
    cost,
  });
}

// Anthropic Messages: input_tokens EXCLUDES cache reads and writes; thinking is inside output_tokens;
// cache_creation splits writes by TTL.
function normalizeAnthropic(raw) {
  const fresh = tokenCount(raw.input_tokens);
  const cacheRead = tokenCount(raw.cache_read_input_tokens);
  let cacheWrite = tokenCount(raw.cache_creation_input_tokens);
  let cacheWrite1h = null;
  if (isObject(raw.cache_creation)) {
    cacheWrite1h = tokenCount(raw.cache_creation.ephemeral_1h_input_tokens);
    // The split is authoritative when the total is absent.
    cacheWrite = cacheWrite || tokenCount(raw.cache_creation.ephemeral_5m_input_tokens) + cacheWrite1h;
  }
  return normalized({
    prompt: fresh + cacheRead + cacheWrite,
    completion: tokenCount(raw.output_tokens),
    cached: cacheRead,
    cacheWrite,
    reasoning: 0,
    cacheWrite1h,
  });
}

// Gemini usageMetadata: promptTokenCount INCLUDES cachedContentTokenCount; toolUsePromptTokenCount is
// further input; output is candidatesTokenCount + thoughtsTokenCount.
function normalizeGemini(raw) {
  const thoughts = tokenCount(raw.thoughtsTokenCount);
  return normalized({
    prompt: tokenCount(raw.promptTokenCount) + tokenCount(raw.toolUsePromptTokenCount),
    completion: tokenCount(raw.candidatesTokenCount) + thoughts,
    cached: tokenCount(raw.cachedContentTokenCount),
    cacheWrite: 0,
    reasoning: thoughts,
  });
}

/** Usage normalizers by wire format: the same names as the `format` values of tests/vectors/pricing.json. */
export const NORMALIZERS = { openai: normalizeOpenai, anthropic: normalizeAnthropic, gemini: normalizeGemini };

/** A provider's usage object → normalized usage, or null when the provider sent none. */
export function normalizeUsage(format, raw) {
  const normalize = NORMALIZERS[format];
  if (!normalize) throw new Error(`unknown usage format ${JSON.stringify(format)}: expected openai, anthropic or gemini`);
  return isEmpty(raw) ? null : normalize(raw);
}

// ---- cost (llms/pricing.py) ----

function result(cost_usd, provenance, prices) {
  return { cost_usd, provenance, prices };
}

/**
 * The entry a request served at `serviceTier` is charged at, without `service_tiers`: that tier's fields over the
 * base entry's (`tiers` as one field) when the entry prices the tier, else the base entry (pricing.py price_at_tier).
 */
export function priceAtTier(price, serviceTier) {
  if (price === null || price === undefined || !("service_tiers" in price)) return price;
  const { service_tiers: tiers, ...base } = price;
  const tier = typeof serviceTier === "string" && Object.hasOwn(tiers, serviceTier) ? tiers[serviceTier] : null;
  return tier === null ? base : { ...base, ...tier };
}

/**
 * The cost of one request: {cost_usd: number|null, provenance, prices: entry|null}. `serviceTier` is the tier that
 * served it (the answer's service_tier, else the one asked for); `prices` is then that tier's entry (priceAtTier).
 */
export function costFor(usage, price, { estimated = false, serviceTier = null } = {}) {
  price = priceAtTier(price, serviceTier);
  if (usage && usage.cost !== null && usage.cost !== undefined) return result(Number(usage.cost), "reported", price);
  if (price === null || price === undefined) return result(null, "unpriced", null);
  if (usage === null || usage === undefined) {
    return estimated ? result(0, "estimated", price) : result(null, "unpriced", price);
  }
  const rates = ratesFor(price, usage.prompt_tokens);
  if (Object.values(rates).some((rate) => rate < 0)) return result(null, "unpriced", price); // -1: variable
  return result(usdOf(usage, rates), estimated ? "estimated" : "computed", price);
}

function ratesFor(price, promptTokens) {
  if (!("input" in price) || !("output" in price)) {
    throw new Error(`a price entry needs input and output (USD per 1M tokens), got ${JSON.stringify(price)}`);
  }
  const passed = (price.tiers || []).filter((tier) => promptTokens > tier.above);
  const tier = passed.reduce((best, t) => (best === null || t.above > best.above ? t : best), null) || {};
  const rates = {};
  for (const name of ["input", "output", ...CACHE_PRICE_FIELDS]) rates[name] = tier[name] ?? price[name] ?? null;
  for (const name of CACHE_PRICE_FIELDS) if (rates[name] === null) rates[name] = rates.input;
  return rates;
}

function usdOf(usage, rates) {
  const details = usage.prompt_tokens_details || {};
  const prompt = usage.prompt_tokens;
  const cached = details.cached_tokens || 0;
  const cacheWrite = details.cache_write_tokens || 0;
  const cacheWrite1h = details.cache_write_1h_tokens || 0;
  const uncached = prompt - cached - cacheWrite;
  if (uncached < 0 || cacheWrite1h > cacheWrite) {
    throw new Error(`usage does not add up: prompt_tokens ${prompt} < cached ${cached} + cache writes ${cacheWrite}, ` +
      `or 1h writes ${cacheWrite1h} > cache writes ${cacheWrite}`);
  }
  // The same expression in the same order as pricing.py, so both sides get the same float.
  const tokenUsd = uncached * rates.input
    + cached * rates.cached_input
    + (cacheWrite - cacheWrite1h) * rates.cache_write
    + cacheWrite1h * rates.cache_write_1h
    + usage.completion_tokens * rates.output;
  return tokenUsd / TOKENS_PER_PRICE_UNIT;
}

/** Tokens in `text` when the provider never said: ceil(code points / 4), OpenAI's rule of thumb. */
export function estimateTokens(text) {
  let codePoints = 0;
  for (const _ of text) codePoints += 1; // code points, as Python's len(); .length counts UTF-16 units
  return Math.ceil(codePoints / CHARS_PER_TOKEN);
}

// ---- display: decimal digits of the shortest repr, rounded half up (format_usd in pricing.py) ----

const ZERO = { digits: "", exp: 0 };

/** A number as {digits, exp}: value = d1.d2d3… × 10^exp, no leading or trailing zeros. */
function decimalOf(amount) {
  const [mantissa, exponent = "0"] = String(amount).split("e");
  const [whole, fraction = ""] = mantissa.split(".");
  let digits = whole + fraction;
  let exp = whole.length - 1 + Number(exponent);
  const leading = digits.length - digits.replace(/^0+/, "").length;
  digits = digits.slice(leading);
  exp -= leading;
  return trimmed({ digits, exp });
}

function trimmed({ digits, exp }) {
  const stripped = digits.replace(/0+$/, "");
  return stripped ? { digits: stripped, exp } : ZERO;
}

function roundSignificant({ digits, exp }, keep) {
  if (digits.length <= keep) return { digits, exp };
  if (keep < 0) return ZERO;
  const head = digits.slice(0, keep).split("");
  if (digits[keep] >= "5") {
    let i = head.length - 1;
    while (i >= 0 && head[i] === "9") head[i--] = "0";
    if (i < 0) {
      head.unshift("1");
      exp += 1;
    } else {
      head[i] = String(Number(head[i]) + 1);
    }
  }
  return trimmed({ digits: head.join(""), exp });
}

function roundDecimals(value, places) {
  return value.digits ? roundSignificant(value, value.exp + 1 + places) : ZERO;
}

function plain({ digits, exp }, minDecimals) {
  let whole = "0";
  let fraction = "";
  if (digits && exp >= 0) {
    whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    fraction = digits.slice(exp + 1);
  } else if (digits) {
    fraction = "0".repeat(-exp - 1) + digits;
  }
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  fraction = fraction.padEnd(minDecimals, "0");
  return fraction ? `${grouped}.${fraction}` : grouped;
}

function atLeastCent({ digits, exp }) {
  return digits !== "" && exp >= -2;
}

/** The same text as pricing.format_usd: "—", "$0.00", "$12.35", "$0.00012", "~$0.0031". */
export function formatUsd(cost, provenance) {
  if (cost === null || cost === undefined) return UNKNOWN;
  if (typeof cost !== "number" || !Number.isFinite(cost) || cost < 0) {
    throw new Error(`expected a cost in USD ≥ 0, got ${JSON.stringify(cost)}`);
  }
  const amount = roundSignificant(decimalOf(cost), 12); // drop float noise, as pricing.py does
  let text;
  if (atLeastCent(amount)) text = `$${plain(roundDecimals(amount, 2), 2)}`;
  else if (!amount.digits) text = "$0.00";
  else {
    const tiny = roundSignificant(amount, 2);
    text = atLeastCent(tiny) ? "$0.01" : `$${plain(tiny, 0)}`;
  }
  return provenance === "estimated" ? `~${text}` : text;
}
