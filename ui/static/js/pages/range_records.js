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

// The sections render after the same overview render and ask for the same range together: the asks made before
// the next task are served by one cursor, each record handed to every visitor in turn.
let gathering = null; // {range, visitors, done} while asks for `range` are being gathered

function readRange(range, visitors) {
  const dates = rangeDates(range, localDate(new Date()));
  const bounds = requestRange(localMidnight(dates[0]), localMidnight(addDays(dates.at(-1), 1)));
  return eachValue(bounds, (record) => { for (const visit of visitors) visit(record); });
}

/** Calls `visit(record)` for each request recorded in the days of `range`, in time order. */
export function eachRecordInRange(range, visit) {
  if (gathering?.range === range) {
    gathering.visitors.push(visit);
    return gathering.done;
  }
  const batch = { range, visitors: [visit] };
  gathering = batch;
  // A task, not a microtask: each section's observer callback ends with a microtask checkpoint of its own.
  batch.done = new Promise((resolve) => { setTimeout(resolve, 0); }).then(() => {
    if (gathering === batch) gathering = null;
    return readRange(range, batch.visitors);
  });
  return batch.done;
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
