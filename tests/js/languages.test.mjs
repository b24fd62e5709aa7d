import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { LANGUAGES, languageFile } from "../../ui/static/js/rules/languages.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));

test("the grammars the page can load are the ones package.json vendors", () => {
  const vendored = pkg.vendor.find((entry) => entry.to.includes("/languages/")).names;
  assert.deepEqual([...LANGUAGES].sort(), [...vendored].sort());
});

test("a code block's tag finds its grammar by name or alias, case-insensitively", () => {
  assert.equal(languageFile("Python"), "python");
  assert.equal(languageFile("py"), "python");
  assert.equal(languageFile("tsx"), "typescript");
  assert.equal(languageFile("c++"), "cpp");
  assert.equal(languageFile("html"), "xml");
});

test("an unknown tag is shown plain, and no tag can name a path", () => {
  assert.equal(languageFile("brainfuck"), null);
  assert.equal(languageFile("../../app"), null);
  assert.equal(languageFile("constructor"), null);
});
