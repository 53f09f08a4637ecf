"""The wheel ships every bundled data file, and klimacore runs from any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from klimacore import _data

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
def test_wheel_contains_data_files(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("klimacore-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in _data.resource_names():
        assert f"klimacore/data/{name}" in names, name
    assert "klimacore/py.typed" in names


def test_data_readable_outside_repository(tmp_path: Path) -> None:
    code = "import klimacore as kc; print(len(kc.reference.municipalities()), kc.gwp('SF6'))"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["98", "23500.0"]


@pytest.mark.skipif(not (ROOT / "README.md").exists(), reason="needs the source tree")
def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```bash")[1:]]
    test_command = next(b for b in blocks if "pytest" in b)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_accessor_registered_when_xarray_came_first() -> None:
    code = ("import xarray as xr; import klimacore; "
            "print(type(xr.Dataset().klima).__name__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "KlimaAccessor"


def test_import_klimacore_stays_light() -> None:
    code = ("import sys, klimacore; "
            "print(sorted(m for m in ('pandas', 'xarray', 'pint', 'scipy', 'matplotlib', "
            "'pydantic', 'dask', 'distributed', 'tqdm') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
