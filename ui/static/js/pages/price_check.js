// Costs › Price check: per model, how far our computed costs drift from what providers reported they billed
// (OpenRouter's usage.cost), from /api/analytics/llm's priceCheck (llms/pricing/drift.py). Past 1 % our prices are
// stale, and the row says what to run.
import { el } from "../dom.js";
import { formatTokens } from "../rules/metrics.js";
import { formatUsd } from "../rules/pricing.js";
import { ledgerFigures } from "./ledger_figures.js";
import { $ } from "./shell.js";

const PERCENT = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" });

function driftText(drift) {
  return drift === null ? "reported $0" : PERCENT.format(drift).replace("%", " %");
}

function checkRow(row) {
  return el("tr", { className: row.stale ? "stale" : null, "data-model": row.model }, [
    el("th", { scope: "row", text: row.model }),
    el("td", { "data-label": "Provider", text: row.provider }),
    el("td", { className: "num", "data-label": "Requests", text: formatTokens(row.calls) }),
    el("td", { className: "num", "data-label": "Reported", text: formatUsd(row.reportedCostUsd, "reported") }),
    el("td", { className: "num", "data-label": "Computed", text: formatUsd(row.computedCostUsd, "computed") }),
    el("td", { className: "num", "data-label": "Drift", text: driftText(row.drift) }),
    el("td", { className: `wide ${row.stale ? "price-stale" : "muted"}`, text: row.hint ?? "prices match" }),
  ]);
}

/** Fills the Price check from the server's figures; hidden when the ledger is off (Users says why). */
export async function startPriceCheck() {
  const figures = await ledgerFigures();
  if (figures.error || !figures.ledger?.enabled) return;
  $("price-check").hidden = false;
  const rows = figures.priceCheck ?? [];
  $("price-check-empty").hidden = rows.length > 0;
  $("price-check-table").hidden = rows.length === 0;
  $("price-check-table").replaceChildren(
    el("thead", {}, [el("tr", {}, ["Model", "Provider", "Requests", "Reported", "Computed", "Drift", ""].map((h, i) => el("th", { scope: "col", className: i >= 2 && i <= 5 ? "num" : null, text: h })))]),
    el("tbody", {}, rows.map(checkRow)),
  );
}
