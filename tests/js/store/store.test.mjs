// The browser store against a fake IndexedDB: a request, its day rollup and search line in one write; bulk adds
// deduplicated by id; demo data removed alone.
import "fake-indexeddb/auto";
import { after, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import * as store from "../../../ui/static/js/store/store.js";
import { dayKey, requestKey } from "../../../ui/static/js/rules/keys.js";
import { ALL_SEARCH_CHUNKS } from "../../../ui/static/js/rules/search.js";
import { sampleRecord } from "../fixtures.mjs";

process.env.TZ = "Europe/Berlin";
let n = 0;
beforeEach(() => { store.openStore(`test-${n += 1}`); });
after(() => store.closeStore());

const item = (id, timestamp, over = {}) => ({ record: sampleRecord({ id, timestamp, thread_id: null, ...over }), epoch_ms: Date.parse(timestamp) });

test("a recorded request writes its record, its day rollup and its search line together", async () => {
  const started = new Date("2026-05-14T09:30:12.345+02:00");
  const record = sampleRecord({ thread_id: null });
  const { key } = await store.recordRequest({ record, started, answer: {} });
  assert.equal(key, requestKey(started.getTime(), record.id));
  assert.deepEqual(await store.readValue(key), record);
  const [day] = await store.readRange([dayKey("2026-05-14"), dayKey("2026-05-14")]);
  assert.equal(day.requests, 1);
  assert.equal(day.cost_usd, 0.0064);
  assert.equal(day.by_model["gpt-4o"].prompt_tokens, 1200);
  const chunks = await store.readRange(ALL_SEARCH_CHUNKS);
  assert.deepEqual(chunks, [`${key}\tgpt-4o openai gpt-4o-2024-08-06 ok hello\n`]);
});

test("bulk adds skip ids already stored within five minutes and count what they added", async () => {
  assert.equal(await store.addRequests([item("a", "2026-05-14T10:00:00.000+02:00"), item("b", "2026-05-14T10:01:00.000+02:00")]), 2);
  assert.equal(await store.addRequests([item("a", "2026-05-14T10:02:00.000+02:00"), item("c", "2026-05-14T10:03:00.000+02:00")]), 1);
  assert.equal(await store.countRequests(), 3);
});

test("removing the demo takes its records away alone and rebuilds the days they touched", async () => {
  await store.addRequests([item("demo-000001", "2026-05-14T10:00:00.000+02:00", { demo: true }), item("mine", "2026-05-14T11:00:00.000+02:00")]);
  assert.equal(await store.removeDemo(), 1);
  assert.equal(await store.countRequests(), 1);
  const [day] = await store.readRange([dayKey("2026-05-14"), dayKey("2026-05-14")]);
  assert.equal(day.requests, 1);
  assert.equal((await store.readRange(ALL_SEARCH_CHUNKS)).join("").split("\n").filter(Boolean).length, 1);
});

test("a request the ledger pull stored first is replaced when this tab records it, and counts once", async () => {
  // The pull ran while the answer was still streaming: the ledger's copy (the server's clock, no thread) is in.
  const pulled = item("req-1", "2026-05-14T09:30:11.900+02:00", { cost_usd: 0.005, prompt_preview: "from the ledger" });
  await store.addRequests([pulled, item("other", "2026-05-14T09:40:00.000+02:00")]);
  const started = new Date("2026-05-14T09:30:12.345+02:00");
  const record = sampleRecord({ id: "req-1", thread_id: null });
  const { key } = await store.recordRequest({ record, started, answer: {} });
  assert.equal(await store.countRequests(), 2);
  assert.equal(await store.readValue(requestKey(pulled.epoch_ms, "req-1")), undefined);
  assert.deepEqual(await store.readValue(key), record);
  const [day] = await store.readRange([dayKey("2026-05-14"), dayKey("2026-05-14")]);
  assert.equal(day.requests, 2);
  assert.equal(day.cost_usd, 0.0064 + 0.0064); // this tab's record and "other"; the ledger copy's 0.005 is gone
  const lines = (await store.readRange(ALL_SEARCH_CHUNKS)).join("").split("\n").filter(Boolean);
  assert.equal(lines.length, 2);
  assert.equal(lines.filter((line) => line.includes("from the ledger")).length, 0);
});

test("the copy replaced may sit on the day before, which then loses its rollup when left empty", async () => {
  await store.addRequests([item("req-2", "2026-05-13T23:59:59.500+02:00")]);
  await store.recordRequest({ record: sampleRecord({ id: "req-2", thread_id: null }), started: new Date("2026-05-14T00:00:00.200+02:00"), answer: {} });
  assert.deepEqual(await store.readRange([dayKey("2026-05-13"), dayKey("2026-05-13")]), []);
  const [day] = await store.readRange([dayKey("2026-05-14"), dayKey("2026-05-14")]);
  assert.equal(day.requests, 1);
  assert.equal(await store.countRequests(), 1);
});

const pendingOf = (id, started) => ({ status: "pending", id, page: "page-1", started: started.toISOString(), thread_id: null,
  model: "gpt-4o", provider: "openai", prompt: "hello", prompt_text: "hello", price: null, text: "so far", reasoning: "" });

test("a pending request is in the store apart from the records, and goes in the step that stores its record", async () => {
  const started = new Date("2026-05-14T09:30:12.345+02:00");
  const record = sampleRecord({ id: "server-request-id", thread_id: null }); // the server's id, not the call's
  await store.putPending(pendingOf("call-id", started));
  assert.deepEqual((await store.readPending()).map((p) => [p.id, p.status, p.text]), [["call-id", "pending", "so far"]]);
  assert.equal(await store.countRequests(), 0, "not a record until it ends");
  assert.deepEqual(await store.readRange([dayKey("2026-05-14"), dayKey("2026-05-14")]), [], "nor in a day's rollup");
  await store.recordRequest({ record, started, answer: {}, pendingId: "call-id" });
  assert.deepEqual(await store.readPending(), []);
  assert.equal(await store.countRequests(), 1);
});

test("a pending request is settled once: a second settle, or one after its record was stored, writes nothing", async () => {
  const started = new Date("2026-05-14T09:30:12.345+02:00");
  const aborted = (pending) => ({ record: sampleRecord({ id: pending.id, thread_id: null, status: "aborted" }), started, answer: {} });
  await store.putPending(pendingOf("left", started));
  const settled = await store.settlePending("left", aborted);
  assert.equal(settled.id, "left");
  assert.equal(settled.status, "aborted");
  assert.equal(await store.settlePending("left", aborted), null);
  assert.equal(await store.countRequests(), 1);
  const [day] = await store.readRange([dayKey("2026-05-14"), dayKey("2026-05-14")]);
  assert.equal(day.aborted, 1);

  const record = sampleRecord({ id: "finished", thread_id: null });
  await store.putPending(pendingOf("finished", started));
  await store.recordRequest({ record, started, answer: {}, pendingId: "finished" });
  assert.equal(await store.settlePending("finished", aborted), null, "its page stored it first");
  assert.equal(await store.countRequests(), 2);
});

test("a pending entry is dropped without a record when its request could not be stored", async () => {
  await store.putPending(pendingOf("unsaved", new Date()));
  await store.dropPending("unsaved");
  assert.deepEqual(await store.readPending(), []);
});
