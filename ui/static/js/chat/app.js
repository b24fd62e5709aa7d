// The chat page: wires the sidebar, the model selector, the composer and the conversation together.
import { createChat } from "./chat.js";
import { startDrawer } from "./drawer.js";
import * as store from "../store/store.js";
import { threadItem } from "./view.js";

const $ = (id) => document.getElementById(id);
const MODEL_PREFERENCE = "llms.model";

const ui = {
  scroller: $("conversation"), messages: $("messages"), emptyState: $("empty-state"), title: $("thread-title"),
  totals: $("thread-totals"), send: $("send"), stop: $("stop"), notice: $("notice"),
};
const input = $("message");
let config = null;

function selectedModel() {
  const option = $("model")?.selectedOptions[0];
  return option ? { value: option.value, provider: option.dataset.provider, alias: option.dataset.alias } : null;
}

/** Selects `value` in the model selector when it offers it (it arrives as an htmx fragment, maybe later). */
function preferModel(value) {
  const select = $("model");
  if (select && value && [...select.options].some((o) => o.value === value)) select.value = value;
}

const chat = createChat(ui, {
  model: selectedModel,
  config: () => config,
  onThreadChanged: (threadId) => {
    if (threadId && threadId === chat.threadId && location.hash !== threadHash(threadId)) {
      history.pushState(null, "", threadHash(threadId));
    }
    refreshThreads();
  },
});

const threadHash = (threadId) => `#thread=${encodeURIComponent(threadId)}`;

function threadFromHash() {
  const match = location.hash.match(/^#thread=(.+)$/);
  return match ? decodeURIComponent(match[1]) : null;
}

async function refreshThreads() {
  const threads = await store.listThreads();
  $("thread-list").replaceChildren(...threads.map((t) => threadItem(t, t.id === chat.threadId)));
  $("threads-empty").hidden = threads.length > 0;
}

async function openFromLocation() {
  const wanted = threadFromHash();
  const thread = await chat.open(wanted);
  if (wanted && !thread) history.replaceState(null, "", location.pathname);
  preferModel(thread?.model ?? localStorage.getItem(MODEL_PREFERENCE));
  await refreshThreads();
}

function newChat() {
  if (location.hash) history.pushState(null, "", location.pathname);
  openFromLocation();
  input.focus();
}

function startRename(item) {
  const link = item.querySelector(".thread-link");
  const field = document.createElement("input");
  field.className = "rename-field";
  field.value = item.querySelector(".thread-name").textContent;
  field.setAttribute("aria-label", "Thread name");
  let done = false;
  const finish = async (save) => {
    if (done) return;
    done = true;
    const title = field.value.trim();
    if (save && title) await store.renameThread(item.dataset.threadId, title);
    if (item.dataset.threadId === chat.threadId) await chat.open(chat.threadId);
    await refreshThreads();
  };
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter") finish(true);
    if (event.key === "Escape") finish(false);
  });
  field.addEventListener("blur", () => finish(true));
  link.replaceWith(field);
  field.focus();
  field.select();
}

function confirmDelete(title) {
  const dialog = $("confirm-dialog");
  $("confirm-text").textContent = `Delete “${title}”? Its messages are removed; its requests stay in the analytics.`;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }));
}

async function onThreadAction(event) {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const item = button.closest(".thread-item");
  if (button.dataset.action === "rename") return startRename(item);
  const title = item.querySelector(".thread-name").textContent;
  if (!(await confirmDelete(title))) return;
  await store.deleteThread(item.dataset.threadId);
  if (item.dataset.threadId === chat.threadId) newChat();
  else await refreshThreads();
}

async function onSubmit(event) {
  event.preventDefault();
  const text = input.value;
  if (!text.trim() || chat.busy) return;
  input.value = "";
  if (!(await chat.send(text))) input.value = text;
}

function onKeydown(event) {
  // Enter sends, Shift+Enter is a newline; not while an IME is composing a character.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
}

async function loadConfig() {
  const response = await fetch("/api/config");
  if (!response.ok) throw new Error(`/api/config answered ${response.status}`);
  return response.json();
}

async function main() {
  // A failure nobody awaited (the store refusing a write, say) is told on the page, not only in the console.
  window.addEventListener("unhandledrejection", (event) => {
    ui.notice.textContent = `Something failed: ${event.reason?.message ?? event.reason}`;
  });
  startDrawer($("sidebar"), $("drawer-toggle"));
  $("new-chat").addEventListener("click", newChat);
  $("thread-list").addEventListener("click", onThreadAction);
  $("composer").addEventListener("submit", onSubmit);
  input.addEventListener("keydown", onKeydown);
  ui.stop.addEventListener("click", () => chat.stop());
  // Escape stops this chat's answer, unless a dialog, the drawer (drawer.js runs first) or a rename field took it.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || !chat.busy) return;
    if (!event.target.closest?.("dialog, .rename-field")) chat.stop();
  });
  window.addEventListener("hashchange", openFromLocation);
  $("model-picker").addEventListener("htmx:afterSwap", () => preferModel(chat.thread?.model ?? localStorage.getItem(MODEL_PREFERENCE)));
  $("model-picker").addEventListener("change", (event) => localStorage.setItem(MODEL_PREFERENCE, event.target.value));
  store.onOtherTabChange(async (change) => {
    if (change.thread_id && change.thread_id === chat.threadId) await chat.open(chat.threadId);
    await refreshThreads();
  });
  // Ask the browser not to evict the store under storage pressure; it may say no, and then nothing changes.
  navigator.storage?.persist?.();
  try {
    config = await loadConfig();
  } catch (error) {
    ui.notice.textContent = `Could not load the configuration (${error.message}): costs cannot be priced until a reload.`;
  }
  await openFromLocation();
}

main();
