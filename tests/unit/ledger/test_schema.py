"""The one Python definition of a ledger line: the shared vectors, the recorder record, JSON text as JS writes it."""

import json
from pathlib import Path

import pytest

from llms.ledger.schema import RECORDER_FIELDS, ledger_line, line_problem, number_text, recorder_record
from tests.unit.ledger.lines import record

CASES = json.loads((Path(__file__).parents[2] / "vectors" / "records.json").read_text(encoding="utf-8"))["cases"]


def test_the_vectors_hold_at_least_forty_cases_with_unique_names():
    names = [case["name"] for case in CASES]
    assert len(names) >= 40 and len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_vector(case):
    assert line_problem(case["line"]) == case["problem"]


@pytest.mark.parametrize(("number", "text"), [
    (5.0, "5"), (-1, "-1"), (0.1 + 0.2, "0.30000000000000004"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"),
    (0.00001, "0.00001"), (0.000001, "0.000001"), (123456789012345680000.0, "123456789012345680000"),
    (1e21, "1e+21"), (1e300, "1e+300"), (2 ** 60, "1152921504606847000"), (-0.0, "0"), (812.5, "812.5"),
])
def test_numbers_read_as_javascript_writes_them(number, text):
    assert number_text(number) == text


def test_a_recorder_record_has_exactly_its_fields_in_order():
    assert tuple(record()) == RECORDER_FIELDS
    with pytest.raises(TypeError, match=r"missing \['reasoning_text'\], unknown \['reasoning'\]"):
        recorder_record(**{name: None for name in RECORDER_FIELDS if name != "reasoning_text"}, reasoning=None)


def test_texts_past_the_line_limits_are_cut_when_written_so_every_reader_takes_the_line():
    cost = {"cost_usd": None, "provenance": None, "prices": None}
    line = ledger_line(record(status="error", error="e" * 20_000, http_status=502, finish_reason="f" * 200), cost,
                       None, "gpt-4o", prompts=False)
    assert (len(line["error"]["message"]), len(line["finish_reason"])) == (10_000, 100)
    assert line_problem(line) is None
