"""Every bundled figure leads a user to its publisher: citation fields of tables and rows.

A non-illustrative resource cites each source with publisher, title, table (or page), year and a
link (or says why there is none); a non-illustrative row of a per-row-cited table has publisher,
document, table, source year and a link. Nothing cites a file outside the repository.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from klimacore import _data, reference

SRC = Path(__file__).resolve().parents[1] / "src" / "klimacore"

# per-row citation columns: (document column, illustrative-row test)
ROW_CITED = {
    "fuel_emission_factors.csv": "document",
    "grid_emission_factors.csv": "document",
    "gwp.csv": "document",
    "trajectory_references.csv": "report",
    "trajectory_global_totals.csv": "report",
}


def _resources() -> list[dict[str, object]]:
    return list(_data.datapackage()["resources"])


def test_nothing_cites_a_file_outside_the_repository() -> None:
    # FACTS.md is a working note of the project, not something users have
    texts = [(p.name, resources.files("klimacore.data").joinpath(p.name).read_text("utf-8"))
             for p in resources.files("klimacore.data").iterdir() if p.name.endswith((".csv", ".json"))]
    texts += [(str(p.relative_to(SRC)), p.read_text("utf-8")) for p in SRC.rglob("*.py")]
    offenders = [name for name, text in texts if "FACTS.md" in text]
    assert not offenders, offenders


@pytest.mark.parametrize("resource", _resources(), ids=lambda r: str(r["path"]))
def test_resource_sources_have_every_field(resource: dict[str, object]) -> None:
    assert isinstance(resource.get("illustrative"), bool), "say whether it is illustrative"
    if resource["illustrative"]:
        return
    sources = resource.get("sources")
    assert isinstance(sources, list) and sources, f"{resource['path']}: no sources"
    for source in sources:
        assert isinstance(source, dict)
        for field in ("title", "publisher", "year"):
            assert str(source.get(field, "")).strip(), f"{resource['path']}: {field} in {source}"
        assert str(source.get("table") or source.get("page") or "").strip(), source
        assert 1990 <= int(source["year"]) <= 2030
        link = str(source.get("path") or "")
        assert link.startswith("https://") or link.startswith("http://") or (
            len(str(source.get("no_link", ""))) > 20), f"{resource['path']}: no link in {source}"


@pytest.mark.parametrize(("path", "doc_col"), sorted(ROW_CITED.items()))
def test_every_row_has_publisher_document_table_year_and_link(path: str, doc_col: str) -> None:
    table = reference.read_table(path)
    for col in ("publisher", doc_col, "table", "source_year", "url"):
        assert col in table.columns, f"{path}: no {col} column"
    for col in ("publisher", doc_col, "table"):
        blank = table[col].isna() | (table[col].astype(str).str.strip() == "")
        assert not blank.any(), f"{path}: blank {col} in rows {list(table.index[blank])}"
    assert table["source_year"].between(1990, 2030).all()
    url = table["url"].fillna("").astype(str)
    linked = url.str.startswith(("https://", "http://"))
    said = table.get("note", pd.Series("", index=table.index)).fillna("").str.contains(
        "no public link")
    assert (linked | said).all(), f"{path}: rows without a link {list(table.index[~(linked | said)])}"


def test_unverified_rows_say_so_in_source_and_note() -> None:
    for path in ("fuel_emission_factors.csv", "grid_emission_factors.csv"):
        t = reference.read_table(path)
        flagged = t["source"].str.startswith("unverified")
        assert (t["verified"] == ~flagged).all(), path
        assert t.loc[flagged, "note"].str.contains("unverified").all(), path


def test_citations_that_were_wrong_are_fixed() -> None:
    fuel = reference.fuel_emission_factors()
    nir = fuel[fuel["table"].str.contains("3.26")]
    # NIR 2005 Table 3.26 is other (non-road) mobile sources: say so wherever it is cited
    assert not nir.empty and nir["note"].str.contains("non-road").all()
    gwp = reference.read_table("gwp.csv").set_index(["gas", "metric"])
    assert gwp.loc[("CH4", "AR6GWP100"), "table"] == "Table 7.SM.7"
    assert gwp.loc[("CH4_fossil", "AR6GWP100"), "table"] == "Table 7.15"
    table = reference.read_table("trajectory_references.csv")
    (eu2040,) = (row for _, row in table.iterrows()
                 if row["reference"] == "eu-climate-law" and row["year"] == 2040)
    refs = table.set_index(["reference", "year"]).sort_index()
    assert "2021/1119/oj" not in eu2040["url"] and "2040" in eu2040["report"]
    c40 = refs.loc["c40-deadline-2020"]
    assert set(c40["url"]) == {"https://www.c40.org/other/deadline_2020"}
    assert set(c40["report"]) == {"Deadline 2020: How cities will get the job done"}
    sbti = refs.loc["sbti-aca-1.5c"]
    assert not sbti["url"].str.rstrip("/").str.endswith(".org").any()  # not a homepage
    assert sbti.loc[[2035, 2040, 2050], "note"].str.contains("near-term").all()
    budgets = refs[refs.index.get_level_values(0).str.startswith("ar6-budget")]
    assert (budgets["table"] == "Table SPM.2").all()
    assert budgets["note"].str.contains("net global").all()
    (act2025,) = (row for _, row in table.iterrows()
                  if row["reference"] == "dk-climate-act" and row["year"] == 2025)
    assert act2025["verification"] == "verified"
    assert "L 31" in act2025["report"]


def test_grid_rows_carry_their_basis_and_the_unconfirmed_ones_are_examples() -> None:
    grid = reference.grid_emission_factors()
    assert not grid["method"].str.startswith("municipality_").any()
    co2_only = grid[grid["gas_basis"] == "CO2"]
    assert sorted(co2_only["year"]) == [2010, 2014, 2018]
    assert co2_only["note"].str.contains("CO2 only").all()
    hofor = grid.query("year == 2018").iloc[0]
    assert (hofor["value"], hofor["chp_allocation"], bool(hofor["grid_losses_included"])) == (
        244.0, "200%", True)
    described = {r["path"]: r for r in _resources()}
    example = described["grid_emission_factors_example.csv"]
    assert example["illustrative"] is True
    rows = reference.read_table("grid_emission_factors_example.csv")
    assert set(rows["area"]) == {"101", "851", "360", "741"}
    assert rows["note"].str.startswith("ILLUSTRATIVE").all()
    text = str(described["grid_emission_factors.csv"]["description"])
    assert "East and West" in text and "CSR" in text


def test_gpc_energy_industries_rows_describe_own_use() -> None:
    gpc = reference.gpc_categories().set_index("ref")["description"]
    for ref in ("I.4.1", "I.4.2", "I.4.3"):
        assert "auxiliary operations" in gpc[ref]
        assert "fuel combustion within the city boundary" not in gpc[ref]
    assert gpc["I.4.4"] == "Emissions from energy generation supplied to the grid"
