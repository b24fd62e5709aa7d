// The server's figures for the Costs page's range: /api/analytics/llm over the ledger (API and app traffic the server
// proxied), read once per page view and shared by the sections that need who sent a request or what a provider
// billed, which the browser's own records do not hold (the Users section, the Price check).
import { isoWithOffset, localDate } from "../rules/keys.js";
import { RANGES, rangeDates } from "../rules/period.js";
import { readParams } from "./shell.js";

let pending = null;
// Who sent each request and what providers billed are read from every line, so the server gives them only when asked.
const LINE_EXTRAS = "byUser,priceCheck,todaysPrices";

/** The page's range (?range=7d|30d|90d|month, else 30d) as the API's from/to, on the person's clock. */
export function rangeQuery(now = new Date()) {
  const range = RANGES.includes(readParams().range) ? readParams().range : "30d";
  const [y, m, d] = rangeDates(range, localDate(now))[0].split("-").map(Number);
  return { from: isoWithOffset(new Date(y, m - 1, d)), to: isoWithOffset(now), granularity: "day" };
}

/** The analytics of the page's range (one fetch per page view): the API's JSON, or {error} saying why not. */
export function ledgerFigures() {
  pending ??= fetch(`/api/analytics/llm?${new URLSearchParams({ ...rangeQuery(), include: LINE_EXTRAS })}`)
    .then(async (response) => {
      const body = await response.json();
      return response.ok ? body : { error: body.error?.message ?? `HTTP ${response.status}`, ledger: body.ledger };
    })
    .catch((error) => ({ error: error.message }));
  return pending;
}
