"""Tests for klimacore.mrio: accounts against pymrio, invariants, errors, readers, converters."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore.errors import (
    DataError,
    MissingLabelError,
    UnknownGasError,
    ValidationError,
)
from klimacore.mrio import ConvergenceError, IOSystem, from_pymrio, read_exiobase3

VARS = ("D_cba", "D_pba", "D_imp", "D_exp", "D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg")
RTOL = 1e-9


# --- helpers ------------------------------------------------------------------------------
def random_frames(seed: int, R: int = 3, N: int = 4, C: int = 2, k: int = 2, *,
                  fy: bool = True, density: float = 0.6) -> dict[str, Any]:
    """A consistent random system (x = Z·1 + Y·1, A's column sums < 0.8), with negative
    inventory changes in the last final-demand category."""
    rng = np.random.default_rng(seed)
    n = R * N
    regions = [f"r{i}" for i in range(R)]
    sectors = [f"s{i}" for i in range(N)]
    cats = [f"c{i}" for i in range(C)]
    idx = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([regions, cats], names=["region", "category"])
    Z = rng.random((n, n)) * (rng.random((n, n)) < density)
    ytot = rng.uniform(1.3, 3.0, n) * np.maximum(Z.sum(axis=0), 0.1)
    share = rng.random((n, R * C)) + 0.05
    last = np.arange(R) * C + C - 1
    if C > 1:
        share[:, last] *= 0.1  # changes in inventories: small, some negative below
    share /= share.sum(axis=1, keepdims=True)
    Y = share * ytot[:, None]
    if C > 1:
        Y[:, last] *= np.where(rng.random((n, R)) < 0.3, -0.5, 1.0)
    F = rng.lognormal(0.0, 1.0, (k, n)) * (rng.random((k, n)) < 0.8)
    stressors = pd.Index([f"e{i}" for i in range(k)], name="stressor")
    out: dict[str, Any] = {
        "Z": pd.DataFrame(Z, index=idx, columns=idx),
        "Y": pd.DataFrame(Y, index=idx, columns=ycols),
        "F": pd.DataFrame(F, index=stressors, columns=idx),
    }
    if fy:
        FY = np.zeros((k, R * C))
        FY[:, ::C] = rng.random((k, R)) * 5
        out["F_Y"] = pd.DataFrame(FY, index=stressors, columns=ycols)
    return out


def pymrio_accounts(frames: dict[str, Any], population: Any = None) -> Any:
    pymrio = pytest.importorskip("pymrio")
    ext = {"name": "stressors", "F": frames["F"]}
    if frames.get("F_Y") is not None:
        ext["F_Y"] = frames["F_Y"]
    pio = pymrio.IOSystem(Z=frames["Z"], Y=frames["Y"], population=population, stressors=ext)
    pio.calc_all()
    return pio


def assert_accounts_equal(ds: Any, ext: Any, names: tuple[str, ...] = VARS) -> None:
    for v in names:
        if v not in ds:
            continue
        ref = getattr(ext, v).to_numpy()
        got = ds[v].to_numpy().reshape(ref.shape)
        scale = np.abs(ref).max(axis=1, keepdims=True)
        scale[scale == 0] = 1.0
        np.testing.assert_allclose(got / scale, ref / scale, rtol=RTOL, atol=RTOL, err_msg=v)
        # and elementwise where the entries are not tiny
        big = np.abs(ref) > 1e-6 * scale
        np.testing.assert_allclose(got[big], ref[big], rtol=RTOL, err_msg=v)


# --- pymrio's test system ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def pymrio_test() -> Any:
    pymrio = pytest.importorskip("pymrio")
    return pymrio.load_test().calc_all()


@pytest.mark.parametrize("extension", ["emissions", "factor_inputs"])
@pytest.mark.parametrize("strategy", ["rows", "columns"])
def test_accounts_equal_pymrio_load_test(pymrio_test: Any, extension: str, strategy: str) -> None:
    import pymrio

    io = from_pymrio(pymrio.load_test(), extensions=extension)
    ds = io.accounts(strategy=strategy)
    ext = getattr(pymrio_test, extension)
    assert_accounts_equal(ds, ext)
    assert_accounts_equal(ds, ext, ("D_cba_cap", "D_pba_cap", "D_imp_cap", "D_exp_cap"))
    np.testing.assert_allclose(io.M.to_numpy(), ext.M.to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(io.S.to_numpy(), ext.S.to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(io.x.to_numpy(), pymrio_test.x.to_numpy()[:, 0], rtol=RTOL)
    np.testing.assert_allclose(io.A.to_numpy(), pymrio_test.A.to_numpy(), rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(io.L.to_numpy(), pymrio_test.L.to_numpy(), rtol=1e-8, atol=1e-14)
    assert list(ds["region"].values) == list(pymrio_test.get_regions())
    assert list(ds["stressor"].values) == io.stressors


def test_region_level_equals_pymrio(pymrio_test: Any) -> None:
    import pymrio

    io = from_pymrio(pymrio.load_test(), extensions="emissions")
    ds = io.accounts(level="region")
    assert "D_cba" not in ds and ds["D_cba_reg"].dims == ("stressor", "region")
    assert_accounts_equal(ds, pymrio_test.emissions)
    assert ds.attrs["residual"] < 1e-12


def test_load_test_labels_and_units(pymrio_test: Any) -> None:
    import pymrio

    io = from_pymrio(pymrio.load_test())
    assert io.stressors[:2] == ["Value Added", "emission_type1 - air"] or "Value Added" in \
        io.stressors
    assert io.monetary_unit == "Mill USD"
    assert io.unit is not None and io.unit["emission_type1 - air"] == "kg"
    assert io.population is not None and io.population["reg1"] > 0


# --- random systems against pymrio ---------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), R=st.integers(1, 4), N=st.integers(1, 5),
       C=st.integers(1, 3), k=st.integers(1, 3), fy=st.booleans())
def test_random_systems_equal_pymrio(seed: int, R: int, N: int, C: int, k: int,
                                     fy: bool) -> None:
    pytest.importorskip("pymrio")
    frames = random_frames(seed, R, N, C, k, fy=fy)
    pop = pd.DataFrame([np.arange(1.0, R + 1) * 1000], index=["population"],
                       columns=frames["Z"].index.get_level_values(0).unique())
    pio = pymrio_accounts(frames, population=pop)
    io = IOSystem(**frames, population=pop)
    for strategy in ("rows", "columns"):
        ds = io.accounts(strategy=strategy)
        assert_accounts_equal(ds, pio.stressors)
        assert_accounts_equal(ds, pio.stressors, ("D_cba_cap", "D_pba_cap"))
    assert_accounts_equal(io.accounts(level="region"), pio.stressors)


def test_larger_random_system_equals_pymrio() -> None:
    frames = random_frames(7, R=6, N=15, C=3, k=4, density=0.3)
    pio = pymrio_accounts(frames)
    io = IOSystem(**frames)
    assert_accounts_equal(io.accounts(), pio.stressors)
    assert_accounts_equal(io.accounts(strategy="columns"), pio.stressors)
    ds = io.accounts(solver="iterative", tol=1e-13)
    for v in VARS:
        ref = getattr(pio.stressors, v).to_numpy()
        np.testing.assert_allclose(ds[v].to_numpy().reshape(ref.shape), ref,
                                   rtol=1e-8, atol=1e-9 * np.abs(ref).max())
    assert ds.attrs["residual"] <= 1e-13 and ds.attrs["iterations"] > 0


def test_memory_order_and_row_order_do_not_matter() -> None:
    frames = random_frames(3)
    base = IOSystem(**frames).accounts()
    Zf = frames["Z"]
    fortran = pd.DataFrame(np.asfortranarray(Zf.to_numpy()), index=Zf.index, columns=Zf.index)
    shuffled = dict(frames, Z=fortran, Y=frames["Y"].iloc[::-1],
                    F=frames["F"].iloc[:, ::-1], F_Y=frames["F_Y"].iloc[:, ::-1])
    other = IOSystem(**shuffled).accounts()
    for v in VARS:
        np.testing.assert_allclose(other[v], base[v], rtol=1e-12, atol=1e-12)


def test_inputs_are_not_modified() -> None:
    frames = random_frames(4)
    before = {k: v.copy() for k, v in frames.items()}
    io = IOSystem(**frames)
    io.accounts()
    io.accounts(solver="iterative")
    io.aggregate(sectors=dict.fromkeys(io.sectors, "all"))
    for k, v in frames.items():
        pd.testing.assert_frame_equal(v, before[k])


# --- invariants (no pymrio needed) ----------------------------------------------------------
def _system_from_A(A: np.ndarray[Any, Any], Y: pd.DataFrame, S: np.ndarray[Any, Any],
                   idx: pd.Index, stressors: pd.Index) -> IOSystem:
    x = np.linalg.solve(np.eye(len(A)) - A, Y.to_numpy().sum(axis=1))
    F = pd.DataFrame(S * x, index=stressors, columns=idx)
    return IOSystem(A=pd.DataFrame(A, index=idx, columns=idx), Y=Y, F=F)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), R=st.integers(1, 4), N=st.integers(1, 4),
       c=st.floats(0.1, 10.0))
def test_accounts_are_linear_in_final_demand(seed: int, R: int, N: int, c: float) -> None:
    f1 = random_frames(seed, R, N, C=2, k=2, fy=False)
    f2 = random_frames(seed + 1, R, N, C=2, k=2, fy=False)
    io1 = IOSystem(**f1)
    A = io1.A.to_numpy()
    S = io1.S.to_numpy()
    Y1 = f1["Y"]
    Y2 = f2["Y"].abs()
    idx, st_idx = f1["Z"].index, f1["F"].index
    a1 = _system_from_A(A, Y1, S, idx, st_idx).accounts()
    a2 = _system_from_A(A, Y2, S, idx, st_idx).accounts()
    a12 = _system_from_A(A, Y1 + c * Y2, S, idx, st_idx).accounts()
    for v in VARS:
        expect = a1[v] + c * a2[v]
        scale = float(abs(expect).max()) or 1.0
        np.testing.assert_allclose(a12[v] / scale, expect / scale, atol=1e-10, err_msg=v)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), R=st.integers(1, 5), N=st.integers(1, 4),
       k=st.integers(1, 3))
def test_conservation_and_trade_balance(seed: int, R: int, N: int, k: int) -> None:
    frames = random_frames(seed, R, N, C=2, k=k)
    io = IOSystem(**frames)
    ds = io.accounts()
    F_total = frames["F"].to_numpy().sum(axis=1)
    FY_total = frames["F_Y"].to_numpy().sum(axis=1)
    tol = dict(rtol=1e-9, atol=1e-9 * float(F_total.max() + FY_total.max()))
    # everything emitted is attributed to some final demand
    np.testing.assert_allclose(ds["D_cba_reg"].sum("region"), F_total + FY_total, **tol)
    np.testing.assert_allclose(ds["D_pba_reg"].sum("region"), F_total + FY_total, **tol)
    # production-based = direct emissions by region (+ F_Y)
    F_reg = frames["F"].T.groupby(level="region", sort=False).sum().T.to_numpy()
    FY_reg = frames["F_Y"].T.groupby(level="region", sort=False).sum().T.to_numpy()
    np.testing.assert_allclose(ds["D_pba_reg"], F_reg + FY_reg, **tol)
    np.testing.assert_allclose(ds["D_pba"].sum("sector"), F_reg, **tol)
    # trade balance: D_cba − D_pba = D_imp − D_exp in every region
    np.testing.assert_allclose(ds["D_cba_reg"] - ds["D_pba_reg"],
                               ds["D_imp_reg"] - ds["D_exp_reg"], **tol)
    assert float(ds["D_imp_reg"].sum() - ds["D_exp_reg"].sum()) == pytest.approx(
        0.0, abs=tol["atol"] * 10)
    # region totals are the sector accounts summed (+ F_Y for cba and pba)
    np.testing.assert_allclose(ds["D_cba"].sum("sector") + FY_reg, ds["D_cba_reg"], **tol)
    np.testing.assert_allclose(ds["D_imp"].sum("sector"), ds["D_imp_reg"], **tol)
    np.testing.assert_allclose(ds["D_exp"].sum("sector"), ds["D_exp_reg"], **tol)
    # the cheap region path gives the same totals
    reg = io.accounts(level="region")
    for v in ("D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg"):
        np.testing.assert_allclose(reg[v], ds[v], **tol)
    # a single region imports and exports nothing
    if R == 1:
        assert float(abs(ds["D_imp_reg"]).max()) == 0.0


def test_hand_checked_two_sector_system() -> None:
    idx = pd.MultiIndex.from_product([["A"], ["x", "y"]])
    Z = pd.DataFrame([[0.0, 5.0], [2.0, 0.0]], index=idx, columns=idx)
    Y = pd.DataFrame([[5.0], [8.0]], index=idx,
                     columns=pd.MultiIndex.from_tuples([("A", "hh")]))
    F = pd.DataFrame([[10.0, 20.0]], index=["CO2"], columns=idx)
    io = IOSystem(Z=Z, Y=Y, F=F)
    assert io.x.tolist() == [10.0, 10.0]
    # A = [[0, .5], [.2, 0]], L = 1/0.9 [[1, .5], [.2, 1]], S = [1, 2]
    np.testing.assert_allclose(io.M.to_numpy(), [[(1 + 0.4) / 0.9, (0.5 + 2) / 0.9]])
    ds = io.accounts()
    np.testing.assert_allclose(ds["D_cba"].to_numpy().ravel(), [5 * 1.4 / 0.9, 8 * 2.5 / 0.9])
    assert ds["D_cba_reg"].item() == pytest.approx(30.0)


# --- zero output, characterisation, population ------------------------------------------------
def test_zero_output_sector_has_zero_columns_like_pymrio() -> None:
    frames = random_frames(11, R=2, N=3, C=1, k=1, fy=False)
    Z, Y, F = frames["Z"].copy(), frames["Y"].copy(), frames["F"].copy()
    dead = ("r1", "s2")
    Z.loc[dead, :] = 0.0
    Z.loc[:, dead] = 0.0
    Y.loc[dead, :] = 0.0
    F.loc[:, dead] = 0.0
    io = IOSystem(Z=Z, Y=Y, F=F)
    assert io.x[dead] == 0.0
    assert (io.A[dead] == 0).all() and (io.S[dead] == 0).all()
    pio = pymrio_accounts({"Z": Z, "Y": Y, "F": F})
    assert_accounts_equal(io.accounts(), pio.stressors)


def test_gwp_characterisation() -> None:
    frames = random_frames(5, R=2, N=2, C=1, k=3, fy=True)
    names = pd.Index(["CO2 - air", "CH4 - air", "N2O - air"], name="stressor")
    frames["F"].index = names
    frames["F_Y"].index = names
    io = IOSystem(**frames, unit={"CO2 - air": "kg", "CH4 - air": "kg", "N2O - air": "g"})
    raw = io.accounts()
    ghg = io.accounts(characterization={"CO2 - air": "CO2", "CH4 - air": "CH4",
                                        "N2O - air": "N2O"}, gwp_metric="AR6GWP100")
    assert list(ghg["stressor"].values) == ["GHG"]
    assert ghg.attrs["gwp_metric"] == "AR6GWP100"
    assert str(ghg["unit"].to_numpy()[0]) == "kg CO2e"
    w = np.array([1.0, 27.9, 273.0 / 1000])  # AR6 GWP100; N2O given in g, result in kg
    for v in VARS:
        expect = np.tensordot(w, raw[v].to_numpy(), axes=1)
        np.testing.assert_allclose(ghg[v].to_numpy()[0], expect, rtol=1e-12)
    C = pd.DataFrame([[1.0, 0.0, 2.0]], index=["custom"], columns=names)
    cust = io.accounts(characterization=C)
    np.testing.assert_allclose(cust["D_cba_reg"].to_numpy()[0],
                               raw["D_cba_reg"].to_numpy()[0] + 2 * raw["D_cba_reg"].to_numpy()[2])
    with pytest.raises(MissingLabelError, match="'CO3'"):
        io.accounts(characterization={"CO3": "CO2"})
    with pytest.raises(UnknownGasError, match="XYZ"):
        io.accounts(characterization={"CO2 - air": "XYZ"})


def test_gwp_metric_checked_up_front_and_co2e_through_units(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from klimacore import units
    from klimacore.errors import UnknownMetricError
    from klimacore.mrio import _characterize

    frames = random_frames(6, R=2, N=2, C=1, k=2, fy=False)
    frames["F"].index = pd.Index(["CO2 - air", "CH4 - air"], name="stressor")
    io = IOSystem(**frames)
    # a wrong metric fails even without a characterization (no gas is looked up then)
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        io.accounts(gwp_metric="AR7GWP100")
    # the CO2e factors are those of units.to_co2e, the one CO2e path
    calls: list[str] = []

    def spy(amount: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(str(kwargs.get("gwp_metric")))
        return units.to_co2e(amount, *args, **kwargs)

    monkeypatch.setattr(_characterize, "to_co2e", spy)
    ghg = io.accounts(characterization={"CO2 - air": "CO2", "CH4 - air": "CH4"},
                      gwp_metric="AR4GWP100", level="region")
    assert calls == ["AR4GWP100"] and ghg.attrs["gwp_metric"] == "AR4GWP100"
    raw = io.accounts(level="region")
    expect = raw["D_cba_reg"].to_numpy()[0] + 25.0 * raw["D_cba_reg"].to_numpy()[1]
    np.testing.assert_allclose(ghg["D_cba_reg"].to_numpy()[0], expect, rtol=1e-12)


@pytest.mark.parametrize("level", ["sector", "region"])
@pytest.mark.parametrize("strategy", ["rows", "columns"])
def test_progress_inside_one_solve(level: str, strategy: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    frames = random_frames(7, R=12, N=3, C=2, k=15)
    io = IOSystem(**frames)
    seen: list[tuple[int, int]] = []
    got = io.accounts(level=level, strategy=strategy,  # type: ignore[arg-type]
                      progress=lambda done, total: seen.append((done, total)))
    total = seen[-1][1]
    assert [d for d, _ in seen] == list(range(1, total + 1))  # one step at a time, to the end
    assert all(t == total for _, t in seen)
    if level == "sector":  # the factorisation, L·Yr, then the blocks of right-hand sides
        assert total == (5 if strategy == "rows" else 3)
    else:
        assert total == 2
    quiet = io.accounts(level=level, strategy=strategy)  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""  # off by default when nobody is watching
    for v in got.data_vars:
        np.testing.assert_array_equal(got[v], quiet[v])


def test_per_capita() -> None:
    frames = random_frames(6, R=3, N=2)
    io = IOSystem(**frames)
    pop = {"r0": 10.0, "r1": 20.0, "r2": 40.0}
    ds = io.accounts(population=pop)
    np.testing.assert_allclose(ds["D_cba_cap"], ds["D_cba_reg"] / np.array([10.0, 20.0, 40.0]))
    with pytest.raises(MissingLabelError, match="'r2'"):
        io.accounts(population={"r0": 1.0, "r1": 2.0})
    with pytest.raises(ValidationError, match="'r1'"):
        io.accounts(population={"r0": 1.0, "r1": 0.0, "r2": 3.0})


# --- errors that name labels ----------------------------------------------------------------
def test_negative_flow_is_named() -> None:
    frames = random_frames(1)
    frames["Z"].loc[("r1", "s2"), ("r0", "s1")] = -1.0
    with pytest.raises(ValidationError, match=r"r1 - s2.*r0 - s1|'r1 - s2', 'r0 - s1'") as exc:
        IOSystem(**frames)
    assert "negative" in str(exc.value)
    IOSystem(**frames, allow_negative=True)  # accepted when asked


def test_label_problems_are_reported_together() -> None:
    frames = random_frames(2)
    frames["Y"] = frames["Y"].drop(index=("r2", "s3"))
    frames["F"] = frames["F"].rename(columns={"s1": "s9"}, level=1)
    with pytest.raises(ValidationError) as exc:
        IOSystem(**frames)
    msg = str(exc.value)
    assert len(exc.value.problems) >= 2
    assert "r2 - s3" in msg and "s9" in msg


def test_missing_values_are_located() -> None:
    frames = random_frames(2)
    frames["Y"].iloc[4, 1] = np.nan
    with pytest.raises(ValidationError, match=r"Y has 1 missing.*r1 - s0.*r0 - c1"):
        IOSystem(**frames)


def test_regions_of_final_demand_must_match() -> None:
    frames = random_frames(2)
    frames["Y"] = frames["Y"].rename(columns={"r1": "rX"}, level=0)
    with pytest.raises(ValidationError, match=r"'r1'.*'rX'"):
        IOSystem(**frames)


def test_zero_output_with_stressors_is_an_error() -> None:
    frames = random_frames(11, R=2, N=3, C=1, k=1, fy=False)
    dead = ("r0", "s1")
    frames["Z"].loc[dead, :] = 0.0
    frames["Z"].loc[:, dead] = 0.0
    frames["Y"].loc[dead, :] = 0.0
    frames["F"].loc[:, dead] = 1.0
    with pytest.raises(ValidationError, match=r"zero output but stressors.*r0 - s1"):
        IOSystem(**frames)


def test_singular_leontief_names_sectors() -> None:
    idx = pd.MultiIndex.from_product([["A"], ["x", "y", "z"]])
    A = pd.DataFrame([[0.0, 1.0, 0.1], [1.0, 0.0, 0.1], [0.0, 0.0, 0.1]], index=idx,
                     columns=idx)
    Y = pd.DataFrame([[1.0], [1.0], [1.0]], index=idx,
                     columns=pd.MultiIndex.from_tuples([("A", "hh")]))
    F = pd.DataFrame([[1.0, 1.0, 1.0]], index=["CO2"], columns=idx)
    with pytest.raises(ValidationError, match=r"singular.*'A - x', 'A - y'"):
        IOSystem(A=A, Y=Y, F=F)


def test_required_inputs() -> None:
    frames = random_frames(1)
    with pytest.raises(ValidationError, match="exactly one of Z"):
        IOSystem(Y=frames["Y"], F=frames["F"])
    with pytest.raises(ValidationError, match=r"F .stressors. is required"):
        IOSystem(Z=frames["Z"], Y=frames["Y"])
    flat = frames["Z"].copy()
    flat.index = [f"{r}{s}" for r, s in flat.index]
    with pytest.raises(ValidationError, match="2-level"):
        IOSystem(Z=flat, Y=frames["Y"], F=frames["F"])
    with pytest.raises(ValidationError, match="level must be"):
        IOSystem(**frames).accounts(level="country")  # type: ignore[arg-type]


def test_iterative_solver_reports_and_raises() -> None:
    frames = random_frames(9, R=3, N=3)
    io = IOSystem(**frames)
    ds = io.accounts(solver="iterative", tol=1e-12)
    direct = io.accounts()
    for v in VARS:
        np.testing.assert_allclose(ds[v], direct[v], rtol=1e-8, atol=1e-9 * float(
            abs(direct[v]).max()))
    assert ds.attrs["residual"] <= 1e-12 and ds.attrs["tol"] == 1e-12
    assert "block-Jacobi" in ds.attrs["solver"]
    with pytest.raises(ConvergenceError, match="residual"):
        io.accounts(solver="iterative", tol=1e-30, maxiter=2)


def test_iterative_gmres_fallback_when_the_series_is_too_slow() -> None:
    # column sums 0.999: the Neumann series would need ~30 000 terms; GMRES finishes the job
    idx = pd.MultiIndex.from_product([["A", "B"], ["x", "y"]])
    A = np.array([[0.2, 0.5, 0.1, 0.0], [0.5, 0.3, 0.0, 0.5], [0.299, 0.0, 0.4, 0.2],
                  [0.0, 0.199, 0.499, 0.299]])
    np.testing.assert_allclose(A.sum(axis=0), 0.999)
    Y = pd.DataFrame(np.ones((4, 2)), index=idx,
                     columns=pd.MultiIndex.from_product([["A", "B"], ["hh"]]))
    x = np.linalg.solve(np.eye(4) - A, Y.to_numpy().sum(axis=1))
    assert (x > 0).all()
    F = pd.DataFrame([x * 0.5], index=["CO2"], columns=idx)
    io = IOSystem(A=pd.DataFrame(A, index=idx, columns=idx), Y=Y, F=F)
    it = io.accounts(solver="iterative", tol=1e-11, maxiter=200)
    np.testing.assert_allclose(it["D_cba"], io.accounts()["D_cba"], rtol=1e-8)
    assert "GMRES" in it.attrs["solver"]


# --- aggregation ---------------------------------------------------------------------------
def test_aggregation_conserves_totals_and_matches_pymrio() -> None:
    frames = random_frames(21, R=4, N=3, C=2, k=2)
    io = IOSystem(**frames, population={"r0": 1.0, "r1": 2.0, "r2": 3.0, "r3": 4.0})
    regions = {"r0": "north", "r1": "south", "r2": "north", "r3": "south"}
    conc = pd.DataFrame([[1, 0], [1, 0], [0, 1]], index=["s0", "s1", "s2"],
                        columns=["goods", "services"])
    agg = io.aggregate(regions=regions, sectors=conc)
    assert agg.regions == ["north", "south"] and agg.sectors == ["goods", "services"]
    for attr in ("Z", "Y", "F", "F_Y"):
        assert float(getattr(agg, attr).to_numpy().sum()) == pytest.approx(
            float(getattr(io, attr).to_numpy().sum()), rel=1e-12)
    assert float(agg.x.sum()) == pytest.approx(float(io.x.sum()), rel=1e-12)
    assert agg.population is not None and agg.population.tolist() == [4.0, 6.0]
    a, b = io.accounts(), agg.accounts()
    for v in ("D_cba_reg", "D_pba_reg"):
        assert float(b[v].sum()) == pytest.approx(float(a[v].sum()), rel=1e-10)
    # production-based totals of merged regions add up exactly (footprints change: merging
    # regions merges their industries, which changes the multipliers — aggregation bias)
    ragg = io.aggregate(regions=regions).accounts()
    grouped = a["D_pba_reg"].groupby(xr_groups(a, regions)).sum()
    np.testing.assert_allclose(ragg["D_pba_reg"].sel(region=["north", "south"]).to_numpy(),
                               grouped.sel(group=["north", "south"]).transpose(
                                   "stressor", "group").to_numpy(), rtol=1e-10)
    # against pymrio's own aggregation
    pymrio = pytest.importorskip("pymrio")
    unit = pd.DataFrame({"unit": "M.EUR"}, index=frames["Z"].index)
    pio = pymrio.IOSystem(Z=frames["Z"], Y=frames["Y"], unit=unit,
                          stressors={"name": "s", "F": frames["F"], "F_Y": frames["F_Y"]})
    pio.calc_all()
    pio.aggregate(region_agg=[regions[r] for r in io.regions],
                  sector_agg=["goods", "goods", "services"])
    pio.reset_all_full()  # recompute the accounts from the aggregated system, as klimacore does
    pio.calc_all()
    for v in ("D_cba_reg", "D_pba_reg", "D_imp_reg", "D_exp_reg"):
        ref = getattr(pio.stressors, v)[agg.regions].to_numpy()
        np.testing.assert_allclose(b[v].to_numpy(), ref, rtol=1e-9)


def xr_groups(ds: Any, mapping: dict[str, str]) -> Any:
    import xarray as xr

    return xr.DataArray([mapping[r] for r in ds["region"].to_numpy()], dims="region",
                        coords={"region": ds["region"].to_numpy()}, name="group")


def test_aggregation_errors_name_labels() -> None:
    io = IOSystem(**random_frames(2))
    with pytest.raises(MissingLabelError, match="'r2'"):
        io.aggregate(regions={"r0": "a", "r1": "a"})
    with pytest.raises(ValidationError, match="'r9'"):
        io.aggregate(regions={"r0": "a", "r1": "a", "r2": "b", "r9": "b"})
    bad = pd.DataFrame([[1, 1], [1, 0], [0, 1], [0, 1]], index=io.sectors, columns=["a", "b"])
    with pytest.raises(ValidationError, match=r"exactly one group.*'s0'"):
        io.aggregate(sectors=bad)


# --- conversions ---------------------------------------------------------------------------
def test_xarray_round_trip() -> None:
    frames = random_frames(8)
    io = IOSystem(**frames, unit={"e0": "kg", "e1": "t"}, population={"r0": 1, "r1": 2, "r2": 3},
                  name="demo", monetary_unit="M.EUR")
    ds = io.to_xarray()
    assert ds["A"].dims == ("region", "sector", "region_to", "sector_to")
    back = IOSystem.from_xarray(ds)
    assert back.name == "demo" and back.monetary_unit == "M.EUR"
    assert back.unit is not None and back.unit.to_dict() == {"e0": "kg", "e1": "t"}
    for v in VARS:
        np.testing.assert_allclose(back.accounts()[v], io.accounts()[v], rtol=1e-12)
    with pytest.raises(ValidationError, match="'Y' is missing"):
        IOSystem.from_xarray(ds.drop_vars("Y"))


def test_pymrio_round_trip() -> None:
    pytest.importorskip("pymrio")
    frames = random_frames(12)
    io = IOSystem(**frames, unit={"e0": "kg", "e1": "kg"}, population={"r0": 1, "r1": 2,
                                                                      "r2": 3})
    pio = io.to_pymrio()
    pio.calc_all()
    assert_accounts_equal(io.accounts(), pio.stressors)
    back = from_pymrio(pio)
    np.testing.assert_allclose(back.accounts()["D_cba"], io.accounts()["D_cba"], rtol=1e-12)
    with pytest.raises(MissingLabelError, match="'nope'"):
        from_pymrio(pio, extensions="nope")


# --- EXIOBASE 3 reader -------------------------------------------------------------------------
def _write_exiobase(io: IOSystem, files: dict[str, str]) -> None:
    """Write ``io`` in the EXIOBASE 3 text layout, line by line (not with pandas)."""

    def num(v: float) -> str:
        return repr(float(v))

    regs = [r for r, _ in io.index]
    secs = [s for _, s in io.index]
    yregs = [r for r, _ in io.Y.columns]
    ycats = [c for _, c in io.Y.columns]

    def matrix(row_labels: list[tuple[str, ...]], index_names: list[str], top: tuple[str, list[str]],
               second: tuple[str, list[str]], values: np.ndarray[Any, Any]) -> str:
        pad = [""] * (len(index_names) - 1)
        lines = ["\t".join([top[0], *pad, *top[1]]), "\t".join([second[0], *pad, *second[1]]),
                 "\t".join([*index_names, *([""] * values.shape[1])])]
        for lab, row in zip(row_labels, values, strict=True):
            lines.append("\t".join([*lab, *map(num, row)]))
        return "\n".join(lines) + "\n"

    rows = [(r, s) for r, s in io.index]
    files["A.txt"] = matrix(rows, ["region", "sector"], ("region", regs), ("sector", secs),
                            io.A.to_numpy())
    files["Y.txt"] = matrix(rows, ["region", "sector"], ("region", yregs), ("category", ycats),
                            io.Y.to_numpy())
    files["x.txt"] = "region\tsector\tindout\n" + "".join(
        f"{r}\t{s}\t{num(v)}\n" for (r, s), v in io.x.items())
    files["unit.txt"] = "region\tsector\tunit\n" + "".join(f"{r}\t{s}\tM.EUR\n" for r, s in rows)
    srows = [(s,) for s in io.stressors]
    files["satellite/F.txt"] = matrix(srows, ["stressor"], ("region", regs), ("sector", secs),
                                      io.F.to_numpy())
    assert io.F_Y is not None
    files["satellite/F_Y.txt"] = matrix(srows, ["stressor"], ("region", yregs),
                                        ("category", ycats), io.F_Y.to_numpy())
    assert io.unit is not None
    files["satellite/unit.txt"] = "stressor\tunit\n" + "".join(
        f"{s}\t{u}\n" for s, u in io.unit.items())


@pytest.fixture
def exio_system() -> IOSystem:
    frames = random_frames(31, R=3, N=3, C=2, k=2)
    names = pd.Index(["CO2 - combustion - air", "CH4 - agriculture - air"], name="stressor")
    frames["F"].index = names
    frames["F_Y"].index = names
    return IOSystem(**frames, unit={names[0]: "kg", names[1]: "kg"})


def test_exiobase_zip_round_trip(tmp_path: Path, exio_system: IOSystem) -> None:
    files: dict[str, str] = {}
    _write_exiobase(exio_system, files)
    archive = tmp_path / "IOT_2099_pxp.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"IOT_2099_pxp/{name}", text)
        zf.writestr("IOT_2099_pxp/impacts/readme.txt", "not read\n")
    io = read_exiobase3(archive)
    assert io.name == "IOT_2099_pxp" and io.monetary_unit == "M.EUR"
    assert io.regions == exio_system.regions and io.sectors == exio_system.sectors
    assert io.stressors == exio_system.stressors
    assert io.unit is not None and io.unit.tolist() == ["kg", "kg"]
    for attr in ("A", "Y", "F", "F_Y"):
        np.testing.assert_array_equal(getattr(io, attr).to_numpy(),
                                      getattr(exio_system, attr).to_numpy())
    np.testing.assert_array_equal(io.x.to_numpy(), exio_system.x.to_numpy())
    a, b = io.accounts(), exio_system.accounts()
    for v in VARS:
        np.testing.assert_allclose(a[v], b[v], rtol=1e-12)


def test_exiobase_folder_and_errors(tmp_path: Path, exio_system: IOSystem) -> None:
    files: dict[str, str] = {}
    _write_exiobase(exio_system, files)
    root = tmp_path / "exio"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    io = read_exiobase3(root, name="folder")
    assert io.name == "folder"
    np.testing.assert_array_equal(io.F.to_numpy(), exio_system.F.to_numpy())
    (root / "Y.txt").unlink()
    with pytest.raises(DataError, match=r"Y.txt"):
        read_exiobase3(root)
    with pytest.raises(DataError, match="neither a folder nor a zip"):
        read_exiobase3(tmp_path / "nothing.zip")


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("pivoting", [False, True])
def test_masked_transposed_solve_matches_lu_solve(order: str, pivoting: bool) -> None:
    from klimacore.mrio import _accounts
    from klimacore.mrio._solvers import LeontiefSolver

    R, N, k = 5, 4, 3
    n = R * N
    rng = np.random.default_rng(3)
    A = rng.random((n, n)) * (2.0 if pivoting else 0.5 / n)  # 2.0: I − A needs row swaps
    S = rng.random((k, n))
    sv = LeontiefSolver(np.array(A, order=order), block=N)
    B = _accounts.masked_rhs(S, R, N)
    W = sv.solve_masked_transposed(B.copy(order="F"), R, N, k)
    expect = np.linalg.solve((np.eye(n) - A).T, B)
    np.testing.assert_allclose(W, expect, rtol=1e-10, atol=1e-12)
    assert pivoting != bool(np.array_equal(sv.factor()[1], np.arange(n)))
