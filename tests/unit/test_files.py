"""write_atomically: the old file or the new one, never half; the mode kept; a new file private."""

import os
import stat

import pytest

from llms.files import write_atomically


def test_a_new_file_is_private_and_an_existing_one_keeps_its_mode(tmp_path):
    new = tmp_path / "new.json"
    write_atomically(new, "{}\n")
    assert new.read_text() == "{}\n" and stat.S_IMODE(new.stat().st_mode) == 0o600
    shared = tmp_path / "shared.json"
    shared.write_text("old")
    os.chmod(shared, 0o644)
    write_atomically(shared, "new")
    assert shared.read_text() == "new" and stat.S_IMODE(shared.stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_file_and_no_temporary_behind(tmp_path):
    target = tmp_path / "llms.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "\ud800")  # a lone surrogate cannot be written as UTF-8
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["llms.json"]
