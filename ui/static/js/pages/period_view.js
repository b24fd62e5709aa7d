// The Costs and Tokens pages: one view, two measures. Reads only day rollups (≤ ~150 small values, whatever
// the number of requests): a range overview (KPI tiles, budget, trend, breakdowns) and a month of days.
import { el } from "../dom.js";
import { dayKey, localDate } from "../rules/keys.js";
import { formatDuration, formatTokens, totalCost, totalCostText } from "../rules/metrics.js";
import { formatUsd } from "../rules/pricing.js";
import { readRange } from "../store/store.js";
import { tokenTick, usdTick } from "../rules/ticks.js";
import { COLORS, barChart } from "./charts.js";
import {
  GRANULARITIES, RANGES, RANGE_LABELS, budgetUse, change, changeText, customRange, dayDetail, dayOrZero, monthDates,
  previousDates, rangeDates, shiftMonth, summarize, trend,
} from "../rules/period.js";
import { $, measureRender, readParams, startPage, timeZone, writeParams } from "./shell.js";

const MONTH_NAME = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
const DAY_NAME = new Intl.DateTimeFormat("en-US", { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
const SHORT_DAY = new Intl.DateTimeFormat("en-US", { day: "numeric", month: "short", timeZone: "UTC" });
const HOUR_NAME = new Intl.DateTimeFormat("en-US", { hour: "2-digit", hourCycle: "h23", day: "numeric", month: "short" });


const MEASURES = {
  cost: {
    columns: ["Requests", "Cost"],
    cells: (t) => [formatTokens(t.requests), totalCostText(t)],
    series: (rows) => [{ label: "Cost", values: rows.map((r) => r.cost_usd), color: COLORS.primary }],
    stacked: false,
    axis: usdTick,
    total: totalCostText,
  },
  tokens: {
    columns: ["Requests", "Input", "Output", "Total"],
    cells: (t) => [formatTokens(t.requests), formatTokens(t.input_tokens), formatTokens(t.output_tokens), formatTokens(t.input_tokens + t.output_tokens)],
    series: (rows) => [
      { label: "Input", values: rows.map((r) => r.input_tokens), color: COLORS.primary },
      { label: "Output", values: rows.map((r) => r.output_tokens), color: COLORS.secondary },
    ],
    stacked: true,
    axis: tokenTick,
    total: (t) => `${formatTokens(t.input_tokens + t.output_tokens)} tokens (${formatTokens(t.input_tokens)} in / ${formatTokens(t.output_tokens)} out)`,
  },
};

function defaults() {
  return { month: localDate(new Date()).slice(0, 7), range: "30d", granularity: "day", day: "", from: "", to: "" };
}

function state() {
  const d = defaults();
  const p = readParams();
  return {
    // No month after this one: nothing can have been spent in it yet.
    month: /^\d{4}-(0[1-9]|1[0-2])$/.test(p.month ?? "") && p.month <= d.month ? p.month : d.month,
    range: RANGES.includes(p.range) ? p.range : d.range,
    granularity: GRANULARITIES.includes(p.granularity) ? p.granularity : d.granularity,
    day: /^\d{4}-\d{2}-\d{2}$/.test(p.day ?? "") ? p.day : "",
    from: p.from ?? "",
    to: p.to ?? "",
  };
}

/** The range the page shows: the custom one of ?from&to when it is whole, else the preset, with a note saying why. */
function shownRange(s, today) {
  if (!s.from && !s.to) return { range: s.range, note: "" };
  const custom = customRange(s.from, s.to, today);
  if (custom.range) return { range: custom.range, note: "" };
  return { range: s.range, note: `Custom range not shown: ${custom.problem}. Showing ${RANGE_LABELS[s.range]}.` };
}

function go(change) {
  writeParams({ ...state(), ...change }, defaults());
}

/** A tile's change against the previous period of the same length ("—" when that period had none of it). */
function changeNote(current, previous) {
  const delta = change(current, previous);
  return el("dd", { className: `kpi-change ${delta?.direction ?? "none"}`, text: changeText(delta) });
}

/** What the tiles' ▲/▼ compare with, said once under them (a tile is too narrow to say it). */
function compareNote(previous) {
  const day = (date) => SHORT_DAY.format(new Date(`${date}T00:00:00Z`));
  $("kpi-compare").textContent = `▲ ▼ against the previous ${previous.length} days, ${day(previous[0])} – ${day(previous.at(-1))}.`;
}

function kpis(figures, before, measure) {
  const s = figures.summary;
  const cost = totalCost(s); // "(+1 unpriced)" is the tile's note, on a line of its own, not wrapped into the amount
  const tiles = [
    ["Total cost", cost.text, cost.note, changeNote(s.cost_usd, before.cost_usd)],
    ["Requests", formatTokens(s.requests), null, changeNote(s.requests, before.requests)],
    ["Tokens", `${formatTokens(s.input_tokens + s.output_tokens)}`, `${formatTokens(s.input_tokens)} in / ${formatTokens(s.output_tokens)} out`],
    ["Providers", String(figures.providers)],
    ["Models", String(figures.models)],
    ["Errors", formatTokens(s.errors), s.requests ? `${((s.errors / s.requests) * 100).toFixed(1)} %` : null],
    ["p50 response", formatDuration(s.p50_ms)],
    ["p95 response", formatDuration(s.p95_ms)],
  ];
  if (measure === "tokens") tiles.unshift(tiles.splice(2, 1)[0]);
  $("kpis").replaceChildren(...tiles.map(([name, value, note, delta]) => el("div", { className: "kpi" }, [
    el("dt", { text: name }), el("dd", { text: value }), ...(note ? [el("dd", { className: "kpi-note", text: note })] : []),
    ...(delta ? [delta] : []),
  ])));
}

function table(node, head, rows, { caption = null } = {}) {
  node.replaceChildren(
    ...(caption ? [el("caption", { className: "visually-hidden", text: caption })] : []),
    el("thead", {}, [el("tr", {}, head.map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c, i) => el(i ? "td" : "th", { scope: i ? null : "row", className: i ? "num" : null, text: c }))))),
  );
}

function breakdown(node, groups, nameField, measure) {
  const m = MEASURES[measure];
  if (!groups.length) {
    node.replaceChildren(el("tbody", {}, [el("tr", {}, [el("td", { className: "muted", text: "No requests in this range." })])]));
    return;
  }
  table(node, [nameField === "provider" ? "Provider" : "Model", ...m.columns], groups.map((g) => [g[nameField], ...m.cells(g)]));
}

function budget(config, thisMonth) {
  const rows = budgetUse(config?.budget, thisMonth);
  $("budget").hidden = rows.length === 0;
  $("budget-rows").replaceChildren(...rows.map((row) => {
    // A share of a $0 budget means nothing (0 % or infinitely over): it is left out, the warning says the rest.
    const percent = row.budget_usd > 0 ? ` (${Math.round(row.share * 100)} %)` : "";
    const text = `${formatUsd(row.spent_usd, "computed")} of ${formatUsd(row.budget_usd, "computed")}${percent}`;
    return el("div", { className: `budget-row${row.over ? " over" : ""}` }, [
      el("span", { className: "budget-name", text: row.name }),
      el("meter", { min: "0", max: "1", low: "0.8", high: "0.999", optimum: "0", value: String(Math.min(1, row.share)), "aria-label": `${row.name} budget used` }),
      el("span", { className: "budget-text", text }),
      ...(row.over ? [el("strong", { className: "budget-warning", role: "alert", text: `Over budget by ${formatUsd(row.spent_usd - row.budget_usd, "computed")}` })] : []),
    ]);
  }));
}

function trendLabel(bucket, granularity) {
  const start = new Date(bucket.start_ms);
  if (granularity === "hour") return HOUR_NAME.format(start);
  const day = SHORT_DAY.format(new Date(`${bucket.bucket.slice(0, 10)}T00:00:00Z`));
  return granularity === "week" ? `Week of ${day}` : day;
}

function dayRow(date, t, measure, expanded, onToggle) {
  const m = MEASURES[measure];
  const button = el("button", { type: "button", className: "day-toggle", "aria-expanded": expanded ? "true" : "false", text: DAY_NAME.format(new Date(`${date}T00:00:00Z`)) });
  const row = el("tr", { className: `day-row${t.requests ? "" : " zero"}${expanded ? " open" : ""}`, "data-date": date }, [
    el("th", { scope: "row" }, [button]), ...m.cells(t).map((c) => el("td", { className: "num", text: c })),
  ]);
  row.addEventListener("click", () => onToggle(date));
  return row;
}

function dayDetailRow(date, rollup, measure) {
  const d = dayDetail(rollup);
  const m = MEASURES[measure];
  const cell = el("td", { colspan: String(m.columns.length + 1) });
  if (!d.requests) cell.append(el("p", { className: "muted", text: "No requests this day." }));
  else {
    const byModel = el("table", { className: "grid breakdown", "aria-label": `Per model on ${date}` });
    const byProvider = el("table", { className: "grid breakdown", "aria-label": `Per provider on ${date}` });
    table(byModel, ["Model", ...m.columns], d.by_model.map((g) => [g.model, ...m.cells(g)]));
    table(byProvider, ["Provider", ...m.columns], d.by_provider.map((g) => [g.provider, ...m.cells(g)]));
    cell.append(
      el("p", { className: "day-summary", text: `${formatTokens(d.requests)} ${d.requests === 1 ? "request" : "requests"}, ${m.total(d)}${d.errors ? `, ${d.errors} failed` : ""}` }),
      el("div", { className: "breakdowns" }, [byModel, byProvider]),
    );
  }
  return el("tr", { className: "day-detail", "data-date": date }, [cell]);
}

/** Each preset link keeps the page's other parameters (not a custom range); the one shown is the current page. */
function rangeLinks(s, shown, dates) {
  for (const link of document.querySelectorAll("#range-links a[data-range]:not(#custom-range-link)")) {
    const params = Object.entries({ ...s, range: link.dataset.range, from: "", to: "" }).filter(([name, value]) => value && defaults()[name] !== value);
    const search = new URLSearchParams(params).toString();
    link.href = `${location.pathname}${search ? `?${search}` : ""}`;
    if (link.dataset.range === shown) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const custom = $("custom-range-link");
  const isCustom = !RANGES.includes(shown);
  custom.hidden = !isCustom;
  // range_records.js reads the range shown from the current link's data-range: a custom one is "from..to".
  if (isCustom) {
    const day = (date) => SHORT_DAY.format(new Date(`${date}T00:00:00Z`));
    Object.assign(custom, { href: `${location.pathname}${location.search}`, textContent: `${day(dates[0])} – ${day(dates.at(-1))}` });
    custom.dataset.range = shown;
    custom.setAttribute("aria-current", "page");
  } else {
    delete custom.dataset.range;
    custom.removeAttribute("aria-current");
  }
  // The form starts from the range shown, so a custom range is one edit away from it.
  const today = localDate(new Date());
  Object.assign($("range-from"), { value: dates[0], max: today });
  Object.assign($("range-to"), { value: dates.at(-1) > today ? today : dates.at(-1), max: today });
}

/** Starts the Costs (`measure` "cost") or Tokens ("tokens") page. */
export function startPeriodPage(measure) {
  const charts = {};
  let config = null;
  const configLoaded = fetch("/api/config").then((r) => (r.ok ? r.json() : null)).then((c) => { config = c; }, () => {});

  const draw = (name, container, options) => {
    charts[name]?.destroy();
    charts[name] = barChart(container, options);
  };

  async function render() {
    const started = performance.now();
    const s = state();
    const today = localDate(new Date());
    const tz = timeZone();
    const shown = shownRange(s, today);
    const range = rangeDates(shown.range, today);
    const month = monthDates(s.month);
    const current = monthDates(today.slice(0, 7));
    const previous = previousDates(range);
    const all = [...previous, ...range, ...month, ...current].sort();
    const rollups = await readRange([dayKey(all[0]), dayKey(all.at(-1))]);
    const byDate = new Map(rollups.map((r) => [r.date, r]));
    const m = MEASURES[measure];

    rangeLinks(s, shown.range, range);
    $("range-note").hidden = !shown.note;
    $("range-note").textContent = shown.note;
    document.querySelectorAll("#granularity-buttons button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.granularity === s.granularity)));
    const figures = summarize(range.map((d) => byDate.get(d)));
    kpis(figures, summarize(previous.map((d) => byDate.get(d))).summary, measure);
    compareNote(previous);
    breakdown($("by-provider"), figures.by_provider, "provider", measure);
    breakdown($("by-model"), figures.by_model, "model", measure);
    if (measure === "cost") {
      await configLoaded;
      budget(config, summarize(current.map((d) => byDate.get(d))));
    }
    const series = trend(byDate, range, s.granularity, tz);
    $("trend-title").textContent = `Trend by ${s.granularity}`;
    draw("trend", $("trend-chart"), {
      labels: series.map((b) => trendLabel(b, s.granularity)), xLabel: { hour: "Hour", day: "Day", week: "Week" }[s.granularity], series: m.series(series), stacked: m.stacked, format: m.axis,
    });

    $("next-month").disabled = s.month >= today.slice(0, 7);
    const [year, monthNo] = s.month.split("-").map(Number);
    $("month-title").textContent = MONTH_NAME.format(new Date(Date.UTC(year, monthNo - 1, 1)));
    const days = month.map((date) => dayDetail(dayOrZero(byDate, date)));
    $("month-total").textContent = m.total(summarize(month.map((d) => byDate.get(d))).summary);
    const toggle = (date) => go({ day: state().day === date ? "" : date, month: date.slice(0, 7) });
    draw("month", $("month-chart"), {
      labels: month.map((date) => String(Number(date.slice(8)))), xLabel: "Day", series: m.series(days), stacked: m.stacked, format: m.axis,
      onPick: (i) => pickDay(month[i]), selected: month.includes(s.day) ? month.indexOf(s.day) : null,
    });
    const rows = [];
    month.forEach((date, i) => {
      const open = s.day === date;
      rows.push(dayRow(date, days[i], measure, open, (d) => { toggle(d); render(); }));
      if (open) rows.push(dayDetailRow(date, dayOrZero(byDate, date), measure));
    });
    $("days").replaceChildren(
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "Day" }), ...m.columns.map((c) => el("th", { scope: "col", className: "num", text: c }))])]),
      el("tbody", {}, rows),
    );
    await measureRender(started);
  }

  /** A bar clicked: its day opens (or closes) in the table below, and the view goes to the opened row and its detail. */
  async function pickDay(date) {
    go({ day: state().day === date ? "" : date, month: date.slice(0, 7) });
    await render();
    const row = state().day && $("days").querySelector(`tr[data-date="${state().day}"]`);
    if (!row) return;
    row.nextElementSibling?.scrollIntoView({ block: "nearest" }); // the detail, then its row: both when they fit
    row.scrollIntoView({ block: "nearest" });
    row.querySelector(".day-toggle").focus({ preventScroll: true });
  }

  const refresh = startPage({ content: $("period"), render });
  const on = (id, handler) => $(id).addEventListener("click", handler);
  on("prev-month", () => { go({ month: shiftMonth(state().month, -1), day: "" }); refresh(); });
  on("next-month", () => { go({ month: shiftMonth(state().month, 1), day: "" }); refresh(); });
  on("granularity-buttons", (event) => { if (event.target.dataset.granularity) { go({ granularity: event.target.dataset.granularity }); refresh(); } });
}
