"""trajectory's dask wrapper: no private import from klimacore._lazy, no import back into the
checks or their results (the cycle it closed is gone); the result class is the check's own."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import klimacore.trajectory._lazy as tlazy
from klimacore._lazy import stand_in


def _runtime_imports(module: object) -> list[tuple[str, str]]:
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text(encoding="utf-8"))
    type_only = {n.lineno for node in ast.walk(tree) if isinstance(node, ast.If)
                 and "TYPE_CHECKING" in ast.unparse(node.test)
                 for n in ast.walk(node) if hasattr(n, "lineno")}
    return [(node.module or "", a.name) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.lineno not in type_only
            for a in node.names]


def test_trajectory_lazy_imports_only_public_names_and_no_cycle() -> None:
    imports = _runtime_imports(tlazy)
    assert ("klimacore._lazy", "stand_in") in imports
    assert not [(m, n) for m, n in imports if m == "klimacore._lazy" and n.startswith("_")]
    assert not [m for m, _ in imports if m in ("klimacore.trajectory._result",
                                               "klimacore.trajectory._latest",
                                               "klimacore.trajectory._checks")]


def test_stand_in_keeps_labels_and_fills() -> None:
    da = xr.DataArray(np.arange(6.0).reshape(3, 2), dims=("m", "year"),
                      coords={"m": [1, 2, 3], "year": [2019, 2020]})
    small = stand_in(da, {"m": slice(0, 1)}, fill=0.0)
    assert small["m"].values.tolist() == [1] and small.values.tolist() == [[0.0, 0.0]]


def test_lazy_results_have_the_eager_class() -> None:
    pytest.importorskip("dask")
    from klimacore.trajectory import LatestCheck, TrajectoryCheck, check_trajectory, latest_verdicts

    years = np.arange(2019, 2025)
    e = xr.DataArray(np.linspace(100.0, 60.0, years.size)[None].repeat(2, 0),
                     dims=("municipality", "year"),
                     coords={"municipality": [101, 751], "year": years},
                     attrs={"gases": ["CO2", "CH4", "N2O"], "includes_lulucf": False})
    lazy = e.chunk({"municipality": 1})
    assert type(check_trajectory(lazy, "ipcc-ar6-c1-ghg")) is TrajectoryCheck
    assert type(latest_verdicts(lazy, "ipcc-ar6-c1-ghg", as_of=2024)) is LatestCheck


def test_example_round_moved_to_examples_with_deprecated_alias() -> None:
    import klimacore.monitoring as monitoring
    from klimacore import examples
    from klimacore.errors import KlimacoreDeprecationWarning

    assert "example_round" not in monitoring.__all__
    assert "example_round" in examples.__all__
    with pytest.warns(KlimacoreDeprecationWarning,
                      match="monitoring.example_round is deprecated since klimacore 0.2 .*"
                            "klimacore.examples.example_round"):
        old = monitoring.example_round
    assert old is examples.example_round
    with pytest.warns(KlimacoreDeprecationWarning):
        from klimacore.monitoring import example_round  # noqa: F401
    rd = examples.example_round()
    assert rd.illustrative and rd.round.municipality == 727
    with pytest.raises(AttributeError):
        monitoring.no_such_name  # noqa: B018
