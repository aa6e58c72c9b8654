"""The customer portal's endpoints, called by /customer-portal.

Each one resolves the viewer again, from ``token`` (a signed link: guests allowed) or from the session
(a website user linked to the customer; ``customer`` picks one when they are linked to several), and reads
or writes only that customer's documents. Writes are POST only; for a logged-in session they need its
CSRF token. Every endpoint is rate limited per client address (``client.rate_limited``). A write is
the request's unit of work: on a deadlock or snapshot conflict it starts again from resolving the viewer
(whose link use it counts), so a second promise on an invoice is refused, never an error.
"""

import frappe
from frappe import _
from frappe.utils import flt, fmt_money, formatdate, getdate, today

from optimar_erp.portal import access, actions, gateway, links
from optimar_erp.portal.client import rate_limited
from optimar_erp.queries import portal
from optimar_erp.writes import restart_on_write_conflict

READS_PER_10_MINUTES = 120
WRITES_PER_10_MINUTES = 30
WINDOW = 10 * 60
STATEMENT_MAX_DAYS = 2 * 366


def _upload() -> actions.Attachment | None:
	request = getattr(frappe.local, "request", None)
	files = getattr(request, "files", None)
	upload = files.get("attachment") if files else None
	if not upload or not upload.filename:
		return None
	return actions.Attachment(upload.filename, upload.stream.read(actions.MAX_ATTACHMENT_BYTES + 1))


def _download(filename: str, content: bytes) -> None:
	frappe.local.response.filename = filename
	frappe.local.response.filecontent = content
	frappe.local.response.content_type = "application/pdf"
	frappe.local.response.type = "download"


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limited(WRITES_PER_10_MINUTES, WINDOW)
@restart_on_write_conflict
def promise(
	invoices: str | list,
	amount: str | float | None = None,
	promised_date: str | None = None,
	note: str | None = None,
	token: str | None = None,
	customer: str | None = None,
) -> dict:
	"""Promise to pay ``amount`` by ``promised_date`` for these open invoices."""
	viewer = access.resolve(token, customer, write=True)
	name = actions.record_promise(viewer, invoices, amount, promised_date, note, _upload())
	return {"name": name, "message": _("Thank you. We have recorded your promise to pay.")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limited(WRITES_PER_10_MINUTES, WINDOW)
@restart_on_write_conflict
def dispute(
	invoice: str,
	reason: str | None = None,
	amount: str | float | None = None,
	note: str | None = None,
	token: str | None = None,
	customer: str | None = None,
) -> dict:
	"""Dispute an open invoice; reminders for it stop while the dispute is open."""
	viewer = access.resolve(token, customer, write=True)
	name = actions.raise_dispute(viewer, invoice, reason, amount, note, _upload())
	return {
		"name": name,
		"message": _("Thank you. We have received your dispute {0} and will be in touch.").format(name),
	}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limited(WRITES_PER_10_MINUTES, WINDOW)
def confirm_balance(
	as_of_date: str | None = None,
	response: str | None = None,
	company: str | None = None,
	difference_amount: str | float | None = None,
	note: str | None = None,
	token: str | None = None,
	customer: str | None = None,
) -> dict:
	"""Confirm (or dispute) the balance of the account as of a date; the balance is the server's.

	Logged-in users only: a balance confirmation is an audit statement, and a reminder's signed link
	(whoever holds it) may only view, pay, promise and dispute."""
	if token:  # refused before the link is looked up: nothing is counted or written
		access.deny(
			_(
				"Please log in to confirm your balance: a reminder's link can only view, pay, promise and dispute."
			)
		)
	viewer = access.resolve(token, customer, write=True)
	name = actions.confirm_balance(viewer, company, as_of_date, response, difference_amount, note)
	return {"name": name, "message": _("Thank you. Your answer has been recorded.")}


@frappe.whitelist(allow_guest=True, methods=["POST"])
@rate_limited(WRITES_PER_10_MINUTES, WINDOW)
@restart_on_write_conflict
def pay(invoice: str, token: str | None = None, customer: str | None = None) -> dict:
	"""Start an online payment of an open invoice: the gateway's URL of its open Payment Request (made
	when there is none for its outstanding). Works again and again: a second Pay reuses the request."""
	viewer = access.resolve(token, customer, write=True)
	access.own_open_invoices(viewer, [invoice])
	return {"url": gateway.payment_url(invoice)}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limited(READS_PER_10_MINUTES, WINDOW)
def invoice_pdf(invoice: str, token: str | None = None, customer: str | None = None) -> None:
	"""The invoice's PDF (the Sales Invoice's default print format)."""
	viewer = access.resolve(token, customer)
	row = access.own_invoice(viewer, invoice)
	_download(f"{row.name}.pdf", invoice_print(row.name, as_pdf=True))


def invoice_print(name: str, as_pdf: bool = False) -> str | bytes:
	"""The invoice in its default print format, for a viewer already checked to own it: website users
	and link holders have no print permission of their own. (wkhtmltopdf fetches the print stylesheet
	from the site's web server.)"""
	frappe.flags.ignore_print_permissions = True
	try:
		return frappe.get_print("Sales Invoice", name, as_pdf=as_pdf)
	finally:
		frappe.flags.ignore_print_permissions = False


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limited(READS_PER_10_MINUTES, WINDOW)
def statement_pdf(
	from_date: str | None = None,
	to_date: str | None = None,
	company: str | None = None,
	token: str | None = None,
	customer: str | None = None,
) -> None:
	"""The statement of account of the period, as a PDF."""
	from frappe.utils.pdf import get_pdf

	viewer = access.resolve(token, customer)
	company = access.own_company(viewer, company)
	start, end = statement_period(from_date, to_date)
	html = statement_html(viewer.customer, company, start, end)
	_download(f"Statement {viewer.customer} {start} {end}.pdf", get_pdf(html))


def statement_html(customer: str, company: str, start, end) -> str:
	"""The statement of account as the customer receives it: the company's letterhead and the customer's
	address, the ledger of the period, the open invoices by age, and where to pay."""
	statement = formatted_statement(portal.statement(customer, company, start, end))
	open_rows = [row for row in portal.open_invoices(customer) if row.company == company]
	context = {
		"customer": customer,
		"customer_name": frappe.db.get_value("Customer", customer, "customer_name"),
		"company": company,
		"statement": statement,
		"aging": [
			{
				**entry,
				"buckets_formatted": [fmt_money(v, currency=entry["currency"]) for v in entry["buckets"]],
				"total_formatted": fmt_money(entry["total"], currency=entry["currency"]),
			}
			for entry in portal.aging(open_rows, end)
		],
		"letterhead": portal.letterhead(company, customer),
		"printed_on": formatdate(today()),
		"lang": frappe.local.lang or "en",
	}
	return frappe.render_template("optimar_erp/templates/portal/statement.html", context)


def formatted_statement(statement: dict) -> dict:
	"""The statement with its dates and amounts formatted for printing."""
	currency = statement["currency"]

	def money(value, blank_zero=False):
		return "" if blank_zero and not flt(value) else fmt_money(value, currency=currency)

	return {
		**statement,
		"from_date_formatted": formatdate(statement["from_date"]),
		"to_date_formatted": formatdate(statement["to_date"]),
		"opening_formatted": money(statement["opening"]),
		"debits_formatted": money(statement["debits"]),
		"credits_formatted": money(statement["credits"]),
		"closing_formatted": money(statement["closing"]),
		"lines": [
			{
				**line,
				"date_formatted": formatdate(line["posting_date"]),
				"debit_formatted": money(line["debit"], blank_zero=True),
				"credit_formatted": money(line["credit"], blank_zero=True),
				"balance_formatted": money(line["balance"]),
			}
			for line in statement["lines"]
		],
	}


def statement_period(from_date, to_date) -> tuple:
	try:
		start, end = getdate(from_date), getdate(to_date)
	except Exception:
		start = end = None
	if not (from_date and to_date and start and end):
		frappe.throw(_("Enter the first and the last day of the statement."), title=_("Statement"))
	if start > end:
		frappe.throw(_("The statement must start before it ends."), title=_("Statement"))
	if end > getdate(today()):
		frappe.throw(_("The statement cannot end in the future."), title=_("Statement"))
	if (end - start).days > STATEMENT_MAX_DAYS:
		frappe.throw(_("A statement covers at most two years."), title=_("Statement"))
	return start, end


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limited(READS_PER_10_MINUTES, WINDOW)
def balance(
	as_of_date: str | None = None,
	company: str | None = None,
	token: str | None = None,
	customer: str | None = None,
) -> dict:
	"""The account balance as of a date, as the balance confirmation will record it."""
	viewer = access.resolve(token, customer)
	company = access.own_company(viewer, company)
	try:
		as_of = getdate(as_of_date or today())
	except Exception:
		as_of = None
	if not as_of or as_of > getdate(today()):
		frappe.throw(_("Choose a date up to today."), title=_("Date"))
	amount, currency = portal.party_balance(viewer.customer, company, as_of)
	return {
		"balance": amount,
		"currency": currency,
		"formatted": fmt_money(amount, currency=currency),
		"as_of_date": str(as_of),
	}


@frappe.whitelist(allow_guest=True, methods=["GET"])
@rate_limited(READS_PER_10_MINUTES, WINDOW)
def upi(invoices: str | list, token: str | None = None, customer: str | None = None) -> dict:
	"""A UPI payment link and its QR code (PNG data URI) for these open INR invoices."""
	import pyqrcode

	viewer = access.resolve(token, customer)
	rows = access.own_open_invoices(viewer, invoices)
	settings = frappe.get_cached_doc("Collections Settings")
	if not settings.upi_id or any(row.currency != "INR" for row in rows.values()):
		frappe.throw(_("UPI payment is available for invoices in Indian rupees only."))
	total = flt(sum(flt(row.outstanding_amount) for row in rows.values()), 2)
	link = links.upi_link(settings.upi_id, settings.upi_payee_name, total, ", ".join(rows))
	qr = pyqrcode.create(link, error="M").png_as_base64_str(scale=5)
	return {
		"link": link,
		"qr": f"data:image/png;base64,{qr}",
		"amount": fmt_money(total, currency="INR"),
		"invoices": list(rows),
	}
