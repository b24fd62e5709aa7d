// Import: what is read, what is refused (with which message); our own files round-trip through Export.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ImportError } from "../../../ui/static/js/rules/files/check.js";
import { requestsFileParts, threadsFileParts } from "../../../ui/static/js/rules/files/export.js";
import { MAX_IMPORT_BYTES, keyOf, readImport } from "../../../ui/static/js/rules/files/import.js";
import { ExportStream } from "../../../ui/static/js/rules/files/stream.js";
import { sampleRecord } from "../fixtures.mjs";

process.env.TZ = "Europe/Berlin";

// A record that may break the rules (a test of what is refused), from a valid one.
const record = (over = {}) => ({ ...sampleRecord(), ...over });
const requestsFile = (records, extra = {}) => JSON.parse(requestsFileParts(records, new Date("2026-05-20T10:00:00Z")).join(""));
const refused = (doc, message) => assert.throws(() => readImport(doc), (e) => e instanceof ImportError && e.message === message);

test("a request export carries source, version, count and an ISO time with offset, and reads back identical", () => {
  const doc = requestsFile([record(), record({ id: "r2", timestamp: "2026-05-13T08:00:00.000+02:00" })]);
  assert.equal(doc.source, "llms");
  assert.equal(doc.kind, "requests");
  assert.equal(doc.version, 1);
  assert.equal(doc.count, 2);
  assert.equal(doc.exported_at, "2026-05-20T12:00:00.000+02:00");
  const read = readImport(doc);
  assert.equal(read.kind, "requests");
  assert.deepEqual(read.requests.map((r) => r.record.id), ["r2", record().id], "oldest first");
  assert.deepEqual(read.requests[1].record, record());
  assert.equal(keyOf(read.requests[1]), `req:${Date.parse(record().timestamp)}:${record().id}`);
});

test("a thread export reads back with its messages", () => {
  const thread = { id: "t1", title: "Hi", created_at: "2026-05-14T07:30:00.000Z", updated_at: "2026-05-14T07:31:00.000Z",
    model: "openai/gpt-4o", next_seq: 2, totals: { requests: 1, cost_usd: 0.0064 } };
  const messages = [
    { id: "m1", thread_id: "t1", seq: 0, role: "user", content: "Hi", created_at: "2026-05-14T07:30:00.000Z" },
    { id: "m2", thread_id: "t1", seq: 1, role: "assistant", content: "Hello", created_at: "2026-05-14T07:30:02.000Z",
      request_key: "req:1778743812345:r1", status: "ok", error: null },
  ];
  const doc = JSON.parse(threadsFileParts([{ thread, messages }]).join(""));
  assert.equal(doc.count, 1);
  const read = readImport(doc);
  assert.equal(read.threads[0].thread.totals.requests, 1);
  assert.equal(read.threads[0].thread.totals.errors, 0);
  assert.deepEqual(read.threads[0].messages, messages);
});

test("bad files are refused with a message naming what is wrong", () => {
  refused([], "not an llms or llms.py export: expected a JSON object with \"requests\" or \"threads\"");
  refused({ source: "other", requests: [] }, "source: expected \"llms\" (this app) or \"llmspy\" (llms.py), got \"other\"");
  refused({ source: "llms", version: 2, requests: [] }, "version: this app reads format version 1, the file has 2");
  refused({ source: "llms", version: 1 }, "expected either \"requests\" or \"threads\" in the file");
  refused(requestsFile([record({ timestamp: "yesterday" })]),
    "requests[0].timestamp: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got \"yesterday\"");
  refused(requestsFile([record({ timestamp: "2026-05-14T09:30:12" })]),
    "requests[0].timestamp: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got \"2026-05-14T09:30:12\"");
  refused(requestsFile([record({ cost_usd: -1 })]), "requests[0].cost_usd: expected a number ≥ 0 or null, got -1");
  refused(requestsFile([record({ status: "maybe" })]), "requests[0].status: expected one of \"ok\", \"error\", \"aborted\", got \"maybe\"");
  refused(requestsFile([record({ id: "../../etc" })]), "requests[0].id: expected an id of letters, digits and _.:@- (at most 128), got \"../../etc\"");
  refused(requestsFile([record({ usage: { prompt_tokens: "12", completion_tokens: 3 } })]),
    "requests[0].usage.prompt_tokens: expected a whole number from 0 to 1000000000000, got \"12\"");
  refused(requestsFile([record({ usage: { prompt_tokens: 1e308, completion_tokens: 3 } })]),
    "requests[0].usage.prompt_tokens: expected a whole number from 0 to 1000000000000, got 1e+308");
  refused(requestsFile([record({ usage: { prompt_tokens: 3, completion_tokens: 3, completion_tokens_details: { reasoning_tokens: 1e13 } } })]),
    "requests[0].usage.completion_tokens_details.reasoning_tokens: expected a whole number from 0 to 1000000000000, got 10000000000000");
  refused(requestsFile([record(), record()]), `requests[1].id: "${record().id}" appears twice in the file`);
  refused({ ...requestsFile([record()]), count: 3 }, "count says 3 requests but the file holds 1: it is incomplete or was edited");
});

test("a hostile record keeps only the fields we know", () => {
  const doc = JSON.parse(`{"source":"llms","version":1,"count":1,"requests":[${JSON.stringify(record()).slice(0, -1)},"__proto__":{"polluted":true},"script":"<img onerror=x>"}]}`);
  const read = readImport(doc);
  assert.equal(read.requests[0].record.script, undefined);
  assert.equal(Object.getPrototypeOf(read.requests[0].record), Object.prototype);
  assert.equal({}.polluted, undefined);
});

test("truncated, empty and oversized files are refused before anything is read", () => {
  const text = requestsFileParts([record()]).join("");
  const read = (whole) => { const stream = new ExportStream(); stream.push(whole); return stream.end(); };
  assert.throws(() => read(text.slice(0, 200)), (e) => e instanceof ImportError && e.message.startsWith("not valid JSON (the file looks cut short): "));
  assert.throws(() => read("  "), { message: "the file is empty" });
  // A file without a "requests" list is read whole: past the limit it is refused (a requests file streams).
  assert.throws(() => new ExportStream().push(`{"threads":[${" ".repeat(MAX_IMPORT_BYTES)}`),
    { message: 'the file has no "requests" list readable piece by piece and is over 400 MB' });
});
