// Pure: a chart's y-axis tick labels (pages/charts.js). Each label reads like the figures around it ("$0.25",
// "1.5K"), and no two ticks read the same: a tiny range ($0.010 to $0.016) gets the decimals it needs, never
// "$0.01" twice.

const MAX_EXTRA_DIGITS = 6;

/** A USD tick: "$0", whole dollars from $10, cents from a cent, two significant digits below; `extra` more digits. */
export function usdTick(value, extra = 0) {
  if (value === 0) return "$0";
  if (value >= 10) return `$${value.toFixed(extra)}`;
  if (value >= 0.01) return `$${value.toFixed(2 + extra)}`;
  return `$${Number(value.toPrecision(2 + extra))}`;
}

const compact = new Map();

/** A token-count tick: "950", "1.5K", "2M"; `extra` more fraction digits. */
export function tokenTick(value, extra = 0) {
  if (!compact.has(extra)) {
    compact.set(extra, new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 + extra }));
  }
  return compact.get(extra).format(value);
}

/** The labels of `values` by `format(value, extra)` with the fewest extra digits that tells every value apart. */
export function tickLabels(values, format) {
  let labels = values.map((value) => format(value, 0));
  for (let extra = 1; extra <= MAX_EXTRA_DIGITS && new Set(labels).size < new Set(values).size; extra += 1) {
    labels = values.map((value) => format(value, extra));
  }
  return labels;
}
