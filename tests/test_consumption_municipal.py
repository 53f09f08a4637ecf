"""Municipal consumption footprints (NIRAS structure) and the cited Danish intensities."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore import consumption as kc
from klimacore import io, reference
from klimacore.cli import main
from klimacore.consumption._national import category_weights, final_use_shares
from klimacore.errors import DataError, MissingLabelError, ProblemGroup, ValidationError

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = ROOT / "tests" / "data" / "municipal_drivers_excerpt"


def _shared_data() -> Path:
    env = os.environ.get("KLIMACORE_SHARED_DATA")
    base = Path(env) if env else ROOT / ".." / "shared" / "data"
    folder = base / "municipal-drivers"
    if not (folder / "data.json").exists():
        pytest.skip(f"shared municipal drivers not found at {folder} (set KLIMACORE_SHARED_DATA)")
    return folder


@pytest.fixture(scope="module")
def excerpt() -> pd.DataFrame:
    return io.read_municipal_drivers(EXCERPT)


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return io.read_municipal_drivers(_shared_data())


@pytest.fixture(scope="module")
def real_result(real: pd.DataFrame) -> object:
    return kc.municipal_footprint(real, n_draws=2000, seed=7)


# --- intensities --------------------------------------------------------------------------------


def test_bundled_intensities_are_recomputed_from_the_cited_figures() -> None:
    spec = importlib.util.spec_from_file_location(
        "build", ROOT / "data" / "build_consumption_intensities.py")
    if spec is None or spec.loader is None or not (ROOT / "data").exists():
        pytest.skip("needs the source tree (data/ folder)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bundled = (ROOT / "src" / "klimacore" / "data" / "consumption_intensities_dk_2021.csv")
    assert module.build() == bundled.read_text(encoding="utf-8")


def test_food_intensity_by_hand() -> None:
    figures = kc.national_figures().set_index("id")["value"]
    persons = figures["population"] / figures["households"]
    spending = (figures["fu_consumption_per_household"] * figures["fu_share_food_clothing"]
                * figures["fu_food_share_of_food_clothing"] / persons)
    expected = (figures["concito_food"] - figures["concito_restaurants_canteens"]) * 1000 / spending
    table = kc.derive_danish_intensities().set_index("coicop")
    assert table.loc["01", "value"] == pytest.approx(expected, rel=1e-5)
    assert 0.05 < expected < 0.2  # kg per DKK: food's footprint is of this order


def test_changed_figure_changes_only_what_rests_on_it() -> None:
    figures = kc.national_figures()
    figures.loc[figures["id"] == "concito_leisure_culture", "value"] = 0.8
    new = kc.derive_danish_intensities(figures).set_index("coicop")["value"]
    old = kc.derive_danish_intensities().set_index("coicop")["value"]
    assert new["09"] == pytest.approx(2 * old["09"], rel=1e-4)
    assert new["01"] == old["01"]


def test_only_codes_with_published_spending_are_not_illustrative() -> None:
    table = kc.derive_danish_intensities()
    derived = set(table.loc[~table["illustrative"], "coicop"])
    assert derived == {"01", "04", "09", "09.8", "all"}
    assert (table.loc[table["illustrative"], "value"] == table.set_index("coicop").loc[
        "all", "value"]).all()


def test_danish_intensities_run_through_spend_footprint() -> None:
    import xarray as xr

    spending = xr.DataArray([[20_000.0, 5_000.0]], dims=("municipality", "coicop"),
                            coords={"municipality": [727], "coicop": ["01", "09"]},
                            attrs={"units": "DKK", "price_year": 2021, "price_basis": "purchaser"})
    out = kc.spend_footprint(spending, kc.danish_intensities(), unit="kg")
    table = kc.derive_danish_intensities().set_index("coicop")["value"]
    assert float(out["total"][0]) == pytest.approx(20_000 * table["01"] + 5_000 * table["09"])


def test_final_use_shares_add_up() -> None:
    shares = final_use_shares()
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["private"] == pytest.approx(40.7 / 65.4)
    assert sum(category_weights().values()) == pytest.approx(12.8 - 2.3 - 1.1 - 1.0)


# --- drivers -------------------------------------------------------------------------------------


def test_excerpt_drivers(excerpt: pd.DataFrame) -> None:
    assert excerpt.index.tolist() == [101, 727, 751, 851]
    assert excerpt.loc[727, "cars_petrol"] == 14000 - 2500 - 600 - 3500
    assert excerpt["year"].unique().tolist() == [2026]
    assert excerpt.attrs["national"]["commuting_km"] == 20.0
    assert excerpt.attrs["vintages"]["household_energy_co2_t"].endswith("2023")


def test_bad_drivers_are_all_reported() -> None:
    recs = [{"kode": 1, "navn": "A", "folketal": 0, "disp_indkomst": 1.0},
            {"kode": 2, "navn": "B", "folketal": 10, "disp_indkomst": 1.0, "biler": 5,
             "biler_el": 4, "biler_plugin": 2, "biler_diesel": 0}]
    from klimacore._drivers import drivers_from_records

    with pytest.raises(DataError) as info:
        drivers_from_records(recs, {"folketal": 10})
    text = " ".join(info.value.problems)
    assert "municipality 1: population" in text and "municipality 2: cars by fuel" in text


def test_unreadable_drivers(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not valid JSON"):
        io.read_municipal_drivers(tmp_path)


# --- the model ----------------------------------------------------------------------------------


def _params_from(row: dict[str, np.ndarray]) -> dict[str, float]:
    return {k: float(v) for k, v in row.items()}


def test_fast_path_equals_reference(excerpt: pd.DataFrame) -> None:
    from klimacore.consumption._municipal import _drivers, _evaluate

    draws = kc.sample_parameters(kc.municipal_parameters(), 5, seed=3)
    fast = _evaluate(draws, _drivers(excerpt, None), metric="AR5GWP100")
    for i in range(5):
        ref = kc.reference_footprint(excerpt, {k: float(v[i]) for k, v in draws.items()})
        for j, code in enumerate(excerpt.index):
            for k, cat in enumerate(kc.CATEGORIES):
                assert fast[i, j, k] == pytest.approx(ref[int(code)][cat], rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(t=st.floats(10.6, 12.0), eps=st.floats(0.0, 1.5), km=st.floats(8000, 20000),
       life=st.floats(1.0, 1.6))
def test_private_parts_add_up_to_the_national_figure(t: float, eps: float, km: float,
                                                     life: float) -> None:
    drivers = io.read_municipal_drivers(EXCERPT)
    params = {str(n): float(v) for n, v in zip(kc.municipal_parameters()["name"],
                                                kc.municipal_parameters()["value"], strict=True)}
    params.update(footprint_per_capita=t, income_elasticity=eps, car_km_per_year=km,
                  housing_lifecycle_factor=life)
    result = kc.reference_footprint(drivers, params)
    private = [c for c in kc.CATEGORIES if c not in ("public_consumption", "investment")]
    total_private = sum(result[m][c] for m in result for c in private)
    national = t * final_use_shares()["private"] * float(drivers["population"].sum())
    assert total_private == pytest.approx(national, rel=1e-9)
    everything = sum(sum(v.values()) for v in result.values())
    assert everything == pytest.approx(t * float(drivers["population"].sum()), rel=1e-9)


def test_physical_override_does_not_double_count(excerpt: pd.DataFrame) -> None:
    base = kc.municipal_footprint(excerpt, n_draws=0)
    more = excerpt.copy()
    more.loc[727, "household_energy_co2_t"] *= 2
    changed = kc.municipal_footprint(more, n_draws=0, national=excerpt.attrs["national"])
    fp0, fp1 = base["footprint"].squeeze(), changed["footprint"].squeeze()
    extra = float(fp1.sel(municipality=727, category="housing_energy")
                  - fp0.sel(municipality=727, category="housing_energy"))
    assert extra == pytest.approx(17000.0 * 1.25)
    others = [c for c in kc.CATEGORIES[2:-2]]
    assert float(fp1.sel(category=others).sum() - fp0.sel(category=others).sum()) == \
        pytest.approx(-extra)
    assert float(fp1.sum()) == pytest.approx(float(fp0.sum()))


def test_income_raises_other_consumption_per_inhabitant(excerpt: pd.DataFrame) -> None:
    ds = kc.municipal_footprint(excerpt, n_draws=0)
    food = ds["per_capita"].squeeze().sel(category="food")
    assert float(food.sel(municipality=101)) > float(food.sel(municipality=851))
    public = ds["per_capita"].squeeze().sel(category="public_consumption").to_numpy()
    assert np.allclose(public, public[0])


def test_monte_carlo_intervals_and_mean(excerpt: pd.DataFrame) -> None:
    ds = kc.municipal_footprint(excerpt, n_draws=20_000, seed=11)
    mean = float(ds["national_per_capita_mean"].squeeze())
    assert mean == pytest.approx((10.6 + 11.0 + 12.0) / 3, abs=0.02)  # triangular mean
    pct = ds["footprint_percentiles"]
    assert bool((pct.sel(percentile=5.0) <= pct.sel(percentile=95.0)).all())
    lo, hi = (ds["total_percentiles"].sel(percentile=q) for q in (5.0, 95.0))
    assert bool(((lo <= ds["total"]) & (ds["total"] <= hi)).all())
    assert ds.attrs["caveats"] and "modelled estimate" in ds.attrs["caveats"][0]


def test_sensitivity_table(excerpt: pd.DataFrame) -> None:
    ds = kc.municipal_footprint(excerpt, n_draws=3000, seed=5)
    table = kc.sensitivity_table(ds)
    assert table["parameter"].iloc[0] == "footprint_per_capita"
    assert table["variance_share"].sum() == pytest.approx(1.0)
    local = kc.sensitivity_table(ds, municipality=727)
    assert set(local["kind"]) <= {"cited", "assumption"}
    with pytest.raises(MissingLabelError):
        kc.sensitivity_table(ds, municipality=999)
    with pytest.raises(ValidationError):
        kc.sensitivity_table(kc.municipal_footprint(excerpt, n_draws=0))


def test_several_years(excerpt: pd.DataFrame) -> None:
    two = pd.concat([excerpt, excerpt.assign(year=2027)])
    two.attrs = excerpt.attrs
    ds = kc.municipal_footprint(two.reset_index().set_index("municipality"), n_draws=10)
    assert ds["year"].to_numpy().tolist() == [2026, 2027]
    assert ds["footprint"].dims == ("year", "municipality", "category")
    assert ds.attrs["vintages"]["household_energy_co2_t"].endswith("2023")
    frame = kc.footprint_table(ds)
    assert len(frame) == 2 * 4 * (len(kc.CATEGORIES) + 1) and not frame["population"].isna().any()
    assert len(kc.sensitivity_table(ds, municipality=727, year=2026)) > 0
    assert len(kc.footprint_indicators(ds)) == 2 * 4 * 3
    zero = excerpt.copy()
    zero.loc[851, "commuting_km"] = 0.0
    with pytest.raises(DataError, match="commuting_km"):
        kc.municipal_footprint(zero, n_draws=0)


def test_bad_parameters_are_named() -> None:
    table = kc.municipal_parameters()
    table.loc[table["name"] == "income_elasticity", "low"] = 0.9
    table.loc[table["name"] == "car_km_per_year", "distribution"] = "uniform"
    with pytest.raises(ProblemGroup) as info:
        kc.municipal_footprint(io.read_municipal_drivers(EXCERPT), parameters=table)
    text = " ".join(info.value.problems)
    assert "income_elasticity" in text and "car_km_per_year" in text
    assert {e.code for e in info.value.exceptions} == {"parameters.range",
                                                       "parameters.distribution"}


def test_footprint_table_layout(excerpt: pd.DataFrame) -> None:
    frame = kc.footprint_table(kc.municipal_footprint(excerpt, n_draws=50, seed=1))
    assert len(frame) == 4 * (len(kc.CATEGORIES) + 1)
    total = frame[frame["category"] == "total"].set_index("municipality")["t"]
    parts = frame[frame["category"] != "total"].groupby("municipality")["t"].sum()
    assert np.allclose(total.sort_index(), parts.sort_index())
    assert {"t_p5", "t_p95", "t_per_inhabitant_p5"} <= set(frame.columns)


# --- on the real drivers (skipped without ../shared/data) ----------------------------------------


def test_all_98_in_one_call(real: pd.DataFrame, real_result: object) -> None:
    ds = real_result
    assert len(real) == 98
    assert sorted(int(m) for m in ds["municipality"]) == sorted(  # type: ignore[index]
        reference.municipalities()["code"].tolist())
    assert "footprint_percentiles" in ds  # type: ignore[operator]


def test_sum_check_on_real_drivers(real: pd.DataFrame, real_result: object) -> None:
    ds = real_result
    private = [c for c in kc.CATEGORIES if c not in ("public_consumption", "investment")]
    summed = float(ds["footprint"].sel(category=private).sum())  # type: ignore[index]
    per_capita = 11.0 * final_use_shares()["private"]
    assert summed == pytest.approx(per_capita * float(real["population"].sum()), rel=1e-9)
    national_pop = real.attrs["national"]["population"]
    assert summed == pytest.approx(per_capita * national_pop, rel=1e-4)


def test_whole_country_within_published_range(real: pd.DataFrame, real_result: object) -> None:
    ds = real_result
    per_capita = float(ds["national_per_capita"].squeeze())  # type: ignore[index]
    assert 10.6 <= per_capita <= 11.0
    private = [c for c in kc.CATEGORIES if c not in ("public_consumption", "investment")]
    private_pc = float(ds["footprint"].sel(category=private).sum()) / float(  # type: ignore[index]
        real["population"].sum())
    assert 6.5 < private_pc < 7.5
    housing = float(ds["footprint"].sel(category="housing_energy").sum())  # type: ignore[index]
    assert housing == pytest.approx(real["household_energy_co2_t"].sum() * 1.25)


def test_cli_footprint_on_real_drivers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _shared_data()
    out = tmp_path / "fp.csv"
    assert main(["footprint", "--drivers", str(folder), "--draws", "200", "--out", str(out)]) == 0
    frame = pd.read_csv(out)
    assert frame["municipality"].nunique() == 98
    assert main(["footprint", "Odder", "--drivers", str(folder), "--draws", "200"]) == 0
    assert "Odder (727)" in capsys.readouterr().out


# --- CLI on the excerpt ---------------------------------------------------------------------------


def test_cli_footprint_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["footprint", "--drivers", str(EXCERPT), "--draws", "100"]
    assert main([*args, "727", "--sensitivity"]) == 0
    text = capsys.readouterr().out
    assert "Odder (727)" in text and "Caveats:" in text and "Sensitivity" in text
    out = tmp_path / "fp.json"
    assert main([*args, "--out", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["meta"]["caveats"] and len(doc["rows"]) == 4 * (len(kc.CATEGORIES) + 1)
    nc = tmp_path / "fp.nc"
    assert main([*args, "101", "--out", str(nc)]) == 0
    back = io.read_netcdf(nc)
    assert back["municipality"].to_numpy().tolist() == [101]
    assert back.attrs["caveats"] == doc["meta"]["caveats"]


def test_cli_footprint_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["footprint", "--drivers", str(EXCERPT), "--draws", "5", "Aabenraa"]) == 1
    assert "municipality" in capsys.readouterr().err
    assert main(["footprint", "--drivers", str(tmp_path / "none")]) == 2
    monkeypatch.delenv("KLIMACORE_SHARED_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["footprint"]) == 2
    assert "--drivers" in capsys.readouterr().err
    assert main(["footprint", "--drivers", str(EXCERPT), "--format", "netcdf"]) == 2
    bad = tmp_path / "p.csv"
    table = kc.municipal_parameters()
    table.loc[0, "distribution"] = "nope"
    table.to_csv(bad, index=False)
    assert main(["footprint", "--drivers", str(EXCERPT), "--parameters", str(bad)]) == 1
    assert "nope" in capsys.readouterr().err
    minimal = tmp_path / "minimal.csv"
    kc.municipal_parameters().drop(columns=["kind", "source", "note"]).to_csv(minimal,
                                                                             index=False)
    assert main(["footprint", "--drivers", str(EXCERPT), "--draws", "5", "--parameters",
                 str(minimal), "727"]) == 0


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000),
       q=st.lists(st.floats(0.0, 100.0), min_size=1, max_size=4))
def test_fast_percentiles_equal_numpy(n: int, seed: int, q: list[float]) -> None:
    from klimacore.consumption._municipal import _percentiles

    values = np.random.default_rng(seed).lognormal(size=(n, 3, 2))
    got = _percentiles(values, np.asarray(q))
    assert np.allclose(got, np.percentile(values, q, axis=0), rtol=1e-12, atol=0)


def test_fast_percentiles_leave_input_alone() -> None:
    from klimacore.consumption._municipal import _percentiles

    values = np.random.default_rng(1).normal(size=(50, 1))
    before = values.copy()
    _percentiles(values, np.array([5.0, 95.0]))
    assert np.array_equal(values, before)


def test_own_travel_data_replace_the_km_assumption(excerpt: pd.DataFrame) -> None:
    own = excerpt.copy()
    own["car_km_per_car"] = np.nan
    own.loc[727, "car_km_per_car"] = 0.0
    ds = kc.municipal_footprint(own, n_draws=20, seed=1)
    cars = ds["footprint_percentiles"].sel(category="private_car_use")
    assert float(abs(cars.sel(municipality=727)).max()) == 0.0
    assert float(cars.sel(municipality=101).min()) > 0
    ref = kc.reference_footprint(own, {str(n): float(v) for n, v in zip(
        kc.municipal_parameters()["name"], kc.municipal_parameters()["value"], strict=True)})
    central = ds["footprint"].squeeze()
    assert ref[727]["food"] == pytest.approx(float(central.sel(municipality=727,
                                                                  category="food")))


def test_demo_text_on_real_figures() -> None:
    from klimacore._footprint_cli import demo_text

    text = demo_text(drivers=_shared_data(), n_draws=100)
    assert text is not None and "Odder (727)" in text and "physical" in text


def test_demo_text_without_drivers(tmp_path: Path) -> None:
    from klimacore._footprint_cli import demo_text

    assert demo_text(drivers=tmp_path / "absent") is None


def test_footprint_indicators(excerpt: pd.DataFrame) -> None:
    ds = kc.municipal_footprint(excerpt, n_draws=100, seed=3)
    frame = kc.footprint_indicators(ds, ("food", "private_car_use"))
    assert len(frame) == 2 * 4
    assert bool((frame["low"] <= frame["high"]).all())
    with pytest.raises(ValidationError, match="at least two"):
        kc.footprint_indicators(ds, ("food",))
    with pytest.raises(MissingLabelError):
        kc.footprint_indicators(ds, ("food", "beer"))
    with pytest.raises(ValidationError, match="spread equally"):
        kc.footprint_indicators(ds, ("food", "investment"))


@settings(max_examples=15, deadline=None)
@given(k=st.floats(0.1, 10.0))
def test_scaling_the_country_leaves_per_inhabitant_unchanged(k: float) -> None:
    drivers = io.read_municipal_drivers(EXCERPT)
    scaled = drivers.copy()
    for col in ("population", "household_energy_co2_t", "cars", "cars_electric", "cars_plugin",
                "cars_diesel", "cars_petrol"):
        scaled[col] = scaled[col] * k
    a = kc.municipal_footprint(drivers, n_draws=0)["per_capita"]
    b = kc.municipal_footprint(scaled, n_draws=0, national=drivers.attrs["national"])["per_capita"]
    assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9)


def test_danish_intensities_with_physical_overrides() -> None:
    import xarray as xr

    spending = xr.DataArray([[30_000.0, 8_000.0]], dims=("municipality", "coicop"),
                            coords={"municipality": [727], "coicop": ["04", "04.5.3"]},
                            attrs={"units": "DKK", "price_year": 2021, "price_basis": "purchaser"})
    overrides = pd.DataFrame({"municipality": [727], "coicop": ["04.5.3"], "carrier": ["gas_oil"],
                              "amount": [800.0], "unit": ["L"]})
    out = kc.spend_footprint(spending, kc.danish_intensities(), overrides=overrides, unit="kg")
    assert out.attrs["overridden_coicop"] == ["04.5.3"]
    assert float(out["footprint"].sel(coicop="04.5.3")[0]) == pytest.approx(
        float(out["physical"].sel(coicop="04.5.3")[0]))


def test_category_sensitivity_names_the_car_assumptions(excerpt: pd.DataFrame) -> None:
    ds = kc.municipal_footprint(excerpt, n_draws=3000, seed=4)
    cars = kc.sensitivity_table(ds, category="private_car_use")
    assert cars["parameter"].iloc[0] in {"car_km_per_year", "petrol_energy_per_km"}
    housing = kc.sensitivity_table(ds, category="housing_energy")
    assert housing["parameter"].iloc[0] == "housing_lifecycle_factor"
    with pytest.raises(ValidationError):
        kc.sensitivity_table(ds, municipality=727, category="food")


def test_summaries_equal_the_full_array(excerpt: pd.DataFrame) -> None:
    from klimacore.consumption._municipal import (
        _block_percentiles,
        _drivers,
        _evaluate,
        _parts,
    )

    draws = kc.sample_parameters(kc.municipal_parameters(), 200, seed=9)
    d = _drivers(excerpt, None)
    arr = _evaluate(draws, d, metric="AR5GWP100")
    parts = _parts(draws, d, metric="AR5GWP100")
    summaries = parts.summaries()
    q = np.array([5.0, 50.0, 95.0])
    assert np.allclose(_block_percentiles(parts, q), np.percentile(arr, q, axis=0), rtol=1e-12)
    assert np.allclose(summaries["totals"], arr.sum(axis=2), rtol=1e-12)
    assert np.allclose(summaries["by_category"], arr.sum(axis=1), rtol=1e-12)
    assert np.allclose(summaries["means"], arr.mean(axis=0), rtol=1e-12)


def test_missing_parameters_are_named(excerpt: pd.DataFrame) -> None:
    table = kc.municipal_parameters()
    table = table[~table["name"].isin(["car_km_per_year", "share:food"])]
    with pytest.raises(ValidationError, match=r"car_km_per_year.*share:food"):
        kc.municipal_footprint(excerpt, parameters=table, n_draws=0)
