// The order entries: Activity's number columns paged in sortRows' order over the whole store, kept with the records
// they point at (written, replaced and removed together), and built for a store that holds records without them.
import "fake-indexeddb/auto";
import { after, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import * as store from "../../../ui/static/js/store/store.js";
import { ORDER_COLUMNS, ORDER_META, ORDER_STORE, ORDER_VERSION, orderEntry } from "../../../ui/static/js/store/order.js";
import { createStore, promisifyRequest } from "../../../ui/static/vendor/idb-keyval-6.3.0.js";
import { requestKey, requestRange } from "../../../ui/static/js/rules/keys.js";
import { sortRows, sortValue } from "../../../ui/static/js/rules/search.js";
import { sampleRecord } from "../fixtures.mjs";

process.env.TZ = "Europe/Berlin";
let n = 0;
let name;
beforeEach(() => { name = `order-${n += 1}`; store.openStore(name); });
after(() => store.closeStore());

const BATCH = 4; // buildOrder's batch here (5,000 in the app): several batches from a few records
const BASE = Date.parse("2026-05-14T10:00:00.000+02:00");
// Ties, a missing usage, a missing cost and a missing speed: the cases an order can get wrong.
const items = [
  { cost_usd: 0.5, usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }, response_ms: 900, tokens_per_s: 20 },
  { cost_usd: 0.5, usage: null, cost_provenance: null, response_ms: 100, tokens_per_s: null },
  { cost_usd: null, cost_provenance: null, usage: { prompt_tokens: 3000, completion_tokens: 5, total_tokens: 3005 }, response_ms: 900, tokens_per_s: 99.5 },
  { cost_usd: 0.0001, usage: { prompt_tokens: 10, completion_tokens: 700, total_tokens: 710 }, response_ms: 12.5, tokens_per_s: 7 },
  { cost_usd: 12, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, response_ms: 40000, tokens_per_s: 0 },
].map((over, i) => {
  const epoch_ms = BASE + i * 3_600_000;
  return { epoch_ms, record: sampleRecord({ id: `r${i}`, timestamp: new Date(epoch_ms).toISOString(), thread_id: null, ...over }) };
});

const expected = (column, dir, keep = () => true) => sortRows(
  items.filter(keep).map(({ record, epoch_ms }) => ({ key: requestKey(epoch_ms, record.id), value: sortValue(column, record) })), column, dir,
).map((row) => row.key);

const pageKeys = async (column, options) => (await store.readOrderedPage(column, options)).map((row) => row.key);

test("every number column pages in sortRows' order, both ways, with offsets and a date range", async () => {
  await store.addRequests(items);
  assert.equal(await store.orderReady(), true, "an empty store's first write marks its order entries built");
  for (const column of ORDER_COLUMNS) {
    for (const [dir, direction] of [["asc", "next"], ["desc", "prev"]]) {
      assert.deepEqual(await pageKeys(column, { direction, limit: 50 }), expected(column, dir), `${column} ${dir}`);
      assert.deepEqual(await pageKeys(column, { direction, offset: 2, limit: 2 }), expected(column, dir).slice(2, 4), `${column} ${dir} page 2`);
      const bounds = requestRange(BASE + 3_600_000, BASE + 3 * 3_600_000);
      const inside = ({ epoch_ms }) => epoch_ms >= BASE + 3_600_000 && epoch_ms < BASE + 3 * 3_600_000;
      assert.deepEqual(await pageKeys(column, { bounds, direction, offset: 1, limit: 5 }), expected(column, dir, inside).slice(1), `${column} ${dir} in range`);
    }
  }
  const [top] = await store.readOrderedPage("cost", { limit: 1 });
  assert.equal(top.value.id, "r4", "a row carries its record");
});

test("a replaced request, removed demo records and a cleared store take their order entries with them", async () => {
  const demo = { epoch_ms: BASE - 60_000, record: sampleRecord({ id: "demo-1", timestamp: new Date(BASE - 60_000).toISOString(), thread_id: null, demo: true, cost_usd: 99 }) };
  await store.addRequests([demo, ...items]);
  assert.equal((await store.readOrderedPage("cost", { limit: 1 }))[0].key, requestKey(demo.epoch_ms, "demo-1"));
  await store.removeDemo();
  assert.deepEqual(await pageKeys("cost", { limit: 50 }), expected("cost", "desc"));
  const again = sampleRecord({ id: "r0", timestamp: new Date(items[0].epoch_ms + 1000).toISOString(), thread_id: null, cost_usd: 50 });
  await store.recordRequest({ record: again, started: new Date(items[0].epoch_ms + 1000), answer: {} });
  const costs = (await store.readOrderedPage("cost", { limit: 50 })).map((row) => row.value.cost_usd);
  assert.deepEqual(costs, [50, 12, 0.5, 0.0001, null], "the ledger's copy of r0 is gone with its key; the browser's counts once");
  await store.clearAll();
  await store.addRequests(items.slice(0, 1));
  assert.deepEqual(await pageKeys("speed", { limit: 50 }), expected("speed", "desc", ({ record }) => record.id === "r0"));
});

/** Runs `work(transaction)` over every object store of database `name` at its current version, then closes it. */
const rawWrite = (dbName, work, version = undefined) => new Promise((resolve, reject) => {
  const open = indexedDB.open(dbName, version);
  open.onupgradeneeded = () => open.result.createObjectStore(store.STORE_NAME);
  open.onsuccess = () => {
    const db = open.result;
    const transaction = db.transaction([...db.objectStoreNames], "readwrite");
    work(transaction);
    transaction.oncomplete = () => { db.close(); resolve(); };
    transaction.onerror = () => reject(transaction.error);
  };
  open.onerror = () => reject(open.error);
});

const olderRecords = (count) => Array.from({ length: count }, (_, i) => {
  const epoch_ms = BASE + i * 1000;
  return { epoch_ms, record: sampleRecord({ id: `old-${i}`, timestamp: new Date(epoch_ms).toISOString(), thread_id: null, cost_usd: (i * 7919) % 1000 }) };
});

test("a store holding records without order entries has them built in batches, with progress, and resumes", async () => {
  // What an older version of the app left: records only, no order entries, no mark.
  const raw = createStore(name, store.STORE_NAME);
  const many = olderRecords(BATCH + 3);
  await raw("readwrite", (s) => {
    for (const { record, epoch_ms } of many) s.put(record, requestKey(epoch_ms, record.id));
    return promisifyRequest(s.transaction);
  });
  assert.equal(await store.orderReady(), false);
  assert.deepEqual(await store.readOrderedPage("cost", { limit: 5 }), [], "no entries yet: Activity must build first");
  // A tab closed after the first batch: the mark says how far it got, and the build goes on from there.
  const first = many.slice(0, BATCH);
  await rawWrite(name, (transaction) => {
    const order = transaction.objectStore(ORDER_STORE);
    for (const { record, epoch_ms } of first) order.put(orderEntry(record), requestKey(epoch_ms, record.id));
    const through = requestKey(first.at(-1).epoch_ms, first.at(-1).record.id);
    transaction.objectStore(store.STORE_NAME).put({ version: ORDER_VERSION, through, built: first.length, done: false }, ORDER_META);
  });
  const progress = [];
  await store.buildOrder((done, total) => progress.push([done, total]), BATCH);
  assert.deepEqual(progress, [[many.length, many.length]], "one batch was left");
  assert.equal(await store.orderReady(), true);
  const costs = (await store.readOrderedPage("cost", { limit: many.length })).map((row) => row.value.cost_usd);
  assert.equal(costs.length, many.length);
  assert.deepEqual(costs, [...costs].sort((a, b) => b - a));
  await store.buildOrder(() => assert.fail("a built store is not walked again"), BATCH);
});

test("a version 1 database loses its ordered keys in the data store and has order entries built instead", async () => {
  // Version 1 kept five keys ["ord", column, value, request key] per record in the data store, and a built mark.
  const older = `order-v1-${n}`;
  const many = olderRecords(BATCH + 1);
  await rawWrite(older, (transaction) => {
    const data = transaction.objectStore(store.STORE_NAME);
    for (const { record, epoch_ms } of many) {
      const key = requestKey(epoch_ms, record.id);
      data.put(record, key);
      for (const column of ORDER_COLUMNS) data.put(0, ["ord", column, sortValue(column, record), key]);
    }
    data.put({ version: 1, through: null, built: 0, done: true }, ORDER_META);
  }, 1);
  store.openStore(older);
  assert.equal(await store.orderReady(), false, "the entries are built again for the new store");
  await store.buildOrder(() => {}, BATCH);
  assert.deepEqual(await pageKeys("cost", { limit: many.length }), sortRows(
    many.map(({ record, epoch_ms }) => ({ key: requestKey(epoch_ms, record.id), value: record.cost_usd })), "cost", "desc",
  ).map((row) => row.key));
  const leftover = await store.readRange([["ord"], ["ord", []]]);
  assert.deepEqual(leftover, [], "no key of version 1 is left in the data store");
  assert.equal(await store.countRequests(), many.length);
});

test("a fresh build reports each batch", async () => {
  const raw = createStore(name, store.STORE_NAME);
  const many = Array.from({ length: BATCH * 2 + 1 }, (_, i) => ({ key: requestKey(BASE + i, `x${i}`), record: sampleRecord({ id: `x${i}`, thread_id: null }) }));
  await raw("readwrite", (s) => {
    for (const { key, record } of many) s.put(record, key);
    return promisifyRequest(s.transaction);
  });
  const progress = [];
  await store.buildOrder((done) => progress.push(done), BATCH);
  assert.deepEqual(progress, [BATCH, BATCH * 2, many.length]);
  assert.equal((await store.readOrderedPage("input", { limit: many.length })).length, many.length);
});

test("an older tab holding version 1 open is said, and the upgrade goes on once that tab lets go", async () => {
  const older = `order-blocked-${n}`;
  await rawWrite(older, () => {}, 1);
  // The older app's connection, as idb-keyval keeps it: open, and deaf to versionchange.
  const held = await new Promise((resolve, reject) => {
    const open = indexedDB.open(older, 1);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const notices = [];
  const hear = (event) => notices.push(event.detail.message);
  store.notices.addEventListener(store.STORE_NOTICE, hear);
  try {
    store.openStore(older);
    const count = store.countRequests();
    for (let i = 0; i < 200 && notices.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(notices, [store.STORE_BLOCKED]);
    held.close();
    assert.equal(await count, 0, "the store opens once the older tab closed its connection");
  } finally {
    store.notices.removeEventListener(store.STORE_NOTICE, hear);
  }
});

test("a newer version opened in another tab closes this tab's connection and says to reload", async () => {
  const notices = [];
  const hear = (event) => notices.push(event.detail.message);
  store.notices.addEventListener(store.STORE_NOTICE, hear);
  try {
    assert.equal(await store.countRequests(), 0); // this tab's connection is open
    const newer = await new Promise((resolve, reject) => {
      const open = indexedDB.open(name, store.DB_VERSION + 1); // a later version of the app, in another tab
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    newer.close();
    assert.deepEqual(notices, [store.STORE_REPLACED]);
  } finally {
    store.notices.removeEventListener(store.STORE_NOTICE, hear);
  }
});
