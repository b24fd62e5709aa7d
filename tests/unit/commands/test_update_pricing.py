import io
import json
from decimal import Decimal

from genai_prices import types
from genai_prices.data_snapshot import DataSnapshot

from llms import paths
from llms.commands.update_pricing import PriceChange, apply_changes, fetch_snapshot, price_changes, update_pricing

CONFIG = {
    "providers": {
        "openai": {
            "type": "openai-compatible",
            "base_url": "https://api.openai.com/v1",
            "models": {"gpt-4o": "gpt-4o", "mini": "gpt-4o-mini"},
            # Full entries, so the prices in force do not depend on the installed genai-prices data.
            "pricing": {"gpt-4o": {"input": 2.5, "output": 10, "cached_input": 1.25},
                        "gpt-4o-mini": {"input": 0.15, "output": 0.7, "cached_input": 0.075}},
        },
        "ollama": {
            "type": "ollama",
            "base_url": "http://127.0.0.1:11434",
            "models": {"llama3.2": "llama3.2"},
            "default_pricing": {"input": 0, "output": 0},
        },
    }
}


def write_config(tmp_path, config=CONFIG):
    path = tmp_path / "llms.json"
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


def fetched_snapshot() -> DataSnapshot:
    """What the network would bring: gpt-4o cheaper, gpt-4o-mini's output at the bundled price."""
    def model(model_id, **prices):
        return types.ModelInfo(id=model_id, match=types.ClauseEquals(equals=model_id),
                               prices=types.ModelPrice(**{k: Decimal(v) for k, v in prices.items()}))
    openai = types.Provider(id="openai", name="OpenAI", api_pattern="https://api.openai.com", models=[
        model("gpt-4o", input_mtok="2", output_mtok="10", cache_read_mtok="1"),
        model("gpt-4o-mini", input_mtok="0.15", output_mtok="0.6", cache_read_mtok="0.075"),
    ])
    return DataSnapshot(providers=[openai], from_auto_update=True)


def test_offline_it_fails_with_the_reason_and_leaves_the_file_byte_identical(tmp_path):
    path = write_config(tmp_path)
    before = path.read_bytes()
    out = io.StringIO()
    code = update_pricing(path, out, fetch=lambda: fetch_snapshot("http://127.0.0.1:9/data.json"))
    assert code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("llms: could not refresh prices from https://raw.githubusercontent.com/pydantic/"
                               "genai-prices/") and ": ConnectError: " in lines[0]
    assert lines[1] == f"llms: nothing was changed in {path.resolve()}"
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["llms.json"]


def test_a_payload_that_is_not_price_data_changes_nothing(tmp_path):
    path = write_config(tmp_path)
    before = path.read_bytes()

    def bad_payload():
        raise ValueError("Expected fetched prices payload to be a provider array")

    out = io.StringIO()
    assert update_pricing(path, out, fetch=bad_payload) == 1
    assert "ValueError: Expected fetched prices payload to be a provider array" in out.getvalue()
    assert path.read_bytes() == before


def test_changes_are_written_into_llms_json_and_printed(tmp_path):
    path = write_config(tmp_path)
    out = io.StringIO()
    assert update_pricing(path, out, fetch=fetched_snapshot) == 0
    assert out.getvalue() == (
        "openai gpt-4o input 2.5 → 2\n"
        "openai gpt-4o cached_input 1.25 → 1\n"
        "openai mini output 0.7 → 0.6\n"
        f"wrote 3 price changes to {path.resolve()}\n")
    written = json.loads(path.read_text(encoding="utf-8"))
    expected = json.loads(json.dumps(CONFIG))
    expected["providers"]["openai"]["pricing"] = {"gpt-4o": {"input": 2, "output": 10, "cached_input": 1},
                                                  "gpt-4o-mini": {"input": 0.15, "output": 0.6, "cached_input": 0.075}}
    assert written == expected
    assert [p.name for p in tmp_path.iterdir()] == ["llms.json"]


def test_a_second_run_with_the_same_prices_changes_nothing(tmp_path):
    path = write_config(tmp_path)
    update_pricing(path, io.StringIO(), fetch=fetched_snapshot)
    after_first = path.read_bytes()
    out = io.StringIO()
    assert update_pricing(path, out, fetch=fetched_snapshot) == 0
    assert out.getvalue() == f"prices in {path.resolve()} are up to date\n"
    assert path.read_bytes() == after_first


def test_an_invalid_config_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "llms.json"
    path.write_text('{"providers": {"openai": {"type": "openai-compatible"}}}', encoding="utf-8")
    before = path.read_bytes()
    out = io.StringIO()
    assert update_pricing(path, out, fetch=fetched_snapshot) == 2
    assert out.getvalue().startswith(f"llms: {path.resolve()}:")
    assert path.read_bytes() == before


def test_the_packaged_default_config_is_never_written():
    before = paths.DEFAULT_CONFIG.read_bytes()
    out = io.StringIO()
    assert update_pricing(paths.DEFAULT_CONFIG, out, fetch=fetched_snapshot) == 2
    assert "is the packaged default config: run `llms --init`" in out.getvalue()
    assert paths.DEFAULT_CONFIG.read_bytes() == before


def test_price_changes_lists_each_differing_field_and_skips_unknown_models():
    current = {"openai": {"gpt-4o": {"input": 2.5, "output": 10}, "local": None},
               "acme": {"m": None}}
    fresh = {"openai": {"gpt-4o": {"input": 2.5, "output": 8, "cached_input": 1.25}, "local": None},
             "acme": {"m": {"input": 1, "output": 2, "tiers": [{"above": 1000, "input": 2}]}}}
    assert price_changes(current, fresh) == [
        PriceChange("openai", "gpt-4o", "output", 10, 8),
        PriceChange("openai", "gpt-4o", "cached_input", None, 1.25),
        PriceChange("acme", "m", "input", None, 1),
        PriceChange("acme", "m", "output", None, 2),
        PriceChange("acme", "m", "tiers", None, [{"above": 1000, "input": 2}]),
    ]
    assert str(PriceChange("openai", "gpt-4o", "cached_input", None, 1.25)) == "openai gpt-4o cached_input — → 1.25"
    assert str(PriceChange("acme", "m", "tiers", None, [{"above": 1000, "input": 2}])) == (
        'acme m tiers — → [{"above": 1000, "input": 2}]')


def test_fresh_service_tier_prices_are_a_change_of_the_whole_service_tiers_field():
    flex = {"flex": {"input": 0.625, "output": 5}}
    current = {"openai": {"gpt-5": {"input": 1.25, "output": 10, "service_tiers": {"flex": {"input": 0.7}}}}}
    fresh = {"openai": {"gpt-5": {"input": 1.25, "output": 10, "service_tiers": flex}}}
    assert price_changes(current, fresh) == [PriceChange("openai", "gpt-5", "service_tiers", {"flex": {"input": 0.7}},
                                                         flex)]
    assert price_changes(fresh, fresh) == []


def test_apply_changes_writes_into_the_existing_entry_or_a_new_one_and_copies():
    raw = {"providers": {"openai": {"models": {"4o": "gpt-4o", "mini": "gpt-4o-mini", "o4": "o4-mini"},
                                    "pricing": {"gpt-4o-mini": {"output": 0.7}, "o4": {"input": 1}}}}}
    updated = apply_changes(raw, [PriceChange("openai", "4o", "input", 2.5, 2),
                                  PriceChange("openai", "mini", "output", 0.7, 0.6),
                                  PriceChange("openai", "o4", "output", 4.4, 4)])
    assert updated["providers"]["openai"]["pricing"] == {
        "gpt-4o-mini": {"output": 0.6}, "o4": {"input": 1, "output": 4}, "4o": {"input": 2}}
    assert raw["providers"]["openai"]["pricing"] == {"gpt-4o-mini": {"output": 0.7}, "o4": {"input": 1}}
