// Pure: speed arithmetic and the text of the metrics shown under an answer and for a thread.
import { formatUsd } from "./pricing.js";
import { tokensOf } from "./rollup.js";

/** Tokens per second over the whole response (llms.py's speed: output_tokens / response_time); null when unknown. */
export function tokensPerSecond(completionTokens, responseMs) {
  return completionTokens > 0 && responseMs > 0 ? completionTokens / (responseMs / 1000) : null;
}

/** Generation speed: output tokens over the time after the first token; null when unknown. */
export function generationTokensPerSecond(completionTokens, responseMs, ttftMs) {
  if (ttftMs == null) return null;
  return tokensPerSecond(completionTokens, responseMs - ttftMs);
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function formatTokens(count) {
  return integer.format(count);
}

/** "412 ms" under a second, "2.31 s" under a minute, "1 m 05 s" beyond. */
export function formatDuration(ms) {
  if (ms == null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, "0")} s`;
}

/** "42.5 tok/s" under 100, "1,381 tok/s" beyond: a tenth is noise there. */
export function formatSpeed(tokensPerS) {
  if (tokensPerS == null) return "—";
  return `${tokensPerS < 100 ? tokensPerS.toFixed(1) : integer.format(tokensPerS)} tok/s`;
}

/** The cost text of counters or a record: formatUsd's rules, "—" when every request was unpriced. */
function costText(costUsd, requests, unpricedRequests, estimatedRequests) {
  if (requests > 0 && unpricedRequests === requests) return formatUsd(null, "unpriced");
  return formatUsd(costUsd, estimatedRequests > 0 ? "estimated" : "computed");
}

/**
 * The metrics under one answer as [{name, text}] (name is the accessible label), from its request record.
 * Tokens read "1,200 in (1,000 cached) / 340 out (120 reasoning)".
 */
export function messageMetrics(record) {
  const items = [{ name: "Model", text: record.model }];
  if (record.provider) items.push({ name: "Provider", text: record.provider });
  if (record.usage) {
    const t = tokensOf(record.usage);
    const inputExtras = [
      t.cached_tokens ? `${formatTokens(t.cached_tokens)} cached` : null,
      t.cache_write_tokens ? `${formatTokens(t.cache_write_tokens)} cache write` : null,
    ].filter(Boolean);
    const input = `${formatTokens(t.prompt_tokens)} in${inputExtras.length ? ` (${inputExtras.join(", ")})` : ""}`;
    const output = `${formatTokens(t.completion_tokens)} out${t.reasoning_tokens ? ` (${formatTokens(t.reasoning_tokens)} reasoning)` : ""}`;
    items.push({ name: "Tokens", text: `${input} / ${output}` });
  }
  if (record.cost_provenance) items.push({ name: "Cost", text: formatUsd(record.cost_usd, record.cost_provenance) });
  items.push({ name: "Response time", text: formatDuration(record.response_ms) });
  if (record.ttft_ms != null) items.push({ name: "Time to first token", text: `TTFT ${formatDuration(record.ttft_ms)}` });
  if (record.tokens_per_s != null) items.push({ name: "Speed", text: formatSpeed(record.tokens_per_s) });
  if (record.generation_tokens_per_s != null) {
    items.push({ name: "Generation speed", text: `${formatSpeed(record.generation_tokens_per_s)} gen` });
  }
  return items;
}

/** A thread's totals as [{name, text}]: cost, tokens in/out, requests, total response time. */
export function threadTotals(totals) {
  const requests = totals?.requests ?? 0;
  return [
    { name: "Total cost", text: requests ? costText(totals.cost_usd, requests, totals.unpriced_requests, totals.estimated_requests) : "$0.00" },
    { name: "Total tokens", text: `${formatTokens(totals?.prompt_tokens ?? 0)} in / ${formatTokens(totals?.completion_tokens ?? 0)} out` },
    { name: "Requests", text: `${requests} ${requests === 1 ? "request" : "requests"}` },
    { name: "Total response time", text: formatDuration(totals?.response_ms ?? 0) },
  ];
}
