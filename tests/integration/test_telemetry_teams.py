"""docs/teams.md's DuckDB query, run as written with the duckdb package on the ledgers of two real servers (two
"machines"), gives the requests, tokens and cost the ledger lines hold."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import duckdb
import openai
import pytest

from tests.conftest import MOCK_KEY_ENV, mock_config
from tests.server_process import ROOT, ServerProcess

MESSAGES = [{"role": "user", "content": "Say hello"}]
# machine → the models its requests ask for
WORK = {"alice": ["shape-openai", "shape-openai", "fault-500"], "ci": ["shape-anthropic", "gpt-4o-mini"]}


def documented_query() -> str:
    text = (ROOT / "docs" / "teams.md").read_text()
    (query,) = re.findall(r"```sql\n(.*?)```", text, re.S)
    return query


@pytest.fixture(scope="module")
def ledgers(mock_provider, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("team")
    for machine, models in WORK.items():
        ledger = folder / "ledgers" / machine / "usage.jsonl"
        config = mock_config(mock_provider) | {"ledger": {"enabled": True, "path": str(ledger)}}
        (folder / f"{machine}.json").write_text(json.dumps(config))
        server = ServerProcess(folder / f"{machine}.json", env=MOCK_KEY_ENV)
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0, timeout=20)
        try:
            for model in models:
                try:
                    client.chat.completions.create(model=model, messages=MESSAGES, stream=model == "shape-anthropic")
                except openai.InternalServerError:
                    assert model == "fault-500"
        finally:
            server.stop()
    return folder


def test_the_documented_query_sums_each_machines_ledger(ledgers):
    previous = os.getcwd()
    os.chdir(ledgers)  # the query reads ledgers/*/usage.jsonl* from the folder above them, as the doc says
    try:
        result = duckdb.sql(documented_query())
        columns = result.columns
        rows = [dict(zip(columns, row)) for row in result.fetchall()]
    finally:
        os.chdir(previous)
    expected = []
    for machine in sorted(WORK):
        lines = [json.loads(line) for line in (ledgers / "ledgers" / machine / "usage.jsonl").read_text().splitlines()]
        for provider, model in sorted({(line["provider"], line["model"]) for line in lines}):
            mine = [line for line in lines if (line["provider"], line["model"]) == (provider, model)]
            known = [line["cost_usd"] for line in mine if line["cost_usd"] is not None]
            counted = [line for line in mine if line["usage"]]
            expected.append({
                "machine": machine, "provider": provider, "model": model, "requests": len(mine),
                "errors": sum(1 for line in mine if line["status"] == "error"),
                "input_tokens": sum(line["input_tokens"] for line in counted) if counted else None,
                "output_tokens": sum(line["output_tokens"] for line in counted) if counted else None,
                "cached_tokens": sum(line["usage"]["prompt_tokens_details"]["cached_tokens"]
                                     for line in counted) if counted else None,
                "cost_usd": round(sum(known), 6) if known else None})
    assert rows == expected
    # And by hand for one row: two shape-openai answers of 1200 in (1000 cached), 340 out, $0.003775 each.
    assert rows[1] == {"machine": "alice", "provider": "openai", "model": "shape-openai", "requests": 2,
                       "errors": 0, "input_tokens": 2400, "output_tokens": 680, "cached_tokens": 2000,
                       "cost_usd": 0.00755}
    assert [row["machine"] for row in rows] == ["alice", "alice", "ci", "ci"]
