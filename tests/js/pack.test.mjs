import { test } from "node:test";
import assert from "node:assert/strict";
import { LINES_PER_SEARCH_CHUNK, packSearchLines, requestKey, requestKeyId, searchChunkKey } from "../../ui/static/js/keys.js";

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
