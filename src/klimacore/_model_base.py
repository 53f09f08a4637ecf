"""The pydantic base of klimacore's models and the one translation of pydantic's errors (internal).

Every model in :mod:`klimacore.models` (and the plan's CCTF and monitoring sub-models) derives
from :class:`KlimacoreModel`. Constructing or validating one raises klimacore's error contract,
never pydantic's ``ValidationError``: each of pydantic's errors becomes one
:class:`~klimacore.errors.ValidationError` with a stable ``code`` (``"<model>.<pydantic type>"``,
e.g. ``"plan.missing"``, or the code the failing rule gave), the input at fault as ``label`` and
the field path as ``location`` (``"targets[0].target_year"``); several are raised together as a
:class:`~klimacore.errors.ProblemGroup` (:class:`klimacore.errors.Problems`).

A validator that finds several problems at once raises :class:`ModelProblems`; its items come out
as separate problems, each under its own location.

>>> from klimacore.errors import ProblemGroup
>>> class Point(KlimacoreModel):
...     code_prefix: ClassVar[str] = "point"
...     x: int
...     y: int
>>> try:
...     Point(x="one")
... except ProblemGroup as group:
...     print(group)
...     print([(e.code, e.label, e.location) for e in group.exceptions])
Point: 2 problems
  - x: Input should be a valid integer, unable to parse string as an integer
  - y: Field required
[('point.int_parsing', 'one', 'x'), ('point.missing', 'y', 'y')]
>>> field_path(("targets", 0, "target_year"))
'targets[0].target_year'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, NoReturn, Self

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from klimacore.errors import (
    DataError,
    KlimacoreError,
    ProblemGroup,
    Problems,
    UnitError,
    ValidationError,
)

__all__ = ["KlimacoreModel", "ModelProblems", "errors_from_pydantic", "field_path", "relocated"]

_KINDS: tuple[type[KlimacoreError], ...] = (ValidationError, UnitError, DataError)
"""Error classes whose constructor is ``(message, *, code, label, location)``: kept as raised."""


class ModelProblems(ValueError):
    """Several problems a validator found in one model, raised together (pydantic needs a
    ValueError); each item keeps its code, label and location relative to the model."""

    def __init__(self, errors: Iterable[KlimacoreError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a field path: ``("actions", 2, "id")`` → ``"actions[2].id"``.

    Dictionary keys print as fields (``"population.2019"``); pydantic's ``"[key]"`` marker (the
    key itself is at fault) is left out.

    >>> field_path(("baseline_emissions", "energi", "[key]"))
    'baseline_emissions.energi'
    >>> field_path(())
    ''
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":
            out += f".{part}" if out else str(part)
    return out


def _join(path: str, inner: str | None) -> str:
    if not inner:
        return path
    if not path:
        return inner
    return f"{path}{inner}" if inner.startswith("[") else f"{path}.{inner}"


def _place(loc: Sequence[int | str], path: str, locate: Locate | None) -> str:
    return path if locate is None else locate(tuple(loc), path)


def _item(kind: type[KlimacoreError], message: str, *, code: str, label: object,
          location: str) -> KlimacoreError:
    text = f"{location}: {message}" if location and not message.startswith(location) else message
    return kind(text, code=code, label=label, location=location or None)


def _bare(error: KlimacoreError) -> str:
    """The message of an item without its location prefix."""
    text = str(error)
    where = error.location
    if where and text.startswith(f"{where}: "):
        return text[len(where) + 2:]
    return text


Locate = Callable[[tuple[int | str, ...], str], str]
"""Maps pydantic's location and the field path to the location to report (e.g. a sheet cell)."""


def relocated(error: KlimacoreError, location: str) -> KlimacoreError:
    """The same problem (kind, code, label, message) under another ``location``, e.g. the sheet
    cell a reader took a field from.

    >>> err = ValidationError("phase: not a phase", code="monitoring.literal_error",
    ...                       label="delayed", location="phase")
    >>> moved = relocated(err, "sheet 'actions', row 2, column 'phase'")
    >>> str(moved), moved.code, moved.label
    ("sheet 'actions', row 2, column 'phase': not a phase", 'monitoring.literal_error', 'delayed')
    """
    kind = type(error) if type(error) in _KINDS else ValidationError
    return _item(kind, _bare(error), code=error.code or "invalid", label=error.label,
                 location=location)


def errors_from_pydantic(exc: PydanticValidationError, *, prefix: str,
                         locate: Locate | None = None) -> list[KlimacoreError]:
    """One klimacore error per problem pydantic found (several for a :class:`ModelProblems`).

    ``prefix`` starts the code of pydantic's own checks (``"plan"`` → ``"plan.missing"``);
    ``locate``, if given, turns each field path into the location reported (a file reader's
    sheet and row).
    """
    out: list[KlimacoreError] = []
    for err in exc.errors():
        loc = err["loc"]
        path = field_path(loc)
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ModelProblems | ProblemGroup):
            items = cause.errors if isinstance(cause, ModelProblems) else cause.exceptions
            for item in items:
                if not isinstance(item, KlimacoreError):
                    item = ValidationError(str(item))
                where = _place(loc, _join(path, item.location), locate)
                kind = type(item) if type(item) in _KINDS else ValidationError
                out.append(_item(kind, _bare(item), code=item.code or f"{prefix}.value_error",
                                 label=item.label, location=where))
            continue
        if isinstance(cause, KlimacoreError):
            kind = type(cause) if type(cause) in _KINDS else ValidationError
            where = _place(loc, _join(path, cause.location), locate)
            out.append(_item(kind, _bare(cause), code=cause.code or f"{prefix}.value_error",
                             label=cause.label if cause.label is not None else err["input"],
                             location=where))
            continue
        message = str(cause) if cause is not None else err["msg"]
        if err["type"] in ("missing", "extra_forbidden") and loc:
            label: object = loc[-1]
        elif isinstance(err["input"], dict | BaseModel):
            label = None  # a whole object failed a rule: the location says which
        else:
            label = err["input"]
        out.append(_item(ValidationError, message, code=f"{prefix}.{err['type']}", label=label,
                         location=_place(loc, path or "(document)", locate)))
    return out


def raise_from_pydantic(exc: PydanticValidationError, *, what: str, prefix: str) -> NoReturn:
    """Raise pydantic's problems under klimacore's contract (one → itself, several → group)."""
    problems = Problems(what)
    for error in errors_from_pydantic(exc, prefix=prefix):
        problems.add(error)
    try:
        problems.raise_if_any()
    except KlimacoreError as error:
        raise error from None  # pydantic's report says the same, less clearly
    raise ValidationError(str(exc), code=f"{prefix}.invalid")  # pragma: no cover - never empty


class KlimacoreModel(BaseModel):
    """Frozen, strict pydantic model that raises klimacore errors (see the module docstring).

    Subclasses set ``code_prefix`` (a :class:`~typing.ClassVar`) to start the codes of their
    problems.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, validate_default=True
    )
    code_prefix: ClassVar[str] = "model"

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except PydanticValidationError as exc:
            raise_from_pydantic(exc, what=type(self).__name__, prefix=self.code_prefix)

    # like pydantic's RootModel: this __init__ only translates errors, so pydantic may validate
    # nested models without calling it (no custom-init path: nested validation stays in Rust)
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a Python object (klimacore errors, see the module docstring)."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except PydanticValidationError as exc:
            raise_from_pydantic(exc, what=cls.__name__, prefix=cls.code_prefix)

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a JSON text (klimacore errors, see the module docstring)."""
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except PydanticValidationError as exc:
            raise_from_pydantic(exc, what=cls.__name__, prefix=cls.code_prefix)

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """Validate a mapping of strings (klimacore errors, see the module docstring)."""
        try:
            return super().model_validate_strings(obj, *args, **kwargs)
        except PydanticValidationError as exc:
            raise_from_pydantic(exc, what=cls.__name__, prefix=cls.code_prefix)

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            super().__setattr__(name, value)
        except PydanticValidationError as exc:
            raise_from_pydantic(exc, what=type(self).__name__, prefix=self.code_prefix)
