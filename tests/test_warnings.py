"""One warning tree under KlimacoreWarning; deprecations are also DeprecationWarnings."""

from __future__ import annotations

import warnings

import pytest
import xarray as xr

from klimacore import errors, trajectory
from klimacore._deprecation import renamed


def test_hierarchy() -> None:
    for cls in (errors.DataQualityWarning, errors.CompatibilityWarning,
                errors.KlimacoreDeprecationWarning, errors.GenerationFuelWarning):
        assert issubclass(cls, errors.KlimacoreWarning)
    assert issubclass(errors.GenerationFuelWarning, errors.DataQualityWarning)
    assert issubclass(errors.KlimacoreDeprecationWarning, DeprecationWarning)
    # every warning class klimacore defines sits under the one base
    found = [v for v in vars(errors).values() if isinstance(v, type) and issubclass(v, Warning)]
    assert all(issubclass(c, errors.KlimacoreWarning) for c in found)


def test_lulucf_mismatch_is_a_compatibility_warning() -> None:
    e = xr.DataArray([100.0, 30.0], dims="year", coords={"year": [1990, 2030]},
                     attrs={"units": "t", "includes_lulucf": False})
    ref = next(r for r in trajectory.DEFAULT_REFERENCES
               if trajectory.get_reference(r).includes_lulucf)
    with pytest.warns(errors.CompatibilityWarning, match="LULUCF"):
        trajectory.check_trajectory(e, [ref])


def test_renamed_keeps_working_and_warns() -> None:
    def total(x: int) -> int:
        return x + 1

    old = renamed(total, "sum_up", since="0.2", removed_in="0.3")
    with pytest.warns(errors.KlimacoreDeprecationWarning, match="use total"):
        assert old(1) == 2
    assert old.__name__ == "sum_up"
    with warnings.catch_warnings():
        warnings.simplefilter("error", errors.KlimacoreWarning)
        with pytest.raises(errors.KlimacoreDeprecationWarning):
            old(1)
