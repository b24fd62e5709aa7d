import assert from "node:assert/strict";
import { test } from "node:test";
import { blockCutter, markdownBlocks } from "../../../ui/static/js/chat/blocks.js";

test("paragraphs, headings and tables are cut at the blank line before the next block", () => {
  assert.deepEqual(markdownBlocks("# Title\n\nOne\ntwo\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nEnd\n"),
    ["# Title\n\n", "One\ntwo\n\n", "| a | b |\n|---|---|\n| 1 | 2 |\n\n", "End\n"]);
});

test("a fenced code block with blank lines inside stays one block, for ``` and ~~~", () => {
  const text = "Intro\n\n```py\na = 1\n\nb = 2\n```\n\n~~~~\nx\n\n~~~\ny\n~~~~\n\nAfter\n";
  assert.deepEqual(markdownBlocks(text), ["Intro\n\n", "```py\na = 1\n\nb = 2\n```\n\n", "~~~~\nx\n\n~~~\ny\n~~~~\n\n", "After\n"]);
});

test("an unclosed fence keeps the rest of the text in one block", () => {
  assert.deepEqual(markdownBlocks("A\n\n```\ncode\n\nmore\n"), ["A\n\n", "```\ncode\n\nmore\n"]);
});

test("inline code that starts with three backticks is not a fence", () => {
  assert.deepEqual(markdownBlocks("```x``` here\n\nNext\n"), ["```x``` here\n\n", "Next\n"]);
});

test("a list item, an indented line or a quote line never starts a block: loose lists and quotes stay whole", () => {
  const text = "- one\n\n- two\n\n  more of two\n\n1. first\n\n2) second\n\n> quote\n\n> still quote\n\nDone\n";
  assert.deepEqual(markdownBlocks(text), ["- one\n\n- two\n\n  more of two\n\n1. first\n\n2) second\n\n> quote\n\n> still quote\n\n", "Done\n"]);
});

test("the cuts made while the text grows piece by piece are the cuts of the whole text", () => {
  const text = "# H\n\nPara one\n\n```js\nlet a;\n\nlet b;\n```\n\n- x\n\n- y\n\nLast line\r\n\r\nreally last\n\na line that is not whole yet";
  for (const size of [1, 2, 3, 7, 50]) {
    const cutter = blockCutter();
    const blocks = [];
    let tail = "";
    for (let at = size; at < text.length + size; at += size) {
      const step = cutter.cut(text.slice(0, at));
      blocks.push(...step.blocks);
      tail = step.tail;
    }
    assert.deepEqual([...blocks, tail], markdownBlocks(text), `pieces of ${size}`);
  }
  assert.deepEqual(markdownBlocks(text), ["# H\n\n", "Para one\n\n", "```js\nlet a;\n\nlet b;\n```\n\n- x\n\n- y\n\n", "Last line\r\n\r\n", "really last\n\na line that is not whole yet"]);
});

test("a last line without its newline is never a cut: it stays with the block before", () => {
  assert.deepEqual(markdownBlocks("One\n\nTwo"), ["One\n\nTwo"]);
});

test("an empty text has no blocks", () => {
  assert.deepEqual(markdownBlocks(""), []);
});
