from llms.commands.summary import usage_line
from llms.ledger.export import tokens_per_second


def test_usage_line_shows_cached_and_reasoning_cost_time_and_speed():
    usage = {"prompt_tokens": 1200, "completion_tokens": 340, "total_tokens": 1540,
             "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 120}}
    line = usage_line("gpt-5-mini", "openai", usage, "$0.0012", 2.0, 0.5)
    assert line == ("gpt-5-mini via openai · in 1,200 (1,000 cached) · out 340 (120 reasoning) · $0.0012"
                    " · 2.00 s · first token 0.50 s · 170.0 tok/s")


def test_estimated_usage_is_marked():
    usage = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}
    assert "out 5 (estimated)" in usage_line("m", "p", usage, "~$0.01", 1.0, None, estimated=True)


def test_speed_of_a_zero_length_response_is_unknown():
    assert tokens_per_second(10, 0) is None
    assert tokens_per_second(10, 2000) == 5  # milliseconds, as the browser's tokensPerSecond


def test_check_reasons_are_plain():
    from llms.commands.check import reason_for
    from llms.providers.base import ProviderError

    assert reason_for(ProviderError("http", 401, "openai: invalid key")).startswith("401 bad key")
    assert reason_for(ProviderError("http", 400, "google: API key not valid. Please pass a valid API key."))\
        .startswith("400 bad key")
    assert reason_for(ProviderError("http", 429, "slow down")).startswith("429 rate-limited")
    assert reason_for(ProviderError("timeout", 504, "x timed out")) == "timeout: x timed out"
    assert reason_for(ProviderError("unreachable", 502, "cannot reach x")) == "unreachable: cannot reach x"


def test_a_long_reason_goes_on_under_its_status_and_its_url_is_never_cut():
    from llms.commands.check import CheckResult, format_table

    url = "https://gateway.internal.example.com/openai/deployments/gpt-4o-mini-2024-07-18/chat/completions"
    reason = f"unreachable: openai: cannot reach {url} (Connect call failed)"
    table = format_table([CheckResult("gpt-4o-mini", False, reason, 1234.0), CheckResult("gpt-4o", True, "ok", 80.0, 9, 2)])
    lines = table.splitlines()
    assert lines[0].split() == ["model", "status", "latency", "ms", "in", "out", "tok/s"]
    assert lines[1].startswith("gpt-4o-mini  unreachable: openai: cannot reach ")
    assert lines[1].split()[-4:] == ["1,234", "—", "—", "—"]  # the row's figures stay in their columns
    assert any(line.strip() == url for line in lines)  # whole, on a line of its own
    assert lines[3].strip() == "(Connect call failed)"
    assert lines[4].startswith("gpt-4o       ok ")
    assert " ".join([lines[1].split("  ")[1].strip()] + [line.strip() for line in lines[2:4]]) == reason  # all of it
