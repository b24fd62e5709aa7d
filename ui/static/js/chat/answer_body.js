// An answer's Markdown body, rendered by blocks (blocks.js) as its text grows: a finished block is rendered (parsed,
// sanitized, highlighted) once, the last block again on each call. Finished blocks are kept in parts of PART_BLOCKS
// blocks, each part skipped by layout and paint while off the screen (app.css, content-visibility): the browser
// then walks a few hundred parts per frame, not thousands of blocks, and nothing it has laid out is laid out again.
import { blockCutter } from "./blocks.js";
import { highlightCode, renderMarkdown } from "./markdown.js";

const PART_BLOCKS = 32;

/**
 * Renders a growing Markdown text into `body`. `render(text, budgetMs)` → true when finished blocks are still
 * waiting for their turn (rendering stops once budgetMs have gone, after at least one block).
 */
export function answerBody(body) {
  let cutter = blockCutter();
  let cutText = ""; // the text the cutter has seen: a text that does not go on from it starts the body over
  let waiting = [];
  let next = 0; // waiting[next…] are not rendered yet
  let tailNodes = [];
  let part = null;
  let partBlocks = 0;

  function startOver() {
    cutter = blockCutter();
    waiting = [];
    next = 0;
    tailNodes = [];
    part = null;
    body.replaceChildren();
  }

  /** Finished blocks, as many as budgetMs allows (one at least), into the parts; each highlighted once. */
  function renderFinished(budgetMs) {
    const started = performance.now();
    const touched = new Set();
    do {
      if (!part || partBlocks === PART_BLOCKS) {
        part = body.appendChild(document.createElement("div"));
        part.className = "answer-part";
        partBlocks = 0;
      }
      part.append(renderMarkdown(waiting[next++]));
      partBlocks += 1;
      touched.add(part);
    } while (next < waiting.length && performance.now() - started < budgetMs);
    touched.forEach((root) => highlightCode(root)); // finished blocks only: the last block changes on the next call
  }

  return (text, budgetMs) => {
    if (!text.startsWith(cutText)) startOver();
    cutText = text;
    const { blocks, tail } = cutter.cut(text);
    waiting.push(...blocks);
    tailNodes.forEach((node) => node.remove());
    tailNodes = [];
    if (next < waiting.length) renderFinished(budgetMs);
    if (next < waiting.length) return true;
    waiting = [];
    next = 0;
    const last = renderMarkdown(tail);
    tailNodes = [...last.childNodes];
    body.append(last);
    return false;
  };
}
