// The chat page's budget banner: budgets past 50 / 80 / 100 % of this month, and (opt-in) a browser notification
// once per budget and threshold. The figures are the server's (/health `budgets`: the month from the ledger, what
// the caps hold) when it has them, else this browser's own month (period.js budgetUse over the day rollups).
// It starts after the page's first paint; its rules (budget.js) load only once a budget exists (without one in
// llms.json there is never a banner), the month's rollup (period.js, aggregate.js: 9 KB gzipped) only without the
// server's figures.
import { el } from "../dom.js";
import { dayKey, localDate } from "../rules/keys.js";
import { readRange } from "../store/store.js";

const REFRESH_MS = 30_000;
const SETTLE_MS = 300; // after the totals change: one refresh for a burst of changes
const NOTIFY_KEY = "llms.budget.notify"; // "on" once the person asked for notifications
const SEEN_KEY = "llms.budget.notified"; // {"YYYY-MM budget": threshold} already notified
const $ = (id) => document.getElementById(id);

const budgetRules = () => import("../rules/budget.js");
const periodRules = () => import("../rules/period.js"); // this browser's month: only without the server's figures

/** Whether llms.json has a budget the banner could show: an overall or a per-provider amount (/api/config `budget`). */
const anyBudget = (budget) => typeof budget?.monthly_usd === "number" || Object.keys(budget?.providers ?? {}).length > 0;

async function browserRows(budget) {
  const { budgetUse, monthDates, summarize } = await periodRules();
  const month = monthDates(localDate(new Date()).slice(0, 7));
  const rollups = await readRange([dayKey(month[0]), dayKey(month.at(-1))]);
  return budgetUse(budget, summarize(rollups));
}

/** → {rules, rows} (rows as budget.js budgetRows), or null when there is no budget. */
async function currentRows() {
  const [health, config] = await Promise.all([
    fetch("/health").then((r) => r.json()),
    fetch("/api/config").then((r) => (r.ok ? r.json() : null)),
  ]);
  if (!health.budgets?.length && !anyBudget(config?.budget)) return null;
  const rules = await budgetRules();
  if (health.budgets?.length) return { rules, rows: rules.budgetRows(health.budgets, []) };
  return { rules, rows: rules.budgetRows(null, await browserRows(config?.budget)) };
}

function notify({ notificationsDue }, rows) {
  const month = localDate(new Date()).slice(0, 7);
  const { due, seen } = notificationsDue(rows, JSON.parse(localStorage.getItem(SEEN_KEY) ?? "{}"), month);
  localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
  if (localStorage.getItem(NOTIFY_KEY) !== "on" || !("Notification" in window) || Notification.permission !== "granted") return;
  for (const { text } of due) new Notification("llms budget", { body: text, tag: "llms-budget" });
}

async function refresh() {
  const current = await currentRows();
  const node = $("budget-banner");
  if (!current) {
    node.hidden = true;
    return;
  }
  const { rules, rows } = current;
  const shown = rules.banner(rows);
  node.hidden = shown === null;
  if (shown) {
    node.dataset.level = shown.level;
    $("budget-banner-lines").replaceChildren(...shown.lines.map((line) => el("li", { text: line })));
  }
  const button = $("budget-notify");
  button.hidden = !("Notification" in window) || (localStorage.getItem(NOTIFY_KEY) === "on" && Notification.permission === "granted");
  notify(rules, rows);
}

$("budget-notify").addEventListener("click", async () => {
  if (await Notification.requestPermission() === "granted") localStorage.setItem(NOTIFY_KEY, "on");
  await refresh();
});
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") refresh(); });
// The thread's totals are rewritten once each answer is recorded: the month's spend has changed by then.
let pending = null;
new MutationObserver(() => {
  clearTimeout(pending);
  pending = setTimeout(refresh, SETTLE_MS);
}).observe($("thread-totals"), { childList: true, subtree: true, characterData: true });
setInterval(() => { if (document.visibilityState === "visible") refresh(); }, REFRESH_MS);
if (document.readyState === "complete") refresh();
else window.addEventListener("load", refresh, { once: true });
