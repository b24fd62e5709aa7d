// Costs › By app: requests, tokens and cost of the range the overview shows, by the application that sent them
// (Claude Code, Codex, the SDKs, this chat): the record's `client_app`, which the server names from each
// request's User-Agent (llms/server/client_app.py). API traffic is here once "Include API traffic" pulled it in.
import { el } from "../dom.js";
import { group, ranked, totalsOut } from "../rules/aggregate.js";
import { countInto } from "../rules/counters.js";
import { formatTokens, totalCostText } from "../rules/metrics.js";
import { afterOverview, eachRecordInRange } from "./range_records.js";
import { $ } from "./shell.js";

/** The app a record came from: its client_app, else this chat for its own requests, else "unknown". */
export const appOf = (record) => record.client_app ?? (record.client === "app" ? "llms chat" : "unknown");

const COLUMNS = ["App", "Requests", "Input", "Output", "Cost"];

async function render(range) {
  const apps = new Map();
  await eachRecordInRange(range, (record) => { countInto(group(apps, appOf(record)), record); });
  const section = $("by-app-section");
  section.hidden = apps.size === 0;
  $("by-app").replaceChildren(
    el("thead", {}, [el("tr", {}, COLUMNS.map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
    el("tbody", {}, ranked(apps).map(([app, counters]) => {
      const totals = totalsOut(counters);
      return el("tr", { "data-app": app }, [
        el("th", { scope: "row", text: app }),
        el("td", { className: "num", text: formatTokens(totals.requests) }),
        el("td", { className: "num", text: formatTokens(totals.input_tokens) }),
        el("td", { className: "num", text: formatTokens(totals.output_tokens) }),
        el("td", { className: "num", text: totalCostText(totals) }),
      ]);
    })),
  );
}

/** Starts the section; it renders after each render of the overview. */
export function startByApp() {
  afterOverview(render);
}
