"""Risk badges in the Desk: list views (with the explanation on hover), forms (with "Why?"), credit advice."""

import json
import re

from conftest import BASE, shot


def _first(api, doctype, filters, fields=("name",), required=True):
	rows = api(
		f"/api/resource/{doctype}",
		filters=json.dumps(filters),
		fields=json.dumps(list(fields)),
		limit_page_length=1,
		order_by="modified desc",
	)
	assert rows or not required, f"no {doctype} matching {filters}: run the risk scoring first"
	return rows[0] if rows else None


def _scored_invoice(api):
	"""An open scored invoice, High when the site has one: the site's mix of bands is whatever its book
	and model give, so the check does not depend on one band existing."""
	for band in ("High", "Medium", "Critical", "Low"):
		found = _first(
			api,
			"Sales Invoice",
			[["docstatus", "=", 1], ["risk_band", "=", band], ["outstanding_amount", ">", 0]],
			required=False,
		)
		if found:
			return found
	raise AssertionError("no scored open Sales Invoice: run the risk scoring first")


def test_sales_invoice_list_shows_risk_badges_with_explanations(desk, api):
	inv = _scored_invoice(api)
	band = api(f"/api/resource/Sales Invoice/{inv['name']}")["risk_band"]
	desk.goto(f"{BASE}/app/sales-invoice?docstatus=1&risk_band={band}")
	badge = desk.locator(".list-row .optimar-risk-badge").first
	badge.wait_for()
	assert badge.get_attribute("data-band") == band
	title = badge.get_attribute("title")
	# an overdue invoice says how long, one not yet due how likely late; both when they are expected paid
	assert "expected payment" in title
	assert "overdue" in title or "likely to be paid late" in title
	badge.hover()
	path = shot(desk, "risk-sales-invoice-list")
	assert path.stat().st_size > 10_000
	# the band is a standard filter of the list
	assert desk.locator(".standard-filter-section [data-fieldname='risk_band']").count() >= 1


def test_sales_invoice_form_headline_and_why(desk, api):
	inv = _scored_invoice(api)
	desk.goto(f"{BASE}/app/sales-invoice/{inv['name']}")
	headline = desk.locator(".optimar-risk-headline")
	headline.wait_for()
	text = headline.inner_text()
	assert "overdue" in text or "likely to be paid late" in text
	assert "expected payment" in text
	# the expected payment date sits beside the due date
	assert desk.locator("[data-fieldname='predicted_pay_date'] .control-value").first.inner_text().strip()
	shot(desk, "risk-sales-invoice-form")
	desk.locator(".optimar-risk-why").click()
	dialog = desk.locator(".modal.show .msgprint")
	dialog.wait_for()
	assert "Main factors" in dialog.inner_text()
	shot(desk, "risk-sales-invoice-why")


def test_customer_form_risk_and_credit_advice(desk, api):
	cust = _first(api, "Customer", [["recommended_credit_limit", ">", 0], ["risk_band", "!=", ""]])
	desk.goto(f"{BASE}/app/customer/{cust['name']}")
	headline = desk.locator(".optimar-risk-headline")
	headline.wait_for()
	assert "advised credit limit" in headline.inner_text()
	shot(desk, "risk-customer-form")
	# beside ERPNext's own credit limit: the dashboard tab (Frappe v15: "Dashboard", v16: "Connections")
	desk.locator(".form-tabs .nav-link").filter(
		has_text=re.compile(r"^\s*(Dashboard|Connections)\s*$")
	).click()
	assert "advised" in desk.locator(".form-dashboard").first.inner_text()
	desk.locator(".optimar-risk-why").first.click()
	desk.locator(".modal.show .msgprint").wait_for()
	shot(desk, "risk-customer-why")


def test_customer_list_badges(desk, api):
	cust = _first(api, "Customer", [["risk_band", "!=", ""]], fields=("name", "risk_band"))
	desk.goto(f"{BASE}/app/customer?risk_band={cust['risk_band']}")
	desk.locator(".list-row .optimar-risk-badge").first.wait_for()
	assert "Risk score" in desk.locator(".list-row .optimar-risk-badge").first.get_attribute("title")
	shot(desk, "risk-customer-list")
