"""The first commands a newcomer runs: `llms --init` writes where --config says (the missing-file hint names it)."""

from __future__ import annotations

import json

from tests.conftest import MOCK_KEY_ENV
from tests.integration.test_cli import llms
from tests.ledger_file import written_lines


def test_init_writes_the_default_config_where_config_says_and_the_hint_of_a_missing_file_leads_there(tmp_path):
    target = tmp_path / "work" / "llms.json"
    missing = llms("--config", str(target), "--models", home=tmp_path)
    assert missing.returncode == 2
    assert f"{target}: no such file (run `llms --init` to write the default config there)" in missing.stderr
    result = llms("--init", "--config", str(target), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {target}\n"
    assert "providers" in json.loads(target.read_text())
    assert not (tmp_path / ".llms" / "llms.json").exists()  # not the home default
    again = llms("--init", "--config", str(target), home=tmp_path)
    assert again.returncode == 2 and f"{target} exists; use --init --force to overwrite it" in again.stderr
    assert llms("--models", "--config", str(target), home=tmp_path).returncode == 0


def ledger_config(mock_provider, tmp_path):
    from tests.conftest import mock_config

    ledger = tmp_path / "usage.jsonl"
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(mock_config(mock_provider) | {"ledger": {"enabled": True, "path": str(ledger)}}))
    return path, ledger


def lines_of(ledger) -> list[dict]:
    return written_lines(ledger)


def test_a_one_shot_chat_and_each_model_check_asks_are_in_the_ledger_as_client_cli(mock_provider, tmp_path):
    from tests.conftest import PRICES

    config, ledger = ledger_config(mock_provider, tmp_path)
    chat = llms("--config", str(config), "-m", "mock-model", "Say hello", home=tmp_path)
    assert chat.returncode == 0, chat.stderr
    [line] = lines_of(ledger)
    assert (line["client"], line["provider"], line["model"], line["status"], line["is_streaming"]) == (
        "cli", "openai", "mock-model", "ok", True)
    usage = line["usage"]
    price = PRICES["openai"]["mock-model"]
    assert line["cost_usd"] == (usage["prompt_tokens"] * price["input"] + usage["completion_tokens"] * price["output"]) / 1e6
    assert line["cost_provenance"] == "computed"

    check = llms("--config", str(config), "--check", "anthropic", home=tmp_path)
    assert check.returncode == 1  # claude-401 fails
    checks = {line["model"]: line for line in lines_of(ledger)[1:]}
    assert set(checks) == {"claude-sonnet-4-5", "claude-401", "shape-anthropic"}
    assert {line["client"] for line in checks.values()} == {"cli"}
    assert checks["claude-sonnet-4-5"]["status"] == "ok" and checks["claude-sonnet-4-5"]["cost_usd"] > 0
    assert (checks["claude-401"]["status"], checks["claude-401"]["error"]["status"]) == ("error", 401)
    report = llms("--config", str(config), "--report", "csv", home=tmp_path)
    assert len(report.stdout.splitlines()) == 1 + 4 and ",cli," in report.stdout  # the header, then the four lines


def test_a_chat_whose_provider_fails_is_in_the_ledger_as_an_error(mock_provider, tmp_path):
    config, ledger = ledger_config(mock_provider, tmp_path)
    result = llms("--config", str(config), "-m", "fault-401", "hi", home=tmp_path)
    assert result.returncode == 1
    [line] = lines_of(ledger)
    assert (line["client"], line["status"], line["error"]["status"], line["provider"]) == ("cli", "error", 401, "openai")


def test_a_chat_without_a_model_falls_back_to_the_first_ready_model_when_defaults_model_is_off_and_says_so(
        mock_provider, tmp_path):
    from tests.conftest import mock_config

    raw = mock_config(mock_provider)
    raw["providers"]["openai"]["api_key"] = "$MOCK_UNSET_KEY"  # defaults.model gpt-4o-mini is only served there
    config = tmp_path / "llms.json"
    config.write_text(json.dumps(raw))
    result = llms("--config", str(config), "Say hello", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("llms: defaults.model gpt-4o-mini is not ready (openai: MOCK_UNSET_KEY is not set): "
                             "using claude-sonnet-4-5 (anthropic)\n")
    assert "anthropic/claude-sonnet-4-5 via anthropic" in result.stdout
    nothing = llms("--config", str(config), "Say hello", home=tmp_path, env={k: "" for k in MOCK_KEY_ENV})
    assert nothing.returncode == 2
    assert nothing.stderr.startswith("llms: no provider is ready: pass -m MODEL, or set a provider's key for ")
