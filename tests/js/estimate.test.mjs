// tests/vectors/estimate.json through ui/static/js/rules/estimate.js.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { DEFAULT_OUTPUT_TOKENS, estimateNext, expectedCached, outputRange } from "../../ui/static/js/rules/estimate.js";
import { assertClose } from "./vectors_close.mjs";

const vectors = JSON.parse(readFileSync(new URL("../vectors/estimate.json", import.meta.url), "utf8"));

for (const c of vectors.estimate) {
  test(`estimate vector ${c.name}`, () => {
    const promptText = c.prompt_char.repeat(c.prompt_chars);
    const got = estimateNext({ promptText, cachedTokens: c.cachedTokens, output: outputRange(c.outputs), price: c.price });
    assertClose(got, c.expected, c.name);
  });
}

for (const c of vectors.expected_cached) {
  test(`expected cached vector ${c.name}`, () => {
    assert.equal(expectedCached(c.last_turn, Date.parse(c.now), c.ttl_ms, c.prompt_tokens), c.expected);
  });
}

test("the tier warning reads as issue 18 words it", () => {
  const crossing = vectors.estimate.find((c) => c.expected.tier);
  assert.equal(crossing.expected.tier.text, "this message crosses 200,000 tokens: the whole request is priced at the higher tier (+$0.84)");
});

test("without history the output range is the stated default", () => {
  assert.deepEqual(outputRange([]), { ...DEFAULT_OUTPUT_TOKENS, samples: 0 });
  assert.deepEqual(outputRange([7]), { p50: 7, p90: 7, samples: 1 });
});
