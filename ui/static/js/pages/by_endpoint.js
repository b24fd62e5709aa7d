// Costs › By endpoint (nr-llm's "by service"): requests, tokens and cost of the range the overview shows, by the API
// each request came in by: chat completions, messages (Anthropic's API) or responses (OpenAI's Responses API).
// A ledger line names its endpoint; this chat's own requests are chat completions. /api/analytics/llm's byEndpoint
// counts the same from the ledger (llms/ledger/analytics.py).
import { el } from "../dom.js";
import { group, ranked, totalsOut } from "../rules/aggregate.js";
import { countInto } from "../rules/counters.js";
import { formatTokens, totalCostText } from "../rules/metrics.js";
import { afterOverview, eachRecordInRange } from "./range_records.js";
import { $ } from "./shell.js";

const NAMES = { "/v1/chat/completions": "Chat completions", "/v1/messages": "Messages", "/v1/responses": "Responses" };

/** The endpoint a record came in by, named: this chat's requests (no endpoint recorded) went to chat completions. */
export function endpointOf(record) {
  const endpoint = record.endpoint ?? (record.client === "app" || !record.client ? "/v1/chat/completions" : null);
  return endpoint === null ? "unknown" : NAMES[endpoint] ?? endpoint;
}

const COLUMNS = ["Endpoint", "Requests", "Input", "Output", "Cost"];

async function render(range) {
  const endpoints = new Map();
  await eachRecordInRange(range, (record) => { countInto(group(endpoints, endpointOf(record)), record); });
  $("by-endpoint-section").hidden = endpoints.size === 0;
  $("by-endpoint").replaceChildren(
    el("thead", {}, [el("tr", {}, COLUMNS.map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
    el("tbody", {}, ranked(endpoints).map(([endpoint, counters]) => {
      const totals = totalsOut(counters);
      return el("tr", { "data-endpoint": endpoint }, [
        el("th", { scope: "row", text: endpoint }),
        el("td", { className: "num", text: formatTokens(totals.requests) }),
        el("td", { className: "num", text: formatTokens(totals.input_tokens) }),
        el("td", { className: "num", text: formatTokens(totals.output_tokens) }),
        el("td", { className: "num", text: totalCostText(totals) }),
      ]);
    })),
  );
}

/** Starts the section; it renders after each render of the overview. */
export function startByEndpoint() {
  afterOverview(render);
}
