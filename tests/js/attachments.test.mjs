import assert from "node:assert/strict";
import { test } from "node:test";
import { admit, formatBytes, IMAGE_MAX_BYTES, MESSAGE_MAX_BYTES, messageContent, refusal } from "../../ui/static/js/rules/attachments.js";

const MB = 1024 * 1024;

test("PNG, JPEG and WebP images and PDFs are accepted", () => {
  for (const type of ["image/png", "image/jpeg", "image/webp", "application/pdf"]) {
    assert.equal(refusal({ name: "f", type, size: 1000 }, []), null, type);
  }
});

test("another type is refused naming the file and its type", () => {
  assert.equal(refusal({ name: "notes.txt", type: "text/plain", size: 10 }, []),
    "notes.txt is text/plain: only PNG, JPEG or WebP images and PDF files can be attached");
  assert.equal(refusal({ name: "anim.gif", type: "image/gif", size: 10 }, []),
    "anim.gif is image/gif: only PNG, JPEG or WebP images and PDF files can be attached");
  assert.equal(refusal({ name: "blob", type: "", size: 10 }, []),
    "blob is an unknown type: only PNG, JPEG or WebP images and PDF files can be attached");
});

test("an image over 5 MB is refused with its size and the limit", () => {
  assert.equal(refusal({ name: "big.png", type: "image/png", size: IMAGE_MAX_BYTES }, []), null);
  assert.equal(refusal({ name: "big.png", type: "image/png", size: 6 * MB }, []),
    "big.png is 6.0 MB: an image may be at most 5.0 MB");
});

test("a PDF over 5 MB is fine until the message's files pass 15 MB together", () => {
  assert.equal(refusal({ name: "a.pdf", type: "application/pdf", size: 12 * MB }, []), null);
  assert.equal(refusal({ name: "b.pdf", type: "application/pdf", size: 4 * MB }, [{ size: 12 * MB }]),
    "b.pdf is 4.0 MB: the files of one message may be at most 15.0 MB together");
  assert.equal(MESSAGE_MAX_BYTES, 15 * MB);
});

test("admit counts each accepted file against the next and keeps the order", () => {
  const files = [{ name: "a.pdf", type: "application/pdf", size: 8 * MB }, { name: "x.txt", type: "text/plain", size: 1 },
    { name: "b.pdf", type: "application/pdf", size: 8 * MB }, { name: "c.png", type: "image/png", size: 2 * MB }];
  const { accepted, refused } = admit(files, [{ size: 3 * MB }]);
  assert.deepEqual(accepted.map((f) => f.name), ["a.pdf", "c.png"]);
  assert.deepEqual(refused.map((r) => r.name), ["x.txt", "b.pdf"]);
});

test("sizes read as KB below a megabyte and MB above", () => {
  assert.equal(formatBytes(10), "1 KB");
  assert.equal(formatBytes(830 * 1024), "830 KB");
  assert.equal(formatBytes(4.25 * MB), "4.3 MB");
});

test("a message without files is its text; with files, the text then an image_url or a file part each", () => {
  assert.equal(messageContent("Hi"), "Hi");
  assert.equal(messageContent("Hi", []), "Hi");
  const files = [{ name: "cat.png", type: "image/png", size: 3, data_url: "data:image/png;base64,AAA" },
    { name: "paper.pdf", type: "application/pdf", size: 3, data_url: "data:application/pdf;base64,JVBE" }];
  assert.deepEqual(messageContent("What is this?", files), [
    { type: "text", text: "What is this?" },
    { type: "image_url", image_url: { url: "data:image/png;base64,AAA" } },
    { type: "file", file: { filename: "paper.pdf", file_data: "data:application/pdf;base64,JVBE" } },
  ]);
  assert.deepEqual(messageContent("", files.slice(0, 1)), [{ type: "image_url", image_url: { url: "data:image/png;base64,AAA" } }]);
});
