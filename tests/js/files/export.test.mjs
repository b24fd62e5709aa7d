// Export: the CSV of the Activity log (tests/vectors/csv.json holds the columns and cells both languages write).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  CSV_COLUMNS, ROUNDING, csvCell, recordsCsv, requestsFileParts, requestsJsonlParts, rounded,
} from "../../../ui/static/js/rules/files/export.js";
import { fromLedger } from "../../../ui/static/js/rules/record.js";
import { sampleRecord } from "../fixtures.mjs";

test("CSV quotes commas, quotes and newlines, and defuses spreadsheet formulas", () => {
  const csv = recordsCsv([sampleRecord({ prompt_preview: "=HYPERLINK(\"x\"), then\nmore" })]);
  const [head, row, end] = csv.split("\r\n");
  assert.equal(head.split(",")[0], "timestamp");
  assert.equal(row, "2026-05-14T09:30:12.345+02:00,0b6c2f4e-1111-4222-8333-444455556666,,openai,gpt-4o,gpt-4o-2024-08-06,ok,stop,"
    + "\"'=HYPERLINK(\"\"x\"\"), then\nmore\",1200,340,1000,0,120,0.0064,computed,2310.4,412,147.2,");
  assert.equal(end, "");
});

const csvVectors = JSON.parse(readFileSync(new URL("../../vectors/csv.json", import.meta.url), "utf8"));

test("csv.json: the columns are the ones llms --report csv writes, in its order", () => {
  assert.deepEqual(CSV_COLUMNS, csvVectors.columns);
  assert.equal(recordsCsv([]), csvVectors.header);
});

test("csv.json: every cell is written as llms --report csv writes it", () => {
  for (const { value, cell } of csvVectors.cells) assert.equal(csvCell(value), cell, JSON.stringify(value));
});

test("csv.json: float noise is rounded per column as llms --report csv rounds it", () => {
  for (const { column, value, cell } of csvVectors.rounding) assert.equal(csvCell(rounded(column, value)), cell, `${column} ${value}`);
  assert.deepEqual(ROUNDING, csvVectors.rounding_places);
  assert.deepEqual(Object.keys(ROUNDING).filter((column) => !CSV_COLUMNS.includes(column)), []);
});

for (const { name, line, row } of csvVectors.rows) {
  test(`csv.json ${name}: a pulled ledger line is exported as the server's CSV row`, () => {
    assert.equal(recordsCsv([fromLedger("line", line)]), csvVectors.header + row);
  });
}

test("the JSON exports write a record's costs and times without float noise and leave the rest as stored", () => {
  const noisy = sampleRecord({ cost_usd: 7.899999999906868, computed_cost_usd: 0.1 + 0.2, response_ms: 2310.4000000000001 + 1e-9 });
  const clean = sampleRecord();
  const now = new Date("2026-05-20T10:00:00Z");
  const [json] = JSON.parse(requestsFileParts([noisy, clean], now).join("")).requests
    .map((r) => [r.cost_usd, r.computed_cost_usd, r.response_ms]);
  assert.deepEqual(json, [7.899999999907, 0.3, 2310.4]);
  const lines = requestsJsonlParts([noisy, clean], now).join("").trim().split("\n").slice(1).map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { ...noisy, cost_usd: 7.899999999907, computed_cost_usd: 0.3, response_ms: 2310.4 });
  assert.deepEqual(lines[1], clean);
  assert.equal(noisy.cost_usd, 7.899999999906868, "the stored record is not changed");
});
