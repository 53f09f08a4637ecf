"""The notebooks in docs/notebooks run top to bottom (jupytext MyST → nbclient), with figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

FOLDER = Path(__file__).resolve().parents[1] / "docs" / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.md"))


def _execute(path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("klimacore_notebooks", FOLDER / "execute.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.execute(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    nb = _execute(path)  # raises CellExecutionError naming the cell on any error
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "text/html" in kinds  # the rich reprs
    assert kinds & {"image/png", "image/svg+xml"}  # the figure


def test_walkthrough_without_shared_data_says_illustrative(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLIMACORE_SHARED_DATA", str(tmp_path))  # an empty folder: no accounts
    path = next(p for p in NOTEBOOKS if p.stem == "energi-co2-regnskab")
    nb = _execute(path)
    first = "".join(o.get("text", "") for o in nb.cells[1].outputs
                    if o.get("name") == "stdout")
    assert first.startswith("ILLUSTRATIVE figures") and "2 municipalities" in first
