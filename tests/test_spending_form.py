"""The one spending form (``klimacore.forms.as_spending``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from klimacore.errors import DataError, ValidationError
from klimacore.forms import as_spending

FRAME = pd.DataFrame({"municipality": ["727", 727, 101, 101], "year": [2019] * 4,
                      "coicop": [1, "CP0722", "01", "07.2.2"], "value": [10.0, 5.0, 20.0, 0.0]})


def test_every_input_gives_the_same_form() -> None:
    from_frame = as_spending(FRAME, units="DKK", price_year=2019)
    assert from_frame.dims == ("municipality", "year", "coicop")
    assert from_frame["municipality"].dtype.kind == "i"
    assert from_frame["coicop"].to_numpy().tolist() == ["01", "07.2.2"]
    assert from_frame.attrs == {"units": "DKK", "price_year": 2019, "price_basis": "purchaser",
                                "currency": "DKK"}
    series = FRAME.assign(municipality=FRAME["municipality"].astype(int)).set_index(
        ["coicop", "municipality", "year"])["value"]
    assert as_spending(series, units="DKK", price_year=2019).identical(from_frame)
    da = from_frame.transpose("coicop", "year", "municipality").assign_attrs(
        units="DKK", price_year=2019)
    assert as_spending(da).identical(from_frame)
    indexed = FRAME.set_index(["municipality", "year"])
    assert as_spending(indexed, units="DKK", price_year=2019).identical(from_frame)


def test_metadata_is_required_and_checked() -> None:
    with pytest.raises(ValidationError, match="spending unit unknown") as err:
        as_spending(FRAME, price_year=2019)
    assert err.value.code == "spending.units"
    with pytest.raises(ValidationError, match="price year unknown"):
        as_spending(FRAME, units="DKK")
    with pytest.raises(ValidationError, match="price year must be"):
        as_spending(FRAME, units="DKK", price_year="last year")
    with pytest.raises(ValidationError, match="not one of"):
        as_spending(FRAME, units="DKK", price_year=2019, price_basis="market")
    current = as_spending(FRAME, units="kDKK", price_year="current", price_basis="basic",
                          currency="DKK", source="DST FU")
    assert current.attrs["price_year"] == "current" and current.attrs["currency"] == "DKK"
    assert current.attrs["source"] == "DST FU"


def test_bad_tables_name_their_labels() -> None:
    kw = {"units": "DKK", "price_year": 2019}
    with pytest.raises(ValidationError, match="negative spending") as err:
        as_spending(FRAME.assign(value=[1.0, -2.0, 1.0, 1.0]), **kw)
    assert err.value.code == "spending.negative"
    with pytest.raises(DataError, match="complete table"):
        as_spending(FRAME.iloc[:3], **kw)
    with pytest.raises(DataError, match="duplicate"):
        as_spending(pd.concat([FRAME, FRAME.iloc[:1]]), **kw)
    with pytest.raises(DataError, match="lacks columns"):
        as_spending(FRAME.drop(columns="value"), **kw)
    with pytest.raises(DataError, match="whole numbers"):
        as_spending(FRAME.assign(year=[2019.5] * 4), **kw)
    with pytest.raises(ValidationError, match="not a COICOP code"):
        as_spending(FRAME.assign(coicop=["food", "01", "07", "08"]), **kw)
    with pytest.raises(ValidationError, match="infinite"):
        as_spending(FRAME.assign(value=[1.0, np.inf, 1.0, 1.0]), **kw)
    with pytest.raises(ValidationError, match="needs"):
        as_spending(xr.DataArray([1.0], dims="coicop", coords={"coicop": ["01"]}), **kw)
    with pytest.raises(DataError, match="NaN"):
        as_spending(xr.DataArray([[np.nan]], dims=("municipality", "coicop"),
                                 coords={"municipality": [727], "coicop": ["01"]}), **kw)
    with pytest.raises(ValidationError, match="got list"):
        as_spending([1.0], **kw)
