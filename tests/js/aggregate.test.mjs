// The browser's aggregation against the vectors Python's llms/analytics.py also passes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { aggregate, parseQuery, QueryError, bucketLabel, localMidnight } from "../../ui/static/js/rules/aggregate.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/analytics.json", import.meta.url), "utf8"));

for (const vector of vectors.cases) {
  test(`aggregate: ${vector.name}`, () => {
    assert.deepEqual(aggregate(vector.records, parseQuery(vector.query)), vector.expected);
  });
}

for (const vector of vectors.errors) {
  test(`query refused: ${vector.name}`, () => {
    assert.throws(() => parseQuery(vector.query), (error) => error instanceof QueryError && error.param === vector.param);
  });
}

test("a skipped local midnight starts the day at the DST change (America/Santiago, 2026-09-06)", () => {
  const start = localMidnight(2026, 9, 6, "America/Santiago");
  assert.equal(bucketLabel(start, "America/Santiago"), "2026-09-06T01:00:00-03:00");
});
