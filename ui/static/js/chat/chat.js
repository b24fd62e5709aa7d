// The open conversation: show a thread, send, stream, stop, retry, and record every request.
import { addRecord } from "../rules/counters.js";
import { threadTotals } from "../rules/metrics.js";
import { buildRecord, callPrices, failedRecord } from "../rules/record.js";
import * as store from "../store/store.js";
import { el } from "../dom.js";
import * as inflight from "./inflight.js";
import { streamChat } from "./stream.js";
import { mountReasoning } from "./reasoning.js";
import { messageContent } from "../rules/attachments.js";
import { historyForRequest, lastUserText, titleFromMessage } from "../rules/threads.js";
import { assistantMessage, fillMetrics, storedAnswer, userMessage } from "./view.js";
import { scrollFollower } from "./follow.js";
import { attachmentChip, mountAttachments } from "./attachments.js";

const TOTALS_EVERY_MS = 200; // the running totals repaint this often at most, however fast chunks come
// ...and no sooner than this many times as long as the last repaint took: the answer so far is counted whole each
// time (its tokens estimated from its text), so a very long answer's totals never take more than 1/20 of the page.
const TOTALS_SHARE = 20;

/**
 * A view made by `load()` (a module fetched on demand) the first time `when(needed, use)` is called with `needed`;
 * from then on `use(view)` runs at every call. Before that, there is nothing for it to show.
 */
function lazyView(load) {
  let view = null;
  let loading = null;
  return {
    when(needed, use) {
      if (view) return use(view);
      if (!needed) return undefined;
      loading ??= load().then((made) => { view = made; });
      return loading.then(() => use(view));
    },
  };
}

/**
 * @param {object} ui       the page's elements: messages, emptyState, title, totals, send, stop, notice
 * @param {object} options  model() → {value, provider, alias}|null; config() → /api/config (providers, pricing);
 *                          onThreadChanged(threadId) after a message or answer is stored; onTotals(threadId, totals)
 *                          while an answer streams: the thread's totals with the answer so far (estimated)
 */
export function createChat(ui, { model, config, onThreadChanged, onTotals = () => {} }) {
  // The answers streaming now, by thread id: each thread is busy on its own, so another chat can send meanwhile.
  const state = { threadId: null, thread: null, messages: [], runs: new Map() };
  const runHere = () => (state.threadId === null ? null : state.runs.get(state.threadId) ?? null);
  // The thread's cache turn by turn, above its messages; the next message's estimate, under the composer. Each view's
  // module comes the first time it has something to show (a thread with messages, a draft): the first load stays
  // under its weight budget (issue 16, tests/browser/test_page_weight.py).
  const input = ui.send.form.elements.message;
  const timeline = lazyView(() => import("./cache_timeline_view.js").then(({ cacheTimelineView }) => {
    const view = cacheTimelineView();
    ui.messages.before(view.node);
    return view;
  }));
  const estimate = lazyView(() => import("./estimate_view.js").then(({ mountEstimate }) => (
    mountEstimate({ form: ui.send.form, input, model, config, messages: () => state.messages }))));
  const showTimeline = () => timeline.when(state.messages.length > 0, (view) => view.show(state.messages));
  const updateEstimate = (options) => estimate.when(input.value.trim() !== "", (view) => view.update(options));
  input.addEventListener("input", () => updateEstimate()); // the first draft brings the estimate; then it listens itself
  const attachments = mountAttachments({ form: ui.send.form, notice: ui.notice });
  const reasoning = mountReasoning({ form: ui.send.form, model, config });

  // The answer streaming on screen is followed down while the person is at the bottom (chat/follow.js).
  const scroll = scrollFollower(ui.scroller);
  const scrollDown = scroll.toBottom;

  function showHeader() {
    ui.title.textContent = state.thread?.title ?? "New chat";
    ui.emptyState.hidden = state.messages.length > 0 || runHere() !== null;
    ui.totals.hidden = !state.thread;
    if (state.thread) fillMetrics(ui.totals, threadTotals(state.thread.totals));
    showTimeline();
    updateEstimate();
    reasoning.update();
  }

  /** Send or Stop, for the thread on screen. */
  function showBusy() {
    const busy = runHere() !== null;
    ui.send.disabled = busy;
    ui.stop.hidden = !busy;
    ui.send.hidden = busy;
  }

  /** A user message, with the chips of the files it carries. */
  function sentMessage(message) {
    const node = userMessage(message);
    if (message.attachments?.length) {
      node.append(el("ul", { className: "attachment-chips", "aria-label": "Attachments" }, message.attachments.map((file) => attachmentChip(file))));
    }
    return node;
  }

  function messageNode(message, index) {
    if (message.role === "user") return sentMessage(message);
    const last = index === state.messages.length - 1;
    return storedAnswer(message, { canRetry: last && message.status === "error", onRetry: retry, onPaint: scroll.follow });
  }

  function renderMessages() {
    ui.messages.replaceChildren(...state.messages.map(messageNode));
    const run = runHere();
    if (run) ui.messages.append(run.view.node);
    showHeader();
    showBusy();
  }

  /** Shows a stored thread (null: a new, empty chat). Resolves to the thread, or null when it does not exist. */
  async function open(threadId) {
    const loaded = threadId ? await store.readThread(threadId) : null;
    state.threadId = loaded ? threadId : null;
    state.thread = loaded?.thread ?? null;
    state.messages = loaded?.messages ?? [];
    renderMessages();
    scrollDown();
    return state.thread;
  }

  async function send(text) {
    if (runHere() || !text.trim()) return false;
    const choice = model();
    if (!choice) {
      ui.notice.textContent = "Pick a model first.";
      return false;
    }
    ui.notice.textContent = "";
    const files = attachments.files();
    const { thread, message } = await store.addUserMessage({
      threadId: state.threadId, title: titleFromMessage(text), model: choice.value, content: text,
    });
    attachments.clear();
    // The files stay with the message on this page, so each later turn of the thread sends them again; the store
    // keeps the text only (docs/architecture.md, "Attachments").
    if (files.length) message.attachments = files;
    state.threadId = thread.id;
    state.thread = thread;
    state.messages.push(message);
    ui.messages.append(sentMessage(message));
    showHeader();
    scrollDown();
    onThreadChanged(thread.id);
    await run(choice, null);
    return true;
  }

  async function retry(failed) {
    if (runHere()) return;
    const choice = model();
    if (!choice) return;
    const index = state.messages.indexOf(failed);
    ui.messages.children[index]?.remove();
    state.messages.splice(index, 1);
    await run(choice, failed.seq);
  }

  function stop() {
    runHere()?.controller.abort();
  }

  /**
   * One request: stream into a new answer view, then record it whatever happened. Whatever throws after the
   * stream, the request is still stored (as an error saying what failed) and the page is never left busy.
   */
  async function run(choice, replaceSeq) {
    const history = historyForRequest(state.messages);
    const sent = historyForRequest(state.messages.map((m) => ({ ...m, content: messageContent(m.content, m.attachments) })));
    const view = assistantMessage({ onPaint: scroll.follow });
    const controller = new AbortController();
    const threadId = state.threadId;
    state.runs.set(threadId, { view, controller });
    ui.messages.append(view.node);
    showBusy();
    scrollDown();
    const pricing = config(); // the prices in force when the request is made
    const call = {
      id: store.newId(), started: new Date(), thread_id: state.threadId, model: choice.alias,
      prompt: lastUserText(history), prompt_text: history.map((m) => m.content).join("\n"),
      ...callPrices(pricing, choice.value),
    };
    // In the store as pending before it is sent: a reload or a closed tab mid-answer leaves it to the next load to
    // record as aborted.
    let pending = null;
    let stored = false;
    const moveTotals = totalsMover(threadId, state.thread?.totals ?? null, call, choice.provider);
    try {
      pending = await inflight.begin(call, choice, call.price_for(choice.provider));
      const outcome = await streamChat({
        model: choice.value, messages: sent, fields: reasoning.fields(), signal: controller.signal,
        onDelta: (delta) => { view.update(delta); pending.progress(delta.text, delta.reasoning); moveTotals(delta); },
      });
      const record = recordFor(call, outcome);
      const answer = { content: outcome.text, reasoning: outcome.reasoning, status: record.status, error: record.error };
      stored = await finishRun(view, record, call, answer, replaceSeq);
    } finally {
      state.runs.delete(threadId);
      showBusy();
      await pending?.end(stored);
    }
  }

  /**
   * The thread's totals while its answer streams, at most every TOTALS_EVERY_MS (TOTALS_SHARE): the stored totals plus
   * the request so far (inflight.recordSoFar), in the footer when the thread is on screen and in its chat list item
   * (onTotals).
   */
  function totalsMover(threadId, stored, call, provider) {
    const startedMs = performance.now();
    let nextMs = -Infinity;
    return (delta) => {
      const shownMs = performance.now();
      if (shownMs < nextMs) return;
      const soFar = inflight.recordSoFar(call, provider, delta, { response_ms: shownMs - startedMs });
      const totals = addRecord(stored, soFar);
      if (state.threadId === threadId) {
        ui.totals.hidden = false;
        fillMetrics(ui.totals, threadTotals(totals));
      }
      onTotals(threadId, totals);
      nextMs = shownMs + Math.max(TOTALS_EVERY_MS, (performance.now() - shownMs) * TOTALS_SHARE);
    };
  }

  function recordFor(call, outcome) {
    try {
      return buildRecord(call, outcome);
    } catch (error) {
      return failedRecord(call, outcome, error); // not swallowed: stored and shown as the answer's error
    }
  }

  /** Stores the answer and shows it; resolves to whether it was stored. */
  async function finishRun(view, record, call, answer, replaceSeq) {
    let saved;
    let stored = true;
    try {
      saved = await store.recordRequest({ record, started: call.started, answer, replaceSeq, pendingId: call.id });
    } catch (error) {
      ui.notice.textContent = `This answer could not be saved in the browser: ${error.message}`;
      saved = { thread: null, message: { ...answer, role: "assistant" } };
      stored = false;
    }
    const message = { ...saved.message, record };
    if (state.threadId === record.thread_id) {
      state.messages.push(message);
      if (saved.thread) state.thread = saved.thread;
      showAnswer(view, message);
      updateEstimate({ answered: true }); // this answer joins the model's output range
      showHeader();
    }
    onThreadChanged(record.thread_id);
    return stored;
  }

  /** Finishes an answer's view; if that fails, the view shows the failure with Retry, and the error goes on. */
  function showAnswer(view, message) {
    try {
      view.finish(message, { canRetry: message.status === "error", onRetry: retry });
    } catch (error) {
      const shown = { ...message, status: "error", record: null,
        error: { message: `this answer could not be shown: ${error.message}`, type: "display_error", code: null, status: null } };
      state.messages[state.messages.indexOf(message)] = shown; // Retry replaces it by its seq
      view.finish(shown, { canRetry: true, onRetry: retry });
      throw error;
    }
  }

  return {
    open, send, stop,
    get threadId() { return state.threadId; },
    get thread() { return state.thread; },
    get busy() { return runHere() !== null; },
  };
}
