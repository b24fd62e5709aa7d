// Export, Import and demo data between files and the store: the pure rules are io.js and demo.js, the
// writes store.js; this module reads files, saves downloads and reports progress.
import { demoRecords } from "../rules/demo.js";
import { ImportError } from "../rules/files/check.js";
import { requestsFileParts, requestsJsonlParts, threadsFileParts } from "../rules/files/export.js";
import { readImport, streamedRequests } from "../rules/files/import.js";
import { ExportStream } from "../rules/files/stream.js";
import { ALL_REQUESTS, localDate } from "../rules/keys.js";
import * as store from "./store.js";

export const IMPORT_BATCH = 5000;
const THREAD_BATCH = 200;

/** Saves `parts` as a file download. */
export function download(parts, filename, type) {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const stamp = () => localDate(new Date());

/** Every request record, oldest first. */
export async function allRecords() {
  const records = [];
  await store.eachValue(ALL_REQUESTS, (record) => { records.push(record); });
  return records;
}

export async function exportThreads() {
  const threads = await store.readAllThreads();
  download(threadsFileParts(threads), `llms-chats-${stamp()}.json`, "application/json");
  return threads.length;
}

/** Saves the request log as JSON, or as JSON Lines (`jsonl`: a line per record, for large logs and line tools). */
export async function exportRequests({ jsonl = false } = {}) {
  const records = await allRecords();
  if (jsonl) download(requestsJsonlParts(records), `llms-requests-${stamp()}.jsonl`, "application/x-ndjson");
  else download(requestsFileParts(records), `llms-requests-${stamp()}.json`, "application/json");
  return records.length;
}

/** Writes checked requests in batches; onProgress(done, total). Resolves to the number added. */
export async function addInBatches(requests, onProgress = () => {}) {
  let added = 0;
  for (let i = 0; i < requests.length; i += IMPORT_BATCH) {
    added += await store.addRequests(requests.slice(i, i + IMPORT_BATCH));
    onProgress(Math.min(i + IMPORT_BATCH, requests.length), requests.length);
  }
  return added;
}

const count = (n) => n.toLocaleString("en-US");

/** An import stopped after some of its batches were stored: they stay (each whole), and the message says so. */
export class ImportStopped extends Error {}

/**
 * Reads a file piece by piece (file.stream(), never one string) and stores its requests in batches of
 * IMPORT_BATCH as they are checked, the next batch read and checked while the last one is written;
 * onProgress(done, total) once a batch is stored, so what it reports survives a closed tab. A batch is written
 * whole or not at all: when a request is wrong the import stops there, naming it (`requests[12]` or `line 14`) and
 * what is wrong; the batches already stored stay and the message says how many (ImportStopped; ImportError when
 * none was). Importing the fixed file again adds only the rest: a request already stored is known by its id. A chat
 * or llms.py file is read whole and checked whole before anything is written. Resolves to a sentence saying what
 * was added.
 */
export async function importFile(file, onProgress = () => {}) {
  const reader = file.stream().pipeThrough(new TextDecoderStream()).getReader();
  const stream = new ExportStream();
  let requests = null; // the header's check, once the header is read
  let pending = [];
  let seen = 0;
  let added = 0;
  let stored = 0;
  let read = 0;
  let writing = Promise.resolve(); // the batch being written: at most one, so memory stays two batches
  // In requests when the header says how many (our exports do), else in characters of the file read.
  const progress = (count, through) => {
    if (requests?.count) onProgress(Math.min(count, requests.count), requests.count);
    else onProgress(Math.min(through, file.size), file.size);
  };
  const flush = async () => {
    const batch = pending.sort((a, b) => a.epoch_ms - b.epoch_ms);
    const through = read;
    pending = [];
    await writing;
    writing = store.addRequests(batch).then((fresh) => {
      added += fresh;
      stored += batch.length;
      progress(stored, through);
    });
    writing.catch(() => {}); // awaited before the next batch or at the end; this only marks the failure as handled
  };
  const take = async (items) => {
    for (const { at, value } of items) {
      requests ??= streamedRequests(stream.header);
      pending.push(requests.check(at, value));
      seen += 1;
      if (pending.length >= IMPORT_BATCH) await flush();
    }
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.length;
      await take(stream.push(value));
    }
    await take(stream.end());
    if (stream.index === 0 && stream.layout === "json") return importWhole(stream.header, onProgress);
    requests ??= streamedRequests(stream.header);
    if (requests.count !== null && requests.count !== seen) {
      throw new ImportError(`count says ${count(requests.count)} requests but the file holds ${count(seen)}: it is incomplete or was edited`);
    }
    await flush();
    await writing;
  } catch (error) {
    reader.cancel().catch(() => {}); // the file is not read further; a cancel that fails changes nothing
    await writing.catch(() => {}); // a write that failed is `error` itself (it was awaited); one still running ends first
    if (!(error instanceof ImportError) || stored === 0) throw error;
    throw new ImportStopped(`${error.message}. The ${count(stored)} requests before it were kept (${count(added)} new, whole batches of ${count(IMPORT_BATCH)}); import the file again once it is fixed to add the rest.`);
  }
  const from = requests.source === "llmspy" ? " from llms.py" : "";
  const known = seen - added;
  return `Imported ${count(added)} of ${count(seen)} requests${from}${known ? ` (${count(known)} already here)` : ""}.`;
}

/** A file with no "requests" list read piece by piece: checked whole, then written. */
async function importWhole(doc, onProgress) {
  const parsed = readImport(doc);
  const from = parsed.source === "llmspy" ? " from llms.py" : "";
  if (parsed.kind === "requests") {
    const added = await addInBatches(parsed.requests, onProgress);
    const known = parsed.requests.length - added;
    return `Imported ${count(added)} of ${count(parsed.requests.length)} requests${from}${known ? ` (${count(known)} already here)` : ""}.`;
  }
  let added = 0;
  for (let i = 0; i < parsed.threads.length; i += THREAD_BATCH) {
    added += await store.addThreads(parsed.threads.slice(i, i + THREAD_BATCH));
    onProgress(Math.min(i + THREAD_BATCH, parsed.threads.length), parsed.threads.length);
  }
  const known = parsed.threads.length - added;
  return `Imported ${added} of ${parsed.threads.length} chats${from}${known ? ` (${known} already here)` : ""}`
    + `${parsed.skipped ? `; ${parsed.skipped} system or tool messages were left out` : ""}.`;
}

/** Replaces any demo data with a fresh 90 days ending now. */
export async function loadDemo(onProgress = () => {}) {
  await store.removeDemo();
  return addInBatches(demoRecords(new Date()), onProgress);
}

export { ImportError };
