// tests/vectors/cache_timeline.json through ui/static/js/rules/cache_timeline.js.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { CACHE_TTL_1H_MS, CACHE_TTL_MS, cacheTimeline, durationText, ttlAfter } from "../../ui/static/js/rules/cache_timeline.js";
import { assertClose } from "./vectors_close.mjs";

const { cases } = JSON.parse(readFileSync(new URL("../vectors/cache_timeline.json", import.meta.url), "utf8"));

for (const c of cases) {
  test(`vector ${c.name}`, () => assertClose(cacheTimeline(c.turns), c.expected, c.name));
}

test("the vectors cover each cause and the no-break cases", () => {
  const causes = new Set(cases.flatMap((c) => c.expected.map((row) => row.broke?.cause ?? "none")));
  assert.deepEqual([...causes].sort(), ["model", "none", "prefix", "ttl", "unknown"]);
});

test("a turn's writes set the lifetime; a turn that writes nothing keeps it", () => {
  const usage = (written, written1h) => ({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: written, cache_write_1h_tokens: written1h } });
  assert.equal(ttlAfter(usage(5, 5)), CACHE_TTL_1H_MS);
  assert.equal(ttlAfter(usage(5, 0), CACHE_TTL_1H_MS), CACHE_TTL_MS);
  assert.equal(ttlAfter(usage(0, 0), CACHE_TTL_1H_MS), CACHE_TTL_1H_MS);
});

test("gaps read as a person says them", () => {
  assert.equal(durationText(40_000), "40 seconds");
  assert.equal(durationText(330_000), "5.5 minutes");
  assert.equal(durationText(7 * 60_000), "7 minutes");
  assert.equal(durationText(45 * 60_000), "45 minutes");
  assert.equal(durationText(126 * 60_000), "2.1 hours");
});
