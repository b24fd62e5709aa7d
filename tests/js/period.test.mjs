// Costs/Tokens figures from day rollups agree with aggregate.js (the rule shared with Python) on the same records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { aggregate, localParts, parseQuery } from "../../ui/static/js/rules/aggregate.js";
import { addToDay } from "../../ui/static/js/rules/counters.js";
import {
  addDays, budgetUse, change, changeText, countLatency, customRange, datesBetween, latencyRows, monthDates, previousDates, rangeDates, shiftMonth, summarize, trend,
} from "../../ui/static/js/rules/period.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/analytics.json", import.meta.url), "utf8"));
const pad = (n) => String(n).padStart(2, "0");

/** Day rollups of records on the clock of `tz`, as the store writes them on a machine in that zone. */
function rollupsIn(records, tz) {
  const days = new Map();
  for (const record of records) {
    const p = localParts(Date.parse(record.timestamp), tz);
    const date = `${p.year}-${pad(p.month)}-${pad(p.day)}`;
    days.set(date, addToDay(days.get(date), date, pad(p.hour), record));
  }
  return days;
}

const vector = (name) => vectors.cases.find((c) => c.name.startsWith(name));

/** Figures the pages show (period.js, under totalsOut's names) as aggregate.js names them (documentedOut), to compare
 * one with the other; the mean latency is not among what the pages show. */
const documented = ({ requests, cost_usd, input_tokens, output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,
  unpriced_requests, estimated_requests, p50_ms, p95_ms, errors, aborted, ...rest }) => ({
  ...rest, calls: requests, costUsd: cost_usd, inputTokens: input_tokens, outputTokens: output_tokens, errors, aborted,
  cachedTokens: cached_tokens, cacheWriteTokens: cache_write_tokens, reasoningTokens: reasoning_tokens,
  unpricedCalls: unpriced_requests, estimatedCalls: estimated_requests, p50Ms: p50_ms, p95Ms: p95_ms,
});
const withoutMean = ({ avgLatencyMs, ...rest }) => rest;
const asSummary = ({ totalCalls, totalCostUsd, totalInputTokens, totalOutputTokens, avgLatencyMs, avgCostPerCall, ...rest }) => ({
  calls: totalCalls, costUsd: totalCostUsd, inputTokens: totalInputTokens, outputTokens: totalOutputTokens, ...rest,
});

for (const name of ["daily buckets across the spring-forward day", "weeks start on Monday", "hourly buckets on the spring-forward day"]) {
  test(`rollups give aggregate.js's summary and trend: ${name}`, () => {
    const { records, query } = vector(name);
    const expected = aggregate(records, parseQuery(query));
    const days = rollupsIn(records, query.tz);
    const dates = datesBetween(query.from, query.to);
    const got = summarize(dates.map((d) => days.get(d)));
    assert.deepEqual(documented(got.summary), asSummary(expected.summary));
    assert.deepEqual(got.by_provider.map(documented), expected.byProvider.map(withoutMean), "p50/p95 per provider from the rollups' histograms too");
    const series = trend(days, dates, query.granularity, query.tz).map(({ start_ms, ...rest }) => documented(rest));
    assert.deepEqual(series, expected.byTime.map(withoutMean));
  });
}

test("a DST fall-back hour holds both of its hours once, in its first occurrence (the rollup has one 01)", () => {
  const { records, query } = vector("hourly buckets on the fall-back day in New York");
  const expected = aggregate(records, parseQuery(query));
  const days = rollupsIn(records, query.tz);
  const series = trend(days, ["2026-11-01"], "hour", query.tz);
  assert.equal(series.length, 25);
  assert.deepEqual(series.map((b) => b.bucket), expected.byTime.map((b) => b.bucket));
  const ones = expected.byTime.filter((b) => b.bucket.startsWith("2026-11-01T01:"));
  assert.equal(series[1].requests, ones[0].calls + ones[1].calls);
  assert.equal(series[2].requests, 0);
  assert.equal(series.reduce((n, b) => n + b.requests, 0), expected.summary.totalCalls);
});

test("distinct providers leave out requests no provider answered", () => {
  const day = addToDay(addToDay(undefined, "2026-05-01", "09", { model: "a", provider: null, status: "error", usage: null }),
    "2026-05-01", "10", { model: "b", provider: "openai", status: "ok", usage: null, cost_usd: 0.5, cost_provenance: "computed", response_ms: 100 });
  const got = summarize([day, undefined]);
  assert.equal(got.providers, 1);
  assert.equal(got.models, 2);
  assert.equal(got.summary.errors, 1);
  assert.equal(got.summary.p50_ms, got.summary.p95_ms);
});

test("calendar helpers: months, ranges, leap days", () => {
  assert.equal(monthDates("2028-02").length, 29);
  assert.equal(monthDates("2026-02").at(-1), "2026-02-28");
  assert.equal(shiftMonth("2026-01", -1), "2025-12");
  assert.equal(shiftMonth("2026-12", 1), "2027-01");
  assert.deepEqual(rangeDates("7d", "2026-03-02"), ["2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
  assert.equal(rangeDates("90d", "2026-05-14").length, 90);
  assert.equal(rangeDates("month", "2026-05-14").length, 31);
  assert.equal(addDays("2026-12-31", 1), "2027-01-01");
});

test("budget use: overall and per provider, over when spent passes the budget", () => {
  const month = { summary: { cost_usd: 60 }, by_provider: [{ provider: "openai", cost_usd: 15 }] };
  assert.deepEqual(budgetUse({ monthly_usd: 50, providers: { openai: 20, groq: 5 } }, month), [
    { name: "All providers", spent_usd: 60, budget_usd: 50, share: 1.2, over: true },
    { name: "openai", spent_usd: 15, budget_usd: 20, share: 0.75, over: false },
    { name: "groq", spent_usd: 0, budget_usd: 5, share: 0, over: false },
  ]);
  assert.deepEqual(budgetUse({ providers: {} }, month), []);
});

test("the previous period is as long as the range and ends the day before it", () => {
  assert.deepEqual(previousDates(rangeDates("7d", "2026-03-02")), ["2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23"]);
  const march = rangeDates("month", "2026-03-10");
  assert.deepEqual([previousDates(march)[0], previousDates(march).at(-1), previousDates(march).length], ["2026-01-29", "2026-02-28", 31]);
});

test("a KPI change is up, down or the same against the previous period, and none from an empty one", () => {
  assert.deepEqual(change(3, 2), { direction: "up", percent: 50 });
  assert.deepEqual(change(0, 4), { direction: "down", percent: 100 });
  assert.deepEqual(change(2, 2), { direction: "same", percent: 0 });
  assert.equal(change(5, 0), null);
  assert.equal(change(0, 0), null);
  assert.equal(changeText(change(3, 2)), "▲ 50 %");
  assert.equal(changeText(change(1, 3)), "▼ 66.7 %");
  assert.equal(changeText(change(7, 2)), "▲ 250 %");
  assert.equal(changeText(change(2, 2)), "= 0 %");
  assert.equal(changeText(change(1, 0)), "—");
});

test("the tiles' changes come from the same day rollups: cost and requests of two weeks", () => {
  const day = (date, cost) => addToDay(undefined, date, "09", { model: "m", provider: "p", status: "ok", usage: null, cost_usd: cost, cost_provenance: "computed", response_ms: 10 });
  const rollups = new Map([["2026-02-20", day("2026-02-20", 0.5)], ["2026-02-25", day("2026-02-25", 0.25)], ["2026-03-01", day("2026-03-01", 0.5)]]);
  const range = rangeDates("7d", "2026-03-02");
  const now = summarize(range.map((d) => rollups.get(d))).summary;
  const before = summarize(previousDates(range).map((d) => rollups.get(d))).summary;
  assert.equal(changeText(change(now.cost_usd, before.cost_usd)), "▲ 50 %");
  assert.equal(changeText(change(now.requests, before.requests)), "▲ 100 %");
});

test("latency per model: p50/p95 of response time and TTFT from the records, the tiles' buckets", () => {
  const records = [
    { model: "a", response_ms: 1000, ttft_ms: 200 }, { model: "a", response_ms: 2000, ttft_ms: null },
    { model: "a", response_ms: 4000, ttft_ms: 400 }, { model: "b", response_ms: null, ttft_ms: null },
    { model: "c", response_ms: 500, ttft_ms: null },
  ];
  const byModel = new Map();
  for (const record of records) countLatency(byModel, record);
  assert.deepEqual(latencyRows(byModel), [
    { model: "a", timed: 3, p50_ms: 1961.2, p95_ms: 3922.3, streamed: 2, p50_ttft_ms: 206.1, p95_ttft_ms: 412.3 },
    { model: "c", timed: 1, p50_ms: 490.3, p95_ms: 490.3, streamed: 0, p50_ttft_ms: null, p95_ttft_ms: null },
  ]);
  // The same records in a day rollup give the same response percentiles per model as the tiles and breakdowns.
  let day;
  for (const record of records) day = addToDay(day, "2026-05-01", "09", { ...record, provider: "p", status: "ok", usage: null });
  const a = summarize([day]).by_model.find((g) => g.model === "a");
  assert.deepEqual([a.p50_ms, a.p95_ms], [1961.2, 3922.3]);
});

test("a custom range is two calendar dates in order, up to today; anything else says what was wrong", () => {
  assert.deepEqual(customRange("2026-02-27", "2026-03-02", "2026-05-14"), { range: "2026-02-27..2026-03-02" });
  assert.deepEqual(rangeDates("2026-02-27..2026-03-02", "2026-05-14"), ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
  assert.deepEqual(customRange("2026-05-10", "2026-06-30", "2026-05-14"), { range: "2026-05-10..2026-05-14" });
  assert.deepEqual(customRange("2026-02-30", "2026-03-02", "2026-05-14"), { problem: 'from="2026-02-30" is not a date (YYYY-MM-DD)' });
  assert.deepEqual(customRange("2026-03-01", "", "2026-05-14"), { problem: 'to="" is not a date (YYYY-MM-DD)' });
  assert.deepEqual(customRange("2026-03-02", "2026-03-01", "2026-05-14"), { problem: "from 2026-03-02 is after to 2026-03-01" });
  assert.deepEqual(customRange("2026-06-01", "2026-06-02", "2026-05-14"), { problem: "from 2026-06-01 is after today (2026-05-14)" });
  assert.deepEqual(customRange("2024-01-01", "2026-05-14", "2026-05-14"), { problem: "2024-01-01 to 2026-05-14 is 865 days; a custom range holds at most 367" });
  assert.deepEqual(previousDates(rangeDates("2026-03-01..2026-03-03", "2026-05-14")), ["2026-02-26", "2026-02-27", "2026-02-28"]);
});
