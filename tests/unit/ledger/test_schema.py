"""The one Python definition of a ledger line: the shared vectors, the recorder record, JSON text as JS writes it."""

import json
import math
import random
import struct
from pathlib import Path

import pytest

from llms.ledger.schema import (RECORDER_FIELDS, _exact_number_text, ledger_line, line_problem, number_text,
                                recorder_record)
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


def _numbers_in(value):
    if type(value) in (int, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers_in(item)


def _random_floats(count: int):
    """Floats of every kind a ledger holds and then some: any bit pattern, every decade from 1e-9 to 1e18 (the
    fast path's edges 1e-4 and 1e16 among them), costs and times rounded as the CSV rounds them, whole ones."""
    rng = random.Random(17)
    edges = [1e-4, 1e16, 0.0001, 9999999999999998.0, 0.5, 1.0, 0.0, -0.0]
    yield from edges
    yield from (math.nextafter(x, direction) for x in edges for direction in (math.inf, -math.inf))
    for _ in range(count):
        yield struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        mantissa = rng.random() * rng.choice((1, -1))
        yield mantissa * 10.0 ** rng.randint(-9, 18)
        yield round(mantissa * 10.0 ** rng.randint(-6, 3), 12)
        yield round(rng.lognormvariate(7, 2), rng.choice((1, 3)))
        yield float(rng.randint(-10 ** 17, 10 ** 17))


def test_the_fast_number_text_writes_what_the_exact_rule_writes():
    csv_vectors = json.loads((Path(__file__).parents[2] / "vectors" / "csv.json").read_text(encoding="utf-8"))
    vectors = [*_numbers_in(csv_vectors), *_numbers_in(CASES)]
    numbers = [*vectors, *_random_floats(20_000), math.inf, -math.inf, math.nan, 2 ** 53, -(2 ** 60), True]
    assert len(vectors) > 100
    assert [number_text(number) for number in numbers] == [_exact_number_text(number) for number in numbers]
