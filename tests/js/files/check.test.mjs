// The value checks every file and ledger line goes through: the clean value, or a message naming where and what.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ImportError, id, number, text, timestamp, tokenCount, usage } from "../../../ui/static/js/rules/files/check.js";

const refuses = (check, message) => assert.throws(check, (e) => e instanceof ImportError && e.message === message);

test("a timestamp needs its offset, a T between date and time, and a real date", () => {
  refuses(() => timestamp("t", "2026-02-30T10:00:00+01:00"),
    "t: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got \"2026-02-30T10:00:00+01:00\"");
  assert.equal(timestamp("t", "2026-05-14T09:30:12.345+02:00"), "2026-05-14T09:30:12.345+02:00");
  refuses(() => timestamp("t", "2026-05-14 09:30:12+02:00"),
    "t: expected an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00, got \"2026-05-14 09:30:12+02:00\"");
});

test("texts are bounded, ids are safe, numbers are finite and not negative", () => {
  assert.equal(text("x", "a".repeat(10)), "a".repeat(10));
  refuses(() => text("x", "a".repeat(101), { max: 100 }), `x: expected a text of at most 100 characters, got "${"a".repeat(56)}…`);
  assert.equal(text("x", "😀".repeat(100), { max: 100 }), "😀".repeat(100), "counted in code points, as the server counts");
  assert.equal(id("id", 42), "42");
  refuses(() => id("id", "a b"), "id: expected an id of letters, digits and _.:@- (at most 128), got \"a b\"");
  assert.equal(number("n", null, { nullable: true }), null);
  refuses(() => number("n", Infinity), "n: expected a number ≥ 0, got Infinity");
});

test("usage keeps the token fields we know and fills total_tokens", () => {
  assert.deepEqual(usage("u", { prompt_tokens: 3, completion_tokens: 4, extra: 1, prompt_tokens_details: { cached_tokens: 1, x: 2 } }),
    { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } });
  refuses(() => usage("u", { prompt_tokens: 3 }), "u.completion_tokens: expected a whole number from 0 to 1000000000000, got null");
});

test("a token count is at most 10**12 and a total at most twice that, so no sum of them becomes Infinity", () => {
  assert.equal(tokenCount("n", 1e12), 1e12);
  assert.equal(tokenCount("n", 2e12, { total: true }), 2e12);
  assert.equal(tokenCount("n", null, { nullable: true }), null);
  refuses(() => tokenCount("n", 1e12 + 1), "n: expected a whole number from 0 to 1000000000000, got 1000000000001");
  refuses(() => tokenCount("n", 2e12 + 1, { total: true }), "n: expected a whole number from 0 to 2000000000000, got 2000000000001");
  assert.deepEqual(usage("u", { prompt_tokens: 1e12, completion_tokens: 1e12 }),
    { prompt_tokens: 1e12, completion_tokens: 1e12, total_tokens: 2e12 }, "a total left out is the sum, within its bound");
  refuses(() => usage("u", { prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cache_write_tokens: 1e15 } }),
    "u.prompt_tokens_details.cache_write_tokens: expected a whole number from 0 to 1000000000000, got 1000000000000000");
});
