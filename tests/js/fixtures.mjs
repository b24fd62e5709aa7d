// A valid request record for tests, built through the one record definition (rules/record.js).
import { checkRecord } from "../../ui/static/js/rules/record.js";

export const sampleRecord = (over = {}) => checkRecord("sample", {
  id: "0b6c2f4e-1111-4222-8333-444455556666", timestamp: "2026-05-14T09:30:12.345+02:00", thread_id: "t1",
  model: "gpt-4o", provider: "openai", provider_model: "gpt-4o-2024-08-06", prompt_preview: "hello",
  usage: { prompt_tokens: 1200, completion_tokens: 340, total_tokens: 1540,
    prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 120 } },
  cost_usd: 0.0064, cost_provenance: "computed", prices: { input: 2.5, output: 10 },
  response_ms: 2310.4, ttft_ms: 412, tokens_per_s: 147.2, generation_tokens_per_s: 179.1,
  server_duration_ms: 2280.1, server_ttft_ms: 398.2, status: "ok", error: null, finish_reason: "stop", ...over,
});
