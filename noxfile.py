"""Development sessions.

``nox`` runs the test suite on every supported Python with the newest dependencies pip picks,
once at the declared minimum versions (``tests_floor``), from the sdist (``sdist``), and lint and
type checks. ``nox -s benchmarks`` runs the benchmarks (``-- --quick`` for a smoke run).

The interpreters are looked up on ``PATH`` as ``python3.11``, ``python3.12`` and ``python3.13``;
with pyenv, put each version's ``bin`` folder on ``PATH`` (``.ci/run`` does).
"""

from __future__ import annotations

import re
import tarfile
import tomllib
from pathlib import Path

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
FLOOR_PYTHON = "3.11"
ROOT = Path(__file__).parent

nox.options.sessions = ["tests", "tests_floor", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


def floor_pins() -> list[str]:
    """``name==version`` for every runtime dependency, at its declared minimum (``>=``)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([^,;\s]+)\s*", requirement)
        if match is None:
            raise ValueError(f"dependency {requirement!r} has no plain '>=' floor to test")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite (unit and property tests, doctests in the package and in docs/)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=FLOOR_PYTHON)
def tests_floor(session: nox.Session) -> None:
    """The test suite with every runtime dependency at its declared minimum version."""
    pins = floor_pins()
    session.install("-e", ".[test]", *pins)
    session.run("python", "-m", "pip", "check")
    installed = session.run("python", "-m", "pip", "freeze", silent=True) or ""
    missing = [p for p in pins if p.lower() not in installed.lower()]
    if missing:
        session.error(f"floors not installed as pinned: {missing}")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=FLOOR_PYTHON)
def sdist(session: nox.Session) -> None:
    """Build the sdist, unpack it elsewhere and run its own tests from there."""
    session.install("build")
    dist = Path(session.create_tmp()) / "dist"
    session.run("python", "-m", "build", "--sdist", "--outdir", str(dist), str(ROOT))
    (archive,) = dist.glob("klimacore-*.tar.gz")
    unpacked = Path(session.create_tmp()) / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    (source,) = unpacked.glob("klimacore-*")
    session.install("-e", f"{source}[test]")  # doctests import from the unpacked tree
    session.chdir(source)
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict with the pydantic plugin."""
    session.install("-e", ".[dev]")
    session.run("mypy", "src/klimacore")


@nox.session
def benchmarks(session: nox.Session) -> None:
    """All benchmarks (``nox -s benchmarks -- --quick`` for a smoke run)."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/run.py", *session.posargs)


INTEROP = ["pyam-iamc>=2", "primap2>=0.11", "sqlalchemy<2.1"]
"""pyam and primap2 for the interop cross-checks. Not in the ``test`` extra: pyam-iamc 3.3 caps
pandas < 3 and primap2 0.13 pins numpy < 2 and xarray == 2025.8.0 (0.14 needs Python ≥ 3.12), so
they would hold the whole suite to old versions. ``sqlalchemy<2.1``: ixmp4 0.14 (pyam's
dependency) fails at import with SQLAlchemy 2.1."""


@nox.session(python=["3.11", "3.12"])
def interop(session: nox.Session) -> None:
    """IAMC and primap2 round trips checked against pyam and primap2 themselves."""
    session.install("-e", ".[test]", *INTEROP)
    # iam-units (pyam's unit registry) caches pint's definition files by absolute path in the
    # user cache, shared by every venv: a cache from another venv breaks `import pyam`.
    session.env["IAM_UNITS_CACHE"] = session.create_tmp()
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "tests/test_iamc.py",
                "tests/test_primap2.py", "tests/test_pint_xarray.py", *session.posargs)
