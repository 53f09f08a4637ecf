"""Run a callback once a module has been imported, whoever imports it and whenever (internal).

klimacore registers its ``.klima`` xarray accessor this way: ``import klimacore`` stays light (it
never imports xarray), yet ``.klima`` exists on every xarray object whatever the import order:

- xarray already imported when klimacore is: the accessor is registered at once;
- xarray imported later (by the user, or by an engine): a finder on :data:`sys.meta_path` wraps
  xarray's loader so the accessor is registered right after xarray's own module code has run.

The finder is one-shot (it removes itself when it has seen the module) and changes nothing else
about the import: the module, its spec and its loader are xarray's own.

>>> import sys, types
>>> seen = []
>>> after_import("klimacore._no_such_module_", lambda: seen.append(1))
>>> seen, any(isinstance(f, _AfterImport) for f in sys.meta_path)
([], True)
>>> after_import("sys", lambda: seen.append("sys"))   # already imported: runs at once
>>> seen
['sys']
>>> _remove("klimacore._no_such_module_")
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Callable, Sequence

__all__ = ["after_import"]


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds ``name`` with the other finders and runs ``callback`` after its module executes."""

    def __init__(self, name: str, callback: Callable[[], object]) -> None:
        self.name = name
        self.callback = callback

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        _remove(self.name)  # one-shot, and the search below must not find us again
        spec = importlib.util.find_spec(fullname)
        loader = spec.loader if spec is not None else None
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module
        callback = self.callback

        def exec_then_callback(module: types.ModuleType) -> None:
            exec_module(module)
            callback()

        loader.exec_module = exec_then_callback  # type: ignore[method-assign]
        return spec


def _remove(name: str) -> None:
    sys.meta_path[:] = [f for f in sys.meta_path
                        if not (isinstance(f, _AfterImport) and f.name == name)]


def after_import(name: str, callback: Callable[[], object]) -> None:
    """Call ``callback()`` now if module ``name`` is imported, else right after it is."""
    if name in sys.modules:
        callback()
        return
    if not any(isinstance(f, _AfterImport) and f.name == name for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(name, callback))
