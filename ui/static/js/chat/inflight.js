// Requests in flight, in the browser store from the moment they are sent: a pending entry (store.putPending, status
// "pending") written before the request goes out, written again with the answer so far, and removed in the
// transaction that stores its record. A pending request whose page went away (reload, closed tab, crash) is recorded
// on the next load as an aborted request with what was known (model, provider, prompt and answer so far, estimated),
// so nothing a person may have paid for vanishes from Costs. Whether its page is gone is asked of the Web Locks API:
// each page holds a lock under its own name for as long as it lives.
import { buildRecord } from "../rules/record.js";
import * as store from "../store/store.js";

const PAGE_LOCK = "llms.page.";
// Without Web Locks (not a secure context: a LAN address over http), a page that goes away with requests in flight
// says so here as it goes (pagehide: localStorage is written at once, where IndexedDB may not finish), so the next
// load may settle them.
const LEFT_PREFIX = "llms.left.";
const PROGRESS_EVERY_MS = 500; // the answer so far is stored at most this often: a reload loses at most this much
const page = store.newId();
const inFlight = new Set(); // this page's requests on their way, by id
let holding = null;

/** Holds this page's lock until the page goes away; resolves once it is held. */
function holdPageLock() {
  if (!navigator.locks) return Promise.resolve(); // see LEFT_PREFIX
  holding ??= new Promise((held) => {
    navigator.locks.request(PAGE_LOCK + page, () => {
      held();
      return new Promise(() => {}); // released by the browser when the page goes away, never before
    });
  });
  return holding;
}

window.addEventListener("pagehide", () => {
  if (!navigator.locks && inFlight.size) localStorage.setItem(LEFT_PREFIX + page, "1");
});

/**
 * Puts a request in the store as pending; resolves once it is there, so it is sent only then. `call` is chat.js's
 * call (its text fields), `choice` the model picked, `price` the price entry in force. Resolves to
 * {progress(text, reasoning), end()}: the answer so far, and the request ended (its record stored, or not storable).
 */
export async function begin(call, choice, price) {
  await holdPageLock(); // first: another tab settles a pending entry whose page holds no lock
  const pending = {
    status: "pending", page, id: call.id, started: call.started.toISOString(), thread_id: call.thread_id,
    model: call.model, provider: choice.provider, prompt: call.prompt, prompt_text: call.prompt_text, price,
    text: "", reasoning: "",
  };
  inFlight.add(call.id);
  let full = false;
  const write = async () => {
    if (full) return;
    try {
      await store.putPending(pending); // a copy of it as it is now (IndexedDB clones the value at the put)
    } catch (error) {
      if (error?.name !== "QuotaExceededError") throw error;
      full = true; // the store is full: the last entry that fit stands (the request is recorded whole when it ends)
    }
  };
  await write();
  let writes = Promise.resolve();
  let written = performance.now();
  return {
    progress(text, reasoning) {
      pending.text = text;
      pending.reasoning = reasoning;
      if (performance.now() - written < PROGRESS_EVERY_MS) return;
      written = performance.now();
      // Put now, not after the last put: IndexedDB runs transactions in the order they are made, so this one runs
      // before the record's (recordRequest, which removes the entry). A put chained behind another could be made
      // after it, and would leave an entry for a request already recorded.
      writes = Promise.all([writes, write()]);
    },
    /**
     * After the request ended: `stored` when its record is in the store (that transaction removed the entry),
     * else the entry is taken out here, so none is left to settle.
     */
    async end(stored) {
      inFlight.delete(call.id);
      await writes;
      if (!stored) await store.dropPending(call.id);
    },
  };
}

/**
 * The record of a request known only so far: its answer `{text, reasoning}` until now, its usage estimated from the
 * prompt and that answer (buildRecord's rule for a stream without usage), at the provider picked.
 */
export function recordSoFar(call, provider, { text, reasoning }, { status = "ok", response_ms = null } = {}) {
  return buildRecord(call, {
    status, text, reasoning, finish_reason: null, usage: null, server: null, provider, provider_model: null,
    started_headers: true, ttft_ms: null, response_ms, error: null, request_id: null,
  });
}

/** The aborted request a pending entry stands for, as recordRequest takes it: what streamChat would have told had
 * the page stayed to see Stop. */
export function abandonedRequest(pending) {
  const call = {
    id: pending.id, started: new Date(pending.started), thread_id: pending.thread_id, model: pending.model,
    prompt: pending.prompt, prompt_text: pending.prompt_text, price_for: () => pending.price,
  };
  return {
    record: recordSoFar(call, pending.provider, pending, { status: "aborted" }), started: call.started,
    answer: { content: pending.text, reasoning: pending.reasoning, status: "aborted", error: null },
  };
}

const settle = (pending) => store.settlePending(pending.id, abandonedRequest);

/** Without Web Locks: settles the entries of pages that said they left, and forgets those pages once none is left. */
async function settleLeft(theirs) {
  const left = (id) => localStorage.getItem(LEFT_PREFIX + id) !== null;
  const settled = [];
  for (const pending of theirs) if (left(pending.page)) settled.push(await settle(pending));
  const stillPending = new Set((await store.readPending()).map((pending) => pending.page));
  for (const { page: gone } of theirs) if (left(gone) && !stillPending.has(gone)) localStorage.removeItem(LEFT_PREFIX + gone);
  return settled.filter(Boolean);
}

/**
 * Records every pending request whose page went away as aborted, and resolves to those records. An entry whose page
 * still holds its lock (an open tab, or the page this one replaced, still unloading) is settled when the lock is let
 * go, unless that page finished it first: `onLater(record)` hears of each settled then. Settling takes the entry's
 * page's lock and writes in one transaction with the entry's removal, so two pages never record it twice.
 */
export async function settleAbandoned(onLater) {
  await holdPageLock();
  const theirs = (await store.readPending()).filter((pending) => pending.page !== page);
  if (!navigator.locks) return settleLeft(theirs);
  const { held = [] } = await navigator.locks.query();
  const open = new Set(held.map((lock) => lock.name));
  const now = [];
  for (const pending of theirs) {
    const settled = navigator.locks.request(PAGE_LOCK + pending.page, () => settle(pending));
    if (open.has(PAGE_LOCK + pending.page)) settled.then((done) => done && onLater(done));
    else now.push(settled);
  }
  return (await Promise.all(now)).filter(Boolean);
}
