// Pure: monthly budgets as a person is told about them (twin of llms/budget/rules.py's thresholds; both pass
// tests/vectors/budgets.json): the threshold reached (50 % notice, 80 % warning, 100 % reached), the crossing that
// alerts once, the banner's text, which browser notifications are due, and a user's monthly bar.
import { formatUsd } from "./pricing.js";

export const THRESHOLDS = [50, 80, 100];
export const STATES = { 0: "ok", 50: "notice", 80: "warning", 100: "reached" };

const usd = (amount) => formatUsd(amount, "computed");

/** The highest of THRESHOLDS `spentUsd` has reached (0 below the first); a $0 budget is reached at once. */
export function thresholdOf(spentUsd, capUsd) {
  return Math.max(0, ...THRESHOLDS.filter((t) => spentUsd * 100 >= capUsd * t));
}

export function stateOf(spentUsd, capUsd) {
  return STATES[thresholdOf(spentUsd, capUsd)];
}

/** The threshold a spend going from `beforeUsd` to `afterUsd` has just reached, or null (one alert per crossing). */
export function crossed(beforeUsd, afterUsd, capUsd) {
  const before = thresholdOf(beforeUsd, capUsd);
  const after = thresholdOf(afterUsd, capUsd);
  return after > before ? after : null;
}

/**
 * The budgets to show: /health's `budgets` ({budget, name, spend_usd, cap_usd, hard}, the server's month from the
 * ledger) when it has them, else the browser's own month (period.js budgetUse rows: {name, spent_usd, budget_usd}).
 */
export function budgetRows(healthBudgets, browserRows) {
  if (Array.isArray(healthBudgets) && healthBudgets.length) {
    return healthBudgets.map((b) => ({ budget: b.budget, name: b.name, spend_usd: b.spend_usd, cap_usd: b.cap_usd, hard: b.hard }));
  }
  return browserRows.map((r) => ({ budget: r.name, name: r.name, spend_usd: r.spent_usd, cap_usd: r.budget_usd, hard: false }));
}

/** One budget's alert line: "All providers: 85 % of this month's budget used ($42.50 of $50.00)". */
export function alertText(row) {
  const threshold = thresholdOf(row.spend_usd, row.cap_usd);
  // Floored, so "80 %" never shows before 80 % is reached; float noise (0.29 × 100 = 28.999…) is dropped first.
  const percent = `${Math.floor(Number(((row.spend_usd * 100) / row.cap_usd).toPrecision(12)))} %`;
  const figures = `(${usd(row.spend_usd)} of ${usd(row.cap_usd)})`;
  if (threshold < 100) return `${row.name}: ${percent} of this month's budget used ${figures}`;
  const capped = row.hard ? ": requests that could pass it are refused" : "";
  return `${row.name}: this month's budget is used up ${figures}${capped}`;
}

/**
 * The banner: the budgets past a threshold, most used first, as {level (the highest state), lines}; null when
 * every budget is under 50 %.
 */
export function banner(rows) {
  const alerting = rows
    .map((row) => ({ row, threshold: thresholdOf(row.spend_usd, row.cap_usd), share: row.cap_usd > 0 ? row.spend_usd / row.cap_usd : Infinity }))
    .filter((a) => a.threshold > 0)
    .sort((a, b) => b.share - a.share || a.row.name.localeCompare(b.row.name));
  if (!alerting.length) return null;
  return { level: STATES[alerting[0].threshold], lines: alerting.map((a) => alertText(a.row)) };
}

/**
 * Browser notifications due: one per budget and threshold crossed this month that `seen` ({"YYYY-MM budget":
 * threshold} as stored) has not been told of. Returns {due: [{budget, threshold, text}], seen: the map to store}.
 */
export function notificationsDue(rows, seen, month) {
  const next = Object.fromEntries(Object.entries(seen ?? {}).filter(([key]) => key.startsWith(`${month} `)));
  const due = [];
  for (const row of rows) {
    const key = `${month} ${row.budget}`;
    const threshold = thresholdOf(row.spend_usd, row.cap_usd);
    if (threshold > (next[key] ?? 0)) {
      due.push({ budget: row.budget, threshold, text: alertText(row) });
      next[key] = threshold;
    }
  }
  return { due, seen: next };
}

/** A user's bar for this calendar month: {share (0–1 for the meter), text, over}; null without a budget. */
export function monthBar(monthCostUsd, budgetUsd) {
  if (budgetUsd === null || budgetUsd === undefined) return null;
  const share = budgetUsd > 0 ? monthCostUsd / budgetUsd : (monthCostUsd > 0 ? Infinity : 0);
  const percent = budgetUsd > 0 ? ` (${Math.round(share * 100)} %)` : "";
  return { share: Math.min(1, share), text: `${usd(monthCostUsd)} of ${usd(budgetUsd)}${percent}`, over: monthCostUsd > budgetUsd };
}
