// tests/vectors/energy.json through ui/static/js/rules/energy.js (the Python twin: tests/unit/pricing/test_energy.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { energyCost, energyText } from "../../ui/static/js/rules/energy.js";

const { cases } = JSON.parse(readFileSync(new URL("../vectors/energy.json", import.meta.url), "utf8"));

for (const c of cases) {
  test(`energy.json ${c.name}: the same cost and label as Python`, () => {
    const cost = energyCost(c.response_ms, c.energy);
    assert.deepEqual(cost, { cost_usd: c.cost_usd, provenance: c.provenance, prices: null });
    if (c.label !== null) assert.equal(energyText(cost.cost_usd), c.label);
  });
}
