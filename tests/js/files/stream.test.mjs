// Reading an export piece by piece: the same requests whatever the chunk size, in both layouts, and a cut or
// broken file named where it breaks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ExportStream } from "../../../ui/static/js/rules/files/stream.js";
import { requestsFileParts, requestsJsonlParts } from "../../../ui/static/js/rules/files/export.js";
import { ImportError } from "../../../ui/static/js/rules/files/check.js";
import { sampleRecord } from "../fixtures.mjs";

const records = [0, 1, 2].map((i) => sampleRecord({ id: `r${i}`, prompt_preview: `say "hi" \\ {[${i}]} ,` }));
const now = new Date("2026-05-14T10:00:00Z");

function readAll(text, size) {
  const stream = new ExportStream();
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(...stream.push(text.slice(i, i + size)));
  out.push(...stream.end());
  return { stream, out };
}

test("our JSON export and its JSON Lines give the same requests and header at every chunk size", () => {
  const json = requestsFileParts(records, now).join("");
  const jsonl = requestsJsonlParts(records, now).join("");
  for (const size of [1, 2, 3, 7, 64, 100_000]) {
    for (const [text, layout, at] of [[json, "json", "requests[1]"], [jsonl, "jsonl", "line 3"]]) {
      const { stream, out } = readAll(text, size);
      assert.equal(stream.layout, layout);
      assert.deepEqual(out.map((o) => o.value), records, `${layout} in chunks of ${size}`);
      assert.equal(out[1].at, at);
      assert.equal(stream.header.count, 3);
      assert.equal(stream.header.source, "llms");
    }
  }
});

test("a pretty-printed export and fields after the list are read too; a chat file is kept whole", () => {
  const text = JSON.stringify({ source: "llms", kind: "requests", version: 1, requests: records, count: 3 }, null, 2);
  const { stream, out } = readAll(text, 5);
  assert.equal(out.length, 3);
  assert.equal(stream.header.count, 3);
  const chats = readAll(JSON.stringify({ source: "llms", version: 1, threads: [{ id: "t" }] }), 4);
  assert.equal(chats.out.length, 0);
  assert.deepEqual(chats.stream.header.threads, [{ id: "t" }]);
});

test("a cut file, a broken line and an empty file say where and what", () => {
  const json = requestsFileParts(records, now).join("");
  assert.throws(() => readAll(json.slice(0, -40), 10), (e) => e instanceof ImportError && e.message === "not valid JSON (the file looks cut short): it ends inside requests[2]");
  const lines = requestsJsonlParts(records, now).join("").split("\n");
  lines[2] = lines[2].slice(0, 30);
  assert.throws(() => readAll(lines.join("\n"), 9), (e) => e instanceof ImportError && e.message.startsWith("line 3: not valid JSON: "));
  assert.throws(() => readAll("  \n", 1), { message: "the file is empty" });
  assert.throws(() => readAll(`{"source":"llms","requests":[1]}`, 3), { message: "requests[0]: expected a request object" });
});
