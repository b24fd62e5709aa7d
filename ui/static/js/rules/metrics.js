// Pure: speed arithmetic and the text of the metrics shown under an answer and for a thread.
import { energyText } from "./energy.js";
import { formatUsd } from "./pricing.js";
import { tokensOf } from "./counters.js";

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

/**
 * The cost of a total (a thread's, a day's, a range's, a group's: counters with requests, cost_usd,
 * unpriced_requests, estimated_requests) as {text, note}: "~" when part of it is estimated, "—" when every request
 * was unpriced, and the note "+N unpriced" (else null) when any was, so unknown costs are never passed off as included.
 */
export function totalCost(totals) {
  const requests = totals?.requests ?? 0;
  const unpriced = totals?.unpriced_requests ?? 0;
  const text = requests > 0 && unpriced === requests
    ? formatUsd(null, "unpriced")
    : formatUsd(totals?.cost_usd ?? 0, totals?.estimated_requests > 0 ? "estimated" : "computed");
  return { text, note: unpriced ? `+${unpriced} unpriced` : null };
}

/** totalCost on one line, "$0.0075 (+1 unpriced)", as the analytics pages' tiles and tables show it. */
export function totalCostText(totals) {
  const { text, note } = totalCost(totals);
  return note ? `${text} (${note})` : text;
}

/** Why a record's cost is unknown and what to do, or null: a model with no price names the llms.json entry to add. */
export function unpricedHint(record) {
  if (record.cost_provenance !== "unpriced" || record.prices || !record.provider) return null;
  return `no price: add providers.${record.provider}.pricing.${record.model} to llms.json`;
}

function costMetric(record) {
  if (record.energy && record.cost_usd !== null) {
    const { watts, usd_per_kwh: perKwh } = record.energy;
    return { name: "Cost", text: energyText(record.cost_usd),
      title: `Energy cost (estimated): ${formatDuration(record.response_ms)} × ${watts} W at ${formatUsd(perKwh, "computed")} per kWh` };
  }
  const item = { name: "Cost", text: formatUsd(record.cost_usd, record.cost_provenance) };
  const hint = unpricedHint(record);
  if (!hint) return item;
  return { ...item, note: hint,
    title: `Cost unknown: ${record.model} on ${record.provider} has no price. Add providers.${record.provider}.pricing.`
      + `${record.model} with input and output in USD per 1M tokens to llms.json; it is never counted as $0.` };
}

/**
 * The metrics under one answer as [{name, text, note?, title?}] (name is the accessible label; note, a short visible
 * remark after the text, and title, its longer form), from its request record.
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
  if (record.cost_provenance) items.push(costMetric(record));
  items.push({ name: "Response time", text: formatDuration(record.response_ms) });
  if (record.ttft_ms != null) items.push({ name: "Time to first token", text: `TTFT ${formatDuration(record.ttft_ms)}` });
  if (record.tokens_per_s != null) items.push({ name: "Speed", text: formatSpeed(record.tokens_per_s) });
  if (record.generation_tokens_per_s != null) {
    items.push({ name: "Generation speed", text: `${formatSpeed(record.generation_tokens_per_s)} gen` });
  }
  return items;
}

/** A thread's totals as [{name, text, note?}] (fillMetrics' items): cost, tokens in/out, requests, total response time. */
export function threadTotals(totals) {
  const requests = totals?.requests ?? 0;
  return [
    { name: "Total cost", ...totalCost(totals) },
    { name: "Total tokens", text: `${formatTokens(totals?.prompt_tokens ?? 0)} in / ${formatTokens(totals?.completion_tokens ?? 0)} out` },
    { name: "Requests", text: `${requests} ${requests === 1 ? "request" : "requests"}` },
    { name: "Total response time", text: formatDuration(totals?.response_ms ?? 0) },
  ];
}
