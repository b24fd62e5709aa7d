// The same vectors as tests/unit/pricing/test_savings.py, through ui/static/js/rules/savings.js.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { cacheSavings, requestSavings } from "../../ui/static/js/rules/savings.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/savings.json", import.meta.url), "utf8"));

/** Amounts within 1e-12 (as tests/vectors/pricing.json), everything else exactly. */
function assertClose(actual, expected, at = "") {
  if (typeof expected === "number" && !Number.isInteger(expected)) {
    assert.ok(Math.abs(actual - expected) <= 1e-12, `${at}: ${actual} ≠ ${expected}`);
  } else if (expected && typeof expected === "object") {
    assert.deepEqual(Object.keys(actual ?? {}), Object.keys(expected), at);
    for (const [key, value] of Object.entries(expected)) assertClose(actual[key], value, `${at}.${key}`);
  } else {
    assert.equal(actual, expected, at);
  }
}

for (const c of vectors.requests) {
  test(`request vector ${c.name}`, () => assertClose(requestSavings(c.usage, c.price), c.expected, c.name));
}

for (const c of vectors.groups) {
  test(`group vector ${c.name}`, () => {
    const savings = cacheSavings();
    c.records.forEach((record) => savings.add(record));
    assertClose(savings.result(), c.expected, c.name);
  });
}
