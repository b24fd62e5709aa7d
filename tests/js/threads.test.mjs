import assert from "node:assert/strict";
import { test } from "node:test";
import { historyForRequest, lastUserText, sortThreads, titleFromMessage } from "../../ui/static/js/rules/threads.js";

test("a thread is named from the first non-empty line of its first message", () => {
  assert.equal(titleFromMessage("\n  Explain monads  \nwith examples"), "Explain monads");
  assert.equal(titleFromMessage("   \n "), "New chat");
});

test("a long first line is cut at a word near 60 characters", () => {
  const text = "Please write a detailed comparison of the garbage collectors in Java, Go and .NET";
  assert.equal(titleFromMessage(text), "Please write a detailed comparison of the garbage…");
  assert.equal(titleFromMessage("x".repeat(80)), `${"x".repeat(60)}…`);
});

test("threads sort newest activity first", () => {
  const threads = [{ id: "a", updated_at: "2026-05-01T10:00:00.000Z" }, { id: "b", updated_at: "2026-05-02T09:00:00.000Z" },
    { id: "c", updated_at: "2026-04-30T23:59:59.999Z" }];
  assert.deepEqual(sortThreads(threads).map((t) => t.id), ["b", "a", "c"]);
});

test("the history sent leaves out failed answers and keeps a stopped answer's text", () => {
  const messages = [
    { role: "user", content: "hi" },
    { role: "assistant", content: "", status: "error" },
    { role: "assistant", content: "Hel", status: "aborted" },
    { role: "user", content: "go on" },
  ];
  assert.deepEqual(historyForRequest(messages), [
    { role: "user", content: "hi" }, { role: "assistant", content: "Hel" }, { role: "user", content: "go on" },
  ]);
  assert.equal(lastUserText(messages), "go on");
  assert.equal(lastUserText([]), "");
});
