"""forms.as_emissions: one converter, fixed dims and attrs; a form passes through untouched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from klimacore import trajectory
from klimacore.errors import DataError, UnknownMetricError
from klimacore.forms import as_emissions
from klimacore.units import DEFAULT_GWP_METRIC


def test_every_shape_gives_the_same_form() -> None:
    years = [1990, 2030]
    shapes = [
        {2030: 0.03, 1990: 0.1},
        pd.Series([0.1, 0.03], index=pd.Index(years, name="year")),
        pd.DataFrame({"year": years, "value": [0.1, 0.03]}),
        xr.DataArray([0.03, 0.1], dims="year", coords={"year": [2030, 1990]}),
    ]
    for shape in shapes:
        e = as_emissions(shape, units="kt CO2e", boundary="territorial")
        assert e.dims == ("year",) and e.dtype == np.float64
        assert e["year"].to_numpy().tolist() == years
        np.testing.assert_allclose(e.to_numpy(), [100.0, 30.0])
        assert e.attrs == {"units": "t", "gwp_metric": DEFAULT_GWP_METRIC,
                           "boundary": "territorial"}


def test_form_passes_through_and_trajectory_takes_it() -> None:
    e = as_emissions({1990: 100.0, 2030: 30.0}, gwp_metric="AR6GWP100", source="test")
    assert as_emissions(e) is e and trajectory.as_emissions is as_emissions
    assert e.attrs["gwp_metric"] == "AR6GWP100" and e.attrs["source"] == "test"
    check = trajectory.check_trajectory(e, "dk-climate-act", gases=("CO2", "CH4", "N2O"),
                                        includes_lulucf=False)
    assert check.years.attrs["gwp_metric"] == "AR6GWP100"


def test_metric_is_checked_and_never_relabelled() -> None:
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        as_emissions({2019: 1.0}, gwp_metric="AR7GWP100")
    ar6 = xr.DataArray([1.0], dims="year", coords={"year": [2019]},
                       attrs={"units": "t", "gwp_metric": "AR6GWP100"})
    with pytest.raises(DataError, match="to_co2e, never relabel") as info:
        as_emissions(ar6, gwp_metric="AR5GWP100")
    assert info.value.code == "emissions.gwp_metric"
    bad = ar6.assign_attrs(gwp_metric="AR7GWP100")
    with pytest.raises(UnknownMetricError):
        as_emissions(bad)


def test_infinite_values_are_refused_on_the_fast_path_too() -> None:
    e = as_emissions({2019: 1.0, 2020: 2.0})
    with pytest.raises(DataError, match="infinite emissions") as info:
        as_emissions(e.copy(data=[1.0, np.inf]))
    assert info.value.code == "emissions.infinite"


def test_lazy_form_stays_lazy() -> None:
    pytest.importorskip("dask")
    e = as_emissions(xr.DataArray(np.ones((4, 3)), dims=("municipality", "year"),
                                  coords={"municipality": [101, 147, 151, 153],
                                          "year": [2019, 2020, 2021]}).chunk(municipality=2))
    assert e.chunks is not None and as_emissions(e) is e
