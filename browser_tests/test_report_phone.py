"""The standalone HTML report (``optimar demo`` / ``optimar analyse``) on a 390-px-wide phone: nothing
wider than the screen, with every "Show the figures" opened. Needs no bench: the reports are written by
the engine's command line in a Python that has the engine's dependencies (OPTIMAR_ENGINE_PYTHON, else the
CI's .venv-ci, else /tmp/venv)."""

import os
import subprocess
from pathlib import Path

import pytest
from conftest import SHOTS

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = [
	os.environ.get("OPTIMAR_ENGINE_PYTHON", ""),
	str(ROOT / ".venv-ci/bin/python"),
	"/tmp/venv/bin/python",
]
ENGINE_PYTHON = next((p for p in CANDIDATES if p and Path(p).exists()), None)
PHONE = {"width": 390, "height": 844}


def _report(tmp_path: Path, name: str, *argv: str) -> Path:
	out = tmp_path / f"{name}.html"
	subprocess.run(
		[ENGINE_PYTHON, "-m", "optimar_erp.cli", *argv, "--out", str(out)],
		cwd=ROOT,
		env={**os.environ, "PYTHONPATH": str(ROOT)},
		check=True,
		capture_output=True,
	)
	return out


@pytest.mark.skipif(ENGINE_PYTHON is None, reason="no Python with the engine's dependencies")
def test_reports_fit_a_390px_phone(browser, tmp_path):
	exports = ROOT / "tests" / "data" / "exports"
	reports = [
		_report(tmp_path, "demo", "demo", "--as-of", "2026-11-08", "--customers", "60", "--months", "12"),
		_report(
			tmp_path, "quickbooks", "analyse", "--ledger", str(exports / "quickbooks_ar_aging_detail.csv")
		),
		_report(tmp_path, "sap", "analyse", "--ledger", str(exports / "sap_fbl5n.csv"), "--title", "A" * 80),
	]
	context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
	page = context.new_page()
	SHOTS.mkdir(parents=True, exist_ok=True)
	try:
		for path in reports:
			page.goto(path.as_uri())
			page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
			width = page.evaluate("document.documentElement.scrollWidth")
			wider = page.evaluate(
				"""Array.from(document.querySelectorAll('body *'))
				.filter(e => e.getBoundingClientRect().right > 391)
				.slice(0, 5).map(e => e.tagName + '.' + e.className)"""
			)
			page.screenshot(path=str(SHOTS / f"report-phone-{path.stem}.png"), full_page=True)
			assert width <= PHONE["width"] and wider == [], f"{path.name}: {width}px wide; {wider}"
			assert page.evaluate("window.innerWidth") == PHONE["width"]  # the page was not zoomed out
	finally:
		context.close()
