"""A table-driven corpus of bad inputs: files through the CLI, frames and arrays through the API.

Every case states what a user gives, the exit code (files) or exception type (frames) expected,
and fragments the message must hold (the file, the line or row, the label, the reason). Files are
written into ``tmp_path`` by the test itself. ``FILE_CASES`` and ``FRAME_CASES`` are the corpus;
``ACCEPTED`` lists near-misses that must keep working (spellings people use, removals).
Count it with ``python -m pytest tests/test_bad_inputs.py --collect-only -q -k "file_case or
frame_case"``.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import klimacore.territorial as kt
from klimacore import consumption, io
from klimacore.cli import main
from klimacore.errors import (
    DataError,
    InputFileError,
    KlimacoreError,
    MissingLabelError,
    UnitError,
    ValidationError,
)
from klimacore.models import ClimateActionPlan, Target, load_example_plan
from klimacore.units import conversion_factor

# --- building blocks ----------------------------------------------------------------------------

PLAN: dict[str, Any] = json.loads(load_example_plan().model_dump_json())
HEADER = "municipality,year,category,fuel,value,unit"
GOOD_ROW = "727,2019,I.1.1,natural_gas,100,GJ"
GRID_HEADER = "carrier,area,year,method,value,unit"


def plan(**changes: Any) -> bytes:
    """The example plan with top-level fields replaced, as UTF-8 JSON."""
    doc = copy.deepcopy(PLAN)
    doc.update(changes)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def plan_with(edit: Callable[[dict[str, Any]], None]) -> bytes:
    doc = copy.deepcopy(PLAN)
    edit(doc)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def csv(*rows: str, header: str = HEADER, sep: str = ",") -> bytes:
    lines = [header, *rows]
    return ("\n".join(line.replace(",", sep) for line in lines) + "\n").encode("utf-8")


def dup_target(doc: dict[str, Any]) -> None:
    doc["targets"].append(dict(doc["targets"][1], reduction_pct=65.0))


def dup_sector_target(doc: dict[str, Any]) -> None:
    doc["targets"].append(dict(doc["targets"][5], reduction_pct=50.0))


def dup_action(doc: dict[str, Any]) -> None:
    doc["actions"].append(doc["actions"][0])


def dup_indicator(doc: dict[str, Any]) -> None:
    doc["indicators"].append(doc["indicators"][0])


def unknown_link(doc: dict[str, Any]) -> None:
    doc["actions"][0]["indicators"] = ["no-such-indicator"]


def field_and_cross(doc: dict[str, Any]) -> None:
    doc["municipality"] = 999
    dup_action(doc)
    dup_target(doc)


def three_cross(doc: dict[str, Any]) -> None:
    dup_action(doc)
    dup_target(doc)
    unknown_link(doc)


def early_bau(doc: dict[str, Any]) -> None:
    doc["bau"]["emissions"]["energy"]["2000"] = 1.0


def nested_dup_key(doc: dict[str, Any]) -> None:
    doc["targets"][0] = "__DUP__"


def deep(n: int) -> bytes:
    return ("[" * n + "]" * n).encode()


@dataclass(frozen=True)
class FileCase:
    """A command on files: ``{d}`` in ``argv`` is the folder holding ``files``."""

    id: str
    argv: tuple[str, ...]
    files: dict[str, bytes]
    code: int
    fragments: tuple[str, ...]
    setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None
    skip_if_root: bool = False


def validate(name: str, content: bytes, code: int, *fragments: str, cmd: str = "validate"
             ) -> FileCase:
    argv = ("demo", "--plan", "{d}/plan.json") if cmd == "demo" else (cmd, "{d}/plan.json")
    return FileCase(f"{cmd}-{name}", argv, {"plan.json": content}, code, fragments)


def inventory(name: str, content: bytes, code: int, *fragments: str, extra: tuple[str, ...] = (),
              setup: Callable[[Path, pytest.MonkeyPatch], None] | None = None,
              files: dict[str, bytes] | None = None, skip_if_root: bool = False) -> FileCase:
    return FileCase(f"inventory-{name}", ("inventory", "{d}/activity.csv", *extra),
                    {"activity.csv": content, **(files or {})}, code, fragments, setup,
                    skip_if_root)


def no_h5netcdf(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h5netcdf", None)


def read_only_dir(d: Path, _: pytest.MonkeyPatch) -> None:
    (d / "ro").mkdir()
    (d / "ro").chmod(0o555)


def a_dir(d: Path, _: pytest.MonkeyPatch) -> None:
    (d / "out.csv").mkdir()


LATIN1_PLAN = plan(title="Klimaplan for Ærø og Præstø").decode().encode("latin-1")
DUP_KEY_PLAN = plan().replace(b'"municipality": 727', b'"municipality": 727, "municipality": 751')
NESTED_DUP = plan_with(nested_dup_key).replace(
    b'"__DUP__"', b'{"kind": "absolute", "target_year": 2025, "target_year": 2026, '
    b'"base_year": 1990, "reduction_pct": 50.0}')
ELECTRICITY = csv("727,2019,I.1.2,electricity,100,MWh")

FILE_CASES: list[FileCase] = [
    # --- plan files: encodings and JSON syntax
    validate("latin1", LATIN1_PLAN, 1, "plan.json, line 1", "not UTF-8", "0xc6", "save"),
    validate("utf16-bom", plan().decode().encode("utf-16"), 1, "UTF-16", "save it as UTF-8"),
    validate("utf16-no-bom", plan().decode().encode("utf-16-le"), 1, "NUL bytes", "line 1"),
    validate("utf32", plan().decode().encode("utf-32"), 1, "UTF-32"),
    validate("deeply-nested", deep(100_000), 1, "nested too deeply", "line 1"),
    validate("nested-70", deep(70), 1, "nested more than 64 levels"),
    validate("not-json", b"{not json", 1, "plan.json, line 1, column 2", "not valid JSON"),
    validate("truncated", plan()[:200], 1, "not valid JSON", "line 1"),
    validate("empty", b"", 1, "not valid JSON", "line 1, column 1"),
    validate("multiline-error", b'{\n "municipality": 727,\n "title": \n}', 1, "line 4"),
    validate("nan", plan().replace(b'"baseline_year": 2019', b'"baseline_year": NaN'), 1,
             "NaN is not a JSON number"),
    validate("infinity", plan().replace(b'"baseline_year": 2019', b'"baseline_year": Infinity'),
             1, "Infinity is not a JSON number"),
    validate("1e400", plan_with(lambda d: d["baseline_emissions"].update(energy="X")).replace(
        b'"X"', b"1e400"), 1, "1e400", "beyond the range of a float"),
    validate("1e308", plan_with(lambda d: d["baseline_emissions"].update(energy=1e308)), 1,
             "baseline_emissions.energy", "beyond ±1e+12 t"),
    validate("top-level-array", b"[1, 2]", 1, "(document)", "object"),
    validate("binary-garbage", bytes(range(256)), 1, "NUL bytes"),
    # --- plan files: accepted today, refused now
    validate("duplicate-key", DUP_KEY_PLAN, 1, "municipality: key given twice (727, then 751)"),
    validate("duplicate-nested-key", NESTED_DUP, 1, "targets[0].target_year: key given twice"),
    validate("two-targets-same-year", plan_with(dup_target), 1, "targets[6]",
             "a second target for 2030", "(first: targets[1])"),
    validate("two-sector-targets", plan_with(dup_sector_target), 1, "sector transport"),
    validate("two-net-zero", plan_with(lambda d: d["targets"].append(d["targets"][4])), 1,
             "net zero (first: targets[4])"),
    validate("empty-baseline", plan(baseline_emissions={}), 1, "baseline_emissions is empty"),
    validate("demo-empty-baseline", plan(baseline_emissions={}), 1, "baseline_emissions is empty",
             cmd="demo"),
    validate("fractional-year", plan(baseline_year=2019.5), 1, "baseline_year",
             "fractional part"),
    validate("fractional-municipality", plan(municipality=727.5), 1,
             "municipality 727.5 is not a municipality code"),
    validate("bool-municipality", plan(municipality=True), 1, "municipality True"),
    validate("unknown-municipality", plan(municipality=999), 1, "unknown municipality 999"),
    validate("region-as-municipality", plan(municipality=1081), 1, "unknown municipality 1081"),
    validate("text-municipality", plan(municipality="Atlantis"), 1, "unknown municipality"),
    validate("absurd-target-year", plan_with(lambda d: d["targets"][0].update(target_year=20300)),
             1, "targets[0].target_year", "outside 1990–2100"),
    validate("absurd-population-year", plan(population={"0": 23000}), 1, "population.0",
             "outside 1990–2100"),
    validate("fractional-population-year", plan(population={"2019.5": 23000}), 1,
             "population.2019.5"),
    validate("negative-baseline", plan_with(lambda d: d["baseline_emissions"].update(energy=-5)),
             1, "baseline_emissions", "negative for ['energy']"),
    validate("duplicate-action-id", plan_with(dup_action), 1, "actions[6].id",
             "already used by actions[0]"),
    validate("duplicate-indicator-id", plan_with(dup_indicator), 1, "indicators[", "already used"),
    validate("unknown-indicator-link", plan_with(unknown_link), 1, "actions[0].indicators",
             "no-such-indicator"),
    validate("field-and-cross-field-together", plan_with(field_and_cross), 1, "3 problem(s)",
             "unknown municipality 999", "actions[6].id", "targets[6]"),
    validate("several-cross-field", plan_with(three_cross), 1, "4 problem(s)", "actions[6].id",
             "targets[6]", "actions[0].indicators", "actions[6].indicators"),
    validate("gwp-mismatch", plan_with(lambda d: d["inventory"].update(gwp_metric="AR6GWP100")),
             1, "inventory.gwp_metric", "differs"),
    validate("bau-before-baseline", plan_with(early_bau), 1, "bau.emissions", "[2000]"),
    validate("target-before-base", plan_with(lambda d: d["targets"][0].update(base_year=2030)),
             1, "targets[0]", "must be after base_year"),
    validate("unknown-field", plan(colour="green"), 1, "colour", "Extra inputs"),
    validate("check-dup-key", DUP_KEY_PLAN, 1, "key given twice", cmd="check"),
    validate("demo-latin1", LATIN1_PLAN, 1, "not UTF-8", cmd="demo"),
    FileCase("validate-missing-file", ("validate", "{d}/nope.json"), {}, 2, ("cannot read",
             "nope.json")),
    FileCase("validate-directory", ("validate", "{d}"), {}, 2, ("cannot read",)),
    FileCase("check-previous-missing", ("check", "{d}/plan.json", "--previous", "{d}/old.json"),
             {"plan.json": plan()}, 2, ("old.json",)),
    FileCase("unknown-command", ("frobnicate",), {}, 2, ()),
    FileCase("unknown-option", ("validate", "--frob", "x.json"), {}, 2, ()),
    FileCase("schema-unknown-model", ("schema", "Nope"), {}, 2, ("Nope",)),
    # --- activity CSV: layout and encoding
    inventory("empty", b"", 1, "activity.csv, line 1", "the file is empty"),
    inventory("blank-lines", b"\n\n  \n", 1, "the file is empty"),
    inventory("header-only", csv(), 1, "line 1", "header", "no data rows"),
    inventory("latin1-aeoe", (HEADER + ",note\n" + GOOD_ROW + ",Ærø\n").encode("latin-1"), 1,
              "activity.csv, line 2", "not UTF-8", "Latin-1"),
    inventory("utf16", csv(GOOD_ROW).decode().encode("utf-16"), 1, "UTF-16"),
    inventory("ragged-long", csv(GOOD_ROW, GOOD_ROW + ",extra"), 1, "line 3: 7 fields",
              "header (line 1) has 6"),
    inventory("ragged-short", csv("727,2019,I.1.1,natural_gas,100"), 1, "line 2: 5 fields"),
    inventory("ragged-several", csv("727,2019", GOOD_ROW, "1,2,3,4,5,6,7,8"), 1, "line 2",
              "line 4", "2 problem(s)"),
    inventory("duplicate-column", csv(GOOD_ROW + ",GJ", header=HEADER + ",unit"), 1,
              "['unit'] appear twice"),
    inventory("blank-column-name", csv(GOOD_ROW + ",x", header=HEADER + ","), 1, "have no name"),
    inventory("stray-quote", csv('727,2019,I.1.1,"natural"_gas,100,GJ'), 1,
              "not a readable table"),
    inventory("semicolon-ambiguous-point", csv("727,2019,I.1.1,natural_gas,1.500,GJ", sep=";"),
              1, "line 2", "ambiguous", "1,5"),
    inventory("missing-column", csv("727,2019,I.1.1,natural_gas,100",
                                    header="municipality,year,category,fuel,value"), 1,
              "lacks columns ['unit']"),
    inventory("missing-columns", csv("727,2019,I.1.1", header="municipality,year,category"), 1,
              "lacks columns ['fuel', 'value', 'unit']"),
    # --- activity CSV: cells
    inventory("empty-value", csv("727,2019,I.1.1,natural_gas,,GJ"), 1, "line 2",
              "value is empty", "notation key"),
    inventory("empty-category", csv("727,2019,,natural_gas,100,GJ"), 1,
              "line 2: column 'category' is empty"),
    inventory("empty-unit", csv("727,2019,I.1.1,natural_gas,100,"), 1,
              "line 2: column 'unit' is empty"),
    inventory("empty-municipality", csv(",2019,I.1.1,natural_gas,100,GJ"), 1,
              "line 2: column 'municipality' is empty"),
    inventory("1e400", csv("727,2019,I.1.1,natural_gas,1e400,GJ"), 1, "line 2",
              "beyond the range of a float"),
    inventory("1e308", csv("727,2019,I.1.1,natural_gas,1e308,GJ"), 1, "line 2",
              "beyond ±1e+20"),
    inventory("nan-text", csv("727,2019,I.1.1,natural_gas,nan,GJ"), 1, "line 2",
              "'nan' is not a number"),
    inventory("inf-text", csv("727,2019,I.1.1,natural_gas,inf,GJ"), 1, "'inf' is not a number"),
    inventory("text-value", csv("727,2019,I.1.1,natural_gas,lots,GJ"), 1, "'lots'"),
    inventory("thousands-comma", csv('727,2019,I.1.1,natural_gas,"1,500",GJ'), 1, "'1,500'"),
    inventory("fractional-year", csv("727,2019.5,I.1.1,natural_gas,100,GJ"), 1,
              "line 2: year '2019.5' is not a whole number"),
    inventory("fractional-municipality", csv("727.5,2019,I.1.1,natural_gas,100,GJ"), 1,
              "line 2: municipality '727.5' is not a whole number"),
    inventory("text-year", csv("727,twenty,I.1.1,natural_gas,100,GJ"), 1, "'twenty'"),
    inventory("municipality-999", csv("999,2019,I.1.1,natural_gas,100,GJ"), 1, "[999]",
              "not among the Danish 98 municipality codes", "activity.csv, line 2"),
    inventory("region-code-as-municipality", csv("1081,2019,I.1.1,natural_gas,100,GJ"), 1,
              "[1081]"),
    inventory("absurd-year", csv("727,19,I.1.1,natural_gas,100,GJ"), 1, "[19]",
              "outside 1900–2100"),
    inventory("future-year", csv("727,20190,I.1.1,natural_gas,100,GJ"), 1, "[20190]"),
    inventory("negative-activity", csv("727,2019,I.1.1,natural_gas,-100,GJ"), 1,
              "activity.csv, line 2", "negative"),
    inventory("unit-mWh", csv("727,2019,I.1.1,natural_gas,100000,mWh"), 1, "'mWh'",
              "milliwatt_hour", "'MWh'"),
    inventory("unit-pJ", csv("727,2019,I.1.1,natural_gas,2,pJ"), 1, "picojoule", "'PJ'"),
    inventory("unit-mwh", csv("727,2019,I.1.1,natural_gas,2,mwh"), 1, "could be MWh or mWh"),
    inventory("unit-typo", csv("727,2019,I.1.1,natural_gas,2,GJJ"), 1, "unknown unit 'GJJ'"),
    inventory("unit-mixed-dimension", csv(GOOD_ROW, "727,2019,I.1.2,natural_gas,2,kg"), 1,
              "natural_gas", "'kg'", "'GJ'"),
    inventory("unit-wrong-for-factor", csv("727,2019,I.1.1,natural_gas,2,L"), 1, "natural_gas"),
    inventory("unknown-category", csv("727,2019,I.9.9,natural_gas,2,GJ"), 1, "I.9.9"),
    inventory("unknown-fuel", csv("727,2019,I.1.1,unobtainium,2,GJ"), 1, "unobtainium"),
    inventory("duplicate-rows", csv(GOOD_ROW, GOOD_ROW), 1, "duplicate"),
    inventory("unnamed-index-column", csv("0," + GOOD_ROW, header="Unnamed: 0," + HEADER), 1,
              "['Unnamed: 0']", "index=False"),
    inventory("nan-unit-label-one-round",
              csv("727,2019,I.1.1,natural_gas,,GJ", "727,2019,I.1.2,diesel,5,GJJ",
                  "727,2019,X.9,wood,5,GJ"), 1,
              "line 2", "value is empty", "'GJJ'", "X.9", "3 problem(s)"),
    inventory("all-problems-one-round",
              csv("999,2019,I.1.1,natural_gas,-1,GJ", "727,1800,I.1.2,diesel,5,mWh"), 1,
              "[999]", "negative", "[1800]", "'mWh'"),
    inventory("electricity-without-grid-factors", ELECTRICITY, 1, "--grid-factors"),
    FileCase("inventory-missing-file", ("inventory", "{d}/nope.csv"), {}, 2, ("cannot read",)),
    # --- --out and optional extras
    inventory("out-missing-dir", csv(GOOD_ROW), 2, "nodir", "does not exist",
              extra=("--out", "{d}/nodir/x.csv")),
    inventory("out-read-only-dir", csv(GOOD_ROW), 2, "not writable",
              extra=("--out", "{d}/ro/x.nc"), setup=read_only_dir, skip_if_root=True),
    inventory("out-unwritable-proc", csv(GOOD_ROW), 2, "cannot write",
              extra=("--out", "/proc/klimacore-test.csv")),
    inventory("out-is-directory", csv(GOOD_ROW), 2, "is a directory",
              extra=("--out", "{d}/out.csv"), setup=a_dir),
    inventory("out-bad-suffix", csv(GOOD_ROW), 2, "use a .nc or .csv",
              extra=("--out", "{d}/x.xlsx")),
    inventory("out-nc-without-h5netcdf", csv(GOOD_ROW), 2, "pip install 'klimacore[netcdf]'",
              extra=("--out", "{d}/x.nc"), setup=no_h5netcdf),
    # --- grid factors
    inventory("grid-empty", ELECTRICITY, 1, "grid.csv", "empty",
              extra=("--grid-factors", "{d}/grid.csv"), files={"grid.csv": b""}),
    inventory("grid-negative", ELECTRICITY, 1, "never negative", "electricity",
              extra=("--grid-factors", "{d}/grid.csv"),
              files={"grid.csv": csv("electricity,DK,2019,national_location,-110,g/kWh",
                                     header=GRID_HEADER)}),
    inventory("grid-ragged", ELECTRICITY, 1, "grid.csv", "line 2",
              extra=("--grid-factors", "{d}/grid.csv"),
              files={"grid.csv": csv("electricity,DK,2019", header=GRID_HEADER)}),
    inventory("grid-latin1", ELECTRICITY, 1, "grid.csv", "not UTF-8",
              extra=("--grid-factors", "{d}/grid.csv"),
              files={"grid.csv": csv("electricity,Ærø,2019,national_location,110,g/kWh",
                                     header=GRID_HEADER).decode().encode("latin-1")}),
    inventory("grid-missing", ELECTRICITY, 2, "cannot read",
              extra=("--grid-factors", "{d}/nope.csv")),
    inventory("grid-unknown-method", ELECTRICITY, 2, "--scope2-method nope",
              extra=("--grid-factors", "{d}/grid.csv", "--scope2-method", "nope"),
              files={"grid.csv": csv("electricity,DK,2019,national_location,110,g/kWh",
                                     header=GRID_HEADER)}),
]


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_file_case(case: FileCase, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> None:
    if case.skip_if_root and hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root may write into a read-only directory")
    for name, content in case.files.items():
        (tmp_path / name).write_bytes(content)
    if case.setup is not None:
        case.setup(tmp_path, monkeypatch)
    argv = [a.replace("{d}", str(tmp_path)) for a in case.argv]
    code = main(argv)
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == case.code, text
    assert "Traceback" not in text and "internal error" not in text
    for fragment in case.fragments:
        assert fragment in text, (fragment, text)
    if case.code and case.id.startswith("inventory-out"):
        assert [p.name for p in tmp_path.rglob("*.part")] == []  # no temporary file left over


# --- frames and arrays through the API -----------------------------------------------------------


def act(**changes: Any) -> pd.DataFrame:
    base: dict[str, Any] = {"municipality": [727, 727], "year": [2019, 2019],
                            "category": ["I.1.1", "II.1.1"], "fuel": ["natural_gas", "diesel"],
                            "value": [100.0, 50.0], "unit": ["GJ", "GJ"]}
    base.update(changes)
    return pd.DataFrame(base)


def direct(**changes: Any) -> pd.DataFrame:
    base: dict[str, Any] = {"municipality": [727], "year": [2019], "category": ["III.1.2"],
                            "gas": ["CH4"], "value": [60.0], "unit": ["t"]}
    base.update(changes)
    return pd.DataFrame(base)


def factors(**changes: Any) -> pd.DataFrame:
    base: dict[str, Any] = {"fuel": ["natural_gas", "natural_gas"], "gas": ["CO2", "CH4"],
                            "value": [56.69, 5.0], "unit": ["kg/GJ", "g/GJ"]}
    base.update(changes)
    return pd.DataFrame(base)


def grid(**changes: Any) -> pd.DataFrame:
    base: dict[str, Any] = {"carrier": ["electricity"], "area": ["DK"], "year": [2019],
                            "method": ["national_location"], "value": [110.0],
                            "unit": ["g/kWh"]}
    base.update(changes)
    return pd.DataFrame(base)


def act_da(values: Any = (100.0, 50.0), fuels: Any = ("natural_gas", "diesel")) -> xr.DataArray:
    return xr.DataArray(np.asarray([values], dtype=float), dims=("category", "fuel"),
                        coords={"category": ["I.1.1"], "fuel": list(fuels)},
                        attrs={"units": "GJ"})


def without_attrs(da: xr.DataArray) -> xr.DataArray:
    out = da.copy()
    out.attrs = {}  # DataArray.drop_attrs is newer than the xarray floor
    return out


def inv(activity: Any, **kw: Any) -> Any:
    return kt.inventory(activity, kt.default_emission_factors(), **kw)


def spending(values: Any = (1000.0, 500.0), codes: Any = ("01", "07"), **attrs: Any
             ) -> xr.DataArray:
    return xr.DataArray([list(values)], dims=("municipality", "coicop"),
                        coords={"municipality": [727], "coicop": list(codes)},
                        attrs={"units": "DKK", "price_year": 2019, "price_basis": "basic",
                               **attrs})


INTENSITIES = xr.DataArray([0.1, 0.2], coords={"coicop": ["01", "07"]}, dims="coicop",
                           attrs={"units": "kg/DKK", "year": 2019, "price_basis": "basic",
                                  "gwp_metric": "AR5GWP100"})


def footprint(spend: Any, **kw: Any) -> Any:
    return consumption.spend_footprint(spend, INTENSITIES, unit="kg", **kw)


def spend_frame(**changes: Any) -> pd.DataFrame:
    base: dict[str, Any] = {"municipality": [727, 727], "coicop": ["01", "07"],
                            "value": [1000.0, 500.0]}
    base.update(changes)
    frame = pd.DataFrame(base)
    frame.attrs = {"units": "DKK", "price_year": 2019, "price_basis": "basic"}
    return frame


def indexed_clash() -> pd.DataFrame:
    frame = act()
    return frame.set_index("municipality", drop=False)


def big_int_var() -> xr.DataArray:
    return xr.DataArray(np.array([2**60 + 1], dtype=np.int64), dims="year",
                        coords={"year": [2019]})


def truncated_tidy_csv(tmp: Path) -> Path:
    da = xr.DataArray([1.0, 2.0, 3.0], dims="year", coords={"year": [2019, 2020, 2021]})
    path = io.write_csv(da, tmp / "x.csv")
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(text[:-1]), encoding="utf-8")  # a write cut short
    return path


def write_file(content: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / "in.csv"
        path.write_bytes(content)
        return path
    return make


@dataclass(frozen=True)
class FrameCase:
    """``call(tmp_path)`` must raise ``exc`` with every fragment in its message."""

    id: str
    call: Callable[[Path], object]
    exc: type[BaseException]
    fragments: tuple[str, ...] = field(default=())


def fc(id: str, call: Callable[[], object], exc: type[BaseException], *fragments: str
       ) -> FrameCase:
    return FrameCase(id, lambda _: call(), exc, fragments)


FRAME_CASES: list[FrameCase] = [
    # activity frames: values
    fc("act-nan", lambda: inv(act(value=[1.0, np.nan])), ValidationError, "row 1",
       "value is empty"),
    fc("act-text", lambda: inv(act(value=["1", "lots"])), ValidationError, "row 1", "'lots'"),
    fc("act-inf", lambda: inv(act(value=[1.0, np.inf])), ValidationError, "row 1", "infinite"),
    fc("act-1e308", lambda: inv(act(value=[1.0, 1e308])), ValidationError, "row 1", "1e+20"),
    fc("act-negative", lambda: inv(act(value=[-1.0, 5.0])), ValidationError, "row 0",
       "negative"),
    fc("act-negative-array", lambda: kt.activity_array(act(value=[-1.0, 5.0])), ValidationError,
       "negative"),
    fc("act-negative-index-label", lambda: inv(act(value=[1.0, -5.0]).set_axis(["a", "b"])),
       ValidationError, "row 'b'"),
    # activity frames: units
    fc("act-mWh", lambda: inv(act(unit=["mWh", "GJ"])), UnitError, "milliwatt_hour", "'MWh'"),
    fc("act-pJ", lambda: inv(act(unit=["pJ", "GJ"])), UnitError, "picojoule"),
    fc("act-uWh", lambda: inv(act(unit=["uWh", "GJ"])), UnitError, "microwatt_hour"),
    fc("act-unit-typo", lambda: inv(act(unit=["GJ", "GJJ"])), UnitError, "unknown unit 'GJJ'"),
    fc("act-unit-dimension", lambda: inv(act(unit=["L", "kg"])), UnitError, "natural_gas"),
    # activity frames: labels
    fc("act-fractional-year", lambda: inv(act(year=[2019.5, 2019.5])), DataError,
       "year 2019.5 is not a whole number"),
    fc("act-fractional-municipality", lambda: inv(act(municipality=[727.5, 727])), DataError,
       "727.5"),
    fc("act-municipality-999", lambda: inv(act(municipality=[999, 727])), DataError, "[999]"),
    fc("act-region-unknown", lambda: inv(act(region=[1081, 9999]).drop(columns="municipality")),
       DataError, "[9999]", "region"),
    fc("act-absurd-year", lambda: inv(act(year=[20190, 2019])), DataError, "[20190]"),
    fc("act-bool-year", lambda: inv(act(year=[True, True])), DataError, "booleans"),
    fc("act-unknown-category", lambda: inv(act(category=["I.9.9", "II.1.1"])), MissingLabelError,
       "I.9.9"),
    fc("act-unknown-fuel", lambda: inv(act(fuel=["peat_x", "diesel"])), MissingLabelError,
       "peat_x"),
    fc("act-duplicate-rows", lambda: inv(pd.concat([act(), act()])), DataError, "duplicate"),
    fc("act-missing-columns", lambda: inv(act().drop(columns=["unit"])), DataError,
       "lacks columns ['unit']"),
    fc("act-nan-unit-label-one-round",
       lambda: inv(act(value=[np.nan, 5.0], unit=["GJ", "GJJ"], category=["I.1.1", "X.9"])),
       ValidationError, "value is empty", "'GJJ'", "X.9"),
    fc("act-nan-unit-category-fuel-one-round",
       lambda: inv(act(value=[np.nan, 5.0], unit=["GJ", "GJJ"], category=["I.1.1", "X.9"],
                       fuel=["natural_gas", "unobtainium"])),
       ValidationError, "value is empty", "'GJJ'", "X.9", "'unobtainium'"),
    fc("act-nan-negative-code-one-round",
       lambda: inv(act(value=[np.nan, -5.0], municipality=[727, 999])), ValidationError,
       "value is empty", "negative", "[999]"),
    # activity frames: index and columns
    fc("act-index-level-clash", lambda: inv(indexed_clash()), DataError, "also columns"),
    fc("act-index-mixed-names",
       lambda: inv(act().set_index(["municipality", pd.Index([0, 1])])), DataError,
       "unnamed ones"),
    fc("act-unnamed-column", lambda: inv(act().assign(**{"Unnamed: 0": [0, 1]})), DataError,
       "['Unnamed: 0']"),
    # activity arrays
    fc("act-da-duplicate-fuel", lambda: inv(act_da(fuels=("diesel", "diesel"))),
       ValidationError, "fuel labels repeat", "diesel"),
    fc("act-ds-duplicate-municipality",
       lambda: inv(xr.Dataset({"diesel": ("municipality", [1.0, 2.0], {"units": "GJ"})},
                              coords={"municipality": [727, 727]})
                   .expand_dims(category=["II.1.1"])),
       ValidationError, "municipality labels repeat", "727"),
    fc("act-da-nan", lambda: inv(act_da(values=(np.nan, 1.0))), ValidationError, "NaN"),
    fc("act-da-inf", lambda: inv(act_da(values=(np.inf, 1.0))), ValidationError, "infinite"),
    fc("act-da-negative", lambda: inv(act_da(values=(-1.0, 1.0))), ValidationError, "negative"),
    fc("act-da-no-unit", lambda: inv(without_attrs(act_da())), UnitError,
       "no unit"),
    # direct emissions
    fc("direct-negative-waste", lambda: inv(None, direct=direct(value=[-60.0])), ValidationError,
       "negative", "V.2"),
    fc("direct-mt", lambda: inv(None, direct=direct(unit=["mt"])), UnitError, "millitonne",
       "'Mt'"),
    fc("direct-mt-co2e", lambda: inv(None, direct=direct(unit=["mt CO2e"], gas=["CO2e"])),
       UnitError, "millitonne"),
    fc("direct-nan", lambda: inv(None, direct=direct(value=[np.nan])), ValidationError,
       "value is empty"),
    fc("direct-da-duplicate-gas",
       lambda: inv(None, direct=xr.DataArray([[1.0, 2.0]], dims=("category", "gas"),
                                             coords={"category": ["V.1"], "gas": ["CH4", "CH4"]},
                                             attrs={"units": "t"})),
       ValidationError, "gas labels repeat"),
    fc("direct-da-nan",
       lambda: inv(None, direct=xr.DataArray([[np.nan]], dims=("category", "gas"),
                                             coords={"category": ["V.1"], "gas": ["CH4"]},
                                             attrs={"units": "t"})),
       ValidationError, "NaN"),
    # emission factors
    fc("factor-negative", lambda: kt.emission_factors(factors(value=[-56.69, 5.0])),
       ValidationError, "negative emission factors", "natural_gas"),
    fc("factor-inf", lambda: kt.emission_factors(factors(value=[np.inf, 5.0])), DataError,
       "infinite"),
    fc("factor-nan", lambda: kt.emission_factors(factors(value=[np.nan, 5.0])), DataError,
       "missing"),
    fc("factor-mt", lambda: kt.emission_factors(factors(unit=["mt/GJ", "g/GJ"])), UnitError,
       "millitonne"),
    fc("factor-per-mWh", lambda: kt.emission_factors(factors(unit=["kg/mWh", "g/GJ"])),
       UnitError, "milliwatt_hour"),
    fc("factor-da-duplicate-fuel",
       lambda: kt.emission_factors(xr.DataArray(
           [[1.0], [2.0]], dims=("fuel", "gas"),
           coords={"fuel": ["coal", "coal"], "gas": ["CO2"]}, attrs={"units": "kg/GJ"})),
       ValidationError, "fuel labels repeat"),
    fc("factor-da-negative",
       lambda: kt.emission_factors(xr.DataArray(
           [[-1.0]], dims=("fuel", "gas"), coords={"fuel": ["coal"], "gas": ["CO2"]},
           attrs={"units": "kg/GJ"})), ValidationError, "negative"),
    # grid factors
    fc("grid-negative", lambda: kt.grid_factor_set(grid(value=[-110.0]), carrier="electricity",
                                                    method="national_location"),
       ValidationError, "never negative", "area DK year 2019"),
    fc("grid-inf", lambda: kt.grid_factor_set(grid(value=[np.inf]), carrier="electricity",
                                               method="national_location"),
       ValidationError, "finite"),
    fc("grid-fractional-year", lambda: kt.grid_factor_set(grid(year=[2019.5]),
                                                          carrier="electricity",
                                                          method="national_location"),
       ValidationError, "2019.5", "whole number"),
    fc("grid-per-mWh", lambda: kt.grid_factor_set(grid(unit=["g/mWh"]), carrier="electricity",
                                                   method="national_location"),
       UnitError, "milliwatt_hour"),
    # consumption
    fc("vat-percent", lambda: footprint(spending(price_basis="purchaser"), vat=25),
       ValidationError, "VAT rate", "0.25, not 25"),
    fc("vat-percent-mapping", lambda: footprint(spending(price_basis="purchaser"),
                                                vat={"01": 25, "*": 0.25}),
       ValidationError, "VAT rate of 01 is 25"),
    fc("vat-nan", lambda: footprint(spending(price_basis="purchaser"), vat=float("nan")),
       ValidationError, "VAT rate"),
    fc("spending-inf", lambda: footprint(spending(values=(np.inf, 1.0))), ValidationError,
       "infinite"),
    fc("spending-frame-inf", lambda: footprint(spend_frame(value=[np.inf, 1.0])),
       ValidationError, "infinite"),
    fc("spending-negative", lambda: footprint(spending(values=(-1.0, 1.0))), ValidationError,
       "negative spending"),
    fc("spending-fractional-municipality",
       lambda: footprint(spend_frame(municipality=[727.5, 727])), DataError, "whole numbers"),
    fc("spending-index-clash",
       lambda: footprint(spend_frame().set_index("municipality", drop=False)), DataError,
       "also columns"),
    fc("spending-duplicate-coicop", lambda: footprint(spending(codes=("01", "01"))), DataError,
       "duplicate coicop"),
    # units
    fc("unit-mWh", lambda: conversion_factor("mWh", "GJ"), UnitError, "milliwatt_hour"),
    fc("unit-pJ", lambda: conversion_factor("pJ", "TJ"), UnitError, "picojoule"),
    fc("unit-mt-co2e", lambda: conversion_factor("mt", "t"), UnitError, "millitonne"),
    fc("unit-mtoe", lambda: conversion_factor("mtoe", "GJ"), UnitError, "'Mtoe'"),
    fc("unit-unknown", lambda: conversion_factor("fluxx", "GJ"), UnitError, "unknown unit"),
    fc("unit-negative-scale", lambda: conversion_factor("0 t", "t"), UnitError, "unknown unit"),
    # models (Python API: klimacore's error contract, a ValueError)
    fc("target-fractional-year", lambda: Target(kind="net_zero", target_year=2050.5),
       ValidationError, "target_year: Input should be a valid integer, got a number with a "
       "fractional part"),
    fc("target-absurd-year", lambda: Target(kind="net_zero", target_year=3050),
       ValidationError, "target_year: year 3050 is outside 1990–2100"),
    fc("plan-empty-baseline",
       lambda: ClimateActionPlan.model_validate({**PLAN, "baseline_emissions": {}}),
       ValidationError, "baseline_emissions is empty: give the baseline inventory"),
    fc("plan-duplicate-targets",
       lambda: ClimateActionPlan.model_validate_json(plan_with(dup_target)),
       ValidationError, "targets[6]: a second target"),
    # io
    fc("io-big-int-csv", lambda: io.to_frame(big_int_var()), DataError, "2^53"),
    fc("io-datetime-variable-csv",
       lambda: io.to_frame(xr.DataArray(np.array(["2019-01-01"], dtype="datetime64[ns]"),
                                         dims="x")), DataError, "datetime64"),
    FrameCase("io-truncated-tidy-csv", lambda tmp: io.read_csv(truncated_tidy_csv(tmp)),
              DataError, ("1 cells missing",)),
    FrameCase("io-read-activity-latin1",
              lambda tmp: io.read_activity_csv(write_file(
                  (HEADER + "\n727,2019,I.1.1,træ,1,GJ\n").encode("latin-1"))(tmp)),
              InputFileError, ("line 2", "not UTF-8")),
    FrameCase("io-read-activity-ragged",
              lambda tmp: io.read_activity_csv(write_file(csv("727,2019"))(tmp)),
              InputFileError, ("line 2: 2 fields",)),
    FrameCase("io-read-csv-missing", lambda tmp: io.read_csv(tmp / "nope.csv"), OSError, ()),
    FrameCase("io-netcdf-missing-dir",
              lambda tmp: io.to_netcdf(xr.DataArray([1.0], dims="x"), tmp / "no" / "x.nc"),
              OSError, ()),
    FrameCase("io-csv-missing-dir",
              lambda tmp: io.write_csv(xr.DataArray([1.0], dims="x"), tmp / "no" / "x.csv"),
              OSError, ()),
]


@pytest.mark.parametrize("case", FRAME_CASES, ids=[c.id for c in FRAME_CASES])
def test_frame_case(case: FrameCase, tmp_path: Path) -> None:
    with pytest.raises(case.exc) as err:
        case.call(tmp_path)
    if isinstance(err.value, KlimacoreError):
        assert isinstance(err.value, ValueError | KeyError)
    text = str(err.value)
    for fragment in case.fragments:
        assert fragment in text, (fragment, text)


def test_netcdf_without_the_extra_names_the_install_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h5netcdf", None)
    with pytest.raises(ImportError, match=r"klimacore\[netcdf\]"):
        io.to_netcdf(xr.DataArray([1.0], dims="x"), tmp_path / "x.nc")


def test_corpus_is_large_enough() -> None:
    assert len(FILE_CASES) + len(FRAME_CASES) >= 120
    ids = [c.id for c in FILE_CASES] + [c.id for c in FRAME_CASES]
    assert len(set(ids)) == len(ids)


# --- near misses that must keep working ----------------------------------------------------------

ACCEPTED: list[tuple[str, Callable[[Path], object]]] = [
    ("unit-1000-t", lambda _: conversion_factor("1000 t", "t") == 1000.0),
    ("unit-mio-ton", lambda _: conversion_factor("mio. ton", "t") == 1e6),
    ("unit-Mt", lambda _: conversion_factor("Mt", "t") == 1e6),
    ("unit-tonnes", lambda _: conversion_factor("tonnes", "kg") == 1000.0),
    ("unit-kwh", lambda _: conversion_factor("kwh", "MWh") == 0.001),
    ("unit-spelt-out-milli", lambda _: conversion_factor("milliwatt_hour", "Wh") == 0.001),
    ("unit-mg-is-milligram", lambda _: conversion_factor("mg", "g") == 0.001),
    ("unit-t-co2e", lambda _: conversion_factor("t CO2e", "t") == conversion_factor(
        "ktCO2-eq", "kt") == 1.0),
    ("direct-in-t-co2e", lambda _: float(inv(None, direct=direct(
        gas=["CO2e"], unit=["t CO2e"]))["co2e"].sum()) == 60.0),
    ("unit-leading-one-is-a-unit", lambda _: conversion_factor("1/h", "1/s") == 1 / 3600),
    ("direct-removal-in-lulucf",
     lambda _: float(inv(None, direct=direct(category=["V.2"], gas=["CO2"],
                                             value=[-500.0]))["emissions"].sum()) == -500.0),
    ("comments-column", lambda _: inv(act().assign(comments=["a", "b"])).sizes.get("comments")
     is None),
    ("index-levels-are-data",
     lambda _: inv(act(municipality=[727, 101], category=["I.1.1", "I.1.1"],
                       fuel=["natural_gas", "natural_gas"]).set_index(["municipality", "year"])
                   ).sizes["municipality"] == 2),
    ("vat-fraction", lambda _: float(footprint(spending(price_basis="purchaser"), vat=0.25,
                                               margin_intensity=0.0)["total"][0]) > 0),
    ("spending-index-levels",
     lambda _: footprint(spend_frame().set_index(["municipality", "coicop"])).sizes[
         "municipality"] == 1),
]


@pytest.mark.parametrize("name,check", ACCEPTED, ids=[n for n, _ in ACCEPTED])
def test_accepted(name: str, check: Callable[[Path], object], tmp_path: Path) -> None:
    assert check(tmp_path)


def test_bom_and_semicolon_csv_read_like_the_plain_file(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_bytes(csv("727,2019,I.1.1,natural_gas,100.5,GJ"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    semi = tmp_path / "semi.csv"
    semi.write_bytes((HEADER.replace(",", ";") + "\n727;2019;I.1.1;natural_gas;100,5;GJ\n"
                      ).encode("utf-8"))
    frames = [io.read_activity_csv(p) for p in (plain, bom, semi)]
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frame, frames[0], check_flags=False)
    outputs = []
    for p in (plain, bom, semi):
        assert main(["inventory", str(p)]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    (tmp_path / "plan.json").write_bytes(b"\xef\xbb\xbf" + plan())
    assert main(["validate", str(tmp_path / "plan.json")]) == 0


def test_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    """Through the installed entry point, as a user runs it: a message and exit 1, no traceback."""
    import subprocess

    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + ",note\n" + GOOD_ROW + ",Ærø\n").encode("latin-1"))
    plan_file = tmp_path / "plan.json"
    plan_file.write_bytes(DUP_KEY_PLAN)
    for argv, code, fragment in ((["inventory", str(bad)], 1, "not UTF-8"),
                                 (["validate", str(plan_file)], 1, "key given twice"),
                                 (["inventory", str(bad), "--out", str(tmp_path / "no" / "x.nc")],
                                  2, "does not exist")):
        run = subprocess.run([sys.executable, "-m", "klimacore.cli", *argv],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == code, run.stderr
        assert "Traceback" not in run.stderr and fragment in run.stdout + run.stderr
