"""LMDI-I decomposition: the MONITORING.md §B.5 vector, zero and negative cases, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore.errors import MissingLabelError, ValidationError
from klimacore.monitoring import EFFECTS, decompose_emissions, emission_identity, lmdi, log_mean

YEARS = [2019, 2023]
CATS = ["district_heating", "natural_gas"]


def _da(rows: list[list[float]], cats: list[str] = CATS) -> xr.DataArray:
    return xr.DataArray(np.array(rows, dtype=float), dims=("year", "category"),
                        coords={"year": YEARS, "category": cats})


def _vector() -> tuple[xr.DataArray, xr.DataArray, xr.DataArray, xr.DataArray]:
    """Q, Q_i, E_i, C_i of the worked example (Q in 1000 m², E in MWh, C in t CO2)."""
    q = xr.DataArray([1000.0, 1100.0], dims="year", coords={"year": YEARS})
    s = _da([[0.60, 0.40], [0.75, 0.25]])
    i = _da([[100.0, 120.0], [90.0, 110.0]])
    f = _da([[0.10, 0.20], [0.06, 0.20]])
    qi = q * s
    e = qi * i
    c = e * f
    return q, qi, e, c


def test_log_mean_weights_of_the_vector() -> None:
    assert log_mean(4455.0, 6000.0) == pytest.approx(5189.223467, abs=1e-6)
    assert log_mean(6050.0, 9600.0) == pytest.approx(7688.895149, abs=1e-6)
    assert log_mean(10505.0, 15600.0) == pytest.approx(12885.047322, abs=1e-6)


def test_log_mean_near_equal_is_accurate() -> None:
    a = np.array([1.0, 1.0 + 1e-12, 1.0 + 1e-6, 1.0 + 2e-3])
    b = np.ones_like(a)
    exact = np.array([1.0, *[(x - 1.0) / math.log(x) if x != 1.0 else 1.0 for x in a[1:]]])
    # reference by high-order expansion of (x-1)/ln x around 1: 1 + d/2 - d²/12
    d = a - 1.0
    ref = 1 + d / 2 - d**2 / 12 + d**3 / 24
    np.testing.assert_allclose(log_mean(a, b), ref, rtol=1e-12)
    assert exact[0] == 1.0


def test_vector_additive_four_factors() -> None:
    q, qi, e, c = _vector()
    out = decompose_emissions(c, activity=q, sub_activity=qi, energy=e,
                              start=2019, end=2023, by_category=True)
    want = {"activity": 1227.415801, "structure": -2455.866872,
            "intensity": -1215.760615, "emission_factor": -2650.788314}
    got = out["additive"].to_series().to_dict()
    assert list(got) == list(EFFECTS)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, abs=1e-6)
    assert float(out["additive"].sum()) == pytest.approx(-5095.0, abs=1e-9)
    assert float(out["change"]) == pytest.approx(-5095.0, abs=1e-9)
    cat = out["additive_by_category"].sel(category="district_heating").to_series().to_dict()
    for k, v in {"activity": 494.585822, "structure": 1157.941753, "intensity": -546.739260,
                 "emission_factor": -2650.788314}.items():
        assert cat[k] == pytest.approx(v, abs=1e-6)
    assert float(out["additive_by_category"].sel(category="natural_gas",
                                                 effect="emission_factor")) == 0.0


def test_vector_multiplicative_and_link() -> None:
    q, qi, e, c = _vector()
    out = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=2019, end=2023)
    d = out["multiplicative"].to_series().to_dict()
    for k, v in {"activity": 1.09994362, "structure": 0.82646459, "intensity": 0.90996024,
                 "emission_factor": 0.81405616}.items():
        assert d[k] == pytest.approx(v, abs=1e-8)
    assert float(out["multiplicative"].prod()) == pytest.approx(10505 / 15600, rel=1e-12)
    lm = float(log_mean(10505.0, 15600.0))
    np.testing.assert_allclose(out["additive"], lm * np.log(out["multiplicative"]), rtol=1e-12)


def test_vector_three_factors_emission_intensity() -> None:
    q, qi, _, c = _vector()
    out = decompose_emissions(c, activity=q, sub_activity=qi, start=2019, end=2023)
    got = out["additive"].to_series().to_dict()
    assert got == pytest.approx({"activity": 1227.4158, "structure": -2455.8669,
                                 "intensity": -3866.5489}, abs=1e-4)


def test_dependency_free_reference_script() -> None:
    """The plain per-category loop of MONITORING.md §B.6, against the vectorized engine."""
    q, qi, e, c = _vector()
    effect = dict.fromkeys(EFFECTS, 0.0)
    for cat in CATS:
        c0, ct = float(c.sel(year=2019, category=cat)), float(c.sel(year=2023, category=cat))
        w = (ct - c0) / (math.log(ct) - math.log(c0))
        f = {y: (float(q.sel(year=y)), float(qi.sel(year=y, category=cat) / q.sel(year=y)),
                 float(e.sel(year=y, category=cat) / qi.sel(year=y, category=cat)),
                 float(c.sel(year=y, category=cat) / e.sel(year=y, category=cat)))
             for y in YEARS}
        for k, name in enumerate(EFFECTS):
            effect[name] += w * math.log(f[2023][k] / f[2019][k])
    out = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=2019, end=2023)
    for name in EFFECTS:
        assert float(out["additive"].sel(effect=name)) == pytest.approx(effect[name], abs=1e-9)


def test_category_appears_goes_to_structure_exactly() -> None:
    q, qi, e, c = _vector()
    # heat pumps: absent in 2019, 50 (1000 m²) × 40 MWh × 0.05 t/MWh in 2023
    hp_q = xr.DataArray([[0.0], [50.0]], dims=("year", "category"),
                        coords={"year": YEARS, "category": ["heat_pump"]})
    hp_e = hp_q * 40.0
    hp_c = hp_e * 0.05
    q2 = q + hp_q.sum("category")
    qi2 = xr.concat([qi, hp_q], "category")
    e2 = xr.concat([e, hp_e], "category")
    c2 = xr.concat([c, hp_c], "category")
    out = decompose_emissions(c2, activity=q2, sub_activity=qi2, energy=e2, start=2019,
                              end=2023, by_category=True)
    hp = out["additive_by_category"].sel(category="heat_pump").to_series().to_dict()
    assert hp == {"activity": 0.0, "structure": pytest.approx(100.0, abs=1e-12),
                  "intensity": 0.0, "emission_factor": 0.0}
    assert float(out["additive"].sum()) == pytest.approx(float(c2.sum("category").diff("year")[0]),
                                                         abs=1e-9)
    # and the reverse period: the whole end value leaves through structure (time reversal)
    back = decompose_emissions(c2, activity=q2, sub_activity=qi2, energy=e2, start=2023,
                               end=2019, by_category=True)
    np.testing.assert_allclose(back["additive"], -out["additive"], atol=1e-9)


def test_negative_category_kept_out_and_shown() -> None:
    q, _qi, _, c = _vector()
    lulucf = xr.DataArray([[-300.0], [-450.0]], dims=("year", "category"),
                          coords={"year": YEARS, "category": ["lulucf"]})
    c2 = xr.concat([c, lulucf], "category")
    share = c2 / c2.sum("category")
    out = lmdi(c2, {"activity": q, "share_times_intensity": c2 / q}, start=2019, end=2023)
    assert bool(out["excluded"].sel(category="lulucf"))
    assert float(out["excluded_change"]) == pytest.approx(-150.0)
    assert float(out["change"]) == pytest.approx(-5095.0)
    assert float(out["additive"].sum()) == pytest.approx(-5095.0, abs=1e-9)
    assert float(out["total_change"]) == pytest.approx(-5245.0)
    assert share.notnull().all()


def test_missing_value_is_no_data_not_zero() -> None:
    q, _qi, _e, c = _vector()
    c = c.copy()
    c[1, 1] = np.nan
    out = decompose_emissions(c, activity=q, start=2019, end=2023)
    assert out["additive"].isnull().all()
    assert np.isnan(float(out["change"]))


def test_bad_identity_and_missing_year_are_reported() -> None:
    q, qi, _e, c = _vector()
    with pytest.raises(ValidationError, match="product of the factors"):
        lmdi(c, {"activity": q, "structure": qi / q}, start=2019, end=2023)
    with pytest.raises(MissingLabelError, match="2020"):
        decompose_emissions(c, activity=q, start=2019, end=2020)


def test_chained_differs_from_single_period_and_is_labelled() -> None:
    q, qi, e, c = _vector()
    # MONITORING.md §B.4: a 2021 midpoint with every factor halfway between 2019 and 2023
    f = emission_identity(c, activity=q, sub_activity=qi, energy=e)
    mid = {k: (0.5 * (v.sel(year=2019) + v.sel(year=2023))).expand_dims(year=[2021])
           for k, v in f.items()}
    full = {k: xr.concat([v.sel(year=[2019]), mid[k], v.sel(year=[2023])], "year")
            for k, v in f.items()}
    value = full["activity"] * full["structure"] * full["intensity"] * full["emission_factor"]
    single = lmdi(value, full, start=2019, end=2023)
    chain = lmdi(value, full, start=2019, end=2023, chained=True)
    assert chain.attrs["chaining"] == "chained" and single.attrs["chaining"] == "single-period"
    assert float(chain["additive"].sum()) == pytest.approx(-5095.0, abs=1e-9)
    assert float(chain["multiplicative"].prod()) == pytest.approx(10505 / 15600, rel=1e-12)
    assert abs(float((chain["additive"] - single["additive"]).sel(effect="activity"))) > 1.0
    assert float(single["additive"].sel(effect="activity")) == pytest.approx(1227.42, abs=5e-3)


# --- hypothesis properties ---------------------------------------------------------------

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def _panels(draw: st.DrawFn) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray, xr.DataArray]:
    n_cat = draw(st.integers(1, 5))
    n_mun = draw(st.integers(1, 3))
    shape = (2, n_mun, n_cat)
    vals = draw(st.lists(positive, min_size=3 * 2 * n_mun * n_cat, max_size=3 * 2 * n_mun * n_cat))
    a = np.array(vals).reshape(3, *shape)
    zero = draw(st.lists(st.booleans(), min_size=n_cat * n_mun, max_size=n_cat * n_mun))
    qi = a[0].copy()
    mask = np.array(zero).reshape(n_mun, n_cat)
    mask[:, 0] = False  # at least one category present in both years
    qi[0][mask] = 0.0  # categories appearing in the end year
    dims = ("year", "municipality", "category")
    coords = {"year": [0, 1], "municipality": list(range(n_mun)), "category": list(range(n_cat))}
    q_i = xr.DataArray(qi, dims=dims, coords=coords)
    e = q_i * xr.DataArray(a[1], dims=dims, coords=coords)
    c = e * xr.DataArray(a[2], dims=dims, coords=coords)
    q = q_i.sum("category") + 1.0
    return q, q_i, e, c


@settings(max_examples=60, deadline=None)
@given(_panels())
def test_property_exact_sum(p: tuple[xr.DataArray, ...]) -> None:
    q, qi, e, c = p
    out = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=0, end=1)
    dc = c.sum("category").diff("year").squeeze("year", drop=True)
    np.testing.assert_allclose(out["additive"].sum("effect"), dc,
                               atol=1e-9 * float(abs(c).max()) + 1e-12)
    m = out["multiplicative"].prod("effect")
    ratio = c.sum("category").sel(year=1) / c.sum("category").sel(year=0)
    np.testing.assert_allclose(m, ratio, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(_panels())
def test_property_time_reversal(p: tuple[xr.DataArray, ...]) -> None:
    q, qi, e, c = p
    fwd = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=0, end=1)
    back = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=1, end=0)
    np.testing.assert_allclose(back["additive"], -fwd["additive"],
                               atol=1e-9 * float(abs(c).max()))
    np.testing.assert_allclose(back["multiplicative"] * fwd["multiplicative"], 1.0, rtol=1e-9)


@settings(max_examples=60, deadline=None)
@given(_panels(), st.floats(min_value=1e-6, max_value=1e6))
def test_property_unit_invariance(p: tuple[xr.DataArray, ...], k: float) -> None:
    q, qi, e, c = p
    a = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=0, end=1)
    b = decompose_emissions(c, activity=q * k, sub_activity=qi * k, energy=e, start=0, end=1)
    np.testing.assert_allclose(a["additive"], b["additive"], atol=1e-9 * float(abs(c).max()))


@settings(max_examples=60, deadline=None)
@given(_panels())
def test_property_additive_multiplicative_link(p: tuple[xr.DataArray, ...]) -> None:
    q, qi, e, c = p
    out = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=0, end=1)
    tot = c.sum("category")
    lm = xr.DataArray(log_mean(tot.sel(year=1).values, tot.sel(year=0).values),
                      dims="municipality")
    link = (lm * np.log(out["multiplicative"])).transpose(*out["additive"].dims)
    np.testing.assert_allclose(out["additive"], link, rtol=1e-9, atol=1e-9 * float(abs(c).max()))


def test_fast_path_equals_general_path() -> None:
    """The all-positive fast path (_plain_step) against the general one (_pair_effects)."""
    from klimacore.monitoring._lmdi import _pair_effects, _plain_step

    rng = np.random.default_rng(0)
    v0 = rng.uniform(0.1, 10, (4, 6))
    f0 = [rng.uniform(0.5, 2, (4, 1)), rng.uniform(0.5, 2, (4, 6))]
    f1 = [f0[0] * rng.uniform(0.9, 1.1, (4, 1)), f0[1] * rng.uniform(0.9, 1.1, (4, 6))]
    f1[1][0, 0] = f0[1][0, 0] * (1 + 1e-7)  # a near-equal pair uses the series
    f0.append(v0 / (f0[0] * f0[1]))
    f1.append(f0[2] * rng.uniform(0.8, 1.2, (4, 6)))
    vt = f1[0] * f1[1] * f1[2]
    general = _pair_effects(f0, f1, v0, vt, np.ones(v0.shape, dtype=bool))
    sums, per_cat = _plain_step(v0, vt, np.log(v0), np.log(vt),
                                [(np.log(a), np.log(b)) for a, b in zip(f0, f1, strict=True)],
                                True)
    np.testing.assert_allclose(sums, general.sum(-1), rtol=1e-12, atol=1e-12)
    assert per_cat is not None
    np.testing.assert_allclose(per_cat, general, rtol=1e-10, atol=1e-12)
    fast, _ = _plain_step(v0, vt, np.log(v0), np.log(vt),
                          [(np.log(a), np.log(b)) for a, b in zip(f0, f1, strict=True)], False)
    np.testing.assert_allclose(fast, sums, rtol=1e-13)


@settings(max_examples=40, deadline=None)
@given(_panels())
def test_property_categories_add_up(p: tuple[xr.DataArray, ...]) -> None:
    q, qi, e, c = p
    out = decompose_emissions(c, activity=q, sub_activity=qi, energy=e, start=0, end=1,
                              by_category=True)
    np.testing.assert_allclose(out["additive_by_category"].sum("category"), out["additive"],
                               rtol=1e-12, atol=1e-9 * float(abs(c).max()))
