// A Costs section that splits the range the overview shows by one name per record (By app, By endpoint): requests,
// input, output and cost per name, most expensive first (aggregate.js's order), hidden while the range is empty.
import { el } from "../dom.js";
import { group, ranked, totalsOut } from "../rules/aggregate.js";
import { countInto } from "../rules/counters.js";
import { formatTokens, totalCostText } from "../rules/metrics.js";
import { afterOverview, eachRecordInRange } from "./range_records.js";
import { $ } from "./shell.js";

/**
 * Starts the section `sectionId` whose table `tableId` has one row per `nameOf(record)`, headed `column`; each row
 * carries `data-<attribute>` = its name. It renders after each render of the overview.
 */
export function startRangeBreakdown({ sectionId, tableId, column, attribute, nameOf }) {
  const columns = [column, "Requests", "Input", "Output", "Cost"];
  afterOverview(async (range) => {
    const groups = new Map();
    await eachRecordInRange(range, (record) => { countInto(group(groups, nameOf(record)), record); });
    $(sectionId).hidden = groups.size === 0;
    $(tableId).replaceChildren(
      el("thead", {}, [el("tr", {}, columns.map((h, i) => el("th", { scope: "col", className: i ? "num" : null, text: h })))]),
      el("tbody", {}, ranked(groups).map(([name, counters]) => {
        const totals = totalsOut(counters);
        return el("tr", { [`data-${attribute}`]: name }, [
          el("th", { scope: "row", text: name }),
          el("td", { className: "num", text: formatTokens(totals.requests) }),
          el("td", { className: "num", text: formatTokens(totals.input_tokens) }),
          el("td", { className: "num", text: formatTokens(totals.output_tokens) }),
          el("td", { className: "num", text: totalCostText(totals) }),
        ]);
      })),
    );
  });
}
