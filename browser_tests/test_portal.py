"""The customer portal in headless Chromium against the bench's web server: a website user and a signed
link see their invoices, download PDFs, promise, dispute and confirm their balance; what they send shows up
in the Desk (read back through the REST API as Administrator); other customers' documents, bad links and
CSRF-less posts are refused with nothing leaked and nothing written."""

import datetime as dt
import json
import re
from urllib.parse import urlparse

from conftest import BASE, make_portal_account, shot
from playwright.sync_api import expect

expect.set_options(timeout=20_000)  # a busy CI machine: the page reloads after each submission

PORTAL = f"{BASE}/customer-portal"
API = f"{BASE}/api/method/optimar_erp.portal.api."


def _one_page_pdf() -> bytes:
	"""A real one-page PDF (catalogue, page tree, cross-reference table): the portal refuses a PDF it
	cannot read, and Frappe v16 parses every uploaded PDF."""
	objects = (
		b"<< /Type /Catalog /Pages 2 0 R >>",
		b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
	)
	out, offsets = b"%PDF-1.4\n", []
	for number, body in enumerate(objects, 1):
		offsets.append(len(out))
		out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
	xref = len(out)
	out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
	out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
	return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


PDF = _one_page_pdf()


def day(offset: int, start: str | None = None) -> str:
	"""``offset`` days from ``start`` (the server's today, as the page gives it) or from today here."""
	base = dt.date.fromisoformat(start) if start else dt.date.today()
	return str(base + dt.timedelta(days=offset))


def row(page, invoice: str):
	return page.locator(f"tr.portal-invoice[data-invoice='{invoice}']")


def signed_link(admin, customer: str) -> str:
	"""A new link from the Desk method, pointed at the server under test."""
	url = admin.post(
		"/api/method/optimar_erp.portal.links.create_portal_link", {"customer": customer, "days": 2}
	)
	return PORTAL + "?" + urlparse(url).query


def promise_through_dialog(page, invoice: str, amount: str, note: str):
	row(page, invoice).locator(".portal-promise").click()
	dialog = page.locator("#portal-promise-dialog")
	expect(dialog).to_be_visible()
	dialog.get_by_label("Amount you will pay").fill(amount)
	date = dialog.get_by_label("Payment date")
	date.fill(day(12, start=date.get_attribute("min")))  # the server's today, whatever its time zone
	dialog.get_by_label("Note (optional)").fill(note)
	return dialog


def test_website_user_sees_invoices_downloads_pdf_promises_disputes_and_confirms(portal, admin):
	page = portal.page
	overdue, due_soon, not_due = portal.invoices
	page.goto(PORTAL)
	for invoice in portal.invoices:
		expect(row(page, invoice)).to_be_visible()
	expect(row(page, overdue).locator(".portal-badge-overdue")).to_be_visible()
	expect(page.locator(".portal-aging")).to_contain_text("31-60 days")
	shot(page, "portal-invoices")

	# the invoice PDF
	with page.expect_download() as download:
		row(page, overdue).get_by_role("link", name=f"Download invoice {overdue} as PDF").click()
	assert open(download.value.path(), "rb").read(5) == b"%PDF-"

	# promise to pay, through the dialog
	dialog = promise_through_dialog(page, overdue, "700", "Paying part now, the rest next month")
	shot(page, "portal-promise-dialog")
	dialog.get_by_role("button", name="Send Promise").click()
	expect(page.locator("#portal-status")).to_contain_text("promise to pay")
	expect(row(page, overdue).locator(".portal-badge-promised")).to_be_visible()
	shot(page, "portal-promise-recorded")
	promises = admin.all(
		"Promise To Pay",
		[["customer", "=", portal.customer]],
		["name", "source", "channel", "promised_amount", "status"],
	)
	assert len(promises) == 1 and promises[0]["source"] == "Portal" and promises[0]["promised_amount"] == 700
	assert promises[0]["status"] == "Open"

	# a dispute with a PDF attachment
	row(page, due_soon).locator(".portal-dispute").click()
	dialog = page.locator("#portal-dispute-dialog")
	dialog.get_by_label("Reason").select_option("Quantity")
	dialog.get_by_label("Disputed amount").fill("300")
	dialog.get_by_label("What is wrong?").fill("Only 5 of the 8 hours were worked")
	dialog.get_by_label(re.compile("Attachment")).set_input_files(
		{"name": "timesheet.pdf", "mimeType": "application/pdf", "buffer": PDF}
	)
	shot(page, "portal-dispute-dialog")
	dialog.get_by_role("button", name="Send Dispute").click()
	expect(page.locator("#portal-status")).to_contain_text("dispute")
	expect(row(page, due_soon).locator(".portal-badge-disputed")).to_be_visible()
	disputes = admin.all(
		"Dispute", [["customer", "=", portal.customer]], ["name", "source", "reason_code", "disputed_amount"]
	)
	assert [(d["source"], d["reason_code"], d["disputed_amount"]) for d in disputes] == [
		("Portal", "Quantity", 300)
	]
	files = admin.all(
		"File",
		[["attached_to_doctype", "=", "Dispute"], ["attached_to_name", "=", disputes[0]["name"]]],
		["is_private"],
	)
	assert files == [{"is_private": 1}]

	# confirm the balance
	form = page.locator("#portal-confirm-form")
	as_of = form.get_by_label("Balance as of")
	assert as_of.input_value() == as_of.get_attribute("max"), "today by default"
	form.get_by_label("Yes, I confirm this balance").check()
	shot(page, "portal-balance-confirmation")
	form.get_by_role("button", name="Send My Answer").click()
	expect(page.locator("#portal-status")).to_contain_text("answer has been recorded")
	confirmations = admin.all(
		"Balance Confirmation",
		[["customer", "=", portal.customer]],
		["response", "balance", "confirmed_by", "ip_address"],
	)
	assert len(confirmations) == 1
	assert confirmations[0]["response"] == "Confirmed" and confirmations[0]["confirmed_by"] == portal.user
	assert confirmations[0]["balance"] == 1200 + 800 + 450, "computed by the server from the ledger"
	assert confirmations[0]["ip_address"]

	# the statement of account
	statement = page.locator("#portal-statement-form")
	statement.get_by_label("From").fill(day(-60))
	with page.expect_download() as download:
		statement.get_by_role("button", name="Download Statement (PDF)").click()
	assert open(download.value.path(), "rb").read(5) == b"%PDF-"
	assert not_due in page.content()


def test_phone_layout_turns_rows_into_cards(portal):
	page = portal.page
	page.set_viewport_size({"width": 390, "height": 844})
	page.goto(PORTAL)
	first = row(page, portal.invoices[0])
	expect(first).to_be_visible()
	assert first.evaluate("r => getComputedStyle(r).display") == "block", "each invoice is a card"
	label = first.locator("td").nth(3).evaluate("c => getComputedStyle(c, '::before').content")
	assert "Due Date" in label, "each cell is labelled by its column"
	shot(page, "portal-mobile")
	# every form control has a label
	unlabelled = page.evaluate(
		"""() => Array.from(document.querySelectorAll(
			"#optimar-portal input, #optimar-portal select, #optimar-portal textarea"
		)).filter(el => el.type !== "hidden" && !el.labels.length && !el.getAttribute("aria-label"))
		.map(el => el.id || el.name)"""
	)
	assert unlabelled == []
	# keyboard: the dialog opens from the keyboard and Escape closes it, focus returns to the button
	button = first.locator(".portal-promise")
	button.focus()
	page.keyboard.press("Enter")
	expect(page.locator("#portal-promise-dialog")).to_be_visible()
	page.keyboard.press("Escape")
	expect(page.locator("#portal-promise-dialog")).to_be_hidden()
	assert button.evaluate("b => b === document.activeElement")


def test_signed_link_opens_the_page_without_a_password(browser, admin):
	account = make_portal_account(admin, "Portal Link", amounts_due=((900, -20), (350, 5)))
	url = signed_link(admin, account.customer)
	context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
	page = context.new_page()
	errors = []
	page.on("pageerror", lambda e: errors.append(str(e)))
	try:
		response = page.goto(url)
		expect(row(page, account.invoices[0])).to_be_visible()
		assert page.get_by_role("link", name=re.compile("View and pay")).count() == 0, (
			"no login: no ERPNext page"
		)
		# served by the portal's own renderer (optimar_erp.portal.page), which gzips the page
		assert response.headers.get("content-encoding") == "gzip", response.headers
		shot(page, "portal-signed-link")
		with page.expect_download() as download:
			row(page, account.invoices[1]).get_by_role("link", name=re.compile("Download invoice")).click()
		assert open(download.value.path(), "rb").read(5) == b"%PDF-"

		dialog = promise_through_dialog(page, account.invoices[0], "900", "Full payment")
		dialog.get_by_role("button", name="Send Promise").click()
		expect(page.locator("#portal-status")).to_contain_text("promise to pay")

		# a balance confirmation is an audit statement: the link offers a login instead of the form
		expect(page.locator("#portal-confirm-form")).to_have_count(0)
		expect(page.locator(".portal-login-note a")).to_have_attribute(
			"href", "/login?redirect-to=/customer-portal"
		)
		shot(page, "portal-signed-link-promised")
	finally:
		context.close()
	assert not errors, errors
	promise = admin.all("Promise To Pay", [["customer", "=", account.customer]], ["source", "owner"])
	assert promise == [{"source": "Portal", "owner": "Guest"}]
	assert admin.all("Balance Confirmation", [["customer", "=", account.customer]], ["name"]) == []
	link = admin.all("Portal Access Link", [["customer", "=", account.customer]], ["use_count", "customer"])
	assert link and link[0]["use_count"] >= 2


def test_refusals_leak_nothing_and_write_nothing(browser, portal, admin):
	page = portal.page
	other = make_portal_account(admin, "Portal Other", amounts_due=((640, -15),))
	theirs = other.invoices[0]
	page.goto(PORTAL)
	csrf = page.evaluate("frappe.csrf_token")
	request = page.context.request

	def count(doctype):
		return len(admin.all(doctype, [["customer", "in", [portal.customer, other.customer]]]))

	before = {d: count(d) for d in ("Promise To Pay", "Dispute", "Balance Confirmation")}
	promise = {"invoices": json.dumps([portal.invoices[0]]), "amount": "10", "promised_date": day(5)}

	# a logged-in website user's POST without the CSRF token is refused
	response = request.post(API + "promise", form=promise)
	assert response.status in (400, 403), response.status
	response = request.post(API + "confirm_balance", form={"as_of_date": day(0), "response": "Confirmed"})
	assert response.status in (400, 403), response.status
	# with the token but for another customer's invoice, or naming another customer
	headers = {"X-Frappe-CSRF-Token": csrf}
	for method, form in (
		("promise", {**promise, "invoices": json.dumps([theirs])}),
		("dispute", {"invoice": theirs, "reason": "Pricing", "amount": "5", "note": "x"}),
		("confirm_balance", {"as_of_date": day(0), "response": "Confirmed", "customer": other.customer}),
		("pay", {"invoice": theirs}),
	):
		response = request.post(API + method, form=form, headers=headers)
		assert response.status == 403, (method, response.status)
		assert theirs not in response.text() and other.customer not in response.text()
	for method, params in (
		("invoice_pdf", {"invoice": theirs}),
		("upi", {"invoices": json.dumps([theirs])}),
		("balance", {"customer": other.customer}),
	):
		response = request.get(API + method, params=params)
		assert response.status == 403, (method, response.status)
		assert theirs not in response.text()
	# GET cannot write
	assert request.get(API + "promise", params=promise).status in (403, 405)

	# bad links: tampered, revoked; as a guest, page and endpoints
	url = signed_link(admin, portal.customer)
	token = url.split("token=")[1]
	tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
	name = admin.all("Portal Access Link", [["customer", "=", portal.customer]], ["name"])[0]["name"]
	admin.post("/api/method/optimar_erp.portal.links.revoke_portal_link", {"name": name})
	guest = browser.new_context()
	try:
		guest_page = guest.new_page()
		for bad in (tampered, token):
			response = guest_page.goto(f"{PORTAL}?token={bad}")
			assert response.status == 403
			html = guest_page.content()
			assert "This link is not valid" in html
			assert not any(invoice in html for invoice in portal.invoices)
			response = guest.request.post(API + "promise", form={**promise, "token": bad})
			assert response.status == 403
			response = guest.request.get(
				API + "invoice_pdf", params={"invoice": portal.invoices[0], "token": bad}
			)
			assert response.status == 403 and not response.body().startswith(b"%PDF")
		shot(guest_page, "portal-link-refused")
		# no link, not logged in: the login page
		guest_page.goto(PORTAL)
		assert "/login" in guest_page.url
	finally:
		guest.close()
	assert {d: count(d) for d in before} == before, "nothing was written"
