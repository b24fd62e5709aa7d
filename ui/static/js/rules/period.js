// Pure: the figures of the Costs and Tokens pages from DAY ROLLUPS (never raw records): a month's days, a
// range's KPI tiles and breakdowns, and its trend in zero-filled hour/day/week buckets on the person's clock.
// The rollups hold counters.js's counters; they are summed, ranked, zero-filled and named by aggregate.js (the rule
// shared with Python), so a range reads the same as /api/analytics/llm; tests/js/period.test.mjs checks it.
import {
  GRANULARITIES, bucketStart, group, localMidnight, localParts, nextBucket, ranked, totalsOut, zeroFilled,
  tenth,
} from "./aggregate.js";
import { pad } from "./keys.js";
import { NO_PROVIDER, emptyCounters, emptyDay, histogramBucket, mergeInto, percentileFromHistogram } from "./counters.js";

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

/** The longest custom range: a year and a day, so a leap year's whole calendar year fits. */
export const MAX_CUSTOM_DAYS = 367;
const CUSTOM_RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;
const isCalendarDate = (text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && addDays(text, 0) === text; // 2026-02-30 is not

/**
 * ?from=YYYY-MM-DD&to=YYYY-MM-DD → {range: "from..to"} (a range rangeDates reads), or {problem} saying what was wrong
 * with them, for the page to fall back to a preset with that note.
 */
export function customRange(from, to, today) {
  for (const [name, value] of [["from", from], ["to", to]]) {
    if (!isCalendarDate(value)) return { problem: `${name}=${JSON.stringify(value)} is not a date (YYYY-MM-DD)` };
  }
  if (from > to) return { problem: `from ${from} is after to ${to}` };
  if (from > today) return { problem: `from ${from} is after today (${today})` };
  const last = to > today ? today : to; // nothing is recorded after today: the range stops there
  const days = datesBetween(from, last).length;
  if (days > MAX_CUSTOM_DAYS) return { problem: `${from} to ${last} is ${days} days; a custom range holds at most ${MAX_CUSTOM_DAYS}` };
  return { range: `${from}..${last}` };
}

/** The dates a range covers, ending `today` (7d: today and the 6 days before; month: the whole month; "from..to": those). */
export function rangeDates(range, today) {
  const custom = CUSTOM_RANGE.exec(range);
  if (custom) return datesBetween(custom[1], custom[2]);
  if (range === "month") return monthDates(today.slice(0, 7));
  const days = { "7d": 7, "30d": 30, "90d": 90 }[range];
  if (!days) throw new Error(`unknown range ${JSON.stringify(range)}: expected one of ${RANGES.join(", ")}`);
  return datesBetween(addDays(today, 1 - days), today);
}

/** The period just before `dates` and as long (30 days → the 30 days before them): what the KPI tiles compare with. */
export function previousDates(dates) {
  return datesBetween(addDays(dates[0], -dates.length), addDays(dates[0], -1));
}

/**
 * The change of a figure from the previous period to this one: {direction: "up" | "down" | "same", percent (≥ 0)},
 * or null when the previous period has nothing of it (no base: a change from 0 is no percentage).
 */
export function change(current, previous) {
  if (!(previous > 0)) return null;
  const ratio = (current - previous) / previous;
  return { direction: ratio > 0 ? "up" : ratio < 0 ? "down" : "same", percent: Math.abs(ratio) * 100 };
}

const ARROWS = { up: "▲", down: "▼", same: "=" };

/** A change as a tile shows it: "▲ 12.5 %", "▼ 100 %", "= 0 %"; "—" when there is no previous figure to compare. */
export function changeText(delta) {
  if (!delta) return "—";
  const percent = Number(delta.percent.toFixed(delta.percent >= 100 ? 0 : 1));
  return `${ARROWS[delta.direction]} ${percent} %`;
}

/** Counts the entries of `entries` ({name: counters}) into the groups of `groups`. */
function mergeGroups(groups, entries) {
  for (const [name, entry] of Object.entries(entries ?? {})) mergeInto(group(groups, name), entry);
}

/**
 * Day rollups (missing days are fine) → {summary, providers, models (distinct counts, "(none)" not a provider),
 * by_model, by_provider}: the rollups' counters summed and ranked by aggregate.js's rule, p50/p95 included.
 */
export function summarize(rollups) {
  const total = emptyCounters();
  const byModel = new Map();
  const byProvider = new Map();
  for (const day of rollups) {
    if (!day) continue;
    mergeInto(total, day);
    mergeGroups(byModel, day.by_model);
    mergeGroups(byProvider, day.by_provider);
  }
  return {
    summary: totalsOut(total),
    providers: [...byProvider.keys()].filter((p) => p !== NO_PROVIDER).length,
    models: byModel.size,
    by_model: ranked(byModel).map(([model, c]) => ({ model, ...totalsOut(c) })),
    by_provider: ranked(byProvider).map(([provider, c]) => ({ provider, ...totalsOut(c) })),
  };
}

/** One day's row for the month list: totals, and its models and providers ranked. */
export function dayDetail(rollup) {
  const { summary, by_model, by_provider } = summarize([rollup]);
  return { ...summary, by_model, by_provider };
}

/**
 * The trend of `dates` in zero-filled buckets of `granularity` in `tz` (the clock the rollups were written on):
 * [{start_ms, bucket (label with offset), ...totals}], aggregate.js's buckets. Hours come from each day's by_hour;
 * an hour repeated by a DST fall-back is one rollup entry, shown once (in its first occurrence); a skipped hour
 * has no bucket.
 */
export function trend(rollupsByDate, dates, granularity, tz) {
  if (!dates.length) return [];
  const [y0, m0, d0] = dateParts(dates[0]);
  const [y1, m1, d1] = dateParts(addDays(dates.at(-1), 1));
  const start = localMidnight(y0, m0, d0, tz);
  const end = localMidnight(y1, m1, d1, tz);
  const byTime = new Map();
  if (granularity === "hour") {
    const seenHours = new Set();
    for (let hourMs = start; hourMs < end; hourMs = nextBucket(hourMs, "hour", tz)) {
      const p = localParts(hourMs, tz);
      const hour = `${isoDate(p.year, p.month, p.day)}T${pad(p.hour)}`;
      if (seenHours.has(hour)) continue;
      seenHours.add(hour);
      const entry = rollupsByDate.get(hour.slice(0, 10))?.by_hour?.[hour.slice(11)];
      if (entry) mergeInto(group(byTime, hourMs), entry);
    }
  } else {
    for (const date of dates) {
      const rollup = rollupsByDate.get(date);
      if (rollup) mergeInto(group(byTime, bucketStart(localMidnight(...dateParts(date), tz), granularity, tz)), rollup);
    }
  }
  return zeroFilled(byTime, start, end, granularity, tz);
}

/** The rollup of a date, or a zero one: every day of a month is shown. */
export function dayOrZero(rollupsByDate, date) {
  return rollupsByDate.get(date) ?? emptyDay(date);
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

// ---- latency per model (the Latency section) ----
// Day rollups keep no time to first token, so the section counts the range's records, into counters.js's histogram
// buckets: memory stays bounded however many requests, and a model's p50/p95 response matches the tiles' rule.

const addToHistogram = (histogram, ms) => {
  const bucket = histogramBucket(ms);
  histogram[bucket] = (histogram[bucket] ?? 0) + 1;
};

/** Counts one record's response time and TTFT (each when measured) into its model's entry of `byModel` (a Map). */
export function countLatency(byModel, record) {
  if (record.response_ms == null && record.ttft_ms == null) return;
  let entry = byModel.get(record.model);
  if (!entry) {
    entry = { timed: 0, streamed: 0, response_ms_histogram: {}, ttft_ms_histogram: {} };
    byModel.set(record.model, entry);
  }
  if (record.response_ms != null) {
    entry.timed += 1;
    addToHistogram(entry.response_ms_histogram, record.response_ms);
  }
  if (record.ttft_ms != null) {
    entry.streamed += 1;
    addToHistogram(entry.ttft_ms_histogram, record.ttft_ms);
  }
}

const quantiles = (histogram) => [tenth(percentileFromHistogram(histogram, 0.5)), tenth(percentileFromHistogram(histogram, 0.95))];

/**
 * `byModel` (countLatency's) → [{model, timed, p50_ms, p95_ms, streamed, p50_ttft_ms, p95_ttft_ms}], most timed
 * requests first, then by name; a percentile is null when no request of the model measured it.
 */
export function latencyRows(byModel) {
  return [...byModel].map(([model, entry]) => {
    const [p50_ms, p95_ms] = quantiles(entry.response_ms_histogram);
    const [p50_ttft_ms, p95_ttft_ms] = quantiles(entry.ttft_ms_histogram);
    return { model, timed: entry.timed, p50_ms, p95_ms, streamed: entry.streamed, p50_ttft_ms, p95_ttft_ms };
  }).sort((a, b) => b.timed - a.timed || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
}
