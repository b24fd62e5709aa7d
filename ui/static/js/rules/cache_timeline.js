// Pure: a thread's prompt cache turn by turn, and where it broke. Each turn is one request of the thread with its
// normalized usage (input counts cache reads and writes: docs/architecture.md, "Normalized usage"); the cases are
// tests/vectors/cache_timeline.json.

/**
 * How long a cached prefix lives after it was last used. Anthropic: "The cache has a 5-minute lifetime, refreshed
 * each time the cached content is used", or 1 hour when written with ttl "1h"
 * (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#cache-storage-and-sharing). OpenAI: "cached
 * prefixes generally remain active for 5 to 10 minutes of inactivity" (https://platform.openai.com/docs/guides/
 * prompt-caching): its lower bound is the one we can count on. Gemini's implicit cache gives no figure; 5 minutes too.
 */
export const CACHE_TTL_MS = 5 * 60_000;
export const CACHE_TTL_1H_MS = 60 * 60_000;
/**
 * A turn whose prompt came mostly from cache (read, or written by it for the next one) has a warm prefix: at half
 * of the input or more, a next turn reading (almost) none of it did not just miss a small tail.
 */
export const HIGH_SHARE = 0.5;
/** "Near zero": under 5 % of the input read from cache, at most a short system prompt's worth of a long chat. */
export const NEAR_ZERO_SHARE = 0.05;

/** A thread's messages → its requests that have usage, in order: {timestamp, usage, model, provider} (the turns). */
export function threadTurns(messages) {
  return messages.filter((m) => m.role === "assistant" && m.record?.usage)
    .map((m) => ({ timestamp: m.record.timestamp, usage: m.record.usage, model: m.record.model, provider: m.record.provider }));
}

/** The cache tokens of a normalized usage: read, written, written with a 1-hour TTL. */
export function cacheTokens(usage) {
  const details = usage?.prompt_tokens_details ?? {};
  return {
    input: usage?.prompt_tokens ?? 0, cached: details.cached_tokens ?? 0,
    written: details.cache_write_tokens ?? 0, written_1h: details.cache_write_1h_tokens ?? 0,
  };
}

/** The lifetime of what a turn wrote: 1 hour when it wrote with the 1-hour TTL, `previousTtlMs` when it wrote nothing. */
export function ttlAfter(usage, previousTtlMs = CACHE_TTL_MS) {
  const { written, written_1h: written1h } = cacheTokens(usage);
  if (written1h > 0) return CACHE_TTL_1H_MS;
  return written > 0 ? CACHE_TTL_MS : previousTtlMs;
}

const number = (n) => n.toLocaleString("en-US");

/** "7 minutes", "5.5 minutes", "2.1 hours", "40 seconds": a gap as a person reads it. */
export function durationText(ms) {
  if (ms < 120_000) return `${Math.round(ms / 1000)} seconds`;
  const minutes = ms / 60_000;
  if (minutes < 10) return `${Number(minutes.toFixed(1))} minutes`;
  if (minutes < 120) return `${Math.round(minutes)} minutes`;
  return `${Number((minutes / 60).toFixed(1))} hours`;
}

const lifetimeText = (ms) => (ms === CACHE_TTL_1H_MS ? "1-hour" : `${ms / 60_000}-minute`);

/** Why the cache broke between `previous` and `current` (rows of `cacheTimeline`): {cause, text}. */
function breakCause(n, previous, current, gapMs, ttlMs) {
  const head = `Cache broke at turn ${n}`;
  // A cache is kept per model (and per provider's account): another model starts cold whatever the gap.
  if (current.model !== previous.model || current.provider !== previous.provider) {
    return { cause: "model", text: `${head}: the model changed from ${previous.model} to ${current.model}, and a cache belongs to one model` };
  }
  if (gapMs > ttlMs) {
    return { cause: "ttl", text: `${head}: ${durationText(gapMs)} since the previous turn, longer than the cache's ${lifetimeText(ttlMs)} lifetime` };
  }
  const warm = previous.cached_tokens + previous.written_tokens;
  if (current.cached_tokens < warm && current.input_tokens > previous.input_tokens) {
    return {
      cause: "prefix",
      text: `${head}: the prompt changed before the cached prefix (cached tokens fell from ${number(warm)} to ` +
        `${number(current.cached_tokens)} while the input grew from ${number(previous.input_tokens)} to ${number(current.input_tokens)})`,
    };
  }
  return { cause: "unknown", text: `${head}: no cause shows in the counts (the input shrank, or the provider dropped the cache early)` };
}

/**
 * turns [{timestamp (ISO 8601), usage, model, provider}] in order → [{turn (1-based), timestamp, model, provider,
 * input_tokens, cached_tokens, written_tokens, cached_share (cached ÷ input, null without input), broke: null |
 * {cause: "model"|"ttl"|"prefix"|"unknown", text}}]. A turn breaks the cache when the previous turn's warm share
 * ((read + written) ÷ input) was high and its own read share is near zero; the likely cause is another model, the
 * gap (longer than the cache's lifetime), a prompt changed before the cached prefix (fewer cached tokens while the
 * input grew), or none we can see.
 */
export function cacheTimeline(turns) {
  const rows = [];
  let ttlMs = CACHE_TTL_MS;
  let previous = null;
  for (const [i, { timestamp, usage, model = null, provider = null }] of turns.entries()) {
    const { input, cached, written } = cacheTokens(usage);
    const row = {
      turn: i + 1, timestamp, model, provider, input_tokens: input, cached_tokens: cached, written_tokens: written,
      cached_share: input ? cached / input : null, broke: null,
    };
    if (previous && previous.input_tokens > 0 && input > 0) {
      const warmShare = (previous.cached_tokens + previous.written_tokens) / previous.input_tokens;
      if (warmShare >= HIGH_SHARE && row.cached_share < NEAR_ZERO_SHARE) {
        row.broke = breakCause(row.turn, previous, row, Date.parse(timestamp) - Date.parse(previous.timestamp), ttlMs);
      }
    }
    ttlMs = ttlAfter(usage, ttlMs);
    rows.push(row);
    previous = row;
  }
  return rows;
}
