import assert from "node:assert/strict";
import { test } from "node:test";
import { createSseParser, readSse } from "../../ui/static/js/rules/sse.js";

test("events end at a blank line, whatever the pieces' boundaries", () => {
  const text = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
  for (let size = 1; size <= text.length; size += 1) {
    const parser = createSseParser();
    const events = [];
    for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)));
    assert.deepEqual(events, ['{"a":1}', '{"b":2}', "[DONE]"], `pieces of ${size}`);
  }
});

test("CRLF and CR line ends, comments, other fields and multi-line data", () => {
  const parser = createSseParser();
  assert.deepEqual(parser.feed(": keep-alive\r\nevent: x\r\nid: 3\r\ndata: one\r\ndata:two\r\n\r\ndata: three\r\rdata: four\n\n"), ["one\ntwo", "three", "four"]);
});

test("a CRLF split between two pieces is one line end", () => {
  const parser = createSseParser();
  assert.deepEqual(parser.feed("data: x\r"), []);
  assert.deepEqual(parser.feed("\n\r\n"), ["x"]);
});

test("readSse decodes UTF-8 split inside a character and drops an unfinished event", async () => {
  const bytes = new TextEncoder().encode('data: "héllo €"\n\ndata: "cut');
  const body = new ReadableStream({
    start(controller) {
      for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
      controller.close();
    },
  });
  const events = [];
  for await (const event of readSse(body)) events.push(event);
  assert.deepEqual(events, ['"héllo €"']);
});
