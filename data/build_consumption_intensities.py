"""Build ``src/klimacore/data/consumption_intensities_dk_2021.csv`` from the cited figures.

The figures are in ``src/klimacore/data/consumption_dk_national.csv`` (one published number a
row, with source and page). The derivation is
:func:`klimacore.consumption.derive_danish_intensities`: a national footprint by consumption
group (CONCITO 2023) over household spending on the same group (Statistics Denmark,
Forbrugsundersøgelsen 2021). ``tests/test_consumption_national.py`` recomputes the bundled file
and fails if it differs, so edit the figures, run this script, commit both.

Usage: ``python data/build_consumption_intensities.py [--check]``
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "klimacore" / "data" / (
    "consumption_intensities_dk_2021.csv")


def build() -> str:
    from klimacore.consumption import derive_danish_intensities

    return str(derive_danish_intensities().to_csv(index=False, lineterminator="\n"))


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.name}: {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
