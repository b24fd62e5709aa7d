import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatDuration, formatSpeed, generationTokensPerSecond, messageMetrics, threadTotals, tokensPerSecond, totalCost, totalCostText,
  unpricedHint,
} from "../../ui/static/js/rules/metrics.js";

test("speed is output tokens over the response time; generation speed starts at the first token", () => {
  assert.equal(tokensPerSecond(340, 2000), 170);
  assert.equal(generationTokensPerSecond(340, 2000, 300), 200);
  assert.equal(tokensPerSecond(0, 2000), null);
  assert.equal(tokensPerSecond(10, 0), null);
  assert.equal(generationTokensPerSecond(10, 500, null), null);
  assert.equal(generationTokensPerSecond(10, 500, 500), null);
});

test("durations read in ms under a second, seconds under a minute, then minutes", () => {
  assert.equal(formatDuration(412.4), "412 ms");
  assert.equal(formatDuration(2310.4), "2.31 s");
  assert.equal(formatDuration(65_000), "1 m 05 s");
  assert.equal(formatDuration(null), "—");
});

test("speeds keep a tenth under 100 tok/s only", () => {
  assert.equal(formatSpeed(42.46), "42.5 tok/s");
  assert.equal(formatSpeed(1381.04), "1,381 tok/s");
  assert.equal(formatSpeed(null), "—");
});

const record = {
  model: "gpt-4o", provider: "openai", status: "ok",
  usage: { prompt_tokens: 1200, completion_tokens: 340, total_tokens: 1540,
    prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 120 } },
  cost_usd: 0.00515, cost_provenance: "computed", response_ms: 2000, ttft_ms: 300,
  tokens_per_s: 170, generation_tokens_per_s: 200,
};

test("an answer's metrics name model, provider, tokens with cached and reasoning, cost, times and speeds", () => {
  assert.deepEqual(messageMetrics(record), [
    { name: "Model", text: "gpt-4o" },
    { name: "Provider", text: "openai" },
    { name: "Tokens", text: "1,200 in (1,000 cached) / 340 out (120 reasoning)" },
    { name: "Cost", text: "$0.0052" },
    { name: "Response time", text: "2.00 s" },
    { name: "Time to first token", text: "TTFT 300 ms" },
    { name: "Speed", text: "170 tok/s" },
    { name: "Generation speed", text: "200 tok/s gen" },
  ]);
});

test("a model with no price shows a dash with a visible hint naming the llms.json entry to add", () => {
  const unpriced = { ...record, model: "unpriced-model", provider: "selfhosted", cost_usd: null, cost_provenance: "unpriced", prices: null };
  const cost = messageMetrics(unpriced).find((m) => m.name === "Cost");
  assert.equal(cost.text, "—");
  assert.equal(cost.note, "no price: add providers.selfhosted.pricing.unpriced-model to llms.json");
  assert.match(cost.title, /^Cost unknown: unpriced-model on selfhosted has no price\. Add providers\.selfhosted\.pricing\.unpriced-model /);
  // A variable price (-1) is a price: unknown, but nothing to add to llms.json.
  assert.equal(unpricedHint({ ...unpriced, prices: { input: -1, output: -1 } }), null);
  assert.equal(unpricedHint({ ...record }), null);
  assert.equal(unpricedHint({ ...unpriced, provider: null }), null);
});

test("an unpriced answer shows a dash, an estimated one a tilde, a failed one no cost or tokens", () => {
  const text = (r) => Object.fromEntries(messageMetrics(r).map((m) => [m.name, m.text]));
  assert.equal(text({ ...record, cost_usd: null, cost_provenance: "unpriced" }).Cost, "—");
  assert.equal(text({ ...record, cost_usd: 0.0031, cost_provenance: "estimated" }).Cost, "~$0.0031");
  const failed = text({ model: "gpt-4o", provider: null, status: "error", usage: null, cost_usd: null, cost_provenance: null,
    response_ms: 12, ttft_ms: null, tokens_per_s: null, generation_tokens_per_s: null });
  assert.deepEqual(failed, { Model: "gpt-4o", "Response time": "12 ms" });
});

test("a thread's totals show cost, tokens in/out, requests and total time", () => {
  const totals = { requests: 3, cost_usd: 3.5749, unpriced_requests: 0, estimated_requests: 0,
    prompt_tokens: 12_345, completion_tokens: 678, response_ms: 4321 };
  assert.deepEqual(threadTotals(totals).map((t) => t.text), ["$3.57", "12,345 in / 678 out", "3 requests", "4.32 s"]);
  assert.equal(threadTotals({ ...totals, estimated_requests: 1 })[0].text, "~$3.57");
  assert.deepEqual(threadTotals({ ...totals, cost_usd: 0, unpriced_requests: 3 })[0], { name: "Total cost", text: "—", note: "+3 unpriced" });
  assert.deepEqual(threadTotals(undefined).map((t) => t.text), ["$0.00", "0 in / 0 out", "0 requests", "0 ms"]);
  assert.equal(threadTotals({ ...totals, requests: 1 })[2].text, "1 request");
});

test("a total with unpriced or estimated requests says so: the analytics pages and the chat share the rule", () => {
  const priced = { requests: 1, cost_usd: 0.0075, unpriced_requests: 0, estimated_requests: 0 };
  assert.equal(totalCostText(priced), "$0.0075");
  assert.equal(totalCostText({ ...priced, requests: 2, unpriced_requests: 1 }), "$0.0075 (+1 unpriced)");
  assert.equal(totalCostText({ ...priced, requests: 2, estimated_requests: 1 }), "~$0.0075");
  assert.equal(totalCostText({ ...priced, requests: 3, unpriced_requests: 1, estimated_requests: 1 }), "~$0.0075 (+1 unpriced)");
  assert.equal(totalCostText({ requests: 2, cost_usd: 0, unpriced_requests: 2, estimated_requests: 0 }), "— (+2 unpriced)");
  assert.equal(totalCostText({ requests: 0, cost_usd: 0, unpriced_requests: 0, estimated_requests: 0 }), "$0.00");
  const thread = { ...priced, requests: 2, unpriced_requests: 1, prompt_tokens: 2000, completion_tokens: 1000, response_ms: 900 };
  assert.deepEqual(threadTotals(thread)[0], { name: "Total cost", text: "$0.0075", note: "+1 unpriced" });
  assert.deepEqual(totalCost(thread), { text: "$0.0075", note: "+1 unpriced" });
});
