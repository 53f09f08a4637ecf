"""The one population form (``klimacore.forms.as_population``) and its users."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import klimacore.consumption as kc
import klimacore.territorial as kt
from klimacore.errors import DataError, KlimacoreError, MissingLabelError, ValidationError
from klimacore.forms import as_population, population_for, require_entity_dims


def spending(munis: list[int], years: list[int] | None = None) -> xr.DataArray:
    dims = ("municipality", "coicop") if years is None else ("municipality", "year", "coicop")
    shape = (len(munis), 1) if years is None else (len(munis), len(years), 1)
    coords: dict[str, list[object]] = {"municipality": list(munis), "coicop": ["01"]}
    if years is not None:
        coords["year"] = list(years)
    return xr.DataArray(np.full(shape, 1000.0), dims=dims, coords=coords,
                        attrs={"units": "DKK", "price_year": 2019, "price_basis": "basic"})


INTENSITY = xr.DataArray([0.1], dims="coicop", coords={"coicop": ["01"]},
                         attrs={"units": "kg/DKK", "year": 2019, "price_basis": "basic",
                                "gwp_metric": "AR5GWP100"})


# --- the converter --------------------------------------------------------------------------------


def test_mapping_needs_its_dimension_said() -> None:
    pop = as_population({2019: 22_700, 2024: 23_300}, dim="year")
    assert pop.dims == ("year",) and pop["year"].dtype.kind == "i"
    assert pop.attrs["units"] == "persons" and pop.dtype == float
    with pytest.raises(ValidationError, match="say which dimension") as err:
        as_population({727: 23_300})
    assert err.value.code == "population.dim"
    with pytest.raises(ValidationError, match="not one of"):
        as_population({727: 23_300}, dim="kommune")


def test_labelled_inputs_say_their_dimension() -> None:
    s = pd.Series([1.0, 2.0], index=pd.Index([101, 727], name="municipality"))
    assert as_population(s).dims == ("municipality",)
    with pytest.raises(ValidationError, match="say which dimension"):
        as_population(pd.Series([1.0, 2.0], index=[101, 727]))
    assert as_population(pd.Series([1.0, 2.0], index=[101, 727]), dim="municipality").dims == (
        "municipality",)
    with pytest.raises(ValidationError, match="indexed by"):
        as_population(s, dim="year")
    frame = pd.DataFrame({"municipality": [101, 101], "year": [2019, 2020],
                          "population": [5.0, 6.0], "source": ["FOLK1A", "FOLK1A"]})
    pop = as_population(frame)
    assert pop.dims == ("municipality", "year")
    assert pop.sel(municipality=101, year=2020).item() == 6.0
    nested = frame.set_index(["year", "municipality"])["population"]
    assert as_population(nested).identical(pop)
    da = xr.DataArray([[1.0]], dims=("year", "municipality"),
                      coords={"year": [2019.0], "municipality": ["727"]})
    out = as_population(da)
    assert out.dims == ("municipality", "year") and out["year"].dtype.kind == "i"


@pytest.mark.parametrize(("bad", "match"), [
    ({101: 0.0}, "positive finite"),
    ({101: -3.0}, "positive finite"),
    ({101: float("nan")}, "positive finite"),
    ({101: float("inf")}, "positive finite"),
    ({101: "many"}, "not a number"),
])
def test_bad_values_are_named(bad: dict[int, object], match: str) -> None:
    with pytest.raises(ValidationError, match=match) as err:
        as_population(bad, dim="municipality")
    assert "101" in str(err.value) or "many" in str(err.value)


def test_bad_dimensions_and_keys() -> None:
    with pytest.raises(ValidationError, match="keyed by") as err:
        as_population(xr.DataArray([1.0], dims="sector", coords={"sector": ["I"]}))
    assert err.value.label == ["sector"]
    with pytest.raises(DataError, match="whole numbers"):
        as_population({2019.5: 1.0}, dim="year")
    with pytest.raises(DataError, match="duplicate"):
        as_population(pd.DataFrame({"year": [2019, 2019], "population": [1.0, 2.0]}))
    with pytest.raises(DataError, match="'population'"):
        as_population(pd.DataFrame({"year": [2019], "people": [1.0]}))
    with pytest.raises(ValidationError, match="got list"):
        as_population([1.0, 2.0])


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.integers(101, 860), st.floats(1, 1e7), min_size=1, max_size=20))
def test_mapping_round_trip(values: dict[int, float]) -> None:
    pop = as_population(values, dim="municipality")
    assert pop.to_series().to_dict() == {k: float(v) for k, v in values.items()}


# --- never broadcast over entities ----------------------------------------------------------------


def test_entity_dimension_is_required() -> None:
    e = xr.DataArray([1.0, 2.0], dims="municipality", coords={"municipality": [101, 727]})
    with pytest.raises(ValidationError, match=r"no 'municipality' dimension.*\[101, 727\]") as err:
        require_entity_dims(as_population({2019: 5.0}, dim="year"), e)
    assert err.value.code == "population.entity_dim" and err.value.label == "municipality"
    both = xr.DataArray([[1.0]], dims=("municipality", "region"),
                        coords={"municipality": [101], "region": [1084]})
    with pytest.raises(KlimacoreError) as group:
        require_entity_dims(as_population(5.0), both)
    assert "municipality" in str(group.value) and "region" in str(group.value)


def test_population_for_aligns_exactly() -> None:
    e = xr.DataArray([[1.0, 2.0]], dims=("year", "municipality"),
                     coords={"year": [2019], "municipality": [101, 727]})
    pop = as_population({727: 10.0, 101: 20.0, 751: 30.0}, dim="municipality")
    out = population_for(pop, e)
    assert out["municipality"].to_numpy().tolist() == [101, 727]
    with pytest.raises(MissingLabelError, match="727") as err:
        population_for(as_population({101: 1.0}, dim="municipality"), e)
    assert err.value.code == "population.label"
    by_year = as_population(pd.DataFrame({"municipality": [101, 727], "year": [2019, 2019],
                                          "population": [1.0, 2.0]}))
    assert population_for(by_year, e.sel(year=2019)).dims == ("municipality",)
    with pytest.raises(ValidationError, match="do not have"):
        population_for(by_year, e.isel(year=0, drop=True))


def test_per_capita_refuses_the_silent_broadcast() -> None:
    # before: {year: n} was divided into every municipality; now it fails naming them
    e = xr.DataArray([[100.0, 200.0]], dims=("year", "municipality"),
                     coords={"year": [2019], "municipality": [101, 727]}, attrs={"units": "t"})
    with pytest.raises(ValidationError, match=r"municipality \[101, 727\]"):
        kt.per_capita(e, {2019: 50.0})
    with pytest.raises(ValidationError, match="never spread"):
        kt.per_capita(e, 50.0)
    pop = as_population({101: 50.0, 727: 100.0}, dim="municipality")
    assert kt.per_capita(e, pop).to_numpy().tolist() == [[2.0, 2.0]]
    # one municipality, its own series by year: fine
    one = e.sel(municipality=727)
    assert kt.per_capita(one, {2019: 100.0}).item() == 2.0


def test_spend_footprint_refuses_the_silent_broadcast() -> None:
    s = spending([101, 727])
    year_only = as_population({2019: 10.0}, dim="year")
    with pytest.raises(ValidationError, match=r"no 'municipality' dimension.*\[101, 727\]"):
        kc.spend_footprint(s, INTENSITY, population=year_only)
    with pytest.raises(ValidationError, match="never spread"):
        kc.spend_footprint(s, INTENSITY, population=xr.DataArray(10.0))


def test_territorial_and_consumption_take_the_same_form() -> None:
    pop = as_population(pd.Series([50.0, 100.0], index=pd.Index([101, 727], name="municipality")))
    ds = kc.spend_footprint(spending([101, 727]), INTENSITY, population=pop)
    per_inhabitant = kt.per_capita(ds["total"].assign_attrs(units="t"), pop)
    np.testing.assert_allclose(per_inhabitant.to_numpy(), ds["per_capita"].to_numpy())
    by_year = as_population(pd.DataFrame({"municipality": [101, 727, 101, 727],
                                          "year": [2019, 2019, 2020, 2020],
                                          "population": [50.0, 100.0, 60.0, 120.0]}))
    ds2 = kc.spend_footprint(spending([101, 727], [2019, 2020]), INTENSITY,
                             population=by_year)
    assert ds2["per_capita"].sel(municipality=101, year=2020).item() == pytest.approx(0.1 / 60)
