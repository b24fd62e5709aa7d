// Pure: the energy cost of a request to a local model (twin: llms/pricing/energy.py; both pass
// tests/vectors/energy.json). A provider with `"energy": {"watts": 65, "usd_per_kwh": 0.30}` is priced by the
// electricity its machine drew while answering:
//   cost_usd = response_ms / 1000 × watts ÷ 3,600,000 × usd_per_kwh   (seconds × watts = joules; 3.6 MJ = 1 kWh)
// always "estimated", shown as energy ("⚡ ~$0.000011"), never as "$0.00", and summed like any other cost.
import { formatUsd } from "./pricing.js";

export const JOULES_PER_KWH = 3_600_000;
export const ENERGY_MARK = "⚡";

/** USD of electricity for `responseMs` at `energy` ({watts, usd_per_kwh}); the same order of operations as Python. */
export function energyUsd(responseMs, energy) {
  return responseMs / 1000 * energy.watts / JOULES_PER_KWH * energy.usd_per_kwh;
}

/** costFor's shape for an energy-priced request (no token prices; `energy`, the rates it was costed at). */
export function energyCost(responseMs, energy) {
  const cost = responseMs === null || responseMs === undefined ? null : energyUsd(responseMs, energy);
  return { cost_usd: cost, provenance: cost === null ? "unpriced" : "estimated", prices: null, energy };
}

/** "⚡ ~$0.000011": an energy cost as people read it (formatUsd's estimated form, marked as electricity). */
export function energyText(costUsd) {
  return `${ENERGY_MARK} ${formatUsd(costUsd, "estimated")}`;
}
