"""The notebooks in docs/notebooks run top to bottom (jupytext MyST → nbclient), with figures."""

from __future__ import annotations

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "docs" / "notebooks").glob("*.md"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    nb = jupytext.read(path)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError naming the cell on any error
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "text/html" in kinds  # the rich reprs
    assert kinds & {"image/png", "image/svg+xml"}  # the figure


def test_walkthrough_without_shared_data_says_illustrative(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLIMACORE_SHARED_DATA", str(tmp_path))  # an empty folder: no accounts
    path = next(p for p in NOTEBOOKS if p.stem == "energi-co2-regnskab")
    nb = jupytext.read(path)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    first = "".join(o.get("text", "") for o in nb.cells[1].outputs
                    if o.get("name") == "stdout")
    assert first.startswith("ILLUSTRATIVE figures") and "2 municipalities" in first
