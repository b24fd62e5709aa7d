import json
from pathlib import Path

from llms.config import parse_config
from llms.server.readiness import DefaultModel, default_model, startup_lines

PROVIDERS = {
    "openai": {"type": "openai-compatible", "base_url": "https://api.openai.com/v1", "api_key": "$OPENAI_API_KEY",
               "models": {"gpt-5-mini": "gpt-5-mini"}},
    "groq": {"type": "openai-compatible", "base_url": "https://api.groq.com/openai/v1", "api_key": "$GROQ_API_KEY",
             "models": {"llama-3.3-70b": "llama-3.3-70b-versatile", "gpt-5-mini": "openai/gpt-5-mini"}},
    "ollama": {"type": "ollama", "base_url": "http://127.0.0.1:11434", "models": {"llama3.2": "llama3.2"}},
}


def config(environ, model="gpt-5-mini", providers=PROVIDERS):
    raw = {"defaults": {"model": model} if model else {}, "providers": providers}
    return parse_config(json.dumps(raw), Path("/home/me/.llms/llms.json"), environ)


def test_the_default_is_defaults_model_at_the_first_ready_provider_serving_it():
    assert default_model(config({"OPENAI_API_KEY": "k", "GROQ_API_KEY": "k"})) == DefaultModel("openai/gpt-5-mini")
    assert default_model(config({"GROQ_API_KEY": "k"})) == DefaultModel("groq/gpt-5-mini")


def test_when_defaults_model_is_not_ready_the_first_ready_model_is_the_default_and_it_says_why():
    fallback = default_model(config({}))
    assert fallback.value == "ollama/llama3.2"
    assert fallback.note == ("defaults.model gpt-5-mini is not ready (openai: OPENAI_API_KEY is not set; "
                             "groq: GROQ_API_KEY is not set): using llama3.2 (ollama)")
    assert default_model(config({}, model=None)) == DefaultModel("ollama/llama3.2")  # nothing asked, nothing to say
    assert default_model(config({}, providers={"openai": PROVIDERS["openai"]})) == DefaultModel(None)


def test_the_startup_summary_counts_ready_providers_names_each_variable_to_set_and_where_the_config_is():
    assert startup_lines(config({"GROQ_API_KEY": "k"})) == [
        "2 of 3 providers ready: groq, ollama",
        "  off  openai  OPENAI_API_KEY is not set",
        "set a key's variable and restart, or edit the providers in /home/me/.llms/llms.json",
    ]
    assert startup_lines(config({"GROQ_API_KEY": "k", "OPENAI_API_KEY": "k"}))[1:] == ["config: /home/me/.llms/llms.json"]


def test_with_nothing_ready_the_summary_says_no_message_can_be_sent_and_offers_the_demo():
    lines = startup_lines(config({}, providers={"openai": PROVIDERS["openai"]}))
    assert lines[0] == "0 of 1 provider ready: no message can be sent yet"
    assert lines[-1] == "to explore the analytics without a key: open the page and press Load demo data"
