"""`llms --import-config`: the llms.json that llms-py 2.0.35 ships converts to ours, loads, and the original stays."""

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from llms.config import load_config
from llms.commands.import_config import convert, run_import

FIXTURE = Path(__file__).parents[2] / "fixtures" / "llmspy-2.0.35-llms.json"


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "llms.json"
    shutil.copy(FIXTURE, path)
    return path


def run(source, *args, force=False):
    out, err = io.StringIO(), io.StringIO()
    code = run_import(source, *(args or (None,)), force, out, err)
    return code, out.getvalue(), err.getvalue()


def test_the_shipped_config_converts_loads_and_leaves_the_original_unchanged(source):
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    code, out, err = run(source)
    target = source.with_name("llms.converted.json")
    assert (code, err) == (0, "")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    config = load_config(target, {"GROQ_API_KEY": "gsk-test", "OPENAI_API_KEY": "sk-test", "GOOGLE_API_KEY": "g"})
    assert len(config.providers) == 13
    assert config.defaults.model == "kimi-k2"
    assert f"wrote {target} (13 providers); {source} is unchanged" in out


def test_types_and_base_urls_become_ours_and_every_change_is_printed(source):
    converted, changes = convert(json.loads(source.read_text()))
    providers = converted["providers"]
    assert (providers["groq"]["type"], providers["groq"]["base_url"]) == ("openai-compatible", "https://api.groq.com/openai/v1")
    assert (providers["google"]["type"], providers["google"]["base_url"]) == ("google", "https://generativelanguage.googleapis.com/v1beta")
    assert (providers["z.ai"]["type"], providers["z.ai"]["base_url"]) == ("openai-compatible", "https://api.z.ai/api/paas/v4")
    assert (providers["anthropic"]["type"], providers["anthropic"]["base_url"]) == ("anthropic", "https://api.anthropic.com/v1")
    assert (providers["ollama"]["type"], providers["ollama"]["base_url"]) == ("ollama", "http://localhost:11434")
    assert providers["groq"]["api_key"] == "$GROQ_API_KEY"
    assert 'providers.groq.base_url: "https://api.groq.com/openai" → "https://api.groq.com/openai/v1"' in changes
    assert 'providers.anthropic.type: "OpenAiProvider" → "anthropic"' in changes


def test_per_token_price_strings_become_usd_per_million(source):
    converted, changes = convert(json.loads(source.read_text()))
    assert converted["providers"]["google"]["pricing"]["gemini-2.5-pro"] == {"input": 1.25, "output": 10}
    assert converted["providers"]["groq"]["default_pricing"] == {"input": 0, "output": 0}
    assert 'providers.google.pricing.gemini-2.5-pro.input: "0.00000125" USD/token → 1.25 USD/1M tokens' in changes


def test_fields_we_do_not_have_are_reported_not_dropped_silently(source):
    _, changes = convert(json.loads(source.read_text()))
    for reported in ("auth: not an llms setting", "limits: not an llms setting", "convert: not an llms setting",
                     "providers.google.safety_settings: not an llms setting", "providers.z.ai.temperature: not an llms setting",
                     "providers.ollama.all_models: not an llms setting", "defaults.image: not an llms setting"):
        assert any(line.startswith(reported) for line in changes), reported


def test_an_unknown_provider_type_is_reported_and_left_out():
    converted, changes = convert({"providers": {"x": {"type": "CustomProvider", "base_url": "https://x.test"}}})
    assert converted["providers"] == {}
    assert changes == ['providers.x.type: "CustomProvider" is not an llms.py provider type we know; provider left out']


def test_an_existing_output_is_not_overwritten_without_force(source):
    target = source.with_name("llms.converted.json")
    target.write_text("mine")
    code, _, err = run(source)
    assert code == 2 and "exists; use --force" in err and target.read_text() == "mine"
    assert run(source, force=True)[0] == 0 and json.loads(target.read_text())["providers"]


def test_output_onto_the_original_is_refused(source):
    code, _, err = run(source, source)
    assert code == 2 and "the original is never modified" in err


def test_invalid_json_names_line_and_column(tmp_path):
    bad = tmp_path / "llms.json"
    bad.write_text('{"providers": {\n  "x": }\n}')
    code, _, err = run(bad)
    assert code == 2 and err.startswith(f"llms: {bad}:2:8: invalid JSON")


def test_values_of_fields_left_out_are_never_printed_only_their_key_paths(tmp_path):
    secret = "gh-LITERAL-SECRET"
    source = tmp_path / "llms.json"
    source.write_text(json.dumps({
        "auth": {"github": {"client_id": "id", "client_secret": secret}},
        "providers": {
            "openai": {"type": "OpenAiProvider", "base_url": "https://api.openai.com", "api_key": "$OPENAI_API_KEY",
                       "models": {"gpt-4o": "gpt-4o"}, "token": secret, "extra": {"password": secret},
                       "pricing": {"gpt-4o": {"input": "0.0000025", "output": "0.00001", "key": secret}}},
            "broken": secret,
        },
    }))
    code, out, err = run(source)
    assert (code, err) == (0, "")
    assert secret not in out
    for line in ("auth: not an llms setting, left out", "providers.openai.token: not an llms setting, left out",
                 "providers.openai.extra: not an llms setting, left out",
                 "providers.openai.pricing.gpt-4o.key: not an llms price field, left out",
                 "providers.broken: expected an object, got a text; left out"):
        assert line in out.splitlines(), line
