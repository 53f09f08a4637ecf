"""klimacore.testing: the assertions catch what they promise to catch."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from klimacore.testing import assert_conserved, assert_no_gaps


def test_conserved_rejects_nan_and_misaligned() -> None:
    parts = xr.DataArray([[1.0, np.nan]], dims=("m", "y"), coords={"m": [1], "y": [1, 2]})
    whole = xr.DataArray([1.0, 0.0], dims="y", coords={"y": [1, 2]})
    with pytest.raises(AssertionError, match="y=2"):
        assert_conserved(parts, whole, dim="m")
    with pytest.raises(ValueError):  # exact alignment: a missing year is not skipped
        assert_conserved(parts, whole.sel(y=[1]), dim="m")


def test_no_gaps_names_places() -> None:
    da = xr.DataArray([1.0, np.nan, np.nan], dims="year", coords={"year": [2020, 2021, 2022]})
    with pytest.raises(AssertionError, match=r"2 missing value.*year=2021; year=2022"):
        assert_no_gaps(da)
