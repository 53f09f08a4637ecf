"""Build klimacore's bundled tables from the source extracts in this folder.

    python data/build.py            # check: every built table equals the bundled file, byte for byte
    python data/build.py --write    # rewrite the bundled files from the extracts

Each builder reads only files in its own folder (``data/<table>/``), in the layout of the source
(or as close to it as a transcription can be; each folder's ``SOURCE.md`` says what was taken
from where and how), and returns the bytes of ``src/klimacore/data/<table>.csv``. Standard
library only, so it runs anywhere Python does. The test suite runs the check.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUNDLED = HERE.parent / "src" / "klimacore" / "data"


def _read(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")  # minimal quoting, LF, as the bundled files
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def build_gwp() -> bytes:
    """``gwp.csv``: the GWP100 columns of the IPCC tables (one column per report) made long.

    Rows by metric (report order), gases in the tables' order; a gas a report does not list
    (AR4 has no fossil / non-fossil methane split) gets no row, never a 0. Each row carries the
    citation of the table it comes from (``citations.csv``: which gases come from which table).
    """
    folder = HERE / "gwp"
    wide = _read(folder / "gwp100.csv")
    citations = _read(folder / "citations.csv")
    metrics = [c for c in wide[0] if c != "gas"]
    cite_cols = ["source", "publisher", "document", "table", "source_year", "url"]
    by_gas: dict[tuple[str, str], list[str]] = {}
    for c in citations:
        for gas in c["gases"].split():
            key = (c["metric"], gas)
            if key in by_gas:
                raise ValueError(f"citations.csv: {key} cited twice")
            by_gas[key] = [c[k] for k in cite_cols]
    rows = []
    for metric in metrics:
        for row in wide:
            value = row[metric].strip()
            if not value:
                continue
            key = (metric, row["gas"])
            if key not in by_gas:
                raise ValueError(f"citations.csv: no source for {key}")
            rows.append([row["gas"], metric, value, *by_gas[key]])
    return _csv(["gas", "metric", "value", *cite_cols], rows)


def _hierarchy() -> tuple[list[list[str]], list[list[str]]]:
    """Regions (level 1) and municipalities (level 2, under the region above them)."""
    regions: list[list[str]] = []
    municipalities: list[list[str]] = []
    for row in _read(HERE / "municipalities" / "kommuner_og_regioner.csv", delimiter=";"):
        if row["niveau"] == "1":
            regions.append([row["kode"], row["titel"]])
        elif row["niveau"] == "2":
            if not regions:
                raise ValueError(f"municipality {row['kode']} before any region")
            municipalities.append([row["kode"], row["titel"], *regions[-1]])
        else:
            raise ValueError(f"unknown level {row['niveau']!r} for {row['kode']}")
    return regions, municipalities


def build_municipalities() -> bytes:
    """``municipalities.csv``: the 98 municipalities with their region, sorted by code."""
    _, municipalities = _hierarchy()
    municipalities.sort(key=lambda r: int(r[0]))
    return _csv(["code", "name", "region_code", "region_name"], municipalities)


def build_regions() -> bytes:
    """``regions.csv``: the five regions, Danish names from the hierarchy, English from
    ``regions_en.csv``."""
    regions, _ = _hierarchy()
    english = {r["region_code"]: r["name_en"]
               for r in _read(HERE / "municipalities" / "regions_en.csv")}
    return _csv(["region_code", "region_name", "region_name_en"],
                [[code, name, english[code]] for code, name in regions])


BUILDERS: dict[str, Callable[[], bytes]] = {
    "gwp.csv": build_gwp,
    "municipalities.csv": build_municipalities,
    "regions.csv": build_regions,
}
"""Bundled file → builder. Tables not here are curated directly (see data/README.md)."""


def check() -> list[str]:
    """The bundled files that differ from what their builder makes (empty: all equal)."""
    return [name for name, build in BUILDERS.items()
            if build() != (BUNDLED / name).read_bytes()]


def main(argv: list[str]) -> int:
    if argv[1:] == ["--write"]:
        for name, build in BUILDERS.items():
            (BUNDLED / name).write_bytes(build())
            print(f"wrote {BUNDLED / name}")
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    differ = check()
    for name in differ:
        print(f"{name}: differs from what data/build.py builds", file=sys.stderr)
    print(f"{len(BUILDERS) - len(differ)} of {len(BUILDERS)} bundled tables rebuilt byte for byte")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
