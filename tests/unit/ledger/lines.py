"""Ledger lines and recorder records for the ledger and recorder tests, built through llms/ledger/schema.py."""

import json
from pathlib import Path

from llms.config import parse_config
from llms.ledger.schema import recorder_record
from llms.ledger.writer import LedgerWriter
from llms.server.ledger_recorder import LedgerRecorder

SECRET = "sk-secret-0123456789"
PRICE = {"input": 2.0, "output": 10.0}


class Prices(dict):
    def price_for(self, provider_id, alias):
        return self.get(provider_id, {}).get(alias)


def make_config(tmp_path: Path, **ledger):
    raw = {"providers": {"openai": {"type": "openai-compatible", "base_url": "https://api.openai.com/v1",
                                    "api_key": SECRET, "headers": {"X-Secret": SECRET},
                                    "models": {"gpt-4o": "gpt-4o-2024-08-06", "mini": "gpt-4o-mini"}}},
           "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl"), **ledger}}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


def record(**overrides):
    base = {"request_id": "a" * 32, "timestamp": "2026-11-23T10:00:00.000+01:00", "client": "api", "client_app": None,
            "token": None, "ip_address": "127.0.0.1",
            "provider": "openai", "model": "openai/gpt-4o", "alias": "gpt-4o", "provider_model": "gpt-4o-2024-08-06",
            "endpoint": "/v1/chat/completions", "is_streaming": True, "status": "ok", "http_status": 200,
            "error": None, "finish_reason": "stop",
            "usage": {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200,
                      "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 50}},
            "response_ms": 812.5, "ttft_ms": 120.25,
            "messages": [{"role": "user", "content": "what is 2+2?"}], "output_text": "4", "reasoning_text": None}
    return recorder_record(**(base | overrides))


def recorder_for(tmp_path, *, prompts=False, max_bytes=10**9):
    config = make_config(tmp_path, prompts=prompts)
    writer = LedgerWriter(tmp_path / "usage.jsonl", max_bytes)
    return LedgerRecorder(config, Prices(openai={"gpt-4o": PRICE, "mini": None}), writer, prompts)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def written_line(**overrides) -> dict:
    """A line as LedgerWriter writes it, with `overrides` (dotted names reach into usage, error, prices)."""
    line = {"timestamp": "2026-11-23T10:00:00.000+01:00", "request_id": "b" * 32, "client": "api",
            "provider": "openai", "model": "gpt-4o", "provider_model": "gpt-4o-2024-08-06",
            "endpoint": "/v1/chat/completions", "is_streaming": True, "status": "ok", "error": None,
            "finish_reason": "stop", "usage": record()["usage"], "cost_usd": 0.004, "cost_provenance": "computed",
            "prices": dict(PRICE), "response_ms": 812.5, "ttft_ms": 120.25}
    for name, value in overrides.items():
        *parents, last = name.split(".")
        target = line
        for parent in parents:
            target = target[parent]
        target[last] = value
    return line
