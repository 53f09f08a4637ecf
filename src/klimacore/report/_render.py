"""Rendering the content: HTML (Jinja2 templates, inline SVG), Markdown and JSON.

Labels come from :mod:`klimacore.report._terms`; numbers are formatted per language (Danish:
``1.140.105``; English: ``1,140,105``) with their unit in the column header.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from klimacore.errors import MissingLabelError
from klimacore.report._svg import (
    bars_svg,
    line_svg,
    ranked_svg,
    stacked_svg,
    status_bars_svg,
    tiles_svg,
    traffic_svg,
    waterfall_svg,
)
from klimacore.report._terms import LANGUAGES, TERMS, term

__all__ = ["fmt", "render_html", "render_index", "render_json", "render_markdown"]

_DECIMALS = {"actions": 0, "t CO2e": 0, "%": 1, "%/yr": 2, "% of base/yr": 2,
             "t CO2e/inhabitant": 2, "years": 0, "municipalities": 0, "DKK": 0, "claims": 0,
             "events": 0, "value": 1, "pp": 1}
_LEVEL_ORDER = ("output", "outcome", "impact", "–")
_CATEGORY_ORDER = ("reduction", "adaptation", "equity", "consumption", "transition", "–")


def fmt(value: Any, unit: str | None, lang: str = "da") -> str:
    """A number as the reader of ``lang`` writes it (missing is a dash, never 0).

    >>> fmt(1140105.3, "t CO2e"), fmt(1140105.3, "t CO2e", "en"), fmt(-5.36, "%"), fmt(None, "%")
    ('1.140.105', '1,140,105', '-5,4', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if unit is None:
        return str(value)
    text = f"{value:,.{_DECIMALS.get(unit, 2)}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def _label(key: str, lang: str, content: Mapping[str, Any]) -> str:
    if key in TERMS:
        return term(key, lang, year=content.get("base_year", "")) if "{year}" in TERMS[key][0] \
            else term(key, lang)
    return key


def _cell(value: Any, unit: str | None, lang: str) -> str:
    if isinstance(value, str) and value in TERMS and "{" not in TERMS[value][0]:
        return term(value, lang)
    return fmt(value, unit, lang)


def _note_text(note: Mapping[str, Any], lang: str) -> str:
    values = dict(note["values"])
    if note["key"] == "verdict_rule":
        values["at_risk"] = fmt(values["at_risk"], "%", lang)
    if note["key"] == "round_note":
        values["state"] = _word(str(values["state"]), lang)
    if note["key"] == "plan_hazards":
        values["hazards"] = ", ".join(_word(h.strip(), lang)
                                      for h in str(values["hazards"]).split(","))
    if note["key"] in ("excluded_change",):
        values["value"] = f"{fmt(values['value'], 't CO2e', lang)} t CO2e"
    if note["key"] not in TERMS:
        return str(note["key"]) + ": " + ", ".join(f"{k}={v}" for k, v in values.items())
    return term(note["key"], lang, **values)


def _row_html(row: Sequence[Any], texts: Sequence[str],
              cols: Sequence[tuple[str, str | None]]) -> Any:
    from markupsafe import Markup, escape

    parts = []
    for i, (v, text, (key, unit)) in enumerate(zip(row, texts, cols, strict=True)):
        tag = "th" if i == 0 else "td"
        scope = ' scope="row"' if i == 0 else ""
        num = ' class="num"' if i and unit is not None and isinstance(v, int | float) else ""
        raw = "" if v is None else v
        parts.append(f'<{tag}{scope} data-key="{escape(key)}" data-value="{escape(raw)}"{num}>'
                     f"{escape(text)}</{tag}>")
    return Markup("<tr>" + "".join(parts) + "</tr>")


def _figure_svg(fig: Mapping[str, Any], section: Mapping[str, Any],
                content: Mapping[str, Any], lang: str, fid: str,
                draw: bool = True) -> tuple[str, str]:
    d = fig["data"]
    if fig["kind"] == "line":
        years = d["years"]
        ref = d.get("reference", "")
        title = term("fig_F1", lang, first=years[0], last=years[-1], ref=ref)
        a1 = (d.get("allowed") or [None])[-1]
        alt = term("alt_F1", lang, v0=fmt(d["emissions"][0], "t CO2e", lang), first=years[0],
                   v1=fmt(d["emissions"][-1], "t CO2e", lang), last=years[-1],
                   a1=fmt(a1, "t CO2e", lang))
        series = [(term("total", lang), d["emissions"], False)]
        if "allowed" in d:
            series.append((ref, d["allowed"], True))
        return (line_svg(fid, title, alt, years, series) if draw else ""), alt
    if fig["kind"] == "stacked":
        years = d["years"]
        title = term("fig_F2", lang, first=years[0], last=years[-1])
        alt = term("alt_F2", lang)
        return (stacked_svg(fid, title, alt, years, [_label(s, lang, content)
                                                     for s in d["sectors"]], d["values"])
                if draw else ""), alt
    if fig["kind"] == "waterfall":
        effects = [(_label(k, lang, content), v or 0.0) for k, v in d["effects"]]
        title = term("fig_F3", lang, start=d["start"], end=d["end"])
        alt = term("alt_F3", lang, v0=fmt(d["v0"], "t CO2e", lang), start=d["start"],
                   v1=fmt(d["v1"], "t CO2e", lang), end=d["end"],
                   effects="; ".join(f"{k} {fmt(v, 't CO2e', lang)}" for k, v in effects))
        return (waterfall_svg(fid, title, alt, (str(d["start"]), d["v0"] or 0.0), effects,
                              (str(d["end"]), d["v1"] or 0.0)) if draw else ""), alt
    if fig["kind"] == "manko":
        title, alt = term("fig_F6", lang), term("alt_F6", lang)
        return (bars_svg(fid, title, alt, [(b[0], b[1]) for b in d["bars"]]) if draw
                else ""), alt
    if fig["kind"] == "ranked":
        rows = section["tables"][0]["rows"]
        title = term("fig_NF1", lang, start=d["start"], end=d["end"])
        alt = term("alt_NF1", lang)
        return (ranked_svg(fid, title, alt, [(r[1], r[2]) for r in rows]) if draw else ""), alt
    if fig["kind"] in ("status_bars", "traffic", "tiles"):
        return _status_figure(fig, section, lang, fid, draw)
    raise MissingLabelError("figure kind", [fig["kind"]], dim="kind")


def _word(key: str, lang: str) -> str:
    return term(key, lang) if key in TERMS and "{" not in TERMS[key][0] else key


def _status_figure(fig: Mapping[str, Any], section: Mapping[str, Any], lang: str, fid: str,
                   draw: bool) -> tuple[str, str]:
    """F4 (action status bars), F5 (indicator traffic lights), N-F2 (tile grid by region)."""
    d = fig["data"]
    if fig["kind"] == "status_bars":
        bars = [(s, _word(s, lang), int(n), float(t)) for s, n, t in d["bars"]]
        title = term("fig_F4", lang)
        alt = term("alt_F4", lang, items="; ".join(
            f"{label}: {n}, {fmt(t, 't CO2e', lang)} t CO2e" for _, label, n, t in bars))
        return (status_bars_svg(fid, title, alt, bars, (term("n_actions_head", lang),
                                                        term("t_head", lang)))
                if draw else ""), alt
    if fig["kind"] == "traffic":
        cells = d["cells"]
        levels = [(k, _word(k, lang)) for k in _LEVEL_ORDER if any(c[0] == k for c in cells)]
        cats = [(k, _word(k, lang)) for k in _CATEGORY_ORDER if any(c[1] == k for c in cells)]
        title = term("fig_F5", lang)
        alt = term("alt_F5", lang, items="; ".join(
            f"{c[2]} ({_word(c[0], lang)}, {_word(c[1], lang)}): {_word(c[3], lang)}"
            for c in cells))
        items = [(c[0], c[1], c[2], c[3], _word(c[3], lang)) for c in cells]
        return (traffic_svg(fid, title, alt, levels, cats, items) if draw else ""), alt
    rows = next(t for t in section["tables"] if t["id"] == "NF2")["rows"]
    groups = [(name.removeprefix("Region "),
               [(str(int(r[0])), r[3], f"{r[1]}: {_word(r[3], lang)}")
                for r in rows if r[2] == code]) for code, name in d["regions"].items()]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[3]] = counts.get(r[3], 0) + 1
    order = ("on track", "at risk", "off track", "no data")
    legend = [(k, f"{_word(k, lang)} ({counts.get(k, 0)})") for k in order]
    title = term("fig_NF2", lang, ref=d["reference"])
    alt = term("alt_NF2", lang, ref=d["reference"], counts=", ".join(
        f"{_word(k, lang)} {counts.get(k, 0)}" for k in order))
    return (tiles_svg(fid, title, alt, groups, legend) if draw else ""), alt


def _view(content: Mapping[str, Any], lang: str, *, with_figures: bool) -> dict[str, Any]:
    """The content with every label, number and figure ready for a template."""
    if lang not in LANGUAGES:
        raise MissingLabelError("language", [lang], dim="lang")
    sections = []
    for sec in content["sections"]:
        sid = sec["id"]
        tables = []
        for tab in sec["tables"]:
            heads = []
            for col in tab["columns"]:
                lab = _label(col["key"], lang, content)
                unit = col["unit"]
                if unit is not None and f"unit:{unit}" in TERMS:
                    unit = term(f"unit:{unit}", lang)
                heads.append({"key": col["key"], "label": lab, "unit": unit})
            cols = [(c["key"], c["unit"]) for c in tab["columns"]]
            texts = [[_cell(v, u, lang) for v, (_, u) in zip(row, cols, strict=True)]
                     for row in tab["rows"]]
            if with_figures:  # HTML: each row's cells rendered here (a template loop per cell
                # costs most of the page's time)
                rows: list[Any] = [_row_html(row, text, cols)
                                   for row, text in zip(tab["rows"], texts, strict=True)]
            else:
                rows = texts
            tables.append({"id": tab["id"], "heads": heads, "rows": rows})
        figures = []
        for fig in sec["figures"]:
            fid = f"{sid}-{fig['id']}".lower()
            svg, alt = _figure_svg(fig, sec, content, lang, fid, draw=with_figures)
            figures.append({"id": fid, "svg": svg, "alt": alt})
        title = term(sid, lang) if sid in TERMS else term("fig_NF1", lang, start=content[
            "base_year"], end=content["latest_year"])
        sections.append({"id": sid, "anchor": f"s-{sid.lower()}", "title": title,
                         "available": sec["available"], "illustrative": sec["illustrative"],
                         "notes": [_note_text(n, lang) for n in sec["notes"]],
                         "tables": tables, "figures": figures})
    kind_label = term(content["kind"], lang)
    sources = []
    for s in content["sources"]:
        sources.append({**s, "gwp": s["gwp_metric"] or term("gwp_unstated", lang),
                        "vintage_text": s["vintage"] or term("gwp_unstated", lang)})
    from klimacore.monitoring import NATIONAL_CAVEATS

    caveats = [term(f"caveat_{NATIONAL_CAVEATS.index(c)}", lang)
               if lang == "da" and c in NATIONAL_CAVEATS else c for c in content["caveats"]]
    return {"c": content, "lang": lang, "caveats": caveats, "t": lambda k, **v: term(k, lang, **v),
            "kind_label": kind_label, "sections": sections, "sources": sources,
            "illustrative": any(s["illustrative"] for s in content["sources"])}


@functools.cache
def _env(markdown: bool = False) -> Any:
    import jinja2

    if markdown:
        return jinja2.Environment(
            loader=jinja2.PackageLoader("klimacore.report", "templates"), autoescape=False,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined)
    return jinja2.Environment(
        loader=jinja2.PackageLoader("klimacore.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)


def render_html(content: Mapping[str, Any], lang: str = "da", *, fragment: bool = False) -> str:
    """The self-contained HTML page (or, with ``fragment``, its body for a notebook)."""
    env = _env()
    view = _view(content, lang, with_figures=True)
    return str(env.get_template("fragment.html.j2" if fragment else "report.html.j2")
               .render(**view))


def render_markdown(content: Mapping[str, Any], lang: str = "da") -> str:
    """The same content as Markdown (tables as pipe tables; figures named by their text)."""
    view = _view(content, lang, with_figures=False)
    return str(_env(markdown=True).get_template("report.md.j2").render(**view))


def render_json(content: Mapping[str, Any]) -> str:
    """The content as JSON (sorted keys, UTF-8, no NaN: missing is ``null``)."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n"


def render_index(entries: Sequence[Mapping[str, Any]], *, as_of: str, lang: str = "da") -> str:
    """The index page: Denmark, the regions and every municipality with its headline."""
    view = {"t": lambda k, **v: term(k, lang, **v), "lang": lang, "as_of": as_of,
            "entries": [{**e, "total_text": fmt(e.get("total"), "t CO2e", lang),
                         "change_text": fmt(e.get("change"), "%", lang),
                         "status_text": term(e["status"], lang) if e.get("status") in TERMS
                         else "–"} for e in entries]}
    return str(_env().get_template("index.html.j2").render(**view))
