// tests/vectors/budgets.json's thresholds and crossings through ui/static/js/rules/budget.js (the Python twin:
// tests/unit/budget/test_rules.py), and what the banner, the notifications and the Users bars say.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  alertText, banner, budgetRows, crossed, monthBar, notificationsDue, stateOf, thresholdOf,
} from "../../ui/static/js/rules/budget.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/budgets.json", import.meta.url), "utf8"));

for (const c of vectors.thresholds) {
  test(`budgets.json threshold ${c.name}`, () => {
    assert.equal(thresholdOf(c.spent_usd, c.cap_usd), c.threshold);
    assert.equal(stateOf(c.spent_usd, c.cap_usd), c.state);
  });
}

for (const c of vectors.crossings) {
  test(`budgets.json crossing ${c.name}`, () => assert.equal(crossed(c.before_usd, c.after_usd, c.cap_usd), c.crossed));
}

const overall = { budget: "monthly_usd", name: "All providers", spend_usd: 42.5, cap_usd: 50, hard: false };
const openai = { budget: "providers.openai", name: "openai", spend_usd: 21, cap_usd: 20, hard: true };
const groq = { budget: "providers.groq", name: "groq", spend_usd: 1, cap_usd: 10, hard: false };

test("an alert line gives the share and both amounts; a spent hard cap says requests are refused", () => {
  assert.equal(alertText(overall), "All providers: 85 % of this month's budget used ($42.50 of $50.00)");
  assert.equal(alertText(openai), "openai: this month's budget is used up ($21.00 of $20.00): requests that could pass it are refused");
  assert.equal(alertText({ ...openai, hard: false }), "openai: this month's budget is used up ($21.00 of $20.00)");
  assert.equal(alertText({ ...overall, spend_usd: 0.29, cap_usd: 1 }), "All providers: 29 % of this month's budget used ($0.29 of $1.00)"); // 0.29 × 100 = 28.999…
});

test("the banner lists budgets past 50 %, most used first, at the level of the worst", () => {
  assert.deepEqual(banner([groq, overall, openai]), {
    level: "reached",
    lines: [alertText(openai), alertText(overall)],
  });
  assert.equal(banner([groq]), null);
});

test("the server's budgets are shown when /health has them, else the browser's own month", () => {
  assert.deepEqual(budgetRows([{ ...overall, percent: 85, state: "warning", reserved_usd: 0 }], []), [overall]);
  assert.deepEqual(budgetRows(undefined, [{ name: "All providers", spent_usd: 5, budget_usd: 10, share: 0.5, over: false }]),
    [{ budget: "All providers", name: "All providers", spend_usd: 5, cap_usd: 10, hard: false }]);
});

test("a notification is due once per budget and threshold in a month", () => {
  const first = notificationsDue([overall, groq], {}, "2026-12");
  assert.deepEqual(first.due, [{ budget: "monthly_usd", threshold: 80, text: alertText(overall) }]);
  assert.deepEqual(first.seen, { "2026-12 monthly_usd": 80 });
  assert.deepEqual(notificationsDue([overall], first.seen, "2026-12").due, []);
  const higher = notificationsDue([{ ...overall, spend_usd: 50 }], first.seen, "2026-12");
  assert.deepEqual(higher.due.map((d) => d.threshold), [100]);
  // A new month forgets the last one's alerts.
  const january = notificationsDue([overall], { "2026-12 monthly_usd": 100 }, "2027-01");
  assert.deepEqual(january.seen, { "2027-01 monthly_usd": 80 });
});

test("a user's monthly bar: share for the meter, both amounts, over when past", () => {
  assert.deepEqual(monthBar(1.25, 5), { share: 0.25, text: "$1.25 of $5.00 (25 %)", over: false });
  assert.deepEqual(monthBar(6, 5), { share: 1, text: "$6.00 of $5.00 (120 %)", over: true });
  assert.equal(monthBar(1, null), null);
});
