"""Invariants of the report content on random panels (hypothesis).

Regions and Denmark are the sums of their municipalities; the LMDI effects plus the excluded
change add up to the change; every JSON validates; the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore.monitoring import account_panel
from klimacore.report import build_reports, report_schema

CODES = [101, 147, 727, 751, 851]
SECTORS = ["energi", "transport", "landbrug", "affald", "industri"]
YEARS = list(range(2018, 2024))


@st.composite
def panels(draw: st.DrawFn) -> xr.Dataset:
    n = draw(st.integers(1, len(CODES)))
    codes = sorted(draw(st.lists(st.sampled_from(CODES), min_size=n, max_size=n, unique=True)))
    values = draw(st.lists(st.floats(1.0, 1e6), min_size=n * len(YEARS) * len(SECTORS),
                           max_size=n * len(YEARS) * len(SECTORS)))
    e = np.asarray(values).reshape(n, len(YEARS), len(SECTORS))
    if draw(st.booleans()):  # a net-negative sector (soil removals) in one year
        e[0, draw(st.integers(0, len(YEARS) - 1)), 2] = -draw(st.floats(1.0, 1e3))
    pop = np.asarray(draw(st.lists(st.floats(100.0, 1e6), min_size=n * len(YEARS),
                                   max_size=n * len(YEARS)))).reshape(n, len(YEARS))
    da = xr.DataArray(e, dims=("municipality", "year", "sector"),
                      coords={"municipality": codes, "year": YEARS, "sector": SECTORS})
    p = xr.DataArray(pop, dims=("municipality", "year"),
                     coords={"municipality": codes, "year": YEARS})
    return account_panel(da, population=p)


@settings(max_examples=15, deadline=None)
@given(panels())
def test_sums_decomposition_and_schema(panel: xr.Dataset) -> None:
    reports = build_reports(panel, as_of=dt.date(2026, 3, 1))
    munis = [r for r in reports.values() if r.content["kind"] == "municipality"]
    total = sum(r.headline()["total"] or 0.0 for r in munis)
    assert reports["DK"].headline()["total"] == pytest.approx(total, rel=1e-12)
    validator = jsonschema.Draft202012Validator(report_schema())
    for rep in reports.values():
        content = json.loads(rep.to_json())
        assert not list(validator.iter_errors(content))
        m3 = next(s for s in content["sections"] if s["id"] == "M3")
        if m3["figures"]:
            d = m3["figures"][0]["data"]
            excluded = sum(n["values"]["value"] for n in m3["notes"]
                           if n["key"] == "excluded_change")
            effects = sum(r[1] for r in m3["tables"][0]["rows"])
            assert effects + excluded == pytest.approx(d["v1"] - d["v0"], rel=1e-9,
                                                       abs=1e-6 * abs(d["v0"]))
    again = build_reports(panel, as_of=dt.date(2026, 3, 1))
    assert again["DK"].to_html() == reports["DK"].to_html()
