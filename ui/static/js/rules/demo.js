// Pure: ~90 days of realistic, made-up usage so a new person sees every chart working. Every record is marked
// `demo: true` with an id `demo-…`, so "Remove demo data" takes exactly these away. Deterministic for a seed.
import { isoWithOffset } from "./keys.js";
import { costFor } from "./pricing.js";
import { checkRecord, speedsOf } from "./record.js";

export const DEMO_DAYS = 90;
export const DEMO_ID_PREFIX = "demo-";

// Public list prices, USD per 1M tokens, as of 2025.
const MODELS = [
  { model: "gpt-4o", provider: "openai", provider_model: "gpt-4o-2024-08-06", weight: 16, speed: 95, price: { input: 2.5, output: 10, cached_input: 1.25 } },
  { model: "gpt-4o-mini", provider: "openai", provider_model: "gpt-4o-mini-2024-07-18", weight: 22, speed: 120, price: { input: 0.15, output: 0.6, cached_input: 0.075 } },
  { model: "claude-sonnet-4-5", provider: "anthropic", provider_model: "claude-sonnet-4-5-20250929", weight: 14, speed: 70, price: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 } },
  { model: "claude-haiku-4-5", provider: "anthropic", provider_model: "claude-haiku-4-5-20251001", weight: 10, speed: 140, price: { input: 1, output: 5, cached_input: 0.1, cache_write: 1.25 } },
  { model: "gemini-2.5-flash", provider: "google", provider_model: "gemini-2.5-flash", weight: 18, speed: 210, price: { input: 0.3, output: 2.5, cached_input: 0.03 } },
  { model: "gemini-2.5-pro", provider: "google", provider_model: "gemini-2.5-pro", weight: 6, speed: 85, price: { input: 1.25, output: 10, cached_input: 0.125 } },
  { model: "llama-3.3-70b", provider: "groq", provider_model: "llama-3.3-70b-versatile", weight: 9, speed: 320, price: { input: 0.59, output: 0.79 } },
  { model: "deepseek-chat", provider: "openrouter", provider_model: "deepseek/deepseek-chat-v3.1", weight: 5, speed: 45, price: { input: 0.2, output: 0.8 } },
];

const PROMPTS = [
  "Summarize this meeting transcript in five bullet points",
  "Write a Python function that merges two sorted lists",
  "Explain the difference between TCP and UDP to a new engineer",
  "Draft a polite reply declining the vendor's offer",
  "Translate the release notes into German",
  "Why does my React effect run twice in development?",
  "Suggest names for a small bakery in Lisbon",
  "Refactor this SQL query to avoid the correlated subquery",
  "What are the trade-offs of SQLite vs Postgres for a desktop app?",
  "Write unit tests for the date parsing helper",
  "Outline a 20-minute talk about observability",
  "Fix the off-by-one error in this pagination code",
  "Compare three approaches to rate limiting an API",
  "Rewrite this paragraph to be clearer and shorter",
  "Generate a regex that validates ISO 8601 dates",
  "Plan a three-day trip to Kyoto in autumn",
];

// Requests per hour of the local day: a working person's rhythm.
const HOURLY = [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.6, 2.4, 2.6, 2.3, 1.4, 1.9, 2.5, 2.4, 2.1, 1.6, 1.0, 0.8, 0.9, 0.8, 0.6, 0.4];

/** mulberry32: a small seeded PRNG, so the demo is the same on every load. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(rand, items, weightOf) {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0);
  let roll = rand() * total;
  for (const item of items) {
    roll -= weightOf(item);
    if (roll <= 0) return item;
  }
  return items.at(-1);
}

function logNormal(rand, median, spread) {
  const u = Math.max(rand(), 1e-9);
  const v = rand();
  return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

function demoRecord(rand, n, started, choice) {
  const status = rand() < 0.025 ? "error" : rand() < 0.015 ? "aborted" : "ok";
  const prompt = Math.round(logNormal(rand, 900, 0.9)) + 20;
  const cached = rand() < 0.35 ? Math.floor(prompt * (0.3 + rand() * 0.6)) : 0;
  const cacheWrite = choice.price.cache_write && rand() < 0.15 ? Math.floor((prompt - cached) * 0.5) : 0;
  const completion = status === "error" ? 0 : Math.round(logNormal(rand, 380, 0.7)) + 5;
  const ttft = Math.round(logNormal(rand, 450, 0.5));
  const response = status === "error" ? Math.round(logNormal(rand, 600, 0.6)) : ttft + (completion / choice.speed) * 1000 * (0.7 + rand() * 0.6);
  const usage = status === "error" ? null : {
    prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, cache_write_tokens: cacheWrite },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  const cost = usage ? costFor(usage, choice.price, { estimated: status === "aborted" }) : { cost_usd: null, provenance: null };
  const responseMs = Math.round(response * 10) / 10;
  return checkRecord("demo", {
    id: `${DEMO_ID_PREFIX}${String(n).padStart(6, "0")}`,
    timestamp: isoWithOffset(started),
    thread_id: null,
    model: choice.model, provider: choice.provider, provider_model: choice.provider_model,
    prompt_preview: PROMPTS[Math.floor(rand() * PROMPTS.length)],
    usage,
    cost_usd: cost.cost_usd, cost_provenance: cost.provenance, prices: usage ? choice.price : null,
    response_ms: responseMs, ttft_ms: status === "error" ? null : ttft,
    ...speedsOf(completion, responseMs, status === "error" ? null : ttft),
    server_duration_ms: null, server_ttft_ms: null,
    status,
    error: status === "error" ? { message: "Rate limit reached for requests", type: "rate_limit_error", code: "429", status: 429 } : null,
    finish_reason: status === "ok" ? "stop" : null,
    demo: true,
  });
}

/**
 * The demo's records from `days` days before `now` up to `now`, oldest first: [{record, epoch_ms}]. Weekdays
 * are busier than weekends, usage grows a little over the period, hours follow a working day.
 */
export function demoRecords(now = new Date(), { days = DEMO_DAYS, seed = 20260101 } = {}) {
  const rand = random(seed);
  const out = [];
  const first = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (days - 1));
  for (let d = 0; d < days; d += 1) {
    const day = new Date(first.getFullYear(), first.getMonth(), first.getDate() + d);
    const weekend = day.getDay() === 0 || day.getDay() === 6;
    const perDay = (weekend ? 9 : 32) * (0.75 + 0.5 * (d / days)) * (0.7 + rand() * 0.6);
    for (let hour = 0; hour < 24; hour += 1) {
      const expected = (perDay * HOURLY[hour]) / 25;
      let count = Math.floor(expected) + (rand() < expected % 1 ? 1 : 0);
      while (count-- > 0) {
        const started = new Date(day.getFullYear(), day.getMonth(), day.getDate(), hour, Math.floor(rand() * 60), Math.floor(rand() * 60), Math.floor(rand() * 1000));
        if (started > now) continue;
        out.push({ record: demoRecord(rand, out.length, started, pick(rand, MODELS, (m) => m.weight)), epoch_ms: started.getTime() });
      }
    }
  }
  return out.sort((a, b) => a.epoch_ms - b.epoch_ms);
}
