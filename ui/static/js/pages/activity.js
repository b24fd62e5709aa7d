// The Activity log: a table of requests, newest first. With no search or filter it reads one page with a
// cursor over time-ordered keys; a search or filter scans the packed search chunks (never the records) and
// reads only the page shown. Sorting everything by a number walks that number's ordered keys (store/order.js);
// sorting a search's matches by a number reads them once, then pages from memory.
import { el } from "../dom.js";
import { recordsCsv, requestsFileParts } from "../rules/files/export.js";
import { ALL_REQUESTS, DAY_PREFIX, localDate, requestRange } from "../rules/keys.js";
import { formatDuration, formatSpeed, formatTokens, unpricedHint } from "../rules/metrics.js";
import { formatUsd } from "../rules/pricing.js";
import { NO_PROVIDER } from "../rules/counters.js";
import * as store from "../store/store.js";
import { ORDER_COLUMNS } from "../store/order.js";
import { download } from "../store/transfer.js";
import { COLUMNS, matchChunk, sortRows, sortValue } from "../rules/search.js";
import { detailDialog } from "./request_detail.js";
import { $, measureRender, readParams, startPage, writeParams } from "./shell.js";

const PAGE_SIZES = ["25", "50", "100", "200"];
const DEFAULTS = { q: "", model: "", provider: "", status: "", from: "", to: "", sort: "time", dir: "desc", page: "1", size: "50" };
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const READ_BATCH = 2000;
const TIME = new Intl.DateTimeFormat("sv-SE", { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });

function state() {
  const p = { ...DEFAULTS, ...readParams() };
  return {
    q: p.q.trim(), model: p.model, provider: p.provider, status: ["ok", "error", "aborted"].includes(p.status) ? p.status : "",
    from: DATE.test(p.from) ? p.from : "", to: DATE.test(p.to) ? p.to : "",
    sort: COLUMNS.some((c) => c.id === p.sort) ? p.sort : "time", dir: p.dir === "asc" ? "asc" : "desc",
    page: Math.max(1, Number.parseInt(p.page, 10) || 1), size: PAGE_SIZES.includes(p.size) ? Number(p.size) : 50,
  };
}

const go = (change) => writeParams(Object.fromEntries(Object.entries({ ...state(), ...change }).map(([k, v]) => [k, String(v)])), DEFAULTS);

/** [lower, upper) request keys of the local dates from..to (both included). */
function keyBounds({ from, to }) {
  const midnight = (date, plusDays = 0) => {
    const [y, m, d] = date.split("-").map(Number);
    return new Date(y, m - 1, d + plusDays).getTime();
  };
  if (!from && !to) return ALL_REQUESTS;
  return requestRange(from ? midnight(from) : 0, to ? midnight(to, 1) : 9_999_999_999_999);
}

const filtered = (s) => Boolean(s.q || s.model || s.provider || s.status);

/** The rows' keys in display order; cached per query, so paging does not search again. */
const cache = { signature: null, keys: null };

async function matchingKeys(s) {
  const signature = JSON.stringify([s.q, s.model, s.provider, s.status, s.from, s.to, s.sort, s.dir]);
  if (cache.signature === signature) return cache.keys;
  const bounds = keyBounds(s);
  let matches = [];
  await store.eachSearchChunk((chunk) => {
    const found = matchChunk(chunk, s, bounds);
    for (const match of found) matches.push(match);
  });
  let keys;
  if (s.sort === "time") {
    keys = matches.map((m) => m.key).sort();
    if (s.dir === "desc") keys.reverse();
  } else if (s.sort === "model" || s.sort === "provider" || s.sort === "status") {
    // Lowercased in the search line; the order of case-insensitive names.
    keys = sortRows(matches.map((m) => ({ key: m.key, value: m[s.sort] ?? "" })), s.sort, s.dir).map((r) => r.key);
  } else {
    const rows = [];
    for (let i = 0; i < matches.length; i += READ_BATCH) {
      const batch = matches.slice(i, i + READ_BATCH);
      const records = await store.readMany(batch.map((m) => m.key));
      records.forEach((record, j) => { if (record) rows.push({ key: batch[j].key, value: sortValue(s.sort, record) }); });
    }
    keys = sortRows(rows, s.sort, s.dir).map((r) => r.key);
  }
  matches = null;
  cache.signature = signature;
  cache.keys = keys;
  return keys;
}

/** {total, rows: [{key, value}]} of the page asked for; `days` are all the day rollups. */
async function readPage(s, days) {
  const offset = (s.page - 1) * s.size;
  // Totals from the day rollups of the date range: no key is counted one by one.
  const total = () => days.filter((day) => (!s.from || day.date >= s.from) && (!s.to || day.date <= s.to)).reduce((n, day) => n + day.requests, 0);
  const direction = s.dir === "desc" ? "prev" : "next";
  if (!filtered(s) && s.sort === "time") {
    return { total: total(), rows: await store.readRequestPage(keyBounds(s), { offset, limit: s.size, direction }) };
  }
  if (!filtered(s) && ORDER_COLUMNS.includes(s.sort)) {
    await store.buildOrder((done, all) => { $("result-count").textContent = `Building the sort order… ${formatTokens(done)} of ${formatTokens(all)}`; });
    const bounds = s.from || s.to ? keyBounds(s) : null;
    return { total: total(), rows: await store.readOrderedPage(s.sort, { bounds, offset, limit: s.size, direction }) };
  }
  const keys = await matchingKeys(s);
  const pageKeys = keys.slice(offset, offset + s.size);
  const values = await store.readMany(pageKeys);
  return { total: keys.length, rows: pageKeys.map((key, i) => ({ key, value: values[i] })).filter((r) => r.value) };
}

function statusCell(record) {
  const badge = el("span", { className: `status status-${record.status}`, text: record.status });
  if (record.error?.message) badge.title = record.error.message;
  return badge;
}

/** The records of the rows shown, by key: what a row's detail opens. */
const shown = new Map();
const detail = detailDialog();

function row({ key, value: r }) {
  shown.set(key, r);
  const tags = [];
  if (r.demo) tags.push(el("span", { className: "tag", text: "demo" }));
  if (r.client === "api") tags.push(el("span", { className: "tag", text: "API" }));
  const prompt = el("td", { className: "prompt", title: r.prompt_preview || null, text: r.prompt_preview || "—" });
  // A row opens its record (click, Enter or Space), so it is focusable.
  return el("tr", { className: "request-row", tabindex: "0", "data-key": key, title: "Open this request" }, [
    el("td", { text: TIME.format(new Date(r.timestamp)) }),
    el("td", {}, [r.model, ...tags.map((t) => [" ", t]).flat()]),
    el("td", { text: r.provider ?? "—" }),
    prompt,
    el("td", { className: "num", text: r.usage ? formatTokens(r.usage.prompt_tokens) : "—" }),
    el("td", { className: "num", text: r.usage ? formatTokens(r.usage.completion_tokens) : "—" }),
    el("td", { className: "num", title: unpricedHint(r), text: r.cost_provenance ? formatUsd(r.cost_usd, r.cost_provenance) : "—" }),
    el("td", { className: "num", text: formatDuration(r.response_ms) }),
    el("td", { className: "num", text: formatSpeed(r.tokens_per_s) }),
    el("td", {}, [statusCell(r)]),
  ]);
}

function header(s) {
  $("columns").replaceChildren(...COLUMNS.map((c) => {
    const sorted = s.sort === c.id;
    const button = el("button", { type: "button", className: "sort", "data-sort": c.id, text: c.label + (sorted ? (s.dir === "asc" ? " ▲" : " ▼") : "") });
    return el("th", { scope: "col", className: c.type === "number" ? "num" : null, "aria-sort": sorted ? (s.dir === "asc" ? "ascending" : "descending") : null }, [button]);
  }));
}

/** The models and providers seen, from the day rollups' breakdowns. */
function filterOptions(days) {
  const names = (field) => [...new Set(days.flatMap((d) => Object.keys(d[field] ?? {})))].sort();
  return { models: names("by_model"), providers: names("by_provider") };
}

function showFilterOptions({ models, providers }, s) {
  const fill = (select, values, current) => {
    const options = [...new Set([...values, ...(current ? [current] : [])])];
    select.replaceChildren(el("option", { value: "", text: "All" }), ...options.map((v) => el("option", { value: v, text: v === NO_PROVIDER ? "(no provider)" : v })));
    select.value = current;
  };
  fill($("f-model"), models, s.model);
  fill($("f-provider"), providers, s.provider);
}

function showFilters(s) {
  $("q").value = s.q;
  $("f-status").value = s.status;
  $("f-from").value = s.from;
  $("f-to").value = s.to;
  $("page-size").value = String(s.size);
}

let renderCount = 0;

async function render() {
  const mine = ++renderCount; // a newer render (another click) wins: this one stops after its reads
  const started = performance.now();
  const s = state();
  showFilters(s);
  header(s);
  $("result-count").textContent = filtered(s) || s.sort !== "time" ? "Searching…" : "Loading…";
  const days = await store.readRange([DAY_PREFIX, "day;"]); // one small value a day, read once per render
  const { total, rows } = await readPage(s, days);
  if (mine !== renderCount) return;
  showFilterOptions(filterOptions(days), s);
  const pages = Math.max(1, Math.ceil(total / s.size));
  const first = total ? (s.page - 1) * s.size + 1 : 0;
  shown.clear();
  // A redraw (another tab's import, the ledger pull) keeps focus on the row that had it, so the keyboard's place holds.
  const focusedKey = document.activeElement?.closest?.("#rows tr.request-row")?.dataset.key;
  $("rows").replaceChildren(...(rows.length ? rows.map(row)
    : [el("tr", {}, [el("td", { colspan: String(COLUMNS.length), className: "empty-rows", text: "No request matches these filters." })])]));
  if (focusedKey) rowOf(focusedKey)?.focus();
  $("result-count").textContent = `${formatTokens(total)} ${total === 1 ? "request" : "requests"}${filtered(s) || s.from || s.to ? " match" : ""}`;
  $("page-info").textContent = total ? `Page ${s.page} of ${formatTokens(pages)} · rows ${formatTokens(first)}–${formatTokens(first + rows.length - 1)}` : "";
  $("prev-page").disabled = s.page <= 1;
  $("next-page").disabled = s.page >= pages;
  await measureRender(started);
}

/** Every record the filters match, in the table's order. */
async function matchingRecords(s) {
  if (!filtered(s) && s.sort === "time") {
    const records = [];
    await store.eachValue(keyBounds(s), (record) => { records.push(record); });
    return s.dir === "desc" ? records.reverse() : records;
  }
  const keys = await matchingKeys(s);
  const records = [];
  for (let i = 0; i < keys.length; i += READ_BATCH) records.push(...(await store.readMany(keys.slice(i, i + READ_BATCH))).filter(Boolean));
  return records;
}

function formValues() {
  const form = new FormData($("filters"));
  return { q: form.get("q").trim(), model: form.get("model"), provider: form.get("provider"), status: form.get("status"), from: form.get("from"), to: form.get("to") };
}

const refresh = startPage({ content: $("activity"), render: () => { cache.signature = null; return render(); } });
const rerender = () => render();

$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  go({ ...formValues(), page: 1 });
  rerender();
});
$("reset-filters").addEventListener("click", () => {
  go({ q: "", model: "", provider: "", status: "", from: "", to: "", page: 1 });
  rerender();
});
for (const id of ["f-model", "f-provider", "f-status", "f-from", "f-to"]) {
  $(id).addEventListener("change", () => { go({ ...formValues(), page: 1 }); rerender(); });
}
$("columns").addEventListener("click", (event) => {
  const column = event.target.closest("button[data-sort]")?.dataset.sort;
  if (!column) return;
  const s = state();
  const type = COLUMNS.find((c) => c.id === column).type;
  const dir = s.sort === column ? (s.dir === "asc" ? "desc" : "asc") : (type === "number" || column === "time" ? "desc" : "asc");
  go({ sort: column, dir, page: 1 });
  rerender();
});
const rowOf = (key) => [...$("rows").querySelectorAll("tr.request-row")].find((tr) => tr.dataset.key === key);
const openRow = (tr) => {
  const key = tr?.dataset.key;
  if (key && shown.has(key)) detail.show(shown.get(key), () => rowOf(key));
};
$("rows").addEventListener("click", (event) => openRow(event.target.closest("tr.request-row")));
$("rows").addEventListener("keydown", (event) => {
  if ((event.key === "Enter" || event.key === " ") && event.target.matches("tr.request-row")) {
    event.preventDefault();
    openRow(event.target);
  }
});
$("page-size").addEventListener("change", (event) => { go({ size: event.target.value, page: 1 }); rerender(); });
$("prev-page").addEventListener("click", () => { go({ page: state().page - 1 }); rerender(); });
$("next-page").addEventListener("click", () => { go({ page: state().page + 1 }); rerender(); });
$("export-csv").addEventListener("click", async () => {
  download([recordsCsv(await matchingRecords(state()))], `llms-activity-${localDate(new Date())}.csv`, "text/csv");
});
$("export-json").addEventListener("click", async () => {
  download(requestsFileParts(await matchingRecords(state())), `llms-activity-${localDate(new Date())}.json`, "application/json");
});
