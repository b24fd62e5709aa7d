// Pure: the counters a request adds to its day rollup and to its thread's totals (docs/architecture.md).
// The store calls these inside the transaction that writes the record, so the sums stay exact.

export const NO_PROVIDER = "(none)";
/**
 * No request costs $100,000 (llms/ledger/schema.py MAX_COST_USD): a ledger line with more is refused (record.js),
 * and a record holding more, or a cost that is not a number ≥ 0, is counted as unpriced. So sums stay finite: a
 * billion requests add up to at most 1e14, never Infinity or NaN.
 */
export const MAX_COST_USD = 100_000;
const isCost = (cost) => typeof cost === "number" && cost >= 0 && cost <= MAX_COST_USD;
/**
 * No request counts 10**12 tokens of any kind (llms/ledger/schema.py MAX_TOKENS: 100,000 times the largest context
 * window): a usage with more is refused wherever a record is built (files/check.js usage), and a record holding more
 * (one stored before the bound) adds nothing to that count. So sums stay finite: a billion requests add up to at
 * most 1e21 tokens of each kind.
 */
export const MAX_TOKENS = 1_000_000_000_000;
/** A total is the sum of two counts (prompt and completion): at most twice MAX_TOKENS (schema.py MAX_TOTAL_TOKENS). */
export const MAX_TOTAL_TOKENS = 2 * MAX_TOKENS;
const tokens = (count) => (typeof count === "number" && count >= 0 && count <= MAX_TOKENS ? count : 0);
const HISTOGRAM_STEPS_PER_DOUBLING = 8;

/**
 * The counters of a group of requests: every day rollup entry (the day, by_model, by_provider, by_hour), a
 * thread's totals and aggregate.js's cells carry these, so the pages and the vectors count with one rule.
 * `response_ms_histogram` gives p50/p95 of any sum of groups; rollups written before it was kept per group lack it.
 */
export function emptyCounters() {
  return {
    requests: 0, errors: 0, aborted: 0,
    cost_usd: 0, unpriced_requests: 0, estimated_requests: 0,
    prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0,
    response_ms: 0, response_ms_histogram: {},
  };
}

/** The counters that are sums (all but the histogram). */
export const SUMMED = Object.keys(emptyCounters()).filter((name) => name !== "response_ms_histogram");

/** The token counts of a record's normalized usage, zeros when it has none (and for a count past MAX_TOKENS). */
export function tokensOf(usage) {
  const prompt = usage?.prompt_tokens_details ?? {};
  const completion = usage?.completion_tokens_details ?? {};
  return {
    prompt_tokens: tokens(usage?.prompt_tokens),
    completion_tokens: tokens(usage?.completion_tokens),
    cached_tokens: tokens(prompt.cached_tokens),
    cache_write_tokens: tokens(prompt.cache_write_tokens),
    reasoning_tokens: tokens(completion.reasoning_tokens),
  };
}

/** Counts one request record into `counters` (changed in place): the one counting rule. */
export function countInto(counters, record) {
  counters.requests += 1;
  if (record.status === "error") counters.errors += 1;
  else if (record.status === "aborted") counters.aborted += 1;
  const cost = record.cost_usd;
  if (isCost(cost)) counters.cost_usd += cost;
  if (record.cost_provenance === "unpriced" || (cost !== null && cost !== undefined && !isCost(cost))) counters.unpriced_requests += 1;
  else if (record.cost_provenance === "estimated") counters.estimated_requests += 1;
  for (const [name, value] of Object.entries(tokensOf(record.usage))) counters[name] += value;
  if (record.response_ms != null) {
    counters.response_ms += record.response_ms;
    const bucket = histogramBucket(record.response_ms);
    counters.response_ms_histogram[bucket] = (counters.response_ms_histogram[bucket] ?? 0) + 1;
  }
  return counters;
}

/** Adds the counters `other` (a rollup entry, maybe of an older shape) into `into` (changed in place). */
export function mergeInto(into, other) {
  for (const name of SUMMED) into[name] += other[name] ?? 0;
  for (const [bucket, n] of Object.entries(other.response_ms_histogram ?? {})) {
    into.response_ms_histogram[bucket] = (into.response_ms_histogram[bucket] ?? 0) + n;
  }
  return into;
}

/** counters + one request record, as a new object (the store writes rollups this way). */
export function addRecord(counters, record) {
  return countInto(mergeInto(emptyCounters(), counters ?? {}), record);
}

/** Histogram bucket of a response time: floor(8 × log2(ms)), ≈ 9 % wide; 0 for anything under 1 ms. */
export function histogramBucket(responseMs) {
  return responseMs >= 1 ? Math.floor(HISTOGRAM_STEPS_PER_DOUBLING * Math.log2(responseMs)) : 0;
}

/** The value (bucket midpoint, ms) at quantile q (0..1) of one or more summed histograms; null when empty. */
export function percentileFromHistogram(histogram, q) {
  const buckets = Object.entries(histogram).map(([b, n]) => [Number(b), n]).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [bucket, n] of buckets) {
    seen += n;
    if (seen >= rank) return 2 ** ((bucket + 0.5) / HISTOGRAM_STEPS_PER_DOUBLING);
  }
  return null;
}

export function emptyDay(isoDate) {
  return { date: isoDate, ...emptyCounters(), by_model: {}, by_provider: {}, by_hour: {} };
}

/** The day rollup (or undefined for a new day) + a record made at local hour `hour` ("HH"), as a new object. */
export function addToDay(day, isoDate, hour, record) {
  const base = day ?? emptyDay(isoDate);
  const provider = record.provider ?? NO_PROVIDER;
  return {
    ...base, ...addRecord(base, record),
    by_model: { ...base.by_model, [record.model]: addRecord(base.by_model[record.model], record) },
    by_provider: { ...base.by_provider, [provider]: addRecord(base.by_provider[provider], record) },
    by_hour: { ...base.by_hour, [hour]: addRecord(base.by_hour[hour], record) },
  };
}
