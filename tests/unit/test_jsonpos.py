from llms.jsonpos import line_col, value_positions


def test_positions_of_nested_values_strings_with_escapes_and_lists():
    text = '{\n  "a": {"b": [1, "x\\"y", {"c": null}]},\n  "d": -2.5e3\n}'
    positions = value_positions(text)
    assert positions[("a",)] == (2, 8)
    assert positions[("a", "b", 1)] == (2, 18)
    assert positions[("a", "b", 2, "c")] == (2, 32)
    assert positions[("d",)] == (3, 8)


def test_empty_containers_and_line_col():
    assert value_positions('{"a": {}, "b": []}') == {(): (1, 1), ("a",): (1, 7), ("b",): (1, 16)}
    assert line_col("ab\ncd", 4) == (2, 2)
