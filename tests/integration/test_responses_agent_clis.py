"""The real coding agents from npm, against the real server (token mode) and the mock: `codex exec` speaking
Responses (passed through, and translated to chat completions) and `claude -p` speaking Messages (passed through,
and translated to chat completions). Each prints the mock's answer, and each request is in `llms --report
detailed` with its app and cost. The CLIs are installed into $LLMS_AGENT_CLIS (default /tmp/llms-agent-clis),
never into the repo; the tests are skipped, saying why, when npm or the packages are unavailable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.test_messages import serve
from tests.ledger_file import written_lines
from tests.mock_provider import KEYS, Reply
from tests.server_process import ROOT

LEDGER_WAIT_S = 10

CLI_DIR = Path(os.environ.get("LLMS_AGENT_CLIS", "/tmp/llms-agent-clis"))
PACKAGES = {"codex": "@openai/codex", "claude": "@anthropic-ai/claude-code"}
TOKEN = "agents-test-token"
ANSWER = "Hello from the coding-agent mock."
PRICE = {"input": 1.25, "output": 10, "cached_input": 0.125}
RUN_TIMEOUT_S = 120


def binary(name: str) -> Path:
    path = CLI_DIR / "node_modules" / ".bin" / name
    if path.exists():
        return path
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed, so {PACKAGES[name]} cannot be installed to run `{name}`")
    try:
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(CLI_DIR), PACKAGES[name]],
                              capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {PACKAGES[name]} did not finish within 600 s (registry unreachable?)")
    if done.returncode or not path.exists():
        pytest.skip(f"npm could not install {PACKAGES[name]} (registry unreachable?): {done.stderr.strip()[-300:]}")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory, mock_provider):
    for name in ("agent-model", "claude-agent-model"):
        mock_provider.set_model(name, Reply(text=ANSWER))
    folder = tmp_path_factory.mktemp("agents")
    openai = {"type": "openai-compatible", "base_url": mock_provider.url("openai"), "api_key": KEYS["openai"]}
    config = {"providers": {
        "openai": openai | {"models": {"codex-pass": "agent-model"}, "pricing": {"codex-pass": PRICE}},
        "chat": openai | {"models": {"codex-chat": "agent-model", "claude-chat": "agent-model"},
                          "pricing": {"codex-chat": PRICE, "claude-chat": PRICE}},
        "anthropic": {"type": "anthropic", "base_url": mock_provider.url("anthropic"), "api_key": KEYS["anthropic"],
                      "models": {"sonnet": "claude-agent-model"},
                      "pricing": {"sonnet": {"input": 3, "output": 15, "cached_input": 0.3, "cache_write": 3.75}}}}}
    server = serve(folder, config, TOKEN)
    yield server, folder / "llms.json", folder
    server.stop()


def run(args: list, env: dict, cwd: Path) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=cwd,
                          env={"PATH": os.environ["PATH"], **env}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{args[0]} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


def report_detailed(config_path: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "llms", "--report", "detailed", "--config", str(config_path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout


def recorded(folder: Path, app: str, provider: str) -> tuple[list[dict], list[dict]]:
    """The ledger's lines, and the app's to `provider`. A stream's line is written when the server's handler ends,
    which can be just after the app read the last event and exited: so they are waited for, a bounded while, until
    the app's lines are there and no more come."""
    ledger, seen, deadline = folder / "usage.jsonl", None, time.monotonic() + LEDGER_WAIT_S
    while True:
        lines = written_lines(ledger)
        mine = [line for line in lines if line["client_app"] == app and line["provider"] == provider]
        if (mine and len(mine) == seen) or time.monotonic() > deadline:
            return lines, mine
        seen = len(mine) if mine else None
        time.sleep(0.25)


def assert_recorded(folder: Path, config_path: Path, app: str, provider: str, endpoint: str) -> None:
    """The app's requests to `provider` are in the ledger (ok, priced) and each is a row of `llms --report detailed`
    naming its app."""
    lines, mine = recorded(folder, app, provider)
    assert mine and all((line["endpoint"], line["status"]) == (endpoint, "ok") and line["cost_usd"] > 0
                        for line in mine), lines
    rows = [row.split() for row in report_detailed(config_path).splitlines()]
    assert len([row for row in rows if row[2:3] == [provider] and app in row]) == len(mine)


def codex_home(folder: Path, server, model: str) -> Path:
    """A Codex home whose provider is llms (https://developers.openai.com/codex/config-reference): Responses wire,
    our token from $LLMS_TOKEN. Hosted web search and the multi-agent tools stay off: they run only at OpenAI."""
    home = folder / f"codex-{model}"
    home.mkdir()
    (home / "config.toml").write_text(f'''model = "{model}"
model_provider = "llms"
web_search = "disabled"
check_for_update_on_startup = false

[features]
multi_agent = false

[model_providers.llms]
name = "llms"
base_url = "{server.url}/v1"
wire_api = "responses"
env_key = "LLMS_TOKEN"
''')
    return home


@pytest.mark.parametrize("model, provider", [("codex-pass", "openai"), ("codex-chat", "chat")])
def test_codex_exec_prints_the_mocks_answer_and_is_in_the_report(served, model, provider):
    server, config_path, folder = served
    codex = binary("codex")
    work = folder / f"work-{model}"
    work.mkdir()
    out = run([str(codex), "exec", "--skip-git-repo-check", "Say hello"],
              {"CODEX_HOME": str(codex_home(folder, server, model)), "LLMS_TOKEN": TOKEN, "HOME": str(folder)}, work)
    assert ANSWER in out
    assert_recorded(folder, config_path, "codex", provider, "/v1/responses")


@pytest.mark.parametrize("model, provider", [("claude-agent-model", "anthropic"), ("claude-chat", "chat")])
def test_claude_p_prints_the_mocks_answer_and_is_in_the_report(served, model, provider):
    server, config_path, folder = served
    claude = binary("claude")
    work = folder / f"work-{model}"
    work.mkdir()
    out = run([str(claude), "-p", "Say hello", "--model", model],
              {"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": TOKEN, "HOME": str(folder / f"home-{model}"),
               "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}, work)
    assert ANSWER in out
    assert_recorded(folder, config_path, "claude-code", provider, "/v1/messages")
