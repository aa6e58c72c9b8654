"""A collections team's day, end to end, in headless Chromium against the bench's web server and its
background worker, once for a US company (dollars, New York time) and once for an Indian company (rupees,
Kolkata time, UPI):

1. the morning run: a Dunning Run for the company, carried out by the worker as on any site;
2. the overdue customers are on the Collector's worklist (a user with only Collector + Accounts User);
3. the Collector logs a call and records a promise from the worklist; both show in the Customer timelines;
4. the customer opens the link in the reminder (not logged in), sees a balance equal to ERPNext's Accounts
   Receivable (Summary), money paid on account included, and can pay (UPI, where it applies) or promise;
5. one grouped email per customer reached the SMTP server, from and answered to the collections mailbox,
   with no unsubscribe footer.

Each journey makes its own company, mailbox, collector and customers (a random tag in every name), changes
Collections Settings for its duration and puts them back. Screenshots of each step go to OPTIMAR_SCREENSHOTS.
"""

import datetime as dt
import email
import json
import re
import secrets
import socket
import time
from email.policy import default as email_policy
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller
from conftest import BASE, shot
from playwright.sync_api import expect

expect.set_options(timeout=30_000)

PORTAL = f"{BASE}/customer-portal"
JOURNEYS = {
	"us": {
		"company": "OptimAR Day US Inc",
		"abbr": "ODUS",
		"country": "United States",
		"currency": "USD",
		"time_zone": "America/New_York",
		"upi_id": "",
	},
	"india": {
		"company": "OptimAR Day India Pvt Ltd",
		"abbr": "ODIN",
		"country": "India",
		"currency": "INR",
		"time_zone": "Asia/Kolkata",
		"upi_id": "optimar.day@okbank",
	},
}


class Mailbox:
	"""An SMTP server on 127.0.0.1 that keeps what it receives, parsed."""

	def __init__(self):
		self.messages: list[email.message.EmailMessage] = []

	async def handle_DATA(self, server, session, envelope):
		self.messages.append(email.message_from_bytes(envelope.content, policy=email_policy))
		return "250 OK"

	def to(self, address: str) -> list:
		return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture(scope="module")
def smtp():
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		port = s.getsockname()[1]
	mailbox = Mailbox()
	controller = Controller(mailbox, hostname="127.0.0.1", port=port)
	controller.start()
	mailbox.port = port
	yield mailbox
	controller.stop()


def money(text: str) -> float:
	"""1,23,456.00 or $ 2,450.00 → the number."""
	return float(re.sub(r"[^\d.\-]", "", text.replace("−", "-")))


def wait_for(what: str, probe, timeout: float = 180, every: float = 2):
	"""Poll ``probe`` until it returns something truthy (the background worker is at it)."""
	deadline = time.monotonic() + timeout
	while True:
		value = probe()
		if value:
			return value
		if time.monotonic() > deadline:
			raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
		time.sleep(every)


def ensure_company(admin, spec: dict) -> dict:
	if not admin.all("Company", [["name", "=", spec["company"]]]):
		admin.insert(
			"Company",
			{
				"company_name": spec["company"],
				"abbr": spec["abbr"],
				"country": spec["country"],
				"default_currency": spec["currency"],
				"chart_of_accounts": "Standard",
			},
		)
	company = admin.get(f"/api/resource/Company/{spec['company']}")
	price_list = f"OptimAR Day {spec['currency']}"
	if not admin.all("Price List", [["name", "=", price_list]]):
		admin.insert(
			"Price List",
			{"price_list_name": price_list, "currency": spec["currency"], "selling": 1, "enabled": 1},
		)
	company["price_list"] = price_list
	return company


def server_today(admin, company: str) -> dt.date:
	"""The site's today (its time zone, not this machine's): a draft run takes it as its default date."""
	draft = admin.insert("Dunning Run", {"company": company})
	admin.request.delete(f"{BASE}/api/resource/Dunning Run/{draft['name']}")
	return dt.date.fromisoformat(draft["run_date"])


def book_invoice(admin, company: dict, customer: str, amount: float, due_in: int, today: dt.date) -> str:
	due = today + dt.timedelta(days=due_in)
	return admin.insert(
		"Sales Invoice",
		{
			"customer": customer,
			"company": company["name"],
			"currency": company["default_currency"],
			"conversion_rate": 1,
			"selling_price_list": company["price_list"],
			"price_list_currency": company["default_currency"],
			"plc_conversion_rate": 1,
			"debit_to": company["default_receivable_account"],
			"cost_center": company["cost_center"],
			"posting_date": str(min(today - dt.timedelta(days=30), due)),
			"set_posting_time": 1,
			"due_date": str(due),
			"disable_rounded_total": 1,
			"items": [
				{
					"item_code": "OPT-SERVICES",
					"qty": 1,
					"rate": amount,
					"income_account": company["default_income_account"],
					"cost_center": company["cost_center"],
				}
			],
			"docstatus": 1,
		},
	)["name"]


def pay_on_account(admin, company: dict, customer: str, amount: float, today: dt.date) -> str:
	"""A payment received and not matched to any invoice (as a bank transfer nobody has allocated yet)."""
	currency = company["default_currency"]
	return admin.insert(
		"Payment Entry",
		{
			"payment_type": "Receive",
			"company": company["name"],
			"party_type": "Customer",
			"party": customer,
			"paid_from": company["default_receivable_account"],
			"paid_to": company["default_cash_account"],
			"paid_from_account_currency": currency,
			"paid_to_account_currency": currency,
			"paid_amount": amount,
			"received_amount": amount,
			"source_exchange_rate": 1,
			"target_exchange_rate": 1,
			"reference_no": f"ON-ACCOUNT-{secrets.token_hex(3)}",
			"posting_date": str(today),
			"reference_date": str(today),
			"docstatus": 1,
		},
	)["name"]


def receivable_summary(admin, company: str, customers: list[str], today: dt.date) -> dict[str, float]:
	"""Each customer's outstanding in ERPNext's Accounts Receivable (Summary) as the Desk runs it."""
	result = admin.post(
		"/api/method/frappe.desk.query_report.run",
		{
			"report_name": "Accounts Receivable Summary",
			"filters": json.dumps(
				{
					"company": company,
					"report_date": str(today),
					"ageing_based_on": "Due Date",
					"range": "30, 60, 90, 120",
				}
			),
		},
	)
	return {
		row["party"]: round(row["outstanding"], 2)
		for row in result["result"]
		if isinstance(row, dict) and row.get("party") in customers
	}


@pytest.fixture(params=sorted(JOURNEYS))
def day(request, admin, smtp):
	"""The company, its collections mailbox (on the SMTP server above), a collector and three customers:
	``grouped`` (two overdue invoices and one coming due), ``promiser`` (one overdue) and ``paid_some``
	(one overdue, part of it paid on account)."""
	spec = JOURNEYS[request.param]
	tag = secrets.token_hex(3)
	company = ensure_company(admin, spec)
	today = server_today(admin, company["name"])
	mailbox = admin.insert(
		"Email Account",
		{
			"email_account_name": f"AR Day {tag}",
			"email_id": f"ar-{tag}@collections.example.com",
			"enable_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": smtp.port,
			"use_tls": 0,
			"use_ssl": 0,
			"no_smtp_authentication": 1,
			"awaiting_password": 0,
		},
	)
	changes = {
		"enabled": 1,
		"company_time_zone": spec["time_zone"],
		# the morning run's check, whatever hour CI runs at
		"send_window_start": "00:00:00",
		"send_window_end": "23:59:59",
		"default_dunning_sequence": "Standard B2B",
		"email_enabled": 1,
		"group_reminder_emails": 1,
		"reminder_email_account": mailbox["name"],
		"portal_enabled": 1,
		"portal_links_in_reminders": 1,
		"upi_id": spec["upi_id"],
		"upi_payee_name": spec["company"] if spec["upi_id"] else "",
	}
	settings_url = "/api/resource/Collections Settings/Collections Settings"
	system_url = "/api/resource/System Settings/System Settings"
	before = admin.get(settings_url)
	footer_before = admin.get(system_url).get("disable_standard_email_footer") or 0
	admin.put(settings_url, changes)
	# the manager follows the set-up checklist: reminders should not end with "Sent via ERPNext"
	admin.put(system_url, {"disable_standard_email_footer": 0})
	gaps = admin.get("/api/method/optimar_erp.setup.checklist.check_setup")
	assert "footer" in {g["key"] for g in gaps}, gaps
	admin.put(system_url, {"disable_standard_email_footer": 1})
	assert "footer" not in {
		g["key"] for g in admin.get("/api/method/optimar_erp.setup.checklist.check_setup")
	}

	password = secrets.token_urlsafe(12) + "Aa1!"
	collector = admin.insert(
		"User",
		{
			"email": f"collector-{tag}@example.com",
			"first_name": "Dana",
			"last_name": f"Collector {tag}",
			"send_welcome_email": 0,
			"new_password": password,
			"roles": [{"role": "Collector"}, {"role": "Accounts User"}],
		},
	)["name"]
	group = admin.all("Customer Group", [["is_group", "=", 0]])[0]["name"]
	territory = admin.all("Territory", [["is_group", "=", 0]])[0]["name"]

	def customer(label: str) -> str:
		return admin.insert(
			"Customer",
			{
				"customer_name": f"{label} {tag}",
				"customer_type": "Company",
				"customer_group": group,
				"territory": territory,
				"email_id": f"{label.lower().replace(' ', '-')}-{tag}@example.com",
				"collector": collector,
			},
		)["name"]

	grouped, promiser, paid_some = customer("Grouped Books"), customer("Promiser"), customer("Paid Some")
	invoices = {
		grouped: [
			book_invoice(admin, company, grouped, 1200, -8, today),
			book_invoice(admin, company, grouped, 300, -2, today),
			book_invoice(admin, company, grouped, 90, 4, today),
		],
		promiser: [book_invoice(admin, company, promiser, 1500, -8, today)],
		paid_some: [book_invoice(admin, company, paid_some, 1000, -8, today)],
	}
	pay_on_account(admin, company, paid_some, 400, today)
	try:
		yield type(
			"Day",
			(),
			{
				"name": request.param,
				"spec": spec,
				"company": company["name"],
				"today": today,
				"currency": company["default_currency"],
				"mailbox": mailbox["email_id"],
				"collector": collector,
				"password": password,
				"grouped": grouped,
				"promiser": promiser,
				"paid_some": paid_some,
				"customers": [grouped, promiser, paid_some],
				"invoices": invoices,
				"emails": {
					c: admin.get(f"/api/resource/Customer/{c}")["email_id"]
					for c in (grouped, promiser, paid_some)
				},
			},
		)
	finally:
		admin.put(settings_url, {field: before.get(field) or "" for field in changes})
		admin.put(system_url, {"disable_standard_email_footer": footer_before})


def logged_in(browser, user: str, password: str):
	context = browser.new_context(viewport={"width": 1440, "height": 1000})
	response = context.request.post(f"{BASE}/api/method/login", form={"usr": user, "pwd": password})
	assert response.ok, f"login of {user} failed: {response.status} {response.text()[:200]}"
	page = context.new_page()
	errors: list[str] = []
	page.on("pageerror", lambda e: errors.append(str(e)))
	page.set_default_timeout(30_000)
	return context, page, errors


def test_a_collections_day(day, admin, browser, smtp):
	name = day.name

	# 1. the morning run, carried out by the background worker
	run = admin.insert("Dunning Run", {"company": day.company, "docstatus": 1})["name"]
	status = wait_for(
		f"Dunning Run {run} to finish",
		lambda: (
			admin.get(f"/api/resource/Dunning Run/{run}")["status"] in ("Completed", "Failed")
			and admin.get(f"/api/resource/Dunning Run/{run}")
		),
	)
	assert status["status"] == "Completed", status.get("error")
	assert status["failed"] == 0, status
	sent = admin.all(
		"Collection Activity",
		[["customer", "in", day.customers], ["activity_type", "=", "Reminder"], ["status", "=", "Sent"]],
		fields=("customer", "sales_invoice"),
	)
	assert sorted(a["sales_invoice"] for a in sent) == sorted(sum(day.invoices.values(), [])), sent

	# 5 (delivered by the worker, flushed now as the scheduler would): one email per customer; a customer with
	# one reminder gets it about its invoice, one with several gets one email about all of them
	def queued():
		rows = admin.all(
			"Email Queue",
			[["reference_name", "in", day.customers + sum(day.invoices.values(), [])]],
			fields=("name", "reference_doctype", "reference_name", "status"),
		)
		return rows if len(rows) >= 3 else None

	rows = wait_for("the reminders in the email queue", queued)
	assert sorted((r["reference_doctype"], r["reference_name"]) for r in rows) == sorted(
		[
			("Customer", day.grouped),
			("Sales Invoice", day.invoices[day.promiser][0]),
			("Sales Invoice", day.invoices[day.paid_some][0]),
		]
	), rows
	for row in rows:
		admin.post("/api/method/frappe.email.doctype.email_queue.email_queue.send_now", {"name": row["name"]})
	wait_for(
		"the SMTP server to receive three emails",
		lambda: len(smtp.messages) >= 3 and all(smtp.to(day.emails[c]) for c in day.customers),
		timeout=60,
		every=0.5,
	)
	letters = {c: smtp.to(day.emails[c]) for c in day.customers}
	for customer, received in letters.items():
		assert len(received) == 1, f"one email for {customer}, got {len(received)}"
		message = received[0]
		assert day.mailbox in message["From"] and day.company in message["From"], message["From"]
		assert day.mailbox in message["Reply-To"], message["Reply-To"]
		assert message["List-Unsubscribe"] is None
		assert "Leave this conversation" not in message.as_string()
		assert "Sent via" not in message.as_string()
	letter = letters[day.grouped][0]
	html = (letter.get_body(("html",)) or letter.get_body(("plain",))).get_content()
	overdue, friendly, coming = day.invoices[day.grouped]
	assert html.index(overdue) < html.index("Coming due") < html.index(coming), (
		"overdue first, coming due apart"
	)
	if day.name == "india":  # the Indian company's own conventions (CLDR: 26-Nov-2026, or 26 Nov 2026 in
		# the Babel of Frappe v16), on a site set up in the US
		assert re.search(r"\b\d{2}[- ][A-Z][a-z]{2}[- ]\d{4}\b", html) and "₹1,200.00" in html, html
	else:
		assert re.search(r"\b\d{2}-\d{2}-\d{4}\b", html) and "$" in html, html
	email_view = browser.new_context(viewport={"width": 900, "height": 1100})
	shown = email_view.new_page()
	shown.set_content(html)
	shot(shown, f"day-{name}-0-grouped-email")
	email_view.close()

	# 2. the Collector's worklist: the overdue customers are all on it
	context, page, errors = logged_in(browser, day.collector, day.password)
	page.goto(f"{BASE}/app/query-report/Collections Worklist?company={day.company}")
	for customer in day.customers:
		expect(
			page.locator(f".dt-row .optimar-wl-action[data-wl-action='call'][data-customer='{customer}']")
		).to_be_visible(timeout=60_000)
	shot(page, f"day-{name}-1-worklist-after-the-morning-run")

	# 3. a call and a promise, logged from the worklist
	page.locator(f".optimar-wl-action[data-wl-action='call'][data-customer='{day.grouped}']").click()
	dialog = page.locator(".modal.show")
	dialog.locator("select[data-fieldname='outcome']").select_option("Reached - Will Pay")
	dialog.locator("textarea[data-fieldname='notes']").fill("Spoke to accounts payable: paying on Friday")
	shot(page, f"day-{name}-2-log-call")
	dialog.locator(".btn-primary", has_text="Log").click()
	expect(page.locator(f".optimar-wl-action[data-customer='{day.grouped}']")).to_have_count(0)

	page.locator(f".optimar-wl-action[data-wl-action='promise'][data-customer='{day.promiser}']").click()
	dialog = page.locator(".modal.show")
	expect(dialog).to_contain_text("Record Promise to Pay")
	promised = str(day.today + dt.timedelta(days=10))
	page.wait_for_function("() => (window.cur_dialog?.title || '').includes('Promise')")
	page.evaluate(
		"(v) => cur_dialog.set_values({promised_amount: 1500, promised_date: v, notes: 'Wire on payment run'})",
		promised,
	)
	shot(page, f"day-{name}-3-record-promise")
	dialog.locator(".btn-primary", has_text="Record").click()
	expect(page.locator(".modal.show")).to_have_count(0)

	page.goto(f"{BASE}/app/customer/{day.grouped}")
	expect(page.locator(".timeline-item", has_text="Call by")).to_contain_text("Reached - Will Pay")
	page.locator(".timeline-item", has_text="Call by").first.scroll_into_view_if_needed()
	shot(page, f"day-{name}-4-call-in-the-customer-timeline")
	page.goto(f"{BASE}/app/customer/{day.promiser}")
	expect(page.locator(".timeline-item", has_text="Promise by").first).to_be_visible()
	page.locator(".timeline-item", has_text="Promise by").first.scroll_into_view_if_needed()
	shot(page, f"day-{name}-5-promise-in-the-customer-timeline")
	context.close()
	assert not errors, f"JavaScript errors in the Collector's Desk: {errors}"

	# 4. the customer opens the reminder's link: ERPNext's balance, money on account included
	letter = letters[day.paid_some][0]
	body = (letter.get_body(("html",)) or letter.get_body(("plain",))).get_content()
	links = re.findall(r'href="([^"]*/customer-portal\?token=[^"]+)"', body)
	assert links, "the reminder links the customer's own page"
	assert not re.search(r'href="[^"]*/invoices/', body), "no link to a page that refuses the recipient"
	expected = receivable_summary(admin, day.company, day.customers, day.today)
	assert expected[day.paid_some] == 600, expected
	customer_view = browser.new_context(viewport={"width": 1280, "height": 1000})
	page = customer_view.new_page()
	errors = []
	page.on("pageerror", lambda e: errors.append(str(e)))
	page.goto(PORTAL + "?" + urlparse(links[0].replace("&amp;", "&")).query)
	balance = page.locator(f".portal-balance[data-company='{day.company}']")
	expect(balance).to_be_visible()
	assert money(balance.inner_text()) == expected[day.paid_some], (balance.inner_text(), expected)
	expect(page.locator(".portal-credit")).to_be_visible()
	assert money(page.locator(".portal-net td").inner_text()) == expected[day.paid_some]
	shot(page, f"day-{name}-6-customer-page-from-the-reminder")
	invoice = day.invoices[day.paid_some][0]
	row = page.locator(f"tr.portal-invoice[data-invoice='{invoice}']")
	assert row.locator(".portal-pay").count() == 0, "no Pay button where no gateway takes the payment"
	if day.spec["upi_id"]:
		row.locator(".portal-upi").click()
		upi = page.locator("#portal-upi-dialog")
		expect(upi).to_be_visible()
		href = page.locator("#upi-link").get_attribute("href")
		upi_query = parse_qs(urlparse(href).query)
		assert href.startswith("upi://pay?"), href
		assert upi_query["pa"] == [day.spec["upi_id"]] and upi_query["cu"] == ["INR"], href
		assert upi_query["tn"] == [invoice], href
		shot(page, f"day-{name}-7-pay-by-upi")
		page.keyboard.press("Escape")
	row.locator(".portal-promise").click()
	dialog = page.locator("#portal-promise-dialog")
	expect(dialog).to_be_visible()
	dialog.get_by_label("Amount you will pay").fill("600")
	date = dialog.get_by_label("Payment date")
	date.fill(str(dt.date.fromisoformat(date.get_attribute("min")) + dt.timedelta(days=7)))
	dialog.get_by_label("Note (optional)").fill("Paying the rest next week")
	dialog.get_by_role("button", name="Send Promise").click()
	expect(page.locator("#portal-status")).to_contain_text("promise to pay")
	expect(row.locator(".portal-badge-promised")).to_be_visible()
	shot(page, f"day-{name}-8-customer-promised")
	customer_view.close()
	assert not errors, f"JavaScript errors on the customer's page: {errors}"
	promises = admin.all(
		"Promise To Pay",
		[["customer", "=", day.paid_some], ["source", "=", "Portal"]],
		fields=("name", "promised_amount"),
	)
	assert [p["promised_amount"] for p in promises] == [600], promises
