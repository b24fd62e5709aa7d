// Requests in flight, kept where a closing page cannot lose them: a note in localStorage, written synchronously
// before the request is sent and removed once its record is stored. A note left by a page that went away (reload,
// closed tab, crash) is recorded on the next load as an aborted request with what was known (model, provider,
// prompt and answer so far, estimated), so nothing a person may have paid for vanishes from Costs. Whether its
// page is gone is asked of the Web Locks API: each page holds a lock under its own name for as long as it lives.
import { buildRecord } from "../rules/record.js";

const PREFIX = "llms.inflight.";
const PAGE_LOCK = "llms.page.";
const PROGRESS_EVERY_MS = 500; // the answer so far is noted at most this often: a reload loses at most this much
const NOTED_CHARS = 200_000; // of the answer and of its reasoning: localStorage holds a few MB for the whole page
const page = crypto.randomUUID();
let holding = null;

/** Holds this page's lock until the page goes away; resolves once it is held. */
function holdPageLock() {
  if (!navigator.locks) return Promise.resolve(); // not a secure context (a LAN address without TLS): see pagehide
  holding ??= new Promise((held) => {
    navigator.locks.request(PAGE_LOCK + page, () => {
      held();
      return new Promise(() => {}); // released by the browser when the page goes away, never before
    });
  });
  return holding;
}

// Without Web Locks, a page marks its notes as left as it goes (pagehide), so the next load may settle them.
window.addEventListener("pagehide", () => {
  for (const [key, note] of notes()) if (note.page === page) localStorage.setItem(key, JSON.stringify({ ...note, left: true }));
});

function notes() {
  const found = [];
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key?.startsWith(PREFIX)) continue;
    try {
      found.push([key, JSON.parse(localStorage.getItem(key))]);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      localStorage.removeItem(key); // not a note this page wrote (cut by a full disk): nothing to recover from it
    }
  }
  return found;
}

/**
 * Notes a request as it is sent. `call` is chat.js's call (its text fields), `choice` the model picked, `price` the
 * price entry in force. Returns {progress(text, reasoning), end()}: the answer so far, and the request recorded.
 */
export function begin(call, choice, price) {
  holdPageLock();
  const key = PREFIX + call.id;
  const note = {
    page, id: call.id, started: call.started.toISOString(), thread_id: call.thread_id, model: call.model,
    provider: choice.provider, prompt: call.prompt, prompt_text: call.prompt_text, price, text: "", reasoning: "",
  };
  let full = false;
  let answer = { text: "", reasoning: "" };
  const write = () => {
    if (full) return;
    // A very long answer is noted in part: what a reload would show of it, and estimate it from. Cut here, at most
    // every PROGRESS_EVERY_MS, not per chunk: the streamed text is a string built by appending, and cutting it
    // copies it whole (a 500 KB answer cut on each of its chunks blocked the page for seconds at a time).
    note.text = answer.text.slice(0, NOTED_CHARS);
    note.reasoning = answer.reasoning.slice(0, NOTED_CHARS);
    try {
      localStorage.setItem(key, JSON.stringify(note));
    } catch (error) {
      if (error?.name !== "QuotaExceededError") throw error;
      full = true; // the storage is full: the last note that fit stands (the request is recorded whole when it ends)
    }
  };
  write();
  let written = performance.now();
  return {
    progress(text, reasoning) {
      answer = { text, reasoning };
      if (performance.now() - written < PROGRESS_EVERY_MS) return;
      written = performance.now();
      write();
    },
    end() {
      localStorage.removeItem(key);
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

/** The aborted request a note stands for: what streamChat would have told had the page stayed to see Stop. */
export function abandonedRecord(note) {
  const call = {
    id: note.id, started: new Date(note.started), thread_id: note.thread_id, model: note.model, prompt: note.prompt,
    prompt_text: note.prompt_text, price_for: () => note.price,
  };
  return { call, record: recordSoFar(call, note.provider, note, { status: "aborted" }) };
}

/** Records the note under `key` as aborted, unless its page finished it meanwhile; resolves to its record or null. */
async function settle(key, record) {
  const text = localStorage.getItem(key);
  if (text === null) return null;
  const note = JSON.parse(text);
  const { call, record: aborted } = abandonedRecord(note);
  await record({ record: aborted, started: call.started, answer: { content: note.text, reasoning: note.reasoning, status: "aborted", error: null } });
  localStorage.removeItem(key);
  return aborted;
}

/**
 * Records every request whose page went away as aborted, through `record({record, started, answer})` (the
 * store's recordRequest), and resolves to those records. A note whose page still holds its lock (an open tab, or
 * the page this one replaced, still unloading) is settled when the lock is let go, unless that page finished it
 * first: `onLater(record)` hears of each settled then. The page's own lock makes two pages settle a note in turn.
 */
export async function settleAbandoned(record, onLater) {
  await holdPageLock();
  const theirs = notes().filter(([, note]) => note.page !== page);
  if (!navigator.locks) {
    const settled = [];
    for (const [key, note] of theirs) if (note.left === true) settled.push(await settle(key, record));
    return settled.filter(Boolean);
  }
  const { held = [] } = await navigator.locks.query();
  const open = new Set(held.map((lock) => lock.name));
  const now = [];
  for (const [key, note] of theirs) {
    const settled = navigator.locks.request(PAGE_LOCK + note.page, () => settle(key, record));
    if (open.has(PAGE_LOCK + note.page)) settled.then((done) => done && onLater(done));
    else now.push(settled);
  }
  return (await Promise.all(now)).filter(Boolean);
}
