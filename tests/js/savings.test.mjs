// The same vectors as tests/unit/pricing/test_savings.py, through ui/static/js/rules/savings.js.
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { cacheSavings, requestSavings } from "../../ui/static/js/rules/savings.js";
import { assertClose } from "./vectors_close.mjs";

const vectors = JSON.parse(readFileSync(new URL("../vectors/savings.json", import.meta.url), "utf8"));

for (const c of vectors.requests) {
  test(`request vector ${c.name}`, () => assertClose(requestSavings(c.usage, c.price), c.expected, c.name));
}

for (const c of vectors.groups) {
  test(`group vector ${c.name}`, () => {
    const savings = cacheSavings();
    c.records.forEach((record) => savings.add(record));
    assertClose(savings.result(), c.expected, c.name);
  });
}
