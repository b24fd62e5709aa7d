// Pure: the files "Export" writes and "Import" reads (docs/architecture.md, "Export and import files").
// Import validates a whole file before anything is written: a file is refused with a message naming the first
// thing wrong (`requests[12].timestamp: …`), and a record is rebuilt from the fields we know, never copied.
// Reads our own files and llms.py's (its request and thread exports), and turns ledger lines into records.
import { isoWithOffset, requestKey } from "./keys.js";
import { PROVENANCES } from "./pricing.js";
import { tokensPerSecond, generationTokensPerSecond } from "./metrics.js";
import { PROMPT_PREVIEW_CHARS } from "./record.js";
import { emptyCounters } from "./rollup.js";

export const SOURCE = "llms";
export const FORMAT_VERSION = 1;
export const LLMSPY_SOURCE = "llmspy";
export const MAX_IMPORT_BYTES = 400 * 1024 * 1024; // a JS string holds ~500M characters; stay well below
export const MAX_RECORDS = 2_000_000;
export const MAX_THREADS = 200_000;
export const MAX_TEXT_CHARS = 2_000_000; // one message's content
export const COST_PROVENANCES = [...PROVENANCES, "imported"];
export const STATUSES = ["ok", "error", "aborted"];

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const TOKEN_FIELDS = ["prompt_tokens", "completion_tokens", "total_tokens"];
const PROMPT_DETAILS = ["cached_tokens", "cache_write_tokens", "cache_write_1h_tokens"];
const COMPLETION_DETAILS = ["reasoning_tokens"];
const PRICE_FIELDS = ["input", "output", "cached_input", "cache_write", "cache_write_1h"];

/** A file we refuse; the message says what is wrong and where. */
export class ImportError extends Error {}

// ---- checking values: each returns the clean value or throws ImportError naming `at` ----

const shown = (value) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}…` : text;
};
const fail = (at, expected, value) => { throw new ImportError(`${at}: expected ${expected}, got ${shown(value)}`); };

function object(at, value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(at, "an object", value);
  return value;
}

function array(at, value, max) {
  if (!Array.isArray(value)) fail(at, "a list", value);
  if (value.length > max) throw new ImportError(`${at}: holds ${value.length.toLocaleString("en-US")} entries; at most ${max.toLocaleString("en-US")} can be imported at once`);
  return value;
}

function text(at, value, { max = 10_000, nullable = false } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== "string") fail(at, nullable ? "a text or null" : "a text", value);
  if (value.length > max) throw new ImportError(`${at}: ${value.length.toLocaleString("en-US")} characters; at most ${max.toLocaleString("en-US")}`);
  return value;
}

function id(at, value) {
  const idText = typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
  if (typeof idText !== "string" || !ID.test(idText)) fail(at, "an id of letters, digits and _.:@- (at most 128)", value);
  return idText;
}

function number(at, value, { nullable = false, integer = false } = {}) {
  if (nullable && (value === null || value === undefined)) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    fail(at, `${integer ? "a whole number" : "a number"} ≥ 0${nullable ? " or null" : ""}`, value);
  }
  return value;
}

function oneOf(at, value, allowed) {
  if (!allowed.includes(value)) fail(at, `one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`, value);
  return value;
}

function timestamp(at, value) {
  if (typeof value !== "string" || !ISO_WITH_OFFSET.test(value) || !Number.isFinite(Date.parse(value))) {
    fail(at, "an ISO 8601 time with its offset like 2026-05-14T09:30:12.345+02:00", value);
  }
  return value;
}

function usage(at, value) {
  if (value === null || value === undefined) return null;
  object(at, value);
  const out = {};
  for (const field of TOKEN_FIELDS) {
    if (value[field] !== undefined) out[field] = number(`${at}.${field}`, value[field], { integer: true });
  }
  if (out.prompt_tokens === undefined || out.completion_tokens === undefined) {
    throw new ImportError(`${at}: expected prompt_tokens and completion_tokens`);
  }
  out.total_tokens ??= out.prompt_tokens + out.completion_tokens;
  const details = (name, fields) => {
    if (value[name] === undefined || value[name] === null) return;
    object(`${at}.${name}`, value[name]);
    out[name] = {};
    for (const field of fields) {
      const n = value[name][field];
      if (n !== undefined && n !== null) out[name][field] = number(`${at}.${name}.${field}`, n, { integer: true });
    }
  };
  details("prompt_tokens_details", PROMPT_DETAILS);
  details("completion_tokens_details", COMPLETION_DETAILS);
  if (value.cost !== undefined) out.cost = number(`${at}.cost`, value.cost);
  return out;
}

function prices(at, value) {
  if (value === null || value === undefined) return null;
  object(at, value);
  const out = {};
  for (const field of PRICE_FIELDS) {
    const price = value[field];
    if (price === undefined || price === null) continue;
    if (typeof price !== "number" || !Number.isFinite(price) || (price < 0 && price !== -1)) fail(`${at}.${field}`, "a price ≥ 0 (or -1: variable)", price);
    out[field] = price;
  }
  if (value.tiers !== undefined) {
    out.tiers = array(`${at}.tiers`, value.tiers, 20).map((tier, i) => ({
      above: number(`${at}.tiers[${i}].above`, object(`${at}.tiers[${i}]`, tier).above),
      ...prices(`${at}.tiers[${i}]`, { ...tier, tiers: undefined }),
    }));
  }
  return out;
}

function requestError(at, value) {
  if (value === null || value === undefined) return null;
  object(at, value);
  return {
    message: text(`${at}.message`, value.message ?? "", { max: 10_000 }),
    type: text(`${at}.type`, value.type, { nullable: true, max: 200 }),
    code: value.code === null || value.code === undefined ? null : String(value.code).slice(0, 200),
    status: number(`${at}.status`, value.status, { nullable: true, integer: true }),
  };
}

/** One of our request records, rebuilt from the fields we know. */
export function checkRecord(at, value) {
  object(at, value);
  const record = {
    id: id(`${at}.id`, value.id),
    timestamp: timestamp(`${at}.timestamp`, value.timestamp),
    thread_id: value.thread_id === null || value.thread_id === undefined ? null : id(`${at}.thread_id`, value.thread_id),
    model: text(`${at}.model`, value.model, { max: 200 }),
    provider: text(`${at}.provider`, value.provider, { nullable: true, max: 200 }),
    provider_model: text(`${at}.provider_model`, value.provider_model, { nullable: true, max: 300 }),
    prompt_preview: text(`${at}.prompt_preview`, value.prompt_preview ?? "", { max: 100_000 }).slice(0, PROMPT_PREVIEW_CHARS),
    usage: usage(`${at}.usage`, value.usage),
    cost_usd: number(`${at}.cost_usd`, value.cost_usd, { nullable: true }),
    cost_provenance: value.cost_provenance === null || value.cost_provenance === undefined
      ? null : oneOf(`${at}.cost_provenance`, value.cost_provenance, COST_PROVENANCES),
    prices: prices(`${at}.prices`, value.prices),
    response_ms: number(`${at}.response_ms`, value.response_ms, { nullable: true }),
    ttft_ms: number(`${at}.ttft_ms`, value.ttft_ms, { nullable: true }),
    tokens_per_s: number(`${at}.tokens_per_s`, value.tokens_per_s, { nullable: true }),
    generation_tokens_per_s: number(`${at}.generation_tokens_per_s`, value.generation_tokens_per_s, { nullable: true }),
    server_duration_ms: number(`${at}.server_duration_ms`, value.server_duration_ms, { nullable: true }),
    server_ttft_ms: number(`${at}.server_ttft_ms`, value.server_ttft_ms, { nullable: true }),
    status: oneOf(`${at}.status`, value.status, STATUSES),
    error: requestError(`${at}.error`, value.error),
    finish_reason: text(`${at}.finish_reason`, value.finish_reason, { nullable: true, max: 100 }),
  };
  if (value.client !== undefined && value.client !== null) record.client = text(`${at}.client`, value.client, { max: 200 });
  if (value.token !== undefined && value.token !== null) record.token = text(`${at}.token`, value.token, { max: 200 });
  if (value.endpoint !== undefined && value.endpoint !== null) record.endpoint = text(`${at}.endpoint`, value.endpoint, { max: 200 });
  if (value.demo === true) record.demo = true;
  return record;
}

// ---- llms.py ----

/** llms.py prices are USD per token as text ("0.0000025"); ours are USD per 1M tokens, without float noise. */
export function perMillion(at, value) {
  if (value === null || value === undefined || value === "") return null;
  const perToken = typeof value === "string" ? Number(value) : value;
  if (typeof perToken !== "number" || !Number.isFinite(perToken) || perToken < 0) fail(at, "a price per token like \"0.0000025\"", value);
  return Number((perToken * 1_000_000).toPrecision(12));
}

/** A time llms.py wrote: unix seconds, epoch ms, or an ISO text; → epoch ms. */
function llmspyTime(at, value) {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return Math.round(value < 1e11 ? value * 1000 : value);
  if (typeof value === "string" && Number.isFinite(Date.parse(value))) return Date.parse(value);
  return fail(at, "unix seconds or an ISO 8601 time", value);
}

/** One llms.py request (its Activity log's record) as ours; its cost is kept as reported, provenance "imported". */
export function fromLlmspyRequest(at, value) {
  object(at, value);
  const epochMs = llmspyTime(`${at}.created`, value.created);
  const input = number(`${at}.inputTokens`, value.inputTokens ?? 0, { integer: true });
  const output = number(`${at}.outputTokens`, value.outputTokens ?? 0, { integer: true });
  const cached = number(`${at}.inputCachedTokens`, value.inputCachedTokens ?? 0, { integer: true });
  const total = number(`${at}.totalTokens`, value.totalTokens ?? input + output, { integer: true });
  const cost = value.cost === null || value.cost === undefined || value.cost === "" ? null : Number(value.cost);
  if (cost !== null && (!Number.isFinite(cost) || cost < 0)) fail(`${at}.cost`, "a cost in USD ≥ 0", value.cost);
  const inputPrice = perMillion(`${at}.inputPrice`, value.inputPrice);
  const outputPrice = perMillion(`${at}.outputPrice`, value.outputPrice);
  const duration = number(`${at}.duration`, value.duration, { nullable: true });
  const finish = text(`${at}.finishReason`, value.finishReason, { nullable: true, max: 100 });
  return {
    id: id(`${at}.id`, value.id),
    timestamp: isoWithOffset(new Date(epochMs)),
    thread_id: value.threadId === null || value.threadId === undefined ? null : id(`${at}.threadId`, value.threadId),
    model: text(`${at}.model`, value.model, { max: 200 }),
    provider: text(`${at}.provider`, value.provider, { nullable: true, max: 200 }),
    provider_model: text(`${at}.providerModel`, value.providerModel, { nullable: true, max: 300 }),
    prompt_preview: text(`${at}.title`, value.title ?? "", { max: 100_000 }).slice(0, PROMPT_PREVIEW_CHARS),
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: total, prompt_tokens_details: { cached_tokens: cached } },
    cost_usd: cost,
    cost_provenance: cost === null ? "unpriced" : "imported",
    prices: inputPrice === null && outputPrice === null ? null : { input: inputPrice, output: outputPrice },
    response_ms: duration,
    ttft_ms: null,
    tokens_per_s: tokensPerSecond(output, duration),
    generation_tokens_per_s: null,
    server_duration_ms: null,
    server_ttft_ms: null,
    status: finish === "error" ? "error" : "ok",
    error: null,
    finish_reason: finish,
  };
}

/** llms.py message content: a text, or OpenAI content parts whose text parts are kept. */
function llmspyContent(at, value) {
  if (typeof value === "string") return text(at, value, { max: MAX_TEXT_CHARS });
  if (value === null || value === undefined) return "";
  return array(at, value, 1000).map((part, i) => {
    object(`${at}[${i}]`, part);
    return part.type === "text" ? text(`${at}[${i}].text`, part.text, { max: MAX_TEXT_CHARS }) : `[${String(part.type).slice(0, 40)}]`;
  }).join("\n");
}

/** One llms.py thread as ours: {thread, messages}; system and tool messages are counted in `skipped`. */
export function fromLlmspyThread(at, value) {
  object(at, value);
  const threadId = id(`${at}.id`, value.id);
  const created = new Date(llmspyTime(`${at}.createdAt`, value.createdAt)).toISOString();
  const updated = value.updatedAt === undefined ? created : new Date(llmspyTime(`${at}.updatedAt`, value.updatedAt)).toISOString();
  const messages = [];
  let skipped = 0;
  array(`${at}.messages`, value.messages ?? [], 100_000).forEach((message, i) => {
    object(`${at}.messages[${i}]`, message);
    if (message.role !== "user" && message.role !== "assistant") {
      skipped += 1;
      return;
    }
    messages.push({
      id: `${threadId}-${i}`, thread_id: threadId, seq: messages.length, role: message.role,
      content: llmspyContent(`${at}.messages[${i}].content`, message.content), created_at: created,
      ...(message.role === "assistant" ? { status: "ok", error: null } : {}),
    });
  });
  const thread = {
    id: threadId, title: text(`${at}.title`, value.title ?? "Imported chat", { max: 1000 }) || "Imported chat",
    created_at: created, updated_at: updated, model: text(`${at}.model`, value.model ?? "", { max: 300 }),
    next_seq: messages.length, totals: emptyCounters(),
  };
  const systemPrompt = text(`${at}.systemPrompt`, value.systemPrompt, { nullable: true, max: MAX_TEXT_CHARS });
  if (systemPrompt) thread.system_prompt = systemPrompt;
  return { thread, messages, skipped };
}

// ---- our threads ----

function checkMessage(at, value, threadId) {
  object(at, value);
  const message = {
    id: id(`${at}.id`, value.id), thread_id: threadId, seq: number(`${at}.seq`, value.seq, { integer: true }),
    role: oneOf(`${at}.role`, value.role, ["user", "assistant"]),
    content: text(`${at}.content`, value.content ?? "", { max: MAX_TEXT_CHARS }),
    created_at: timestamp(`${at}.created_at`, value.created_at),
  };
  if (value.request_key !== undefined && value.request_key !== null) {
    message.request_key = text(`${at}.request_key`, value.request_key, { max: 200 });
    if (!/^req:\d{13}:/.test(message.request_key)) fail(`${at}.request_key`, "a request key like req:1747207812345:<id>", value.request_key);
  }
  if (value.status !== undefined && value.status !== null) message.status = oneOf(`${at}.status`, value.status, STATUSES);
  if (value.error !== undefined) message.error = requestError(`${at}.error`, value.error);
  if (value.reasoning) message.reasoning = text(`${at}.reasoning`, value.reasoning, { max: MAX_TEXT_CHARS });
  return message;
}

function checkThread(at, value) {
  object(at, value);
  const threadId = id(`${at}.id`, value.id);
  const messages = array(`${at}.messages`, value.messages ?? [], 100_000).map((m, i) => checkMessage(`${at}.messages[${i}]`, m, threadId));
  const seqs = new Set();
  for (const [i, m] of messages.entries()) {
    if (seqs.has(m.seq)) throw new ImportError(`${at}.messages[${i}].seq: ${m.seq} appears twice in this thread`);
    seqs.add(m.seq);
  }
  const totals = { ...emptyCounters() };
  object(`${at}.totals`, value.totals ?? {});
  for (const name of Object.keys(totals)) totals[name] = number(`${at}.totals.${name}`, value.totals?.[name] ?? 0);
  const thread = {
    id: threadId, title: text(`${at}.title`, value.title, { max: 1000 }),
    created_at: timestamp(`${at}.created_at`, value.created_at), updated_at: timestamp(`${at}.updated_at`, value.updated_at),
    model: text(`${at}.model`, value.model ?? "", { max: 300 }),
    next_seq: Math.max(number(`${at}.next_seq`, value.next_seq ?? 0, { integer: true }), ...messages.map((m) => m.seq + 1)),
    totals,
  };
  if (value.system_prompt) thread.system_prompt = text(`${at}.system_prompt`, value.system_prompt, { max: MAX_TEXT_CHARS });
  return { thread, messages, skipped: 0 };
}

// ---- files ----

/** JSON.parse with a message a person can act on. */
export function parseJson(fileText, byteSize = fileText.length) {
  if (byteSize > MAX_IMPORT_BYTES) {
    throw new ImportError(`the file is ${(byteSize / 1024 / 1024).toFixed(0)} MB; at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB can be imported at once`);
  }
  if (!fileText.trim()) throw new ImportError("the file is empty");
  try {
    return JSON.parse(fileText);
  } catch (error) {
    const truncated = /end of JSON|Unterminated|Expected/.test(error.message) && !/[}\]]\s*$/.test(fileText);
    throw new ImportError(`not valid JSON${truncated ? " (the file looks cut short)" : ""}: ${error.message}`);
  }
}

function checkCount(doc, field, list, noun) {
  if (doc[field] === undefined) return;
  if (doc[field] !== list.length) {
    throw new ImportError(`${field} says ${shown(doc[field])} ${noun} but the file holds ${list.length}: it is incomplete or was edited`);
  }
}

function unique(items, idOf, noun) {
  const seen = new Set();
  return items.filter((item, i) => {
    const itemId = idOf(item);
    if (seen.has(itemId)) throw new ImportError(`${noun}[${i}].id: ${shown(itemId)} appears twice in the file`);
    seen.add(itemId);
    return true;
  });
}

/**
 * A parsed file → {kind: "requests"|"threads", source: "llms"|"llmspy", requests?, threads?, skipped}; throws
 * ImportError on anything we cannot read exactly. Requests come sorted by time with their `epoch_ms`.
 */
export function readImport(doc) {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ImportError("not an llms or llms.py export: expected a JSON object with \"requests\" or \"threads\"");
  }
  const source = doc.source;
  if (source !== SOURCE && source !== LLMSPY_SOURCE) {
    throw new ImportError(`source: expected "${SOURCE}" (this app) or "${LLMSPY_SOURCE}" (llms.py), got ${shown(source)}`);
  }
  if (source === SOURCE && doc.version !== FORMAT_VERSION) {
    throw new ImportError(`version: this app reads format version ${FORMAT_VERSION}, the file has ${shown(doc.version)}`);
  }
  const hasRequests = doc.requests !== undefined;
  const hasThreads = doc.threads !== undefined;
  if (hasRequests === hasThreads) throw new ImportError("expected either \"requests\" or \"threads\" in the file");
  if (hasRequests) {
    const list = array("requests", doc.requests, MAX_RECORDS);
    checkCount(doc, source === SOURCE ? "count" : "requestsCount", list, "requests");
    const check = source === SOURCE ? checkRecord : fromLlmspyRequest;
    const requests = unique(list.map((r, i) => check(`requests[${i}]`, r)), (r) => r.id, "requests")
      .map((record) => ({ record, epoch_ms: Date.parse(record.timestamp) }))
      .sort((a, b) => a.epoch_ms - b.epoch_ms);
    return { kind: "requests", source, requests, skipped: 0 };
  }
  const list = array("threads", doc.threads, MAX_THREADS);
  checkCount(doc, source === SOURCE ? "count" : "threadCount", list, "threads");
  const check = source === SOURCE ? checkThread : fromLlmspyThread;
  const threads = unique(list.map((t, i) => check(`threads[${i}]`, t)), (t) => t.thread.id, "threads");
  return { kind: "threads", source, threads, skipped: threads.reduce((n, t) => n + t.skipped, 0) };
}

/** The store key of an imported record (the same rule as a recorded one). */
export function keyOf({ record, epoch_ms }) {
  return requestKey(epoch_ms, record.id);
}

// ---- export ----

function header(kind, count, now) {
  return { source: SOURCE, kind, version: FORMAT_VERSION, exported_at: isoWithOffset(now), count };
}

/** The text of a request-log export, as parts for a Blob (a million records never make one string). */
export function requestsFileParts(records, now = new Date()) {
  const head = JSON.stringify(header("requests", records.length, now));
  const parts = [`${head.slice(0, -1)},"requests":[\n`];
  records.forEach((record, i) => parts.push(`${i ? ",\n" : ""}${JSON.stringify(record)}`));
  parts.push("\n]}\n");
  return parts;
}

/** The text of a chat export: threads with their messages. */
export function threadsFileParts(threads, now = new Date()) {
  const head = JSON.stringify(header("threads", threads.length, now));
  const parts = [`${head.slice(0, -1)},"threads":[\n`];
  threads.forEach(({ thread, messages }, i) => parts.push(`${i ? ",\n" : ""}${JSON.stringify({ ...thread, messages })}`));
  parts.push("\n]}\n");
  return parts;
}

export const CSV_COLUMNS = [
  "timestamp", "model", "provider", "provider_model", "prompt_preview", "input_tokens", "output_tokens",
  "cached_tokens", "cache_write_tokens", "reasoning_tokens", "cost_usd", "cost_provenance", "response_ms",
  "ttft_ms", "tokens_per_s", "status", "error", "finish_reason", "id",
];

function csvCell(value) {
  if (value === null || value === undefined) return "";
  const cell = String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(cell) && typeof value !== "number" ? `'${cell}` : cell;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Request records as CSV rows (RFC 4180, CRLF), one header row first. */
export function recordsCsv(records) {
  const rows = [CSV_COLUMNS.join(",")];
  for (const r of records) {
    const p = r.usage?.prompt_tokens_details ?? {};
    const values = {
      ...r, input_tokens: r.usage?.prompt_tokens, output_tokens: r.usage?.completion_tokens, cached_tokens: p.cached_tokens,
      cache_write_tokens: p.cache_write_tokens, reasoning_tokens: r.usage?.completion_tokens_details?.reasoning_tokens,
      error: r.error?.message,
    };
    rows.push(CSV_COLUMNS.map((column) => csvCell(values[column])).join(","));
  }
  return `${rows.join("\r\n")}\r\n`;
}

// ---- the ledger (GET /api/ledger) ----

/** A ledger line as a store record: id = request_id, so the same request is never stored twice. */
export function fromLedger(at, line) {
  object(at, line);
  const lastUser = Array.isArray(line.messages) ? [...line.messages].reverse().find((m) => m?.role === "user") : null;
  // Only the preview is kept: shorten first, so one long pasted prompt never fails the whole pull.
  const preview = typeof lastUser?.content === "string" ? lastUser.content.slice(0, PROMPT_PREVIEW_CHARS) : "";
  const completion = line.usage?.completion_tokens ?? 0;
  return checkRecord(at, {
    ...line, id: line.request_id, thread_id: null, prompt_preview: preview,
    tokens_per_s: tokensPerSecond(completion, line.response_ms),
    generation_tokens_per_s: generationTokensPerSecond(completion, line.response_ms, line.ttft_ms),
    server_duration_ms: line.response_ms ?? null, server_ttft_ms: line.ttft_ms ?? null,
  });
}
