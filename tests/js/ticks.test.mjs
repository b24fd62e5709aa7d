// A chart's y-axis labels: read like money or token counts, and never the same label twice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tickLabels, tokenTick, usdTick } from "../../ui/static/js/rules/ticks.js";

test("usd ticks read like money at every size", () => {
  assert.deepEqual([0, 0.0042, 0.01, 0.25, 2.5, 10, 120].map((v) => usdTick(v)),
    ["$0", "$0.0042", "$0.01", "$0.25", "$2.50", "$10", "$120"]);
});

test("a tiny usd range gets the decimals that tell its ticks apart", () => {
  assert.deepEqual(tickLabels([0, 0.005, 0.01, 0.015], usdTick), ["$0", "$0.005", "$0.010", "$0.015"]);
  assert.deepEqual(tickLabels([0.01, 0.012, 0.014, 0.016], usdTick), ["$0.010", "$0.012", "$0.014", "$0.016"]);
  assert.deepEqual(tickLabels([0, 0.0001, 0.0002], usdTick), ["$0", "$0.0001", "$0.0002"]);
});

test("ticks already apart keep their usual decimals", () => {
  assert.deepEqual(tickLabels([0, 0.05, 0.1, 0.15], usdTick), ["$0", "$0.05", "$0.10", "$0.15"]);
  assert.deepEqual(tickLabels([0, 20, 40], usdTick), ["$0", "$20", "$40"]);
  assert.deepEqual(tickLabels([0, 500, 1000, 1500], tokenTick), ["0", "500", "1K", "1.5K"]);
});

test("a tiny token range gets more fraction digits", () => {
  assert.deepEqual(tickLabels([1000, 1020, 1040], tokenTick), ["1K", "1.02K", "1.04K"]);
});
