// What the Costs page's per-request sections (cache savings, what-if) share: the records of the range the overview
// shows, read with one cursor (bounded memory, however many), and a render that follows the overview's.
import { localDate, requestRange } from "../rules/keys.js";
import { addDays, rangeDates } from "../rules/period.js";
import { eachValue } from "../store/store.js";
import { $ } from "./shell.js";

/** The range the overview shows (period_view.js marks its link as the current page), or null before its first render. */
export function shownRange() {
  return document.querySelector('#range-links a[aria-current="page"]')?.dataset.range ?? null;
}

const localMidnight = (date) => {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(year, month - 1, day).getTime();
};

/** Calls `visit(record)` for each request recorded in the days of `range`, in time order. */
export function eachRecordInRange(range, visit) {
  const dates = rangeDates(range, localDate(new Date()));
  return eachValue(requestRange(localMidnight(dates[0]), localMidnight(addDays(dates.at(-1), 1))), (record) => { visit(record); });
}

/**
 * Runs `render(range)` after each render of the overview: it repaints its KPI tiles on a range change, a change in
 * this or another tab, demo data and API traffic, which are the moments these sections change too. Renders never
 * overlap; changes during one run it once more.
 */
export function afterOverview(render) {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const range = shownRange();
      if (range && !$("period").hidden) await render(range);
    } finally {
      running = false;
      if (again) {
        again = false;
        run();
      }
    }
  };
  new MutationObserver(run).observe($("kpis"), { childList: true });
  return run;
}
