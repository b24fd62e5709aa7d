"""The README's first screen (issue 16): Python ≥ 3.11 and a venv said, exactly two commands (run, test), how to
look around without a key and where the config lives, each held to what the code does, so a rename or a moved
path cannot leave the first thing a newcomer reads wrong."""

from __future__ import annotations

import re
from pathlib import Path

from llms import paths

ROOT = Path(__file__).resolve().parents[2]
FIRST_SCREEN = (ROOT / "README.md").read_text(encoding="utf-8").split("\n---\n", 1)[0]


def test_the_first_screen_holds_exactly_two_commands_the_run_and_the_test_ci_calls():
    blocks = re.findall(r"```bash\n(.*?)```", FIRST_SCREEN, re.S)
    assert [block.strip() for block in blocks] == ["pip install . && llms --serve", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert (ROOT / "scripts" / "test.sh").exists()


def test_the_first_screen_says_the_python_a_venv_the_demo_and_where_the_config_lives():
    assert "Python ≥ 3.11" in FIRST_SCREEN
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "virtual environment is recommended" in FIRST_SCREEN
    assert '"Load demo data"' in FIRST_SCREEN
    assert ">Load demo data</button>" in (ROOT / "ui" / "templates" / "index.html").read_text(encoding="utf-8")
    assert "`~/.llms/llms.json`" in FIRST_SCREEN
    assert paths.user_config({"HOME": "/home/someone"}) == Path("/home/someone/.llms/llms.json")
    assert "http://127.0.0.1:8000" in FIRST_SCREEN
