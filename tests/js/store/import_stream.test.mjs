// Import read from a File piece by piece into the store: a JSON Lines export counted right with its progress, and a
// request wrong midway stops the import there, the whole batches before it kept and said.
import "fake-indexeddb/auto";
import { after, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import * as store from "../../../ui/static/js/store/store.js";
import { IMPORT_BATCH, ImportStopped, importFile } from "../../../ui/static/js/store/transfer.js";
import { requestsFileParts, requestsJsonlParts } from "../../../ui/static/js/rules/files/export.js";
import { ImportError } from "../../../ui/static/js/rules/files/check.js";
import { sampleRecord } from "../fixtures.mjs";

process.env.TZ = "Europe/Berlin";
let n = 0;
beforeEach(() => { store.openStore(`import-${n += 1}`); });
after(() => store.closeStore());

const BASE = Date.parse("2026-05-14T10:00:00.000+02:00");
const many = (count) => Array.from({ length: count }, (_, i) => sampleRecord({ id: `r${i}`, thread_id: null, timestamp: new Date(BASE + i * 1000).toISOString() }));

test("a JSON Lines export imports every request with progress in requests, and again adds none", async () => {
  const records = many(12);
  const file = new File(requestsJsonlParts(records), "log.jsonl");
  const progress = [];
  assert.equal(await importFile(file, (done, total) => progress.push([done, total])), "Imported 12 of 12 requests.");
  assert.deepEqual(progress.at(-1), [12, 12]);
  assert.equal(await store.countRequests(), 12);
  assert.equal(await importFile(new File(requestsFileParts(records), "log.json")), "Imported 0 of 12 requests (12 already here).");
});

test("a wrong request midway stops the import there; the whole batches before it stay and are said", async () => {
  const records = many(IMPORT_BATCH + 2);
  const lines = requestsJsonlParts(records);
  lines[IMPORT_BATCH + 2] = `${JSON.stringify({ ...records[IMPORT_BATCH + 1], timestamp: "yesterday" })}\n`;
  await assert.rejects(importFile(new File(lines, "log.jsonl")), (e) => e instanceof ImportStopped
    && e.message.startsWith(`line ${(IMPORT_BATCH + 3).toLocaleString("en-US")}.timestamp: `)
    && e.message.endsWith(`The ${IMPORT_BATCH.toLocaleString("en-US")} requests before it were kept (${IMPORT_BATCH.toLocaleString("en-US")} new, whole batches of ${IMPORT_BATCH.toLocaleString("en-US")}); import the file again once it is fixed to add the rest.`));
  assert.equal(await store.countRequests(), IMPORT_BATCH, "the batch holding the wrong request was not written at all");
});

test("a wrong request in the first batch writes nothing; a count that does not match is said", async () => {
  const records = many(3);
  const parts = requestsFileParts(records);
  parts[2] = `,\n${JSON.stringify({ ...records[1], cost_usd: "free" })}`;
  await assert.rejects(importFile(new File(parts, "log.json")), (e) => e instanceof ImportError && e.message.startsWith("requests[1].cost_usd: "));
  assert.equal(await store.countRequests(), 0);
  const short = requestsJsonlParts(records).slice(0, 3);
  await assert.rejects(importFile(new File(short, "log.jsonl")), { message: "count says 3 requests but the file holds 2: it is incomplete or was edited" });
  assert.equal(await store.countRequests(), 0);
});

test("the progress says only what is stored: each report comes once its batch is written, the next read meanwhile", async () => {
  const records = many(IMPORT_BATCH * 2 + 3);
  const reports = [];
  const said = await importFile(new File(requestsJsonlParts(records), "log.jsonl"), (done, total) => {
    reports.push(store.countRequests().then((stored) => ({ done, total, stored })));
  });
  assert.equal(said, `Imported ${records.length.toLocaleString("en-US")} of ${records.length.toLocaleString("en-US")} requests.`);
  const seen = await Promise.all(reports);
  assert.deepEqual(seen.map(({ done, total }) => [done, total]),
    [[IMPORT_BATCH, records.length], [IMPORT_BATCH * 2, records.length], [records.length, records.length]]);
  for (const { done, stored } of seen) assert.ok(stored >= done, `reported ${done} with ${stored} stored`);
  assert.equal((await store.readOrderedPage("cost", { limit: 1 })).length, 1, "each record has its order entry");
});
