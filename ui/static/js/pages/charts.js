// uPlot wrappers for the analytics pages (uPlot 1.6.32, vendored; window.uPlot). Bars over index positions with
// our own labels, colours from the page's CSS (readable in light and dark), the hovered values in the legend,
// and a click that picks a bar.
import { tickLabels } from "../rules/ticks.js";

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/** Series colours, distinct in light and dark themes. */
export const COLORS = { primary: "#3b82f6", secondary: "#f59e0b", third: "#10b981" };

/**
 * A bar chart in `container`.
 * @param {object} o  labels: x labels; xLabel: what they are (the legend's first entry); series: [{label, values, color}]; stacked: stack the series (first at the
 *                    bottom); format(value, extra) for the axis (extra digits until no two ticks read the same,
 *                    rules/ticks.js) and the legend; onPick(index) when a bar is clicked;
 *                    selected: index drawn highlighted; height in px.
 * @returns {{destroy()}}
 */
export function barChart(container, { labels, xLabel, series, stacked = false, format, onPick = null, selected = null, height = 230 }) {
  const { uPlot } = window;
  container.replaceChildren();
  const xs = labels.map((_, i) => i);
  // Stacked: each drawn series is the running sum; drawn top-down so lower parts paint over the total.
  const sums = series.map((_, si) => xs.map((i) => series.slice(0, si + 1).reduce((sum, s) => sum + (s.values[i] ?? 0), 0)));
  const drawn = stacked ? series.map((s, si) => ({ ...s, data: sums[si], raw: s.values })).reverse()
    : series.map((s) => ({ ...s, data: s.values, raw: s.values }));
  const axis = { stroke: css("--fg-muted"), grid: { stroke: css("--border"), width: 1 }, ticks: { stroke: css("--border"), width: 1 } };
  const bars = uPlot.paths.bars({ size: [0.72, 48], gap: 1 });
  const fillFor = (color) => (selected === null ? color : (u, si) => barFill(u, color, selected));
  const options = {
    width: Math.max(300, container.clientWidth), height,
    cursor: { points: { show: false }, drag: { x: false, y: false }, focus: { prox: 30 } },
    legend: { live: true },
    scales: { x: { time: false, range: [-0.6, Math.max(0.6, xs.length - 0.4)] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] } },
    axes: [
      { ...axis, space: Math.max(40, 7 * Math.max(0, ...labels.map((l) => l.length)) + 16), values: (u, splits) => splits.map((i) => (Number.isInteger(i) ? labels[i] ?? "" : "")) },
      { ...axis, size: 70, values: (u, splits) => tickLabels(splits, format) },
    ],
    series: [
      { label: xLabel, value: (u, i) => (i == null ? "—" : labels[i] ?? "") },
      ...drawn.map((s) => ({
        label: s.label, stroke: s.color, fill: fillFor(s.color), width: 0, paths: bars, points: { show: false },
        value: (u, v, si, i) => (i == null ? "—" : format(s.raw[i] ?? 0, 0)),
      })),
    ],
  };
  const chart = new uPlot(options, [xs, ...drawn.map((s) => s.data)], container);
  if (onPick) {
    chart.over.style.cursor = "pointer";
    chart.over.addEventListener("click", () => {
      if (chart.cursor.idx !== null && chart.cursor.idx !== undefined) onPick(chart.cursor.idx);
    });
  }
  const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(300, container.clientWidth), height }));
  resize.observe(container);
  return { destroy() { resize.disconnect(); chart.destroy(); } };
}

// The picked bar keeps its colour, the others fade: a gradient would be overkill, one canvas pattern per draw.
function barFill(u, color, selected) {
  if (!(u.bbox?.width > 0)) return color; // before the first layout there is nothing to place
  const ctx = u.ctx;
  const left = u.valToPos(selected - 0.5, "x", true);
  const right = u.valToPos(selected + 0.5, "x", true);
  const gradient = ctx.createLinearGradient(u.bbox.left, 0, u.bbox.left + u.bbox.width, 0);
  const at = (x) => Math.min(1, Math.max(0, (x - u.bbox.left) / u.bbox.width));
  const faded = `${color}66`;
  gradient.addColorStop(0, faded);
  gradient.addColorStop(at(left), faded);
  gradient.addColorStop(at(left), color);
  gradient.addColorStop(at(right), color);
  gradient.addColorStop(at(right), faded);
  gradient.addColorStop(1, faded);
  return gradient;
}
