// The Costs page: daily costs of a month, a range overview with KPI tiles, budget, trend and breakdowns, its latency
// per model; then the range by app and by endpoint, what caching saved in it and what it would have cost on another
// model or at today's prices; who spent it (Users) and how our prices compare with what providers billed (Price check).
import { startByApp } from "./by_app.js";
import { startByEndpoint } from "./by_endpoint.js";
import { startCacheSavings } from "./cache_savings.js";
import { startPeriodPage } from "./period_view.js";
import { startLatency } from "./latency.js";
import { startPriceCheck } from "./price_check.js";
import { startUsers } from "./users.js";
import { startWhatIf } from "./what_if.js";

startLatency();
startByApp();
startByEndpoint();
startCacheSavings();
startWhatIf();
startUsers();
startPriceCheck();
startPeriodPage("cost");
