"""Lazy (dask-backed) engines and a real ``dask.distributed`` cluster.

* Laziness: with a dask scheduler that raises, building every lazy result succeeds (nothing is
  computed until asked).
* Exactness: the lazy result, computed, is identical (bit for bit, attrs and coords too) to the
  eager engine's.
* A real LocalCluster (worker processes, loopback only, 2 workers) runs each engine; a worker
  killed with SIGKILL in the middle of a run is replaced, its tasks rerun, and the result is still
  exact.
"""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

from klimacore import examples  # noqa: E402
from klimacore import territorial as kt  # noqa: E402
from klimacore.consumption import monte_carlo_footprint  # noqa: E402
from klimacore.monitoring import lmdi  # noqa: E402
from klimacore.mrio import IOSystem, accounts_series  # noqa: E402
from klimacore.trajectory import check_trajectory, latest_verdicts  # noqa: E402

CATS = ["I.1.1", "I.1.2", "I.2.1", "I.4.4", "II.1.1", "III.1.1", "III.1.3", "IV.1", "V.1"]


def _forbid(dsk: Any, keys: Any, **kwargs: Any) -> Any:
    raise AssertionError("a dask graph was computed before it was asked for")


# --- data ---------------------------------------------------------------------------------------
def emissions(n: int = 40, seed: int = 0) -> xr.DataArray:
    rng = np.random.default_rng(seed)
    return xr.DataArray(
        rng.lognormal(3.0, 1.0, (n, 12, len(CATS))), dims=("municipality", "year", "category"),
        coords={"municipality": np.arange(101, 101 + n), "year": np.arange(2010, 2022),
                "category": CATS},
        attrs={"units": "t", "gwp_metric": "AR5GWP100"})


def lmdi_inputs(n: int = 30, seed: int = 1) -> tuple[xr.DataArray, dict[str, xr.DataArray]]:
    rng = np.random.default_rng(seed)
    coords = {"municipality": np.arange(n), "year": np.arange(2012, 2024),
              "category": ["district_heating", "natural_gas", "oil"]}

    def da(*dims: str) -> xr.DataArray:
        return xr.DataArray(rng.uniform(0.2, 2.0, tuple(len(coords[d]) for d in dims)),
                            dims=dims, coords={d: coords[d] for d in dims})

    q, s, i = da("municipality", "year"), da("municipality", "year", "category"), da("year",
                                                                                        "category")
    return (q * s * i).assign_attrs(units="t"), {"activity": q, "structure": s, "intensity": i}


def spending(n: int = 25, seed: int = 2) -> tuple[xr.DataArray, xr.DataArray]:
    rng = np.random.default_rng(seed)
    codes = ["01.1.1", "01.1.2", "04.5.1", "07.2.2", "09.4.1"]
    s = xr.DataArray(rng.uniform(1e3, 1e5, (n, len(codes))), dims=("municipality", "coicop"),
                     coords={"municipality": np.arange(n), "coicop": codes},
                     attrs={"units": "DKK", "price_year": 2019, "price_basis": "basic"})
    i = xr.DataArray(rng.uniform(0.01, 0.5, len(codes)), dims="coicop", coords={"coicop": codes},
                     attrs={"units": "kg/DKK", "year": 2019, "price_basis": "basic"})
    return s, i


REFERENCES = ("dk-climate-act", "ipcc-ar6-c1-ghg", "sbti-aca-1.5c", "c40-deadline-2020")


def ensemble(n: int = 12, draws: int = 30, last: int = 2050, seed: int = 3
             ) -> tuple[xr.DataArray, xr.DataArray]:
    """Emissions (municipality × draw × year from 1990) and population (to 2050)."""
    rng = np.random.default_rng(seed)
    years = np.arange(1990, last + 1)
    codes = np.asarray([101, 147, 151, 153, 155, 157, 159, 161, 163, 165, 167, 169][:n])
    rate = rng.uniform(0.0, 0.07, (n, draws, 1))
    vals = rng.uniform(5e4, 2e6, (n, 1, 1)) * (1 - rate) ** (years - 1990)
    vals = vals * rng.normal(1.0, 0.03, vals.shape)
    e = xr.DataArray(vals, dims=("municipality", "draw", "year"),
                     coords={"municipality": codes, "draw": np.arange(draws), "year": years},
                     attrs={"units": "t", "gases": ["CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6",
                                                    "NF3"],
                            "boundary": "territorial", "includes_lulucf": True})
    all_years = np.arange(1990, 2051)
    pop = xr.DataArray(rng.uniform(2e4, 6e5, (n, 1)) * 1.004 ** (all_years - 1990),
                       dims=("municipality", "year"),
                       coords={"municipality": codes, "year": all_years})
    return e, pop


def io_systems(years: int = 3) -> dict[int, IOSystem]:
    from test_mrio import random_frames

    return {2015 + k: IOSystem(**random_frames(10 + k, R=4, N=6, C=3, k=3)) for k in range(years)}


# --- laziness and exactness (threads; no cluster) ------------------------------------------------
def _same_as_eager(lazy: Any, eager: Any) -> None:
    """Identical on NumPy 2; at the NumPy 1.26 floor the blocked products may differ in the last
    bit from the eager one (its BLAS sums in another order), so there: equal to 1e-13."""
    if int(np.__version__.split(".")[0]) >= 2:
        xr.testing.assert_identical(lazy, eager)
    else:
        xr.testing.assert_allclose(lazy, eager, rtol=1e-13)
        assert lazy.attrs == eager.attrs


def test_totals_stay_lazy_and_equal_eager() -> None:
    e = emissions()
    lazy = e.chunk({"municipality": 7, "year": 5})
    with dask.config.set(scheduler=_forbid):
        outs = {by: kt.totals(lazy, by) for by in ("sector", "scope", "gpc", ("sector", "scope"))}
        gpc = kt.gpc_totals(lazy.to_dataset(name="co2e"))
    for by, out in outs.items():
        assert out.chunks is not None and out.chunksizes["municipality"][0] == 7
        _same_as_eager(out.compute(), kt.totals(e, by))
    _same_as_eager(gpc.compute(), kt.gpc_totals(e.to_dataset(name="co2e")))


def activity(n: int = 40, seed: int = 4) -> xr.DataArray:
    """The bundled example's fuel activity, scaled per municipality (no grid carriers)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = kt.activity_array(examples.example_activity())
    a = a.drop_sel(fuel=["electricity", "district_heating"])
    rng = np.random.default_rng(seed)
    big = xr.concat([a.assign_coords(municipality=[101 + k]) * rng.uniform(0.5, 2.0)
                     for k in range(n)], "municipality")
    return big.assign_coords(unit=a["unit"])


def test_inventory_and_totals_stay_lazy_and_equal_eager() -> None:
    act, factors = activity(), kt.default_emission_factors()
    with dask.config.set(scheduler=_forbid):
        inv = kt.inventory(act.chunk({"municipality": 7, "year": 1}), factors)
        tot = kt.totals(inv, "gpc")
    assert inv["co2e"].chunksizes["municipality"][0] == 7
    eager = kt.inventory(act, factors)
    _same_as_eager(inv.compute(), eager)
    _same_as_eager(tot.compute(), kt.totals(eager, "gpc"))


def test_lazy_inventory_refuses_direct_emissions() -> None:
    with pytest.raises(ValueError, match="direct"):
        kt.inventory(activity().chunk({"municipality": 7}), kt.default_emission_factors(),
                     direct=examples.example_direct_emissions())


@settings(max_examples=10, deadline=None)
@given(m=st.integers(1, 40), y=st.integers(1, 12), by=st.sampled_from(["sector", "scope", "gpc"]),
       seed=st.integers(0, 2**16))
def test_any_chunking_gives_the_eager_totals(m: int, y: int, by: str, seed: int) -> None:
    # Exact for blocks of a few rows upward; a block of 1 or 3 rows can round the last bit
    # differently (OpenBLAS uses another kernel for the tail rows of a product; the eager fast
    # path keeps BLAS), hence ~1 ulp here. Layout, coords and attrs are identical.
    e = emissions(seed=seed)
    with dask.config.set(scheduler="sync"):
        got = kt.totals(e.chunk({"municipality": m, "year": y}), by).compute()
    eager = kt.totals(e, by)
    xr.testing.assert_identical(got.copy(data=eager.to_numpy()), eager)
    np.testing.assert_allclose(got.to_numpy(), eager.to_numpy(), rtol=1e-14, atol=0)


def test_lazy_totals_report_bad_values_when_computed() -> None:
    e = emissions()
    e[3, 2, 1] = np.inf
    out = kt.totals(e.chunk({"municipality": 10}), "sector")  # building is fine
    with pytest.raises(ValueError, match="totals"):
        out.compute()


def test_lmdi_stays_lazy_and_equals_eager() -> None:
    value, factors = lmdi_inputs()
    lazy_factors = {k: (v.chunk({"municipality": 8}) if "municipality" in v.dims else v)
                    for k, v in factors.items()}
    for chained in (False, True):
        with dask.config.set(scheduler=_forbid):
            out = lmdi(value.chunk({"municipality": 8}), lazy_factors, start=2012, end=2023,
                       chained=chained, by_category=True)
        assert out["additive"].chunks is not None
        eager = lmdi(value, factors, start=2012, end=2023, chained=chained, by_category=True)
        xr.testing.assert_identical(out.compute(), eager)


def test_trajectory_check_stays_lazy_and_equals_eager() -> None:
    e, pop = ensemble()
    with dask.config.set(scheduler=_forbid):
        lazy = check_trajectory(e.chunk({"municipality": 5, "draw": 10}), REFERENCES,
                                population=pop)
    assert lazy.years["allowed"].chunks is not None
    eager = check_trajectory(e, REFERENCES, population=pop)
    for part in ("years", "milestones", "summary"):
        xr.testing.assert_identical(getattr(lazy, part).compute(), getattr(eager, part))
    assert lazy.references == eager.references and lazy.entity_dims == eager.entity_dims
    frame = lazy.to_frame("milestones")  # asking for the table computes it
    assert frame.equals(eager.to_frame("milestones"))


def test_latest_verdicts_stay_lazy_and_equal_eager() -> None:
    e, pop = ensemble(last=2022)
    e[0, 0, -3:] = np.nan  # one series ends earlier: its trend window differs from the others'
    with dask.config.set(scheduler=_forbid):
        lazy = latest_verdicts(e.chunk({"municipality": 5, "draw": 10}), REFERENCES,
                               population=pop, as_of=2024)
    eager = latest_verdicts(e, REFERENCES, population=pop, as_of=2024)
    for part in ("milestones", "summary"):
        xr.testing.assert_identical(getattr(lazy, part).compute(), getattr(eager, part))


def test_lazy_check_reports_bad_values_when_computed() -> None:
    e, _ = ensemble()
    e[2, 1, 0] = np.nan  # the 1990 base year of the Climate Act, missing for one draw
    lazy = check_trajectory(e.chunk({"municipality": 4}), "dk-climate-act")
    with pytest.raises(ValueError, match="1990"):
        lazy.summary.compute()


def test_monte_carlo_stays_lazy_and_equals_eager() -> None:
    s, i = spending()
    pop = xr.DataArray(np.arange(25.0) * 100 + 500, dims="municipality",
                       coords={"municipality": np.arange(25)})
    eager = monte_carlo_footprint(s, i, gsd=1.4, n_draws=6000, seed=7, unit="kg", population=pop)
    with dask.config.set(scheduler=_forbid):
        lazy = monte_carlo_footprint(s, i, gsd=1.4, n_draws=6000, seed=7, unit="kg",
                                     population=pop, draw_chunks=1000)
    assert lazy["footprint_draws"].chunksizes["draw"][0] == 1000
    xr.testing.assert_identical(lazy.compute(), eager)


def test_monte_carlo_progress_callback_and_same_draws() -> None:
    s, i = spending()
    seen: list[tuple[int, int]] = []
    with_cb = monte_carlo_footprint(s, i, gsd=1.4, n_draws=25_000, seed=3, unit="kg",
                                    progress=lambda done, total: seen.append((done, total)))
    plain = monte_carlo_footprint(s, i, gsd=1.4, n_draws=25_000, seed=3, unit="kg",
                                  progress=False)
    assert seen == [(10_000, 25_000), (20_000, 25_000), (25_000, 25_000)]
    xr.testing.assert_identical(with_cb, plain)


def test_bad_draw_chunks() -> None:
    s, i = spending()
    with pytest.raises(ValueError, match="draw_chunks"):
        monte_carlo_footprint(s, i, gsd=1.4, n_draws=10, draw_chunks=0)


def test_accounts_series_eager_threads_and_progress() -> None:
    systems = io_systems()
    seen: list[int] = []
    eager = accounts_series(systems, progress=lambda done, total: seen.append(done))
    assert seen == [1, 2, 3]
    assert eager["D_cba"].dims == ("year", "stressor", "region", "sector")
    for y, sys_ in systems.items():
        one = sys_.accounts()
        xr.testing.assert_identical(eager["D_cba"].sel(year=y, drop=True), one["D_cba"])
    xr.testing.assert_identical(accounts_series(systems, scheduler="threads"), eager)


def test_accounts_series_bad_years() -> None:
    with pytest.raises(ValueError, match="at least one year"):
        accounts_series({})
    with pytest.raises(ValueError, match="int"):
        accounts_series({"2019": io_systems(1)[2015]})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"years \[2019\] are neither an IOSystem"):
        accounts_series({2019: "io_2019.nc"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="factory of year 2019 returned str"):
        accounts_series({2019: lambda: "io_2019.nc"})  # type: ignore[dict-item,return-value]


def year_system(year: int) -> IOSystem:
    """A year's system built from scratch (a factory for accounts_series)."""
    return io_systems()[year]


def test_accounts_series_from_factories_equals_prebuilt() -> None:
    systems = io_systems()
    built = accounts_series(systems, level="region")
    lazy = accounts_series({y: partial(year_system, y) for y in systems}, level="region")
    xr.testing.assert_identical(lazy, built)


def test_pickled_system_leaves_its_factor_behind() -> None:
    io = io_systems(1)[2015]
    fresh = len(pickle.dumps(io))
    first = io.accounts()
    assert io._solver.factorized
    back = pickle.loads(pickle.dumps(io))
    assert len(pickle.dumps(io)) == fresh  # no LU factor, no multipliers in the pickle
    assert not back._solver.factorized and back._M is None
    xr.testing.assert_identical(back.accounts(), first)


# --- a real cluster ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", memory_limit="2GiB") as cluster, \
            Client(cluster) as c:
        yield c


def test_engines_on_a_local_cluster(client: Any) -> None:
    e = emissions()
    got = kt.totals(e.chunk({"municipality": 10}), "gpc").compute()  # default client
    xr.testing.assert_identical(got, kt.totals(e, "gpc"))
    act, factors = activity(), kt.default_emission_factors()
    inv = kt.inventory(act.chunk({"municipality": 10}), factors)
    xr.testing.assert_identical(inv.compute(), kt.inventory(act, factors))

    value, factors = lmdi_inputs()
    lazy = lmdi(value.chunk({"municipality": 10}), factors, start=2012, end=2023)
    xr.testing.assert_identical(lazy.compute(), lmdi(value, factors, start=2012, end=2023))

    s, i = spending()
    mc = monte_carlo_footprint(s, i, gsd=1.4, n_draws=4000, seed=1, unit="kg", draw_chunks=1000)
    eager = monte_carlo_footprint(s, i, gsd=1.4, n_draws=4000, seed=1, unit="kg")
    xr.testing.assert_identical(mc.compute(), eager)

    ens, pop = ensemble()
    lazy_check = check_trajectory(ens.chunk({"municipality": 4}), REFERENCES, population=pop)
    eager_check = check_trajectory(ens, REFERENCES, population=pop)
    xr.testing.assert_identical(lazy_check.milestones.compute(), eager_check.milestones)
    lazy_latest = latest_verdicts(ens.sel(year=slice(None, 2022)).chunk({"municipality": 4}),
                                  REFERENCES, population=pop)
    xr.testing.assert_identical(
        lazy_latest.summary.compute(),
        latest_verdicts(ens.sel(year=slice(None, 2022)), REFERENCES, population=pop).summary)

    systems = io_systems()
    xr.testing.assert_identical(accounts_series(systems, scheduler=client),
                                accounts_series(systems))
    # factories: each year's system is built on the worker that runs it
    xr.testing.assert_identical(
        accounts_series({y: partial(year_system, y) for y in systems}, scheduler=client),
        accounts_series(systems))
    # the work ran on the workers, not here
    assert len(client.nthreads()) == 2  # asked of the scheduler now (scheduler_info() is a cache)


def _slow_copy(block: xr.DataArray) -> xr.DataArray:
    time.sleep(0.4)  # lets the test kill a worker while blocks are being processed
    return block.copy()


def test_killed_worker_is_replaced_and_result_exact(client: Any) -> None:
    e = emissions(n=48)
    slow = xr.map_blocks(_slow_copy, e.chunk({"municipality": 4}))
    fut = client.compute(kt.totals(slow, ("sector", "scope")))
    deadline = time.monotonic() + 30
    victim = None
    while victim is None and time.monotonic() < deadline:
        busy = [w for w, tasks in client.processing().items() if tasks]
        victim = busy[0] if busy else None
        time.sleep(0.05)
    assert victim is not None, "no task started on the cluster"
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)  # the nanny starts a new worker; the scheduler reruns tasks
    got = fut.result(timeout=120)
    xr.testing.assert_identical(got, kt.totals(e, ("sector", "scope")))
    client.wait_for_workers(2, timeout=60)
    assert pid not in client.run(os.getpid).values()  # the killed process really went away


def test_progress_is_off_unless_interactive(capsys: pytest.CaptureFixture[str]) -> None:
    from klimacore._progress import show_progress

    assert show_progress(None) is False  # pytest's stderr is not a terminal
    s, i = spending()
    monte_carlo_footprint(s, i, gsd=1.4, n_draws=25_000, seed=3, unit="kg")
    accounts_series(io_systems(2))
    assert capsys.readouterr().err == ""
