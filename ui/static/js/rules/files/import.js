// Pure: the files "Import" reads (docs/architecture.md, "Export and import files"). A whole file is checked
// before anything is written: it is refused with a message naming the first thing wrong (`requests[12].timestamp: …`).
// Reads our own files (files/export.js writes them) and llms.py's (files/llmspy.js).
import { requestKey } from "../keys.js";
import { SUMMED, emptyCounters } from "../counters.js";
import { checkRecord } from "../record.js";
import {
  ImportError, MAX_TEXT_CHARS, STATUSES, array, fail, id, number, object, oneOf, requestError, shown, text, timestamp,
} from "./check.js";
import { FORMAT_VERSION, SOURCE } from "./export.js";
import { fromLlmspyRequest, fromLlmspyThread } from "./llmspy.js";

export const LLMSPY_SOURCE = "llmspy";
export const MAX_IMPORT_BYTES = 400 * 1024 * 1024; // a JS string holds ~500M characters; stay well below
export const MAX_RECORDS = 2_000_000;
export const MAX_THREADS = 200_000;

function checkMessage(at, value, threadId) {
  object(at, value);
  const message = {
    id: id(`${at}.id`, value.id), thread_id: threadId, seq: number(`${at}.seq`, value.seq, { integer: true }),
    role: oneOf(`${at}.role`, value.role, ["user", "assistant"]),
    content: text(`${at}.content`, value.content ?? "", { max: MAX_TEXT_CHARS }),
    created_at: timestamp(`${at}.created_at`, value.created_at),
  };
  if (value.request_key !== undefined && value.request_key !== null) {
    message.request_key = text(`${at}.request_key`, value.request_key, { max: 200 });
    if (!/^req:\d{13}:/.test(message.request_key)) fail(`${at}.request_key`, "a request key like req:1747207812345:<id>", value.request_key);
  }
  if (value.status !== undefined && value.status !== null) message.status = oneOf(`${at}.status`, value.status, STATUSES);
  if (value.error !== undefined) message.error = requestError(`${at}.error`, value.error);
  if (value.reasoning) message.reasoning = text(`${at}.reasoning`, value.reasoning, { max: MAX_TEXT_CHARS });
  return message;
}

function checkThread(at, value) {
  object(at, value);
  const threadId = id(`${at}.id`, value.id);
  const messages = array(`${at}.messages`, value.messages ?? [], 100_000).map((m, i) => checkMessage(`${at}.messages[${i}]`, m, threadId));
  const seqs = new Set();
  for (const [i, m] of messages.entries()) {
    if (seqs.has(m.seq)) throw new ImportError(`${at}.messages[${i}].seq: ${m.seq} appears twice in this thread`);
    seqs.add(m.seq);
  }
  const totals = emptyCounters();
  object(`${at}.totals`, value.totals ?? {});
  for (const name of SUMMED) totals[name] = number(`${at}.totals.${name}`, value.totals?.[name] ?? 0);
  const thread = {
    id: threadId, title: text(`${at}.title`, value.title, { max: 1000 }),
    created_at: timestamp(`${at}.created_at`, value.created_at), updated_at: timestamp(`${at}.updated_at`, value.updated_at),
    model: text(`${at}.model`, value.model ?? "", { max: 300 }),
    next_seq: Math.max(number(`${at}.next_seq`, value.next_seq ?? 0, { integer: true }), ...messages.map((m) => m.seq + 1)),
    totals,
  };
  if (value.system_prompt) thread.system_prompt = text(`${at}.system_prompt`, value.system_prompt, { max: MAX_TEXT_CHARS });
  return { thread, messages, skipped: 0 };
}

function checkCount(doc, field, list, noun) {
  if (doc[field] === undefined) return;
  if (doc[field] !== list.length) {
    throw new ImportError(`${field} says ${shown(doc[field])} ${noun} but the file holds ${list.length}: it is incomplete or was edited`);
  }
}

function unique(items, idOf, noun) {
  const seen = new Set();
  return items.filter((item, i) => {
    const itemId = idOf(item);
    if (seen.has(itemId)) throw new ImportError(`${noun}[${i}].id: ${shown(itemId)} appears twice in the file`);
    seen.add(itemId);
    return true;
  });
}

/** Checks a requests file's header (source, version); returns the check of one of its requests. */
function requestCheck(doc) {
  const source = doc.source;
  if (source !== SOURCE && source !== LLMSPY_SOURCE) {
    throw new ImportError(`source: expected "${SOURCE}" (this app) or "${LLMSPY_SOURCE}" (llms.py), got ${shown(source)}`);
  }
  if (source === SOURCE && doc.version !== FORMAT_VERSION) {
    throw new ImportError(`version: this app reads format version ${FORMAT_VERSION}, the file has ${shown(doc.version)}`);
  }
  return source === SOURCE ? checkRecord : fromLlmspyRequest;
}

/**
 * The header of a requests file read piece by piece (files/stream.js) → {source, count, check(at, value) →
 * {record, epoch_ms}}; throws ImportError when it is not a requests file this app reads.
 */
export function streamedRequests(header) {
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new ImportError("not an llms or llms.py export: expected a JSON object with \"requests\" or \"threads\"");
  }
  const check = requestCheck(header);
  const count = header.source === SOURCE ? header.count : header.requestsCount;
  return {
    source: header.source, count: count === undefined ? null : count,
    check: (at, value) => {
      const record = check(at, value);
      return { record, epoch_ms: Date.parse(record.timestamp) };
    },
  };
}

/**
 * A parsed file → {kind: "requests"|"threads", source: "llms"|"llmspy", requests?, threads?, skipped}; throws
 * ImportError on anything we cannot read exactly. Requests come sorted by time with their `epoch_ms`.
 */
export function readImport(doc) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ImportError("not an llms or llms.py export: expected a JSON object with \"requests\" or \"threads\"");
  }
  const check = requestCheck(doc);
  const source = doc.source;
  const hasRequests = doc.requests !== undefined;
  const hasThreads = doc.threads !== undefined;
  if (hasRequests === hasThreads) throw new ImportError("expected either \"requests\" or \"threads\" in the file");
  if (hasRequests) {
    const list = array("requests", doc.requests, MAX_RECORDS);
    checkCount(doc, source === SOURCE ? "count" : "requestsCount", list, "requests");
    const requests = unique(list.map((r, i) => check(`requests[${i}]`, r)), (r) => r.id, "requests")
      .map((record) => ({ record, epoch_ms: Date.parse(record.timestamp) }))
      .sort((a, b) => a.epoch_ms - b.epoch_ms);
    return { kind: "requests", source, requests, skipped: 0 };
  }
  const list = array("threads", doc.threads, MAX_THREADS);
  checkCount(doc, source === SOURCE ? "count" : "threadCount", list, "threads");
  const checkOne = source === SOURCE ? checkThread : fromLlmspyThread;
  const threads = unique(list.map((t, i) => checkOne(`threads[${i}]`, t)), (t) => t.thread.id, "threads");
  return { kind: "threads", source, threads, skipped: threads.reduce((n, t) => n + t.skipped, 0) };
}

/** The store key of an imported record (the same rule as a recorded one). */
export function keyOf({ record, epoch_ms }) {
  return requestKey(epoch_ms, record.id);
}
