// Pure: reads an export from text chunks as they arrive (file.stream()), never the whole file as one string.
// Two layouts: our JSON export, `{header…, "requests": [ {…}, … ]}`, whose "requests" elements are handed out one at
// a time; and JSON Lines, a header object on the first line and one request per line after it (files/export.js
// writes both). Any other document (a chat export, llms.py's) is kept whole as `head` and read at the end, within
// the size the whole-file reader allows.
import { ImportError } from "./check.js";
import { MAX_IMPORT_BYTES } from "./import.js";

const QUOTE = 34;
const BACKSLASH = 92;

/** Where the scanner is: before/inside the top-level value, inside "requests", or reading JSON Lines. */
const TOP = 0;
const ARRAY = 1;
const LINES = 2;

export class ExportStream {
  constructor() {
    this.text = ""; // the unread tail of what arrived
    this.i = 0; // scan position in `text`
    this.mode = TOP;
    this.depth = 0;
    this.inString = false;
    this.head = ""; // the document without the "requests" elements; its header
    this.headDone = false;
    this.lastString = null; // the last string closed at depth 1: a key when ':' follows
    this.stringStart = -1;
    this.start = -1; // where the element (or line) being read began
    this.index = 0; // "requests" elements or JSON Lines records handed out
    this.line = 1; // JSON Lines: the line being read
  }

  /** Feeds the next chunk of text; returns [{at, value}] of the requests it completed. */
  push(chunk) {
    this.text += chunk;
    const out = [];
    if (this.mode === LINES) this.readLines(out, false);
    else this.scan(out);
    return out;
  }

  /** The file ended: returns the last requests; `header` (the head parsed) and `layout` are then known. */
  end() {
    const out = [];
    if (this.mode === LINES) this.readLines(out, true);
    else if (this.mode === ARRAY || !this.headDone) {
      if (!this.head.trim() && !this.text.trim()) throw new ImportError("the file is empty");
      throw new ImportError(`not valid JSON (the file looks cut short): it ends inside ${this.mode === ARRAY ? `requests[${this.index}]` : "the document"}`);
    } else if (this.text.slice(this.i).trim()) throw new ImportError("not valid JSON: text after the end of the document");
    return out;
  }

  get layout() { return this.mode === LINES ? "jsonl" : "json"; }

  /**
   * The parsed head: the document with "requests" empty (JSON; while inside the list, the fields before it),
   * the first line (JSON Lines).
   */
  get header() { return parse(`${this.head.trim()}${this.mode === ARRAY ? "}" : ""}`, "the file's header"); }

  keepHead(upTo) {
    this.head += this.text.slice(0, upTo);
    if (this.head.length > MAX_IMPORT_BYTES) {
      throw new ImportError(`the file has no "requests" list readable piece by piece and is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
    }
  }

  /** Drops what was read: the head keeps its part, an element being read stays. */
  compact() {
    const open = this.inString ? this.stringStart : this.i; // a string cut by the chunk is read whole next time
    const from = this.mode === ARRAY && this.start >= 0 ? this.start : Math.min(open, this.i);
    if (this.mode !== ARRAY && !this.headDone) this.keepHead(from);
    if (this.stringStart >= 0) this.stringStart -= from;
    if (this.start >= 0) this.start -= from;
    this.text = this.text.slice(from);
    this.i -= from;
  }

  scan(out) {
    const { text } = this;
    let { i } = this;
    for (; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        const close = nextQuote(text, i);
        if (close < 0) { i = text.length; break; }
        i = close;
        this.inString = false;
        if (this.depth === 1 && this.mode === TOP) this.lastString = text.slice(this.stringStart + 1, i);
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        this.stringStart = i;
      } else if (c === 123 || c === 91) { // { [
        if (this.mode === TOP && c === 91 && this.depth === 1 && this.lastString === "requests" && !this.headDone) {
          this.keepHead(i + 1);
          this.head += "]";
          this.mode = ARRAY;
          this.text = this.text.slice(i + 1);
          this.i = 0;
          this.depth = 2;
          return this.scan(out);
        }
        if (this.mode === ARRAY && this.depth === 2) this.start = i;
        this.depth += 1;
      } else if (c === 125 || c === 93) { // } ]
        this.depth -= 1;
        if (this.mode === ARRAY && this.depth === 2 && this.start >= 0) {
          out.push({ at: `requests[${this.index}]`, value: parse(text.slice(this.start, i + 1), `requests[${this.index}]`) });
          this.index += 1;
          this.start = -1;
        } else if (this.mode === ARRAY && this.depth === 1) {
          // The "requests" list closed: the rest of the document joins the head.
          this.mode = TOP;
          this.text = this.text.slice(i + 1);
          this.i = 0;
          return this.scan(out);
        } else if (this.mode === TOP && this.depth === 0) {
          this.keepHead(i + 1);
          this.headDone = true;
          this.text = this.text.slice(i + 1);
          this.i = 0;
          if (this.head.trim().startsWith("{") && !("requests" in this.header) && this.header.kind === "requests") {
            this.mode = LINES; // JSON Lines: the header alone on the first line
            this.line = 1; // the header line's end comes first
            this.readLines(out, false);
            return undefined;
          }
          this.i = 0;
          return undefined;
        }
      } else if (this.mode === ARRAY && this.depth === 2 && this.start < 0 && c !== 44 && c > 32) {
        throw new ImportError(`requests[${this.index}]: expected a request object`);
      }
    }
    this.i = i;
    this.compact();
    return undefined;
  }

  readLines(out, last) {
    let from = 0;
    for (;;) {
      const newline = this.text.indexOf("\n", from);
      if (newline < 0) break;
      this.takeLine(out, this.text.slice(from, newline));
      from = newline + 1;
    }
    this.text = this.text.slice(from);
    if (last && this.text.trim()) this.takeLine(out, this.text);
    if (last) this.text = "";
  }

  takeLine(out, lineText) {
    const at = `line ${this.line.toLocaleString("en-US")}`;
    this.line += 1;
    if (!lineText.trim()) return;
    out.push({ at, value: parse(lineText, at) });
    this.index += 1;
  }
}

/** The closing quote of the string whose text goes on at `from` (-1 when it goes on past the chunk). */
function nextQuote(text, from) {
  let at = text.indexOf('"', from);
  while (at >= 0) {
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes += 1;
    if (slashes % 2 === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return -1;
}

function parse(text, at) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ImportError(`${at}: not valid JSON: ${error.message}`);
  }
}
