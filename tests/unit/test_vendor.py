"""The vendored browser files are exactly the versions pinned in package.json and package-lock.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "ui" / "static" / "vendor"
PACKAGE = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
LOCK = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))


def copies(entry: dict, version: str) -> list[tuple[str, str]]:
    """[(path in the package, path under ui/static/vendor)], the same rule as scripts/vendor.mjs."""
    def fill(template: str, name: str | None = None) -> str:
        return template.replace("{version}", version).replace("{name}", name or "")
    files = [(fill(entry["from"], name), fill(entry["to"], name)) for name in entry.get("names", [None])]
    return files + [(src, fill(dst)) for src, dst in entry.get("licenses", {}).items()]


def expected_files() -> dict[str, tuple[str, str]]:
    """{vendor path: (package, path in the package)} for every file package.json's "vendor" list names."""
    out = {}
    for entry in PACKAGE["vendor"]:
        version = PACKAGE["dependencies"][entry["package"]]
        for src, dst in copies(entry, version):
            out[dst] = (entry["package"], src)
    return out


def test_dependencies_are_pinned_to_exact_versions():
    for name, version in PACKAGE["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"package.json dependencies.{name}: {version!r} is not exact"


def test_lock_file_has_the_pinned_versions():
    for name, version in PACKAGE["dependencies"].items():
        locked = LOCK["packages"][f"node_modules/{name}"]["version"]
        assert locked == version, f"package-lock.json has {name} {locked}, package.json pins {version}"


def test_every_dependency_is_vendored_with_its_licence():
    vendored = {entry["package"] for entry in PACKAGE["vendor"] if entry.get("licenses")}
    assert vendored == set(PACKAGE["dependencies"])


def test_vendor_directory_holds_exactly_the_listed_files():
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk == set(expected_files())


def test_versions_in_vendored_names_match_package_json():
    for dst, (package, _) in expected_files().items():
        version = PACKAGE["dependencies"][package]
        assert version in dst, f"ui/static/vendor/{dst} does not carry {package}'s version {version}"


def test_vendored_bytes_equal_node_modules():
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules/ absent: run `npm ci` to compare bytes")
    for dst, (package, src) in expected_files().items():
        installed = ROOT / "node_modules" / package
        version = json.loads((installed / "package.json").read_text(encoding="utf-8"))["version"]
        assert version == PACKAGE["dependencies"][package], f"node_modules has {package} {version}: run `npm ci`"
        assert (VENDOR / dst).read_bytes() == (installed / src).read_bytes(), (
            f"ui/static/vendor/{dst} differs from node_modules/{package}/{src}: run `node scripts/vendor.mjs`")
