import { test } from "node:test";
import assert from "node:assert/strict";
import { requestKey, requestKeyId } from "../../ui/static/js/rules/keys.js";
import {
  LINES_PER_SEARCH_CHUNK, appendSearchLine, lineKey, matchChunk, packSearchLines, parseLineText, searchChunkKey, searchLine,
} from "../../ui/static/js/rules/search.js";

const lines = (n, from = 0) => Array.from({ length: n }, (_, i) => `req:${from + i}\tx\n`);

test("bulk search lines fill the last chunk, then open new ones of 1,000 lines", () => {
  const chunks = packSearchLines(searchChunkKey(4), lines(998).join(""), lines(1003, 998));
  assert.deepEqual(chunks.map((c) => [c.key, c.text.split("\n").length - 1]),
    [[searchChunkKey(4), LINES_PER_SEARCH_CHUNK], [searchChunkKey(5), 1000], [searchChunkKey(6), 1]]);
  assert.equal(chunks.map((c) => c.text).join(""), lines(2001).join(""));
});

test("an empty store starts at chunk 0; nothing to add puts nothing", () => {
  assert.deepEqual(packSearchLines(null, null, lines(1)), [{ key: searchChunkKey(0), text: lines(1)[0] }]);
  assert.deepEqual(packSearchLines(searchChunkKey(2), "a\n", []), []);
});

test("a request key gives back its id", () => {
  assert.equal(requestKeyId(requestKey(1747207812345, "demo-000001")), "demo-000001");
});

test("search lines are lowercased, one line each, with tabs and newlines flattened", () => {
  const record = { model: "GPT-4o", provider: "openai", provider_model: "gpt-4o-2024", status: "ok", prompt_preview: "Hello\tWorld\nagain" };
  assert.equal(searchLine("req:1:a", record), "req:1:a\tgpt-4o openai gpt-4o-2024 ok hello world again\n");
});

test("search lines fill a chunk up to 1,000 lines, then start the next", () => {
  let chunk = appendSearchLine(null, null, "a\n");
  assert.deepEqual(chunk, { key: searchChunkKey(0), text: "a\n" });
  chunk = appendSearchLine(chunk.key, chunk.text, "b\n");
  assert.deepEqual(chunk, { key: "search:00000000", text: "a\nb\n" });
  const full = "x\n".repeat(1000);
  assert.deepEqual(appendSearchLine("search:00000007", full, "c\n"), { key: "search:00000008", text: "c\n" });
  assert.deepEqual(appendSearchLine("search:00000007", "x\n".repeat(999), "c\n").key, "search:00000007");
});

test("a search line reads back as what it was written from, with or without a provider", () => {
  const answered = { model: "gpt-4o", provider: "openai", provider_model: "gpt-4o-2024", status: "error", prompt_preview: "ok then" };
  const refused = { model: "gpt-4o", provider: null, provider_model: null, status: "error", prompt_preview: "aborted early" };
  const text = (line) => line.slice(line.indexOf("\t") + 1, -1);
  assert.deepEqual(parseLineText(text(searchLine("req:1:a", answered))), { model: "gpt-4o", provider: "openai", status: "error" });
  assert.deepEqual(parseLineText(text(searchLine("req:1:b", refused))), { model: "gpt-4o", provider: null, status: "error" });
  assert.equal(lineKey(searchLine("req:1:a", answered).slice(0, -1)), "req:1:a");
});

test("a chunk is matched by text and by the filters read back from its lines, within the key range", () => {
  const chunk = [
    searchLine("req:0000000000001:a", { model: "gpt-4o", provider: "openai", status: "ok", prompt_preview: "Hello there" }),
    searchLine("req:0000000000002:b", { model: "gpt-4o", provider: null, status: "error", prompt_preview: "hello again" }),
    searchLine("req:0000000000003:c", { model: "claude", provider: "anthropic", status: "ok", prompt_preview: "bye" }),
  ].join("");
  const all = ["req:", "req;"];
  assert.deepEqual(matchChunk(chunk, { q: "HELLO" }, all).map((m) => m.key), ["req:0000000000001:a", "req:0000000000002:b"]);
  assert.deepEqual(matchChunk(chunk, { provider: "(none)" }, all).map((m) => m.key), ["req:0000000000002:b"]);
  assert.deepEqual(matchChunk(chunk, { q: "hello", status: "ok" }, all).map((m) => m.key), ["req:0000000000001:a"]);
  assert.deepEqual(matchChunk(chunk, { model: "claude" }, ["req:0000000000002", "req:0000000000004"]).map((m) => m.key), ["req:0000000000003:c"]);
});
