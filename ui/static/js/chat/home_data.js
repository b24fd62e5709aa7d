// The home page's data buttons: Export (ALT: the request logs), Import, Load demo data, Clear All Data.
import { ImportError } from "../rules/files/check.js";
import * as store from "../store/store.js";

// Export, Import and the demo are loaded on the first click: the chat's first load does without their modules
// (the file readers and checks, the demo generator, the export writers).
const transfer = () => import("../store/transfer.js");

const $ = (id) => document.getElementById(id);
// Found once at start-up, before any answer is on the page (app.js says why).
const status = $("data-status");
const progress = $("data-progress");
const clearDialog = $("clear-dialog");
const importFileInput = $("import-file");

/** Tells this page's chat list the store changed (other tabs hear it from the store's BroadcastChannel). */
const changed = (type) => document.dispatchEvent(new CustomEvent("llms:store-changed", { detail: { type } }));

function say(text, { error = false } = {}) {
  status.textContent = text;
  status.classList.toggle("error", error);
  status.setAttribute("role", error ? "alert" : "status");
}

function showProgress(done, total) {
  progress.hidden = false;
  progress.max = total;
  progress.value = done;
  say(`Importing… ${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`);
}

/** Runs one action at a time with the buttons disabled; errors are shown, never swallowed. */
async function busy(action) {
  const buttons = document.querySelectorAll(".data-buttons button, #empty-demo");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await action(await transfer());
  } catch (error) {
    say(error instanceof ImportError ? `Nothing was imported: ${error.message}` : `Failed: ${error.message}`, { error: true });
    if (!(error instanceof ImportError)) throw error;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    progress.hidden = true;
  }
}

$("export-data").addEventListener("click", (event) => busy(async ({ exportRequests, exportThreads }) => {
  if (event.altKey) {
    const n = await exportRequests();
    say(`Exported ${n.toLocaleString("en-US")} requests (the analytics).`);
  } else {
    const n = await exportThreads();
    say(`Exported ${n} chats. Hold ALT while clicking Export to save the request logs.`);
  }
}));

$("import-data").addEventListener("click", () => importFileInput.click());
importFileInput.addEventListener("change", (event) => {
  const [file] = event.target.files;
  event.target.value = ""; // the same file can be chosen again
  if (!file) return;
  // Said at once, before the import's code has loaded: the last import's "Imported …" must not read as this one's.
  say(`Checking ${file.name}…`);
  busy(async ({ importFile }) => {
    say(await importFile(file, showProgress));
    changed("imported");
  });
});

$("demo-data").addEventListener("click", () => busy(async ({ loadDemo }) => {
  say("Loading demo data…");
  const n = await loadDemo(showProgress);
  changed("demo");
  say(`Loaded ${n.toLocaleString("en-US")} demo requests over 90 days; see Analytics. Remove them there with "Remove demo data".`);
}));

// The chat's empty state when no provider is ready: the demo, then the analytics it fills.
const emptyDemo = $("empty-demo");
emptyDemo.addEventListener("click", () => busy(async ({ loadDemo }) => {
  const label = emptyDemo.textContent;
  emptyDemo.textContent = "Loading demo data…";
  try {
    await loadDemo(showProgress);
  } finally {
    emptyDemo.textContent = label;
  }
  location.assign("/analytics/costs");
}));

$("clear-data").addEventListener("click", () => {
  clearDialog.returnValue = "";
  clearDialog.addEventListener("close", () => {
    if (clearDialog.returnValue !== "confirm") return;
    busy(async () => {
      await store.clearAll();
      location.assign("/"); // the chat page starts over from the empty store
    });
  }, { once: true });
  clearDialog.showModal();
});
