// The Tokens page: daily input and output tokens of a month (stacked), a range overview, trend and breakdowns, and
// the range's latency per model.
import { startLatency } from "./latency.js";
import { startPeriodPage } from "./period_view.js";

startLatency();
startPeriodPage("tokens");
