import assert from "node:assert/strict";
import { test } from "node:test";
import { CHAT_URL, hasOutput, streamChat } from "../../../ui/static/js/chat/stream.js";

const chunk = (delta, finish = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] });
const sse = (...events) => events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join("");
const USAGE = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };
const LLMS = { provider: "openai", provider_model: "gpt-4o-2024-08-06", duration_ms: 812.5, ttft_ms: 101.2 };

/** A clock that advances 10 ms each time it is read, so every time is exact. */
function clock() {
  let t = 0;
  return () => (t += 10);
}

function fakeFetch(status, body, headers = {}) {
  const calls = [];
  const fetchFn = async (url, init) => {
    calls.push({ url, init });
    return new Response(body, { status, headers: { "Content-Type": "text/event-stream", ...headers } });
  };
  return { fetchFn, calls };
}

test("an answer streams, then the usage chunk and [DONE] complete it", async () => {
  const body = sse(chunk({ role: "assistant", content: "" }), chunk({ content: "Hel" }), chunk({ content: "lo" }, "stop"),
    { choices: [], usage: USAGE, llms: LLMS }, "[DONE]");
  const { fetchFn, calls } = fakeFetch(200, body, { "X-LLMS-Provider": "openai", "X-LLMS-Provider-Model": "gpt-4o-2024-08-06" });
  const deltas = [];
  const outcome = await streamChat({ model: "openai/gpt-4o", messages: [{ role: "user", content: "hi" }], fetchFn, now: clock(),
    onDelta: (d) => deltas.push(d.text) });
  assert.equal(calls[0].url, CHAT_URL);
  assert.equal(calls[0].init.headers["X-LLMS-Client"], "app");
  assert.deepEqual(JSON.parse(calls[0].init.body), { model: "openai/gpt-4o", messages: [{ role: "user", content: "hi" }], stream: true });
  assert.deepEqual(deltas, ["Hel", "Hello"]);
  assert.equal(outcome.status, "ok");
  assert.equal(outcome.text, "Hello");
  assert.equal(outcome.finish_reason, "stop");
  assert.deepEqual(outcome.usage, USAGE);
  assert.deepEqual(outcome.server, LLMS);
  assert.equal(outcome.provider, "openai");
  assert.equal(outcome.provider_model, "gpt-4o-2024-08-06");
  assert.equal(outcome.ttft_ms, 10); // started at 10, first text read at 20
  assert.equal(outcome.response_ms, 20);
  assert.equal(outcome.error, null);
});

test("the service tier the chunks say served the answer is kept", async () => {
  const body = sse({ ...chunk({ content: "Hi" }), service_tier: "flex" }, { ...chunk({}, "stop"), service_tier: "flex" },
    { choices: [], usage: USAGE, llms: LLMS }, "[DONE]");
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(200, body).fetchFn, now: clock() });
  assert.equal(outcome.service_tier, "flex");
  const plain = await streamChat({ model: "m", messages: [], now: clock(),
    fetchFn: fakeFetch(200, sse(chunk({ content: "Hi" }, "stop"), "[DONE]")).fetchFn });
  assert.equal(plain.service_tier, null);
});

test("reasoning deltas are kept apart from the answer and count for the first token", async () => {
  const body = sse(chunk({ reasoning_content: "think" }), chunk({ content: "ok" }, "stop"), "[DONE]");
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(200, body).fetchFn, now: clock() });
  assert.equal(outcome.reasoning, "think");
  assert.equal(outcome.text, "ok");
  assert.equal(outcome.ttft_ms, 10);
});

test("OpenRouter's delta.reasoning is reasoning, as delta.reasoning_content is; one sent with both counts once", async () => {
  // OpenRouter: https://openrouter.ai/docs/use-cases/reasoning-tokens (streamed as choices[].delta.reasoning).
  const openrouter = sse(
    chunk({ role: "assistant", content: "", reasoning: "Let me ", reasoning_details: [{ type: "reasoning.text", text: "Let me " }] }),
    chunk({ content: null, reasoning: "think." }),
    chunk({ content: "Answer.", reasoning: null }, "stop"),
    "[DONE]");
  const deltas = [];
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(200, openrouter).fetchFn, now: clock(),
    onDelta: (d) => deltas.push({ ...d }) });
  assert.equal(outcome.reasoning, "Let me think.");
  assert.equal(outcome.text, "Answer.");
  assert.equal(outcome.ttft_ms, 10);
  assert.deepEqual(deltas, [
    { text: "", reasoning: "Let me " }, { text: "", reasoning: "Let me think." }, { text: "Answer.", reasoning: "Let me think." },
  ]);
  const both = sse(chunk({ reasoning_content: "a", reasoning: "a" }), chunk({ reasoning_content: "", reasoning: "b" }),
    chunk({ content: "ok" }, "stop"), "[DONE]");
  const once = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(200, both).fetchFn, now: clock() });
  assert.equal(once.reasoning, "ab");
});

test("an HTTP error keeps its status, message, type and code", async () => {
  const error = { error: { message: "upstream answered 500", type: "server_error", code: "upstream_error" } };
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(502, JSON.stringify(error), { "X-LLMS-Provider": "groq" }).fetchFn, now: clock() });
  assert.equal(outcome.status, "error");
  assert.deepEqual(outcome.error, { message: "upstream answered 500", type: "server_error", code: "upstream_error", status: 502 });
  assert.equal(outcome.started_headers, false);
  assert.equal(outcome.provider, "groq");
});

test("an HTTP error names the provider that answered it, as the error body does (the ledger line names it too)", async () => {
  const error = { error: { message: "openai: rate limited", type: "rate_limit_error", code: null, provider: "openai" } };
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(429, JSON.stringify(error)).fetchFn, now: clock() });
  assert.equal(outcome.provider, "openai");
  assert.deepEqual(outcome.error, { message: "openai: rate limited", type: "rate_limit_error", code: null, status: 429 });
  const refused = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(400, JSON.stringify({ error: { message: "bad" } })).fetchFn, now: clock() });
  assert.equal(refused.provider, null); // refused before any provider: no provider
});

test("an HTTP error that is not JSON is told by its status line and text", async () => {
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(503, "Service Unavailable").fetchFn, now: clock() });
  assert.equal(outcome.error.status, 503);
  assert.match(outcome.error.message, /^503 .*: Service Unavailable$/);
});

test("an error line mid-stream ends the answer as an error and keeps the text so far", async () => {
  const body = sse(chunk({ content: "par" }), { error: { message: "provider stream cut", type: "upstream_error", code: "cut" } });
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(200, body).fetchFn, now: clock() });
  assert.equal(outcome.status, "error");
  assert.equal(outcome.text, "par");
  assert.equal(outcome.started_headers, true);
  assert.deepEqual(outcome.error, { message: "provider stream cut", type: "upstream_error", code: "cut", status: null });
});

test("a stream that ends without [DONE] is an error named a cut", async () => {
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: fakeFetch(200, sse(chunk({ content: "a" }))).fetchFn, now: clock() });
  assert.equal(outcome.status, "error");
  assert.equal(outcome.error.type, "stream_cut");
});

test("a network failure is an error without a status", async () => {
  const fetchFn = async () => { throw new TypeError("Failed to fetch"); };
  const outcome = await streamChat({ model: "m", messages: [], fetchFn, now: clock() });
  assert.deepEqual(outcome.error, { message: "network error: Failed to fetch", type: "network_error", code: null, status: null });
});

test("Stop while streaming ends the answer as aborted with the text so far", async () => {
  const controller = new AbortController();
  const encoder = new TextEncoder();
  const fetchFn = async (url, init) => new Response(new ReadableStream({
    start(stream) {
      stream.enqueue(encoder.encode(sse(chunk({ content: "Once upon" }))));
      init.signal.addEventListener("abort", () => stream.error(new DOMException("The user aborted a request.", "AbortError")));
    },
  }), { status: 200, headers: { "X-LLMS-Provider": "openai" } });
  const outcome = await streamChat({ model: "m", messages: [], signal: controller.signal, fetchFn, now: clock(),
    onDelta: () => controller.abort() });
  assert.equal(outcome.status, "aborted");
  assert.equal(outcome.text, "Once upon");
  assert.equal(outcome.error, null);
  assert.equal(outcome.started_headers, true);
});

test("Stop before the answer starts is aborted with nothing received", async () => {
  const fetchFn = async () => { throw new DOMException("The user aborted a request.", "AbortError"); };
  const outcome = await streamChat({ model: "m", messages: [], fetchFn, now: clock() });
  assert.equal(outcome.status, "aborted");
  assert.equal(outcome.started_headers, false);
});

test("the server's request id is kept, for answers and for refusals alike", async () => {
  const ok = fakeFetch(200, sse(chunk({ content: "x" }, "stop"), { choices: [], usage: USAGE, llms: LLMS }, "[DONE]"),
    { "X-LLMS-Request-Id": "a".repeat(32) });
  assert.equal((await streamChat({ model: "m", messages: [], fetchFn: ok.fetchFn, now: clock() })).request_id, "a".repeat(32));
  const refused = fakeFetch(500, JSON.stringify({ error: { message: "boom", type: "api_error", code: "http" } }),
    { "Content-Type": "application/json", "X-LLMS-Request-Id": "b".repeat(32) });
  const outcome = await streamChat({ model: "m", messages: [], fetchFn: refused.fetchFn, now: clock() });
  assert.equal(outcome.status, "error");
  assert.equal(outcome.request_id, "b".repeat(32));
});

test("the first output is content, reasoning or a tool-call delta in any choice, as the server counts it", () => {
  assert.equal(hasOutput({ choices: [{ delta: { role: "assistant" } }] }), false);
  assert.equal(hasOutput({ choices: [] }), false);
  assert.equal(hasOutput({ usage: { prompt_tokens: 1 } }), false);
  assert.equal(hasOutput({ choices: [{ delta: { content: "A" } }] }), true);
  assert.equal(hasOutput({ choices: [{ delta: { reasoning_content: "hm" } }] }), true);
  assert.equal(hasOutput({ choices: [{ delta: { tool_calls: [{ index: 0, function: { name: "f" } }] } }] }), true);
  assert.equal(hasOutput({ choices: [{ delta: {} }, { delta: { content: "B" } }] }), true);
});
