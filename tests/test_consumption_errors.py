"""Consumption's raise sites follow the error contract: code, label, location; groups."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr

import klimacore.consumption as kc
from klimacore.errors import (
    DataError,
    KlimacoreError,
    MissingLabelError,
    ProblemGroup,
    UnitError,
    ValidationError,
)

SPEND = xr.DataArray([[100.0, 50.0]], dims=("municipality", "coicop"),
                     coords={"municipality": [727], "coicop": ["01", "07"]},
                     attrs={"units": "DKK", "price_year": 2019, "price_basis": "purchaser"})
INTEN = xr.DataArray([0.1, 0.2], dims="coicop", coords={"coicop": ["01", "07"]},
                     attrs={"units": "kg/DKK", "year": 2019, "price_basis": "basic",
                            "gwp_metric": "AR5GWP100"})


def test_every_bridge_problem_is_reported_with_its_code() -> None:
    with pytest.raises(ProblemGroup) as err:
        kc.spend_footprint(SPEND, INTEN, vat={"01": 25.0, "07": -0.1}, margins={"01": 0.0, "07": 0.9},
                           taxes=0.2, margin_intensity=0.0)
    codes = [e.code for e in err.value.exceptions]
    assert codes.count("bridge.vat") == 2 and "bridge.share" in codes
    locations = {e.location for e in err.value.exceptions}
    assert "vat['01']" in locations and "margins/taxes['07']" in locations
    assert isinstance(err.value, ValueError) and isinstance(err.value, KlimacoreError)
    with pytest.raises(ValidationError, match=r"0\.25, not 25") as one:
        kc.spend_footprint(SPEND.sel(coicop=["01"]), INTEN, vat=25.0)
    assert one.value.code == "bridge.vat"


def test_intensity_metadata_problems_come_together() -> None:
    bare = INTEN.copy()
    bare.attrs = {"units": "kg/DKK"}
    with pytest.raises(ProblemGroup) as err:
        kc.spend_footprint(SPEND, bare)
    assert sorted(e.label for e in err.value.exceptions) == ["price_basis", "year"]
    assert {e.code for e in err.value.exceptions} == {"intensity.attrs"}


def test_override_row_problems_name_the_row() -> None:
    s = SPEND.assign_coords(coicop=["04", "04.5.1"])
    i = INTEN.assign_coords(coicop=["04", "04.5.1"])
    use = pd.DataFrame({"municipality": [727, 727], "coicop": ["04.5.1", "04.5.1"],
                        "carrier": ["electricity", "electricity"], "amount": [1.0, -1.0],
                        "unit": ["L", "kWh"]})
    factors = {"electricity": (0.1, "kg/kWh")}
    with pytest.raises(ProblemGroup) as err:
        kc.spend_footprint(s, i, overrides=use, factors=factors, vat=0.0)
    assert [e.location for e in err.value.exceptions] == ["overrides row 0", "overrides row 1"]
    assert all(isinstance(e, UnitError) for e in err.value.exceptions)


def test_driver_problems_are_data_errors_with_codes() -> None:
    t = pd.DataFrame({"population": [0.0, 10.0], "disposable_income": [1.0, -1.0],
                      "household_energy_co2_t": [1.0, 1.0], "cars_electric": [0.0, 0.0],
                      "cars_plugin": [0.0, 0.0], "cars_diesel": [0.0, 0.0],
                      "cars_petrol": [0.0, 0.0], "commuting_km": [10.0, 10.0]},
                     index=pd.Index([1, 2], name="municipality"))
    with pytest.raises(ProblemGroup) as err:
        kc.municipal_footprint(t, national={"commuting_km": 10.0,
                                            "electricity_co2_g_per_kwh": 50.0})
    assert all(isinstance(e, DataError) for e in err.value.exceptions)
    assert {e.code for e in err.value.exceptions} == {"drivers.population",
                                                      "drivers.disposable_income"}


def test_missing_labels_keep_their_kind_and_code() -> None:
    with pytest.raises(MissingLabelError) as err:
        kc.spend_footprint(SPEND, INTEN.sel(coicop=["01"]), fallback=False)
    assert err.value.code == "coicop.unresolved" and err.value.label == "07"
    with pytest.raises(MissingLabelError) as group:
        kc.spend_footprint(SPEND, INTEN, groups={"01": "food"})
    assert group.value.code == "coicop.group" and group.value.location == "groups"
