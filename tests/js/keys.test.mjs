import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ALL_REQUESTS, dayKey, isoWithOffset, localDate, messageKey, messageRange, monthRange, requestKey, requestKeyTime,
  requestRange,
} from "../../ui/static/js/rules/keys.js";

// Local-time rules are checked in a zone with DST; node applies a TZ set at run time.
process.env.TZ = "Europe/Berlin";

test("request keys sort in time order, also across digit-count changes", () => {
  const keys = [requestKey(999, "b"), requestKey(1_700_000_000_000, "a"), requestKey(10_000, "c")];
  assert.deepEqual([...keys].sort(), [requestKey(999, "b"), requestKey(10_000, "c"), requestKey(1_700_000_000_000, "a")]);
  assert.equal(requestKey(1_715_671_812_345, "id-1"), "req:1715671812345:id-1");
  assert.equal(requestKeyTime("req:1715671812345:id-1"), 1_715_671_812_345);
});

test("a request key refuses a time that is not a whole non-negative number of ms", () => {
  assert.throws(() => requestKey(1.5, "x"), /integer ≥ 0, got 1.5/);
  assert.throws(() => requestKey(-1, "x"), /got -1/);
});

test("every request key falls between the all-requests bounds and other prefixes do not", () => {
  const [lower, upper] = ALL_REQUESTS;
  for (const key of [requestKey(0, "x"), requestKey(9_999_999_999_999, "zzzz")]) assert.ok(key > lower && key < upper);
  for (const key of ["day:2026-01-01", "search:00000000", "thread:x", "msg:x:000000"]) {
    assert.ok(!(key >= lower && key <= upper), key);
  }
});

test("a request range holds exactly the keys in [start, end)", () => {
  const [lower, upper] = requestRange(1000, 2000);
  assert.ok(requestKey(1000, "a") >= lower);
  assert.ok(requestKey(1999, "zzz") < upper);
  assert.ok(requestKey(2000, "a") >= upper);
  assert.ok(requestKey(999, "zzz") < lower);
});

test("local dates and ISO timestamps use the local zone", () => {
  const justAfterUtcMidnight = new Date(Date.UTC(2026, 4, 13, 22, 30, 0, 5)); // 00:30 CEST on the 14th
  assert.equal(localDate(justAfterUtcMidnight), "2026-05-14");
  assert.equal(isoWithOffset(justAfterUtcMidnight), "2026-05-14T00:30:00.005+02:00");
  assert.equal(isoWithOffset(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 600))), "2026-01-02T04:04:05.600+01:00");
});

test("a month's request range runs from local midnight to local midnight, DST included", () => {
  const march = monthRange(2026, 3); // DST starts 2026-03-29: the month has 31 × 24 − 1 hours
  assert.deepEqual(march.requests, [
    `req:${String(Date.UTC(2026, 1, 28, 23)).padStart(13, "0")}`,
    `req:${String(Date.UTC(2026, 2, 31, 22)).padStart(13, "0")}`,
  ]);
  assert.deepEqual(march.days, ["day:2026-03-01", "day:2026-03-31"]);
});

test("isoWithOffset round-trips to the same instant in any zone", () => {
  const instant = new Date(Date.UTC(2026, 10, 1, 0, 59, 59, 999));
  assert.equal(new Date(isoWithOffset(instant)).getTime(), instant.getTime());
  assert.match(isoWithOffset(instant), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/);
});

test("december's range ends at the next year's first of January", () => {
  const december = monthRange(2026, 12);
  assert.equal(december.requests[1], `req:${String(new Date(2027, 0, 1).getTime()).padStart(13, "0")}`);
  assert.equal(dayKey("2026-12-31"), december.days[1]);
});

test("message keys keep a thread's messages together and in order", () => {
  const [lower, upper] = messageRange("t1");
  const keys = [messageKey("t1", 10), messageKey("t1", 2), messageKey("t10", 0), messageKey("t1", 0)];
  const inRange = keys.filter((k) => k >= lower && k <= upper).sort();
  assert.deepEqual(inRange, ["msg:t1:000000", "msg:t1:000002", "msg:t1:000010"]);
});
