// Reasoning in the chat: the composer's reasoning-effort choice, shown only for a model /api/config marks as reasoning
// (llms/server/api.py `reasons`), sent as OpenAI's `reasoning_effort`, which the server translates on every wire
// format (docs/wire-formats.md: Anthropic thinking.budget_tokens, Gemini thinkingConfig); and an answer's reasoning,
// shown collapsed.
import { el } from "../dom.js";
import { renderMarkdown, whenMarkdown } from "./markdown.js";
import { FRAGMENT_LOADED } from "../fragments.js";

// OpenAI's levels (https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort); ""
// sends no reasoning_effort, so the provider's own default applies.
const EFFORTS = [["", "Default"], ["none", "None"], ["low", "Low"], ["medium", "Medium"], ["high", "High"]];

/** Whether `choice` ({provider, alias}) is a model that reasons, by the config's providers. */
export function choiceReasons(config, choice) {
  if (!config || !choice) return false;
  const provider = config.providers?.find((p) => p.id === choice.provider);
  return Boolean(provider?.models.find((m) => m.alias === choice.alias)?.reasoning);
}

/**
 * Mounts the choice in the composer `form`; `model()` and `config()` as createChat's.
 * Returns {update() (after the model or the config changed), fields() → {reasoning_effort} or {} for the request}.
 */
export function mountReasoning({ form, model, config }) {
  const select = el("select", { className: "reasoning-effort", "aria-label": "Reasoning effort" },
    EFFORTS.map(([value, label]) => el("option", { value, text: label })));
  const field = el("label", { className: "reasoning-effort-field", hidden: true }, [el("span", { text: "Reasoning" }), select]);
  form.querySelector(".composer-tools").prepend(field);
  const shown = () => choiceReasons(config(), model());
  const update = () => { field.hidden = !shown(); };
  // The model selector arrives (a fragment, fragments.js) and changes outside the composer: any change on the page may be it.
  document.addEventListener("change", update);
  document.addEventListener(FRAGMENT_LOADED, update);
  return {
    update,
    fields: () => (shown() && select.value ? { reasoning_effort: select.value } : {}),
  };
}

/**
 * An answer's closed "Reasoning" disclosure. `show(text)` while the answer streams (plain text, cheap to grow);
 * `finish(text)` renders it as Markdown through the answers' sanitizer (markdown.js), never as raw HTML.
 */
export function reasoningDisclosure() {
  const streamed = document.createTextNode("");
  const body = el("div", { className: "reasoning-text" }, [streamed]);
  const node = el("details", { className: "reasoning", hidden: true }, [el("summary", { text: "Reasoning" }), body]);
  return {
    node,
    show(text) {
      if (!text.startsWith(streamed.data)) streamed.data = "";
      streamed.appendData(text.slice(streamed.length));
      node.hidden = !text;
    },
    finish(text) {
      node.hidden = !text;
      whenMarkdown(() => {
        body.classList.add("markdown");
        body.replaceChildren(renderMarkdown(text));
      });
    },
  };
}
