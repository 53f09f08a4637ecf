"""Figures as small inline SVG: line vs path, stacked sectors, LMDI waterfall, ranked bars.

Written directly (no plotting library): deterministic bytes, no fonts or scripts fetched, a
``viewBox`` so the figure scales to a phone's width, ``role="img"`` with ``<title>`` and
``<desc>`` as its text alternative. The numbers behind every figure are also in a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

__all__ = ["bars_svg", "line_svg", "ranked_svg", "stacked_svg", "waterfall_svg"]

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
