"""Monitoring statuses on dask-backed inputs: lazy, chunked, exact, and on a real cluster.

* Laziness: building every status on lazy inputs computes nothing (a scheduler that raises is
  set during the calls, and inputs whose blocks raise when computed are accepted).
* Exactness: computed, the lazy results are identical (values, dtypes, coords, attrs) to the
  eager ones, for random panels and random chunkings (hypothesis).
* Errors that need only labels are raised at call time; errors that need values when computed.
* A real LocalCluster (worker processes, loopback, 2 workers) computes them; a worker killed in
  the middle of a run is replaced and the result is still exact.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
import dask.array as dsa  # noqa: E402

from klimacore.errors import MissingLabelError, ValidationError  # noqa: E402
from klimacore.monitoring import (  # noqa: E402
    PHASES,
    STATES,
    action_status,
    action_summary,
    data_age,
    indicator_status,
    status_frame,
)

ENTITY = ("municipality", "action", "round", "indicator")


def _forbid(dsk: Any, keys: Any, **kwargs: Any) -> Any:
    raise AssertionError("a dask graph was computed before it was asked for")


def statuses_data(seed: int = 0, n_m: int = 5, n_a: int = 7, n_r: int = 3, n_i: int = 4,
                  n_ms: int = 3, labelled: bool = True) -> dict[str, Any]:
    """Random panel (municipality × action × round), indicators (municipality × indicator),
    links, expected effects and data-age inputs, with missing values of every kind."""
    rng = np.random.default_rng(seed)
    shape = (n_m, n_a, n_r)
    d = ("municipality", "action", "round")
    phase = rng.choice(np.array([*PHASES, None], dtype=object), size=shape)
    state = rng.choice(np.array(STATES, dtype=object), size=shape, p=[.8, .05, .05, .05, .05])
    start = rng.integers(2018, 2028, size=(n_m, n_a))
    end = start + rng.integers(0, 8, size=(n_m, n_a))
    due = (np.datetime64("2020-01-01") + rng.integers(0, 3000, size=(*shape, n_ms))
           ).astype("datetime64[D]")
    due[rng.random(due.shape) < 0.2] = np.datetime64("NaT")
    done = due + rng.integers(-30, 30, size=due.shape)
    done[rng.random(done.shape) < 0.5] = np.datetime64("NaT")
    last = (np.datetime64("2022-06-01") + rng.integers(0, 1500, size=shape)).astype(
        "datetime64[D]")
    last[rng.random(shape) < 0.1] = np.datetime64("NaT")
    override = np.where(rng.random(shape) < 0.05, "on time", "").astype(object)
    rounds = np.arange(2022, 2022 + n_r)
    coords: dict[str, Any] = {}
    if labelled:
        coords = {"municipality": np.arange(101, 101 + n_m),
                  "action": [f"A{k}" for k in range(n_a)], "round": rounds,
                  "indicator": [f"I{k}" for k in range(n_i)]}

    def c(*dims: str) -> dict[str, Any]:
        return {k: coords[k] for k in dims if k in coords}

    panel = xr.Dataset({
        "phase": (d, phase), "state": (d, state),
        "start": (d[:2], start), "end": (d[:2], end),  # by action only: broadcast over rounds
        "milestone_due": ((*d, "milestone"), due), "milestone_done": ((*d, "milestone"), done),
        "last_update": (d, last), "status_override": (d, override),
        "notes": (d[:2], np.full((n_m, n_a), "x", dtype=object)),  # not used by the rules
    }, coords=c(*d))
    mi = ("municipality", "indicator")
    years = np.arange(2012, 2026)
    obs = rng.normal(50, 20, (n_m, n_i, years.size))
    obs[rng.random(obs.shape) < 0.3] = np.nan
    by = rng.integers(2010, 2016, (n_m, n_i)).astype(float)
    ty = np.stack([by + rng.integers(5, 10, (n_m, n_i)), by + rng.integers(12, 25, (n_m, n_i))],
                  -1)
    ty[..., 0][rng.random((n_m, n_i)) < 0.2] = np.nan  # NaN-padded targets
    ind = {
        "baseline_year": xr.DataArray(by, dims=mi, coords=c(*mi)),
        "baseline_value": xr.DataArray(rng.normal(50, 10, (n_m, n_i)), dims=mi, coords=c(*mi)),
        "target_year": xr.DataArray(ty, dims=(*mi, "target"), coords=c(*mi)),
        "target_value": xr.DataArray(rng.normal(50, 30, (n_m, n_i, 2)), dims=(*mi, "target"),
                                     coords=c(*mi)),
        "direction": xr.DataArray(rng.choice([-1, 1], (n_m, n_i)), dims=mi, coords=c(*mi)),
        "observations": xr.DataArray(obs, dims=(*mi, "year"),
                                     coords={**c(*mi), "year": years}),
        "as_of_year": xr.DataArray(rounds, dims="round", coords=c("round")),
    }
    inv = rng.integers(2015, 2027, n_m).astype(float)
    inv[rng.random(n_m) < 0.2] = np.nan
    risk = (np.datetime64("2016-01-01") + rng.integers(0, 3650, n_m)).astype("datetime64[D]")
    return {
        "panel": panel,
        "as_of": xr.DataArray(np.array([f"{y}-03-01" for y in rounds], dtype="datetime64[D]"),
                              dims="round", coords=c("round")),
        "ind": ind,
        "links": xr.DataArray(rng.random((n_a, n_i)) < 0.3, dims=("action", "indicator"),
                              coords=c("action", "indicator")),
        "effect": xr.DataArray(rng.lognormal(3, 1, (n_m, n_a)), dims=d[:2], coords=c(*d[:2])),
        "age": {"inventory_year": xr.DataArray(inv, dims="municipality",
                                               coords=c("municipality")),
                "risk_assessment_date": xr.DataArray(risk, dims="municipality",
                                                     coords=c("municipality")),
                "risk_data_year": xr.DataArray(rng.integers(2000, 2020, n_m), dims="municipality",
                                               coords=c("municipality"))},
    }


def chunked(obj: Any, sizes: dict[str, int]) -> Any:
    return obj.chunk({d: n for d, n in sizes.items() if d in obj.dims})


def run_all(x: dict[str, Any]) -> dict[str, xr.Dataset]:
    """Every status, chained as a monitoring round does: indicators → actions → summary."""
    ind = indicator_status(**x["ind"], projection=True)
    act = action_status(x["panel"], as_of=x["as_of"], indicator_status=ind["status"],
                        links=x["links"])
    return {"indicators": ind, "actions": act,
            "summary": action_summary(act, expected_effect=x["effect"]),
            "age": data_age(as_of=np.datetime64("2026-11-22"), **x["age"])}


def lazy_inputs(x: dict[str, Any], sizes: dict[str, int]) -> dict[str, Any]:
    return {"panel": chunked(x["panel"], sizes), "as_of": chunked(x["as_of"], sizes),
            "ind": {k: chunked(v, sizes) for k, v in x["ind"].items()},
            "links": chunked(x["links"], sizes), "effect": chunked(x["effect"], sizes),
            "age": {k: chunked(v, sizes) for k, v in x["age"].items()}}


def assert_same(lazy: dict[str, xr.Dataset], eager: dict[str, xr.Dataset]) -> None:
    """Identical: values (NaN where NaN), dtypes, dims order, coords, attrs."""
    for name, want in eager.items():
        got = lazy[name]
        xr.testing.assert_identical(got, want)
        for v in want.variables:
            assert got[v].dtype == want[v].dtype, (name, v)


# --- laziness and exactness (no cluster) --------------------------------------------------------
def test_statuses_stay_lazy_and_equal_eager() -> None:
    x = statuses_data()
    sizes = {"municipality": 2, "action": 3, "round": 1, "indicator": 3}
    with dask.config.set(scheduler=_forbid):
        lazy = run_all(lazy_inputs(x, sizes))
    for name in ("indicators", "actions", "summary", "age"):
        for v in lazy[name].data_vars.values():
            assert v.chunks is not None, name
    acts = lazy["actions"]["status"]
    assert acts.chunksizes["municipality"] == (2, 2, 1) and acts.chunksizes["action"] == (3, 3, 1)
    assert lazy["indicators"]["status"].chunksizes["indicator"] == (3, 1)
    with dask.config.set(scheduler="sync"):
        computed = {k: v.compute() for k, v in lazy.items()}
    assert_same(computed, run_all(x))


def _explode(block: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    raise RuntimeError("a block of the input was computed")


def _booby_trapped(da: xr.DataArray) -> xr.DataArray:
    """``da`` as a dask array whose every block raises when computed (any scheduler)."""
    data = dsa.from_array(da.to_numpy(), chunks=2).map_blocks(_explode, dtype=da.dtype)
    return da.copy(data=data)


def test_nothing_is_computed_until_asked() -> None:
    x = statuses_data(seed=1)
    panel = x["panel"].assign({k: _booby_trapped(x["panel"][k]) for k in ("phase", "end")})
    ind = {**x["ind"], "observations": _booby_trapped(x["ind"]["observations"])}
    as_of = _booby_trapped(x["as_of"])
    # every call returns (only labels are read); asking for a value runs the trapped blocks
    ind_st = indicator_status(**ind)
    act = action_status(panel, as_of=as_of, indicator_status=ind_st["status"], links=x["links"])
    summary = action_summary(act, expected_effect=x["effect"])
    age = data_age(as_of=_booby_trapped(xr.DataArray(np.datetime64("2026-01-01", "D"))),
                   inventory_year=_booby_trapped(x["age"]["inventory_year"]))
    for result in (ind_st, act, summary, age):
        with pytest.raises(RuntimeError, match="block of the input was computed"):
            result.compute(scheduler="sync")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n_m=st.integers(1, 6), n_a=st.integers(1, 8),
       n_r=st.integers(1, 3), n_i=st.integers(1, 5), n_ms=st.integers(1, 3),
       labelled=st.booleans(),
       sizes=st.fixed_dictionaries({d: st.integers(1, 8) for d in ENTITY}))
def test_any_panel_and_chunking_equals_eager(seed: int, n_m: int, n_a: int, n_r: int, n_i: int,
                                             n_ms: int, labelled: bool,
                                             sizes: dict[str, int]) -> None:
    x = statuses_data(seed, n_m, n_a, n_r, n_i, n_ms, labelled)
    eager = run_all(x)
    with dask.config.set(scheduler="sync"):
        lazy = {k: v.compute() for k, v in run_all(lazy_inputs(x, sizes)).items()}
    assert_same(lazy, eager)


def test_chunked_along_draws_of_the_observations() -> None:
    # Monte Carlo draws of the observations: indicator statuses per draw, and the actions get
    # the draw dim from their linked indicators (a dim the panel lacks)
    x = statuses_data(seed=7, n_m=4, n_a=6, n_i=5)
    rng = np.random.default_rng(7)
    obs = x["ind"]["observations"]
    draws = obs * xr.DataArray(rng.normal(1.0, 0.1, (40, *obs.shape)), dims=("draw", *obs.dims))
    x["ind"]["observations"] = draws.transpose("municipality", "indicator", "draw", "year")
    eager = run_all(x)
    assert eager["actions"]["status"].sizes["draw"] == 40
    with dask.config.set(scheduler=_forbid):
        lazy = run_all(lazy_inputs(x, {"draw": 7, "municipality": 2, "year": 3}))
    assert lazy["actions"]["status"].chunksizes["draw"] == (7,) * 5 + (5,)
    assert lazy["indicators"]["status"].chunksizes["draw"] == (7,) * 5 + (5,)
    with dask.config.set(scheduler="threads"):
        assert_same({k: v.compute() for k, v in lazy.items()}, eager)


def test_only_some_inputs_lazy() -> None:
    x = statuses_data(seed=2)
    eager = run_all(x)
    for part in ("panel", "as_of", "links"):
        y = {**x, part: x[part].chunk({d: 2 for d in x[part].dims if d != "milestone"})}
        with dask.config.set(scheduler=_forbid):
            act = action_status(y["panel"], as_of=y["as_of"],
                                indicator_status=eager["indicators"]["status"], links=y["links"])
        assert act["status"].chunks is not None, part
        xr.testing.assert_identical(act.compute(scheduler="sync"), eager["actions"])
    # a lazy scalar as_of alone
    day = xr.DataArray(dsa.from_array(np.array(np.datetime64("2026-11-22", "D"))))
    with dask.config.set(scheduler=_forbid):
        act = action_status(x["panel"], as_of=day)
    assert act["status"].chunks is not None
    xr.testing.assert_identical(act.compute(scheduler="sync"),
                                action_status(x["panel"], as_of=np.datetime64("2026-11-22")))
    with dask.config.set(scheduler=_forbid):
        age = data_age(as_of=day, **x["age"])
    assert age["inventory_age"].chunks is not None
    xr.testing.assert_identical(age.compute(scheduler="sync"), eager["age"])


def test_label_errors_at_call_time_value_errors_when_computed() -> None:
    x = statuses_data(seed=3)
    lz = lazy_inputs(x, {"municipality": 2, "action": 2})
    with dask.config.set(scheduler=_forbid):
        with pytest.raises(MissingLabelError, match="state"):
            action_status(lz["panel"].drop_vars("state"), as_of=lz["as_of"])
        with pytest.raises(ValidationError, match="needs links"):
            action_status(lz["panel"], as_of=lz["as_of"],
                          indicator_status=x["ind"]["direction"].chunk(1))
        bad = lz["panel"].assign(milestone_due=lz["panel"]["milestone_due"].expand_dims(other=2))
        with pytest.raises(ValidationError, match="dims"):
            action_status(bad, as_of=lz["as_of"])
        with pytest.raises(ValidationError, match="interpolation"):
            indicator_status(**lz["ind"], interpolation="cubic")
        with pytest.raises(MissingLabelError, match="year"):
            indicator_status(**{**lz["ind"],
                                "observations": lz["ind"]["observations"].isel(year=0)})
        with pytest.raises(ValidationError, match="one date"):
            data_age(as_of=lz["as_of"], inventory_year=lz["age"]["inventory_year"])
    phase = x["panel"]["phase"].copy()
    phase[1, 2, 0] = "halfway"  # an unknown label: found only when the values are read
    with dask.config.set(scheduler=_forbid):
        lazy = action_status(lz["panel"].assign(phase=phase.chunk({"municipality": 2})),
                             as_of=lz["as_of"])
    with pytest.raises(MissingLabelError, match="halfway"):
        lazy.compute(scheduler="sync")


def test_status_frame_of_a_lazy_result_computes_it() -> None:
    x = statuses_data(seed=4)
    lazy = action_status(chunked(x["panel"], {"action": 3}), as_of=x["as_of"])
    eager = action_status(x["panel"], as_of=x["as_of"])
    assert status_frame(lazy).equals(status_frame(eager))


# --- a real cluster ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", memory_limit="2GiB") as cluster, \
            Client(cluster) as c:
        yield c


def test_statuses_on_a_local_cluster(client: Any) -> None:
    x = statuses_data(seed=5, n_m=12, n_a=20, n_r=3, n_i=8)
    lazy = run_all(lazy_inputs(x, {"municipality": 3, "action": 7, "indicator": 4}))
    with distributed.get_task_stream(client) as ts:
        # .compute() with the default client: run on the workers. (Not one client.compute /
        # dask.compute of all of them: with dask/distributed 2026.8 the graph optimisation of
        # several collections, or of a Dataset whose variables share intermediates, loses
        # dependencies, pydata/xarray#11329; each result alone is fine.)
        got = {k: v.compute() for k, v in lazy.items()}
    assert_same(got, run_all(x))
    assert {t["worker"] for t in ts.data} == set(client.nthreads())  # both workers took part
    # the whole round as one graph: fine without the upstream graph optimisation
    one = client.gather(client.compute(list(lazy.values()), optimize_graph=False))
    assert_same(dict(zip(lazy, one, strict=True)), got)
    # futures, as a long run would use them: the actions' Dataset through client.compute
    fut = client.compute(lazy["actions"])
    xr.testing.assert_identical(fut.result(timeout=120), run_all(x)["actions"])


def _slow_copy(block: xr.DataArray) -> xr.DataArray:
    time.sleep(0.3)  # lets the test kill a worker while blocks are being processed
    return block.copy()


def test_killed_worker_is_replaced_and_statuses_exact(client: Any) -> None:
    x = statuses_data(seed=6, n_m=16, n_a=6, n_r=2, n_i=3)
    panel = x["panel"].chunk({"municipality": 2})
    panel["end"] = xr.map_blocks(_slow_copy, panel["end"])
    fut = client.compute(action_status(panel, as_of=x["as_of"]))
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
    xr.testing.assert_identical(got, action_status(x["panel"], as_of=x["as_of"]))
    client.wait_for_workers(2, timeout=60)
    assert pid not in client.run(os.getpid).values()
