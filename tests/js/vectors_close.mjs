// Comparing a result with a vector's `expected`: amounts within 1e-12 (as tests/vectors/pricing.json), zero,
// whole numbers, text and null exactly, objects key for key.
import assert from "node:assert/strict";

export function assertClose(actual, expected, at = "") {
  if (typeof expected === "number" && !Number.isInteger(expected)) {
    assert.ok(Math.abs(actual - expected) <= 1e-12, `${at}: ${actual} ≠ ${expected}`);
  } else if (expected && typeof expected === "object") {
    assert.deepEqual(Object.keys(actual ?? {}).sort(), Object.keys(expected).sort(), at);
    for (const [key, value] of Object.entries(expected)) assertClose(actual[key], value, `${at}.${key}`);
  } else {
    assert.equal(actual, expected, at);
  }
}
