"""Browser checks in real headless Chromium against a running bench web server.

Environment: OPTIMAR_URL (default http://127.0.0.1:8011), OPTIMAR_ADMIN_PASSWORD (default admin),
OPTIMAR_SCREENSHOTS (default ./screenshots), CHROMIUM (default /usr/bin/chromium). `.ci/run` starts the
web server and runs these after the Frappe suite; screenshots are written for every check.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

BASE = os.environ.get("OPTIMAR_URL", "http://127.0.0.1:8011").rstrip("/")
PASSWORD = os.environ.get("OPTIMAR_ADMIN_PASSWORD", "admin")
SHOTS = Path(os.environ.get("OPTIMAR_SCREENSHOTS", "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="session")
def browser():
	with sync_playwright() as p:
		b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
		yield b
		b.close()


@pytest.fixture()
def desk(browser):
	"""A Desk page logged in as Administrator; fails the test on any JavaScript error."""
	context = browser.new_context(viewport={"width": 1440, "height": 1000})
	response = context.request.post(
		f"{BASE}/api/method/login", form={"usr": "Administrator", "pwd": PASSWORD}
	)
	assert response.ok, f"login failed: {response.status} {response.text()[:200]}"
	page = context.new_page()
	errors: list[str] = []
	page.on("pageerror", lambda e: errors.append(str(e)))
	page.set_default_timeout(30_000)
	yield page
	context.close()
	assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture()
def api(desk):
	"""GET a whitelisted method or resource as the logged-in user; returns the JSON's message/data."""

	def call(path: str, **params):
		response = desk.context.request.get(f"{BASE}{path}", params=params)
		assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
		body = response.json()
		return body.get("message", body.get("data"))

	return call


def shot(page, name: str) -> Path:
	SHOTS.mkdir(parents=True, exist_ok=True)
	path = SHOTS / f"{name}.png"
	page.screenshot(path=str(path), full_page=False)
	return path
