// Costs and Tokens › Latency: p50/p95 response time and time to first token per model over the range the overview
// shows. Day rollups keep no TTFT, so the section reads the range's records with the one cursor the other
// per-request sections share (range_records.js) and counts them with period.js's latency rule.
import { el } from "../dom.js";
import { formatDuration, formatTokens } from "../rules/metrics.js";
import { countLatency, latencyRows } from "../rules/period.js";
import { afterOverview, eachRecordInRange } from "./range_records.js";
import { $ } from "./shell.js";

const COLUMNS = ["Model", "Timed", "p50 response", "p95 response", "Streamed", "p50 TTFT", "p95 TTFT"];

const row = (r) => el("tr", { "data-model": r.model }, [
  el("th", { scope: "row", text: r.model }),
  ...[formatTokens(r.timed), formatDuration(r.p50_ms), formatDuration(r.p95_ms), formatTokens(r.streamed),
    formatDuration(r.p50_ttft_ms), formatDuration(r.p95_ttft_ms)].map((text) => el("td", { className: "num", text })),
]);

/** Starts the section; it renders after each render of the overview, hidden while no request of the range was timed. */
export function startLatency() {
  afterOverview(async (range) => {
    const byModel = new Map();
    await eachRecordInRange(range, (record) => { countLatency(byModel, record); });
    $("latency").hidden = byModel.size === 0;
    $("latency-table").replaceChildren(
      el("thead", {}, [el("tr", {}, COLUMNS.map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
      el("tbody", {}, latencyRows(byModel).map(row)),
    );
  });
}
