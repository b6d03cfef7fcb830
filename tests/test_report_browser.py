"""The HTML report as a reader sees it: opened in a real headless Chromium (Debian's
``chromium``; Playwright drives it), it fits a 1,280 px window without a horizontal
page scroll (wide tables scroll inside their own box) and opens on its findings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from equipoise.analysis.settings import RunSettings
from equipoise.report.html import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="needs equipoise[app]")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")


@pytest.mark.parametrize("name", ["levant-2018", "asia-rivals-2024"])
def test_report_fits_the_window_and_leads_with_findings(name: str, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(build_report(name, RunSettings(trials=200, seed=1)).html())
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(page_file.as_uri())
            page_width = page.evaluate("document.documentElement.scrollWidth")
            widest = page.evaluate(
                "Math.max(...[...document.querySelectorAll('.scroll')]"
                ".map(box => box.getBoundingClientRect().right))"
            )
            first_heading = page.evaluate("document.querySelector('h2').textContent")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert page_width <= 1280, "the page scrolls sideways"
    assert widest <= 1280, "a table box runs off the page"
    assert first_heading == "Findings"
    assert (tmp_path / "report.png").stat().st_size > 10_000
