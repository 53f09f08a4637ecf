"""End to end on the real accounts of all 98 municipalities (shared data, not in the repository).

Energi- og CO2-regnskabet (Energistyrelsen, 2018-2023, retrieved 2026-05-18) through
``klimacore.io.read_energi_co2_regnskab`` into the monitoring panel, into a store (SQLite and a
real PostgreSQL server) and back identical; emission verdicts, data age and the LMDI
decomposition 2018 → 2023; the municipal sum against the national KF25 series.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import xarray as xr

import _postgres  # type: ignore[import-not-found]
from klimacore.monitoring import (
    DATA_AGE_STATUS,
    MonitoringStore,
    account_from_rows,
    account_panel,
    account_rows,
    data_age,
    decompose_panel,
    national_residual,
)


def _shared() -> Path:
    env = os.environ.get("KLIMACORE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


ACCOUNT = _shared() / "energi-co2-regnskab" / "kommuner_2018_2023.csv"
KF25 = _shared() / "kf25" / "kf25_denmark_1990_2050.csv"

pytestmark = pytest.mark.skipif(not ACCOUNT.exists(),
                                reason=f"shared data not found at {ACCOUNT} "
                                       "(set KLIMACORE_SHARED_DATA)")


@pytest.fixture(scope="module")
def panel() -> xr.Dataset:
    from klimacore.io import read_energi_co2_regnskab

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        emissions = read_energi_co2_regnskab(ACCOUNT)
    # the importer returns the sectors; the per-inhabitant total is read from the same file
    raw = pd.read_csv(ACCOUNT, dtype={"kommunekode": str})
    totals = raw[raw["sector"] == "total"].assign(municipality=lambda f: f["kommunekode"]
                                                  .astype(int))
    per_capita = totals.set_index(["municipality", "year"])["per_capita_t"].to_xarray()
    return account_panel(emissions, per_capita=per_capita)


def test_panel_has_all_municipalities_and_drivers(panel: xr.Dataset) -> None:
    assert panel.sizes == {"municipality": 98, "year": 6, "sector": 5}
    pop = panel["population"].sel(year=2023)
    # population derived from per-inhabitant figures: Denmark had about 5.9 million inhabitants
    assert 5.8e6 < float(pop.sum()) < 6.05e6
    assert float(pop.sel(municipality=825)) == pytest.approx(1789, rel=0.01)  # Læsø, net negative
    assert float(pop.sel(municipality=101)) == pytest.approx(650_000, rel=0.05)  # København
    share = panel["sector_share"].sum("sector")
    np.testing.assert_allclose(share, 1.0, rtol=1e-12)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    reason = _postgres.unavailable()
    if reason:
        pytest.skip(reason)
    with _postgres.server() as url:
        yield url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_store_round_trip_identical(panel: xr.Dataset, backend: str, tmp_path: Path,
                                    request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path}/m.db" if backend == "sqlite" else \
        request.getfixturevalue("postgres_url")
    store = MonitoringStore(url)
    rows = account_rows(panel)
    rounds = {m: store.open_round(m, 2024, who="ens-import", on=dt.date(2026, 5, 18))
              for m in rows}
    new = store.write_many("account", rows, rounds, who="ens-import")
    back = account_from_rows(store.read("account", list(new.values())))
    for var in ("emissions", "per_capita", "total", "population"):
        # values, NaN positions, labels and their order; provenance attrs stay with the panel
        xr.testing.assert_equal(back[var].reset_coords(drop=True),
                                panel[var].reset_coords(drop=True))
        assert back[var].dtype == panel[var].dtype
    assert store.history()["who"].eq("ens-import").all()
    store.engine.dispose()
    if backend == "postgresql":
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for t in ("account", "observations", "action_updates", "actions", "climate_events",
                      "rounds", "changes", "klimacore_schema_version"):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {t} CASCADE"))
            conn.execute(sa.text("DROP FUNCTION IF EXISTS klimacore_frozen_round() CASCADE"))
        engine.dispose()


def test_emission_verdicts(panel: xr.Dataset) -> None:
    from klimacore.trajectory import check_trajectory

    check = check_trajectory(panel["total"], "ipcc-ar6-c1-ghg", on_invalid_base="no data")
    years = check.to_frame("years")
    latest = years[years["year"] == 2023]
    assert latest["municipality"].nunique() == 98
    assert set(latest["status"]) <= {"on track", "at risk", "off track", "no data"}
    # a municipality whose 2019 total is not positive cannot be judged on a reduction path
    bad = panel["total"].sel(year=2019) <= 0
    for m in panel["municipality"].to_numpy()[bad.to_numpy()]:
        assert (latest.loc[latest["municipality"] == m, "status"] == "no data").all()


def test_data_age_of_the_accounts(panel: xr.Dataset) -> None:
    latest_year = np.isfinite(panel["total"]).cumsum("year").idxmax("year")
    out = data_age(as_of=np.datetime64("2026-11-22"), inventory_year=latest_year)
    assert {DATA_AGE_STATUS[c] for c in out["inventory_status"].to_numpy()} == {"due"}
    out = data_age(as_of=np.datetime64("2025-06-01"), inventory_year=latest_year)
    assert {DATA_AGE_STATUS[c] for c in out["inventory_status"].to_numpy()} == {"fresh"}


def test_decomposition_2018_2023(panel: xr.Dataset) -> None:
    out = decompose_panel(panel, start=2018, end=2023)
    change = panel["total"].sel(year=2023) - panel["total"].sel(year=2018)
    assert np.isfinite(out["additive"]).all()  # every municipality has all six years
    # exact: effects + the change of sectors kept out (negative in a year) = the total change
    np.testing.assert_allclose(out["additive"].sum("effect") + out["excluded_change"], change,
                               rtol=0, atol=1e-6 * float(abs(panel["total"]).max()))
    # Læsø's agriculture is net negative: kept out and shown on its own
    assert bool(out["excluded"].sel(municipality=825, sector="landbrug"))
    national = out["additive"].sum("municipality").to_series()
    assert national["intensity"] < 0  # emissions per inhabitant fell 2018 -> 2023
    assert national["activity"] > 0  # population grew
    chained = decompose_panel(panel, start=2018, end=2023, chained=True)
    assert chained.attrs["chaining"] == "chained"
    np.testing.assert_allclose(chained["additive"].sum("effect") + chained["excluded_change"],
                               change, atol=1e-6 * float(abs(panel["total"]).max()))


@pytest.mark.skipif(not KF25.exists(), reason=f"KF25 series not found at {KF25}")
def test_municipal_sum_against_kf25(panel: xr.Dataset) -> None:
    kf = pd.read_csv(KF25).set_index("year")["exclLulucf"] * 1e6  # Mt -> t
    res = national_residual(panel["total"], kf).set_index("year")
    assert list(res.index) == [2018, 2019, 2020, 2021, 2022, 2023]
    assert res.loc[2023, "municipal_sum"] == pytest.approx(34.0e6, rel=0.01)
    assert res.loc[2023, "residual"] == pytest.approx(5.3e6, rel=0.05)
