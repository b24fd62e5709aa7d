// Costs › By app: requests, tokens and cost of the range the overview shows, by the application that sent them
// (Claude Code, Codex, the SDKs, this chat): the record's `client_app`, which the server names from each
// request's User-Agent (llms/server/client_app.py). API traffic is here once "Include API traffic" pulled it in.
import { startRangeBreakdown } from "./range_breakdown.js";

/** The app a record came from: its client_app, else this chat for its own requests (stored here without a `client`,
 * or a ledger line with client "app"), else "unknown" (llms/commands/report.py app_of is the twin). */
export const appOf = (record) => record.client_app ?? (!record.client || record.client === "app" ? "llms chat" : "unknown");

/** Starts the section; it renders after each render of the overview. */
export function startByApp() {
  startRangeBreakdown({ sectionId: "by-app-section", tableId: "by-app", column: "App", attribute: "app", nameOf: appOf });
}
