"""The package's front door: no phantom names, lazy subpackages, the accessor in any order."""

from __future__ import annotations

import subprocess
import sys

import pytest

import klimacore as kc


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_every_advertised_name_resolves() -> None:
    for name in kc.__all__:
        assert hasattr(kc, name), name
    for name in kc._SUBMODULES:
        assert getattr(kc, name).__name__ == f"klimacore.{name}"
    assert set(dir(kc)) >= set(kc.__all__) | kc._SUBMODULES
    assert not hasattr(kc, "no_such_thing")
    with pytest.raises(AttributeError, match="no_such_thing"):
        kc.no_such_thing  # noqa: B018


def test_subpackages_import_on_first_access_only() -> None:
    out = _run("import sys, klimacore as kc; "
               "print('klimacore.certification' in sys.modules, hasattr(kc, 'certification'), "
               "'klimacore.certification' in sys.modules, hasattr(kc, 'report'), "
               "hasattr(kc, 'monitoring'))")
    assert out == "False True True True True"


def test_import_klimacore_imports_no_heavy_dependency() -> None:
    heavy = ("pandas", "xarray", "pint", "scipy", "matplotlib", "pydantic", "dask",
             "distributed", "tqdm", "sqlalchemy", "jinja2", "openpyxl", "alembic")
    out = _run(f"import sys, klimacore; print([m for m in {heavy!r} if m in sys.modules])")
    assert out == "[]"


@pytest.mark.parametrize("imports", [
    "import xarray as xr; import klimacore.territorial",
    "import klimacore.territorial; import xarray as xr",
    "import klimacore; import xarray as xr",
    "import xarray as xr; import klimacore",
    "import klimacore.units; import xarray as xr",
    "import klimacore.models; import xarray as xr; import klimacore.io",
])
def test_accessor_registered_whatever_the_import_order(imports: str) -> None:
    code = (f"{imports}; import xarray as xr; "
            "print(type(xr.DataArray([1.0]).klima).__name__, type(xr.Dataset().klima).__name__)")
    assert _run(code) == "KlimaAccessor KlimaAccessor"


def test_import_hook_leaves_no_finder_behind() -> None:
    out = _run("import sys, klimacore, xarray; "
               "from klimacore._import_hook import _AfterImport; "
               "print(any(isinstance(f, _AfterImport) for f in sys.meta_path))")
    assert out == "False"
