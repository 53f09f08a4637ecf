"""Exceptions and warnings raised by klimacore.

Every error names what is wrong: the field, label, unit or year. Where several problems can be
found in one pass they are collected and raised together, in :attr:`KlimacoreError.problems`.

Validation errors also subclass :class:`ValueError` (and lookup errors :class:`KeyError` where
that is what a caller would catch), so generic handlers keep working.

Examples
--------
>>> from klimacore.errors import MissingLabelError
>>> err = MissingLabelError("emission factor", ["coal", "peat"], dim="fuel")
>>> print(err)
missing emission factor for fuel: 'coal', 'peat'
>>> err.labels
('coal', 'peat')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "AlignmentError",
    "CompatibilityWarning",
    "ConvergenceError",
    "DataError",
    "DataQualityWarning",
    "GenerationFuelWarning",
    "InputFileError",
    "KlimacoreDeprecationWarning",
    "KlimacoreError",
    "KlimacoreWarning",
    "MissingLabelError",
    "UnitError",
    "UnknownGasError",
    "UnknownMetricError",
    "ValidationError",
]


class KlimacoreError(Exception):
    """Base class of every klimacore error.

    Parameters
    ----------
    message
        Summary of what went wrong.
    problems
        Individual problems, each a self-contained sentence naming its location.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        if self.problems and len(self.problems) > 1:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        elif self.problems and self.problems[0] not in message:
            message = f"{message}: {self.problems[0]}"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError subclasses would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


class KlimacoreWarning(UserWarning):
    """Base of every klimacore warning: a result that is valid but deserves attention.

    ``warnings.filterwarnings("error", category=KlimacoreWarning)`` turns them all into errors;
    the subclasses say what kind of attention: :class:`DataQualityWarning`,
    :class:`CompatibilityWarning`, :class:`KlimacoreDeprecationWarning`.
    """


class DataQualityWarning(KlimacoreWarning):
    """Input that is valid but suspicious (e.g. generation fuel booked as own use)."""


class CompatibilityWarning(KlimacoreWarning):
    """Two things compared or combined that differ in a way the result does not show.

    E.g. a reference that includes LULUCF checked against data that exclude it.
    """


class KlimacoreDeprecationWarning(KlimacoreWarning, DeprecationWarning):
    """A public name or behaviour that is going away (docs/deprecation-policy.md).

    Also a :class:`DeprecationWarning`, so test runners and ``-W error::DeprecationWarning``
    catch it as they catch any other.
    """


class ValidationError(KlimacoreError, ValueError):
    """Input that breaks a rule of the domain (a year, a sign, a field, a combination)."""


class UnitError(KlimacoreError, ValueError):
    """A unit that is unknown or of the wrong dimension."""


class DataError(KlimacoreError, ValueError):
    """Bundled or user data that is malformed (duplicate keys, missing columns, bad values)."""


def _fmt_labels(labels: Iterable[object], limit: int = 20) -> str:
    items = [repr(x) for x in labels]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f", … ({len(items) - limit} more)"
    return ", ".join(items)


class MissingLabelError(KlimacoreError, KeyError):
    """Labels that are needed but absent, e.g. an activity with no emission factor.

    Parameters
    ----------
    what
        What is missing, e.g. ``"emission factor"``.
    labels
        Every missing label (all of them, not only the first).
    dim
        The dimension or column the labels belong to.
    """

    def __init__(self, what: str, labels: Iterable[object], *, dim: str | None = None) -> None:
        self.labels: tuple[object, ...] = tuple(labels)
        self.dim = dim
        where = f" for {dim}" if dim else ""
        super().__init__(f"missing {what}{where}: {_fmt_labels(self.labels)}")


class AlignmentError(KlimacoreError, ValueError):
    """Two labelled inputs whose coordinates do not match exactly."""


class UnknownGasError(MissingLabelError):
    """A gas name with no GWP value in the requested metric."""


class UnknownMetricError(KlimacoreError, KeyError):
    """A GWP metric name that klimacore does not know."""


class ConvergenceError(KlimacoreError, ArithmeticError):
    """An iterative solve that did not reach its stated tolerance (the message gives both)."""


class GenerationFuelWarning(DataQualityWarning):
    """Fuel booked in GPC I.4.1 looks like a plant's generation fuel, not its own use.

    GPC 1.1 limits I.4.1-I.4.3 to energy industries' auxiliary operations; fuel burnt to generate
    grid-supplied electricity or heat belongs in I.4.4 (territorial total only), because the
    consumers report that energy in scope 2. Booked in I.4.1 it counts twice in BASIC.
    """


class InputFileError(DataError):
    """A file that cannot be read as what it should be: encoding, syntax or table layout.

    The message names the file and, where one is known, the line (1-based, as editors count)
    and column.

    >>> err = InputFileError("plan.json", "not UTF-8 (byte 0xe6)", line=3, column=14)
    >>> print(err)
    plan.json, line 3, column 14: not UTF-8 (byte 0xe6)
    >>> isinstance(err, ValueError), err.line
    (True, 3)
    """

    def __init__(self, path: object, reason: str, *, line: int | None = None,
                 column: int | None = None, problems: Sequence[str] = ()) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {reason}", problems)
