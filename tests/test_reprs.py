"""Rich reprs: short summary first, details folded, everything escaped."""

from __future__ import annotations

import re

from klimacore import trajectory
from klimacore._repr import check_table_html
from klimacore.models import load_example_plan


def _summary_part(html: str) -> str:
    return html.split("<details>")[0]


def test_plan_html_summary_first_details_folded() -> None:
    plan = load_example_plan()
    html = plan._repr_html_()
    head = _summary_part(html)
    assert plan.title in head and "Odder" in head and "net zero: 2050" in head
    assert "<table" not in head  # tables only inside <details>
    assert html.count("<details>") == 4
    assert f"Actions ({len(plan.actions)})" in html
    assert len(html) < len(repr(plan))


def test_plan_html_escapes_user_text() -> None:
    plan = load_example_plan().model_copy(update={"title": "<script>alert(1)</script>"})
    html = plan._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_trajectory_check_repr_and_html() -> None:
    plan = load_example_plan()
    check = trajectory.check_trajectory(trajectory.plan_emissions(plan),
                                        ["dk-climate-act", "ipcc-ar6-c1-ghg"])
    assert len(repr(check)) < 200 and "dk-climate-act" in repr(check)
    html = check._repr_html_()
    head = _summary_part(html)
    milestones = check.to_frame("milestones")
    n_off = int((milestones["status"] == "off track").sum())
    assert f"{n_off} off track" in head
    assert "first off track: dk-climate-act 2050" in head
    assert re.search(r"<td>2030</td>", html)  # years as years, not 2,030.0


def test_check_table_html() -> None:
    frame = trajectory.check_plan(load_example_plan())
    html = check_table_html(frame, title="Plan checks")
    head = _summary_part(html)
    assert "severity:" in head and "status:" in head
    assert f"All rows ({len(frame)})" in html
