// IndexedDB through idb-keyval: threads, messages, request records, day rollups and search chunks in ONE
// object store told apart by key prefix (docs/architecture.md, "Browser store"), so a request and the rollups
// it changes are written in one readwrite transaction and two tabs never lose an update. Beside it, the "order"
// object store (order.js) holds each request's sortable numbers, written in the same transaction.
import { promisifyRequest } from "../../vendor/idb-keyval-6.3.0.js";
import {
  ALL_PENDING, ALL_REQUESTS, ALL_THREADS, DEMO_META, dayKey, localDate, localHour, messageKey, messageRange, pendingKey,
  requestKey, requestKeyId, requestKeyTime, requestRange, threadKey,
} from "../rules/keys.js";
import { ALL_SEARCH_CHUNKS, appendSearchLine, lineKey, packSearchLines, searchLine } from "../rules/search.js";
import { addRecord, addToDay, emptyCounters } from "../rules/counters.js";
import { sortThreads } from "../rules/threads.js";
import {
  OLD_ORDER_KEYS, ORDER_META, ORDER_STORE, ORDER_VERSION, createOrderStore, orderBuilt, orderEntry, orderIndex,
} from "./order.js";

export const DB_NAME = "llms";
export const STORE_NAME = "data";
/** 1: the data store alone; 2: the order store beside it (version 1's ordered keys in the data store go). */
export const DB_VERSION = 2;
const CHANNEL_NAME = "llms";

let opened = null;

/** Where the store tells the page something it must say: a STORE_NOTICE event with detail.message. */
export const notices = new EventTarget();
export const STORE_NOTICE = "notice";
export const STORE_BLOCKED =
  "The browser store is being upgraded, but another llms tab still holds the old version open: close or reload the other llms tabs.";
export const STORE_REPLACED = "llms was updated in another tab: reload this page to keep using it.";
const say = (message) => notices.dispatchEvent(new CustomEvent(STORE_NOTICE, { detail: { message } }));

function upgrade(db, transaction, oldVersion) {
  if (oldVersion < 1) db.createObjectStore(STORE_NAME);
  if (oldVersion < 2) {
    const data = transaction.objectStore(STORE_NAME);
    data.delete(IDBKeyRange.bound(...OLD_ORDER_KEYS));
    data.delete(ORDER_META); // its records get their order entries from buildOrder, in batches
    createOrderStore(db);
  }
}

/**
 * Opens database `name` at DB_VERSION; `(mode, work)` runs work(data store) in a transaction over both stores.
 * A connection closes when another tab needs a newer version, so that tab's upgrade is not held up by this one.
 */
function openDatabase(name) {
  const request = indexedDB.open(name, DB_VERSION);
  request.onupgradeneeded = (event) => upgrade(request.result, request.transaction, event.oldVersion);
  // An older version of this app in another tab may keep its connection open through our upgrade: the open then
  // waits until that tab goes, and the page must say why it shows nothing yet.
  request.onblocked = () => say(STORE_BLOCKED);
  const connection = promisifyRequest(request).then((db) => {
    db.onversionchange = () => {
      db.close();
      say(STORE_REPLACED);
    };
    return db;
  });
  return (mode, work) => connection.then((db) => work(db.transaction([STORE_NAME, ORDER_STORE], mode).objectStore(STORE_NAME)));
}

/**
 * Opens the database `name` and the channel other tabs hear changes on; every function below opens the default
 * one on first use, so importing this module touches nothing (node tests load it with a fake IndexedDB and open
 * a fresh database per test).
 */
export function openStore(name = DB_NAME) {
  closeStore();
  opened = { db: openDatabase(name), channel: new BroadcastChannel(CHANNEL_NAME) };
  return opened;
}

/** Closes the channel (the database closes with the page); a node test process would otherwise wait on it. */
export function closeStore() {
  opened?.channel.close();
  opened = null;
}

const current = () => opened ?? openStore();
const tell = (message) => current().channel.postMessage(message);

/** Runs `work(objectStore)` in one transaction; resolves with its result once the transaction committed. */
function transact(mode, work) {
  return current().db(mode, async (store) => {
    const done = promisifyRequest(store.transaction);
    done.catch(() => {}); // on failure the work's own error is the one to report, thrown below
    let result;
    try {
      result = await work(store);
    } catch (error) {
      store.transaction.abort(); // a half-done change must not commit
      throw error;
    }
    await done;
    return result;
  });
}

const range = ([lower, upper]) => IDBKeyRange.bound(lower, upper);

/** A random UUID v4; crypto.randomUUID is missing outside secure contexts (a LAN address over http). */
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Listen to changes other tabs made: `{type: "recorded"|"threads", thread_id?}`. */
export function onOtherTabChange(listener) {
  current().channel.addEventListener("message", (event) => listener(event.data));
}

export async function listThreads() {
  const threads = await transact("readonly", (store) => promisifyRequest(store.getAll(range(ALL_THREADS))));
  return sortThreads(threads);
}

/** A thread with its messages in order; each answer carries its request `record`. Null when it is gone. */
export function readThread(threadId) {
  return transact("readonly", async (store) => {
    const thread = await promisifyRequest(store.get(threadKey(threadId)));
    if (!thread) return null;
    const messages = await promisifyRequest(store.getAll(range(messageRange(threadId))));
    const records = await Promise.all(
      messages.map((m) => (m.request_key ? promisifyRequest(store.get(m.request_key)) : null)),
    );
    messages.forEach((m, i) => { if (records[i]) m.record = records[i]; });
    return { thread, messages };
  });
}

function newThread(id, title, model, now) {
  return { id, title, model, created_at: now, updated_at: now, next_seq: 0, totals: emptyCounters() };
}

/**
 * Stores a user message, in a new thread when `threadId` is null (named `title`). Resolves to {thread, message}.
 */
export async function addUserMessage({ threadId, title, model, content }) {
  const now = new Date().toISOString();
  const result = await transact("readwrite", async (store) => {
    const id = threadId ?? newId();
    const thread = (threadId && await promisifyRequest(store.get(threadKey(threadId)))) || newThread(id, title, model, now);
    const message = { id: newId(), thread_id: id, seq: thread.next_seq, role: "user", content, created_at: now };
    thread.next_seq += 1;
    thread.updated_at = now;
    thread.model = model;
    store.put(message, messageKey(id, message.seq));
    store.put(thread, threadKey(id));
    return { thread, message };
  });
  tell({ type: "threads", thread_id: result.thread.id });
  return result;
}

async function appendToSearch(store, key, record) {
  const cursor = await promisifyRequest(store.openCursor(range(ALL_SEARCH_CHUNKS), "prev"));
  const next = appendSearchLine(cursor ? cursor.key : null, cursor ? cursor.value : null, searchLine(key, record));
  store.put(next.text, next.key);
}

const DEDUPE_WINDOW_MS = 5 * 60_000; // the same request recorded by another clock (ledger vs browser) lands within this
const halfOpen = ([lower, upper]) => IDBKeyRange.bound(lower, upper, false, true);

/** The order store of the transaction `store` (the data store) belongs to. */
const orderOf = (store) => store.transaction.objectStore(ORDER_STORE);

/** A request record and its order entry (order.js), always together. */
function putRecord(store, record, key) {
  store.put(record, key);
  orderOf(store).put(orderEntry(record), key);
}

/**
 * Before the first record of an empty store is written, marks its order entries built: every record it will hold
 * comes through putRecord. A store that already holds records without the mark needs buildOrder.
 */
async function markOrderOnEmpty(store) {
  if (await promisifyRequest(store.getKey(ORDER_META)) !== undefined) return;
  if (await promisifyRequest(store.openKeyCursor(halfOpen(ALL_REQUESTS)))) return;
  store.put({ version: ORDER_VERSION, through: null, built: 0, done: true }, ORDER_META);
}

/** Walks a cursor request: `step(cursor)` returns false to stop. */
function walk(request, step) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor || step(cursor) === false) resolve();
      else cursor.continue();
    };
    request.onerror = () => reject(request.error);
  });
}

/** Local midnights around a span of instants: [start of the first day, start of the day after the last). */
function wholeDays(firstMs, lastMs) {
  const first = new Date(firstMs);
  const last = new Date(lastMs);
  return [new Date(first.getFullYear(), first.getMonth(), first.getDate()).getTime(),
    new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1).getTime()];
}

/** The keys of records of request `id` stored within DEDUPE_WINDOW_MS of `epochMs`. */
async function storedKeys(store, epochMs, id) {
  const window = requestRange(Math.max(0, epochMs - DEDUPE_WINDOW_MS), epochMs + DEDUPE_WINDOW_MS + 1);
  return new Set((await promisifyRequest(store.getAllKeys(halfOpen(window)))).filter((key) => requestKeyId(key) === id));
}

/**
 * Deletes the records the request cursor over [start, end) finds `drop(value)` true for and writes the day rollups
 * of that span again from the records that stay (a day left empty loses its rollup). Resolves to the keys deleted.
 */
async function dropRecords(store, [start, end], drop) {
  const days = new Map();
  const dropped = new Set();
  await walk(store.openCursor(halfOpen(requestRange(start, end))), (cursor) => {
    const started = new Date(requestKeyTime(cursor.primaryKey));
    const date = localDate(started);
    if (drop(cursor.value, cursor.primaryKey)) {
      dropped.add(cursor.primaryKey);
      orderOf(store).delete(cursor.primaryKey);
      cursor.delete();
      if (!days.has(date)) days.set(date, undefined);
    } else {
      days.set(date, addToDay(days.get(date), date, localHour(started), cursor.value));
    }
  });
  for (const [date, rollup] of days) {
    if (rollup) store.put(rollup, dayKey(date));
    else store.delete(dayKey(date));
  }
  return dropped;
}

/** Takes the records at `keys` out of the store with their part of the day rollups and their search lines. */
async function forget(store, keys) {
  const times = [...keys].map(requestKeyTime);
  await dropRecords(store, wholeDays(Math.min(...times), Math.max(...times)), (_, key) => keys.has(key));
  const left = new Set(keys);
  // Newest chunks first: the line of a record pulled a moment ago is in the last one.
  await walk(store.openCursor(range(ALL_SEARCH_CHUNKS), "prev"), (cursor) => {
    const lines = cursor.value.split("\n").filter(Boolean);
    const kept = lines.filter((line) => !left.delete(lineKey(line)));
    if (kept.length < lines.length) cursor.update(kept.map((line) => `${line}\n`).join(""));
    return left.size > 0;
  });
}

/**
 * Records a request, ok or not, in one transaction: the record, its day rollup, the search line and, when
 * the thread still exists, its totals and the answer message (replacing message `replaceSeq`, a failed
 * answer being retried); the pending entry `pendingId` (putPending: the call's id, which the record's id is not
 * when the server gave its own request id) goes in the same step. A record of the same request already
 * stored (the ledger's line, pulled by "Include API traffic" while this tab was still answering) is replaced, so the
 * request counts once. Resolves to {key, thread, message}.
 */
export async function recordRequest(request) {
  const result = await transact("readwrite", (store) => writeRequest(store, request));
  tell({ type: "recorded", thread_id: request.record.thread_id, key: result.key });
  return result;
}

async function writeRequest(store, { record, started, answer, replaceSeq = null, pendingId = null }) {
  const key = requestKey(started.getTime(), record.id);
  const day = localDate(started);
  await markOrderOnEmpty(store);
  const stored = await storedKeys(store, started.getTime(), record.id);
  if (stored.size) await forget(store, stored);
  if (pendingId !== null) store.delete(pendingKey(pendingId));
  putRecord(store, record, key);
  const rollup = await promisifyRequest(store.get(dayKey(day)));
  store.put(addToDay(rollup, day, localHour(started), record), dayKey(day));
  await appendToSearch(store, key, record);
  const thread = record.thread_id && await promisifyRequest(store.get(threadKey(record.thread_id)));
  if (!thread) return { key, thread: null, message: null };
  if (replaceSeq !== null) store.delete(messageKey(thread.id, replaceSeq));
  const now = new Date().toISOString();
  const message = { id: newId(), thread_id: thread.id, seq: thread.next_seq, role: "assistant", created_at: now,
    request_key: key, ...answer };
  thread.next_seq += 1;
  thread.updated_at = now;
  thread.totals = addRecord(thread.totals, record);
  store.put(message, messageKey(thread.id, message.seq));
  store.put(thread, threadKey(thread.id));
  return { key, thread, message };
}

/**
 * A request on its way, from the moment it is sent until its record is stored (chat/inflight.js): `pending` has
 * `id`, `status: "pending"` and what is known so far. Kept under its own keys (pendingKey), apart from the records,
 * so no rollup, search line or sort entry counts a request before it ends; written again with the answer so far.
 */
export function putPending(pending) {
  return transact("readwrite", (store) => { store.put(pending, pendingKey(pending.id)); });
}

/** Takes request `id`'s pending entry out (a request that ended without a record stored, e.g. a full store). */
export function dropPending(id) {
  return transact("readwrite", (store) => { store.delete(pendingKey(id)); });
}

/** Every pending entry. */
export function readPending() {
  return transact("readonly", (store) => promisifyRequest(store.getAll(range(ALL_PENDING))));
}

/**
 * Records pending request `id` as `toRequest(pending)` ({record, started, answer}, as recordRequest takes) in one
 * transaction with its pending entry's removal, unless that entry is gone already (its page recorded it meanwhile,
 * or another tab settled it): then nothing is written. Resolves to the record written, or null.
 */
export async function settlePending(id, toRequest) {
  const settled = await transact("readwrite", async (store) => {
    const pending = await promisifyRequest(store.get(pendingKey(id)));
    if (!pending) return null;
    const request = toRequest(pending);
    return { record: request.record, ...(await writeRequest(store, { ...request, pendingId: id })) };
  });
  if (settled) tell({ type: "recorded", thread_id: settled.record.thread_id, key: settled.key });
  return settled?.record ?? null;
}

export async function renameThread(threadId, title) {
  await transact("readwrite", async (store) => {
    const thread = await promisifyRequest(store.get(threadKey(threadId)));
    if (!thread) return;
    thread.title = title;
    store.put(thread, threadKey(threadId));
  });
  tell({ type: "threads", thread_id: threadId });
}

/** Deletes a thread and its messages; its request records and day rollups stay (analytics is history). */
export async function deleteThread(threadId) {
  await transact("readwrite", (store) => {
    store.delete(range(messageRange(threadId)));
    store.delete(threadKey(threadId));
  });
  tell({ type: "threads", thread_id: threadId });
}

/** Values with keys in [lower, upper], e.g. a month of day rollups (keys.monthRange). */
export function readRange(bounds) {
  return transact("readonly", (store) => promisifyRequest(store.getAll(range(bounds))));
}



export function readValue(key) {
  return transact("readonly", (store) => promisifyRequest(store.get(key)));
}

/** [{key, value}] of the requests in the half-open `bounds`, newest first ("prev"), after skipping `offset`. */
export function readRequestPage(bounds, { offset = 0, limit = 50, direction = "prev" } = {}) {
  return transact("readonly", (store) => new Promise((resolve, reject) => {
    const rows = [];
    const request = store.openCursor(halfOpen(bounds), direction);
    let skipped = offset === 0;
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve(rows);
      if (!skipped) {
        skipped = true;
        cursor.advance(offset);
        return undefined;
      }
      rows.push({ key: cursor.primaryKey, value: cursor.value });
      if (rows.length >= limit) return resolve(rows);
      cursor.continue();
      return undefined;
    };
    request.onerror = () => reject(request.error);
  }));
}

/** The values of `keys`, in their order (undefined for a key that is gone). */
export function readMany(keys) {
  return transact("readonly", (store) => Promise.all(keys.map((key) => promisifyRequest(store.get(key)))));
}

/** Calls `visit(value, key)` for each value in `bounds` in key order, one at a time (bounded memory). */
export function eachValue(bounds, visit) {
  return transact("readonly", (store) => walk(store.openCursor(halfOpen(bounds)), (cursor) => visit(cursor.value, cursor.primaryKey)));
}

/** Calls `visit(text, key)` for every packed search chunk, in order; Activity's full-text search. */
export function eachSearchChunk(visit) {
  return eachValue(ALL_SEARCH_CHUNKS, visit);
}

function addDemoRange(marker, items) {
  const demo = items.filter((item) => item.record.demo);
  if (!demo.length) return marker;
  return {
    first_ms: Math.min(marker?.first_ms ?? Infinity, demo[0].epoch_ms),
    last_ms: Math.max(marker?.last_ms ?? 0, demo.at(-1).epoch_ms),
    count: (marker?.count ?? 0) + demo.length,
  };
}

/**
 * Adds request records not in the store yet (none with the same id within 5 minutes), their day rollups and
 * search lines, in ONE transaction. `items` = [{record, epoch_ms}] sorted by time. Resolves to the number added.
 */
export async function addRequests(items) {
  if (!items.length) return 0;
  const added = await transact("readwrite", async (store) => {
    await markOrderOnEmpty(store);
    const window = requestRange(Math.max(0, items[0].epoch_ms - DEDUPE_WINDOW_MS), items.at(-1).epoch_ms + DEDUPE_WINDOW_MS + 1);
    const present = new Set((await promisifyRequest(store.getAllKeys(halfOpen(window)))).map(requestKeyId));
    const fresh = items.filter(({ record }) => !present.has(record.id) && present.add(record.id));
    const dates = [...new Set(fresh.map(({ epoch_ms }) => localDate(new Date(epoch_ms))))];
    const days = new Map(await Promise.all(dates.map(async (date) => [date, await promisifyRequest(store.get(dayKey(date)))])));
    const lines = [];
    for (const item of fresh) {
      const started = new Date(item.epoch_ms);
      const key = requestKey(item.epoch_ms, item.record.id);
      const date = localDate(started);
      putRecord(store, item.record, key);
      days.set(date, addToDay(days.get(date), date, localHour(started), item.record));
      lines.push(searchLine(key, item.record));
    }
    for (const [date, rollup] of days) store.put(rollup, dayKey(date));
    const last = await promisifyRequest(store.openCursor(range(ALL_SEARCH_CHUNKS), "prev"));
    for (const chunk of packSearchLines(last ? last.key : null, last ? last.value : null, lines)) store.put(chunk.text, chunk.key);
    const marker = addDemoRange(await promisifyRequest(store.get(DEMO_META)), fresh);
    if (marker) store.put(marker, DEMO_META);
    return fresh.length;
  });
  if (added) tell({ type: "recorded" });
  return added;
}

/** Adds threads (with their messages) whose id is not in the store; resolves to the number added. */
export async function addThreads(threads) {
  const added = await transact("readwrite", async (store) => {
    const present = await Promise.all(threads.map(({ thread }) => promisifyRequest(store.getKey(threadKey(thread.id)))));
    const fresh = threads.filter((_, i) => present[i] === undefined);
    for (const { thread, messages } of fresh) {
      store.put(thread, threadKey(thread.id));
      for (const message of messages) store.put(message, messageKey(thread.id, message.seq));
    }
    return fresh.length;
  });
  if (added) tell({ type: "threads" });
  return added;
}

/** Every thread with its messages, for "Export". */
export async function readAllThreads() {
  const threads = await listThreads();
  return Promise.all(threads.map(async (thread) => ({ thread, messages: (await readThread(thread.id))?.messages.map(({ record, ...m }) => m) ?? [] })));
}

/** Empties the store: chats, requests, rollups, search chunks, order entries and the demo mark. */
export async function clearAll() {
  await transact("readwrite", (store) => {
    orderOf(store).clear();
    return promisifyRequest(store.clear());
  });
  tell({ type: "cleared" });
}


/**
 * Removes the demo records, rebuilds the day rollups of the days they touched from the records that stay,
 * and repacks the search chunks without their lines; one transaction. Resolves to the number removed.
 */
export async function removeDemo() {
  const removed = await transact("readwrite", async (store) => {
    const marker = await promisifyRequest(store.get(DEMO_META));
    if (!marker) return 0;
    const demoKeys = await dropRecords(store, wholeDays(marker.first_ms, marker.last_ms), (value) => value.demo);
    const kept = [];
    await walk(store.openCursor(range(ALL_SEARCH_CHUNKS)), (cursor) => {
      for (const line of cursor.value.split("\n")) {
        if (line && !demoKeys.has(lineKey(line))) kept.push(`${line}\n`);
      }
    });
    store.delete(range(ALL_SEARCH_CHUNKS));
    for (const chunk of packSearchLines(null, null, kept)) store.put(chunk.text, chunk.key);
    store.delete(DEMO_META);
    return demoKeys.size;
  });
  tell({ type: "cleared" });
  return removed;
}

export const ORDER_BATCH = 5000;

/**
 * Gives the records stored before order entries existed (an older version of this app) their order entries, in
 * transactions of `batch` records, each one also saving how far it got: memory stays one batch, a closed tab
 * resumes where it stopped, and a record written meanwhile brings its own entry. Calls onProgress(done, total).
 * A store already built returns at once. Resolves once every record has its entry.
 */
export async function buildOrder(onProgress = () => {}, batch = ORDER_BATCH) {
  const meta = await readValue(ORDER_META);
  if (orderBuilt(meta)) return;
  const total = await countRequests();
  let through = meta?.version === ORDER_VERSION ? meta.through : null;
  let done = meta?.version === ORDER_VERSION ? meta.built : 0;
  for (;;) {
    const step = await transact("readwrite", async (store) => {
      const bounds = through === null ? halfOpen(ALL_REQUESTS) : IDBKeyRange.bound(through, ALL_REQUESTS[1], true, true);
      let count = 0;
      let last = through;
      await walk(store.openCursor(bounds), (cursor) => {
        orderOf(store).put(orderEntry(cursor.value), cursor.primaryKey);
        last = cursor.primaryKey;
        count += 1;
        return count < batch;
      });
      const finished = count < batch;
      store.put({ version: ORDER_VERSION, through: last, built: done + count, done: finished }, ORDER_META);
      return { count, last, finished };
    });
    done += step.count;
    through = step.last;
    onProgress(Math.min(done, total), total);
    if (step.finished) return;
  }
}

/** Whether every record has its order entry (buildOrder finished); until then Activity sorts the slow way. */
export async function orderReady() {
  return orderBuilt(await readValue(ORDER_META));
}

/**
 * One page of requests sorted by a number `column` (order.js), [{key, value}], "prev" = largest first: walks that
 * column's index of order entries (no record is read but the page's). With `bounds` (a date range's request keys)
 * the keys outside it are passed over; without, the first `offset` keys are skipped in one advance.
 */
export function readOrderedPage(column, { bounds = null, offset = 0, limit = 50, direction = "prev" } = {}) {
  return transact("readonly", async (store) => {
    const keys = [];
    const request = orderOf(store).index(orderIndex(column)).openKeyCursor(null, direction);
    let skip = offset;
    await new Promise((resolve, reject) => {
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return resolve();
        if (!bounds && skip > 0) {
          cursor.advance(skip);
          skip = 0;
          return undefined;
        }
        const key = cursor.primaryKey;
        if (!bounds || (key >= bounds[0] && key < bounds[1])) {
          if (skip > 0) skip -= 1;
          else keys.push(key);
        }
        if (keys.length >= limit) return resolve();
        cursor.continue();
        return undefined;
      };
      request.onerror = () => reject(request.error);
    });
    const values = await Promise.all(keys.map((key) => promisifyRequest(store.get(key))));
    return keys.map((key, i) => ({ key, value: values[i] })).filter((row) => row.value);
  });
}

/** How many request records the store holds (a key count, no value is read). */
export function countRequests() {
  return transact("readonly", (store) => promisifyRequest(store.count(halfOpen(ALL_REQUESTS))));
}
