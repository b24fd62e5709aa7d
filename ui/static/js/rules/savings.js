// Pure: what prompt caching saved and what cache writes cost on top, per request and per group of requests. The
// same rules as llms/pricing/savings.py (read its docstring for the why); both pass tests/vectors/savings.json.
// Every figure is a difference of two prices from the one cost rule (pricing.js costFor), never a second formula.
import { costFor } from "./pricing.js";

export const NO_PROVIDER = "(none)";
// A difference below 12 significant digits of the two prices is float noise, not a saving (savings.py NOISE).
const NOISE = 1e-12;
const AMOUNTS = ["read_saved_usd", "write_extra_5m_usd", "write_extra_1h_usd"];
const TOKENS = ["input_tokens", "cached_tokens", "cache_write_tokens", "cache_write_1h_tokens"];

function splitOf(usage) {
  const details = usage.prompt_tokens_details ?? {};
  return [details.cached_tokens || 0, details.cache_write_tokens || 0, details.cache_write_1h_tokens || 0];
}

/** The same request with another cache split (the rest billed as plain input), without a reported cost. */
function withCache(usage, cached, cacheWrite, cacheWrite1h) {
  return {
    prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: cached, cache_write_tokens: cacheWrite, cache_write_1h_tokens: cacheWrite1h },
  };
}

/** {read_saved_usd, write_extra_5m_usd, write_extra_1h_usd} of one request; null when it cannot be priced. */
export function requestSavings(usage, price) {
  if (!usage || price === null || price === undefined) return null;
  const [cached, cacheWrite, cacheWrite1h] = splitOf(usage);
  const usd = (...split) => costFor(withCache(usage, ...split), price).cost_usd;
  const recorded = usd(cached, cacheWrite, cacheWrite1h);
  if (recorded === null) return null;
  const readsPlain = usd(0, cacheWrite, cacheWrite1h);
  const hourPlain = usd(cached, cacheWrite - cacheWrite1h, 0);
  const writesPlain = usd(cached, 0, 0);
  return {
    read_saved_usd: difference(readsPlain, recorded),
    write_extra_5m_usd: difference(hourPlain, writesPlain),
    write_extra_1h_usd: difference(recorded, hourPlain),
  };
}

function difference(more, less) {
  const d = more - less;
  return Math.abs(d) <= NOISE * Math.max(Math.abs(more), Math.abs(less)) ? 0 : d;
}

function emptyGroup() {
  return { requests: 0, unpriced: 0, tokens: [0, 0, 0, 0], amounts: [0, 0, 0] };
}

function addTo(group, tokens, saved, unpriced) {
  group.requests += 1;
  group.unpriced += unpriced ? 1 : 0;
  tokens.forEach((n, i) => { group.tokens[i] += n; });
  if (saved) AMOUNTS.forEach((name, i) => { group.amounts[i] += saved[name]; });
}

function groupOut(group) {
  const out = { requests: group.requests };
  TOKENS.forEach((name, i) => { out[name] = group.tokens[i]; });
  AMOUNTS.forEach((name, i) => { out[name] = group.amounts[i]; });
  const [read, write5m, write1h] = group.amounts;
  out.net_saved_usd = read - write5m - write1h;
  out.hit_rate = group.tokens[0] ? group.tokens[1] / group.tokens[0] : null;
  out.unpriced_requests = group.unpriced;
  return out;
}

const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Most saved first, then most input, then by name: the order savings.py gives. */
function ranked(groups, names) {
  const rows = [...groups.values()].map(({ key, group }) => ({ key, out: groupOut(group) }));
  rows.sort((a, b) => b.out.net_saved_usd - a.out.net_saved_usd || b.out.input_tokens - a.out.input_tokens
    || a.key.reduce((order, part, i) => order || compare(part, b.key[i]), 0));
  return rows.map(({ key, out }) => ({ ...Object.fromEntries(names.map((name, i) => [name, key[i]])), ...out }));
}

/**
 * Fed request records one at a time (`add(record)`: usage, prices, provider, model), `result()` gives
 * {summary, by_provider, by_model}: savings.py's CacheSavings. A record is priced at the entry it was recorded with.
 */
export function cacheSavings() {
  const summary = emptyGroup();
  const byProvider = new Map();
  const byModel = new Map();
  const groupAt = (groups, key) => {
    const id = JSON.stringify(key);
    if (!groups.has(id)) groups.set(id, { key, group: emptyGroup() });
    return groups.get(id).group;
  };
  return {
    add(record) {
      const { usage } = record;
      if (!usage) return; // nothing was read or written: no request to count
      const [cached, cacheWrite, cacheWrite1h] = splitOf(usage);
      const saved = requestSavings(usage, record.prices ?? null);
      const unpriced = saved === null && cached + cacheWrite > 0;
      const tokens = [usage.prompt_tokens, cached, cacheWrite, cacheWrite1h];
      const provider = record.provider || NO_PROVIDER;
      for (const group of [summary, groupAt(byProvider, [provider]), groupAt(byModel, [provider, record.model])]) {
        addTo(group, tokens, saved, unpriced);
      }
    },
    result() {
      return { summary: groupOut(summary), by_provider: ranked(byProvider, ["provider"]), by_model: ranked(byModel, ["provider", "model"]) };
    },
  };
}
