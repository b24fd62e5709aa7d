// Pure: Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
// only the `data:` field, which is all the OpenAI stream uses.

/** A parser fed text pieces of any size; returns the data payloads of the events each piece completed. */
export function createSseParser() {
  let buffer = "";
  let data = [];
  const takeLine = (line) => {
    if (line === "") {
      const payload = data.length ? data.join("\n") : null;
      data = [];
      return payload;
    }
    if (line.startsWith(":")) return null; // a comment, e.g. a keep-alive
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    return null;
  };
  return {
    feed(text) {
      buffer += text;
      const events = [];
      let end;
      while ((end = buffer.search(/\r\n|\r|\n/)) !== -1) {
        if (buffer[end] === "\r" && end === buffer.length - 1) break; // a "\r\n" may be split across pieces
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith("\r\n", end) ? 2 : 1));
        const payload = takeLine(line);
        if (payload !== null) events.push(payload);
      }
      return events;
    }
  };
}

/** Async iterator over the data payloads of a fetch Response body. */
export async function* readSse(body) {
  const parser = createSseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.feed(decoder.decode(value, { stream: true }));
    }
    // An event left without its closing blank line is dropped, as the spec says for end of stream.
  } finally {
    reader.releaseLock();
  }
}
