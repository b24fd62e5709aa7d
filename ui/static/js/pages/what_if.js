// Costs: "What would this range have cost on…": every request's recorded usage priced at a chosen model's prices,
// beside what was recorded, by model; and the same range at today's prices (each request at the price in force now
// for its own provider and alias). Records keep the prices they were charged at: nothing here rewrites them.
import { el } from "../dom.js";
import { formatTokens } from "../rules/metrics.js";
import { formatUsd } from "../rules/pricing.js";
import { priceOf } from "../rules/record.js";
import { repricing } from "../rules/whatif.js";
import { afterOverview, eachRecordInRange, shownRange } from "./range_records.js";
import { $ } from "./shell.js";

/** "$0.42", with "(+2 unpriced)" when some requests could not be priced that way; "—" when none could. */
function amountText(usdAmount, unpriced, requests) {
  if (unpriced === requests) return formatUsd(null, "unpriced");
  return `${formatUsd(usdAmount, "computed")}${unpriced ? ` (+${formatTokens(unpriced)} unpriced)` : ""}`;
}

/** "−83 %" or "+12 %": the what-if against what was recorded; nothing when either is unknown or zero. */
function changeText(row) {
  if (!row.recorded_usd || row.recorded_unpriced || row.repriced_unpriced) return "";
  const change = (row.repriced_usd - row.recorded_usd) / row.recorded_usd;
  const shown = Math.round(Math.abs(change) * 100);
  return shown === 0 ? "0\u00a0%" : `${change < 0 ? "−" : "+"}${shown}\u00a0%`; // no break before "%"
}

// Four columns, so a phone shows the table without scrolling; the request count is in the line above it.
function table(node, heading, rows) {
  node.replaceChildren(
    el("thead", {}, [el("tr", {}, ["Model", "Recorded", heading, "Change"].map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
    el("tbody", {}, rows.map((row) => el("tr", {}, [
      el("th", { scope: "row", text: row.model }),
      ...[amountText(row.recorded_usd, row.recorded_unpriced, row.requests), amountText(row.repriced_usd, row.repriced_unpriced, row.requests), changeText(row)]
        .map((text) => el("td", { className: "num", text })),
    ]))),
  );
}

function totalText(summary, name) {
  const change = changeText(summary);
  const requests = `${formatTokens(summary.requests)} ${summary.requests === 1 ? "request" : "requests"}`;
  return `${requests}: recorded ${amountText(summary.recorded_usd, summary.recorded_unpriced, summary.requests)} · ${name} ${amountText(summary.repriced_usd, summary.repriced_unpriced, summary.requests)}${change ? ` (${change})` : ""}`;
}

/** Every priced model of /api/config as {value: "provider/alias", label, price}. */
function pricedModels(config) {
  return (config?.providers ?? []).flatMap((provider) => provider.models
    .filter((m) => config.pricing?.[provider.id]?.[m.alias])
    .map((m) => ({ value: `${provider.id}/${m.alias}`, alias: m.alias, label: `${m.alias} (${provider.id})`, price: config.pricing[provider.id][m.alias] })));
}

export function startWhatIf() {
  // Asked for at once: loaded by the overview's first render, so this section's read joins the other sections' cursor.
  const configLoaded = fetch("/api/config").then((r) => (r.ok ? r.json() : null));
  const select = $("what-if-model");
  const render = async (range) => {
    const config = await configLoaded;
    if (select.options.length <= 1) {
      select.append(...pricedModels(config).map((m) => el("option", { value: m.value, text: m.label })));
    }
    const chosen = pricedModels(config).find((m) => m.value === select.value) ?? null;
    const onModel = chosen && repricing(() => chosen.price);
    const today = repricing((record) => priceOf(config, record.provider, record.model));
    await eachRecordInRange(range, (record) => {
      onModel?.add(record);
      today.add(record);
    });
    $("what-if").hidden = false;
    $("what-if-result").hidden = !onModel;
    if (onModel) {
      const result = onModel.result();
      $("what-if-total").textContent = totalText(result.summary, `on ${chosen.label}`);
      table($("what-if-table"), `On ${chosen.alias}`, result.by_model);
    }
    const atToday = today.result();
    $("today-total").textContent = totalText(atToday.summary, "at today's prices");
    table($("today-table"), "Today", atToday.by_model);
  };
  const rerender = afterOverview(render);
  select.addEventListener("change", () => { if (shownRange()) rerender(); });
}
