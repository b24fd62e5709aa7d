// Pure: request records → summary, by model, by provider and zero-filled time buckets in an IANA time zone, under
// the documented names of /api/analytics/llm (AgentLens's summary.totalCalls …, byModel[], byTime[], and llms's
// extras in camelCase: docs/contracts.md). The twin of llms/ledger/analytics.py's documented_result (its docstring
// states the rules); both pass tests/vectors/analytics.json. Day rollups are shown through totalsOut (period.js).
// Works in the browser and in node (time zones through Intl). Records are ledger lines or the store's
// request records: the fields read are timestamp, provider, model, endpoint, client, status, usage, cost_usd,
// cost_provenance and response_ms.
import { pad } from "./keys.js";
import { NO_PROVIDER, countInto, emptyCounters, mergeInto, percentileFromHistogram } from "./counters.js";

export const NO_ENDPOINT = "(none)"; // records without the endpoint they came in by (analytics.py NO_ENDPOINT)

export const GRANULARITIES = ["hour", "day", "week"];
export const MAX_BUCKETS = 10_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SLOT_MS = 900_000; // every UTC offset and DST change falls on a 15-minute boundary
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** A query parameter is unusable; `param` names it. */
export class QueryError extends Error {
  constructor(param, message) {
    super(`${param}: ${message}`);
    this.param = param;
  }
}

// ---- time zones through Intl ----

const formatters = new Map();
const offsetCache = new Map();

function formatter(tz) {
  let format = formatters.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formatters.set(tz, format);
  }
  return format;
}

/** Local wall-clock fields of an instant in `tz`. */
export function localParts(epochMs, tz) {
  const parts = {};
  for (const { type, value } of formatter(tz).formatToParts(new Date(epochMs))) parts[type] = Number(value);
  const ms = ((epochMs % 1000) + 1000) % 1000;
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second, ms };
}

/** The UTC offset (ms) in force at an instant. */
export function offsetMs(epochMs, tz) {
  const slot = `${tz} ${Math.floor(epochMs / SLOT_MS)}`;
  let offset = offsetCache.get(slot);
  if (offset === undefined) {
    const p = localParts(epochMs, tz);
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (epochMs - p.ms);
    offsetCache.set(slot, offset);
  }
  return offset;
}

/**
 * The instant of a local wall-clock time, as Python's zoneinfo with fold=0 (PEP 495): a time repeated by a
 * fall-back is its first occurrence; a time skipped by a spring-forward is read with the offset before the change.
 */
export function wallToEpoch(year, month, day, hour, minute, second, ms, tz) {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const before = offsetMs(wall - DAY_MS, tz);
  const after = offsetMs(wall + DAY_MS, tz);
  if (offsetMs(wall - before, tz) === before) return wall - before;
  if (offsetMs(wall - after, tz) === after) return wall - after;
  return wall - before;
}

/** The first instant of a local day. */
export function localMidnight(year, month, day, tz) {
  return wallToEpoch(year, month, day, 0, 0, 0, 0, tz);
}

function addDays(year, month, day, days) {
  const moved = new Date(Date.UTC(year, month - 1, day + days));
  return [moved.getUTCFullYear(), moved.getUTCMonth() + 1, moved.getUTCDate()];
}

export function bucketStart(epochMs, granularity, tz) {
  const p = localParts(epochMs, tz);
  if (granularity === "hour") return epochMs - (p.minute * 60_000 + p.second * 1000 + p.ms);
  let date = [p.year, p.month, p.day];
  if (granularity === "week") {
    const mondayBased = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
    date = addDays(p.year, p.month, p.day, -mondayBased);
  }
  return localMidnight(...date, tz);
}

export function nextBucket(startMs, granularity, tz) {
  if (granularity === "hour") return bucketStart(startMs + HOUR_MS, "hour", tz);
  const p = localParts(startMs, tz);
  return localMidnight(...addDays(p.year, p.month, p.day, granularity === "week" ? 7 : 1), tz);
}

/** `2026-03-29T03:00:00+02:00`: local time with its offset, to the second (Python's isoformat). */
export function bucketLabel(epochMs, tz) {
  const p = localParts(epochMs, tz);
  const offsetMin = Math.round(offsetMs(epochMs, tz) / 60_000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`
    + `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// ---- query ----

function checkZone(tz) {
  try {
    formatter(tz);
  } catch {
    throw new QueryError("tz", `unknown time zone ${JSON.stringify(tz)}; use an IANA name like Europe/Berlin`);
  }
  return tz;
}

function boundary(param, text, tz, end) {
  if (!text) return null;
  const match = LOCAL_TIME.exec(text);
  if (!match) {
    throw new QueryError(param, `expected an ISO 8601 time like 2026-11-01T09:00:00+01:00 or a date like 2026-11-01, got ${JSON.stringify(text)}`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v)));
  const ms = Math.floor(Number((match[7] ?? "0").padEnd(6, "0")) / 1000);
  const real = new Date(Date.UTC(year, month - 1, day, hour ?? 0, minute ?? 0, second ?? 0));
  if (real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day || (hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) {
    throw new QueryError(param, `${JSON.stringify(text)} is not a real time`);
  }
  if (hour === undefined) return localMidnight(...(end ? addDays(year, month, day, 1) : [year, month, day]), tz);
  const offset = match[8];
  if (offset === undefined) return wallToEpoch(year, month, day, hour, minute, second ?? 0, ms, tz);
  const offsetMin = offset === "Z" ? 0 : (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return Date.UTC(year, month - 1, day, hour, minute, second ?? 0, ms) - offsetMin * 60_000;
}

/** A query from string parameters {from, to, granularity, tz, provider, model, client}; throws QueryError. */
export function parseQuery(params, defaultTz = "UTC") {
  const tz = params.tz ? checkZone(params.tz) : defaultTz;
  const granularity = params.granularity || "day";
  if (!GRANULARITIES.includes(granularity)) {
    throw new QueryError("granularity", `expected one of ${GRANULARITIES.join(", ")}, got ${JSON.stringify(granularity)}`);
  }
  const startMs = boundary("from", params.from, tz, false);
  const endMs = boundary("to", params.to, tz, true);
  if (startMs !== null && endMs !== null && endMs < startMs) {
    throw new QueryError("to", `${JSON.stringify(params.to)} is before from=${JSON.stringify(params.from)}`);
  }
  const query = {
    startMs, endMs, granularity, tz,
    provider: params.provider || null, model: params.model || null, client: params.client || null,
  };
  if (startMs !== null && endMs !== null) {
    const unitMs = { hour: HOUR_MS, day: DAY_MS, week: 7 * DAY_MS }[granularity];
    if ((endMs - startMs) / unitMs > MAX_BUCKETS) {
      throw new QueryError("granularity", `the range holds more than ${MAX_BUCKETS.toLocaleString("en-US")} ${granularity} buckets: choose a coarser granularity or a shorter range`);
    }
  }
  return query;
}

// ---- aggregation ----

/** A time in ms to a tenth, rounded half up (analytics.py rounds p50/p95 the same way). */
export const tenth = (value) => (value === null ? null : Math.floor(value * 10 + 0.5) / 10);

/** Counters (counters.js) as the Costs and Tokens pages read them, with p50/p95 from the histogram. */
export function totalsOut(c) {
  const histogram = c.response_ms_histogram ?? {};
  return {
    requests: c.requests, errors: c.errors, aborted: c.aborted,
    input_tokens: c.prompt_tokens, output_tokens: c.completion_tokens, cached_tokens: c.cached_tokens,
    cache_write_tokens: c.cache_write_tokens, reasoning_tokens: c.reasoning_tokens,
    cost_usd: c.cost_usd, unpriced_requests: c.unpriced_requests, estimated_requests: c.estimated_requests,
    p50_ms: tenth(percentileFromHistogram(histogram, 0.5)),
    p95_ms: tenth(percentileFromHistogram(histogram, 0.95)),
  };
}

/**
 * Counters under AgentLens's names (calls, costUsd, inputTokens, outputTokens, avgLatencyMs: the mean response_ms to
 * 0.1 ms over the timed requests, 0 without one), then llms's figures in camelCase: analytics.py Totals.documented.
 */
export function documentedOut(c) {
  const histogram = c.response_ms_histogram ?? {};
  const timed = Object.values(histogram).reduce((sum, n) => sum + n, 0); // every timed request is in the histogram
  return {
    calls: c.requests, costUsd: c.cost_usd, inputTokens: c.prompt_tokens, outputTokens: c.completion_tokens,
    avgLatencyMs: timed ? tenth(c.response_ms / timed) : 0,
    errors: c.errors, aborted: c.aborted, cachedTokens: c.cached_tokens, cacheWriteTokens: c.cache_write_tokens,
    reasoningTokens: c.reasoning_tokens, unpricedCalls: c.unpriced_requests, estimatedCalls: c.estimated_requests,
    p50Ms: tenth(percentileFromHistogram(histogram, 0.5)), p95Ms: tenth(percentileFromHistogram(histogram, 0.95)),
  };
}

/** AgentLens's summary (totalCalls, totalCostUsd, totalInputTokens, totalOutputTokens, avgLatencyMs, avgCostPerCall:
 * 0 without calls), then the extras of documentedOut: analytics.py documented_summary. */
export function documentedSummary(c) {
  const { calls, costUsd, inputTokens, outputTokens, avgLatencyMs, ...extras } = documentedOut(c);
  return {
    totalCalls: calls, totalCostUsd: costUsd, totalInputTokens: inputTokens, totalOutputTokens: outputTokens, avgLatencyMs,
    avgCostPerCall: calls ? costUsd / calls : 0, ...extras,
  };
}

/** The counters of `key` in `groups`, new ones when it has none yet. */
export function group(groups, key) {
  let totals = groups.get(key);
  if (!totals) {
    totals = emptyCounters();
    groups.set(key, totals);
  }
  return totals;
}

/** Plain string order (code units), as Python compares str. */
export const compareText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Groups [key, counters], most expensive first, then most used, then by `names(key)`: the order both languages produce. */
export function ranked(groups, names = (key) => [key]) {
  return [...groups.entries()].sort(([keyA, a], [keyB, b]) => (
    b.cost_usd - a.cost_usd || b.requests - a.requests
    || names(keyA).reduce((order, name, i) => order || compareText(name, names(keyB)[i]), 0)));
}

/** Whether a record passes the query's filters (null: none); `model` is the alias or the provider model
 * (llms/ledger/analytics.py `matches`: the same rule for --report -m and /api/analytics/llm?model=). */
export function matches(record, { provider = null, model = null, client = null }) {
  return (provider === null || record.provider === provider)
    && (model === null || record.model === model || record.provider_model === model)
    && (client === null || record.client === client);
}

/**
 * Feed records one at a time with add(), then result(). Each record is added to one cell (provider, model,
 * endpoint, bucket); result() merges the cells in the order first seen, as llms/analytics.py does.
 */
export class Aggregator {
  constructor(query) {
    this.query = query;
    this.cells = new Map();
    this.slots = new Map();
    this.firstMs = null;
    this.lastMs = null;
  }

  add(record) {
    const q = this.query;
    if (!matches(record, q)) return;
    const epochMs = Date.parse(record.timestamp);
    if ((q.startMs !== null && epochMs < q.startMs) || (q.endMs !== null && epochMs >= q.endMs)) return;
    if (this.firstMs === null) {
      this.firstMs = epochMs;
      this.lastMs = epochMs;
    } else if (epochMs < this.firstMs) this.firstMs = epochMs;
    else if (epochMs > this.lastMs) this.lastMs = epochMs;
    const slot = Math.floor(epochMs / SLOT_MS);
    let bucketMs = this.slots.get(slot);
    if (bucketMs === undefined) {
      bucketMs = bucketStart(epochMs, q.granularity, q.tz);
      this.slots.set(slot, bucketMs);
    }
    const provider = record.provider || NO_PROVIDER;
    const endpoint = record.endpoint || NO_ENDPOINT;
    const key = `${provider}\u0000${record.model}\u0000${endpoint}\u0000${bucketMs}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = { provider, model: record.model, endpoint, bucketMs, totals: emptyCounters() };
      this.cells.set(key, cell);
    }
    countInto(cell.totals, record);
  }

  result() {
    const summary = emptyCounters();
    const byModel = new Map();
    const byProvider = new Map();
    const byTime = new Map();
    const byEndpoint = new Map();
    for (const { provider, model, endpoint, bucketMs, totals } of this.cells.values()) {
      mergeInto(summary, totals);
      mergeInto(group(byModel, `${provider}\u0000${model}`), totals);
      mergeInto(group(byProvider, provider), totals);
      mergeInto(group(byTime, bucketMs), totals);
      mergeInto(group(byEndpoint, endpoint), totals);
    }
    return {
      summary: documentedSummary(summary),
      byModel: ranked(byModel, (key) => key.split("\u0000")).map(([key, totals]) => {
        const [provider, model] = key.split("\u0000");
        return { provider, model, ...documentedOut(totals) };
      }),
      byProvider: ranked(byProvider).map(([provider, totals]) => ({ provider, ...documentedOut(totals) })),
      byEndpoint: ranked(byEndpoint).map(([endpoint, totals]) => ({ endpoint, ...documentedOut(totals) })),
      byTime: this.series(byTime).map(({ start_ms, ...bucket }) => bucket),
    };
  }

  series(byTime) {
    const q = this.query;
    const start = q.startMs ?? this.firstMs;
    const end = q.endMs ?? (this.lastMs === null ? null : this.lastMs + 1);
    if (start === null || end === null || start >= end) return [];
    return zeroFilled(byTime, start, end, q.granularity, q.tz, documentedOut);
  }
}

/**
 * Every bucket of `granularity` in `tz` from the one holding `startMs` up to `endMs`, with the counters
 * `byTime` holds for its start (ms), zeros for a bucket without requests: [{start_ms, bucket, ...out(counters)}].
 */
export function zeroFilled(byTime, startMs, endMs, granularity, tz, out = totalsOut) {
  const series = [];
  for (let cursor = bucketStart(startMs, granularity, tz); cursor < endMs; cursor = nextBucket(cursor, granularity, tz)) {
    series.push({ start_ms: cursor, bucket: bucketLabel(cursor, tz), ...out(byTime.get(cursor) ?? emptyCounters()) });
  }
  return series;
}

/** Aggregate an iterable of records for a query made by parseQuery. */
export function aggregate(records, query) {
  const aggregator = new Aggregator(query);
  for (const record of records) aggregator.add(record);
  return aggregator.result();
}
