"""A normal (not editable) `pip install .` ships ui/ and the default llms.json inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from tests.server_process import ROOT


def test_wheel_carries_templates_static_files_vendor_licences_and_the_default_config(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--quiet", "-w", str(tmp_path)],
                   check=True, timeout=300)
    [wheel] = tmp_path.glob("llms-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "llms/llms.json" in names
    assert "llms/ui/templates/base.html" in names and "llms/ui/templates/index.html" in names
    assert "llms/ui/static/js/rules/pricing.js" in names
    vendored = [n for n in names if n.startswith("llms/ui/static/vendor/")]
    assert any(n.endswith(".LICENSE") for n in vendored) and any(n.endswith(".min.js") for n in vendored)
    assert not any("node_modules" in n or "__pycache__" in n for n in names)
