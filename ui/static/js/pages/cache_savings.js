// Costs: what prompt caching saved in the range: reads saved, what cache writes cost on top (5-minute and 1-hour),
// the net and the hit rate, by provider and by model. Each request is priced by rules/savings.js at its own
// recorded prices, in its own tier.
import { el } from "../dom.js";
import { formatTokens } from "../rules/metrics.js";
import { formatUsd } from "../rules/pricing.js";
import { cacheSavings } from "../rules/savings.js";
import { afterOverview, eachRecordInRange } from "./range_records.js";
import { $ } from "./shell.js";

const usd = (amount) => formatUsd(amount, "computed");
const percent = (share) => (share === null ? "—" : `${(share * 100).toFixed(1)}\u00a0%`); // no break before "%"

/** Net saved, or "−$0.0012" when writes cost more than the reads they paid for. */
export function netText(netUsd) {
  return netUsd < 0 ? `−${usd(-netUsd)}` : usd(netUsd);
}

function tiles(s) {
  const writes = s.write_extra_5m_usd + s.write_extra_1h_usd;
  const unpriced = s.unpriced_requests
    ? `${formatTokens(s.unpriced_requests)} ${s.unpriced_requests === 1 ? "request" : "requests"} with cache tokens not priced`
    : null;
  return [
    ["Saved by cache reads", usd(s.read_saved_usd), `${formatTokens(s.cached_tokens)} tokens read from cache`],
    ["Cache writes cost", `+${usd(writes)}`, `5-minute ${usd(s.write_extra_5m_usd)} · 1-hour ${usd(s.write_extra_1h_usd)}`],
    ["Net saved", netText(s.net_saved_usd), unpriced],
    ["Cache hit rate", percent(s.hit_rate), `${formatTokens(s.cached_tokens)} of ${formatTokens(s.input_tokens)} input tokens`],
  ];
}

// Four figures a row, so a phone shows the table without scrolling; the cached token counts are in the tiles.
const COLUMNS = ["Hit rate", "Reads saved", "Writes cost", "Net saved"];
const cells = (g) => [percent(g.hit_rate), usd(g.read_saved_usd),
  `+${usd(g.write_extra_5m_usd + g.write_extra_1h_usd)}`, netText(g.net_saved_usd)];

function table(node, name, rows) {
  node.replaceChildren(
    el("thead", {}, [el("tr", {}, [name, ...COLUMNS].map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
    el("tbody", {}, rows.map(([label, group]) => el("tr", {}, [el("th", { scope: "row", text: label }),
      ...cells(group).map((text) => el("td", { className: "num", text }))]))),
  );
}

async function render(range) {
  const savings = cacheSavings();
  await eachRecordInRange(range, (record) => savings.add(record));
  const { summary, by_provider: byProvider, by_model: byModel } = savings.result();
  const used = summary.cached_tokens + summary.cache_write_tokens > 0;
  $("cache-savings").hidden = false;
  $("cache-none").hidden = used;
  $("cache-figures").hidden = !used;
  if (!used) return;
  $("cache-kpis").replaceChildren(...tiles(summary).map(([name, value, note]) => el("div", { className: "kpi" }, [
    el("dt", { text: name }), el("dd", { text: value }), ...(note ? [el("dd", { className: "kpi-note", text: note })] : []),
  ])));
  table($("cache-by-provider"), "Provider", byProvider.map((g) => [g.provider, g]));
  table($("cache-by-model"), "Model", byModel.map((g) => [g.model, g]));
}

/** Starts the section; it renders after each render of the overview. */
export function startCacheSavings() {
  afterOverview(render);
}
