import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ImportError } from "../../ui/static/js/rules/files/check.js";
import { aliasAt, buildRecord, failedRecord, fromLedger, priceOf } from "../../ui/static/js/rules/record.js";

process.env.TZ = "Europe/Berlin";

const GPT_4O = { input: 2.5, output: 10, cached_input: 1.25 };
const call = {
  id: "r1", started: new Date(Date.UTC(2026, 4, 14, 7, 30, 12, 345)), thread_id: "t1", model: "gpt-4o",
  prompt: "Explain monads", prompt_text: "Explain monads", price_for: (provider) => (provider === "openai" ? GPT_4O : null),
};
const outcome = {
  status: "ok", text: "A monad is…", reasoning: "", finish_reason: "stop", started_headers: true,
  usage: { prompt_tokens: 1200, completion_tokens: 340, total_tokens: 1540, prompt_tokens_details: { cached_tokens: 1000 } },
  server: { provider: "openai", provider_model: "gpt-4o-2024-08-06", duration_ms: 1980.5, ttft_ms: 290.25 },
  provider: "openai", provider_model: "gpt-4o-2024-08-06", ttft_ms: 300, response_ms: 2000, error: null,
};

test("a finished answer is recorded with its usage priced at call time", () => {
  assert.deepEqual(buildRecord(call, outcome), {
    id: "r1", timestamp: "2026-05-14T09:30:12.345+02:00", thread_id: "t1", model: "gpt-4o",
    provider: "openai", provider_model: "gpt-4o-2024-08-06", prompt_preview: "Explain monads",
    usage: outcome.usage, cost_usd: (200 * 2.5 + 1000 * 1.25 + 340 * 10) / 1e6, cost_provenance: "computed", prices: GPT_4O,
    response_ms: 2000, ttft_ms: 300, tokens_per_s: 170, generation_tokens_per_s: 200,
    server_duration_ms: 1980.5, server_ttft_ms: 290.25, status: "ok", error: null, finish_reason: "stop",
  });
});

test("an answer served at a service tier is priced at that tier's rates and says which tier", () => {
  const tiered = { ...GPT_4O, service_tiers: { priority: { input: 4.25, output: 17, cached_input: 2.125 } } };
  const record = buildRecord({ ...call, price_for: () => tiered }, { ...outcome, service_tier: "priority" });
  assert.equal(record.cost_usd, (200 * 4.25 + 1000 * 2.125 + 340 * 17) / 1e6);
  assert.deepEqual(record.prices, { input: 4.25, output: 17, cached_input: 2.125 });
  assert.equal(record.service_tier, "priority");
  const standard = buildRecord({ ...call, price_for: () => tiered }, { ...outcome, service_tier: "default" });
  assert.deepEqual([standard.prices, standard.service_tier], [GPT_4O, "default"]);
});

test("a stopped answer without usage is estimated from the text sent and received", () => {
  const stopped = { ...outcome, status: "aborted", usage: null, server: null, text: "x".repeat(40), finish_reason: null };
  const record = buildRecord({ ...call, prompt_text: "y".repeat(401) }, stopped);
  assert.deepEqual(record.usage, { prompt_tokens: 101, completion_tokens: 10, total_tokens: 111,
    prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
  "the shape of llms/pricing.estimated_usage");
  assert.equal(record.cost_provenance, "estimated");
  assert.equal(record.cost_usd, (101 * 2.5 + 10 * 10) / 1e6);
  assert.equal(record.status, "aborted");
  assert.equal(record.server_duration_ms, null);
});

test("a request refused before any answer has no usage and no cost, and keeps its error", () => {
  const error = { message: "upstream answered 500", type: "server_error", code: "upstream_error", status: 500 };
  const failed = { ...outcome, status: "error", usage: null, server: null, text: "", started_headers: false, ttft_ms: null,
    response_ms: 12, provider: "openai", provider_model: null, finish_reason: null, error };
  const record = buildRecord(call, failed);
  assert.equal(record.usage, null);
  assert.equal(record.cost_usd, null);
  assert.equal(record.cost_provenance, null);
  assert.deepEqual(record.prices, GPT_4O);
  assert.deepEqual(record.error, error);
  assert.equal(record.tokens_per_s, null);
});

test("a provider without a price is recorded unpriced, and a reported cost wins over the price", () => {
  const groq = buildRecord(call, { ...outcome, provider: "groq" });
  assert.equal(groq.cost_provenance, "unpriced");
  assert.equal(groq.cost_usd, null);
  const reported = buildRecord(call, { ...outcome, usage: { ...outcome.usage, cost: 0.0123 } });
  assert.equal(reported.cost_provenance, "reported");
  assert.equal(reported.cost_usd, 0.0123);
});

test("the prompt preview keeps the first 200 characters", () => {
  assert.equal(buildRecord({ ...call, prompt: "a".repeat(250) }, outcome).prompt_preview, "a".repeat(200));
});

const CONFIG = {
  providers: [
    { id: "openai", models: [{ alias: "mock-model", provider_model: "mock-model" }] },
    { id: "backup", models: [{ alias: "failover", provider_model: "mock-model" }] },
    { id: "twins", models: [{ alias: "a", provider_model: "m" }, { alias: "b", provider_model: "m" }] },
  ],
  pricing: { openai: { "mock-model": GPT_4O }, backup: { failover: { input: 1, output: 2 } }, twins: { a: null, b: { input: 3, output: 4 } } },
};

test("the price is the answering provider's, under its own alias after a failover", () => {
  assert.deepEqual(priceOf(CONFIG, "openai", "mock-model"), GPT_4O);
  assert.deepEqual(priceOf(CONFIG, "backup", "mock-model"), { input: 1, output: 2 });
  assert.deepEqual(priceOf(CONFIG, "twins", "b"), { input: 3, output: 4 });
  assert.equal(priceOf(CONFIG, "nobody", "mock-model"), null);
  assert.equal(priceOf(null, "openai", "mock-model"), null);
});

test("two aliases of one provider model are priced by the alias asked for, also when pinned", () => {
  assert.equal(priceOf(CONFIG, "twins", "a"), null);
  assert.deepEqual(priceOf(CONFIG, "twins", "twins/b"), { input: 3, output: 4 });
  assert.equal(aliasAt(CONFIG, "twins", "m"), "a", "a provider model id asked for is priced by that provider's first alias of it");
});

test("the record takes the server's request_id, so the browser and the ledger name a request alike", () => {
  assert.equal(buildRecord(call, { ...outcome, request_id: "0123456789abcdef0123456789abcdef" }).id,
    "0123456789abcdef0123456789abcdef");
  assert.equal(buildRecord(call, { ...outcome, request_id: null }).id, "r1");
});

test("a usage that does not add up cannot be priced: it is recorded as an error that says so, cost unknown", () => {
  const bad = { ...outcome, usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15,
    prompt_tokens_details: { cached_tokens: 8, cache_write_tokens: 5 } } };
  let thrown = null;
  try {
    buildRecord(call, bad);
  } catch (error) {
    thrown = error;
  }
  assert.match(thrown.message, /^usage does not add up: prompt_tokens 10 < cached 8 \+ cache writes 5/);
  const record = failedRecord(call, bad, thrown);
  assert.deepEqual(record, {
    id: "r1", timestamp: "2026-05-14T09:30:12.345+02:00", thread_id: "t1", model: "gpt-4o",
    provider: "openai", provider_model: "gpt-4o-2024-08-06", prompt_preview: "Explain monads",
    usage: null, cost_usd: null, cost_provenance: "unpriced", prices: GPT_4O,
    response_ms: 2000, ttft_ms: 300, tokens_per_s: null, generation_tokens_per_s: null,
    server_duration_ms: 1980.5, server_ttft_ms: 290.25, status: "error",
    error: { message: `the answer could not be recorded: ${thrown.message}`, type: "record_error", code: null, status: null },
    finish_reason: "stop",
  });
  const midStream = { ...bad, status: "error", error: { message: "the provider failed mid-stream", type: null, code: null, status: null } };
  assert.equal(failedRecord(call, midStream, thrown).error.message,
    `the provider failed mid-stream; then the answer could not be recorded: ${thrown.message}`);
  assert.equal(failedRecord(call, { ...bad, provider: null }, thrown).cost_provenance, null);
});
test("a ledger line becomes a record with id = request_id and the prompt from its messages", () => {
  const line = { timestamp: "2026-11-23T10:00:00.000+01:00", request_id: "a".repeat(32), client: "api", provider: "openai",
    model: "gpt-4o", provider_model: "gpt-4o-2024-08-06", endpoint: "/v1/chat/completions", is_streaming: true, status: "ok",
    error: null, finish_reason: "stop", usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
    cost_usd: 0.000225, cost_provenance: "computed", prices: { input: 2.5, output: 10 }, response_ms: 800, ttft_ms: 100,
    messages: [{ role: "user", content: "Ping" }] };
  const got = fromLedger("records[0]", line);
  assert.equal(got.id, "a".repeat(32));
  assert.equal(got.client, "api");
  assert.equal(got.prompt_preview, "Ping");
  assert.equal(got.tokens_per_s, 25);
  assert.equal(got.thread_id, null);
});

test("a ledger line with a very long prompt keeps only the preview and is still accepted", () => {
  const line = { timestamp: "2026-11-23T10:00:00.000+01:00", request_id: "b".repeat(32), client: "api", provider: "openai",
    model: "gpt-4o", provider_model: "gpt-4o", endpoint: "/v1/chat/completions", is_streaming: false, status: "ok",
    error: null, finish_reason: "stop", usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
    cost_usd: 0.000225, cost_provenance: "computed", prices: { input: 2.5, output: 10 }, response_ms: 800, ttft_ms: null,
    messages: [{ role: "user", content: "x".repeat(150_000) }] };
  assert.equal(fromLedger("records[0]", line).prompt_preview, "x".repeat(200));
});

const vectors = (name) => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));

for (const { name, line, problem } of vectors("records.json").cases) {
  test(`records.json ${name}: the browser takes a ledger line exactly when the server does, with its words`, () => {
    if (problem === null) {
      assert.equal(fromLedger("line", line).id, line.request_id);
    } else {
      assert.throws(() => fromLedger("line", line), (error) => error instanceof ImportError && error.message === problem);
    }
  });
}

/** /api/config's providers and pricing for a config, as llms/server/api.py public_config serves them. */
function publicConfig(config) {
  const providers = Object.entries(config.providers);
  return {
    providers: providers.map(([id, p]) => ({
      id, type: p.type, models: Object.entries(p.models).map(([alias, provider_model]) => ({ alias, provider_model })),
    })),
    pricing: Object.fromEntries(providers.map(([id, p]) => [id, { ...p.pricing }])),
  };
}

const failover = vectors("failover_prices.json");
for (const { name, asked, provider, alias, price } of failover.cases) {
  test(`failover_prices.json ${name}: priced by the alias asked for at the provider that answered`, () => {
    const config = publicConfig(failover.config);
    assert.equal(aliasAt(config, provider, asked), alias);
    const entry = priceOf(config, provider, asked);
    for (const [field, value] of Object.entries(price)) assert.equal(entry[field], value, field);
  });
}
