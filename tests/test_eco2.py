"""The Energi- og CO2-regnskab importer: API rows, reshaped files, mapping, traps of the data."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from klimacore.errors import DataError, KlimacoreWarning, ValidationError
from klimacore.io import aggregate_eco2_sectors, eco2_sector_map, read_energi_co2_regnskab

HERE = Path(__file__).resolve().parent
EXCERPT = HERE / "data" / "eco2_excerpt.csv"


def shared_data() -> Path:
    env = os.environ.get("KLIMACORE_SHARED_DATA")
    return Path(env) if env else HERE.parents[1] / "shared" / "data"


def eco2_dir() -> Path:
    path = shared_data() / "energi-co2-regnskab"
    if not (path / "kommuner_2018_2023.csv").exists():
        pytest.skip(f"shared data not found at {path} (set KLIMACORE_SHARED_DATA)")
    return path


def api_row(sektor: str, value: object, *, type_: str = "Samlet CO2-udledning",
            enhed: str = "Ton CO2e") -> dict[str, object]:
    return {"sektor": sektor, "type": type_, "enhed": enhed, "værdi": value}


API_ROWS = [
    api_row("Energi", 500.0), api_row("Transport", 300.0), api_row("Landbrug", 150.0),
    api_row("Affaldsdeponi", 20.0), api_row("Spildevand", 5.0),
    api_row("Kemiske processer", None),
    api_row("Samlet", 975.0), api_row("Samlet", 1200.0),
    api_row("Samlet", 4.1, enhed="Ton CO2e/indb."),
    api_row("Samlet", 81.0, type_="VE-el selvforsyningsgrad", enhed="%"),
    api_row("Samlet", 4000.0, type_="Samlet energiforbrug", enhed="TJ"),
]


def test_excerpt_csv_codes_zeros_totals() -> None:
    da = read_energi_co2_regnskab(EXCERPT)
    assert da.dims == ("municipality", "year", "sector")
    assert da["municipality"].to_numpy().tolist() == [751, 825]
    assert da["year"].dtype.kind == "i" and da["year"].to_numpy().tolist() == [2022, 2023]
    assert da["sector"].to_numpy().tolist() == ["energi", "transport", "landbrug", "affald",
                                            "industri"]
    assert da.attrs["sector_classification"] == "eco2"
    assert da.attrs["units"] == "t" and "Energistyrelsen" in da.attrs["source"]
    assert "release" not in da.attrs  # the CSV does not say; never invented
    flagged = da["possibly_unreported"]
    assert flagged.sel(municipality=751, year=2022, sector="affald").item()
    assert flagged.sel(municipality=751, year=2023, sector="industri").item()
    assert int(flagged.sum()) == 3 and da.attrs["possibly_unreported_count"] == 3
    assert da.sel(municipality=751, year=2022, sector="affald").item() == 0.0
    assert da["reported_total"].sel(municipality=825, year=2022).item() == -50.0
    assert da["municipality_name"].to_numpy().tolist() == ["Aarhus", "Læsø"]
    np.testing.assert_allclose(da.sum("sector"), da["reported_total"])


def test_zeros_missing_become_no_data() -> None:
    da = read_energi_co2_regnskab(EXCERPT, zeros="missing", release="2026-05-18",
                                  gwp_metric="AR5GWP100")
    assert np.isnan(da.sel(municipality=751, year=2022, sector="affald").item())
    assert da.attrs["release"] == "2026-05-18" and da.attrs["gwp_metric"] == "AR5GWP100"


def test_api_rows_with_context_and_two_totals() -> None:
    with pytest.warns(KlimacoreWarning, match="two different 'Samlet'"):
        da = read_energi_co2_regnskab(API_ROWS, municipality="0101", year=2023)
    assert da["municipality"].to_numpy().tolist() == [101]
    assert da["sector"].to_numpy().tolist() == ["energi", "transport", "landbrug", "affaldsdeponi",
                                            "spildevand", "kemiske processer"]
    # an absent value is missing, not zero
    assert np.isnan(da.sel(sector="kemiske processer")).all()
    # the total nearest the sector sum (975) is kept, not the larger duplicate
    assert da["reported_total"].item() == 975.0


def test_api_rows_with_subscript_two() -> None:
    rows = [api_row("Energi", 5.0, type_="Samlet CO₂-udledning", enhed="Ton CO₂e ")]
    da = read_energi_co2_regnskab(rows, municipality=751, year=2023)
    assert da.sel(sector="energi").item() == 5.0


def test_api_response_nested_and_decimal_comma() -> None:
    rows = [api_row("Energi", "1.234,5"), api_row("Samlet", "1.234,5")]
    raw = [{"kommuneKode": "0751", "kommuneNavn": "Aarhus",
            "years_data": [{"year": 2021, "rows": rows}, {"year": 2022, "rows": rows}]}]
    da = read_energi_co2_regnskab(raw)
    assert da.sel(municipality=751, sector="energi").to_numpy().tolist() == [1234.5, 1234.5]
    one = read_energi_co2_regnskab({"data": rows}, municipality=751, year=2022)
    assert one.sel(municipality=751, year=2022, sector="energi").item() == 1234.5


def test_dataframe_of_api_rows_and_json_file(tmp_path: Path) -> None:
    frame = pd.DataFrame([{**r, "kommunekode": "0147", "år": 2020} for r in API_ROWS[:6]])
    da = read_energi_co2_regnskab(frame)
    assert da["municipality"].to_numpy().tolist() == [147]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{**r, "kommunekode": 147, "år": 2020} for r in API_ROWS[:6]],
                               ensure_ascii=False), encoding="utf-8")
    assert read_energi_co2_regnskab(path).identical(da)


def test_bad_input_is_reported_together() -> None:
    frame = pd.DataFrame([
        {**api_row("Energi", "x"), "kommunekode": "0751", "år": 2020},
        {**api_row("Energi", 1.0), "kommunekode": "0999", "år": 2020},
        {**api_row("Energi", 1.0), "kommunekode": "0751", "år": "2020.5"},
    ])
    with pytest.raises(DataError, match="not a number"):
        read_energi_co2_regnskab(frame)
    with pytest.raises(DataError) as err:
        read_energi_co2_regnskab(frame.iloc[1:])
    assert "'0999'" in str(err.value) and "'2020.5'" in str(err.value)
    dup = pd.DataFrame([{**api_row("Energi", 1.0), "kommunekode": 751, "år": 2020}] * 2)
    with pytest.raises(DataError, match="duplicate sector rows"):
        read_energi_co2_regnskab(dup)
    with pytest.raises(DataError, match="no year column"):
        read_energi_co2_regnskab([api_row("Energi", 1.0)], municipality=751)
    with pytest.raises(ValidationError, match="column"):
        read_energi_co2_regnskab(dup, municipality=751)
    with pytest.raises(ValidationError):
        read_energi_co2_regnskab(42)
    with pytest.raises(DataError, match="no such file"):
        read_energi_co2_regnskab(HERE / "nope.csv")


def test_mapping_covers_every_sector_with_valid_targets() -> None:
    from klimacore.models import PLAN_SECTORS
    from klimacore.trajectory import get_reference

    m = eco2_sector_map()
    cctf = set(get_reference("cctf-dk-2030-sectors").sectors)
    assert set(m["plan_sector"]) <= set(PLAN_SECTORS)
    assert set(m["cctf_sector"]) <= cctf
    assert set(m["gpc_sector"]) <= {"I", "II", "III", "IV", "V"}
    assert m["basis"].str.len().min() > 10
    da = read_energi_co2_regnskab(API_ROWS[:6], municipality=751, year=2020)
    assert set(map(str, da["sector"].values)) <= set(m.index)


def test_aggregate_keeps_gaps_and_totals() -> None:
    da = read_energi_co2_regnskab(API_ROWS[:6], municipality=751, year=2020)
    plan = aggregate_eco2_sectors(da, "plan")
    assert plan.attrs["sector_classification"] == "plan"
    assert plan.sel(sector="waste").item() == 25.0
    assert np.isnan(plan.sel(sector="industry").item())  # the gap stays a gap
    gpc = aggregate_eco2_sectors(read_energi_co2_regnskab(EXCERPT), "gpc")
    assert gpc.sector.to_numpy().tolist() == ["I", "II", "III", "IV", "V"]
    with pytest.raises(ValidationError):
        aggregate_eco2_sectors(da, "nace")  # type: ignore[arg-type]


def test_shared_data_all_98_municipalities() -> None:
    path = eco2_dir()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        csv = read_energi_co2_regnskab(path / "kommuner_2018_2023.csv")
        js = read_energi_co2_regnskab(path / "by_kommune.json")
    assert csv.sizes == {"municipality": 98, "year": 6, "sector": 5}
    assert js.attrs["release"] == "2026-05-18"
    xr_equal = js.sel(municipality=csv["municipality"], year=csv["year"], sector=csv["sector"])
    np.testing.assert_array_equal(csv.to_numpy(), xr_equal.to_numpy())
    # README cross-check: the 98 accounts sum to about 34.0 Mt in 2023
    total_2023 = float(csv["reported_total"].sel(year=2023).sum())
    assert total_2023 == pytest.approx(34_039_454, abs=1)
    assert float(csv.sel(municipality=825, sector="landbrug", year=2023)) < 0  # Læsø
    assert not np.isnan(csv.to_numpy()).any()


def test_cctf_ranges_say_which_eco2_sectors_are_not_evaluated() -> None:
    from klimacore.trajectory import check_trajectory

    da = read_energi_co2_regnskab(EXCERPT)
    with pytest.warns(KlimacoreWarning, match="energi, landbrug, affald, industri of the data "
                                              "are not evaluated"):
        check_trajectory(da, "cctf-dk-2030-sectors", on_invalid_base="no data",
                         base_emissions={2019: da.sel(year=2022, drop=True)})
    mapping = eco2_sector_map()["cctf_sector"].to_dict()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_trajectory(da, "cctf-dk-2030-sectors", on_invalid_base="no data",
                         sector_map=mapping, base_emissions={2019: da.sel(year=2022, drop=True)})
    assert not [w for w in caught if "not evaluated" in str(w.message)]
