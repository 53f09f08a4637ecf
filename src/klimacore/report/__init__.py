"""The yearly status report: per municipality, region and Denmark, as HTML, Markdown and JSON.

From the monitoring panel (:func:`klimacore.monitoring.account_panel`, e.g. the Energi- og
CO2-regnskab of all 98 municipalities) to the tables of MONITORING.md §B.2: M1 headline with the
latest-year verdicts (each with its reference and rule set), M2 sectors with the CCTF 2030 ranges,
M3 why emissions changed (LMDI-I), M4–M7 (need a plan or a monitoring round, and say so when
none was given), M8 data; for regions and Denmark N1–N6 as far as the data allow, with the
national caveats printed where the sum is shown.

- :func:`build_reports` → ``{key: StatusReport}``; :class:`StatusReport` renders itself
  (:meth:`~StatusReport.to_html`, :meth:`~StatusReport.to_markdown`,
  :meth:`~StatusReport.to_json`, and ``_repr_html_`` in a notebook);
- :func:`index_html` for the index page; :func:`report_schema` for the JSON Schema;
- :data:`TERMS` / :func:`term`: the one table of Danish and English labels;
- the text tables ``klimacore demo`` and ``klimacore check`` print: :func:`plan_summary_text`,
  :func:`gpc_inventory_text`, :func:`spend_footprint_text`, :func:`municipal_footprint_text`,
  :func:`plan_checks_text`, :func:`milestone_text`.

Rendering needs Jinja2 (``pip install 'klimacore[report]'``). Files are written by
``klimacore report`` (the CLI), never here.

>>> import datetime as dt
>>> import xarray as xr
>>> e = xr.DataArray([[[60.0, 40.0], [50.0, 30.0]]], dims=("municipality", "year", "sector"),
...                  coords={"municipality": [751], "year": [2019, 2023],
...                          "sector": ["energi", "transport"]})
>>> pc = xr.DataArray([[5.0, 4.0]], dims=("municipality", "year"),
...                   coords={"municipality": [751], "year": [2019, 2023]})
>>> from klimacore.monitoring import account_panel
>>> reports = build_reports(account_panel(e, per_capita=pc), as_of=dt.date(2026, 3, 1))
>>> sorted(reports)
['0751', '1082', 'DK']
>>> reports["0751"].headline()["total"], round(reports["0751"].headline()["change_vs_base"], 1)
(80.0, -20.0)
>>> "<svg" in reports["0751"].to_html() and "Overblik" in reports["0751"].to_html()
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import xarray as xr

from klimacore.report._content import DEFAULT_REFERENCES, SECTOR_MAP, compute_contents
from klimacore.report._render import (
    fmt,
    render_html,
    render_index,
    render_json,
    render_markdown,
)
from klimacore.report._schema import report_schema
from klimacore.report._terms import LANGUAGES, TERMS, term
from klimacore.report._text import (
    gpc_inventory_text,
    milestone_text,
    municipal_footprint_text,
    plan_checks_text,
    plan_summary_text,
    spend_footprint_text,
)

__all__ = [
    "DEFAULT_REFERENCES",
    "LANGUAGES",
    "SECTOR_MAP",
    "TERMS",
    "StatusReport",
    "build_reports",
    "fmt",
    "gpc_inventory_text",
    "index_html",
    "milestone_text",
    "municipal_footprint_text",
    "plan_checks_text",
    "plan_summary_text",
    "report_schema",
    "spend_footprint_text",
    "term",
]


@dataclass(frozen=True)
class StatusReport:
    """One report (a municipality, a region or Denmark): its content and its renderings.

    ``content`` is the JSON form as a dict (validates against :func:`report_schema`).
    """

    content: Mapping[str, Any]
    lang: str = field(default="da")

    @property
    def key(self) -> str:
        """``"0751"`` for a municipality, ``"1082"`` for a region, ``"DK"`` for Denmark."""
        return str(self.content["key"])

    def headline(self) -> dict[str, Any]:
        """The M1 headline row as ``{column: value}`` (t CO2e, t CO2e/inhabitant, %)."""
        tab = self.content["sections"][0]["tables"][0]
        return {c["key"]: v for c, v in zip(tab["columns"], tab["rows"][0], strict=True)}

    def verdicts(self) -> pd.DataFrame:
        """The latest-year verdicts: one row per reference (with its rule set in attrs)."""
        tab = self.content["sections"][0]["tables"][1]
        frame = pd.DataFrame(tab["rows"], columns=[c["key"] for c in tab["columns"]])
        frame.attrs["rule_set"] = dict(self.content["rule_set"])
        return frame

    def to_html(self, lang: str | None = None) -> str:
        """The self-contained HTML page (inline CSS and SVG; nothing fetched)."""
        return render_html(self.content, lang or self.lang)

    def to_markdown(self, lang: str | None = None) -> str:
        """The same content as Markdown."""
        return render_markdown(self.content, lang or self.lang)

    def to_json(self) -> str:
        """The JSON form (see :func:`report_schema`); language-neutral keys."""
        return render_json(self.content)

    def _repr_html_(self) -> str:
        return render_html(self.content, self.lang, fragment=True)


def build_reports(
    panel: xr.Dataset,
    *,
    as_of: dt.date,
    lang: str = "da",
    base_year: int = 2019,
    references: Sequence[str] = DEFAULT_REFERENCES,
    national: pd.Series | None = None,
    national_source: str | None = None,
    plans: Mapping[int, Any] | None = None,
    rounds: Mapping[int, Any] | Sequence[Any] | None = None,
) -> dict[str, StatusReport]:
    """Every report the panel allows: each municipality, its regions and Denmark.

    See :func:`klimacore.report._content.compute_contents` for the parameters; ``lang`` is the
    default language of the renderings (``"da"`` or ``"en"``); ``rounds`` may also be a sequence
    of :class:`klimacore.monitoring.RoundData` (one per municipality).
    """
    if lang not in LANGUAGES:
        from klimacore.errors import MissingLabelError

        raise MissingLabelError("language", [lang], dim="lang")
    if rounds is not None and not isinstance(rounds, Mapping):
        keyed: dict[int, Any] = {}
        for rd in rounds:
            m = int(rd.round.municipality)
            if m in keyed:
                from klimacore.errors import ValidationError

                raise ValidationError(f"two monitoring rounds for municipality {m}: give one "
                                      "round per municipality", code="report.rounds",
                                      label=str(m), location="rounds")
            keyed[m] = rd
        rounds = keyed
    contents = compute_contents(panel, as_of=as_of, base_year=base_year, references=references,
                                national=national, national_source=national_source,
                                plans=plans, rounds=rounds)
    return {k: StatusReport(c, lang) for k, c in contents.items()}


def index_html(reports: Mapping[str, StatusReport], *, lang: str = "da",
               href: str = "{key}.html") -> str:
    """The index page: Denmark, the regions, then the municipalities, each with its headline."""
    order = sorted(reports.values(), key=lambda r: (
        {"denmark": 0, "region": 1, "municipality": 2}[r.content["kind"]], r.content["name"]))
    entries = []
    for r in order:
        head = r.headline()
        tab = r.content["sections"][0]["tables"][1]
        names = [c["key"] for c in tab["columns"]]
        rows = [dict(zip(names, row, strict=True)) for row in tab["rows"]]
        first = next((v for v in rows if v["verdict"] != "no data"), None)
        entries.append({"kind": r.content["kind"], "href": href.format(key=r.key),
                        "label": (f"{r.key} " if r.content["kind"] == "municipality" else "")
                        + r.content["name"],
                        "total": head["total"], "change": head["change_vs_base"],
                        "base_year": r.content["base_year"],
                        "status": None if first is None else first["verdict"],
                        "reference": None if first is None else first["reference"]})
    as_of = next(iter(reports.values())).content["as_of"] if reports else ""
    return render_index(entries, as_of=as_of, lang=lang)
