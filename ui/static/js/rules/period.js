// Pure: the figures of the Costs and Tokens pages from DAY ROLLUPS (never raw records): a month's days, a
// range's KPI tiles and breakdowns, and its trend in zero-filled hour/day/week buckets on the person's clock.
// Field names and ordering follow aggregate.js (the rule shared with Python), so a range reads the same as
// /api/analytics/llm; tests/js/period.test.mjs checks the two agree on the same records.
import { GRANULARITIES, bucketLabel, bucketStart, compareText, localMidnight, localParts, nextBucket, tenth } from "./aggregate.js";
import { pad } from "./keys.js";
import { NO_PROVIDER, emptyCounters, mergeHistograms, percentileFromHistogram } from "./counters.js";

export const RANGES = ["7d", "30d", "90d", "month"];
export const RANGE_LABELS = { "7d": "7d", "30d": "30d", "90d": "90d", month: "This month" };
export { GRANULARITIES }; // the trend offers the buckets aggregate.js knows

export function isoDate(year, month, day) {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

function dateParts(date) {
  return date.split("-").map(Number);
}

/** `date` + n days, as YYYY-MM-DD (calendar arithmetic, no clock involved). */
export function addDays(date, days) {
  const [y, m, d] = dateParts(date);
  const moved = new Date(Date.UTC(y, m - 1, d + days));
  return isoDate(moved.getUTCFullYear(), moved.getUTCMonth() + 1, moved.getUTCDate());
}

/** Every date from `first` to `last`, both included. */
export function datesBetween(first, last) {
  const dates = [];
  for (let date = first; date <= last; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/** `YYYY-MM` → every date of that month. */
export function monthDates(month) {
  const [y, m] = month.split("-").map(Number);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return datesBetween(isoDate(y, m, 1), isoDate(y, m, days));
}

export function shiftMonth(month, by) {
  const [y, m] = month.split("-").map(Number);
  const moved = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${pad(moved.getUTCFullYear(), 4)}-${pad(moved.getUTCMonth() + 1)}`;
}

/** The dates a range covers, ending `today` (7d: today and the 6 days before; month: the whole month). */
export function rangeDates(range, today) {
  if (range === "month") return monthDates(today.slice(0, 7));
  const days = { "7d": 7, "30d": 30, "90d": 90 }[range];
  if (!days) throw new Error(`unknown range ${JSON.stringify(range)}: expected one of ${RANGES.join(", ")}`);
  return datesBetween(addDays(today, 1 - days), today);
}

function counters(entry) {
  return { ...emptyCounters(), ...entry };
}

function add(into, entry) {
  for (const name of Object.keys(into)) into[name] += entry[name] ?? 0;
  return into;
}

/** Rollup counters under aggregate.js's names. */
export function asTotals(c, histogram = null) {
  return {
    requests: c.requests, errors: c.errors, aborted: c.aborted,
    input_tokens: c.prompt_tokens, output_tokens: c.completion_tokens, cached_tokens: c.cached_tokens,
    cache_write_tokens: c.cache_write_tokens, reasoning_tokens: c.reasoning_tokens,
    cost_usd: c.cost_usd, unpriced_requests: c.unpriced_requests, estimated_requests: c.estimated_requests,
    ...(histogram ? { p50_ms: tenth(percentileFromHistogram(histogram, 0.5)), p95_ms: tenth(percentileFromHistogram(histogram, 0.95)) } : {}),
  };
}

// Most expensive first, then most used, then by name: aggregate.js's order.
function ranked(groups, nameField) {
  return [...groups.entries()]
    .sort(([a, x], [b, y]) => y.cost_usd - x.cost_usd || y.requests - x.requests || compareText(a, b))
    .map(([name, c]) => ({ [nameField]: name, ...asTotals(c) }));
}

/**
 * Day rollups (missing days are fine) → {summary (with p50/p95 from the merged histograms), providers, models
 * (distinct counts, "(none)" not a provider), by_model, by_provider}.
 */
export function summarize(rollups) {
  const total = emptyCounters();
  const byModel = new Map();
  const byProvider = new Map();
  const histograms = [];
  for (const day of rollups) {
    if (!day) continue;
    add(total, day);
    histograms.push(day.response_ms_histogram ?? {});
    for (const [name, entry] of Object.entries(day.by_model ?? {})) add(byModel.get(name) ?? byModel.set(name, emptyCounters()).get(name), entry);
    for (const [name, entry] of Object.entries(day.by_provider ?? {})) add(byProvider.get(name) ?? byProvider.set(name, emptyCounters()).get(name), entry);
  }
  return {
    summary: asTotals(total, mergeHistograms(histograms)),
    providers: [...byProvider.keys()].filter((p) => p !== NO_PROVIDER).length,
    models: byModel.size,
    by_model: ranked(byModel, "model"),
    by_provider: ranked(byProvider, "provider"),
  };
}

/** One day's row for the month list: totals, and its models and providers ranked. */
export function dayDetail(rollup) {
  const { summary, by_model, by_provider } = summarize([rollup]);
  return { ...summary, by_model, by_provider };
}

/**
 * The trend of `dates` in zero-filled buckets of `granularity` in `tz` (the clock the rollups were written on):
 * [{start_ms, bucket (label with offset), ...totals}]. Hours come from each day's by_hour; an hour repeated by a
 * DST fall-back is one rollup entry, shown once (in its first occurrence); a skipped hour has no bucket.
 */
export function trend(rollupsByDate, dates, granularity, tz) {
  if (!dates.length) return [];
  const [y0, m0, d0] = dateParts(dates[0]);
  const [y1, m1, d1] = dateParts(addDays(dates.at(-1), 1));
  const end = localMidnight(y1, m1, d1, tz);
  const buckets = [];
  for (let start = bucketStart(localMidnight(y0, m0, d0, tz), granularity, tz); start < end; start = nextBucket(start, granularity, tz)) {
    buckets.push({ start_ms: start, counters: emptyCounters() });
  }
  const index = new Map(buckets.map((b, i) => [b.start_ms, i]));
  const seenHours = new Set();
  if (granularity === "hour") {
    for (const bucket of buckets) {
      const p = localParts(bucket.start_ms, tz);
      const date = isoDate(p.year, p.month, p.day);
      const hour = pad(p.hour);
      if (seenHours.has(`${date}T${hour}`)) continue;
      seenHours.add(`${date}T${hour}`);
      const entry = rollupsByDate.get(date)?.by_hour?.[hour];
      if (entry) add(bucket.counters, entry);
    }
  } else {
    for (const date of dates) {
      const rollup = rollupsByDate.get(date);
      if (!rollup) continue;
      const [y, m, d] = dateParts(date);
      add(buckets[index.get(bucketStart(localMidnight(y, m, d, tz), granularity, tz))].counters, rollup);
    }
  }
  return buckets.map(({ start_ms, counters: c }) => ({ start_ms, bucket: bucketLabel(start_ms, tz), ...asTotals(c) }));
}

/** The rollup of a date, or a zero one: every day of a month is shown. */
export function dayOrZero(rollupsByDate, date) {
  return rollupsByDate.get(date) ?? { date, ...counters({}), response_ms_histogram: {}, by_model: {}, by_provider: {}, by_hour: {} };
}

/**
 * This month's spend against llms.json's budget: [{name, spent_usd, budget_usd, share, over}] for the overall
 * budget ("All providers") and each provider budget; [] when there is none.
 */
export function budgetUse(budget, monthSummary) {
  const rows = [];
  if (typeof budget?.monthly_usd === "number") {
    rows.push({ name: "All providers", spent_usd: monthSummary.summary.cost_usd, budget_usd: budget.monthly_usd });
  }
  for (const [provider, amount] of Object.entries(budget?.providers ?? {})) {
    const spent = monthSummary.by_provider.find((p) => p.provider === provider)?.cost_usd ?? 0;
    rows.push({ name: provider, spent_usd: spent, budget_usd: amount });
  }
  return rows.map((row) => ({
    ...row, share: row.budget_usd > 0 ? row.spent_usd / row.budget_usd : (row.spent_usd > 0 ? Infinity : 0),
    over: row.spent_usd > row.budget_usd,
  }));
}
