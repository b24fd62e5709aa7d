"""A provider's terminal escape codes never reach the terminal raw (issue 15, item 19): `llms` one-shot chat and
`llms --check` against the hostile upstream (tests/hostile_provider.py), run as the real command."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.hostile_provider import HostileProvider
from tests.server_process import ROOT

CONTROLS = [chr(c) for c in range(0x20) if chr(c) not in "\n\t"] + [chr(c) for c in range(0x7f, 0xa0)]


async def llms(tmp_path: Path, hostile: HostileProvider, *args: str) -> tuple[int, str, str]:
    config = {"providers": {"hostile": {"type": "openai-compatible", "base_url": hostile.url, "api_key": "sk-hostile",
                                        "models": {"escapes": "escapes", "escapes-error": "escapes-error"}}}}
    (tmp_path / "llms.json").write_text(json.dumps(config))
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LLMS_")}
    environ |= {"HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "llms", "--config", str(tmp_path / "llms.json"), *args, cwd=ROOT, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, out.decode(), err.decode()


def assert_no_controls(text: str) -> None:
    assert not [c for c in text if c in CONTROLS], repr(text)


async def test_one_shot_chat_prints_a_streamed_answer_without_its_escape_codes(tmp_path):
    async with HostileProvider() as hostile:  # the stream cuts the hidden link between two chunks
        code, out, err = await llms(tmp_path, hostile, "-m", "escapes", "Say hello")
    assert code == 0, err
    assert out.splitlines()[0] == "red link fakereal end."
    assert_no_controls(out + err)


async def test_one_shot_chat_prints_a_provider_error_without_its_escape_codes(tmp_path):
    async with HostileProvider() as hostile:
        code, out, err = await llms(tmp_path, hostile, "-m", "escapes-error", "Say hello")
    assert code == 1
    assert "red link fakereal end." in err
    assert_no_controls(out + err)


async def test_check_prints_a_provider_error_on_one_line_without_its_escape_codes(tmp_path):
    async with HostileProvider() as hostile:
        code, out, err = await llms(tmp_path, hostile, "--check", "hostile", "escapes-error")
    assert code == 1
    [row] = [line for line in out.splitlines() if line.startswith("escapes-error ")]
    assert "500 error: hostile: red link fakereal end." in row
    assert_no_controls(out + err)
