"""Pure: one finished request as the numbers telemetry exports (`Measure`), and its GenAI semantic-convention names.

A `Measure` is built once per request from the recorder record and its price (the ledger's `priced`), and both
sinks read it: Prometheus (`prometheus.py`) and OpenTelemetry (`otel.py`). It carries no text a person wrote or a
provider answered and no key: only names, counts, times and the cost.

Names follow the OpenTelemetry GenAI semantic conventions
(https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/, now kept in
https://github.com/open-telemetry/semantic-conventions-genai, model/gen-ai/spans.yaml and metrics.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Measure", "TOKEN_KINDS", "DURATION_BUCKETS_S", "TOKEN_BUCKETS", "measure_of", "token_counts", "span_name",
           "span_attributes", "metric_attributes", "provider_name"]

# llms_tokens_total's kinds. input and output are totals (normalized usage: prompt_tokens counts cache reads and
# writes, completion_tokens counts reasoning); cached and cache_write are parts of input, reasoning a part of output.
TOKEN_KINDS = ("input", "cached", "cache_write", "output", "reasoning")
# The conventions' advised bucket boundaries for gen_ai.client.operation.duration (s) and
# gen_ai.client.token.usage ({token}): https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-metrics/
DURATION_BUCKETS_S = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
# gen_ai.provider.name's well-known values where our provider ids differ from them; any other id is used as is.
_PROVIDER_NAMES = {"gemini": "gcp.gemini", "google": "gcp.gemini", "vertex": "gcp.vertex_ai", "xai": "x_ai",
                   "mistral": "mistral_ai", "bedrock": "aws.bedrock", "azure": "azure.ai.openai"}


@dataclass(frozen=True, slots=True)
class Measure:
    request_id: str
    start_ns: int  # epoch ns of the request's start
    duration_s: float
    ttft_s: float | None
    provider: str | None  # the llms.json provider id that answered (or failed); None when none was tried
    model: str  # the alias it was priced under, as in the ledger line's `model`
    request_model: str  # as the client asked
    response_model: str | None  # the provider's model id
    status: str  # ok, error, aborted
    error_type: str | None  # the HTTP status of a failed request, "aborted" for one the client left
    client_app: str | None
    streaming: bool
    finish_reason: str | None
    tokens: dict[str, int]  # by TOKEN_KINDS; empty when there was no usage
    cost_usd: float | None
    cost_provenance: str | None


def measure_of(record: dict, model: str, usage: dict | None, cost: dict) -> Measure:
    """A recorder record and its price (ledger_recorder.priced's model, usage and cost) as a Measure."""
    status = record["status"]
    error_type = str(record["http_status"]) if status == "error" else "aborted" if status == "aborted" else None
    ttft_ms = record["ttft_ms"]
    return Measure(
        request_id=record["request_id"],
        start_ns=int(datetime.fromisoformat(record["timestamp"]).timestamp() * 1_000_000) * 1000,
        duration_s=record["response_ms"] / 1000,
        ttft_s=None if ttft_ms is None else ttft_ms / 1000,
        provider=record["provider"],
        model=model,
        request_model=record["model"],
        response_model=record["provider_model"],
        status=status,
        error_type=error_type,
        client_app=record["client_app"],
        streaming=bool(record["is_streaming"]),
        finish_reason=record["finish_reason"],
        tokens=token_counts(usage),
        cost_usd=cost["cost_usd"],
        cost_provenance=cost["provenance"],
    )


def token_counts(usage: dict | None) -> dict[str, int]:
    """Normalized usage (docs/architecture.md) → counts by TOKEN_KINDS."""
    if usage is None:
        return {}
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    return {"input": usage.get("prompt_tokens") or 0, "cached": prompt_details.get("cached_tokens") or 0,
            "cache_write": prompt_details.get("cache_write_tokens") or 0,
            "output": usage.get("completion_tokens") or 0,
            "reasoning": completion_details.get("reasoning_tokens") or 0}


def provider_name(provider: str | None) -> str:
    return _PROVIDER_NAMES.get(provider, provider) if provider else "unknown"


def span_name(measure: Measure) -> str:
    # "{gen_ai.operation.name} {gen_ai.request.model}" (gen-ai-spans.md, "Name").
    return f"chat {measure.request_model}"


def metric_attributes(measure: Measure) -> dict[str, str]:
    """The attributes every gen_ai.client.* metric point of this request carries."""
    attributes = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": provider_name(measure.provider),
                  "gen_ai.request.model": measure.request_model}
    if measure.response_model:
        attributes["gen_ai.response.model"] = measure.response_model
    if measure.error_type:
        attributes["error.type"] = measure.error_type
    return attributes


def span_attributes(measure: Measure) -> dict[str, str | int | float | bool | tuple[str, ...]]:
    """The span's attributes: the conventions' names, then ours under `llms.` (cost has no convention)."""
    attributes: dict = metric_attributes(measure)
    tokens = measure.tokens
    if tokens:
        # input_tokens includes cached input tokens (gen_ai.usage.input_tokens); the cache and reasoning parts are
        # set when non-zero ("recommended: when available and non-zero", spans.yaml attributes.gen_ai.usage.breakdown).
        attributes["gen_ai.usage.input_tokens"] = tokens["input"]
        attributes["gen_ai.usage.output_tokens"] = tokens["output"]
        for kind, name in (("cached", "gen_ai.usage.cache_read.input_tokens"),
                           ("cache_write", "gen_ai.usage.cache_creation.input_tokens"),
                           ("reasoning", "gen_ai.usage.reasoning.output_tokens")):
            if tokens[kind]:
                attributes[name] = tokens[kind]
    if measure.finish_reason:
        attributes["gen_ai.response.finish_reasons"] = (measure.finish_reason,)
    if measure.ttft_s is not None:
        attributes["gen_ai.response.time_to_first_chunk"] = measure.ttft_s
    attributes["llms.request_id"] = measure.request_id
    attributes["llms.provider"] = measure.provider or ""
    attributes["llms.model"] = measure.model
    attributes["llms.status"] = measure.status
    attributes["llms.streaming"] = measure.streaming
    if measure.client_app:
        attributes["llms.client_app"] = measure.client_app
    if measure.cost_usd is not None:
        attributes["llms.cost_usd"] = measure.cost_usd
    if measure.cost_provenance:
        attributes["llms.cost_provenance"] = measure.cost_provenance
    return attributes
