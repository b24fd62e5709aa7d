// "Include API traffic" against a fake IndexedDB and a fake /api/ledger: a line the browser cannot store is
// skipped by name, never blocking the lines after it, and the position moves past it; a record is left out only
// when this browser holds its request id already, whatever its `client` says.
import "fake-indexeddb/auto";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as store from "../../../ui/static/js/store/store.js";
import { pullLedger } from "../../../ui/static/js/store/ledger_sync.js";
import { fromLedger } from "../../../ui/static/js/rules/record.js";

const saved = new Map();
globalThis.localStorage = { getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => saved.set(k, String(v)) };
store.openStore("ledger-sync");
after(() => store.closeStore());

const line = (request_id, over = {}) => ({
  timestamp: "2026-11-23T10:00:00.000+01:00", request_id, client: "api", provider: "openai", model: "gpt-4o",
  provider_model: "gpt-4o", endpoint: "/v1/chat/completions", status: "ok", error: null, finish_reason: "stop",
  usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 }, cost_usd: 0.000225, cost_provenance: "computed",
  prices: { input: 2.5, output: 10 }, response_ms: 800, ttft_ms: 100, ...over,
});

test("lines the browser cannot store are skipped by name and the rest are stored; the position moves on", async () => {
  const pages = [
    { records: [line("a1"), line("bad1", { timestamp: "2026-11-23 10:00:01.000+01:00" }), line("spoof", { client: "app" })], next_since: "P1", more: true },
    { records: [{ ...line("x"), request_id: undefined, finish_reason: "f".repeat(200) }, line("a2")], next_since: "P2", more: false },
  ];
  const asked = [];
  const fetchImpl = async (url) => {
    asked.push(url);
    return { ok: true, json: async () => ({ ledger: { enabled: true, warnings: [] }, ...pages[asked.length - 1] }) };
  };
  const result = await pullLedger(fetchImpl);
  assert.equal(result.added, 3, "a1, the line that says client app (not recorded by this browser) and a2");
  assert.deepEqual(result.skipped, [
    "request bad1 (timestamp: expected an ISO 8601 time with its offset like 2026-11-23T10:00:00.000+01:00, got \"2026-11-23 10:00:01.000+01:00\")",
    "line 4 (not a ledger record (it has no request_id))",
  ]);
  assert.match(result.note, /^Skipped 2 ledger lines this browser cannot store: request bad1 /);
  assert.deepEqual(asked, ["/api/ledger?limit=5000", "/api/ledger?limit=5000&since=P1"]);
  assert.equal(localStorage.getItem("llms.ledgerSince"), "P2");
  assert.equal(await store.countRequests(), 3);
});

const onePage = (records) => async () => ({ ok: true, json: async () => ({ ledger: { enabled: true, warnings: [] }, records, next_since: "P3", more: false }) });

test("a record this browser stored itself is not stored again; one it did not store is, whatever its client", async () => {
  const own = line("own-1", { client: "app", timestamp: "2026-11-24T10:00:00.000+01:00" });
  await store.addRequests([{ record: fromLedger("line", own), epoch_ms: Date.parse(own.timestamp) }]);
  const before = await store.countRequests();
  const result = await pullLedger(onePage([own, line("other-browser", { client: "app", timestamp: "2026-11-24T10:00:01.000+01:00" })]));
  assert.equal(result.added, 1);
  assert.equal(await store.countRequests(), before + 1);
});

test("a line the ledger allows at a time the store cannot key is skipped by name, and the lines after it are stored", async () => {
  const result = await pullLedger(onePage([
    line("epoch-minus", { timestamp: "1970-01-01T00:30:00.000+01:00" }),
    line("far-future", { timestamp: "2300-01-01T00:00:00.000+01:00" }),
    line("after-them", { timestamp: "2026-11-25T10:00:00.000+01:00" }),
  ]));
  assert.equal(result.added, 1);
  const range = "is outside the times this browser stores, 1970-01-01T00:00:00.000Z to 2286-11-20T17:46:39.999Z";
  assert.deepEqual(result.skipped, [
    `request epoch-minus (timestamp: 1970-01-01T00:30:00.000+01:00 ${range})`,
    `request far-future (timestamp: 2300-01-01T00:00:00.000+01:00 ${range})`,
  ]);
  assert.equal(localStorage.getItem("llms.ledgerSince"), "P3");
});

test("requests the server could not write to its ledger are said in the note, beside the lines pulled", async () => {
  const state = { enabled: true, warnings: [], write_errors: 2, last_error: "/data/usage.jsonl: No space left on device" };
  const result = await pullLedger(async () => ({ ok: true, json: async () => ({ ledger: state, records: [line("w1", { timestamp: "2026-11-26T10:00:00.000+01:00" })], next_since: "P4", more: false }) }));
  assert.equal(result.added, 1);
  assert.equal(result.note, "The server could not write 2 requests to its ledger (/data/usage.jsonl: No space left on device): they are not counted here");
});
