import pytest

from llms.server.client_app import client_app


@pytest.mark.parametrize("user_agent, app", [
    ("claude-cli/2.0.14 (external, cli)", "claude-code"),
    ("codex_cli_rs/0.46.0 (Ubuntu 24.4.0; x86_64) xterm-256color", "codex"),
    ("codex_exec/0.46.0 (Mac OS 15.1.0; arm64) dumb", "codex"),
    ("Anthropic/Python 0.69.0", "anthropic-sdk-python"),
    ("Anthropic/JS 0.65.0", "anthropic-sdk-js"),
    ("OpenAI/Python 1.109.1", "openai-python"),
    ("OpenAI/JS 5.23.0", "openai-js"),
    ("curl/8.5.0", "curl"),
    ("Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0", "mozilla"),
    ("claude-cliff/1.0", "claude-cliff"),
])
def test_the_user_agent_names_the_client_app(user_agent, app):
    assert client_app(user_agent) == app


@pytest.mark.parametrize("user_agent", [None, "", "   ", "(no product)"])
def test_no_product_token_names_no_app(user_agent):
    assert client_app(user_agent) is None


def test_an_unknown_product_is_cut_to_64_characters():
    assert client_app("x" * 100 + "/1") == "x" * 64
