// The chat page: wires the sidebar, the model selector, the composer and the conversation together.
import { createChat } from "./chat.js";
import { startDrawer } from "./drawer.js";
import { settleAbandoned } from "./inflight.js";
import * as store from "../store/store.js";
import { threadTotals } from "../rules/metrics.js";
import { fillMetrics, threadItem } from "./view.js";
import { FRAGMENT_LOADED } from "../fragments.js";

const $ = (id) => document.getElementById(id);
const MODEL_PREFERENCE = "llms.model";

// Every element is found once, here, before any answer is on the page, and never looked up by id again: an
// answer's markup cannot stand in for one of them (markdown.js strips id and name as well).
const ui = {
  scroller: $("conversation"), messages: $("messages"), emptyState: $("empty-state"), title: $("thread-title"),
  totals: $("thread-totals"), send: $("send"), stop: $("stop"), notice: $("notice"),
};
const page = {
  composer: $("composer"), input: $("message"), modelPicker: $("model-picker"), threadList: $("thread-list"),
  threadsEmpty: $("threads-empty"), newChat: $("new-chat"), confirmDialog: $("confirm-dialog"), confirmText: $("confirm-text"),
};
const { input } = page;
let config = null;

/** The model selector, inside the picker (a fragment of ours, fragments.js: maybe not there yet). */
const modelSelect = () => page.modelPicker.querySelector("select");

function selectedModel() {
  const option = modelSelect()?.selectedOptions[0];
  return option ? { value: option.value, provider: option.dataset.provider, alias: option.dataset.alias } : null;
}

/** Selects `value` in the model selector when it offers it (it arrives as a fragment, maybe later). */
function preferModel(value) {
  const select = modelSelect();
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
  onTotals: (threadId, totals) => {
    const item = [...page.threadList.children].find((li) => li.dataset.threadId === threadId);
    const dl = item?.querySelector(".thread-item-totals");
    if (dl) fillMetrics(dl, threadTotals(totals));
  },
});

const threadHash = (threadId) => `#thread=${encodeURIComponent(threadId)}`;

function threadFromHash() {
  const match = location.hash.match(/^#thread=(.+)$/);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch (error) {
    if (!(error instanceof URIError)) throw error;
    return null; // not an address this page wrote (bad %-escapes): ignored, like a thread that is gone
  }
}

async function refreshThreads() {
  const threads = await store.listThreads();
  page.threadList.replaceChildren(...threads.map((t) => threadItem(t, t.id === chat.threadId)));
  page.threadsEmpty.hidden = threads.length > 0;
}

async function openFromLocation() {
  const wanted = threadFromHash();
  const thread = await chat.open(wanted);
  if (location.hash && !thread) history.replaceState(null, "", location.pathname);
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
  const dialog = page.confirmDialog;
  page.confirmText.textContent = `Delete “${title}”? Its messages are removed; its requests stay in the analytics.`;
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
    page.composer.requestSubmit();
  }
}

async function loadConfig() {
  const response = await fetch("/api/config");
  if (!response.ok) throw new Error(`/api/config answered ${response.status}`);
  return response.json();
}

/**
 * `/?token=` opened the page: the server answered it with the token's HttpOnly cookie, which authorises every
 * request from now on, so the token leaves the address bar and this history entry (a copied address, a
 * screenshot or the history list would show it). It is kept nowhere a script can read.
 */
function dropTokenFromAddress() {
  const url = new URL(location.href);
  if (!url.searchParams.has("token")) return;
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url);
}

async function main() {
  dropTokenFromAddress();
  // A failure nobody awaited (the store refusing a write, say) is told on the page, not only in the console.
  window.addEventListener("unhandledrejection", (event) => {
    ui.notice.textContent = `Something failed: ${event.reason?.message ?? event.reason}`;
  });
  store.notices.addEventListener(store.STORE_NOTICE, (event) => {
    ui.notice.textContent = event.detail.message;
  });
  startDrawer($("sidebar"), $("drawer-toggle"));
  page.newChat.addEventListener("click", newChat);
  page.threadList.addEventListener("click", onThreadAction);
  page.composer.addEventListener("submit", onSubmit);
  input.addEventListener("keydown", onKeydown);
  ui.stop.addEventListener("click", () => chat.stop());
  // Escape stops this chat's answer, unless a dialog, the drawer (drawer.js runs first) or a rename field took it.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || !chat.busy) return;
    if (!event.target.closest?.("dialog, .rename-field")) chat.stop();
  });
  window.addEventListener("hashchange", openFromLocation);
  page.modelPicker.addEventListener(FRAGMENT_LOADED, () => preferModel(chat.thread?.model ?? localStorage.getItem(MODEL_PREFERENCE)));
  page.modelPicker.addEventListener("change", (event) => localStorage.setItem(MODEL_PREFERENCE, event.target.value));
  // A change to the store, made by another tab or by this page's data buttons: the chat list follows it, and the
  // open thread too when it changed or was cleared away.
  const onStoreChange = async (change) => {
    if (change.type === "cleared" || (change.thread_id && change.thread_id === chat.threadId)) {
      const thread = await chat.open(chat.threadId);
      if (!thread && location.hash) history.replaceState(null, "", location.pathname);
    }
    await refreshThreads();
  };
  store.onOtherTabChange(onStoreChange);
  document.addEventListener("llms:store-changed", (event) => onStoreChange(event.detail));
  // Ask the browser not to evict the store under storage pressure; it may say no, and then nothing changes.
  navigator.storage?.persist?.();
  try {
    config = await loadConfig();
  } catch (error) {
    ui.notice.textContent = `Could not load the configuration (${error.message}): costs cannot be priced until a reload.`;
  }
  // Requests a closed page left unfinished are recorded as stopped: now, or when the page still unloading lets go.
  let stopped = 0;
  const tellStopped = (count) => {
    stopped += count;
    ui.notice.textContent = `${stopped === 1 ? "A request" : `${stopped} requests`} left unfinished when the page closed ${stopped === 1 ? "was" : "were"} recorded as stopped.`;
  };
  const settled = await settleAbandoned((late) => {
    tellStopped(1);
    onStoreChange({ type: "recorded", thread_id: late.thread_id });
  });
  if (settled.length) tellStopped(settled.length);
  await openFromLocation();
}

main();
