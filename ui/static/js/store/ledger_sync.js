// "Include API traffic": pulls the server's ledger (GET /api/ledger) into the store, so requests that scripts
// and SDKs sent to /v1 count on every page exactly once. The app's own requests (client "app") are already in
// this browser and are skipped; every other record is stored under id = request_id, deduplicated by id.
import { fromLedger } from "../rules/record.js";
import * as store from "./store.js";

const PAGE_LIMIT = 5000;
const SWITCH_PREFERENCE = "llms.includeApiTraffic";
const POSITION = "llms.ledgerSince"; // kept outside the store: Clear All Data must not pull the ledger back in

export const apiTrafficWanted = () => localStorage.getItem(SWITCH_PREFERENCE) === "on";
export const setApiTrafficWanted = (on) => localStorage.setItem(SWITCH_PREFERENCE, on ? "on" : "off");

/**
 * Pulls every ledger record not seen yet. Resolves to {added, note}: `note` is the server's word when the
 * ledger is off or had warnings.
 */
export async function pullLedger(fetchImpl = fetch) {
  let since = localStorage.getItem(POSITION);
  let added = 0;
  let note = null;
  for (;;) {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT), ...(since ? { since } : {}) });
    const response = await fetchImpl(`/api/ledger?${query}`);
    if (!response.ok) throw new Error(`/api/ledger answered ${response.status}`);
    const page = await response.json();
    if (!page.ledger.enabled) return { added, note: page.ledger.note };
    if (page.ledger.warnings?.length) note = `The ledger has damaged lines: ${page.ledger.warnings.join("; ")}`;
    const items = page.records
      .filter((line) => line.client !== "app")
      .map((line, i) => fromLedger(`records[${i}]`, line))
      .map((record) => ({ record, epoch_ms: Date.parse(record.timestamp) }))
      .sort((a, b) => a.epoch_ms - b.epoch_ms);
    added += await store.addRequests(items);
    if (page.next_since) {
      since = page.next_since;
      localStorage.setItem(POSITION, since);
    }
    if (!page.more) return { added, note };
  }
}
