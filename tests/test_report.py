"""klimacore.report on a self-written excerpt of the Energi- og CO2-regnskab (3 municipalities).

The excerpt (tests/data/report_eco2_excerpt.csv) has the account's long shape with invented figures.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from klimacore.cli import main
from klimacore.errors import KlimacoreError, MissingLabelError
from klimacore.report import StatusReport, build_reports, index_html, report_schema, term

EXCERPT = Path(__file__).resolve().parent / "data" / "report_eco2_excerpt.csv"
AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def panel() -> Any:
    from klimacore._report_cli import panel_from_account

    return panel_from_account(EXCERPT, vintage="2026-05-18")


@pytest.fixture(scope="module")
def reports(panel: Any) -> dict[str, StatusReport]:
    return build_reports(panel, as_of=AS_OF)


class _Page(HTMLParser):
    """Collects ids, images without a text alternative, the open-tag stack and header cells."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.svg_children: list[set[str]] = []
        self.th = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "id" in a and a["id"] is not None:
            self.ids[a["id"]] += 1
        if tag == "img" and not a.get("alt"):
            self.problems.append("img without alt")
        for k in ("src", "href"):
            v = a.get(k) or ""
            if v.startswith(("http:", "https:", "//")):
                self.external.append(v)
        if tag == "svg":
            if a.get("role") != "img" or not a.get("aria-labelledby"):
                self.problems.append("svg without role/label")
            self.svg_children.append(set())
        elif self.svg_children and "svg" in self.stack:
            self.svg_children[-1].add(tag)
        if tag == "th":
            self.th += 1
        if tag not in ("meta", "br", "rect", "line", "polyline", "link"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "id" in a and a["id"] is not None:
            self.ids[a["id"]] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("meta", "br", "rect", "line", "polyline", "link"):
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()


def check_html(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    dup = [k for k, n in page.ids.items() if n > 1]
    assert not dup, f"duplicate ids {dup}"
    assert not page.problems, page.problems
    assert not page.stack, f"unclosed {page.stack}"
    assert not page.external, page.external
    for children in page.svg_children:
        assert {"title", "desc"} <= children
    return page


def test_one_report_per_municipality_region_and_denmark(reports: dict[str, StatusReport]) -> None:
    assert sorted(reports) == ["0101", "0147", "0727", "0751", "1082", "1084", "DK"]
    kinds = Counter(r.content["kind"] for r in reports.values())
    assert kinds == {"municipality": 4, "region": 2, "denmark": 1}
    assert reports["1084"].content["members"] == ["0101", "0147"]


def test_headline_numbers_are_the_accounts(reports: dict[str, StatusReport]) -> None:
    head = reports["0751"].headline()
    # 2023 = 0.75 × (800 + 600 + 200 + 50 + 30), rounded per sector to 0.1 t in the excerpt
    assert head["year"] == 2023
    assert head["total"] == pytest.approx(1260.0)
    assert head["change_vs_base"] == pytest.approx(100 * (1260.0 / 1596.0 - 1))
    assert head["change_vs_1990"] is None  # no 1990 account: missing, never 0
    dk = reports["DK"].headline()
    assert dk["total"] == pytest.approx(sum(reports[k].headline()["total"]
                                            for k in ("0101", "0147", "0727", "0751")))


def test_every_verdict_names_its_reference_and_rule_set(reports: dict[str, StatusReport]) -> None:
    v = reports["0751"].verdicts()
    assert list(v["reference"]) == ["ipcc-ar6-c1-ghg@AR6 SYR 2023",
                                    "ipcc-ar6-c3-ghg@AR6 SYR 2023", "dk-climate-act@2021"]
    # −5 % a year of 2018 emissions: below both IPCC paths from 2019 in 2023, and the trend
    # reaches the milestones in time
    assert list(v["latest_status"]) == ["on track", "on track", "no data"]
    assert list(v["verdict"]) == ["on track", "on track", "no data"]
    assert "base year" in v["reason"].iloc[2]
    assert v.attrs["rule_set"]["name"] == "klimacore latest_verdicts"
    assert v.attrs["rule_set"]["at_risk_pct"] == 5.0
    html = reports["0751"].to_html()
    assert "latest_verdicts" in html and "ipcc-ar6-c1-ghg@AR6 SYR 2023" in html
    assert "intet tal for basisåret 1990" in html


def test_sections_without_input_say_so(reports: dict[str, StatusReport]) -> None:
    secs = {s["id"]: s for s in reports["0751"].content["sections"]}
    assert [k for k, s in secs.items() if not s["available"]] == ["M4", "M5", "M6", "M7"]
    assert secs["M4"]["notes"][0]["key"] == "no_plan"
    html = reports["0751"].to_html("en")
    assert "No climate plan was given for Aarhus" in html
    assert "never borrowed from another municipality" in html
    area = {s["id"]: s for s in reports["DK"].content["sections"]}
    assert not area["N1"]["available"] and not area["N5"]["available"]


def test_zero_is_flagged_not_trusted(reports: dict[str, StatusReport]) -> None:
    md = reports["0147"].to_markdown("en")
    assert "possibly not reported): landbrug" in md


def test_lmdi_effects_add_up_to_the_change(reports: dict[str, StatusReport]) -> None:
    for key in ("0751", "1084", "DK"):
        sec = next(s for s in reports[key].content["sections"] if s["id"] == "M3")
        effects = sum(r[1] for r in sec["tables"][0]["rows"])
        d = sec["figures"][0]["data"]
        assert effects == pytest.approx(d["v1"] - d["v0"], abs=1e-6)


def test_national_caveats_where_the_sum_is_shown(reports: dict[str, StatusReport]) -> None:
    from klimacore.monitoring import NATIONAL_CAVEATS

    assert reports["DK"].content["caveats"] == list(NATIONAL_CAVEATS)
    assert reports["0751"].content["caveats"] == []
    html = reports["DK"].to_html("da")
    assert html.count("<li>") >= 4 and "tilbageregnet" in html


def test_json_validates_against_the_published_schema(reports: dict[str, StatusReport]) -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for rep in reports.values():
        jsonschema.validate(json.loads(rep.to_json()), schema)
    broken = json.loads(reports["0751"].to_json())
    broken["sections"][0]["id"] = "X9"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_html_is_well_formed_with_header_cells_and_text_alternatives(
        reports: dict[str, StatusReport]) -> None:
    for rep in reports.values():
        for lang in ("da", "en"):
            page = check_html(rep.to_html(lang))
            assert page.th > 10
    check_html(index_html(reports))
    assert '<meta name="viewport"' in reports["DK"].to_html()


def test_danish_by_default_english_on_request(reports: dict[str, StatusReport]) -> None:
    da, en = reports["0751"].to_html(), reports["0751"].to_html("en")
    assert '<html lang="da">' in da and "Overblik" in da and "1.260" in da
    assert '<html lang="en">' in en and "Headline" in en and "1,260" in en
    with pytest.raises(MissingLabelError):
        reports["0751"].to_html("sv")
    with pytest.raises(MissingLabelError):
        term("no such term")


def test_notebook_repr_is_a_fragment(reports: dict[str, StatusReport]) -> None:
    frag = reports["0751"]._repr_html_()
    assert frag.startswith('<div class="klimacore-report">') and "<html" not in frag
    assert "<svg" in frag


def test_same_inputs_same_bytes(panel: Any, reports: dict[str, StatusReport]) -> None:
    again = build_reports(panel, as_of=AS_OF)
    for k in reports:
        assert again[k].to_html() == reports[k].to_html()
        assert again[k].to_json() == reports[k].to_json()
        assert again[k].to_markdown("en") == reports[k].to_markdown("en")


def test_base_year_outside_the_data_is_refused(panel: Any) -> None:
    with pytest.raises(KlimacoreError, match="base_year 2010"):
        build_reports(panel, as_of=AS_OF, base_year=2010)


# --- CLI --------------------------------------------------------------------------------------


def _run(tmp_path: Path, *extra: str) -> tuple[int, list[str]]:
    out = tmp_path / "out"
    code = main(["report", "--data", str(EXCERPT), "--out", str(out), "--as-of", "2026-03-01",
                 "--vintage", "2026-05-18", *extra])
    return code, sorted(p.name for p in out.glob("*")) if out.exists() else []


def test_cli_writes_every_form_and_is_reproducible(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, names = _run(tmp_path)
    assert code == 0
    assert "index.html" in names and "report-schema.json" in names
    assert {"0751.html", "0751.md", "0751.json", "DK.html", "1084.json"} <= set(names)
    assert "4 municipalities, 2 regions, 1 Denmark" in capsys.readouterr().out
    first = {n: (tmp_path / "out" / n).read_bytes() for n in names}
    code, _ = _run(tmp_path)
    assert code == 0
    assert {n: (tmp_path / "out" / n).read_bytes() for n in names} == first


@pytest.mark.parametrize(("args", "code", "text"), [
    (["--data", "/no/such/place"], 2, "no such file"),
    (["--format", "pdf"], 2, "--format"),
    (["--as-of", "1.3.2026"], 2, "--as-of"),
    (["--lang", "sv"], 2, "invalid choice"),
    (["--base-year", "2010"], 1, "base_year 2010"),
])
def test_cli_errors_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      args: list[str], code: int, text: str) -> None:
    base = {"--data": str(EXCERPT), "--out": str(tmp_path / "o")}
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    argv = ["report"] + [x for kv in base.items() for x in kv]
    assert main(argv) == code
    err = capsys.readouterr().err
    assert text in err and "Traceback" not in err


def test_cli_invalid_account_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(EXCERPT.read_text(encoding="utf-8").replace("0751,", "9999,"),
                   encoding="utf-8")
    assert main(["report", "--data", str(bad), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "9999" in err and "Traceback" not in err


# --- a municipality's own plan -----------------------------------------------------------------


def test_own_plan_gives_manko_and_actions_labelled_illustrative(panel: Any) -> None:
    from klimacore.models import load_example_plan
    from klimacore.trajectory import manko

    plan = load_example_plan()  # Odder (727), illustrative
    reports = build_reports(panel, as_of=AS_OF, plans={727: plan})
    secs = {s["id"]: s for s in reports["0727"].content["sections"]}
    assert secs["M4"]["available"] and secs["M4"]["illustrative"]
    expected = manko(plan).query("sector == 'total'")
    rows = secs["M4"]["tables"][0]["rows"]
    assert [r[0] for r in rows] == expected["year"].tolist()
    assert [r[4] for r in rows] == pytest.approx(expected["manko_t"].tolist())
    m5 = secs["M5"]["tables"][0]["rows"]
    assert sum(r[2] for r in m5) == len(plan.actions)
    assert sum(r[3] for r in m5) == pytest.approx(sum(a.expected_effect_t or 0
                                                      for a in plan.actions))
    assert not secs["M6"]["available"]  # no monitoring round given
    assert [s["illustrative"] for s in reports["0727"].content["sources"]] == [False, True]
    html = reports["0727"].to_html()
    assert "ILLUSTRATIV" in html and html.count("<svg") == 4
    check_html(html)
    jsonschema.validate(json.loads(reports["0727"].to_json()), report_schema())
    # never borrowed: Aarhus still has no plan
    assert not {s["id"]: s for s in reports["0751"].content["sections"]}["M4"]["available"]


def test_plan_under_the_wrong_key_is_refused(panel: Any) -> None:
    from klimacore.models import load_example_plan

    with pytest.raises(KlimacoreError, match="keyed by their own municipality"):
        build_reports(panel, as_of=AS_OF, plans={751: load_example_plan()})
    with pytest.raises(KlimacoreError, match="9999"):
        build_reports(panel, as_of=AS_OF, plans={9999: load_example_plan()})


def test_demo_writes_the_example_municipalitys_report(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--report-dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"written: {tmp_path / 'demo' / '0727.html'}")
    html = (tmp_path / "demo" / "0727.html").read_text(encoding="utf-8")
    check_html(html)
    assert "ILLUSTRATIV" in html and "Manko" in html
    # the plan has no population for 1990: the decomposition says so instead of a figure
    content = json.loads((tmp_path / "demo" / "0727.json").read_text(encoding="utf-8"))
    m3 = next(s for s in content["sections"] if s["id"] == "M3")
    assert m3["figures"] == [] and m3["notes"][-1]["key"] == "lmdi_missing"
    jsonschema.validate(content, report_schema())


def test_cli_report_with_a_plan(tmp_path: Path) -> None:
    from klimacore.models import load_example_plan

    plan = tmp_path / "plan.json"
    plan.write_text(load_example_plan().model_dump_json(), encoding="utf-8")
    code, _ = _run(tmp_path, "--plan", str(plan), "--format", "json")
    assert code == 0
    content = json.loads((tmp_path / "out" / "0727.json").read_text(encoding="utf-8"))
    assert {s["id"]: s for s in content["sections"]}["M4"]["available"]


def test_cli_per_capita_not_a_number_is_exit_1(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    lines = EXCERPT.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",4.000000,", ",fire,")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["report", "--data", str(bad), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "per_capita_t is not a number" in err and "row 2: 'fire'" in err
    assert "Traceback" not in err
