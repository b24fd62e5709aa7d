// The Costs page: daily costs of a month, a range overview with KPI tiles, budget, trend and breakdowns; then what
// caching saved in the range and what it would have cost on another model or at today's prices.
import { startCacheSavings } from "./cache_savings.js";
import { startPeriodPage } from "./period_view.js";
import { startWhatIf } from "./what_if.js";

startCacheSavings();
startWhatIf();
startPeriodPage("cost");
