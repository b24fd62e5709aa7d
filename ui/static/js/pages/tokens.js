// The Tokens page: daily input and output tokens of a month (stacked), a range overview, trend and breakdowns.
import { startPeriodPage } from "./period_view.js";

startPeriodPage("tokens");
