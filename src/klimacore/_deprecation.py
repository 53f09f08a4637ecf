"""Renaming a public name without breaking users: the old name keeps working, with a warning.

The policy (docs/deprecation-policy.md): a renamed or removed public name keeps working for at
least one minor version and warns with :class:`~klimacore.errors.KlimacoreDeprecationWarning`
(a :class:`DeprecationWarning`), saying since when, what to use instead and when it goes.

>>> import warnings
>>> def new_name(x: int) -> int:
...     return 2 * x
>>> old_name = renamed(new_name, "old_name", since="0.2", removed_in="0.3")
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     old_name(2)
4
>>> print(caught[0].message)
old_name is deprecated since klimacore 0.2 and goes in 0.3: use new_name
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, TypeVar

from klimacore.errors import KlimacoreDeprecationWarning

__all__ = ["moved_module", "renamed", "renamed_parameter", "warn_deprecated"]

F = TypeVar("F", bound=Callable[..., Any])


def warn_deprecated(old: str, *, since: str, removed_in: str, use: str | None = None,
                    stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated (the one message format of the policy)."""
    instead = f": use {use}" if use else ""
    warnings.warn(f"{old} is deprecated since klimacore {since} and goes in {removed_in}"
                  f"{instead}", KlimacoreDeprecationWarning, stacklevel=stacklevel)


def renamed(func: F, old: str, *, since: str, removed_in: str) -> F:
    """``func`` under its old name ``old``: same behaviour, plus the deprecation warning."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warn_deprecated(old, since=since, removed_in=removed_in, use=func.__name__)
        return func(*args, **kwargs)

    wrapper.__name__ = old
    wrapper.__qualname__ = old
    return wrapper  # type: ignore[return-value]


def renamed_parameter(old: str, new: str, *, since: str, removed_in: str) -> Callable[[F], F]:
    """Decorator: keyword ``old`` still works for ``new``, with the deprecation warning.

    Giving both is an error (a :class:`TypeError`, as Python's own for a doubled argument).

    >>> import warnings
    >>> @renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
    ... def gwp_of(gas: str, *, gwp_metric: str = "AR5GWP100") -> str:
    ...     return f"{gas} in {gwp_metric}"
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     gwp_of("CH4", metric="AR6GWP100")
    'CH4 in AR6GWP100'
    >>> print(caught[0].message)
    gwp_of(metric=...) is deprecated since klimacore 0.2 and goes in 0.3: use gwp_of(gwp_metric=...)
    """

    def decorate(func: F) -> F:
        name = func.__name__

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{name}() got both {old}= and {new}=: give only {new}=")
                warn_deprecated(f"{name}({old}=...)", since=since, removed_in=removed_in,
                                use=f"{name}({new}=...)")
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def moved_module(old: str, modules: Sequence[ModuleType], *, use: str,
                 renamed: Mapping[str, str] | None = None, since: str = "0.2",
                 removed_in: str = "0.3") -> tuple[list[str], Callable[[str], Any]]:
    """What a deprecated module path needs: warn once at its import, forward every name.

    Returns ``(__all__, __getattr__)`` for the old module, built from the ``__all__`` of the
    private ``modules`` that now hold its names; ``renamed`` maps old names that changed on the way
    (``{"_Rows": "Rows"}``) to the new ones:

    .. code-block:: python

        from klimacore._deprecation import moved_module
        from klimacore.trajectory import _paths

        __all__, __getattr__ = moved_module("klimacore.trajectory.paths", (_paths,),
                                            use="klimacore.trajectory")

    >>> import types, warnings
    >>> new = types.ModuleType("new"); new.__all__ = ["f"]; new.f = len
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     names, forward = moved_module("pkg.old", (new,), use="pkg")
    >>> names, forward("f") is len
    (['f'], True)
    >>> print(caught[0].message)
    pkg.old is deprecated since klimacore 0.2 and goes in 0.3: use pkg
    """
    warn_deprecated(old, since=since, removed_in=removed_in, use=use, stacklevel=4)
    names = sorted({n for m in modules for n in getattr(m, "__all__", ())})

    def forward(name: str) -> Any:
        name = (renamed or {}).get(name, name)
        for module in modules:
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return names, forward
