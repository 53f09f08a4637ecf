"""The reports from the real Energi- og CO2-regnskab of all 98 municipalities (shared data).

Energistyrelsen, Energi- og CO2-regnskabet 2018-2023 (retrieved 2026-05-18) and KF25 for the
national comparison; not in the repository: skipped with the reason when absent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

from klimacore.cli import main
from klimacore.report import StatusReport, build_reports, report_schema


def _shared() -> Path:
    env = os.environ.get("KLIMACORE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


ACCOUNT = _shared() / "energi-co2-regnskab"
KF25 = _shared() / "kf25" / "kf25_denmark_1990_2050.csv"

pytestmark = pytest.mark.skipif(not (ACCOUNT / "kommuner_2018_2023.csv").exists(),
                                reason=f"shared data not found at {ACCOUNT} "
                                       "(set KLIMACORE_SHARED_DATA)")


@pytest.fixture(scope="module")
def panel() -> Any:
    from klimacore._report_cli import panel_from_account

    return panel_from_account(ACCOUNT)


@pytest.fixture(scope="module")
def reports(panel: Any) -> dict[str, StatusReport]:
    import pandas as pd

    kf = pd.read_csv(KF25).set_index("year")["exclLulucf"] * 1e6 if KF25.exists() else None
    return build_reports(panel, as_of=dt.date(2026, 12, 1), national=kf,
                         national_source="KF25")


def test_all_municipalities_regions_and_denmark(reports: dict[str, StatusReport],
                                                panel: Any) -> None:
    kinds = [r.content["kind"] for r in reports.values()]
    assert kinds.count("municipality") == 98
    assert kinds.count("region") == 5 and kinds.count("denmark") == 1
    assert reports["0751"].content["name"] == "Aarhus"
    # the vintage is the file's retrieval date, printed with every number's source
    assert reports["0751"].content["sources"][0]["vintage"] == "2026-05-18"


def test_denmark_is_the_sum_of_the_accounts(reports: dict[str, StatusReport], panel: Any) -> None:
    dk = reports["DK"].headline()
    assert dk["total"] == pytest.approx(float(panel["total"].sel(year=2023).sum()))
    # the README's figure: about 34.0 Mt in 2023
    assert dk["total"] == pytest.approx(34.04e6, rel=1e-3)
    regions = sum(reports[k].headline()["total"] for k in ("1081", "1082", "1083", "1084",
                                                            "1085"))
    assert regions == pytest.approx(dk["total"])


def test_every_json_validates(reports: dict[str, StatusReport]) -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    for rep in reports.values():
        errors = list(validator.iter_errors(json.loads(rep.to_json())))
        assert not errors, (rep.key, errors[:3])


def test_net_negative_base_is_no_data_with_the_reason(reports: dict[str, StatusReport]) -> None:
    v = reports["0825"].verdicts()  # Læsø: agriculture net negative
    ipcc = v[v["reference"].str.startswith("ipcc-ar6-c1-ghg")].iloc[0]
    assert ipcc["verdict"] in ("on track", "at risk", "off track", "no data")
    if ipcc["verdict"] == "no data":
        assert ipcc["reason"]


def test_national_residual_and_caveats(reports: dict[str, StatusReport]) -> None:
    if not KF25.exists():
        pytest.skip(f"KF25 not found at {KF25}")
    sec = next(s for s in reports["DK"].content["sections"] if s["id"] == "N5")
    row = next(r for r in sec["tables"][0]["rows"] if r[0] == 2023)
    assert row[2] == pytest.approx(39.3e6, rel=0.01)  # KF25 2023 excl. LULUCF
    assert row[3] == pytest.approx(row[2] - row[1])
    assert 10 < row[4] < 17  # ≈ 13 % of the national inventory is not in the municipal sum
    html = reports["DK"].to_html()
    assert "tilbageregnet" in html and "LULUCF" in html


def test_lmdi_adds_up_for_every_municipality(reports: dict[str, StatusReport]) -> None:
    bad = []
    for key, rep in reports.items():
        sec = next(s for s in rep.content["sections"] if s["id"] == "M3")
        vals = [r[1] for r in sec["tables"][0]["rows"]]
        d = sec["figures"][0]["data"]
        excluded = sum(n["values"]["value"] for n in sec["notes"]
                       if n["key"] == "excluded_change")
        if None in vals or d["v0"] is None:
            continue
        if not np.isclose(sum(vals) + excluded, d["v1"] - d["v0"], atol=1e-3):
            bad.append(key)
    assert not bad


def test_cli_on_the_real_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r"
    code = main(["report", "--data", str(ACCOUNT), "--out", str(out), "--as-of", "2026-12-01",
                 "--format", "html", "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    assert len(list(out.glob("*.html"))) == 98 + 5 + 1 + 1
    assert "98 municipalities, 5 regions, 1 Denmark" in capsys.readouterr().out


def test_json_and_csv_forms_give_the_same_panel(panel: Any) -> None:
    from klimacore._report_cli import panel_from_account

    other = panel_from_account(ACCOUNT / "by_kommune.json")
    np.testing.assert_allclose(other["total"].to_numpy(), panel["total"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(other["per_capita"].to_numpy(), panel["per_capita"].to_numpy())
    assert other.attrs["release"] == panel.attrs["release"] == "2026-05-18"
