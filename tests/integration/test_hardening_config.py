"""An llms.json with NaN, Infinity or nesting past 100 levels is a config error (exit 2) with file:line:col, not a
traceback (issue 15, item 19): the real `llms` command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.server_process import ROOT

CASES = {
    "NaN": ('{"defaults": {\n  "read_timeout_s": NaN}}', 2, 21,
            "has NaN, which is not a JSON number (use null or a finite number)"),
    "-Infinity": ('{"budget": {"monthly_usd": -Infinity}}', 1, 28,
                  "has -Infinity, which is not a JSON number (use null or a finite number)"),
    "1e999": ('{\n\n "budget": {"monthly_usd": 1e999}}', 3, 28,
              "has 1e999, which is not a JSON number (use null or a finite number)"),
    "deep nesting": ('{"providers": ' + "[" * 2000 + "]" * 2000 + "}", 1, 114, "is nested deeper than 100 levels"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_config_with_a_non_finite_number_or_deep_nesting_exits_2_with_file_line_col(tmp_path, name):
    text, line, col, problem = CASES[name]
    (tmp_path / "llms.json").write_text(text)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LLMS_")}
    environ |= {"HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "llms", "--config", str(tmp_path / "llms.json"), "--models"],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"llms: {tmp_path / 'llms.json'}:{line}:{col}: the config {problem}\n"
