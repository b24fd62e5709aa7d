// Under the composer, while typing: what the next message will cost on the chosen model (rules/estimate.js): the
// prompt's tokens (the history and the draft as they would be sent), the part expected from cache, the output range
// of this model's past answers here, and a warning when the prompt crosses a price tier.
import { el } from "../dom.js";
import { CACHE_TTL_MS, threadTurns, ttlAfter } from "../rules/cache_timeline.js";
import { estimateNext, expectedCached, outputRange } from "../rules/estimate.js";
import { ALL_REQUESTS } from "../rules/keys.js";
import { formatTokens } from "../rules/metrics.js";
import { formatUsd } from "../rules/pricing.js";
import { priceOf } from "../rules/record.js";
import { historyForRequest } from "../rules/threads.js";
import * as store from "../store/store.js";

// A pause this long in typing updates the estimate: no work on each key, so typing never waits for it.
const TYPING_PAUSE_MS = 250;
// A model's output range comes from its answers among this many newest requests: one bounded read, not the history.
const RECENT_REQUESTS = 500;

async function outputTokensOf(alias) {
  const rows = await store.readRequestPage(ALL_REQUESTS, { limit: RECENT_REQUESTS });
  return rows.map(({ value }) => value)
    .filter((r) => r.model === alias && r.status === "ok" && r.usage && r.cost_provenance !== "estimated")
    .map((r) => r.usage.completion_tokens);
}

const costText = (cost) => formatUsd(cost.cost_usd, cost.provenance);

function lineOf(estimate, samples) {
  const { prompt_tokens: prompt, cached_tokens: cached, output, low, high } = estimate;
  const cachedText = cached ? ` (${formatTokens(cached)} from cache)` : "";
  const outputText = `${formatTokens(output.p50)}–${formatTokens(output.p90)} out${samples ? "" : " (no history yet)"}`;
  // One "~" for the range: "~$0.0082–$0.014".
  const cost = low.cost_usd === null ? "cost unknown: no price for this model" : `${costText(low)}–${formatUsd(high.cost_usd, "computed")}`;
  return `Next message: ~${formatTokens(prompt)} tokens in${cachedText} · ${outputText} · ${cost}`;
}

/**
 * Mounts the estimate after `form`, following what is typed in `input`. `model()` is the chosen {value, provider,
 * alias} or null, `config()` /api/config, `messages()` the thread's messages. `update()` after anything but the
 * draft changed.
 */
export function mountEstimate({ form, input, model, config, messages }) {
  const line = el("p", { className: "estimate-line" });
  const warning = el("p", { className: "estimate-warning", role: "alert", hidden: true });
  // Not a live region: a screen reader would read the line at every pause in typing; the tier warning is an alert.
  const node = el("div", { className: "estimate", role: "group", "aria-label": "Estimate of the next message", hidden: true }, [line, warning]);
  form.after(node);
  const outputs = new Map(); // alias → its past output tokens, read once per alias until a new answer is stored
  let timer = null;

  async function show() {
    const choice = model();
    const draft = input.value;
    if (!choice || !draft.trim()) {
      node.hidden = true;
      return;
    }
    if (!outputs.has(choice.alias)) outputs.set(choice.alias, await outputTokensOf(choice.alias));
    const thread = messages();
    const history = historyForRequest([...thread, { role: "user", content: draft }]);
    const turns = threadTurns(thread);
    const last = turns.at(-1);
    const ttlMs = turns.reduce((ttl, turn) => ttlAfter(turn.usage, ttl), CACHE_TTL_MS);
    // A cache is the model's own: after a switch of model nothing is cached for this one.
    const sameModel = last && last.model === choice.alias && last.provider === choice.provider;
    const output = outputRange(outputs.get(choice.alias));
    const estimate = estimateNext({
      promptText: history.map((m) => m.content).join("\n"), // as the recorder estimates a prompt (chat.js prompt_text)
      cachedTokens: sameModel ? expectedCached(last, Date.now(), ttlMs, Infinity) : 0,
      output, price: priceOf(config(), choice.provider, choice.value),
    });
    line.textContent = lineOf(estimate, output.samples);
    warning.hidden = !estimate.tier;
    warning.textContent = estimate.tier?.text ?? "";
    node.hidden = false;
  }

  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(show, TYPING_PAUSE_MS);
  };
  input.addEventListener("input", later);
  // The model selector is a fragment that may come later (fragments.js): its change events are heard where they bubble.
  document.addEventListener("change", (event) => { if (event.target.id === "model") later(); });
  return {
    /** The thread, the model or the store changed: show the estimate again (a new answer may change the range). */
    update({ answered = false } = {}) {
      if (answered) outputs.clear();
      later();
    },
  };
}
