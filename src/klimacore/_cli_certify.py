"""``klimacore certify`` and ``klimacore track validate``: the certification report (internal).

Registered on the main parser by :func:`register`. The report prints as Markdown (default) or
JSON and can be written with ``--out FILE.md|FILE.json``; exit code 1 when a rule of severity
``error`` fails or lacks data (see :func:`klimacore.certification.blocking`), 2 for usage errors.
HTML goes through the report package, which does not exist yet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan

__all__ = ["certification_json", "certification_markdown", "register"]

EXIT_OK, EXIT_INVALID = 0, 1
_STATUS_ORDER = ("fail", "no data", "needs review", "pass", "not applicable")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r.get(c)) for c in columns) + " |" for r in records]
    return lines


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in rec.items()} for rec in clean.to_dict("records")]


def certification_markdown(plan: ClimateActionPlan, table: pd.DataFrame, due: pd.DataFrame,
                           as_of: dt.date, plan_diff: Any = None) -> str:
    """The certification report as Markdown."""
    from klimacore.certification import blocking

    block = blocking(table)
    counts = table["status"].value_counts()
    lines = [f"# Certification report: plan {plan.municipality} v{plan.version}", "",
             f"{plan.title}", "",
             f"Rule set `{table['ruleset'].iloc[0]}`, as of {as_of}. "
             + ", ".join(f"{int(counts[s])} {s}" for s in _STATUS_ORDER if s in counts) + ".",
             ""]
    if plan.illustrative:
        lines += ["*Illustrative plan: example figures, not an adopted plan.*", ""]
    lines += [("**Not certifiable**: " + ", ".join(block["rule"]) + " (severity error).")
              if len(block) else "**No blocking finding**; rules marked *needs review* go to a "
              "reviewer.", "", "## Due dates", ""]
    lines += _md_table(_records(due), ["item", "basis", "due_by", "age_years", "status"])
    lines += ["", "## Criteria", ""]
    lines += _md_table(_records(table), ["rule", "criterion", "status", "severity", "message"])
    details = table[table["status"] != "pass"]
    if len(details):
        lines += ["", "## Evidence and what is missing", ""]
        for r in _records(details):
            lines.append(f"- **{r['rule']}** ({r['status']}): "
                         + (f"evidence: {r['evidence']}" if r["evidence"] else "no evidence")
                         + (f"; missing: `{r['missing']}`" if r["missing"] else ""))
    if plan_diff is not None:
        lines += ["", f"## Changes since version {plan_diff.old_version}", "", "```",
                  plan_diff.summary(), "```", ""]
        changed = plan_diff.table()
        changed = changed[changed["change"] != "unchanged"]
        lines += _md_table(_records(changed), ["entity", "id", "change", "old", "new",
                                               "message"])
    return "\n".join(lines) + "\n"


def certification_json(plan: ClimateActionPlan, table: pd.DataFrame, due: pd.DataFrame,
                       as_of: dt.date, plan_diff: Any = None) -> str:
    """The certification report as a JSON document."""
    from klimacore.certification import blocking

    doc = {
        "municipality": plan.municipality, "plan_version": plan.version, "title": plan.title,
        "illustrative": plan.illustrative, "as_of": as_of.isoformat(),
        "ruleset": str(table["ruleset"].iloc[0]),
        "certifiable": bool(blocking(table).empty),
        "status_counts": {str(k): int(v) for k, v in table["status"].value_counts().items()},
        "rules": _records(table), "due_dates": _records(due),
        "diff": None if plan_diff is None else _records(plan_diff.table()),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"


def _as_of(text: str | None) -> dt.date:
    from klimacore._cli_common import UsageError as _UsageError

    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _UsageError(f"--as-of {text!r}: use an ISO date, e.g. 2026-11-22") from None


def _cmd_certify(args: argparse.Namespace) -> int:
    from klimacore import certification
    from klimacore._cli_common import InvalidError as _InvalidError
    from klimacore._cli_common import UsageError as _UsageError
    from klimacore._cli_common import load_plan as _load_plan
    from klimacore.errors import KlimacoreError

    as_of = _as_of(args.as_of)
    plan = _load_plan(args.plan)
    previous = _load_plan(args.previous) if args.previous else None
    try:
        table = certification.certify(plan, as_of=as_of, previous=previous,  # type: ignore[arg-type]
                                      rules=args.rules)
        plan_diff = (certification.diff(previous, plan)  # type: ignore[arg-type]
                     if previous is not None else None)
    except KlimacoreError as exc:
        raise _InvalidError(f"{args.plan}: cannot certify", list(exc.problems) or [str(exc)]
                            ) from None
    due = certification.due_dates(plan, as_of=as_of)  # type: ignore[arg-type]
    fmt = args.format
    if args.out:
        suffix = Path(args.out).suffix
        if suffix not in (".md", ".json"):
            raise _UsageError(f"--out {args.out}: use a .md or .json file name (HTML needs the "
                              "report package)")
        text = (certification_json if suffix == ".json" else certification_markdown)(
            plan, table, due, as_of, plan_diff)  # type: ignore[arg-type]
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    render = certification_json if fmt == "json" else certification_markdown
    print(render(plan, table, due, as_of, plan_diff), end="")  # type: ignore[arg-type]
    return EXIT_INVALID if len(certification.blocking(table)) else EXIT_OK


def _cmd_track_validate(args: argparse.Namespace) -> int:
    from klimacore import certification
    from klimacore._cli_common import InvalidError as _InvalidError
    from klimacore._cli_common import read_path as _read
    from klimacore.errors import KlimacoreError, ProblemGroup

    text = _read(args.proposal)
    try:
        proposal = certification.DevelopmentTrackProposal.model_validate_json(text)
    except KlimacoreError as exc:  # the model's own translation: one item per problem
        items = list(exc.exceptions) if isinstance(exc, ProblemGroup) else [exc]
        problems = [str(e) for e in items]  # each item's text starts with its location
        raise _InvalidError(f"{args.proposal}: {len(problems)} problem(s)", problems) from None
    table = certification.validate_proposal(proposal, remaining_pool_dkk=args.remaining_pool)
    if args.format == "json":
        print(json.dumps(_records(table), indent=2, ensure_ascii=False))
    else:
        print(f"# Development-track proposal {proposal.id}: {proposal.title}\n")
        print("\n".join(_md_table(_records(table), ["rule", "status", "severity", "message"])))
    return EXIT_INVALID if len(certification.blocking(table)) else EXIT_OK


def register(sub: Any) -> None:
    """Add ``certify`` and ``track validate`` to the CLI's subcommands."""
    from klimacore.certification import DEFAULT_RULESET, list_rulesets

    p = sub.add_parser(
        "certify",
        help="certification report of a plan against the CCTF re-certification rules "
        "(exit 1 if a rule of severity error fails or lacks data)",
    )
    p.add_argument("plan", help="path to a plan JSON file")
    p.add_argument("--previous", default=None, metavar="OLD.json",
                   help="the previous version of the plan (plan diff and no backsliding)")
    p.add_argument("--as-of", default=None, metavar="DATE",
                   help="judge recency on this ISO date (default: today)")
    p.add_argument("--rules", default=DEFAULT_RULESET, choices=list_rulesets(),
                   help=f"rule set (default {DEFAULT_RULESET})")
    p.add_argument("--format", default="md", choices=["md", "json"],
                   help="print Markdown (default) or JSON")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="also write the report to FILE.md or FILE.json")
    p.set_defaults(func=_cmd_certify)

    p = sub.add_parser("track", help="climate development tracks (klimaudviklingsspor)")
    track = p.add_subparsers(dest="track_command", metavar="COMMAND")
    v = track.add_parser("validate", help="eligibility of a proposal JSON (exit 1 if not "
                         "eligible)")
    v.add_argument("proposal", help="path to a DevelopmentTrackProposal JSON file")
    v.add_argument("--remaining-pool", type=float, default=None, metavar="DKK",
                   help="also check the requested amount against the remaining pool")
    v.add_argument("--format", default="md", choices=["md", "json"])
    v.set_defaults(func=_cmd_track_validate)
    p.set_defaults(func=lambda args: _track_usage(p))


def _track_usage(parser: argparse.ArgumentParser) -> int:
    import sys

    parser.print_help(sys.stderr)
    return 2
