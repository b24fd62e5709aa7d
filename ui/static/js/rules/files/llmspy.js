// Pure: llms.py's export files read as ours: its request log (Activity) and its threads. Its costs are kept as
// reported (provenance "imported"); its records are built through the one record definition (../record.js).
import { isoWithOffset } from "../keys.js";
import { emptyCounters } from "../counters.js";
import { checkRecord, speedsOf } from "../record.js";
import { MAX_TEXT_CHARS, array, fail, id, number, object, text, tokenCount } from "./check.js";

/** llms.py prices are USD per token as text ("0.0000025"); ours are USD per 1M tokens, without float noise. */
export function perMillion(at, value) {
  if (value === null || value === undefined || value === "") return null;
  const perToken = typeof value === "string" ? Number(value) : value;
  if (typeof perToken !== "number" || !Number.isFinite(perToken) || perToken < 0) fail(at, "a price per token like \"0.0000025\"", value);
  return Number((perToken * 1_000_000).toPrecision(12));
}

/** A time llms.py wrote: unix seconds, epoch ms, or an ISO text; → epoch ms. */
function llmspyTime(at, value) {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return Math.round(value < 1e11 ? value * 1000 : value);
  if (typeof value === "string" && Number.isFinite(Date.parse(value))) return Date.parse(value);
  return fail(at, "unix seconds or an ISO 8601 time", value);
}

/** One llms.py request (its Activity log's record) as ours; its cost is kept as reported, provenance "imported". */
export function fromLlmspyRequest(at, value) {
  object(at, value);
  const epochMs = llmspyTime(`${at}.created`, value.created);
  const input = tokenCount(`${at}.inputTokens`, value.inputTokens ?? 0);
  const output = tokenCount(`${at}.outputTokens`, value.outputTokens ?? 0);
  const cached = tokenCount(`${at}.inputCachedTokens`, value.inputCachedTokens ?? 0);
  const total = tokenCount(`${at}.totalTokens`, value.totalTokens ?? input + output, { total: true });
  const cost = value.cost === null || value.cost === undefined || value.cost === "" ? null : Number(value.cost);
  if (cost !== null && (!Number.isFinite(cost) || cost < 0)) fail(`${at}.cost`, "a cost in USD ≥ 0", value.cost);
  const inputPrice = perMillion(`${at}.inputPrice`, value.inputPrice);
  const outputPrice = perMillion(`${at}.outputPrice`, value.outputPrice);
  const duration = number(`${at}.duration`, value.duration, { nullable: true });
  const finish = text(`${at}.finishReason`, value.finishReason, { nullable: true, max: 100 });
  return checkRecord(at, {
    id: value.id,
    timestamp: isoWithOffset(new Date(epochMs)),
    thread_id: value.threadId ?? null,
    model: value.model,
    provider: value.provider ?? null,
    provider_model: value.providerModel ?? null,
    prompt_preview: value.title ?? "",
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: total, prompt_tokens_details: { cached_tokens: cached } },
    cost_usd: cost,
    cost_provenance: cost === null ? "unpriced" : "imported",
    prices: inputPrice === null && outputPrice === null ? null : { input: inputPrice, output: outputPrice },
    response_ms: duration,
    ttft_ms: null,
    tokens_per_s: speedsOf(output, duration, null).tokens_per_s,
    generation_tokens_per_s: null,
    server_duration_ms: null,
    server_ttft_ms: null,
    status: finish === "error" ? "error" : "ok",
    error: null,
    finish_reason: finish,
  });
}

/** llms.py message content: a text, or OpenAI content parts whose text parts are kept. */
function llmspyContent(at, value) {
  if (typeof value === "string") return text(at, value, { max: MAX_TEXT_CHARS });
  if (value === null || value === undefined) return "";
  return array(at, value, 1000).map((part, i) => {
    object(`${at}[${i}]`, part);
    return part.type === "text" ? text(`${at}[${i}].text`, part.text, { max: MAX_TEXT_CHARS }) : `[${String(part.type).slice(0, 40)}]`;
  }).join("\n");
}

/** One llms.py thread as ours: {thread, messages}; system and tool messages are counted in `skipped`. */
export function fromLlmspyThread(at, value) {
  object(at, value);
  const threadId = id(`${at}.id`, value.id);
  const created = new Date(llmspyTime(`${at}.createdAt`, value.createdAt)).toISOString();
  const updated = value.updatedAt === undefined ? created : new Date(llmspyTime(`${at}.updatedAt`, value.updatedAt)).toISOString();
  const messages = [];
  let skipped = 0;
  array(`${at}.messages`, value.messages ?? [], 100_000).forEach((message, i) => {
    object(`${at}.messages[${i}]`, message);
    if (message.role !== "user" && message.role !== "assistant") {
      skipped += 1;
      return;
    }
    messages.push({
      id: `${threadId}-${i}`, thread_id: threadId, seq: messages.length, role: message.role,
      content: llmspyContent(`${at}.messages[${i}].content`, message.content), created_at: created,
      ...(message.role === "assistant" ? { status: "ok", error: null } : {}),
    });
  });
  const thread = {
    id: threadId, title: text(`${at}.title`, value.title ?? "Imported chat", { max: 1000 }) || "Imported chat",
    created_at: created, updated_at: updated, model: text(`${at}.model`, value.model ?? "", { max: 300 }),
    next_seq: messages.length, totals: emptyCounters(),
  };
  const systemPrompt = text(`${at}.systemPrompt`, value.systemPrompt, { nullable: true, max: MAX_TEXT_CHARS });
  if (systemPrompt) thread.system_prompt = systemPrompt;
  return { thread, messages, skipped };
}
