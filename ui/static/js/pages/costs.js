// The Costs page: daily costs of a month, a range overview with KPI tiles, budget, trend and breakdowns.
import { startPeriodPage } from "./period_view.js";

startPeriodPage("cost");
