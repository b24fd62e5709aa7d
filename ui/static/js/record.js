// Pure: a stream outcome (stream.js) → the request record the store keeps (docs/architecture.md, "Browser store").
import { isoWithOffset } from "./keys.js";
import { costFor, estimateTokens } from "./pricing.js";
import { generationTokensPerSecond, tokensPerSecond } from "./metrics.js";

/** A record's prompt_preview is the first this many characters of the prompt (also when imported, io.js). */
export const PROMPT_PREVIEW_CHARS = 200;

/**
 * The price entry of the provider that answered, from /api/config: prices are keyed by that provider's alias,
 * which differs from the one asked when the server failed over to a provider serving the same model id
 * (llms/routing.py). Null when unpriced or unknown.
 */
export function priceOf(config, provider, providerModel, askedAlias) {
  const models = config?.providers?.find((p) => p.id === provider)?.models ?? [];
  const serving = models.filter((m) => m.provider_model === providerModel).map((m) => m.alias);
  const alias = serving.includes(askedAlias) || serving.length === 0 ? askedAlias : serving[0];
  return config?.pricing?.[provider]?.[alias] ?? null;
}

/**
 * The usage to record: the server's, or an estimate when the stream began but ended without one
 * (Stop, cut, mid-stream error), or null when no provider started answering.
 */
function usageOf(outcome, promptText) {
  if (outcome.usage) return { usage: outcome.usage, estimated: false };
  if (!outcome.started_headers) return { usage: null, estimated: false };
  const prompt = estimateTokens(promptText);
  const completion = estimateTokens(outcome.text + outcome.reasoning);
  return { usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }, estimated: true };
}

/** The record's fields from the call and the outcome, with what was made of them (usage, cost, status, error). */
function recordOf(call, outcome, { usage, cost, price, status, error }) {
  const completion = usage?.completion_tokens ?? 0;
  return {
    id: outcome.request_id ?? call.id, // the server's request_id when it gave one, so the ledger and the store agree
    timestamp: isoWithOffset(call.started),
    thread_id: call.thread_id,
    model: call.model,
    provider: outcome.provider,
    provider_model: outcome.provider_model,
    prompt_preview: call.prompt.slice(0, PROMPT_PREVIEW_CHARS),
    usage,
    cost_usd: cost.cost_usd,
    cost_provenance: cost.provenance,
    prices: cost.prices ?? price,
    response_ms: outcome.response_ms,
    ttft_ms: outcome.ttft_ms,
    tokens_per_s: tokensPerSecond(completion, outcome.response_ms),
    generation_tokens_per_s: generationTokensPerSecond(completion, outcome.response_ms, outcome.ttft_ms),
    server_duration_ms: outcome.server?.duration_ms ?? null,
    server_ttft_ms: outcome.server?.ttft_ms ?? null,
    status,
    error,
    finish_reason: outcome.finish_reason,
  };
}

const priceFor = (call, outcome) => (outcome.provider ? call.price_for(outcome.provider, outcome.provider_model) : null);

/**
 * @param {object} call    {id (used when the server gave no request_id), started: Date, thread_id, model (the alias), prompt (the user text answered),
 *                         prompt_text (all messages sent, for estimates), price_for(provider, provider_model) →
 *                         the price entry in force when the request was made, or null}
 * @param {object} outcome what streamChat resolved to
 */
export function buildRecord(call, outcome) {
  const { usage, estimated } = usageOf(outcome, call.prompt_text);
  const price = priceFor(call, outcome);
  const cost = usage ? costFor(usage, price, { estimated }) : { cost_usd: null, provenance: null, prices: price };
  return recordOf(call, outcome, { usage, cost, price, status: outcome.status, error: outcome.error });
}

/**
 * The record of a request whose outcome buildRecord could not turn into one (`error`: what it threw, e.g. a usage
 * that does not add up): an error that says what failed, without the usage it could not read, its cost unknown
 * ("unpriced" once a provider answered: it may have billed), so the request is kept and never counted as $0.
 */
export function failedRecord(call, outcome, error) {
  const price = priceFor(call, outcome);
  const cost = { cost_usd: null, provenance: outcome.provider ? "unpriced" : null, prices: price };
  const failure = `the answer could not be recorded: ${error.message}`;
  return recordOf(call, outcome, {
    usage: null, cost, price, status: "error",
    error: {
      message: outcome.error ? `${outcome.error.message}; then ${failure}` : failure,
      type: "record_error", code: null, status: outcome.error?.status ?? null,
    },
  });
}
