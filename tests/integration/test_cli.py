"""The `llms` command against the mock provider: --check, one-shot chat, --models, --init, bad configs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from llms.pricing.cost import format_usd
from tests.conftest import MOCK_KEY_ENV
from tests.server_process import ROOT


def llms(*args: str, home: Path, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LLMS_")}
    environ |= {"HOME": str(home), "PYTHONPATH": str(ROOT)} | MOCK_KEY_ENV | (env or {})
    return subprocess.run([sys.executable, "-m", "llms", *args], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=timeout)


def test_check_reports_each_model_with_a_plain_reason_and_fails_when_one_fails(mock_config_path, tmp_path):
    result = llms("--config", str(mock_config_path), "--check", "openai", "gpt-4o-mini", "fault-401", "fault-404",
                  "fault-429", "fault-slow", "fault-malformed", home=tmp_path)
    assert result.returncode == 1, result.stderr
    table = result.stdout.split("\n\n", 1)[1]
    rows = {line.split()[0]: line for line in table.splitlines()[1:] if line.strip()}
    assert " ok " in rows["gpt-4o-mini"]
    assert "401 bad key" in rows["fault-401"]
    assert "404 unknown model" in rows["fault-404"]
    assert "429 rate-limited" in rows["fault-429"]
    assert "timeout" in rows["fault-slow"]
    assert "malformed reply" in rows["fault-malformed"]
    assert "1 of 6 model(s) answered" in result.stdout
    # live progress: one line per model as its result arrived
    assert result.stdout.count("[") >= 6


def test_check_passes_when_every_model_answers(mock_config_path, tmp_path):
    result = llms("--config", str(mock_config_path), "--check", "google", "gemini-2.5-flash", "shape-google",
                  home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 of 2 model(s) answered" in result.stdout


def test_check_of_a_disabled_provider_says_why(mock_config_path, tmp_path):
    result = llms("--config", str(mock_config_path), "--check", "nokey", home=tmp_path)
    assert result.returncode == 1
    assert "provider 'nokey' is disabled: MOCK_UNSET_KEY is not set" in result.stdout


def test_one_shot_chat_streams_the_answer_and_ends_with_usage_and_cost(mock_config_path, tmp_path):
    result = llms("--config", str(mock_config_path), "-m", "shape-anthropic", "Say hello", home=tmp_path)
    assert result.returncode == 0, result.stderr
    answer, summary = result.stdout.rstrip("\n").rsplit("\n", 1)
    assert answer == "Shaped answer here."
    # Anthropic: 100 fresh input at $3, 1000 cache reads at $0.30, 150 5-minute writes at $3.75,
    # 50 1-hour writes at $6, 340 output at $15 (per 1M tokens).
    cost = (100 * 3 + 1000 * 0.3 + 150 * 3.75 + 50 * 6 + 340 * 15) / 1e6
    assert summary.startswith("shape-anthropic via anthropic · in 1,300 (1,000 cached, 200 cache write) · out 340 · ")
    assert f" · {format_usd(cost, 'computed')} · " in summary
    assert summary.endswith("tok/s")


def test_one_shot_chat_cut_stream_shows_the_error_and_an_estimated_cost(mock_config_path, tmp_path):
    result = llms("--config", str(mock_config_path), "-m", "gemini-cut", "Say hello", home=tmp_path)
    assert result.returncode == 1
    assert "closed the connection mid-response" in result.stderr or "cut" in result.stderr
    assert "(estimated)" in result.stdout.splitlines()[-1]


def test_one_shot_chat_of_an_unknown_model_exits_2(mock_config_path, tmp_path):
    result = llms("--config", str(mock_config_path), "-m", "nope", "hi", home=tmp_path)
    assert result.returncode == 2
    assert "unknown model 'nope'" in result.stderr


def test_models_lists_enabled_models_with_prices(mock_config_path, tmp_path):
    result = llms("--config", str(mock_config_path), "--models", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "nokey: disabled (MOCK_UNSET_KEY is not set)" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("gpt-4o-mini"))
    assert "$0.15" in line and "$0.60" in line
    unpriced = next(line for line in result.stdout.splitlines() if line.strip().startswith("unpriced-model"))
    assert "—" in unpriced


def test_bad_config_exits_2_with_file_line_column_and_key_path(tmp_path):
    config = tmp_path / "llms.json"
    config.write_text('{\n  "providers": {\n    "openai": {"type": "openai-compatible", "base_url": "http://x/v1",\n'
                      '      "pricing": {"gpt-4o": {"input": "2.5$"}}}\n  }\n}\n')
    before = config.read_bytes()
    result = llms("--config", str(config), "--serve", "0", home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == \
        f'llms: {config}:4:39 providers.openai.pricing.gpt-4o.input: expected a number, got "2.5$"'
    assert config.read_bytes() == before


def test_invalid_json_from_the_environment_variable_exits_2(tmp_path):
    config = tmp_path / "broken.json"
    config.write_text('{"providers": }')
    result = llms("--models", home=tmp_path, env={"LLMS_CONFIG": str(config)})
    assert result.returncode == 2
    assert f"{config}:1:15: invalid JSON" in result.stderr


def test_init_writes_the_default_config_and_refuses_to_overwrite(tmp_path):
    result = llms("--init", home=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / ".llms" / "llms.json"
    assert json.loads(written.read_text())["providers"]["anthropic"]["base_url"] == "https://api.anthropic.com/v1"
    written.write_text('{"providers": {}}')
    result = llms("--init", home=tmp_path)
    assert result.returncode == 2 and "--force" in result.stderr
    assert written.read_text() == '{"providers": {}}'
    assert llms("--init", "--force", home=tmp_path).returncode == 0
    assert "openai" in json.loads(written.read_text())["providers"]


def test_serving_off_loopback_without_a_token_is_refused(tmp_path):
    result = llms("--serve", "0", "--host", "0.0.0.0", home=tmp_path)
    assert result.returncode == 2
    assert "set --token or LLMS_TOKEN" in result.stderr


def test_version_and_help(tmp_path):
    assert llms("--version", home=tmp_path).stdout.startswith("llms ")
    help_text = llms("--help", home=tmp_path).stdout
    for flag in ("--serve", "--check", "--init", "--config", "--models", "--update-pricing", "-m MODEL"):
        assert flag in help_text
