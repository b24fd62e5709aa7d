// Pure: where a Markdown answer can be cut into blocks that are rendered apart, so a streaming answer re-renders
// only its last block, not the whole text, on every frame (a 500 KB answer re-parsed per frame froze the page).
// A cut is made at the start of a line that follows a blank line, outside a fenced code block, when that line
// cannot continue the block before it: not indented (an indented code block, a list item's next paragraph), not a
// list item (a loose list stays one list) and not a quote line (one quote stays one quote). Whether a line is a cut
// depends only on the lines before it and itself, so the cuts made while the text grows are the cuts of the whole
// text: an answer streamed, finished and re-opened shows the same blocks. Known difference from one parse of the
// whole text: a reference link defined in a later block than its use shows as text.

// CommonMark 0.31, 4.5 "Fenced code blocks": up to 3 spaces, then at least three ` or ~; the closing fence
// uses the same character, at least as many of them, and nothing but spaces after.
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^([-+*]|\d{1,9}[.)])(\s|$)/;

/** The fence open after `line`: `open` ({char, length}) or null before it. */
function fenceAfter(open, line) {
  const match = FENCE.exec(line);
  if (!match) return open;
  const [, run] = match;
  if (!open) return run[0] === "`" && line.slice(match[0].length).includes("`") ? null : { char: run[0], length: run.length };
  const closes = run[0] === open.char && run.length >= open.length && !line.slice(match[0].length).trim();
  return closes ? null : open;
}

const startsBlock = (line) => line !== "" && !/^\s/.test(line) && !LIST_ITEM.test(line) && !line.startsWith(">");

/**
 * A cutter for one text that only grows. `cut(text)` → {blocks, tail}: `blocks` are the finished blocks new since
 * the last call (never to change again), `tail` the text after the last cut (still growing, rendered each time).
 */
export function blockCutter() {
  let scanned = 0; // text[0, scanned) is whole lines already looked at
  let committed = 0; // text[0, committed) is in blocks handed out
  let fence = null;
  let blankBefore = false;
  return {
    cut(text) {
      const blocks = [];
      for (let end = text.indexOf("\n", scanned); end !== -1; end = text.indexOf("\n", scanned)) {
        const line = text.slice(scanned, end).replace(/\r$/, "");
        if (!fence && blankBefore && scanned > committed && startsBlock(line)) {
          blocks.push(text.slice(committed, scanned));
          committed = scanned;
        }
        const inFence = fence !== null;
        fence = fenceAfter(fence, line);
        blankBefore = !inFence && !fence && line.trim() === "";
        scanned = end + 1;
      }
      return { blocks, tail: text.slice(committed) };
    },
  };
}

/** The blocks of a whole text, in order: the cuts `blockCutter` makes while it streams. */
export function markdownBlocks(text) {
  const { blocks, tail } = blockCutter().cut(text);
  return tail ? [...blocks, tail] : blocks;
}
