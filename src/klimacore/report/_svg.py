"""Figures as small inline SVG: line vs path, stacked sectors, LMDI waterfall, ranked bars.

Written directly (no plotting library): deterministic bytes, no fonts or scripts fetched, a
``viewBox`` so the figure scales to a phone's width, ``role="img"`` with ``<title>`` and
``<desc>`` as its text alternative. The numbers behind every figure are also in a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["STATUS_COLORS", "bars_svg", "line_svg", "ranked_svg", "stacked_svg", "status_bars_svg",
           "tiles_svg", "traffic_svg", "waterfall_svg"]

W, H, L, R, T, B = 640, 340, 96, 16, 16, 52
PALETTE = ("#1b6ca8", "#e07b39", "#3a9a5b", "#8e5ea2", "#c0392b", "#7f8c8d")


def _open(fid: str, title: str, alt: str, height: int = H) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" '
            f'aria-labelledby="{fid}-t {fid}-d" id="{fid}" class="fig">',
            f'<title id="{fid}-t">{escape(title)}</title><desc id="{fid}-d">{escape(alt)}</desc>']


def _nice(lo: float, hi: float) -> list[float]:
    span = hi - lo if hi > lo else abs(hi) or 1.0
    step = 10 ** math.floor(math.log10(span / 4))
    for m in (1, 2, 5, 10):
        if span / (m * step) <= 5:
            step *= m
            break
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(math.ceil((hi - start) / step) + 1)]


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.3g} Mt"
    if a >= 1e3:
        return f"{v / 1e3:.3g} kt"
    return f"{v:.3g} t"


def _axis(lo: float, hi: float, unit: str = "t") -> tuple[list[str], float, float]:
    ticks = _nice(lo, hi)
    lo, hi = min(ticks[0], lo), max(ticks[-1], hi)
    out = []
    for t in ticks:
        y = _y(t, lo, hi)
        label = _fmt(t) if unit == "t" else f"{t:g} %"
        out.append(f'<line x1="{L}" x2="{W - R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="18">'
                   f'{escape(label)}</text>')
    return out, lo, hi


def _y(v: float, lo: float, hi: float) -> float:
    return T + (H - T - B) * (1.0 - (v - lo) / (hi - lo if hi > lo else 1.0))


def _x(i: int, n: int) -> float:
    return L + (W - L - R) * ((i + 0.5) / n)


def line_svg(fid: str, title: str, alt: str, years: Sequence[int],
             series: Sequence[tuple[str, Sequence[float | None], bool]]) -> str:
    """Lines over years; ``series`` is ``(label, values, dashed)``; gaps where a value is None.

    >>> s = line_svg("f", "T", "A", [2019, 2020], [("x", [1.0, 2.0], False)])
    >>> s.startswith("<svg") and "<title" in s and "<desc" in s
    True
    """
    vals = [v for _, vs, _ in series for v in vs if v is not None]
    lo, hi = (min(0.0, *vals), max(vals)) if vals else (0.0, 1.0)
    parts = _open(fid, title, alt)
    grid, lo, hi = _axis(lo, hi)
    parts += grid
    n = len(years)
    for i, y in enumerate(years):
        parts.append(f'<text x="{_x(i, n):.1f}" y="{H - B + 20}" text-anchor="middle" '
                     f'font-size="18">{y}</text>')
    for k, (label, vs, dashed) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        seg: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                seg.append("")
                continue
            seg.append(f"{_x(i, n):.1f},{_y(v, lo, hi):.1f}")
        for run in " ".join(seg).split("  "):
            pts = run.strip()
            if pts:
                dash = ' stroke-dasharray="6 4"' if dashed else ""
                parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2.5"{dash} '
                             f'points="{pts}"/>')
        parts.append(f'<rect x="{L + 8 + 200 * k}" y="{H - 14}" width="12" height="4" '
                     f'fill="{color}"/><text x="{L + 24 + 200 * k}" y="{H - 8}" '
                     f'font-size="18">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_svg(fid: str, title: str, alt: str, years: Sequence[int], labels: Sequence[str],
                values: Sequence[Sequence[float | None]]) -> str:
    """Stacked bars per year (positive parts up; a negative part is drawn below zero).

    >>> "<rect" in stacked_svg("f", "T", "A", [2019], ["a", "b"], [[1.0], [2.0]])
    True
    """
    n = len(years)
    ups = [sum(max(v[i] or 0.0, 0.0) for v in values) for i in range(n)]
    downs = [sum(min(v[i] or 0.0, 0.0) for v in values) for i in range(n)]
    parts = _open(fid, title, alt, H + 6 + 22 * ((len(labels) + 1) // 2))
    grid, lo, hi = _axis(min([0.0, *downs]), max([1.0, *ups]))
    parts += grid
    bw = (W - L - R) / n * 0.6
    for i, yr in enumerate(years):
        up, down = 0.0, 0.0
        for k, vs in enumerate(values):
            v = vs[i]
            if v is None or v == 0:
                continue
            a, b = (up, up + v) if v > 0 else (down + v, down)
            if v > 0:
                up += v
            else:
                down += v
            y0, y1 = _y(b, lo, hi), _y(a, lo, hi)
            parts.append(f'<rect x="{_x(i, n) - bw / 2:.1f}" y="{y0:.1f}" width="{bw:.1f}" '
                         f'height="{max(y1 - y0, 0.5):.1f}" fill="{PALETTE[k % len(PALETTE)]}"/>')
        parts.append(f'<text x="{_x(i, n):.1f}" y="{H - B + 20}" text-anchor="middle" '
                     f'font-size="18">{yr}</text>')
    for k, label in enumerate(labels):
        x = L + (k % 2) * 260
        y = H - 6 + (k // 2) * 22
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
                     f'fill="{PALETTE[k % len(PALETTE)]}"/><text x="{x + 14}" y="{y}" '
                     f'font-size="18">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def waterfall_svg(fid: str, title: str, alt: str, start: tuple[str, float],
                  effects: Sequence[tuple[str, float]], end: tuple[str, float]) -> str:
    """Start bar, one floating bar per effect, end bar.

    >>> "<rect" in waterfall_svg("f", "T", "A", ("2019", 10.0), [("x", -2.0)], ("2023", 8.0))
    True
    """
    levels = [start[1]]
    for _, v in effects:
        levels.append(levels[-1] + v)
    lo, hi = min([0.0, *levels, end[1]]), max([*levels, end[1]])
    parts = _open(fid, title, alt)
    grid, lo, hi = _axis(lo, hi)
    parts += grid
    n = len(effects) + 2
    bw = (W - L - R) / n * 0.6
    bars = [(start[0], 0.0, start[1], "#7f8c8d")]
    level = start[1]
    for label, v in effects:
        bars.append((label, level, level + v, "#3a9a5b" if v < 0 else "#c0392b"))
        level += v
    bars.append((end[0], 0.0, end[1], "#7f8c8d"))
    for i, (label, a, b, color) in enumerate(bars):
        y0, y1 = _y(max(a, b), lo, hi), _y(min(a, b), lo, hi)
        parts.append(f'<rect x="{_x(i, n) - bw / 2:.1f}" y="{y0:.1f}" width="{bw:.1f}" '
                     f'height="{max(y1 - y0, 0.5):.1f}" fill="{color}"/>'
                     f'<text x="{_x(i, n):.1f}" y="{H - B + 20}" text-anchor="middle" '
                     f'font-size="14">{escape(label[:18])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def ranked_svg(fid: str, title: str, alt: str, bars: Sequence[tuple[str, float | None]]) -> str:
    """Horizontal bars (per cent), one row per entity, in the given order; None is left empty.

    >>> "<rect" in ranked_svg("f", "T", "A", [("a", -10.0), ("b", 5.0)])
    True
    """
    row = 14
    height = T + B + row * len(bars)
    vals = [v for _, v in bars if v is not None]
    lo, hi = min([0.0, *vals]), max([0.0, *vals])
    span = hi - lo or 1.0
    left, width = 150, W - 150 - R

    def x(v: float) -> float:
        return left + width * (v - lo) / span

    parts = _open(fid, title, alt, height)
    parts.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{T}" y2="{height - B}" '
                 'stroke="#333"/>')
    for t in _nice(lo, hi):
        if lo <= t <= hi:
            parts.append(f'<text x="{x(t):.1f}" y="{height - B + 16}" text-anchor="middle" '
                         f'font-size="14">{t:g} %</text>')
    for i, (label, v) in enumerate(bars):
        y = T + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 10}" text-anchor="end" font-size="11">'
                     f'{escape(label)}</text>')
        if v is not None:
            a, b = sorted((x(0), x(v)))
            color = "#3a9a5b" if v < 0 else "#c0392b"
            parts.append(f'<rect x="{a:.1f}" y="{y + 2}" width="{max(b - a, 0.5):.1f}" '
                         f'height="{row - 4}" fill="{color}"/>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(fid: str, title: str, alt: str, bars: Sequence[tuple[str, float | None]]) -> str:
    """Vertical bars in t from zero (a shortfall red, a surplus green); None is left empty.

    >>> "<rect" in bars_svg("f", "T", "A", [("2030", 5.0), ("2050", -2.0)])
    True
    """
    vals = [v for _, v in bars if v is not None]
    parts = _open(fid, title, alt)
    grid, lo, hi = _axis(min([0.0, *vals]), max([0.0, *vals]) or 1.0)
    parts += grid
    n = max(len(bars), 1)
    bw = (W - L - R) / n * 0.5
    for i, (label, v) in enumerate(bars):
        if v is not None:
            y0, y1 = _y(max(v, 0.0), lo, hi), _y(min(v, 0.0), lo, hi)
            parts.append(f'<rect x="{_x(i, n) - bw / 2:.1f}" y="{y0:.1f}" width="{bw:.1f}" '
                         f'height="{max(y1 - y0, 0.5):.1f}" '
                         f'fill="{"#c0392b" if v > 0 else "#3a9a5b"}"/>')
        parts.append(f'<text x="{_x(i, n):.1f}" y="{H - B + 20}" text-anchor="middle" '
                     f'font-size="18">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


STATUS_COLORS: dict[str, str] = {
    "achieved": "#1e7b45", "on track": "#3a9a5b", "at risk": "#d99a1e", "off track": "#c0392b",
    "no data": "#bdc3c7", "completed": "#1e7b45", "on time": "#3a9a5b", "late": "#c0392b",
    "not started": "#7f8c8d", "postponed": "#d99a1e", "cancelled": "#555555",
    "out of scope": "#999999", "merged": "#8e5ea2"}
"""Status → fill colour (a status is always written out as text too, never colour alone)."""


def _color(status: str) -> str:
    return STATUS_COLORS.get(status, "#bdc3c7")


def _ink(status: str) -> str:
    """Text colour on a status fill (dark on the light fills)."""
    return "#111" if status in ("at risk", "no data", "postponed", "out of scope") else "#fff"


def status_bars_svg(fid: str, title: str, alt: str,
                    bars: Sequence[tuple[str, str, int, float]],
                    heads: tuple[str, str]) -> str:
    """Two horizontal bar panels per status: number of actions and expected t CO2e (F4).

    ``bars`` is ``(status key, label, count, t CO2e)``; ``heads`` the two panel titles.

    >>> s = status_bars_svg("f", "T", "A", [("late", "late", 2, 1500.0)], ("n", "t"))
    >>> s.count("<rect"), "late" in s
    (2, True)
    """
    row = 26
    top = T + 22
    height = top + row * max(len(bars), 1) + 12
    left, gap = 170, 24
    pw = (W - left - R - gap) / 2
    n_max = max([b[2] for b in bars] + [1])
    t_max = max([b[3] for b in bars] + [1.0])
    parts = _open(fid, title, alt, height)
    for k, head in enumerate(heads):
        parts.append(f'<text x="{left + k * (pw + gap):.1f}" y="{T + 10}" font-size="15" '
                     f'font-weight="bold">{escape(head)}</text>')
    for i, (key, label, n, t) in enumerate(bars):
        y = top + i * row
        color = _color(key)
        parts.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" font-size="15">'
                     f'{escape(label)}</text>')
        for k, (v, vmax, text) in enumerate(((float(n), float(n_max), f"{n}"),
                                             (t, t_max, _fmt(t)))):
            x0 = left + k * (pw + gap)
            w = max((pw - 56) * v / vmax, 0.5)
            parts.append(f'<rect x="{x0:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                         f'fill="{color}"/><text x="{x0 + w + 4:.1f}" y="{y + 17}" '
                         f'font-size="14">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def traffic_svg(fid: str, title: str, alt: str, levels: Sequence[tuple[str, str]],
                categories: Sequence[tuple[str, str]],
                items: Sequence[tuple[str, str, str, str, str]]) -> str:
    """A traffic-light grid, level × category (F5): each indicator a coloured dot with its name
    and its status in words. ``levels`` / ``categories`` are ``(key, label)``; ``items`` are
    ``(level, category, name, status key, status label)``.

    >>> s = traffic_svg("f", "T", "A", [("output", "Output")], [("transition", "Tr")],
    ...                 [("output", "transition", "Heat pumps", "at risk", "at risk")])
    >>> "<circle" in s and "Heat pumps" in s and "at risk" in s
    True
    """
    left, head, line = 110, 30, 20
    cw = (W - left - R) / max(len(categories), 1)
    cells: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for lv, cat, name, key, label in items:
        cells.setdefault((lv, cat), []).append((name, key, label))
    heights = [max([len(cells.get((lv, c), [])) for c, _ in categories] + [1]) * 2 * line + 10
               for lv, _ in levels]
    height = T + head + sum(heights) + 8
    parts = _open(fid, title, alt, height)
    for j, (_, clabel) in enumerate(categories):
        parts.append(f'<text x="{left + j * cw + 6:.1f}" y="{T + 18}" font-size="15" '
                     f'font-weight="bold">{escape(clabel)}</text>')
    y = T + head
    for (lv, llabel), h in zip(levels, heights, strict=True):
        parts.append(f'<rect x="0" y="{y}" width="{W}" height="{h}" fill="none" '
                     f'stroke="#ccc"/><text x="6" y="{y + 20}" font-size="15" '
                     f'font-weight="bold">{escape(llabel)}</text>')
        for j, (cat, _) in enumerate(categories):
            x = left + j * cw + 6
            for k, (name, key, label) in enumerate(cells.get((lv, cat), [])):
                yy = y + 8 + k * 2 * line
                parts.append(f'<circle cx="{x + 7:.1f}" cy="{yy + 9}" r="7" '
                             f'fill="{_color(key)}"/><text x="{x + 20:.1f}" y="{yy + 14}" '
                             f'font-size="14">{escape(name[:34])}</text>'
                             f'<text x="{x + 20:.1f}" y="{yy + 14 + line - 2}" '
                             f'font-size="13" fill="#444">{escape(label)}</text>')
        y += h
    parts.append("</svg>")
    return "".join(parts)


def tiles_svg(fid: str, title: str, alt: str,
              groups: Sequence[tuple[str, Sequence[tuple[str, str, str]]]],
              legend: Sequence[tuple[str, str]]) -> str:
    """A tile grid by region (N-F2, in place of a choropleth: no boundaries are bundled): one
    column per region, one square per municipality labelled with its code, coloured by status.
    ``groups`` are ``(region label, [(tile label, status key, name)])``; ``legend`` is
    ``(status key, label)``.

    >>> s = tiles_svg("f", "T", "A", [("Nord", [("851", "on track", "Aalborg")])],
    ...               [("on track", "on track")])
    >>> s.count("<rect") >= 2 and "851" in s and "<title>Aalborg" in s
    True
    """
    per_row, tile, pad = 4, 28, 3
    cw = (W - 8) / max(len(groups), 1)
    rows = max([math.ceil(len(g[1]) / per_row) for g in groups] + [1])
    top = T + 26
    legend_y = top + rows * (tile + pad) + 12
    height = legend_y + 22 * math.ceil(len(legend) / 3) + 8
    parts = _open(fid, title, alt, height)
    for j, (label, tiles) in enumerate(groups):
        x0 = 4 + j * cw
        parts.append(f'<text x="{x0 + 2:.1f}" y="{T + 12}" font-size="13" '
                     f'font-weight="bold">{escape(label[:16])}</text>')
        for k, (code, key, name) in enumerate(tiles):
            x = x0 + (k % per_row) * (tile + pad)
            y = top + (k // per_row) * (tile + pad)
            parts.append(f'<g><title>{escape(name)}</title><rect x="{x:.1f}" y="{y}" '
                         f'width="{tile}" height="{tile}" fill="{_color(key)}"/>'
                         f'<text x="{x + tile / 2:.1f}" y="{y + 18}" text-anchor="middle" '
                         f'font-size="10" fill="{_ink(key)}">{escape(code)}</text></g>')
    for k, (key, label) in enumerate(legend):
        x = 6 + (k % 3) * 210
        y = legend_y + (k // 3) * 22
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{_color(key)}"/>'
                     f'<text x="{x + 20}" y="{y + 12}" font-size="14">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
