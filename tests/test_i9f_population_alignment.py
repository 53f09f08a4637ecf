"""Population through the one form in monitoring and trajectory; coded alignment errors."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from klimacore.errors import AlignmentError, KlimacoreError, ProblemGroup, ValidationError
from klimacore.monitoring import account_panel, lmdi, national_residual, national_rollup
from klimacore.trajectory import check_trajectory


def _emissions() -> xr.DataArray:
    return xr.DataArray(np.full((2, 2, 2), 10.0), dims=("municipality", "year", "sector"),
                        coords={"municipality": [101, 751], "year": [2018, 2023],
                                "sector": ["energi", "transport"]})


def test_panel_refuses_population_by_year_only() -> None:
    by_year = xr.DataArray([100.0, 110.0], dims="year", coords={"year": [2018, 2023]})
    with pytest.raises(ValidationError, match=r"no 'municipality' dimension.*\[101, 751\]") as e:
        account_panel(_emissions(), population=by_year)
    assert e.value.code == "population.entity_dim" and e.value.label == "municipality"


def test_panel_population_labels_are_coded() -> None:
    pop = xr.DataArray([[100.0, 110.0]], dims=("municipality", "year"),
                       coords={"municipality": [101], "year": [2018, 2023]})
    with pytest.raises(AlignmentError, match=r"missing \[751\]") as e:
        account_panel(_emissions(), population=pop)
    assert e.value.code == "monitoring.population.labels"
    assert e.value.location == "population, municipality" and e.value.label == [751]


def test_panel_population_through_the_form_and_nan_stays_missing() -> None:
    import pandas as pd

    series = pd.Series([100.0, 110.0, 200.0, 220.0], index=pd.MultiIndex.from_product(
        [[101, 751], [2018, 2023]], names=["municipality", "year"]))
    p = account_panel(_emissions(), population=series)
    assert p["population"].attrs["units"] == "persons"
    np.testing.assert_allclose(p["per_capita"].sel(municipality=751).to_numpy(), [0.1, 20 / 220])
    gap = xr.DataArray([[100.0, np.nan], [200.0, 220.0]], dims=("municipality", "year"),
                       coords={"municipality": [101, 751], "year": [2018, 2023]})
    q = account_panel(_emissions(), population=gap)
    assert np.isnan(float(q["per_capita"].sel(municipality=101, year=2023)))


def test_per_capita_and_rollup_alignment_coded() -> None:
    pc = xr.DataArray([[1.0, 1.0]], dims=("municipality", "year"),
                      coords={"municipality": [101], "year": [2018, 2023]})
    with pytest.raises(AlignmentError) as e:
        account_panel(_emissions(), per_capita=pc)
    assert e.value.code == "monitoring.per_capita.labels"
    one = xr.DataArray([1.0], dims="municipality", coords={"municipality": [0]})
    two = xr.DataArray([1.0], dims="municipality", coords={"municipality": [1]})
    with pytest.raises(ProblemGroup) as g:
        national_rollup(one, two, two)
    assert [p.code for p in g.value.exceptions] == ["monitoring.rollup.labels"] * 2
    assert [p.location for p in g.value.exceptions] == ["targets, municipality",
                                                        "action_scenario, municipality"]
    import pandas as pd
    with pytest.raises(AlignmentError) as r:
        national_residual(pd.Series({2022: 1.0}), pd.Series({2023: 2.0}))
    assert r.value.code == "monitoring.residual.years"


def test_lmdi_coordinate_mismatch_coded() -> None:
    v = xr.DataArray([[1.0, 2.0]], dims=("category", "year"), coords={"category": ["a"],
                                                                    "year": [2018, 2023]})
    f = xr.DataArray([[1.0, 2.0]], dims=("category", "year"), coords={"category": ["b"],
                                                                    "year": [2018, 2023]})
    with pytest.raises(KlimacoreError) as e:
        lmdi(v, {"x": f}, start=2018, end=2023)
    assert e.value.code == "monitoring.lmdi_labels"


def test_trajectory_refuses_population_without_entity_dim() -> None:
    e = xr.DataArray([[10.0, 3.0], [20.0, 12.0]], dims=("municipality", "year"),
                     coords={"municipality": [101, 751], "year": [2019, 2030]},
                     attrs={"gases": ["CO2", "CH4", "N2O"]})
    with pytest.raises(ValidationError, match="never spread") as err:
        check_trajectory(e, "c40-deadline-2020", population={2019: 5.0, 2030: 5.0})
    assert err.value.code == "population.entity_dim"
    with pytest.raises(ValidationError, match="never spread"):
        check_trajectory(e, "c40-deadline-2020", population=5.0)
    with pytest.raises(ValidationError, match="positive finite"):
        check_trajectory(e, "c40-deadline-2020",
                         population={101: {2019: 0.0}, 751: {2019: 5.0}})


def test_plan_population_is_the_form() -> None:
    from klimacore.models import load_example_plan
    from klimacore.trajectory._plan_emissions import plan_population

    plan = load_example_plan()
    pop = plan_population(plan)
    assert pop is not None and pop.dims == ("year",) and pop.dtype == np.float64
    assert pop["year"].dtype == np.int64
    assert dict(zip(pop["year"].to_numpy().tolist(), pop.to_numpy().tolist(), strict=True)) \
        == {int(y): float(v) for y, v in plan.population.items()}
