"""One reporting round as a document.

A :class:`RoundData` holds what a municipality reported in one round, in the monitoring
package's own records (:class:`ReportingRound`, :class:`MonitoredAction`,
:class:`ActionUpdate`, :class:`IndicatorMeta`, :class:`IndicatorObservation`,
:class:`ActionIndicatorLink`, :class:`ClimateEvent`): the same kinds the
:class:`~klimacore.monitoring.MonitoringStore` keeps, in one JSON document for files and
tests. Indicator baselines and targets are plan content, not round content: statuses are
computed against the plan's indicators. Every record must name the round's municipality and
year, and every update, link and observation an action or indicator of the round.

The bundled illustrative round of the example plan is :func:`klimacore.examples.example_round`
(``monitoring.example_round`` is a deprecated alias until klimacore 0.3).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, model_validator

from klimacore._model_base import KlimacoreModel, ModelProblems
from klimacore.errors import ValidationError
from klimacore.monitoring._model import (
    ActionIndicatorLink,
    ActionUpdate,
    ClimateEvent,
    IndicatorMeta,
    IndicatorObservation,
    MonitoredAction,
    ReportingRound,
)

__all__ = ["RoundData"]


class RoundData(KlimacoreModel):
    """What one municipality reported in one round, as one validated document.

    Examples
    --------
    >>> import datetime as dt
    >>> rd = RoundData(round=ReportingRound(municipality=751, year=2025,
    ...                                     opened=dt.date(2026, 1, 5)))
    >>> rd.actions, rd.illustrative
    ((), False)
    >>> RoundData(round=rd.round, updates=[ActionUpdate(
    ...     action_id="X", municipality=751, year=2025, phase="planning",
    ...     date=dt.date(2026, 2, 1), reporter="a")])
    Traceback (most recent call last):
    ...
    klimacore.errors.ValidationError: updates[0].action_id: updates[0]: unknown action 'X'
    """

    code_prefix: ClassVar[str] = "monitoring.round"

    round: ReportingRound
    illustrative: bool = False
    note: str = Field(default="", description="Where the round's figures come from")
    actions: tuple[MonitoredAction, ...] = ()
    updates: tuple[ActionUpdate, ...] = ()
    indicators: tuple[IndicatorMeta, ...] = ()
    observations: tuple[IndicatorObservation, ...] = ()
    links: tuple[ActionIndicatorLink, ...] = ()
    events: tuple[ClimateEvent, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RoundData:
        m, y = self.round.municipality, self.round.year
        problems: list[ValidationError] = []

        def problem(text: str, code: str, label: object, location: str) -> None:
            problems.append(ValidationError(text, code=f"monitoring.round.{code}", label=label,
                                            location=location))

        actions = [a.id for a in self.actions]
        indicators = [i.id for i in self.indicators]
        for what, ids in (("action", actions), ("indicator", indicators)):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                problem(f"{what} ids used twice: {twice}", "duplicate_id", twice, f"{what}s")
        seen: set[str] = set()
        for k, u in enumerate(self.updates):
            if u.municipality != m or u.year != y:
                problem(f"updates[{k}] is for {u.municipality}/{u.year}, not {m}/{y}",
                        "other_round", [u.municipality, u.year], f"updates[{k}]")
            if u.action_id not in actions:
                problem(f"updates[{k}]: unknown action {u.action_id!r}", "unknown_action",
                        u.action_id, f"updates[{k}].action_id")
            if u.action_id in seen:
                problem(f"updates[{k}]: action {u.action_id!r} updated twice", "updated_twice",
                        u.action_id, f"updates[{k}].action_id")
            seen.add(u.action_id)
        for k, o in enumerate(self.observations):
            if o.municipality != m:
                problem(f"observations[{k}] is for {o.municipality}, not {m}", "other_round",
                        o.municipality, f"observations[{k}].municipality")
            if indicators and o.indicator_id not in indicators:
                problem(f"observations[{k}]: unknown indicator {o.indicator_id!r}",
                        "unknown_indicator", o.indicator_id, f"observations[{k}].indicator_id")
        for k, link in enumerate(self.links):
            if link.action_id not in actions:
                problem(f"links[{k}]: unknown action {link.action_id!r}", "unknown_action",
                        link.action_id, f"links[{k}].action_id")
            if indicators and link.indicator_id not in indicators:
                problem(f"links[{k}]: unknown indicator {link.indicator_id!r}",
                        "unknown_indicator", link.indicator_id, f"links[{k}].indicator_id")
        for k, e in enumerate(self.events):
            if e.municipality != m:
                problem(f"events[{k}] is for {e.municipality}, not {m}", "other_round",
                        e.municipality, f"events[{k}].municipality")
        if problems:
            raise ModelProblems(problems)
        return self

    @classmethod
    def from_store(cls, store: Any, municipality: Any, year: int) -> RoundData:
        """The newest revision of a round in a :class:`~klimacore.monitoring.MonitoringStore`.

        The store keeps actions, updates, observations and events; indicator metadata and links
        are not stored there, so they are empty (statuses then rest on the plan's indicators).

        >>> import datetime as dt
        >>> from klimacore.examples import example_round
        >>> from klimacore.monitoring import MonitoringStore
        >>> store = MonitoringStore()
        >>> r = store.open_round(727, 2025, who="a", on=dt.date(2026, 1, 15))
        >>> ex = example_round()
        >>> r = store.write_actions(r, ex.actions, who="a")
        >>> r = store.write_updates(r, ex.updates, who="a")
        >>> back = RoundData.from_store(store, 727, 2025)
        >>> back.updates == ex.updates, back.actions == ex.actions
        (True, True)
        """
        stored = store.get_round(municipality, year)
        m, y = stored.round.municipality, stored.round.year

        def records(kind: str, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
            frame = store.read(kind, [stored]).drop(columns=["round_id", *drop],
                                                     errors="ignore")
            rows = frame.to_dict("records")
            return [{k: v for k, v in row.items()
                     if v is not None and not (isinstance(v, float) and math.isnan(v))}
                    for row in rows]

        updates = []
        for row in records("action_updates", ("municipality",)):
            row["milestones_met"] = tuple(json.loads(row.get("milestones_met") or "[]"))
            updates.append(ActionUpdate(**row, municipality=m, year=y))
        observations = [IndicatorObservation(**row, municipality=m)
                        for row in records("observations", ("municipality",))]
        events = [ClimateEvent(**row, municipality=m)
                  for row in records("climate_events", ("municipality",))]
        return cls(round=stored.round, actions=tuple(store.read_actions(stored)),
                   updates=tuple(updates), observations=tuple(observations),
                   events=tuple(events), note=f"monitoring store, round {m}/{y} "
                   f"r{stored.round.revision}")


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """``monitoring.example_round`` moved to :func:`klimacore.examples.example_round`
        (deprecated alias, goes in 0.3)."""
        if name == "example_round":
            from klimacore import examples  # deprecated alias: layer exception until 0.3
            from klimacore._deprecation import warn_deprecated

            warn_deprecated("klimacore.monitoring.example_round", since="0.2",
                            removed_in="0.3", use="klimacore.examples.example_round")
            return examples.example_round
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
