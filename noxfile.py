"""Development sessions: ``nox -s tests lint typecheck benchmarks``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite: unit and property tests, doctests in the package and in docs/."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


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
