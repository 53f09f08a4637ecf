"""data/: the bundled tables rebuild from their source extracts byte for byte; all are listed."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
BUNDLED = ROOT / "src" / "klimacore" / "data"

pytestmark = pytest.mark.skipif(not (DATA / "build.py").exists(),
                                reason="data/ is not in this checkout (e.g. an sdist)")


def _build_module():
    spec = importlib.util.spec_from_file_location("klimacore_data_build", DATA / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_built_tables_equal_the_bundled_files_byte_for_byte() -> None:
    build = _build_module()
    assert build.BUILDERS
    for name, builder in build.BUILDERS.items():
        assert builder() == (BUNDLED / name).read_bytes(), name
    assert build.check() == []


def test_a_changed_extract_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = _build_module()
    folder = tmp_path / "gwp"
    folder.mkdir()
    text = (DATA / "gwp" / "gwp100.csv").read_text(encoding="utf-8")
    (folder / "gwp100.csv").write_text(text.replace("CH4,25,28,27.9", "CH4,25,28,29.8"),
                                       encoding="utf-8")
    (folder / "citations.csv").write_bytes((DATA / "gwp" / "citations.csv").read_bytes())
    monkeypatch.setattr(build, "HERE", tmp_path)
    assert build.build_gwp() != (BUNDLED / "gwp.csv").read_bytes()


def test_every_bundled_table_is_accounted_for() -> None:
    package = json.loads((BUNDLED / "datapackage.json").read_text(encoding="utf-8"))
    listed = set(re.findall(r"^\| `([^`]+)` \|", (DATA / "README.md").read_text(
        encoding="utf-8"), flags=re.MULTILINE))
    paths = {r["path"] for r in package["resources"]}
    assert paths <= listed, sorted(paths - listed)
    build = _build_module()
    assert set(build.BUILDERS) <= paths
