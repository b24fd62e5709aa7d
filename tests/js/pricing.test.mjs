// The same vectors as tests/unit/test_pricing.py, through ui/static/js/pricing.js.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  NORMALIZERS, costFor, estimateTokens, formatUsd, normalizeUsage, priceAtTier,
} from "../../ui/static/js/rules/pricing.js";

const { cases } = JSON.parse(readFileSync(new URL("../vectors/pricing.json", import.meta.url), "utf8"));
const tierCases = JSON.parse(readFileSync(new URL("../vectors/service_tiers.json", import.meta.url), "utf8")).cases;

test("the vectors cover at least forty cases with unique names", () => {
  assert.ok(cases.length >= 40);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
});

for (const c of cases) {
  test(`vector ${c.name}`, () => {
    const usage = normalizeUsage(c.format, c.raw);
    assert.deepEqual(usage, c.usage);
    const cost = costFor(usage, c.price, { estimated: c.estimated ?? false });
    if (c.cost_usd === null) assert.equal(cost.cost_usd, null);
    else assert.ok(Math.abs(cost.cost_usd - c.cost_usd) <= 1e-12, `${cost.cost_usd} ≠ ${c.cost_usd}`);
    assert.equal(cost.provenance, c.provenance);
    assert.deepEqual(cost.prices, c.price);
    assert.equal(formatUsd(cost.cost_usd, cost.provenance), c.display);
  });
}

test("malformed token counts and unknown formats are errors", () => {
  assert.throws(() => normalizeUsage("openai", { prompt_tokens: "12" }), /expected a token count, got "12"/);
  assert.throws(() => normalizeUsage("openai", { prompt_tokens: 1, cost: true }), /usage.cost to be a number/);
  assert.throws(() => normalizeUsage("bedrock", { x: 1 }), /unknown usage format "bedrock"/);
});

test("usage that does not add up is an error, not a negative cost", () => {
  const usage = { prompt_tokens: 10, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 20, cache_write_tokens: 0 } };
  assert.throws(() => costFor(usage, { input: 1, output: 1 }), /prompt_tokens 10 < cached 20/);
});

test("formatUsd rules", () => {
  assert.equal(formatUsd(null, "unpriced"), "—");
  assert.equal(formatUsd(undefined, "estimated"), "—");
  assert.equal(formatUsd(0, "computed"), "$0.00");
  assert.equal(formatUsd(0, "estimated"), "~$0.00");
  assert.equal(formatUsd(0.000123, "computed"), "$0.00012");
  assert.equal(formatUsd(0.0001, "computed"), "$0.0001");
  assert.equal(formatUsd(1.5e-9, "computed"), "$0.0000000015");
  assert.equal(formatUsd(0.0031, "estimated"), "~$0.0031");
  assert.equal(formatUsd(0.009996, "computed"), "$0.01");
  assert.equal(formatUsd(0.014, "computed"), "$0.01");
  assert.equal(formatUsd(0.015, "computed"), "$0.02");
  assert.equal(formatUsd(12.345, "reported"), "$12.35");
  assert.equal(formatUsd(1234567.891, "computed"), "$1,234,567.89");
  assert.equal(formatUsd(1e21, "computed"), "$1,000,000,000,000,000,000,000.00");
  assert.equal(formatUsd(0.1 + 0.2, "computed"), "$0.30");
  assert.equal(formatUsd(0.0072499999999999995, "computed"), "$0.0073");
  assert.throws(() => formatUsd(-0.5, "computed"), /got -0.5/);
});

test("estimateTokens is code points over four, rounded up", () => {
  assert.equal(estimateTokens(""), 0);
  assert.equal(estimateTokens("abcd"), 1);
  assert.equal(estimateTokens("abcde"), 2);
  assert.equal(estimateTokens("x".repeat(4000)), 1000);
  assert.equal(estimateTokens("😀😀😀😀😀"), 2);
});

test("the usage normalizers are exactly the wire formats the vectors hold", () => {
  assert.deepEqual(Object.keys(NORMALIZERS).sort(), [...new Set(cases.map((c) => c.format))].sort());
});

for (const c of tierCases) {
  test(`service tier vector ${c.name}`, () => {
    const cost = costFor(c.usage, c.price, { serviceTier: c.service_tier });
    if (c.cost_usd === null) assert.equal(cost.cost_usd, null);
    else assert.ok(Math.abs(cost.cost_usd - c.cost_usd) <= 1e-12, `${cost.cost_usd} ≠ ${c.cost_usd}`);
    assert.equal(cost.provenance, c.provenance);
    assert.deepEqual(cost.prices, c.prices);
    assert.deepEqual(priceAtTier(c.price, c.service_tier), c.prices);
    assert.equal(formatUsd(cost.cost_usd, cost.provenance), c.display);
  });
}
