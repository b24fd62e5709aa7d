// "Include API traffic": pulls the server's ledger (GET /api/ledger) into the store, so requests that scripts
// and SDKs sent to /v1 count on every page exactly once. Every record is stored under id = request_id, so the
// requests this browser recorded itself (under the same id) are not stored again; the `client` field is not
// trusted for that: any script can send X-LLMS-Client: app, and another browser's requests are not in this one.
import { ImportError } from "../rules/files/check.js";
import { fromLedger } from "../rules/record.js";
import * as store from "./store.js";

const PAGE_LIMIT = 5000;
const SWITCH_PREFERENCE = "llms.includeApiTraffic";
const POSITION = "llms.ledgerSince"; // kept outside the store: Clear All Data must not pull the ledger back in

export const apiTrafficWanted = () => localStorage.getItem(SWITCH_PREFERENCE) === "on";
export const setApiTrafficWanted = (on) => localStorage.setItem(SWITCH_PREFERENCE, on ? "on" : "off");

// The times a store key can hold (rules/keys.js requestKey: epoch ms ≥ 0 in 13 digits); the ledger allows more.
const KEYED_TIMES = ["1970-01-01T00:00:00.000Z", "2286-11-20T17:46:39.999Z"];
const [EARLIEST_KEYED_MS, LATEST_KEYED_MS] = KEYED_TIMES.map(Date.parse);

/** A ledger line as a store item, or the note that names it and says why the browser cannot store it. */
function itemOf(line, position) {
  const name = typeof line?.request_id === "string" ? `request ${line.request_id}` : `line ${position}`;
  let record;
  try {
    record = fromLedger("line", line);
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    return { skipped: `${name} (${error.message.replace(/^line\./, "")})` };
  }
  const epoch_ms = Date.parse(record.timestamp);
  if (!(epoch_ms >= EARLIEST_KEYED_MS && epoch_ms <= LATEST_KEYED_MS)) {
    return { skipped: `${name} (timestamp: ${record.timestamp} is outside the times this browser stores, ${KEYED_TIMES.join(" to ")})` };
  }
  return { item: { record, epoch_ms } };
}

/**
 * Pulls every ledger record not seen yet. Resolves to {added, skipped, note}: a line the browser cannot store
 * is skipped and named in `skipped` (request id, or its position in the pull, and what is wrong), never blocking
 * the lines after it, and the position moves past it; `note` is the server's word when the ledger is off, could
 * not write some requests or had warnings, and the skipped lines.
 */
export async function pullLedger(fetchImpl = fetch) {
  let since = localStorage.getItem(POSITION);
  let added = 0;
  let position = 0;
  const warnings = [];
  const skipped = [];
  let unwritten = null; // the server's count of requests it could not write to the ledger (a full disk, say)
  const noteOf = () => [
    unwritten ? `The server could not write ${unwritten.write_errors.toLocaleString("en-US")} ${unwritten.write_errors === 1 ? "request" : "requests"} to its ledger (${unwritten.last_error}): they are not counted here` : null,
    warnings.length ? `The ledger has damaged lines: ${warnings.join("; ")}` : null,
    skipped.length ? `Skipped ${skipped.length} ledger ${skipped.length === 1 ? "line" : "lines"} this browser cannot store: ${skipped.join("; ")}` : null,
  ].filter(Boolean).join(". ") || null;
  for (;;) {
    const query = new URLSearchParams({ limit: String(PAGE_LIMIT), ...(since ? { since } : {}) });
    const response = await fetchImpl(`/api/ledger?${query}`);
    if (!response.ok) throw new Error(`/api/ledger answered ${response.status}`);
    const page = await response.json();
    if (!page.ledger.enabled) return { added, skipped, note: page.ledger.note };
    warnings.push(...(page.ledger.warnings ?? []));
    if (page.ledger.write_errors) unwritten = page.ledger;
    const items = [];
    for (const line of page.records) {
      position += 1;
      const { item, skipped: why } = itemOf(line, position);
      if (item) items.push(item);
      else skipped.push(why);
    }
    added += await store.addRequests(items.sort((a, b) => a.epoch_ms - b.epoch_ms));
    if (page.next_since) {
      since = page.next_since;
      localStorage.setItem(POSITION, since);
    }
    if (!page.more) return { added, skipped, note: noteOf() };
  }
}
