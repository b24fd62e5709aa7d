// One streamed chat request to our server (docs/architecture.md, "Proxy responses"), told as an outcome
// the recorder can store whatever happened: ok, error (HTTP, mid-stream, network, cut) or aborted (Stop).
import { readSse } from "../rules/sse.js";

export const CHAT_URL = "/v1/chat/completions";

function errorOf(body, status, fallback) {
  const error = body && typeof body === "object" ? body.error : null;
  return {
    message: (error && error.message) || fallback,
    type: (error && error.type) || null,
    code: (error && error.code) || null,
    status,
  };
}

async function httpError(response) {
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null; // not JSON (a proxy's HTML page, say): the status line and text say enough
  }
  const error = errorOf(body, response.status, `${response.status} ${response.statusText}${text && !body ? `: ${text.slice(0, 200)}` : ""}`);
  const provider = body?.error?.provider;
  return { error, provider: typeof provider === "string" ? provider : null };
}

const isAbort = (error) => error?.name === "AbortError";

/**
 * POST the messages (and `fields`: more of the request, such as reasoning_effort) and stream the answer.
 * `onDelta({text, reasoning})` gets the answer so far on each chunk.
 * Resolves (never rejects) to {status, text, reasoning, finish_reason, usage, server, provider, provider_model,
 * started_headers, ttft_ms, response_ms, error, request_id, service_tier (the tier the chunks say served it)}; `now()` is a millisecond clock (performance.now in the page).
 */
export async function streamChat({ model, messages, fields = {}, signal, onDelta = () => {}, fetchFn = fetch, now = () => performance.now() }) {
  const started = now();
  const outcome = {
    status: "ok", text: "", reasoning: "", finish_reason: null, usage: null, server: null,
    provider: null, provider_model: null, started_headers: false, ttft_ms: null, response_ms: null, error: null,
    request_id: null, service_tier: null,
  };
  const finish = (status, error = null) => {
    outcome.status = status;
    outcome.error = error;
    outcome.response_ms = now() - started;
    return outcome;
  };
  let response;
  try {
    response = await fetchFn(CHAT_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-LLMS-Client": "app" },
      body: JSON.stringify({ model, messages, stream: true, ...fields }),
      signal,
    });
  } catch (error) {
    if (isAbort(error)) return finish("aborted");
    return finish("error", { message: `network error: ${error.message}`, type: "network_error", code: null, status: null });
  }
  // The server's id for this request, shared with its ledger line (docs/architecture.md, "Proxy responses").
  outcome.request_id = response.headers.get("X-LLMS-Request-Id");
  outcome.provider = response.headers.get("X-LLMS-Provider");
  outcome.provider_model = response.headers.get("X-LLMS-Provider-Model");
  try {
    if (!response.ok) {
      const { error, provider } = await httpError(response);
      outcome.provider ??= provider; // an error answered has no X-LLMS-Provider: its body names the provider
      return finish("error", error);
    }
    outcome.started_headers = true;
    return await readAnswer(response, outcome, onDelta, () => now() - started, finish);
  } catch (error) {
    if (isAbort(error)) return finish("aborted");
    return finish("error", { message: `stream interrupted: ${error.message}`, type: "stream_error", code: null, status: null });
  }
}

/** The reasoning text of a delta: DeepSeek's reasoning_content or OpenRouter's reasoning (one text if both). */
const reasoningOf = (delta) => delta.reasoning_content || delta.reasoning || "";

/**
 * Whether a chunk carries the first output, for time to first token: content, reasoning or a tool-call delta in
 * any choice, measured from the request's start (the rule of llms/server/proxy.py `_has_output`).
 */
export function hasOutput(chunk) {
  return (chunk.choices ?? []).some(({ delta }) => Boolean(delta?.content || reasoningOf(delta ?? {}) || delta?.tool_calls?.length));
}

// One read of the body can hold thousands of chunks (those that came while the page was busy): handled in one go
// they made one task of a quarter second; past this much of it, the rest waits for the next task.
const SLICE_MS = 8;
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function readAnswer(response, outcome, onDelta, elapsed, finish) {
  let sliceStarted = performance.now();
  for await (const payload of readSse(response.body)) {
    if (performance.now() - sliceStarted > SLICE_MS) {
      await nextTask();
      sliceStarted = performance.now();
    }
    if (payload === "[DONE]") return finish("ok");
    const chunk = JSON.parse(payload);
    if (chunk.error) return finish("error", errorOf(chunk, null, "the provider failed mid-stream")); // the 200 was sent before
    if (chunk.usage) outcome.usage = chunk.usage;
    if (typeof chunk.service_tier === "string" && chunk.service_tier) outcome.service_tier = chunk.service_tier;
    if (chunk.llms) {
      outcome.server = chunk.llms;
      outcome.provider = chunk.llms.provider ?? outcome.provider;
      outcome.provider_model = chunk.llms.provider_model ?? outcome.provider_model;
    }
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    // DeepSeek sends delta.reasoning_content (https://api-docs.deepseek.com/guides/reasoning_model), OpenRouter
    // delta.reasoning (https://openrouter.ai/docs/use-cases/reasoning-tokens); one sending both means one text.
    const reasoning = reasoningOf(delta);
    if (outcome.ttft_ms === null && hasOutput(chunk)) outcome.ttft_ms = elapsed();
    outcome.text += delta.content ?? "";
    outcome.reasoning += reasoning;
    if (choice.finish_reason) outcome.finish_reason = choice.finish_reason;
    if (delta.content || reasoning) onDelta({ text: outcome.text, reasoning: outcome.reasoning });
  }
  return finish("error", { message: "the stream ended before it finished (no [DONE])", type: "stream_cut", code: "cut", status: null });
}
