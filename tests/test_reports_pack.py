"""`comptoir report pack`: a static site built from the demo company, opened page by page in
headless Chromium (skipped, not failed, only when no browser or driver can be found): no
console error, no request leaving the machine, every chart present and drawn; screenshots are
saved to $COMPTOIR_SCREENSHOTS (CI keeps that folder) or a temporary folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from .conftest import git, run

DEMO = Path(__file__).resolve().parent.parent / "ledger-data"
CHARTED = {"pl-trend": 1, "budget": 1, "cash-forecast": 1, "ar-aging": 1, "ap-aging": 1, "pipeline": 2, "stock": 1}


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "site"
    res = run(DEMO, "report", "pack", "--out", out, "--date", "2026-11-28")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(out / "index.html")
    return out


def pages(pack: Path) -> list[Path]:
    return sorted(pack.glob("*.html"))


def test_pack_has_an_index_and_a_page_per_report_with_the_header(pack):
    names = {p.stem for p in pages(pack)}
    assert {"index", "overview", "pl-trend", "income-statement", "balance-sheet", "trial-balance", "cash-flow",
            "budget", "rolling-forecast", "cash-forecast", "ar-aging", "ap-aging", "pipeline", "sales",
            "purchases", "payroll", "stock"} <= names
    head = git(DEMO, "rev-parse", "HEAD").strip()
    index = (pack / "index.html").read_text()
    for page in pages(pack):
        text = page.read_text()
        assert "Comptoir Coffee Roasters" in text
        assert "Period 2026-08-01 to 2026-11-30" in text
        assert head in text and "validate passed" in text
        assert page.name == "index.html" or f'href="{page.name}"' in index
    for slug, count in CHARTED.items():
        assert (pack / f"{slug}.html").read_text().count("<figure><svg") == count, slug


def test_pack_pages_fetch_nothing(pack):
    for page in pages(pack):
        text = page.read_text()
        assert "<script" not in text and "<link" not in text and "@import" not in text
        assert not re.search(r'(src|href)="(https?:)?//', text), page.name
        assert "url(http" not in text


def test_pack_workbook_has_a_sheet_per_report_table_and_agrees_with_the_pages(pack):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(pack / "reports.xlsx")
    assert len(book.sheetnames) >= 18 and "pl-trend" in book.sheetnames
    sheet = book["income-statement"]
    doc = json.loads(run(DEMO, "report", "income-statement", "--from", "2026-08-01", "--to", "2026-11-30",
                         "--format", "json").stdout)
    last = [c.value for c in sheet[len(doc["rows"]) + 2]]
    assert Decimal(repr(last[3])) == Decimal(doc["totals"]["amount"])


def test_pack_of_a_past_revision_and_bad_out(tmp_path, book):
    from .finance_helpers import post

    post(book, "2026-11-02", "First", "6100 10.00", "1010")
    first = git(book, "rev-parse", "HEAD").strip()
    post(book, "2026-11-03", "Second", "6100 20.00", "1010")
    res = run(book, "report", "pack", "--out", tmp_path / "old", "--as-of", first)
    assert res.exit_code == 0, res.output
    text = (tmp_path / "old" / "income-statement.html").read_text()
    assert first in text and ">10.00<" in text and ">30.00<" not in text
    (tmp_path / "file").write_text("x")
    assert run(book, "report", "pack", "--out", tmp_path / "file").exit_code == 2
    assert git(book, "status", "--porcelain") == ""


def _browser() -> tuple[str, str] | None:
    chrome = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"),
                               shutil.which("google-chrome")) if p and os.path.exists(p)), None)
    driver = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver") if p and os.path.exists(p)), None)
    return (chrome, driver) if chrome and driver else None


def test_every_page_opens_in_headless_chromium(pack, request):
    webdriver = pytest.importorskip("selenium.webdriver")
    found = _browser()
    if found is None:
        pytest.skip("no Chromium and chromedriver found (Debian: apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    shots = Path(os.environ.get("COMPTOIR_SCREENSHOTS") or tempfile.mkdtemp(prefix="pack-shots-"))
    if not os.environ.get("COMPTOIR_SCREENSHOTS"):
        request.addfinalizer(lambda: shutil.rmtree(shots, ignore_errors=True))  # kept only where CI asks
    shots.mkdir(parents=True, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=1280,1600"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    try:
        driver.get("about:blank")
        driver.get_log("performance")
        for page in pages(pack):
            driver.get(page.as_uri())
            assert driver.execute_script("return document.readyState") == "complete"
            severe = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
            assert severe == [], (page.name, severe)
            urls = []
            for entry in driver.get_log("performance"):
                message = json.loads(entry["message"])["message"]
                if message["method"] == "Network.requestWillBeSent":
                    urls.append(message["params"]["request"]["url"])
            # chrome:// is the browser's own new-tab page, loaded before ours: it never leaves the machine
            outside = [u for u in urls if not u.startswith(("file://", "data:", "about:", "chrome://"))]
            assert outside == [], (page.name, outside)
            charts = driver.execute_script("""
                return Array.from(document.querySelectorAll('figure svg')).map(function (svg) {
                    var box = svg.getBoundingClientRect();
                    return {w: box.width, h: box.height,
                            marks: svg.querySelectorAll('path, rect, line, polyline, use').length};
                });""")
            assert len(charts) == CHARTED.get(page.stem, 0), (page.name, charts)
            for chart in charts:
                assert chart["w"] > 100 and chart["h"] > 100 and chart["marks"] > 10, (page.name, chart)
            tables = driver.execute_script("return document.querySelectorAll('table.report, p.empty').length")
            assert page.stem == "index" or tables >= 1, page.name
            assert driver.save_screenshot(str(shots / f"{page.stem}.png"))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    assert len(list(shots.glob("*.png"))) >= len(pages(pack))


def test_a_pack_built_again_draws_only_the_charts_whose_figures_changed(tmp_path, monkeypatch):
    """Charts are kept in the derived store under the figures they are drawn from: the same book
    packed again draws none (the pages are the same but for the time they were built); after an
    expense paid from equity, only the charts of the figures it moved are drawn again."""
    from comptoir import charts

    from .conftest import demo_book

    book = demo_book(tmp_path / "demo")

    def pages(out: Path) -> dict:
        res = run(book, "report", "pack", "--out", out, "--date", "2026-11-28")
        assert res.exit_code == 0, res.stderr
        return {p.name: re.sub(r"built \d{4}-\d\d-\d\d \d\d:\d\d UTC", "built -", p.read_text())
                for p in sorted(out.glob("*.html"))}

    first = pages(tmp_path / "first")
    drawn: list[str] = []
    figure = charts._figure

    def counted(*args, **kwargs):
        drawn.append("chart")
        return figure(*args, **kwargs)

    monkeypatch.setattr(charts, "_figure", counted)
    assert pages(tmp_path / "again") == first and drawn == []
    res = run(book, "journal", "post", "--date", "2026-11-20", "--memo", "Paid by the owner", "-p", "6100", "500.00",
              "-p", "3000")
    assert res.exit_code == 0, res.stderr
    after = pages(tmp_path / "after")
    total = sum(page.count('class="chart"') for page in after.values())
    assert 1 <= len(drawn) < total, (len(drawn), total)
    assert after["pl-trend.html"] != first["pl-trend.html"]
