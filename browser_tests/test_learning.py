"""Learning collections in the Desk: what the nightly job learned shows on the Customer, a Dunning Run lists its
learned choices with their reasons, and the worklist's reason says what was learned.

Needs a site where the learning job has run on sent reminders and a Dunning Run has used a learned step:
``.ci/run`` makes that state with ``bench --site SITE execute optimar_erp.tests.learning_site.prepare``
before the browser checks; on a site without it these checks fail, saying so.
"""

import json
import re

import pytest
from conftest import BASE, shot

PREPARED = "Learned Payer "
"""The customer ``optimar_erp.tests.learning_site.prepare`` made: what it learned and the run it got."""


def _rows(api, doctype, filters, fields, order_by="modified desc", limit=20):
	return api(
		f"/api/resource/{doctype}",
		filters=json.dumps(filters),
		fields=json.dumps(list(fields)),
		limit_page_length=limit,
		order_by=order_by,
	)


def _profile(api):
	rows = _rows(
		api,
		"Customer Response Profile",
		[
			["customer", "like", f"{PREPARED}%"],
			["evidence", "like", "answered%"],
			["best_channel", "is", "set"],
		],
		("customer", "best_channel", "best_time", "payment_run_days", "evidence"),
	)
	if not rows:
		pytest.fail("no Customer Response Profile with evidence: run optimar_erp.tests.learning_site.prepare")
	return rows[0]


def test_customer_shows_how_it_responds(desk, api):
	p = _profile(api)
	desk.goto(f"{BASE}/app/customer/{p['customer']}")
	section = desk.locator(".optimar-response-profile")
	section.wait_for(state="attached")
	text = section.inner_text()
	assert p["best_channel"] in text
	assert p["evidence"].split(";")[0] in text
	if p["payment_run_days"]:
		assert p["payment_run_days"] in text
	indicators = desk.locator(".form-dashboard .indicator-pill, .form-dashboard .indicator").all_inner_texts()
	assert any(f"Best channel: {p['best_channel']} at {p['best_time']}" in i for i in indicators), indicators
	# the dashboard tab (Frappe v15: "Dashboard", v16: "Connections")
	desk.locator(".form-tabs .nav-link").filter(
		has_text=re.compile(r"^\s*(Dashboard|Connections)\s*$")
	).click()
	section.scroll_into_view_if_needed()
	assert section.is_visible()
	shot(desk, "learning-customer")


def test_dunning_run_lists_its_learned_choices(desk, api):
	rows = _rows(
		api,
		"Collection Activity",
		[["learned", "=", 1], ["dunning_run", "is", "set"], ["customer", "like", f"{PREPARED}%"]],
		("dunning_run", "customer", "channel", "choice_reason"),
		order_by="creation desc",
		limit=1,
	)
	if not rows:
		pytest.fail("no reminder chosen by the response model: run optimar_erp.tests.learning_site.prepare")
	row = rows[0]
	desk.goto(f"{BASE}/app/dunning-run/{row['dunning_run']}")
	table = desk.locator(".optimar-learned-choices")
	table.wait_for(state="attached")
	text = table.inner_text()
	assert row["customer"] in text
	assert row["choice_reason"].split(":")[0] in text  # "WhatsApp at 10:00 local, Polite tone"
	assert "chance of payment or promise" in text
	shot(desk, "learning-dunning-run")


def test_worklist_reason_says_what_was_learned(desk, api, admin):
	settings = api("/api/resource/Collections Settings/Collections Settings")
	if not settings.get("learning_enabled"):
		pytest.fail("learning is off in Collections Settings: run optimar_erp.tests.learning_site.prepare")
	company = api(
		"/api/method/frappe.client.get_single_value", doctype="Global Defaults", field="default_company"
	)
	# the rows as the report gives them: one whose reason says what was learned
	result = admin.post(
		"/api/method/frappe.desk.query_report.run",
		{"report_name": "Collections Worklist", "filters": json.dumps({"company": company})},
	)
	learned = [
		r
		for r in result["result"]
		if isinstance(r, dict)
		and "learned: best by" in (r.get("reason") or "")
		and (r.get("customer") or "").startswith(PREPARED)
	]
	if not learned:
		pytest.fail("no worklist customer has a learned profile: run optimar_erp.tests.learning_site.prepare")
	row = learned[0]
	position = [r for r in result["result"] if isinstance(r, dict)].index(row)
	desk.goto(f"{BASE}/app/query-report/Collections Worklist?company={company}")
	scrollable = desk.locator(".dt-scrollable")
	scrollable.locator(".dt-row").first.wait_for()  # the rows are drawn
	# the datatable draws the rows in view: scroll this customer's row into it
	scrollable.evaluate("(el, top) => { el.scrollTop = top; }", max(position - 2, 0) * 33)
	line = scrollable.locator(".dt-row").filter(has_text=row["customer"]).first
	line.wait_for()
	line.scroll_into_view_if_needed()
	assert "learned: best by" in line.inner_text()
	assert row["reason"][:40] in line.inner_text()
	shot(desk, "learning-worklist")
