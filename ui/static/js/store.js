// IndexedDB through idb-keyval: threads, messages, request records, day rollups and search chunks in ONE
// object store told apart by key prefix (docs/architecture.md, "Browser store"), so a request and the rollups
// it changes are written in one readwrite transaction and two tabs never lose an update.
import { createStore, promisifyRequest } from "../vendor/idb-keyval-6.3.0.js";
import {
  ALL_SEARCH_CHUNKS, ALL_THREADS, appendSearchLine, dayKey, localDate, localHour, messageKey, messageRange,
  requestKey, searchLine, threadKey,
} from "./keys.js";
import { addRecord, addToDay, emptyCounters } from "./rollup.js";
import { sortThreads } from "./threads.js";

export const DB_NAME = "llms";
export const STORE_NAME = "data";
const CHANNEL_NAME = "llms";

const db = createStore(DB_NAME, STORE_NAME);
const channel = new BroadcastChannel(CHANNEL_NAME);

/** Runs `work(objectStore)` in one transaction; resolves with its result once the transaction committed. */
function transact(mode, work) {
  return db(mode, async (store) => {
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
  channel.addEventListener("message", (event) => listener(event.data));
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
  channel.postMessage({ type: "threads", thread_id: result.thread.id });
  return result;
}

async function appendToSearch(store, key, record) {
  const cursor = await promisifyRequest(store.openCursor(range(ALL_SEARCH_CHUNKS), "prev"));
  const next = appendSearchLine(cursor ? cursor.key : null, cursor ? cursor.value : null, searchLine(key, record));
  store.put(next.text, next.key);
}

/**
 * Records a request, ok or not, in one transaction: the record, its day rollup, the search line and, when
 * the thread still exists, its totals and the answer message (replacing message `replaceSeq`, a failed
 * answer being retried). Resolves to {key, thread, message}.
 */
export async function recordRequest({ record, started, answer, replaceSeq = null }) {
  const key = requestKey(started.getTime(), record.id);
  const day = localDate(started);
  const result = await transact("readwrite", async (store) => {
    store.put(record, key);
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
  });
  channel.postMessage({ type: "recorded", thread_id: record.thread_id, key });
  return result;
}

export async function renameThread(threadId, title) {
  await transact("readwrite", async (store) => {
    const thread = await promisifyRequest(store.get(threadKey(threadId)));
    if (!thread) return;
    thread.title = title;
    store.put(thread, threadKey(threadId));
  });
  channel.postMessage({ type: "threads", thread_id: threadId });
}

/** Deletes a thread and its messages; its request records and day rollups stay (analytics is history). */
export async function deleteThread(threadId) {
  await transact("readwrite", (store) => {
    store.delete(range(messageRange(threadId)));
    store.delete(threadKey(threadId));
  });
  channel.postMessage({ type: "threads", thread_id: threadId });
}

/** Values with keys in [lower, upper], e.g. a month of day rollups (keys.monthRange). */
export function readRange(bounds) {
  return transact("readonly", (store) => promisifyRequest(store.getAll(range(bounds))));
}
