"""The ``.klima`` xarray accessor: one-line calls into klimacore, no state.

Importing this module registers ``.klima`` on every :class:`xarray.Dataset` and
:class:`xarray.DataArray`; ``import klimacore`` arranges for that to happen as soon as xarray is
imported, in whatever order the two are (``klimacore._import_hook``). Each method is a
thin call into :mod:`klimacore.territorial` or :mod:`klimacore.io`; nothing is cached on the
object.

Examples
--------
>>> import klimacore.accessor
>>> from klimacore import examples
>>> inv = examples.example_inventory()
>>> inv.klima.gpc_totals()["co2e"].sel(year=2019, municipality=727,
...                                    scope2_method="national_location").round().values.tolist()
[99717.0, 194242.0, 171692.0]
>>> inv.klima.co2e("AR6GWP100").attrs["gwp_metric"]
'AR6GWP100'
>>> inv["co2e"].klima.totals("scope").sizes["scope"]
3
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xarray as xr

from klimacore.units import DEFAULT_GWP_METRIC

__all__ = ["KlimaAccessor"]


class KlimaAccessor:
    """``obj.klima``: totals, CO2e, per capita, aggregation and file output for xarray objects."""

    def __init__(self, obj: xr.Dataset | xr.DataArray) -> None:
        self._obj = obj

    def totals(self, by: str | tuple[str, ...] = "sector") -> Any:
        """Sum categories by sector, sub-sector, scope, plan sector or ``"gpc"``
        (:func:`klimacore.territorial.totals`)."""
        from klimacore.territorial import totals

        return totals(self._obj, by)

    def gpc_totals(self) -> Any:
        """BASIC, BASIC+ and territorial totals (:func:`klimacore.territorial.gpc_totals`)."""
        from klimacore.territorial import gpc_totals

        return gpc_totals(self._obj)

    def co2e(self, metric: str = DEFAULT_GWP_METRIC) -> Any:
        """CO2e under ``metric``: an inventory with ``co2e`` recomputed, or a per-gas array summed
        (:func:`klimacore.territorial.co2e`)."""
        from klimacore.territorial import co2e

        return co2e(self._obj, metric)

    def per_capita(self, population: Any) -> Any:
        """Divide by population (:func:`klimacore.territorial.per_capita`)."""
        from klimacore.territorial import per_capita

        return per_capita(self._obj, population)

    def aggregate(self, to: str = "region", *, complete: bool = True) -> Any:
        """Municipalities → regions or Denmark (:func:`klimacore.territorial.aggregate`)."""
        from klimacore.territorial import aggregate

        return aggregate(self._obj, to, complete=complete)

    def quantify(self) -> Any:
        """pint-xarray quantities of klimacore's registry (:func:`klimacore.units.quantify`)."""
        from klimacore.units import quantify

        return quantify(self._obj)

    def to_iamc(self, **kwargs: Any) -> Any:
        """The long IAMC table (:func:`klimacore.io.to_iamc`)."""
        from klimacore.io import to_iamc

        return to_iamc(self._obj, **kwargs)

    def to_frame(self) -> Any:
        """A tidy long frame (:func:`klimacore.io.to_frame`)."""
        from klimacore.io import to_frame

        return to_frame(self._obj)

    def to_csv(self, path: str | Path) -> Path:
        """Write a tidy CSV with metadata (:func:`klimacore.io.write_csv`)."""
        from klimacore.io import write_csv

        return write_csv(self._obj, path)

    def to_netcdf(self, path: str | Path) -> Path:
        """Write netCDF keeping units and attrs exactly (:func:`klimacore.io.to_netcdf`)."""
        from klimacore.io import to_netcdf

        return to_netcdf(self._obj, path)


def _register() -> None:
    # idempotent: a re-import (e.g. importlib.reload) does not register twice
    if getattr(xr.Dataset, "klima", None) is not KlimaAccessor:
        xr.register_dataset_accessor("klima")(KlimaAccessor)  # type: ignore[no-untyped-call]
    if getattr(xr.DataArray, "klima", None) is not KlimaAccessor:
        xr.register_dataarray_accessor("klima")(KlimaAccessor)  # type: ignore[no-untyped-call]


_register()
