"""Execute the MyST notebooks in this folder and write them as .ipynb with their outputs.

    python docs/notebooks/execute.py OUTDIR     # writes OUTDIR/<name>.ipynb (figures included)

The test suite runs the same notebooks (``tests/test_notebooks.py``); a docs site shows the
written ``.ipynb`` files as they are (outputs, SVG figures, the HTML reprs).
Needs jupytext, nbclient and ipykernel (in klimacore's ``test`` extra).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def execute(path: Path, *, timeout: int = 300):  # type: ignore[no-untyped-def]
    """The notebook at ``path`` (MyST Markdown), executed in its own folder."""
    import jupytext
    import nbclient

    nb = jupytext.read(path)
    nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    import nbformat

    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(HERE.glob("*.md")):
        target = out / f"{path.stem}.ipynb"
        nbformat.write(execute(path), target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
