// Pure: a code block's language tag → the highlight.js grammar file we vendor for it (or null: shown plain).
// LANGUAGES is package.json's vendor list of highlight.js grammars (tests/js/languages.test.mjs checks it).

export const LANGUAGES = [
  "bash", "c", "clojure", "cpp", "csharp", "css", "dart", "diff", "dockerfile", "elixir", "erlang", "fsharp",
  "go", "graphql", "haskell", "ini", "java", "javascript", "json", "julia", "kotlin", "latex", "less", "lua",
  "makefile", "markdown", "nginx", "nix", "objectivec", "ocaml", "perl", "php", "php-template", "plaintext",
  "powershell", "protobuf", "python", "python-repl", "r", "ruby", "rust", "scala", "scss", "shell", "sql",
  "swift", "typescript", "vbnet", "wasm", "xml", "yaml",
];

// The aliases people write after ``` that are not a grammar's own name (from each grammar's `aliases`);
// a Map, so a tag like "constructor" finds nothing on a prototype.
const ALIASES = new Map(Object.entries({
  js: "javascript", jsx: "javascript", mjs: "javascript", cjs: "javascript", ts: "typescript", tsx: "typescript",
  py: "python", python3: "python", pycon: "python-repl", sh: "bash", zsh: "bash", console: "shell",
  yml: "yaml", html: "xml", xhtml: "xml", svg: "xml", rb: "ruby", rs: "rust", golang: "go", "c++": "cpp",
  cc: "cpp", hpp: "cpp", h: "c", cs: "csharp", "c#": "csharp", kt: "kotlin", md: "markdown", ps1: "powershell",
  ps: "powershell", pwsh: "powershell", docker: "dockerfile", tex: "latex", proto: "protobuf", toml: "ini",
  patch: "diff", jl: "julia", ex: "elixir", exs: "elixir", fs: "fsharp", ml: "ocaml", objc: "objectivec",
  pl: "perl", text: "plaintext", txt: "plaintext", clj: "clojure", erl: "erlang", mk: "makefile",
  gql: "graphql", hs: "haskell", jsonc: "json", postgres: "sql", postgresql: "sql", mysql: "sql",
}));

const KNOWN = new Set(LANGUAGES);

export function languageFile(tag) {
  const name = tag.toLowerCase();
  return KNOWN.has(name) ? name : ALIASES.get(name) ?? null;
}
