// tests/vectors/energy.json through ui/static/js/rules/energy.js (the Python twin: tests/unit/pricing/test_energy.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { energyCost, energyText } from "../../ui/static/js/rules/energy.js";

const { cases } = JSON.parse(readFileSync(new URL("../vectors/energy.json", import.meta.url), "utf8"));

for (const c of cases) {
  test(`energy.json ${c.name}: the same cost and label as Python`, () => {
    const cost = energyCost(c.response_ms, c.energy);
    assert.deepEqual(cost, { cost_usd: c.cost_usd, provenance: c.provenance, prices: null, energy: c.energy });
    if (c.label !== null) assert.equal(energyText(cost.cost_usd), c.label);
  });
}

// ---- a request the chat records, and how its cost reads under the answer ----
import { buildRecord, callPrices } from "../../ui/static/js/rules/record.js";
import { messageMetrics } from "../../ui/static/js/rules/metrics.js";

const LOCAL = { watts: 65, usd_per_kwh: 0.3 };
const config = {
  price_version: "genai-prices 0.2.3+llms.json.0123456789ab",
  providers: [
    { id: "ollama", energy: LOCAL, models: [{ alias: "llama3.2", provider_model: "llama3.2" }] },
    { id: "openrouter", energy: null, models: [{ alias: "claude", provider_model: "anthropic/claude-sonnet-4.5" }] },
  ],
  pricing: { ollama: { "llama3.2": { input: 0, output: 0 } }, openrouter: { claude: { input: 3, output: 15 } } },
};
const outcome = (provider, usage) => ({
  status: "ok", text: "Hi", reasoning: "", finish_reason: "stop", started_headers: true, usage, server: null,
  provider, provider_model: provider, ttft_ms: 200, response_ms: 2000, error: null,
});
const call = (asked) => ({
  id: "r1", started: new Date(Date.UTC(2026, 11, 2, 9, 0, 0)), thread_id: "t1", model: asked, prompt: "hi",
  prompt_text: "hi", ...callPrices(config, asked),
});

test("a local model priced by energy: 2 s × 65 W at $0.30/kWh, shown as ⚡ ~$0.000011, never $0.00", () => {
  const usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };
  const record = buildRecord(call("llama3.2"), outcome("ollama", usage));
  assert.equal(record.cost_usd, 2000 / 1000 * 65 / 3_600_000 * 0.3);
  assert.equal(record.cost_provenance, "estimated");
  assert.deepEqual(record.energy, LOCAL);
  assert.equal(record.prices, null);
  assert.equal(record.price_version, "genai-prices 0.2.3+llms.json.0123456789ab");
  const cost = messageMetrics(record).find((m) => m.name === "Cost");
  assert.equal(cost.text, "⚡ ~$0.000011");
  assert.equal(cost.title, "Energy cost (estimated): 2.00 s × 65 W at $0.30 per kWh");
});

test("a cost the provider reported keeps ours beside it", () => {
  // OpenRouter billed $0.0002; ours: (10 × 3 + 20 × 15) / 1M = $0.00033.
  const usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, cost: 0.0002 };
  const record = buildRecord(call("claude"), outcome("openrouter", usage));
  assert.equal(record.cost_usd, 0.0002);
  assert.equal(record.cost_provenance, "reported");
  assert.equal(record.computed_cost_usd, (10 * 3 + 20 * 15) / 1e6);
  assert.equal(record.energy, undefined);
});
