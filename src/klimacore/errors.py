"""Exceptions and warnings raised by klimacore.

Every error names what is wrong: the field, label, unit or year. Where several problems can be
found in one pass they are collected and raised together, in :attr:`KlimacoreError.problems`.

The contract: every problem with the input is a :class:`KlimacoreError` *and* a
:class:`ValueError` (lookups of a missing label are a :class:`KeyError` as well). One problem is
raised as itself; several found in one pass are raised together as a :class:`ProblemGroup`, an
:class:`ExceptionGroup` whose items each carry a stable ``code``, the ``label`` at fault and its
``location`` (file and line, field path, dimension). So ``except ValueError`` (or
``except KlimacoreError``) catches every outcome, and ``except* MissingLabelError`` picks one kind
out of a batch whatever else went wrong.

Examples
--------
>>> from klimacore.errors import MissingLabelError
>>> err = MissingLabelError("emission factor", ["coal", "peat"], dim="fuel")
>>> print(err)
missing emission factor for fuel: 'coal', 'peat'
>>> err.labels, isinstance(err, ValueError)
(('coal', 'peat'), True)

Several problems, one raise:

>>> problems = Problems("activity.csv")
>>> problems.add("unit 'MWH' is not a unit", code="unit.unknown", label="MWH",
...              location="activity.csv, line 3", kind=UnitError)
>>> problems.add("year 2101 is past 2100", code="year.range", label=2101,
...              location="activity.csv, line 4")
>>> try:
...     problems.raise_if_any()
... except* UnitError as units:
...     print("units:", [e.code for e in units.exceptions])
... except* ValidationError as rest:
...     print("other:", [e.location for e in rest.exceptions])
units: ['unit.unknown']
other: ['activity.csv, line 4']
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
    "ProblemGroup",
    "Problems",
    "UnitError",
    "UnknownGasError",
    "UnknownMetricError",
    "ValidationError",
    "raise_together",
]


class KlimacoreError(Exception):
    """Base class of every klimacore error.

    Parameters
    ----------
    message
        Summary of what went wrong.
    problems
        Individual problems, each a self-contained sentence naming its location (older form;
        new code raises several problems as a :class:`ProblemGroup`).
    code
        A stable, dotted identifier of the kind of problem (``"activity.unit"``), for services
        that map problems to their own messages.
    label
        The value at fault, as the user wrote it.
    location
        Where it is: ``"file.csv, line 4"``, a field path ``"actions[2].sector"``, a dimension.
    """

    def __init__(self, message: str, problems: Sequence[str] = (), *, code: str | None = None,
                 label: object = None, location: str | None = None) -> None:
        self.code = code
        self.label = label
        self.location = location
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


class MissingLabelError(KlimacoreError, ValueError, KeyError):
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

    def __init__(self, what: str, labels: Iterable[object], *, dim: str | None = None,
                 code: str | None = None, location: str | None = None) -> None:
        self.labels: tuple[object, ...] = tuple(labels)
        self.dim = dim
        where = f" for {dim}" if dim else ""
        super().__init__(f"missing {what}{where}: {_fmt_labels(self.labels)}",
                         code=code or "label.missing",
                         label=self.labels[0] if len(self.labels) == 1 else self.labels,
                         location=location or dim)


class AlignmentError(KlimacoreError, ValueError):
    """Two labelled inputs whose coordinates do not match exactly."""


class UnknownGasError(MissingLabelError):
    """A gas name with no GWP value in the requested metric."""


class UnknownMetricError(KlimacoreError, ValueError, KeyError):
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
    >>> isinstance(err, ValueError), err.line, err.location
    (True, 3, 'plan.json, line 3, column 14')
    """

    def __init__(self, path: object, reason: str, *, line: int | None = None,
                 column: int | None = None, problems: Sequence[str] = (),
                 code: str | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column}"
        super().__init__(f"{where}: {reason}", problems, code=code or "file.unreadable",
                         location=where)


class ProblemGroup(ExceptionGroup, KlimacoreError, ValueError):  # type: ignore[misc]
    """Several problems found in one pass, raised together.

    An :class:`ExceptionGroup` (so ``except*`` selects kinds) that is also a
    :class:`KlimacoreError` and a :class:`ValueError` (so one ``except`` catches it). Its items
    are klimacore errors carrying ``code``, ``label`` and ``location``; :attr:`problems` holds
    their messages, :attr:`headline` the summary line, and ``str()`` (and ``message``) lists
    them, one per line.

    >>> group = ProblemGroup("plan.json: 2 problems", [
    ...     ValidationError("target year 2020 is before the base year 2025", code="plan.year",
    ...                     label=2020, location="targets[0].year"),
    ...     MissingLabelError("sector", ["X.9"], code="plan.sector", location="actions[1]")])
    >>> print(group)
    plan.json: 2 problems
      - targets[0].year: target year 2020 is before the base year 2025
      - actions[1]: missing sector: 'X.9'
    >>> [e.code for e in group.exceptions], isinstance(group, ValueError), group.headline
    (['plan.year', 'plan.sector'], True, 'plan.json: 2 problems')
    """

    def __new__(cls, message: str, exceptions: Sequence[Exception]) -> ProblemGroup:
        # the listing is part of ``message``: pytest.raises(match=...) reads only the message
        # of an exception group, and a match on one problem's text must still work
        listing = "".join(f"\n  - {_located(e)}" for e in exceptions)
        return super().__new__(cls, message + listing, exceptions)  # type: ignore[arg-type]

    def __init__(self, message: str, exceptions: Sequence[Exception]) -> None:
        self.headline = message
        self.code = "problems"
        self.label = None
        self.location = None
        self.problems = tuple(_located(e) for e in exceptions)

    def derive(self, excs: Sequence[Exception]) -> ProblemGroup:  # type: ignore[override]
        """The same kind of group over a subset (what ``except*`` and :meth:`split` build)."""
        return ProblemGroup(self.headline, excs)

    def __str__(self) -> str:
        return self.message


def _located(error: BaseException) -> str:
    location = getattr(error, "location", None)
    text = str(error)
    if location and not text.startswith(str(location)):
        return f"{location}: {text}"
    return text


class Problems:
    """Collects the problems of one input and raises them together (see the module docstring).

    ``add`` takes a ready error or a message with its ``code``, ``label``, ``location`` and
    ``kind`` (default :class:`ValidationError`); :meth:`raise_if_any` raises nothing, the one
    problem itself, or a :class:`ProblemGroup` of all of them.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.errors: list[KlimacoreError] = []

    def add(self, problem: str | KlimacoreError, *, code: str | None = None,
            label: object = None, location: str | None = None,
            kind: type[KlimacoreError] | None = None) -> None:
        """Record one problem."""
        if isinstance(problem, KlimacoreError):
            self.errors.append(problem)
            return
        cls = kind or ValidationError
        self.errors.append(cls(problem, code=code, label=label, location=location))

    def __len__(self) -> int:
        return len(self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        """Raise the one problem, or a :class:`ProblemGroup` of several; nothing if none."""
        raise_together(self.errors, self.what)


def raise_together(errors: Sequence[KlimacoreError], what: str) -> None:
    """Raise ``errors``: nothing if empty, the error itself if one, else a :class:`ProblemGroup`."""
    if not errors:
        return
    if len(errors) == 1:
        raise errors[0]
    raise ProblemGroup(f"{what}: {len(errors)} problems", list(errors))
