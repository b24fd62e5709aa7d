// Costs › By endpoint (nr-llm's "by service"): requests, tokens and cost of the range the overview shows, by the API
// each request came in by: chat completions, messages (Anthropic's API) or responses (OpenAI's Responses API).
// A ledger line names its endpoint; this chat's own requests are chat completions. /api/analytics/llm's byEndpoint
// counts the same from the ledger (llms/ledger/analytics.py).
import { startRangeBreakdown } from "./range_breakdown.js";

const NAMES = { "/v1/chat/completions": "Chat completions", "/v1/messages": "Messages", "/v1/responses": "Responses" };

/** The endpoint a record came in by, named: this chat's requests (no endpoint recorded) went to chat completions. */
export function endpointOf(record) {
  const endpoint = record.endpoint ?? (record.client === "app" || !record.client ? "/v1/chat/completions" : null);
  return endpoint === null ? "unknown" : NAMES[endpoint] ?? endpoint;
}

/** Starts the section; it renders after each render of the overview. */
export function startByEndpoint() {
  startRangeBreakdown({ sectionId: "by-endpoint-section", tableId: "by-endpoint", column: "Endpoint", attribute: "endpoint", nameOf: endpointOf });
}
