// Pure: recorded usage priced again, at another model's prices ("What would this range have cost on…") or at the
// prices in force today. Records keep the prices that priced them (costs are captured at call time, history is
// never rewritten): this only computes, through the one cost rule (pricing.js costFor). The Python twin is
// llms/pricing/savings.py Repricing; both pass tests/vectors/whatif.json.
import { costFor } from "./pricing.js";
import { NO_PROVIDER } from "./savings.js";

/** The usage as recorded (token counts, cache split, reasoning) without a provider-reported cost: prices decide. */
function countsOf(usage) {
  const { cost: _reported, ...counts } = usage;
  return counts;
}

function emptyRow() {
  return { requests: 0, recorded_usd: 0, recorded_unpriced: 0, repriced_usd: 0, repriced_unpriced: 0 };
}

function addTo(row, recorded, repriced) {
  row.requests += 1;
  if (recorded === null) row.recorded_unpriced += 1;
  else row.recorded_usd += recorded;
  if (repriced === null) row.repriced_unpriced += 1;
  else row.repriced_usd += repriced;
}

/**
 * `priceFor(record)` → the price entry to charge the record at (null: none). Fed records with `add(record)`,
 * `result()` gives {summary, by_model: [{provider, model, ...row}]}, most recorded cost first, where a row is
 * {requests, recorded_usd, recorded_unpriced, repriced_usd, repriced_unpriced}. Records without usage (nothing was
 * answered) are left out: there is nothing to price again.
 */
export function repricing(priceFor) {
  const summary = emptyRow();
  const byModel = new Map();
  return {
    add(record) {
      if (!record.usage) return;
      const recorded = typeof record.cost_usd === "number" ? record.cost_usd : null;
      const repriced = costFor(countsOf(record.usage), priceFor(record) ?? null).cost_usd;
      const key = JSON.stringify([record.provider || NO_PROVIDER, record.model]);
      if (!byModel.has(key)) byModel.set(key, { provider: record.provider || NO_PROVIDER, model: record.model, ...emptyRow() });
      addTo(summary, recorded, repriced);
      addTo(byModel.get(key), recorded, repriced);
    },
    result() {
      // Most recorded cost first, then most requests, then by name: where the money went leads.
      const rows = [...byModel.values()].sort((a, b) => b.recorded_usd - a.recorded_usd || b.requests - a.requests
        || (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
      return { summary, by_model: rows };
    },
  };
}
