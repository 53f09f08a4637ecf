"""The reports as a reader sees them: Debian's chromium, headless, loads each page from disk.

Checks: no console messages (the pages carry no script; a message would be a blocked or failed
load), no request other than the file itself (chromium's own network log), the headline figures
in the DOM equal the computed values, the figures are drawn (the palette's colours are on the
screenshot), screenshots at phone and desktop width, and printing to PDF. Skipped with the reason
when chromium is not installed, except under CI (``CI`` set), where a missing browser fails.
Set ``KLIMACORE_REPORT_SCREENSHOTS=DIR`` to keep the screenshots.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from klimacore.report import StatusReport, build_reports, index_html

EXCERPT = Path(__file__).resolve().parent / "data" / "report_eco2_excerpt.csv"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")

if BROWSER is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is required under CI (apt-get install chromium)", pytrace=False)
    pytestmark = pytest.mark.skip(reason="chromium not found (Debian: apt-get install chromium); "
                                  "the browser tests run in CI")


def _chromium(tmp: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    cmd = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-extensions", "--disable-background-networking", "--disable-sync",
           "--disable-component-update", "--disable-default-apps", "--hide-scrollbars",
           f"--user-data-dir={tmp / 'profile'}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "HOME": str(tmp)})


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, StatusReport]]:
    from klimacore._report_cli import panel_from_account, write_reports

    out = tmp_path_factory.mktemp("reports")
    reports = build_reports(panel_from_account(EXCERPT, vintage="2026-05-18"),
                            as_of=dt.date(2026, 3, 1))
    write_reports(reports, out, formats=("html",))
    return out, reports


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page asked for, from chromium's network log.

    The browser's own background requests (time, updates) carry the initiator "not an origin";
    a request made by a page has the page's origin ("null" for a file).
    """
    text = netlog.read_text(encoding="utf-8").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # the browser may stop before closing the event list
        log = json.loads(text.rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return [str(p["url"]) for ev in log["events"]
            if names.get(ev["type"]) == "URL_REQUEST_START_JOB"
            and (p := ev.get("params") or {}).get("initiator") != "not an origin"
            and "url" in p]


def test_the_network_check_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://example.invalid/x.png" '
                    'alt="x"></body></html>', encoding="utf-8")
    netlog = tmp_path / "net.json"
    res = _chromium(tmp_path, f"--log-net-log={netlog}", "--virtual-time-budget=2000",
                    "--dump-dom", page.as_uri())
    assert res.returncode == 0
    assert "http://example.invalid/x.png" in _page_requests(netlog)


def _console(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln or "Refused to" in ln]


def test_the_console_check_can_fail(tmp_path: Path) -> None:
    page = tmp_path / "noisy.html"
    page.write_text('<!DOCTYPE html><html><body><script>console.error("boom")</script>'
                    "</body></html>", encoding="utf-8")
    res = _chromium(tmp_path, "--dump-dom", page.as_uri())
    assert any("boom" in ln for ln in _console(res.stderr))


@pytest.mark.parametrize("key", ["0751", "DK"])
def test_dom_console_and_network(pages: tuple[Path, dict[str, StatusReport]], key: str,
                                 tmp_path: Path) -> None:
    out, reports = pages
    netlog = tmp_path / "net.json"
    res = _chromium(tmp_path, f"--log-net-log={netlog}", "--virtual-time-budget=2000",
                    "--dump-dom", (out / f"{key}.html").as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    # the headline figures in the DOM are the computed ones
    head = reports[key].headline()
    assert f'data-key="total" data-value="{head["total"]}"' in dom
    assert f'data-key="change_vs_base" data-value="{head["change_vs_base"]}"' in dom
    assert dom.count("<svg") == 3 if key == "0751" else dom.count("<svg") == 5  # + N-F2
    assert "<polyline" in dom and "<rect" in dom
    # no console message (no script on the page; a message would be a refused or failed load)
    console = _console(res.stderr)
    assert not console, console
    # the browser's own network log: the page itself and nothing else
    urls = [u for u in _page_requests(netlog) if not u.startswith(("file:", "data:"))]
    assert not urls, urls


def _png(path: Path) -> Any:
    import matplotlib.image as mpimg

    return mpimg.imread(str(path))


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1280, "desktop")])
def test_screenshots_show_the_figures(pages: tuple[Path, dict[str, StatusReport]], width: int,
                                      name: str, tmp_path: Path) -> None:
    out, _ = pages
    shot = tmp_path / f"0751-{name}.png"
    res = _chromium(tmp_path, f"--window-size={width},2400", f"--screenshot={shot}",
                    (out / "0751.html").as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    img = _png(shot)
    assert img.shape[1] == width
    rgb = np.round(img[..., :3] * 255).astype(int)
    # the line and the first stacked sector are drawn in the palette's blue #1b6ca8
    blue = (np.abs(rgb - np.array([27, 108, 168])).sum(axis=-1) < 12).sum()
    assert blue > 200
    # nothing wider than the screen: the page's right half is not cut-off text on a phone
    assert (rgb[:, -5:] < 250).mean() < 0.2
    keep = os.environ.get("KLIMACORE_REPORT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_print_to_pdf_and_index(pages: tuple[Path, dict[str, StatusReport]],
                                tmp_path: Path) -> None:
    out, reports = pages
    pdf = tmp_path / "dk.pdf"
    res = _chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                    (out / "DK.html").as_uri())
    assert res.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-", res.stderr[-2000:]
    (out / "index.html").write_text(index_html(reports), encoding="utf-8")
    res = _chromium(tmp_path, "--dump-dom", (out / "index.html").as_uri())
    assert res.returncode == 0
    for key in reports:
        assert f'href="{key}.html"' in res.stdout


class _Tables(HTMLParser):
    """Every table's rows as the ``data-value`` of its cells, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._id = str(a.get("id"))
            self.tables[self._id] = []
        elif tag == "tr" and self._id is not None:
            self.tables[self._id].append([])
        elif tag in ("td", "th") and self._id is not None and "data-value" in a:
            self.tables[self._id][-1].append(str(a["data-value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._id = None


@pytest.fixture(scope="module")
def round_pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, StatusReport]]:
    from klimacore._report_cli import panel_from_account, write_reports
    from klimacore.examples import example_round
    from klimacore.models import load_example_plan

    out = tmp_path_factory.mktemp("round-reports")
    reports = build_reports(panel_from_account(EXCERPT, vintage="2026-05-18"),
                            as_of=dt.date(2026, 3, 15), plans={727: load_example_plan()},
                            rounds=[example_round()])
    write_reports(reports, out, formats=("html",))
    return out, reports


@pytest.mark.parametrize(("key", "tables"), [
    ("0727", ["M5_summary", "M5_status", "M5", "M5_actions", "M6", "M7_events", "M7",
              "M7_actions", "M4"]),
    ("DK", ["N1", "N3_status", "N3", "N4", "NF2"])])
def test_round_sections_in_the_dom_equal_the_computed_values(
        round_pages: tuple[Path, dict[str, StatusReport]], key: str, tables: list[str],
        tmp_path: Path) -> None:
    out, reports = round_pages
    netlog = tmp_path / "net.json"
    res = _chromium(tmp_path, f"--log-net-log={netlog}", "--virtual-time-budget=2000",
                    "--dump-dom", (out / f"{key}.html").as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    parser = _Tables()
    parser.feed(res.stdout)
    computed = {t["id"]: t["rows"] for s in reports[key].content["sections"] for t in s["tables"]}
    for tid in tables:
        dom_rows = [r for r in parser.tables[f"tab-{tid.lower()}"] if r]
        want = [["" if v is None else str(v) for v in row] for row in computed[tid]]
        assert dom_rows == want, tid
    figures = {"0727": ("m5-f4", "m6-f5"), "DK": ("n2-nf2", "n3-f4")}[key]
    for fid in figures:
        assert f'id="{fid}"' in res.stdout and f'id="{fid}-d"' in res.stdout
    assert not _console(res.stderr)
    assert not [u for u in _page_requests(netlog) if not u.startswith(("file:", "data:"))]


@pytest.mark.parametrize(("width", "name"), [(390, "phone"), (1280, "desktop")])
def test_odder_screenshots_show_the_round_figures(
        round_pages: tuple[Path, dict[str, StatusReport]], width: int, name: str,
        tmp_path: Path) -> None:
    out, _ = round_pages
    shot = tmp_path / f"odder-{name}.png"
    height = 10000 if width > 1000 else 16000  # the whole page, M1 to the sources
    res = _chromium(tmp_path, f"--window-size={width},{height}", f"--screenshot={shot}",
                    (out / "0727.html").as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    rgb = np.round(_png(shot)[..., :3] * 255).astype(int)

    def count(color: tuple[int, int, int]) -> int:
        return int((np.abs(rgb - np.array(color)).sum(axis=-1) < 12).sum())

    # F4 / F5 draw the status colours: late and off track red, at risk amber, on time green
    assert count((192, 57, 43)) > 300 and count((217, 154, 30)) > 50
    assert count((58, 154, 91)) > 100
    assert (rgb[:, -5:] < 250).mean() < 0.2
    keep = os.environ.get("KLIMACORE_REPORT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
