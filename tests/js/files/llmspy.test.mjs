// llms.py's export files read as ours.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ImportError } from "../../../ui/static/js/rules/files/check.js";
import { readImport } from "../../../ui/static/js/rules/files/import.js";
import { perMillion } from "../../../ui/static/js/rules/files/llmspy.js";

process.env.TZ = "Europe/Berlin";

const refused = (doc, message) => assert.throws(() => readImport(doc), (e) => e instanceof ImportError && e.message === message);

test("llms.py's request export maps onto our records, its cost kept as imported", () => {
  const doc = {
    exportedAt: "2025-11-02T10:00:00.000Z", version: "1.0", source: "llmspy", requestsCount: 1,
    requests: [{ id: 1730541600123, threadId: 1730541500000, model: "kimi-k2", provider: "groq", providerModel: "moonshotai/kimi-k2-instruct",
      title: "Explain closures", inputTokens: 1200, outputTokens: 300, inputCachedTokens: 200, totalTokens: 1500,
      inputPrice: "0.000001", outputPrice: "0.000003", cost: 0.0021, duration: 1500, created: 1730541600, finishReason: "stop",
      usage: { prompt_tokens: 1200 } }],
  };
  const [{ record: got, epoch_ms }] = readImport(doc).requests;
  assert.equal(epoch_ms, 1730541600000);
  assert.deepEqual(got, {
    id: "1730541600123", timestamp: "2024-11-02T11:00:00.000+01:00", thread_id: "1730541500000",
    model: "kimi-k2", provider: "groq", provider_model: "moonshotai/kimi-k2-instruct", prompt_preview: "Explain closures",
    usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 200 } },
    cost_usd: 0.0021, cost_provenance: "imported", prices: { input: 1, output: 3 },
    response_ms: 1500, ttft_ms: null, tokens_per_s: 200, generation_tokens_per_s: null,
    server_duration_ms: null, server_ttft_ms: null, status: "ok", error: null, finish_reason: "stop",
  });
  refused({ ...doc, requestsCount: 2 }, "requestsCount says 2 requests but the file holds 1: it is incomplete or was edited");
});

test("llms.py token counts past the bound are refused under the file's own names, so no sum becomes Infinity", () => {
  const request = { id: 1, model: "kimi-k2", inputTokens: 1e12, outputTokens: 1e12, created: 1730541600 };
  const doc = (over) => ({ source: "llmspy", requests: [{ ...request, ...over }] });
  assert.equal(readImport(doc({})).requests[0].record.usage.total_tokens, 2e12, "at the bound: taken");
  refused(doc({ outputTokens: 1e308 }), "requests[0].outputTokens: expected a whole number from 0 to 1000000000000, got 1e+308");
  refused(doc({ inputCachedTokens: 1e12 + 1 }),
    "requests[0].inputCachedTokens: expected a whole number from 0 to 1000000000000, got 1000000000001");
  refused(doc({ totalTokens: 2e12 + 1 }), "requests[0].totalTokens: expected a whole number from 0 to 2000000000000, got 2000000000001");
});

test("llms.py per-token price strings become USD per 1M without float noise", () => {
  assert.equal(perMillion("p", "0.0000025"), 2.5);
  assert.equal(perMillion("p", "0.00000015"), 0.15);
  assert.equal(perMillion("p", "0"), 0);
  assert.equal(perMillion("p", null), null);
  assert.throws(() => perMillion("requests[0].inputPrice", "cheap"), { message: "requests[0].inputPrice: expected a price per token like \"0.0000025\", got \"cheap\"" });
});

test("llms.py's thread export maps onto threads and messages", () => {
  const doc = { exportedAt: "2025-11-02T10:00:00.000Z", version: "1.0", source: "llmspy", threadCount: 1,
    threads: [{ id: 42, title: "Closures", model: "kimi-k2", systemPrompt: "Be brief",
      messages: [{ role: "system", content: "x" }, { role: "user", content: "What is a closure?" },
        { role: "assistant", content: [{ type: "text", text: "A function" }, { type: "text", text: "with its scope." }] }],
      createdAt: 1730541500000, updatedAt: "2025-11-02T09:00:00.000Z" }] };
  const read = readImport(doc);
  assert.equal(read.skipped, 1);
  const { thread, messages } = read.threads[0];
  assert.equal(thread.id, "42");
  assert.equal(thread.system_prompt, "Be brief");
  assert.equal(thread.next_seq, 2);
  assert.equal(thread.created_at, "2024-11-02T09:58:20.000Z");
  assert.deepEqual(messages.map((m) => [m.seq, m.role, m.content]), [[0, "user", "What is a closure?"], [1, "assistant", "A function\nwith its scope."]]);
});
