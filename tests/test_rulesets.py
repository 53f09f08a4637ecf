"""Rule sets by plan vintage: DK2020 (CAPF) vs CCTF 2024, ambition, unmapped sectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from klimacore.cli import main
from klimacore.errors import MissingLabelError
from klimacore.models import ClimateActionPlan, load_example_plan
from klimacore.trajectory import (
    CCTF_FROM,
    check_plan,
    list_rule_sets,
    rule_set,
    rule_set_for,
    target_rules,
)


def edited(plan: ClimateActionPlan, **changes: Any) -> ClimateActionPlan:
    data = plan.model_dump(mode="json")
    for key, value in changes.items():
        data[key] = value(data[key]) if callable(value) else value
    return ClimateActionPlan.model_validate(data)


def rule(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame[frame["rule"] == name]


def dk2020_plan_2022() -> ClimateActionPlan:
    """A DK2020 plan adopted in 2022 with one interim target (2030) and net zero in 2050."""
    return edited(load_example_plan(), adopted="2022-03-01", targets=lambda ts: [
        t for t in ts if t["kind"] == "net_zero" or (
            t["kind"] == "absolute" and t.get("sector") is None and t["target_year"] == 2030)])


def test_dk2020_plan_passes_dk2020_and_fails_only_interim_under_cctf() -> None:
    plan = dk2020_plan_2022()
    auto = target_rules(plan)
    assert set(auto["rule_set"]) == {"dk2020"}  # chosen by the adoption date
    assert "adopted 2022-03-01" in rule(auto, "rule_set")["message"].item()
    assert rule(auto, "interim_targets")["status"].item() == "pass"
    assert (auto["severity"] != "error").all()
    assert rule(auto, "cctf_sector_range").empty  # DK2020 has no sector ranges
    cctf = target_rules(plan, rules="cctf-2024")
    failed = cctf[cctf["severity"] == "error"]
    assert failed["rule"].tolist() == ["interim_targets"]
    assert "at least 2 required by cctf-2024" in failed["message"].item()
    # the whole check: the target rules of the DK2020 set raise no error
    report = check_plan(plan, rules="dk2020")
    assert not ((report["check"] == "target rule") & (report["severity"] == "error")).any()


def test_choice_by_date_and_by_name() -> None:
    assert list_rule_sets() == ["dk2020", "cctf-2024"]
    plan = load_example_plan()  # adopted 2025-06-16
    assert rule_set_for(plan)[0].name == "cctf-2024"
    assert rule_set_for(edited(plan, adopted=CCTF_FROM.isoformat()))[0].name == "cctf-2024"
    assert rule_set_for(edited(plan, adopted="2024-10-31"))[0].name == "dk2020"
    rs, why = rule_set_for(edited(plan, adopted=None))
    assert rs.name == "cctf-2024" and "no adoption date" in why
    assert rule_set_for(plan, "dk2020")[0].name == "dk2020"
    assert rule_set(rule_set("dk2020")) is rule_set("dk2020")
    with pytest.raises(MissingLabelError, match="dk2020, cctf-2024"):
        rule_set("capf-2019")


def test_ambition_against_the_climate_act() -> None:
    plan = load_example_plan()

    def pct(value: float) -> Any:
        return lambda ts: [dict(t, reduction_pct=value) if t["kind"] == "absolute" and t.get(
            "sector") is None and t["target_year"] == 2030 else t for t in ts]

    for rules in ("dk2020", "cctf-2024"):
        typo = rule(target_rules(edited(plan, targets=pct(8)), rules=rules), "ambition_2030")
        assert typo["severity"].item() == "warning" and "−8.0 % vs 1990" in typo[
            "message"].item()
    ok = rule(target_rules(plan), "ambition_2030")
    assert ok["status"].item() == "pass" and ok["value"].item() == pytest.approx(70.0)
    # a 2030 target against 2019, converted with the plan's observed 1990 and 2019 totals
    rebased = edited(plan, targets=lambda ts: [
        dict(t, base_year=2019, reduction_pct=50) if t["kind"] == "absolute" and t.get(
            "sector") is None and t["target_year"] == 2030 else t for t in ts])
    row = rule(target_rules(rebased), "ambition_2030")
    # 2019 total 191,500 t × 0.5 = 95,750 t against 1990's 293,000 t: −67.3 % < −70 %
    assert row["value"].item() == pytest.approx(100 * (1 - 95750 / 293000))
    assert row["severity"].item() == "warning" and "vs 2019" in row["message"].item()


def test_sector_targets_without_a_range_are_reported() -> None:
    plan = load_example_plan()
    with_land = edited(plan, targets=lambda ts: [*ts, dict(
        kind="sector", sector="land_use", target_year=2030, base_year=2019, reduction_pct=20,
        gases=["CO2", "CH4", "N2O"])])
    rows = rule(target_rules(with_land), "cctf_sector_range")
    land = rows[rows["sector"] == "land_use"]
    assert land["status"].item() == "no data" and land["severity"].item() == "warning"
    assert "not evaluated" in land["message"].item()
    mapped = rule(target_rules(with_land, sector_map={"land_use": "agriculture"}),
                  "cctf_sector_range")
    assert "not evaluated" not in " ".join(mapped["message"])


def test_cli_rules_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(dk2020_plan_2022().model_dump_json(), encoding="utf-8")
    main(["check", str(path), "--rules", "cctf-2024"])
    out = capsys.readouterr().out
    assert "1 interim target year(s)" in out and "cctf-2024" in out
    main(["check", str(path), "--all"])
    out = capsys.readouterr().out
    assert "rule set dk2020" in out and "latest 2019" in out
    assert main(["check", str(path), "--rules", "capf"]) == 2
    capsys.readouterr()
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["adopted"] == "2022-03-01"


def test_plan_data_checks() -> None:
    plan = load_example_plan()
    ok = target_rules(plan)
    assert rule(ok, "baseline_matches_observed")["status"].item() == "pass"
    assert rule(ok, "population_plausible")["status"].item() == "pass"
    # a baseline inventory that disagrees with the plan's own observed 2019 inventory
    off = edited(plan, baseline_emissions=lambda b: {**b, "energy": b["energy"] * 1.12})
    row = rule(target_rules(off), "baseline_matches_observed")
    assert row["severity"].item() == "warning" and "energy" in row["message"].item()
    # a population that jumps (a typo: one digit too many)
    jump = edited(plan, population={"2019": 22700.0, "2020": 227000.0})
    row = rule(target_rules(jump), "population_plausible")
    assert row["severity"].item() == "warning" and "2019→2020" in row["message"].item()


def test_plan_with_a_total_only_1990_back_cast() -> None:
    """A plan that publishes 1990 as a total only (as back-casts are published)."""
    from klimacore.trajectory import manko, plan_emissions

    plan = load_example_plan()

    def drop_1990(observed: dict[str, Any]) -> dict[str, Any]:
        return dict(observed, emissions={s: {y: v for y, v in series.items() if int(y) != 1990}
                                         for s, series in observed["emissions"].items()})

    total_only = edited(plan, observed=drop_1990, observed_totals={"1990": 293000.0})
    e = plan_emissions(total_only, "observed")
    assert float(e.sel(year=1990)) == 293000.0
    rules = target_rules(total_only)
    assert rule(rules, "target_base_data")["status"].tolist() == ["pass"]
    assert rule(rules, "ambition_2030")["status"].item() == "pass"
    m = manko(total_only)
    total_2030 = m[(m.year == 2030) & (m.sector == "total")].iloc[0]
    assert total_2030["manko_t"] == pytest.approx(6420)  # as with the sector breakdown
    report = check_plan(total_only)
    dk = report[(report["reference"] == "dk-climate-act") & (report["rule"] == "milestone")]
    assert set(dk["year"]) >= {2030} and not dk["message"].str.contains("missing").any()
    # a published total that disagrees with the sectors of the same year is flagged
    both = edited(plan, observed_totals={"1990": 250000.0})
    row = rule(target_rules(both), "observed_totals_match")
    assert row["severity"].item() == "warning" and "250,000" in row["message"].item()
