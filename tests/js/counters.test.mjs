import assert from "node:assert/strict";
import { test } from "node:test";
import {
  MAX_COST_USD, MAX_TOKENS, NO_PROVIDER, addRecord, addToDay, emptyCounters, histogramBucket, mergeInto, percentileFromHistogram,
  tokensOf,
} from "../../ui/static/js/rules/counters.js";

const usage = (prompt, completion, cached = 0, reasoning = 0, cacheWrite = 0) => ({
  prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: cached, cache_write_tokens: cacheWrite },
  completion_tokens_details: { reasoning_tokens: reasoning },
});

const ok = { model: "gpt-4o", provider: "openai", status: "ok", usage: usage(1200, 340, 1000, 120, 100),
  cost_usd: 0.0064, cost_provenance: "computed", response_ms: 2000 };
const failed = { model: "gpt-4o", provider: null, status: "error", usage: null, cost_usd: null, cost_provenance: null, response_ms: 150 };
const stopped = { model: "claude-haiku-4-5", provider: "anthropic", status: "aborted", usage: usage(50, 7),
  cost_usd: 0.000085, cost_provenance: "estimated", response_ms: 900 };
const unpriced = { model: "local", provider: "ollama", status: "ok", usage: usage(10, 20), cost_usd: null,
  cost_provenance: "unpriced", response_ms: 500 };

test("a record adds its request, tokens, cost and time to the counters", () => {
  assert.deepEqual(addRecord(emptyCounters(), ok), {
    requests: 1, errors: 0, aborted: 0, cost_usd: 0.0064, unpriced_requests: 0, estimated_requests: 0,
    prompt_tokens: 1200, completion_tokens: 340, cached_tokens: 1000, cache_write_tokens: 100, reasoning_tokens: 120,
    response_ms: 2000, response_ms_histogram: { [histogramBucket(2000)]: 1 },
  });
});

test("failed, stopped and unpriced requests count, and only known costs add up", () => {
  const totals = [ok, failed, stopped, unpriced].reduce(addRecord, undefined);
  assert.equal(totals.requests, 4);
  assert.equal(totals.errors, 1);
  assert.equal(totals.aborted, 1);
  assert.equal(totals.unpriced_requests, 1);
  assert.equal(totals.estimated_requests, 1);
  assert.equal(totals.cost_usd, 0.0064 + 0.000085);
  assert.equal(totals.prompt_tokens, 1260);
  assert.equal(totals.completion_tokens, 367);
  assert.equal(totals.response_ms, 3550);
});

test("a record without usage has zero tokens", () => {
  assert.deepEqual(tokensOf(null), { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 });
});

test("adding to the counters never changes the counters given", () => {
  const before = emptyCounters();
  addRecord(before, ok);
  assert.deepEqual(before, emptyCounters());
});

test("a day rollup splits the same totals by model, provider and hour, and the parts add up", () => {
  let day;
  day = addToDay(day, "2026-05-14", "09", ok);
  day = addToDay(day, "2026-05-14", "09", failed);
  day = addToDay(day, "2026-05-14", "17", stopped);
  assert.equal(day.date, "2026-05-14");
  assert.equal(day.requests, 3);
  assert.deepEqual(Object.keys(day.by_model).sort(), ["claude-haiku-4-5", "gpt-4o"]);
  assert.deepEqual(Object.keys(day.by_provider).sort(), [NO_PROVIDER, "anthropic", "openai"]);
  assert.equal(day.by_model["gpt-4o"].requests, 2);
  assert.equal(day.by_model["gpt-4o"].errors, 1);
  assert.equal(day.by_provider[NO_PROVIDER].errors, 1);
  assert.equal(day.by_hour["09"].requests, 2);
  assert.equal(day.by_hour["17"].completion_tokens, 7);
  for (const part of ["by_model", "by_provider", "by_hour"]) {
    const sum = Object.values(day[part]).reduce((a, c) => a + c.prompt_tokens, 0);
    assert.equal(sum, day.prompt_tokens, part);
  }
  assert.deepEqual(day.response_ms_histogram, { [histogramBucket(2000)]: 1, [histogramBucket(150)]: 1, [histogramBucket(900)]: 1 });
});

test("histogram buckets are an eighth of a doubling wide, and 0 under 1 ms", () => {
  assert.equal(histogramBucket(0.4), 0);
  assert.equal(histogramBucket(1), 0);
  assert.equal(histogramBucket(2), 8);
  assert.equal(histogramBucket(1024), 80);
  assert.equal(histogramBucket(2000), 87);
});

test("percentiles come from the nearest-rank bucket's midpoint", () => {
  const hist = { 80: 9, 88: 1 }; // nine near 1 s, one near 2 s
  assert.equal(percentileFromHistogram(hist, 0.5), 2 ** (80.5 / 8));
  assert.equal(percentileFromHistogram(hist, 0.9), 2 ** (80.5 / 8));
  assert.equal(percentileFromHistogram(hist, 0.95), 2 ** (88.5 / 8));
  assert.equal(percentileFromHistogram({}, 0.5), null);
});

test("histograms of several days merge by bucket", () => {
  const merged = mergeInto(emptyCounters(), { requests: 1, response_ms_histogram: { 80: 1, 81: 2 } });
  mergeInto(merged, { requests: 2, response_ms_histogram: { 81: 3 } });
  mergeInto(merged, { requests: 1 }); // a rollup entry written before histograms were kept per group
  assert.deepEqual([merged.requests, merged.response_ms_histogram], [4, { 80: 1, 81: 5 }]);
});

test("a cost no request can have is counted as unpriced, so sums stay finite", () => {
  const huge = { ...ok, cost_usd: 1.5e308 };
  const totals = [huge, huge, ok, { ...ok, cost_usd: Infinity }, { ...ok, cost_usd: NaN }, { ...ok, cost_usd: -1 }]
    .reduce(addRecord, undefined);
  assert.equal(totals.cost_usd, 0.0064);
  assert.equal(totals.unpriced_requests, 5);
  assert.equal(totals.requests, 6);
  assert.equal(addRecord(emptyCounters(), { ...ok, cost_usd: MAX_COST_USD }).cost_usd, MAX_COST_USD);
});

test("a token count no request can have (a record stored before the bound) adds nothing, so sums stay finite", () => {
  const huge = { ...ok, usage: usage(1e308, 1e308, 1e308, 1e308, 1e308) };
  const odd = { ...ok, usage: usage(Infinity, NaN, -1, "5", MAX_TOKENS + 1) };
  const totals = [huge, huge, ok, odd].reduce(addRecord, undefined);
  assert.deepEqual(
    [totals.prompt_tokens, totals.completion_tokens, totals.cached_tokens, totals.cache_write_tokens, totals.reasoning_tokens],
    [1200, 340, 1000, 100, 120]);
  assert.equal(totals.requests, 4);
  assert.deepEqual(tokensOf(usage(MAX_TOKENS, MAX_TOKENS, MAX_TOKENS, MAX_TOKENS, MAX_TOKENS)), {
    prompt_tokens: MAX_TOKENS, completion_tokens: MAX_TOKENS, cached_tokens: MAX_TOKENS, cache_write_tokens: MAX_TOKENS,
    reasoning_tokens: MAX_TOKENS,
  }, "at the bound: counted");
});
