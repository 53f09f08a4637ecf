"""pint-xarray on klimacore's labelled outputs with klimacore's registry (kt = kilotonne)."""

from __future__ import annotations

import numpy as np
import pint
import pytest
import xarray as xr

import klimacore as kc
import klimacore.accessor
from klimacore import examples
from klimacore import territorial as kt
from klimacore.errors import UnitError
from klimacore.units import pint_unit, quantify

pint_xarray = pytest.importorskip("pint_xarray")


def _outputs() -> dict[str, xr.Dataset | xr.DataArray]:
    inv = examples.example_inventory()
    pop = xr.DataArray([22_000.0], dims="municipality", coords={"municipality": [727]})
    return {
        "inventory": inv,
        "sector totals": kt.totals(inv["co2e"], "sector"),
        "gpc totals": kt.gpc_totals(inv),
        "regions": kt.aggregate(inv, "region", complete=False),
        "per capita": kt.per_capita(inv["co2e"], pop),
        "footprint": examples.example_footprint(),
    }


@pytest.mark.parametrize("name", list(_outputs()))
def test_every_labelled_output_quantifies(name: str) -> None:
    obj = _outputs()[name]
    q = obj.klima.quantify()
    arrays = q.data_vars.values() if isinstance(q, xr.Dataset) else [q]
    quantified = [a for a in arrays if isinstance(a.data, pint.Quantity)]
    assert quantified, name
    for a in quantified:
        assert a.data._REGISTRY is kc.ureg  # klimacore's registry, not pint's default
        # dequantify gives back the numbers unchanged
        plain = a.pint.dequantify()
        src = obj[a.name] if isinstance(obj, xr.Dataset) else obj
        np.testing.assert_array_equal(plain.to_numpy(), src.to_numpy())


def test_kt_is_a_kilotonne_not_a_knot() -> None:
    da = xr.DataArray([1.5, 2.0], dims="year", coords={"year": [2019, 2020]},
                      attrs={"units": "kt"})
    q = da.klima.quantify()
    assert q.pint.to("t").pint.magnitude.tolist() == [1500.0, 2000.0]
    # the trap klimacore avoids: pint's default registry reads kt as a knot (a speed)
    default = da.pint.quantify(unit_registry=pint.UnitRegistry(force_ndarray_like=True))
    assert default.pint.units.dimensionality == pint.UnitRegistry().knot.dimensionality
    # with klimacore's registry as pint's application registry, a bare .pint.quantify() agrees
    before = pint.get_application_registry()
    pint.set_application_registry(kc.ureg)
    try:
        assert da.pint.quantify().pint.to("t").pint.magnitude.tolist() == [1500.0, 2000.0]
    finally:
        pint.set_application_registry(before)


def test_co2e_and_notes() -> None:
    fp = examples.example_footprint()
    q = quantify(fp)
    assert q["spending_basic"].attrs["units_text"] == "DKK (2019 prices, basic)"
    assert q["per_capita"].pint.units == kc.ureg.Unit("t / person")
    assert pint_unit("t CO2e") == kc.ureg.Unit("t")
    with pytest.raises(UnitError, match="carries a factor 1000"):
        pint_unit("1000 t")


def test_arithmetic_through_pint_xarray_matches_klimacore() -> None:
    inv = examples.example_inventory()
    q = inv["co2e"].klima.quantify()
    kt_total = q.sum("category").pint.to("kt").pint.dequantify()
    np.testing.assert_allclose(kt_total.to_numpy(), inv["co2e"].sum("category").to_numpy() / 1e3)


def test_registry_leaves_pint_logger_alone() -> None:
    import logging

    log = logging.getLogger("pint.util")
    log.setLevel(logging.DEBUG)
    try:
        kc.units.get_ureg.__wrapped__()  # build a fresh one, leave the cached registry alone
        assert log.level == logging.DEBUG
    finally:
        log.setLevel(logging.NOTSET)
