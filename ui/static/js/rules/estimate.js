// Pure: what the next message will cost before it is sent, on the chosen model. Tokens are today's estimate
// (pricing.js estimateTokens over the history and the draft, as the recorder estimates a cut stream), prices
// are the one cost rule (pricing.js costFor); the cases are tests/vectors/estimate.json.
import { cacheTokens } from "./cache_timeline.js";
import { costFor, estimateTokens, formatUsd } from "./pricing.js";

/**
 * Output tokens assumed when this model has no answer here yet: a few paragraphs (p50) to a long answer with code
 * (p90). Shown as "no history yet", so nobody reads it as a measurement.
 */
export const DEFAULT_OUTPUT_TOKENS = { p50: 500, p90: 1500 };

/** The value at quantile q of sorted numbers, nearest rank (the percentile rule of counters.js). */
function nearestRank(sorted, q) {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

/** {p50, p90, samples} of this model's past output tokens; DEFAULT_OUTPUT_TOKENS with samples 0 when there are none. */
export function outputRange(completionTokens) {
  const sorted = [...completionTokens].sort((a, b) => a - b);
  if (!sorted.length) return { ...DEFAULT_OUTPUT_TOKENS, samples: 0 };
  return { p50: nearestRank(sorted, 0.5), p90: nearestRank(sorted, 0.9), samples: sorted.length };
}

/**
 * The prompt tokens expected from cache: what the last turn read or wrote (the prefix now cached), when it was
 * made within `ttlMs` of `nowMs` (cache_timeline.js ttlAfter), never more than the prompt.
 */
export function expectedCached(lastTurn, nowMs, ttlMs, promptTokens) {
  if (!lastTurn?.usage || nowMs - Date.parse(lastTurn.timestamp) > ttlMs) return 0;
  const { cached, written } = cacheTokens(lastTurn.usage);
  return Math.min(promptTokens, cached + written);
}

const usageOf = (prompt, cached, completion) => ({
  prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 },
});

/**
 * The tier a prompt of `promptTokens` crosses (the highest `above` it passes) and what it adds: the same usage
 * priced with and without that tier (the entry's lower tiers kept). Null below every tier or when unknown.
 */
function tierCrossed(usage, price) {
  const passed = (price.tiers ?? []).filter((tier) => usage.prompt_tokens > tier.above);
  if (!passed.length) return null;
  const crossed = passed.reduce((a, b) => (b.above > a.above ? b : a));
  const below = { ...price, tiers: price.tiers.filter((tier) => tier.above < crossed.above) };
  const at = costFor(usage, price).cost_usd;
  const without = costFor(usage, below).cost_usd;
  if (at === null || without === null) return null;
  const extra = at - without;
  return {
    above: crossed.above, extra_usd: extra,
    text: `this message crosses ${crossed.above.toLocaleString("en-US")} tokens: the whole request is priced at the higher tier (+${formatUsd(extra, "computed")})`,
  };
}

/**
 * {prompt_tokens, cached_tokens, output: {p50, p90, samples}, low, high (costFor results at p50 and p90 output,
 * "estimated"), tier: null | {above, extra_usd (at p50 output), text}} for sending `promptText` (the history and
 * the draft, joined as they are sent) to a model priced `price` (null: unpriced).
 */
export function estimateNext({ promptText, cachedTokens, output, price }) {
  const prompt = estimateTokens(promptText);
  const cached = Math.min(prompt, cachedTokens);
  const low = usageOf(prompt, cached, output.p50);
  const high = usageOf(prompt, cached, output.p90);
  return {
    prompt_tokens: prompt, cached_tokens: cached, output,
    low: costFor(low, price, { estimated: true }), high: costFor(high, price, { estimated: true }),
    tier: price ? tierCrossed(low, price) : null,
  };
}
