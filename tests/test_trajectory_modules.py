"""trajectory keeps its modules private; the 0.1 module paths still import, with a warning."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from klimacore import trajectory
from klimacore.errors import KlimacoreDeprecationWarning

OLD = ["checks", "paths", "references", "result", "plan_check", "plan_rules", "plot"]


@pytest.mark.parametrize("name", OLD)
def test_old_module_path_forwards_with_a_warning(name: str) -> None:
    with pytest.warns(KlimacoreDeprecationWarning, match=rf"klimacore.trajectory.{name} is "
                      r"deprecated since klimacore 0.2 and goes in 0.3: use klimacore.trajectory"):
        mod = importlib.reload(importlib.import_module(f"klimacore.trajectory.{name}"))
    assert mod.__all__
    for public in mod.__all__:
        if hasattr(trajectory, public):
            assert getattr(mod, public) is getattr(trajectory, public), public
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mod.nope  # noqa: B018


def test_old_private_names_still_resolve() -> None:
    from klimacore.trajectory._plan_rows import Rows

    mod = importlib.import_module("klimacore.trajectory.plan_rules")
    assert mod._Rows is Rows and mod.manko is trajectory.manko
    assert importlib.import_module("klimacore.trajectory.checks").as_emissions is (
        trajectory.as_emissions)


def test_importing_the_package_imports_no_public_module() -> None:
    code = ("import sys, klimacore.trajectory; print([m for m in sys.modules if "
            "m.startswith('klimacore.trajectory.') and not m.rsplit('.', 1)[1].startswith('_')])")
    out = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"
