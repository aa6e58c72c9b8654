"""Browser checks in real headless Chromium against a running bench web server.

Environment: OPTIMAR_URL (default http://127.0.0.1:8011), OPTIMAR_ADMIN_PASSWORD (default admin),
OPTIMAR_SCREENSHOTS (default ./screenshots), CHROMIUM (default /usr/bin/chromium). `.ci/run` starts the
web server and runs these after the Frappe suite; screenshots are written for every check.
"""

import datetime as dt
import json
import os
import secrets
from pathlib import Path
from types import SimpleNamespace

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


class Rest:
	"""Frappe's REST API as Administrator: builds test data and checks what the Desk sees."""

	def __init__(self, request):
		self.request = request

	def _json(self, response, path):
		assert response.ok, f"{path}: {response.status} {response.text()[:300]}"
		body = response.json()
		return body.get("message", body.get("data"))

	def get(self, path: str, **params):
		params = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in params.items()}
		return self._json(self.request.get(f"{BASE}{path}", params=params), path)

	def post(self, path: str, data: dict):
		return self._json(self.request.post(f"{BASE}{path}", data=data), path)

	def put(self, path: str, data: dict):
		return self._json(self.request.put(f"{BASE}{path}", data=data), path)

	def insert(self, doctype: str, doc: dict) -> dict:
		return self.post(f"/api/resource/{doctype}", doc)

	def all(self, doctype: str, filters: list, fields=("name",)) -> list[dict]:
		return self.get(f"/api/resource/{doctype}", filters=filters, fields=list(fields), limit_page_length=0)


@pytest.fixture(scope="session")
def admin(browser):
	context = browser.new_context()
	response = context.request.post(
		f"{BASE}/api/method/login", form={"usr": "Administrator", "pwd": PASSWORD}
	)
	assert response.ok, f"login failed: {response.status} {response.text()[:200]}"
	yield Rest(context.request)
	context.close()


def make_portal_account(admin: Rest, label: str, amounts_due=((1200, -40), (800, -5), (450, 20))):
	"""A Customer with submitted invoices (amount, due in days) and a website user among its portal
	users; everything through the REST API."""
	tag = secrets.token_hex(3)
	today = dt.date.today()
	company = admin.get(
		"/api/method/frappe.client.get_single_value", doctype="Global Defaults", field="default_company"
	)
	customer = admin.insert(
		"Customer",
		{
			"customer_name": f"{label} {tag}",
			"customer_type": "Company",
			"customer_group": admin.all("Customer Group", [["is_group", "=", 0]])[0]["name"],
			"territory": admin.all("Territory", [["is_group", "=", 0]])[0]["name"],
		},
	)["name"]
	email, password = f"portal-{tag}@example.com", secrets.token_urlsafe(16) + "Aa1!"
	admin.insert(
		"User",
		{
			"email": email,
			"first_name": f"{label} {tag}",
			"user_type": "Website User",
			"send_welcome_email": 0,
			"new_password": password,
		},
	)
	admin.put(f"/api/resource/Customer/{customer}", {"portal_users": [{"user": email}]})
	invoices = []
	for amount, due_in in amounts_due:
		due = today + dt.timedelta(days=due_in)
		posting = min(today - dt.timedelta(days=30), due)
		invoices.append(
			admin.insert(
				"Sales Invoice",
				{
					"customer": customer,
					"company": company,
					"posting_date": str(posting),
					"set_posting_time": 1,
					"due_date": str(due),
					"disable_rounded_total": 1,
					"items": [{"item_code": "OPT-SERVICES", "qty": 1, "rate": amount}],
					"docstatus": 1,
				},
			)["name"]
		)
	return SimpleNamespace(
		customer=customer, user=email, password=password, invoices=invoices, company=company
	)


@pytest.fixture()
def portal(browser, admin):
	"""A website user linked to a fresh Customer with three open invoices, logged in; fails the test on
	any JavaScript error. ``portal.page``, ``portal.customer``, ``portal.invoices``, ``portal.user``."""
	account = make_portal_account(admin, "Portal Browser")
	context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
	response = context.request.post(
		f"{BASE}/api/method/login", form={"usr": account.user, "pwd": account.password}
	)
	assert response.ok, f"website user login failed: {response.status} {response.text()[:200]}"
	page = context.new_page()
	errors: list[str] = []
	page.on("pageerror", lambda e: errors.append(str(e)))
	page.set_default_timeout(30_000)
	account.page = page
	yield account
	context.close()
	assert not errors, f"JavaScript errors on the page: {errors}"
