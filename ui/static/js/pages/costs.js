// The Costs page: daily costs of a month, a range overview with KPI tiles, budget, trend and breakdowns; then the
// range by app, what caching saved in it and what it would have cost on another model or at today's prices.
import { startByApp } from "./by_app.js";
import { startCacheSavings } from "./cache_savings.js";
import { startPeriodPage } from "./period_view.js";
import { startWhatIf } from "./what_if.js";

startByApp();
startCacheSavings();
startWhatIf();
startPeriodPage("cost");
