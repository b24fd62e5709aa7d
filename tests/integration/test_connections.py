"""The served app's connections (llms.server.app.serve, on 127.0.0.1): half-open connections are timed out and
shed at the cap while /health keeps answering, a client leaving mid-stream is no traceback, and a port in use is
one clear line and exit 2."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from llms.config import parse_config
from llms.server.access import ServerSettings
from llms.server.app import create_app, serve
from llms.server.connections import Limits
from llms.server.keys import CONNECTIONS
from tests.mock_provider import KEYS, Reply
from tests.server_process import ROOT, free_port

HALF_OPEN = 50
CAP = 10
SLOW_MODEL = "hardening-slow-stream"


def config_for(tmp_path: Path, base_url: str = "http://127.0.0.1:1/v1", read_timeout_s: float = 10):
    raw = {"defaults": {"read_timeout_s": read_timeout_s},
           "providers": {"openai": {"type": "openai-compatible", "base_url": base_url, "api_key": KEYS["openai"],
                                    "models": {"slow": SLOW_MODEL}, "pricing": {"slow": {"input": 1, "output": 2}}}},
           "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


def llms_command(tmp_path: Path, *args: str) -> tuple[list[str], dict]:
    """`python -m llms ARGS` and its environment: no LLMS_* variables, HOME in tmp_path."""
    return [sys.executable, "-m", "llms", *args], {"HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def run_llms(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command, env = llms_command(tmp_path, *args)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30, env=env)


@asynccontextmanager
async def served(config, limits: Limits):
    port = free_port()
    app = create_app(config, ServerSettings("127.0.0.1", port))
    stop, listening = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(app, ServerSettings("127.0.0.1", port), limits, stop, listening.set))
    await asyncio.wait_for(listening.wait(), timeout=10)
    try:
        yield port, app
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def half_open(port: int) -> asyncio.StreamWriter:
    """A connection that starts its request head and never finishes it."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode())
    await writer.drain()
    return writer


async def test_fifty_half_open_connections_over_a_cap_of_ten_leave_health_answering(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    async with served(config_for(tmp_path), Limits(header_timeout_s=30, keepalive_s=30, max_connections=CAP)) as (port, app):
        writers = [await half_open(port) for _ in range(HALF_OPEN)]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/health", timeout=aiohttp.ClientTimeout(total=5)) as response:
                assert response.status == 200 and (await response.json())["status"] == "healthy"
        assert app[CONNECTIONS].open_count <= CAP
        for writer in writers:
            writer.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "llms.server"]
    assert warnings == [f"overloaded: 1 connection(s) closed to stay within {CAP} open (slow or idle clients)"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_connection_that_never_finishes_its_headers_is_closed_after_the_header_timeout(tmp_path):
    async with served(config_for(tmp_path), Limits(header_timeout_s=0.3, keepalive_s=0.3)) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), timeout=5) == b""  # closed by the server, unanswered
        writer.close()


async def test_a_whole_request_head_in_before_the_header_timeout_is_answered_though_the_loop_runs_late(tmp_path):
    """A busy machine: the request is in before the header timeout, the loop gets to it only after."""
    async with served(config_for(tmp_path), Limits(header_timeout_s=0.3, keepalive_s=0.3)) as (port, app):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while app[CONNECTIONS].open_count < 1:  # accepted: the header timer runs
            await asyncio.sleep(0.01)
        writer.write(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        time.sleep(0.6)  # the loop is held past the timeout with the request waiting to be read
        answer = await asyncio.wait_for(reader.read(), timeout=5)
        writer.close()
    assert answer.startswith(b"HTTP/1.1 200 OK")


async def test_a_body_that_does_not_arrive_in_time_is_a_408(tmp_path):
    async with served(config_for(tmp_path), Limits(body_timeout_s=0.3)) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 100\r\n"
                     f"Content-Type: application/json\r\n\r\n{{\"model\"".encode())
        await writer.drain()
        answer = await asyncio.wait_for(reader.readuntil(b"}}"), timeout=5)  # the error body's end
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"]["message"] == \
        "the request body did not arrive within 0.3s"


async def test_a_request_line_aiohttp_cannot_parse_is_a_400_without_a_traceback(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with served(config_for(tmp_path), Limits()) as (port, _):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /api/ledger?limit=² HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        await writer.drain()
        assert (await asyncio.wait_for(reader.read(), timeout=5)).startswith(b"HTTP/1.0 400 Bad Request")
        writer.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


async def test_a_client_leaving_mid_stream_is_recorded_as_aborted_without_a_traceback(tmp_path, caplog,
                                                                                        mock_provider):
    mock_provider.set_model(SLOW_MODEL, Reply(text="one two three four five six", chunk_delay_s=0.2))
    caplog.set_level(logging.DEBUG)
    async with served(config_for(tmp_path, mock_provider.url("openai")), Limits()) as (port, _):
        async with aiohttp.ClientSession() as session:
            response = await session.post(f"http://127.0.0.1:{port}/v1/chat/completions", json={
                "model": "slow", "stream": True, "messages": [{"role": "user", "content": "hi"}]})
            assert (await response.content.readline()).startswith(b"data: ")
            response.close()  # Stop: the connection goes away mid-answer
        for _ in range(100):  # the server notices at its next write, a chunk later
            if (tmp_path / "usage.jsonl").exists():
                break
            await asyncio.sleep(0.05)
    [line] = [json.loads(text) for text in (tmp_path / "usage.jsonl").read_text().splitlines()]
    assert line["status"] == "aborted"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]


@pytest.mark.parametrize("stream, silence", [(False, "delay_s"), (True, "delay_s"), (True, "chunk_delay_s")])
async def test_a_client_leaving_during_upstream_silence_is_recorded_as_aborted_within_a_second(tmp_path, mock_provider,
                                                                                            stream, silence):
    mock_provider.set_model(SLOW_MODEL, Reply(text="one two", **{silence: 20}))  # far past the test's patience
    async with served(config_for(tmp_path, mock_provider.url("openai"), read_timeout_s=30), Limits()) as (port, _):
        async with aiohttp.ClientSession() as session:
            response = asyncio.create_task(session.post(f"http://127.0.0.1:{port}/v1/chat/completions", json={
                "model": "slow", "stream": stream, "messages": [{"role": "user", "content": "hi"}]}))
            await asyncio.sleep(0.5)  # the request is upstream, waiting
            if response.done():
                (await response).close()
            else:
                response.cancel()
        left = asyncio.get_running_loop().time()
        ledger = tmp_path / "usage.jsonl"
        while not (ledger.exists() and ledger.stat().st_size) and asyncio.get_running_loop().time() - left < 5:
            await asyncio.sleep(0.05)
        recorded_after_s = asyncio.get_running_loop().time() - left
    [line] = [json.loads(text) for text in (tmp_path / "usage.jsonl").read_text().splitlines()]
    assert line["status"] == "aborted" and line["error"]["message"] == "the client closed the connection"
    assert recorded_after_s < 1


def test_a_port_in_use_is_one_clear_line_and_exit_2_before_the_url_is_printed(tmp_path):
    config = tmp_path / "llms.json"
    config.write_text(json.dumps({"providers": {}}))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_llms(tmp_path, "--serve", str(port), "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip() == f"llms: port {port} is in use: pick another with --serve PORT"
    assert result.stdout == ""


def test_a_ledger_that_cannot_be_written_is_said_at_start_with_exit_2(tmp_path):
    (tmp_path / "usage.jsonl").mkdir()  # a folder where the file should be
    config = tmp_path / "llms.json"
    config.write_text(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}))
    result = run_llms(tmp_path, "--serve", str(free_port()), "--config", str(config))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (f"llms: the ledger {tmp_path / 'usage.jsonl'} cannot be written: "
                                     "Is a directory; fix the path or set ledger.enabled to false in llms.json")


@pytest.mark.parametrize("args", [["--models"], ["--report", "csv"]])
def test_output_into_a_closed_pipe_ends_quietly(tmp_path, args):
    config = tmp_path / "llms.json"
    models = {f"model-{i}": f"model-{i}" for i in range(400)}
    config.write_text(json.dumps({"providers": {"openai": {"type": "openai-compatible", "base_url": "http://127.0.0.1:1/v1",
                                                           "api_key": "k", "models": models}},
                                  "ledger": {"enabled": True, "path": str(tmp_path / "usage.jsonl")}}))
    line = {"timestamp": "2026-11-23T10:00:00.000+01:00", "request_id": "", "status": "ok", "model": "model-1"}
    (tmp_path / "usage.jsonl").write_text("".join(
        json.dumps(line | {"request_id": f"{i:032x}"}) + "\n" for i in range(3000)))
    command, env = llms_command(tmp_path, *args, "--config", str(config))
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.readline()
        process.stdout.close()  # `| head -1`
        stderr = process.stderr.read().decode()
        returncode = process.wait(timeout=30)
    assert "BrokenPipeError" not in stderr and "Traceback" not in stderr
    assert returncode == 0, stderr
