"""Bundled reference data: tables, copies, datapackage metadata."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from klimacore import _data, reference
from klimacore.errors import MissingLabelError


def test_municipalities_done_when() -> None:
    m = reference.municipalities()
    assert len(m) == 98
    assert m["code"].is_unique
    counts = m.groupby("region_name").size().to_dict()
    assert counts == {"Region Hovedstaden": 29, "Region Sjælland": 17, "Region Syddanmark": 22,
                      "Region Midtjylland": 19, "Region Nordjylland": 11}
    assert set(m["region_code"]) == set(reference.regions()["region_code"])
    assert 411 not in set(m["code"])  # Christiansø is not a municipality
    named = m.set_index("code")["name"]
    assert (named[101], named[751], named[851]) == ("København", "Aarhus", "Aalborg")
    assert m["code"].between(101, 860).all()


def test_tables_are_copies() -> None:
    a = reference.municipalities()
    a.loc[0, "name"] = "changed"
    assert reference.municipalities().loc[0, "name"] == "København"


@pytest.mark.parametrize(
    ("value", "code"),
    [(101, 101), ("101", 101), ("0101", 101), ("København", 101), ("københavns kommune", 101),
     ("Nordfyn", 480), ("Nordfyns", 480), ("Vesthimmerland", 820), ("Vesthimmerlands Kommune", 820),
     ("Århus", 751)],
)
def test_municipality_code_variants(value: int | str, code: int) -> None:
    assert reference.municipality_code(value) == code


@pytest.mark.parametrize("value", [411, "0411", 999, "Atlantis", ""])
def test_unknown_municipality_is_named(value: int | str) -> None:
    with pytest.raises(MissingLabelError) as info:
        reference.municipality_code(value)
    assert info.value.labels == (value,)


def test_gpc_totals_membership() -> None:
    g = reference.gpc_categories().set_index("ref")
    assert g.index.is_unique
    # I.4.4 energy generation supplied to the grid: territorial only
    assert g.loc["I.4.4", ["basic", "basic_plus", "territorial"]].tolist() == [False, False, True]
    # waste generated outside, treated inside: territorial, not BASIC
    for sub in ("III.1", "III.2", "III.3", "III.4"):
        assert g.loc[f"{sub}.3", ["basic", "territorial", "scope"]].tolist() == [False, True, 1]
        assert g.loc[f"{sub}.2", ["basic", "territorial", "scope"]].tolist() == [True, False, 3]
    # IPPU and AFOLU: BASIC+ and territorial
    for ref in ("IV.1", "IV.2", "V.1", "V.2", "V.3"):
        assert g.loc[ref, ["basic", "basic_plus", "territorial"]].tolist() == [False, True, True]
    # transmission losses / transboundary: BASIC+ only
    assert not g.loc["I.1.3", "basic"] and g.loc["I.1.3", "basic_plus"]
    assert "II.5.3" not in g.index
    # every BASIC row is in BASIC+ and the territorial total is exactly the scope-1 rows
    assert (~g["basic"] | g["basic_plus"]).all()
    assert (g["territorial"] == (g["scope"] == 1)).all()
    assert set(g["sector"]) == {"I", "II", "III", "IV", "V", "VI"}


def test_notation_keys() -> None:
    assert reference.notation_keys()["key"].tolist() == ["NO", "IE", "NE", "C"]


def test_every_bundled_file_is_described_with_a_source() -> None:
    described = {r["path"]: r for r in _data.datapackage()["resources"]}
    files = [n for n in _data.resource_names() if n != "datapackage.json"]
    assert set(files) == set(described), "files and datapackage.json resources differ"
    for path, resource in described.items():
        assert resource.get("title"), path
        assert "illustrative" in resource, f"{path}: say whether it is illustrative"
        if not resource["illustrative"]:
            rows_cite = False
            if path.endswith(".csv"):
                text = resources.files("klimacore.data").joinpath(path).read_text("utf-8")
                header = next(csv.reader(text.splitlines()))
                rows_cite = "source" in header
            assert resource.get("sources") or rows_cite, f"{path}: no source"
        assert resource.get("licenses"), f"{path}: no licence"


def test_csv_columns_match_schema() -> None:
    for resource in _data.datapackage()["resources"]:
        if resource["path"].endswith(".csv"):
            frame = reference.read_table(resource["path"])
            assert frame.columns.tolist() == [f["name"] for f in resource["schema"]["fields"]]


def test_rows_citing_sources_are_not_blank() -> None:
    for resource in _data.datapackage()["resources"]:
        if resource["path"].endswith(".csv") and not resource.get("illustrative"):
            frame = reference.read_table(resource["path"])
            if "source" in frame.columns:
                blank = frame["source"].isna() | (frame["source"].astype(str).str.strip() == "")
                assert not blank.any(), f"{resource['path']}: rows {list(frame.index[blank])}"
