"""`llms --models`: prices per 1M tokens, and with the ledger on the 30-day cost, requests and tokens of each model,
counted from the ledger (figures worked out by hand)."""

import io
import json
from datetime import datetime, timedelta, timezone

from llms.commands.models import print_models
from llms.config import parse_config

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def config(tmp_path, ledger: bool):
    raw = {"providers": {"openai": {"type": "openai-compatible", "base_url": "https://api.openai.com/v1",
                                    "api_key": "sk-test-key", "models": {"gpt-4o": "gpt-4o-2024-08-06", "mini": "m"},
                                    "pricing": {"gpt-4o": {"input": 2.5, "output": 10}}}},
           "ledger": {"enabled": ledger, "path": str(tmp_path / "usage.jsonl")}}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


def line(request_id: str, days_ago: float, model: str, prompt: int, completion: int, cost: float | None) -> str:
    return json.dumps({"timestamp": (NOW - timedelta(days=days_ago)).isoformat(timespec="milliseconds"),
                       "request_id": request_id, "status": "ok", "model": model, "provider": "openai",
                       "usage": {"prompt_tokens": prompt, "completion_tokens": completion},
                       "cost_usd": cost, "cost_provenance": "computed" if cost is not None else "unpriced"}) + "\n"


def rows(text: str) -> dict[str, str]:
    return {row.split()[0]: row for row in text.splitlines() if row.startswith("  ")}


def test_with_the_ledger_on_each_model_shows_its_last_30_days(tmp_path):
    (tmp_path / "usage.jsonl").write_text(
        line("a", 10, "gpt-4o", 1000, 200, 0.004) + line("b", 2, "gpt-4o", 500, 100, 0.0025)
        + line("old", 40, "gpt-4o", 9000, 9000, 1.0)  # before the 30 days: not counted
        + line("c", 1, "mini", 10, 20, None))
    out, err = io.StringIO(), io.StringIO()
    assert print_models(config(tmp_path, True), out, err, now=NOW) == 0
    got = rows(out.getvalue())
    # gpt-4o: $0.004 + $0.0025, 2 requests, 1,200 + 600 tokens; mini: unpriced, 1 request, 30 tokens
    assert got["gpt-4o"].endswith("  cost_30d $0.0065  requests_30d 2  tokens_30d 1,800")
    assert got["mini"].endswith("  cost_30d       —  requests_30d 1  tokens_30d    30")
    assert "$2.50" in got["gpt-4o"] and err.getvalue() == ""


def test_a_model_the_ledger_never_saw_shows_zeros(tmp_path):
    (tmp_path / "usage.jsonl").write_text(line("a", 1, "gpt-4o", 10, 5, 0.0001))
    out = io.StringIO()
    print_models(config(tmp_path, True), out, io.StringIO(), now=NOW)
    assert rows(out.getvalue())["mini"].endswith("cost_30d   $0.00  requests_30d 0  tokens_30d  0")


def test_with_the_ledger_off_there_are_no_30_day_columns(tmp_path):
    out = io.StringIO()
    print_models(config(tmp_path, False), out, io.StringIO(), now=NOW)
    assert "30d" not in out.getvalue() and "$2.50" in rows(out.getvalue())["gpt-4o"]
