// "Include API traffic" against a fake IndexedDB and a fake /api/ledger: a line the browser cannot store is
// skipped by name, never blocking the lines after it, and the position moves past it.
import "fake-indexeddb/auto";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as store from "../../../ui/static/js/store/store.js";
import { pullLedger } from "../../../ui/static/js/store/ledger_sync.js";

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
    { records: [line("a1"), line("bad1", { timestamp: "2026-11-23 10:00:01.000+01:00" }), line("mine", { client: "app" })], next_since: "P1", more: true },
    { records: [{ ...line("x"), request_id: undefined, finish_reason: "f".repeat(200) }, line("a2")], next_since: "P2", more: false },
  ];
  const asked = [];
  const fetchImpl = async (url) => {
    asked.push(url);
    return { ok: true, json: async () => ({ ledger: { enabled: true, warnings: [] }, ...pages[asked.length - 1] }) };
  };
  const result = await pullLedger(fetchImpl);
  assert.equal(result.added, 2);
  assert.deepEqual(result.skipped, [
    "request bad1 (timestamp: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got \"2026-11-23 10:00:01.000+01:00\")",
    "line 4 (id: expected an id of letters, digits and _.:@- (at most 128), got undefined)",
  ]);
  assert.match(result.note, /^Skipped 2 ledger lines this browser cannot store: request bad1 /);
  assert.deepEqual(asked, ["/api/ledger?limit=5000", "/api/ledger?limit=5000&since=P1"]);
  assert.equal(localStorage.getItem("llms.ledgerSince"), "P2");
  assert.equal(await store.countRequests(), 2);
});
