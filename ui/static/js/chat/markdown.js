// Model output → safe DOM: Markdown by marked, sanitized by DOMPurify, code highlighted by highlight.js
// with each language's grammar loaded the first time it is seen. Model output is untrusted: no script,
// no event handler, no javascript: link, no SVG/MathML, and nothing that loads from another host.
// marked and DOMPurify (27 KB gzipped) load with the first answer shown (loadMarkdown), not with the page.
import { languageFile } from "../rules/languages.js";

const VENDOR = "../../vendor";
const HLJS_DIR = `${VENDOR}/highlight.js-11.12.0`;

// Tags and attributes that load or submit something, or restyle the page, even from sanitized HTML; `dialog`
// paints over the page (a fake confirm dialog); `id` and `name` would let an answer shadow the page's own elements
// (DOM clobbering: getElementById, document.x and form.elements.x find the answer's element first).
const FORBID_TAGS = ["style", "link", "meta", "base", "form", "input", "button", "select", "textarea", "iframe",
  "frame", "object", "embed", "video", "audio", "source", "track", "picture", "svg", "math", "template", "dialog"];
const FORBID_ATTR = ["style", "srcset", "poster", "background", "action", "formaction", "ping", "xlink:href", "id",
  "name"];
// A data: image is bytes already in the answer: it cannot call anywhere. Anything else is a request.
const INLINE_IMAGE = /^data:image\/(png|gif|jpeg|webp|avif);base64,/i;

let loading = null;
let parser = null; // {marked, purifier} once loadMarkdown has resolved

function configure(purifier) {
  // Set once: a configuration passed to each sanitize() is parsed again each time (~0.6 ms, paid per block).
  purifier.setConfig({ USE_PROFILES: { html: true }, FORBID_TAGS, FORBID_ATTR, ALLOW_DATA_ATTR: false, RETURN_DOM_FRAGMENT: true });
  purifier.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
  });
  return purifier;
}

/** Loads marked and DOMPurify (once); renderMarkdown may be called once this resolves. */
export function loadMarkdown() {
  loading ??= Promise.all([
    import(`${VENDOR}/marked-18.2.1.min.js`),
    // DOMPurify's UMD build: run as a module, it sets globalThis.DOMPurify (it has no ES export).
    import(`${VENDOR}/dompurify-3.4.18.min.js`),
  ]).then(([{ Marked }]) => {
    parser = { marked: new Marked({ gfm: true, breaks: false, async: false }), purifier: configure(window.DOMPurify) };
  }, (error) => {
    loading = null; // the next answer tries again
    throw error;
  });
  return loading;
}

/** Whether renderMarkdown may be called now. */
export const markdownReady = () => parser !== null;

/** Runs `render` now when marked and DOMPurify are loaded, else once they are (loading them). */
export function whenMarkdown(render) {
  if (parser) render();
  else loadMarkdown().then(render);
}

/** Every image that is not inline data becomes a note naming it; the sanitized fragment is not live yet. */
function blockRemoteImages(fragment) {
  for (const img of fragment.querySelectorAll("img")) {
    const src = img.getAttribute("src") ?? "";
    if (INLINE_IMAGE.test(src)) continue;
    const note = document.createElement("span");
    note.className = "blocked-image";
    note.textContent = `remote image not loaded${img.alt ? `: ${img.alt}` : ""}`;
    note.title = src.slice(0, 300);
    img.replaceWith(note);
  }
  return fragment;
}

/** Markdown text → a sanitized DocumentFragment; only once loadMarkdown has resolved. */
export function renderMarkdown(text) {
  if (!parser) throw new Error("renderMarkdown before loadMarkdown() resolved");
  return blockRemoteImages(parser.purifier.sanitize(parser.marked.parse(text)));
}

let hljsPromise = null;
const grammarPromises = new Map();
// highlight.js's GitHub themes, light and dark as the system is; app.css's .markdown rules outrank theirs.
const THEMES = [["github.min.css", "light"], ["github-dark.min.css", "dark"]];

function loadThemes() {
  for (const [file, scheme] of THEMES) {
    const href = new URL(`${HLJS_DIR}/${file}`, import.meta.url).href;
    const media = `(prefers-color-scheme: ${scheme})`;
    document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href, media }));
  }
}

function loadGrammar(hljs, name) {
  if (!grammarPromises.has(name)) {
    grammarPromises.set(name, import(`${HLJS_DIR}/languages/${name}.min.js`).then((module) => {
      hljs.registerLanguage(name, module.default);
    }));
  }
  return grammarPromises.get(name);
}

/**
 * Highlights the code blocks under `root` whose language we ship; grammars load on first use. The blocks are
 * found now, so `root` may be a fragment about to be put in the page; those no longer in the page are left.
 */
export async function highlightCode(root) {
  const blocks = [...root.querySelectorAll("pre > code[class*='language-']")];
  const wanted = blocks.map((code) => [code, languageFile(code.className.match(/language-(\S+)/)[1])])
    .filter(([, name]) => name);
  if (!wanted.length) return;
  if (!hljsPromise) loadThemes();
  hljsPromise ??= import(`${HLJS_DIR}/core.min.js`).then((module) => module.default);
  const hljs = await hljsPromise;
  await Promise.all([...new Set(wanted.map(([, name]) => name))].map((name) => loadGrammar(hljs, name)));
  for (const [code, name] of wanted) {
    if (!code.isConnected || code.dataset.highlighted) continue;
    // hljs escapes the text it wraps in spans; the result is class-only markup.
    code.innerHTML = hljs.highlight(code.textContent, { language: name, ignoreIllegals: true }).value;
    code.classList.add("hljs");
    code.dataset.highlighted = "yes";
  }
}
