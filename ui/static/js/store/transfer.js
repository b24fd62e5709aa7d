// Export, Import and demo data between files and the store: the pure rules are io.js and demo.js, the
// writes store.js; this module reads files, saves downloads and reports progress.
import { demoRecords } from "../rules/demo.js";
import { ImportError } from "../rules/files/check.js";
import { requestsFileParts, threadsFileParts } from "../rules/files/export.js";
import { parseJson, readImport } from "../rules/files/import.js";
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

export async function exportRequests() {
  const records = await allRecords();
  download(requestsFileParts(records), `llms-requests-${stamp()}.json`, "application/json");
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

/**
 * Reads, checks and stores a file; nothing is written unless the whole file is valid. Resolves to a sentence
 * saying what was added; rejects with ImportError saying what is wrong.
 */
export async function importFile(file, onProgress = () => {}) {
  const parsed = readImport(parseJson(await file.text(), file.size));
  const from = parsed.source === "llmspy" ? " from llms.py" : "";
  if (parsed.kind === "requests") {
    const added = await addInBatches(parsed.requests, onProgress);
    const known = parsed.requests.length - added;
    return `Imported ${added.toLocaleString("en-US")} of ${parsed.requests.length.toLocaleString("en-US")} requests${from}`
      + `${known ? ` (${known.toLocaleString("en-US")} already here)` : ""}.`;
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
