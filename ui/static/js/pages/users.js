// Costs › Users: each named token (`llms --serve --token NAME=SECRET`) and a `local` row for requests sent without
// one, as nr-llm's per-user table: requests, tokens and cost for the page's range, and a bar of this calendar month's
// spend against `budget.tokens.<name>` (always the current month). From /api/analytics/llm's byUser: only the server
// knows which token sent a request.
import { el } from "../dom.js";
import { monthBar } from "../rules/budget.js";
import { formatTokens, totalCostText } from "../rules/metrics.js";
import { ledgerFigures } from "./ledger_figures.js";
import { $ } from "./shell.js";

const totals = (row) => ({
  requests: row.calls, cost_usd: row.costUsd, unpriced_requests: row.unpricedCalls, estimated_requests: row.estimatedCalls,
});

function monthCell(row) {
  const bar = monthBar(row.monthCostUsd, row.monthBudgetUsd);
  if (!bar) return el("td", { className: "month-cell wide muted", "data-label": "This month", text: `${totalCostText({ requests: 1, cost_usd: row.monthCostUsd })} · no budget` });
  return el("td", { className: `month-cell wide${bar.over ? " over" : ""}`, "data-label": "This month" }, [
    el("meter", { min: "0", max: "1", low: "0.5", high: "0.8", optimum: "0", value: String(bar.share), "aria-label": `${row.name} budget used this month` }),
    el("span", { className: "budget-text", text: bar.text }),
  ]);
}

function userRow(row) {
  const name = row.userId === "local" ? "local (no token)" : row.name;
  return el("tr", { "data-user": row.userId }, [
    el("th", { scope: "row", text: name }),
    el("td", { className: "num", "data-label": "Requests", text: formatTokens(row.calls) }),
    el("td", { className: "num", "data-label": "Tokens", text: formatTokens(row.inputTokens + row.outputTokens) }),
    el("td", { className: "num", "data-label": "Cost", text: totalCostText(totals(row)) }),
    monthCell(row),
  ]);
}

/** Fills the Users section from the server's figures; says why when there are none (the ledger off, unreadable). */
export async function startUsers() {
  const section = $("users");
  const figures = await ledgerFigures();
  section.hidden = false;
  const note = $("users-note");
  if (figures.error || !figures.ledger?.enabled) {
    note.hidden = false;
    note.textContent = figures.error ?? "Per-user figures come from the server's ledger, which is off: set \"ledger\": {\"enabled\": true} in llms.json.";
    $("users-table").replaceChildren();
    return;
  }
  note.hidden = true;
  $("users-table").replaceChildren(
    el("thead", {}, [el("tr", {}, ["User", "Requests", "Tokens", "Cost", "This month"].map((h, i) => el("th", { scope: "col", className: i && i < 4 ? "num" : null, text: h })))]),
    el("tbody", {}, (figures.byUser ?? []).map(userRow)),
  );
}
