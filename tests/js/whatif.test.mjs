// tests/vectors/whatif.json through ui/static/js/rules/whatif.js (today's prices found by record.js priceOf).
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { priceOf } from "../../ui/static/js/rules/record.js";
import { repricing } from "../../ui/static/js/rules/whatif.js";
import { assertClose } from "./vectors_close.mjs";

const vectors = JSON.parse(readFileSync(new URL("../vectors/whatif.json", import.meta.url), "utf8"));

const run = (priceFor) => {
  const what = repricing(priceFor);
  vectors.records.forEach((record) => what.add(record));
  return what.result();
};

test("every record priced at the target model", () => {
  assertClose(run(() => vectors.on_model.target), vectors.on_model.expected, "on_model");
});

test("every record priced at today's price of its own provider and alias", () => {
  const { config } = vectors.todays_prices;
  assertClose(run((record) => priceOf(config, record.provider, record.model)), vectors.todays_prices.expected, "todays_prices");
});
