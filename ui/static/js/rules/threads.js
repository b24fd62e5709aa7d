// Pure: rules about threads and their messages that the page and the store share.

export const TITLE_CHARS = 60;

/** A new thread is named from its first message: its first non-empty line, cut at a word near 60 characters. */
export function titleFromMessage(text) {
  const line = text.split("\n").map((l) => l.trim()).find(Boolean) ?? "";
  if (line.length <= TITLE_CHARS) return line || "New chat";
  const cut = line.slice(0, TITLE_CHARS);
  const space = cut.lastIndexOf(" ");
  return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Newest first by last activity. */
export function sortThreads(threads) {
  return [...threads].sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
}

/**
 * The chat history sent with a request: user messages and the answers that have text (a stopped answer's
 * partial text included); failed answers are left out, they are not part of the conversation.
 */
export function historyForRequest(messages) {
  return messages
    .filter((m) => m.role === "user" || (m.role === "assistant" && m.status !== "error" && m.content))
    .map((m) => ({ role: m.role, content: m.content }));
}

/** The user text a request answers: the last user message's content. */
export function lastUserText(messages) {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    if (messages[i].role === "user") return messages[i].content;
  }
  return "";
}
