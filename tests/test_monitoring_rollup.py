"""National roll-up: the published 76 % / 73 % / manko ≈ 3 points (Ea/CONCITO 2024, p. 9, 23)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from klimacore import reference
from klimacore.errors import AlignmentError, MissingLabelError, ProblemGroup
from klimacore.monitoring import NATIONAL_CAVEATS, national_rollup, rollup, status_counts

CODES = reference.municipalities()["code"].to_numpy()


def _split(total: float, weights: np.ndarray) -> np.ndarray:
    return total * weights / weights.sum()


def _published(n: int = 96, seed: int = 1) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    """96 municipalities whose sums are the published 78.6 / 18.8 / 21.4 Mt (in t)."""
    rng = np.random.default_rng(seed)
    codes = CODES[:n]
    e = _split(78.6e6, rng.uniform(0.2, 3.0, n))
    t = _split(18.8e6, rng.uniform(0.2, 3.0, n))
    a = _split(21.4e6, rng.uniform(0.2, 3.0, n))
    da = lambda v: xr.DataArray(v, dims="municipality", coords={"municipality": codes})  # noqa: E731
    return da(e), da(t), da(a)


def test_published_figures_reproduced() -> None:
    out = national_rollup(*_published())
    assert round(float(out["reduction_target_pct"])) == 76
    assert round(float(out["reduction_action_pct"])) == 73
    assert float(out["reduction_target_pct"]) == pytest.approx(76.081, abs=1e-3)
    assert float(out["reduction_action_pct"]) == pytest.approx(72.774, abs=1e-3)
    assert float(out["manko_t"]) == pytest.approx(2.6e6, rel=1e-9)
    assert round(float(out["manko_pp"])) == 3
    assert bool(out["target_over_fulfils"]) and bool(out["action_over_fulfils"])
    assert int(out["n_municipalities"]) == 96
    assert out.attrs["caveats"] == list(NATIONAL_CAVEATS)


def test_missing_municipality_is_named_not_filled() -> None:
    e, t, a = _published()
    a = a.copy()
    a[3] = np.nan
    out = national_rollup(e, t, a)
    assert int(out["n_municipalities"]) == 95
    assert out.attrs["missing"] == [int(CODES[3])]
    assert float(out["sum_1990_t"]) == pytest.approx(78.6e6 - float(e[3]))


def test_threshold_not_met_and_draws() -> None:
    e, t, a = _published()
    draws = xr.concat([a, a * 1.3], "draw")
    out = national_rollup(e, t, draws)
    assert out["action_over_fulfils"].values.tolist() == [True, False]


def test_alignment_is_exact() -> None:
    e, t, a = _published()
    with pytest.raises(AlignmentError):
        national_rollup(e, t, a.isel(municipality=slice(1, None)))


def test_region_rollup_sums_to_denmark_and_keeps_missing() -> None:
    e = xr.DataArray(np.arange(98.0) + 1, dims="municipality", coords={"municipality": CODES})
    reg = rollup(e)
    assert sorted(reg["region"].values.tolist()) == [1081, 1082, 1083, 1084, 1085]
    assert float(reg.sum()) == float(rollup(e, level="denmark")) == float(e.sum())
    e2 = e.copy()
    e2.loc[{"municipality": 101}] = np.nan
    assert np.isnan(float(rollup(e2).sel(region=1084)))
    assert not np.isnan(float(rollup(e2).sel(region=1081)))
    with pytest.raises(MissingLabelError, match="999"):
        rollup(xr.DataArray([1.0], dims="municipality", coords={"municipality": [999]}))


def test_status_counts_denmark() -> None:
    s = xr.DataArray(np.where(np.arange(98) % 3 == 0, "off track", "on track"),
                     dims="municipality", coords={"municipality": CODES})
    counts = status_counts(s, level="denmark").set_index("status")["n"].to_dict()
    assert counts == {"off track": 33, "on track": 65}


def test_negative_1990_emissions_one_problem_per_municipality() -> None:
    years = {"municipality": [101, 147, 751]}
    e = xr.DataArray([-1.0, 5.0, -2.0], dims="municipality", coords=years)
    ok = xr.DataArray([1.0, 1.0, 1.0], dims="municipality", coords=years)
    with pytest.raises(ProblemGroup, match="municipality 751") as group:
        national_rollup(e, ok, ok)
    assert [(x.code, x.label, x.location) for x in group.value.exceptions] == [
        ("monitoring.negative_1990", 101, "municipality 101"),
        ("monitoring.negative_1990", 751, "municipality 751")]
