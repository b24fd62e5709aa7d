"""/api/ledger's `since` survives a line dated in the future (issue 15): such a line waits for its time instead of
moving the position past every newer line, and a position handed out before that rule reads from the start."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tests.hostile_provider import HostileProvider
from tests.integration.test_hardening import LONG_KEY, _client, config_for


def line(request_id: str, when: datetime) -> str:
    return json.dumps({"timestamp": when.isoformat(timespec="milliseconds"), "request_id": request_id, "status": "ok",
                       "model": "echo-key", "provider": "hostile", "response_ms": 100}) + "\n"


async def pull(client, since: str | None = None) -> dict:
    response = await client.get("/api/ledger", params={"since": since} if since else {})
    assert response.status == 200
    return await response.json()


async def test_a_line_dated_in_the_far_future_never_hides_the_lines_written_after_it(tmp_path):
    now = datetime.now(timezone.utc)
    ledger = tmp_path / "usage.jsonl"
    ledger.write_text(line("before", now - timedelta(minutes=10)) + line("far-future", datetime(8999, 1, 1, tzinfo=timezone.utc))
                      + line("soon", now + timedelta(minutes=1)))
    async with HostileProvider() as hostile:
        async with _client(config_for(hostile, tmp_path, LONG_KEY)) as client:
            first = await pull(client)
            with ledger.open("a") as file:
                file.write(line("newer", datetime.now(timezone.utc) - timedelta(seconds=1)))
            second = await pull(client, first["next_since"])
            stale = await pull(client, "8999-01-01T00:00:00.100+00:00")  # a position the old rule gave out
    assert [r["request_id"] for r in first["records"]] == ["before"]
    assert first["ledger"]["warnings"] == [
        "request far-future ends at 8999-01-01T00:00:00.100+00:00, later than now: held back until then (is a clock wrong?)"]
    assert datetime.fromisoformat(first["next_since"]) <= datetime.now(timezone.utc)
    assert [r["request_id"] for r in second["records"]] == ["before", "newer"]  # `since` is inclusive
    assert [r["request_id"] for r in stale["records"]] == ["before", "newer"]


async def test_requests_the_ledger_could_not_write_are_said_in_the_ledger_state_the_pages_show(tmp_path, monkeypatch):
    """Issue 15, item 6: a full disk is said in /api/ledger's and /api/analytics/llm's ledger state, which the
    analytics pages show beside API traffic (store/ledger_sync.js), as well as in /health."""
    import errno

    from llms.ledger import writer as writer_module

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    async with HostileProvider() as hostile:
        async with _client(config_for(hostile, tmp_path, LONG_KEY)) as client:
            response = await client.post("/v1/chat/completions", json={
                "model": "echo-key", "messages": [{"role": "user", "content": "hi"}]})
            assert response.status == 200
            monkeypatch.setattr(writer_module.os, "write", full)
            response = await client.post("/v1/chat/completions", json={
                "model": "echo-key", "messages": [{"role": "user", "content": "hi"}]})
            assert response.status == 200  # served all the same
            monkeypatch.undo()
            states = [(await pull(client))["ledger"],
                      (await (await client.get("/api/analytics/llm")).json())["ledger"]]
    for state in states:
        assert state["write_errors"] == 1
        assert state["last_error"] == f"{tmp_path / 'usage.jsonl'}: No space left on device"
