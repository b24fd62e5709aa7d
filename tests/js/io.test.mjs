// Export and import files: what is read, what is refused (with which message), llms.py's files, the ledger.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ImportError, MAX_IMPORT_BYTES, fromLedger, keyOf, parseJson, perMillion, readImport,
  recordsCsv, requestsFileParts, threadsFileParts,
} from "../../ui/static/js/io.js";

process.env.TZ = "Europe/Berlin";

const record = (over = {}) => ({
  id: "0b6c2f4e-1111-4222-8333-444455556666", timestamp: "2026-05-14T09:30:12.345+02:00", thread_id: "t1",
  model: "gpt-4o", provider: "openai", provider_model: "gpt-4o-2024-08-06", prompt_preview: "hello",
  usage: { prompt_tokens: 1200, completion_tokens: 340, total_tokens: 1540,
    prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 120 } },
  cost_usd: 0.0064, cost_provenance: "computed", prices: { input: 2.5, output: 10 },
  response_ms: 2310.4, ttft_ms: 412, tokens_per_s: 147.2, generation_tokens_per_s: 179.1,
  server_duration_ms: 2280.1, server_ttft_ms: 398.2, status: "ok", error: null, finish_reason: "stop", ...over,
});
const requestsFile = (records, extra = {}) => JSON.parse(requestsFileParts(records, new Date("2026-05-20T10:00:00Z")).join(""));
const refused = (doc, message) => assert.throws(() => readImport(doc), (e) => e instanceof ImportError && e.message === message);

test("a request export carries source, version, count and an ISO time with offset, and reads back identical", () => {
  const doc = requestsFile([record(), record({ id: "r2", timestamp: "2026-05-13T08:00:00.000+02:00" })]);
  assert.equal(doc.source, "llms");
  assert.equal(doc.kind, "requests");
  assert.equal(doc.version, 1);
  assert.equal(doc.count, 2);
  assert.equal(doc.exported_at, "2026-05-20T12:00:00.000+02:00");
  const read = readImport(doc);
  assert.equal(read.kind, "requests");
  assert.deepEqual(read.requests.map((r) => r.record.id), ["r2", record().id], "oldest first");
  assert.deepEqual(read.requests[1].record, record());
  assert.equal(keyOf(read.requests[1]), `req:${Date.parse(record().timestamp)}:${record().id}`);
});

test("a thread export reads back with its messages", () => {
  const thread = { id: "t1", title: "Hi", created_at: "2026-05-14T07:30:00.000Z", updated_at: "2026-05-14T07:31:00.000Z",
    model: "openai/gpt-4o", next_seq: 2, totals: { requests: 1, cost_usd: 0.0064 } };
  const messages = [
    { id: "m1", thread_id: "t1", seq: 0, role: "user", content: "Hi", created_at: "2026-05-14T07:30:00.000Z" },
    { id: "m2", thread_id: "t1", seq: 1, role: "assistant", content: "Hello", created_at: "2026-05-14T07:30:02.000Z",
      request_key: "req:1778743812345:r1", status: "ok", error: null },
  ];
  const doc = JSON.parse(threadsFileParts([{ thread, messages }]).join(""));
  assert.equal(doc.count, 1);
  const read = readImport(doc);
  assert.equal(read.threads[0].thread.totals.requests, 1);
  assert.equal(read.threads[0].thread.totals.errors, 0);
  assert.deepEqual(read.threads[0].messages, messages);
});

test("bad files are refused with a message naming what is wrong", () => {
  refused([], "not an llms or llms.py export: expected a JSON object with \"requests\" or \"threads\"");
  refused({ source: "other", requests: [] }, "source: expected \"llms\" (this app) or \"llmspy\" (llms.py), got \"other\"");
  refused({ source: "llms", version: 2, requests: [] }, "version: this app reads format version 1, the file has 2");
  refused({ source: "llms", version: 1 }, "expected either \"requests\" or \"threads\" in the file");
  refused(requestsFile([record({ timestamp: "yesterday" })]),
    "requests[0].timestamp: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got \"yesterday\"");
  refused(requestsFile([record({ timestamp: "2026-05-14T09:30:12" })]),
    "requests[0].timestamp: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got \"2026-05-14T09:30:12\"");
  refused(requestsFile([record({ cost_usd: -1 })]), "requests[0].cost_usd: expected a number ≥ 0 or null, got -1");
  refused(requestsFile([record({ status: "maybe" })]), "requests[0].status: expected one of \"ok\", \"error\", \"aborted\", got \"maybe\"");
  refused(requestsFile([record({ id: "../../etc" })]), "requests[0].id: expected an id of letters, digits and _.:@- (at most 128), got \"../../etc\"");
  refused(requestsFile([record({ usage: { prompt_tokens: "12", completion_tokens: 3 } })]),
    "requests[0].usage.prompt_tokens: expected a whole number ≥ 0, got \"12\"");
  refused(requestsFile([record(), record()]), `requests[1].id: "${record().id}" appears twice in the file`);
  refused({ ...requestsFile([record()]), count: 3 }, "count says 3 requests but the file holds 1: it is incomplete or was edited");
});

test("a hostile record keeps only the fields we know", () => {
  const doc = JSON.parse(`{"source":"llms","version":1,"count":1,"requests":[${JSON.stringify(record()).slice(0, -1)},"__proto__":{"polluted":true},"script":"<img onerror=x>"}]}`);
  const read = readImport(doc);
  assert.equal(read.requests[0].record.script, undefined);
  assert.equal(Object.getPrototypeOf(read.requests[0].record), Object.prototype);
  assert.equal({}.polluted, undefined);
});

test("truncated, empty and oversized files are refused before anything is read", () => {
  const text = requestsFileParts([record()]).join("");
  assert.throws(() => parseJson(text.slice(0, 200)), (e) => e instanceof ImportError && e.message.startsWith("not valid JSON (the file looks cut short): "));
  assert.throws(() => parseJson("  "), { message: "the file is empty" });
  assert.throws(() => parseJson("{}", MAX_IMPORT_BYTES + 1), { message: "the file is 400 MB; at most 400 MB can be imported at once" });
});

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

test("CSV quotes commas, quotes and newlines, and defuses spreadsheet formulas", () => {
  const csv = recordsCsv([record({ prompt_preview: "=HYPERLINK(\"x\"), then\nmore" })]);
  const [head, row] = csv.split("\r\n");
  assert.equal(head.split(",")[0], "timestamp");
  assert.ok(row.startsWith("2026-05-14T09:30:12.345+02:00,gpt-4o,openai,gpt-4o-2024-08-06,\"'=HYPERLINK(\"\"x\"\"), then\nmore\",1200,340,1000,0,120,0.0064,computed,2310.4,412,147.2,ok,,stop,"));
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
