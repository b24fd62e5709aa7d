"""The ledger index end to end: a real server indexes each request soon after it writes its line (its catch-up
thread, before any reader asks), /api/analytics/llm and
/health answer from the index and see a line another writer appended; a hand-edited ledger is rebuilt on the next
report; `llms --reindex` rebuilds it from the JSONL and says how many lines it read."""

import json
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone

from tests.integration.test_ledger_api import COST, get_json, sdk_requests, write_config
from tests.server_process import ROOT, ServerProcess


def llms(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llms", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def cells(ledger) -> int:
    with sqlite3.connect(ledger.with_name("usage.index.sqlite")) as db:
        return db.execute("SELECT coalesce(sum(requests), 0) FROM cells WHERE level = 0").fetchone()[0]


def cells_when_indexed(ledger, expected: int, wait_s: float = 30.0) -> int:
    """The level-0 request count once it reaches `expected` (the server indexes off the request's path), or as it
    stands after `wait_s`."""
    deadline = time.monotonic() + wait_s
    while (found := cells(ledger)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_the_server_indexes_each_request_and_answers_from_the_index_with_lines_from_another_writer(
        tmp_path, mock_provider):
    config_path, ledger = write_config(tmp_path, mock_provider)
    server = ServerProcess(config_path)
    try:
        sdk_requests(server.url)
        assert cells_when_indexed(ledger, 2) == 2  # indexed by the server itself, before anyone asked
        line = json.loads(ledger.read_text().splitlines()[0])
        line |= {"request_id": "c" * 32, "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds")}
        with ledger.open("a") as file:  # another writer's line, past the offset the index recorded
            file.write(json.dumps(line, separators=(",", ":")) + "\n")
        analytics = get_json(server.url + "/api/analytics/llm?granularity=hour&tz=Asia/Kathmandu")
        assert analytics["summary"]["totalCalls"] == 3 and analytics["summary"]["totalCostUsd"] == COST * 3
        assert analytics["ledger"]["warnings"] == []
        assert get_json(server.url + "/health")["cost_stats_24h"] == {
            "total_cost": COST * 3, "provider_costs": {"openai": COST * 3}, "requests": 3, "cost_usd": COST * 3,
            "errors": 0}
        assert cells(ledger) == 3
    finally:
        server.stop()


def test_reindex_rebuilds_from_the_jsonl_and_a_hand_edit_shows_in_the_next_report(tmp_path, mock_provider):
    config_path, ledger = write_config(tmp_path, mock_provider)
    server = ServerProcess(config_path)
    try:
        sdk_requests(server.url)
    finally:
        server.stop()
    first, second = ledger.read_text().splitlines()
    edited = json.loads(second) | {"status": "error"}
    ledger.write_text(first + "\n" + json.dumps(edited) + "\n")  # a longer file, rewritten: rebuilt on the next read
    report = llms("--report", "--config", str(config_path))
    assert report.returncode == 0, report.stderr
    assert "Requests 2 (1 errors, 0 aborted)" in report.stdout

    done = llms("--reindex", "--config", str(config_path))
    assert done.returncode == 0
    assert done.stderr == f"llms: indexed 2 ledger lines into {ledger.with_name('usage.index.sqlite')}\n"
    assert cells(ledger) == 2


def test_reindex_without_a_ledger_says_there_is_nothing_to_index(tmp_path):
    config = tmp_path / "llms.json"
    config.write_text(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}))
    done = llms("--reindex", "--config", str(config))
    assert (done.returncode, done.stderr) == (0, f"llms: {tmp_path / 'usage.jsonl'} does not exist yet: nothing to index\n")
    assert not (tmp_path / "usage.index.sqlite").exists()
