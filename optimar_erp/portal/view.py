"""The context of the /customer-portal page for one viewer: invoices with their status, aging totals,
balances, and which ways to pay are on offer.

The page lists every open invoice (200 and more for large customers), so everything a row shows is
computed here once per page: labels translated once, amounts and dates formatted with the site's settings
read once (``fmt_money`` and ``formatdate`` look them up again for every value), escaped for HTML with
the standard library's ``html.escape`` (Frappe's ``escape_html`` walks every character in Python).
"""

from html import escape
from urllib.parse import quote, urlencode

import frappe
from frappe import _
from frappe.utils import (
	add_days,
	add_months,
	cint,
	flt,
	fmt_money,
	get_first_day,
	getdate,
	today,
)

from optimar_erp.compat import number_format_info
from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.dunning import interest
from optimar_erp.portal import access, actions, gateway, links
from optimar_erp.queries import portal
from optimar_erp.queries.ledger import credits_on_account

API = "/api/method/optimar_erp.portal.api."
NUMERIC_DATE_PARTS = (("yyyy", "%Y"), ("dd", "%d"), ("mm", "%m"))


class Formats:
	"""Money and dates as ``fmt_money`` and ``formatdate`` write them, with the site's number format,
	precision, date format and each currency's symbol looked up once."""

	def __init__(self):
		self.number_format = frappe.db.get_default("number_format") or "#,###.##"
		self.precision = cint(frappe.db.get_default("currency_precision")) or None
		if self.precision is None:
			self.precision = number_format_info(self.number_format)[2]
		self.hide_symbol = frappe.defaults.get_global_default("hide_currency_symbol") == "Yes"
		date_format = frappe.db.get_default("date_format") or "yyyy-mm-dd"
		self.strftime = date_format
		for part, code in NUMERIC_DATE_PARTS:
			self.strftime = self.strftime.replace(part, code)
		if any(c.isalpha() for c in self.strftime.replace("%Y", "").replace("%d", "").replace("%m", "")):
			self.strftime = None  # not a numeric format: leave it to formatdate
		self.currencies = {}
		self.dates = {}
		self.amounts = {}  # an open invoice's total and outstanding are mostly the same amount

	def _currency(self, currency: str) -> tuple[int, str, bool]:
		if currency not in self.currencies:
			symbol, right, fraction = frappe.db.get_value(
				"Currency", currency, ("symbol", "symbol_on_right", "fraction_units"), cache=True
			) or (None, 0, 100)
			precision = self.precision
			if precision > 2:
				precision = len(str(cint(fraction) or 100)) - 1
			self.currencies[currency] = (precision, _(symbol or currency), bool(right))
		return self.currencies[currency]

	def money(self, amount, currency: str) -> str:
		key = (flt(amount), currency)
		if key not in self.amounts:
			precision, symbol, right = self._currency(currency)
			number = fmt_money(key[0], precision=precision, format=self.number_format)
			if self.hide_symbol:
				self.amounts[key] = number
			else:
				self.amounts[key] = f"{number} {symbol}" if right else f"{symbol} {number}"
		return self.amounts[key]

	def date(self, value) -> str:
		if not value:
			return ""
		if value not in self.dates:
			from frappe.utils import formatdate

			day = getdate(value)
			self.dates[value] = day.strftime(self.strftime) if self.strftime else formatdate(day)
		return self.dates[value]


def labels() -> dict:
	"""Every label the rows repeat, translated once."""
	return {
		key: _(text)
		for key, text in {
			"select": "Select",
			"invoice": "Invoice",
			"date": "Date",
			"due_date": "Due Date",
			"days_overdue": "Days Overdue",
			"total": "Total",
			"outstanding": "Outstanding",
			"status": "Status",
			"actions": "Actions",
			"paid_on": "Paid On",
			"paid": "Paid",
			"pdf": "PDF",
			"pay": "Pay",
			"view_pay": "View / Pay",
			"upi": "UPI",
			"promise": "Promise",
			"dispute": "Dispute",
		}.items()
	}


STATUSES = {
	"disputed": "Disputed",
	"promised": "Promised",
	"overdue": "Overdue",
	"due": "Due Today",
	"not-due": "Not Due",
}


def _status(name: str, days_overdue: int, promised: dict, disputed: dict) -> tuple[str, object]:
	"""(css key, detail) of an open invoice: what is promised or disputed comes first."""
	if name in disputed:
		return "disputed", disputed[name]
	if name in promised:
		return "promised", promised[name]
	if days_overdue > 0:
		return "overdue", None
	return ("due" if days_overdue == 0 else "not-due"), None


def _late_charges(due: tuple[float, float], currency: str, formats) -> dict:
	"""``interest_due`` and ``fees_due`` shown under the aging ("" when none)."""
	return {
		key: formats.money(amount, currency) if amount > 0.005 else ""
		for key, amount in zip(("interest_due", "fees_due"), due, strict=True)
	}


def page_context(viewer: access.Viewer, token: str | None = None) -> dict:
	settings = frappe.get_cached_doc("Collections Settings")
	formats = Formats()
	on = getdate(today())
	scope = urlencode({"token": token} if viewer.via_link else {"customer": viewer.customer})
	open_rows = portal.open_invoices(viewer.customer)
	paid_days = cint(settings.portal_paid_days) or 90
	paid_rows = portal.recently_paid(viewer.customer, paid_days)
	promised, disputed = portal.promises_and_disputes(viewer.customer)
	# online payment is in the invoice's own currency, into an account of its company
	served = {(r.company, r.invoice_currency) for r in open_rows}
	gateways = {key: gateway.gateway_account(key[1], key[0]) for key in served}
	statuses = {key: _(label) for key, label in STATUSES.items()}
	promised_by = _("by {0}")
	# escaped once here, then filled with escaped invoice names
	aria = {
		key: escape(text)
		for key, text in {
			"select": _("Select invoice {0}"),
			"pdf": _("Download invoice {0} as PDF"),
			"pay": _("Pay invoice {0} online"),
			"view_pay": _("View and pay invoice {0}"),
			"upi": _("Pay invoice {0} by UPI"),
			"promise": _("Promise to pay invoice {0}"),
			"dispute": _("Dispute invoice {0}"),
		}.items()
	}

	def pdf_url(name: str) -> str:
		return escape(f"{API}invoice_pdf?invoice={quote(name)}&{scope}")

	invoices = []
	for row in open_rows:
		days = (on - getdate(row.due_date)).days
		key, detail = _status(row.name, days, promised, disputed)
		if key == "disputed":
			detail = _(detail)
		elif key == "promised":
			detail = promised_by.format(formats.date(detail))
		name = escape(row.name)
		invoices.append(
			{
				"name": name,
				"company": escape(row.company),
				"currency": escape(row.currency),
				"po_no": escape(row.po_no or ""),
				"posting_date": formats.date(row.posting_date),
				"due_date": formats.date(row.due_date),
				"days_overdue": days if days > 0 else "–",
				"total": formats.money(row.rounded_total or row.grand_total, row.invoice_currency),
				"outstanding": flt(row.outstanding_amount, 2),
				"outstanding_formatted": formats.money(row.outstanding_amount, row.currency),
				"status": statuses[key],
				"status_key": key,
				"status_detail": detail or "",
				"can_promise": row.name not in promised and row.name not in disputed,
				"can_dispute": row.name not in disputed,
				"upi": bool(settings.upi_id) and row.currency == "INR",
				"gateway": bool(gateways.get((row.company, row.invoice_currency))),
				"erpnext_page": None if viewer.via_link else escape(f"/invoices/{quote(row.name)}"),
				"pdf_url": pdf_url(row.name),
				"aria": {action: text.format(name) for action, text in aria.items()},
			}
		)
	paid = [
		{
			"name": escape(row.name),
			"posting_date": formats.date(row.posting_date),
			"due_date": formats.date(row.due_date),
			"paid_on": formats.date(row.paid_on),
			"total": formats.money(row.rounded_total or row.grand_total, row.invoice_currency),
			"pdf_url": pdf_url(row.name),
			"aria_pdf": aria["pdf"].format(escape(row.name)),
		}
		for row in paid_rows
	]
	held = credits_on_account(customers=[viewer.customer])
	credit = held.groupby("currency")["credit"].sum().to_dict() if not held.empty else {}
	# late-payment interest and fixed compensation due under the customer's policy, not yet charged
	charges = interest.by_currency(open_rows, on)
	aging = [
		{
			"currency": entry["currency"],
			"buckets": [
				{
					"label": _("Not Due") if i == 0 else _("{0} days").format(label),
					"amount": formats.money(amount, entry["currency"]),
				}
				for i, (label, amount) in enumerate(zip(entry["labels"], entry["buckets"], strict=True))
			],
			"total": formats.money(entry["total"], entry["currency"]),
			"overdue": formats.money(entry["overdue"], entry["currency"]),
			# money received but not matched to invoices yet: the same balance as the headline and
			# ERPNext's Accounts Receivable, not one that ignores what the customer already paid
			"credit": formats.money(credit.get(entry["currency"], 0), entry["currency"])
			if credit.get(entry["currency"], 0) > AMOUNT_TOLERANCE
			else "",
			"net": formats.money(entry["total"] - credit.get(entry["currency"], 0), entry["currency"]),
			**_late_charges(charges.get(entry["currency"], (0.0, 0.0)), entry["currency"], formats),
		}
		for entry in portal.aging(open_rows, on)
	]
	companies = portal.companies_of(viewer.customer)
	balances = []
	for company in companies:
		amount, currency = portal.party_balance(viewer.customer, company, on)
		balances.append({"company": company, "balance": amount, "formatted": formats.money(amount, currency)})
	confirmation = portal.last_confirmation(viewer.customer)
	promise_first, promise_last = actions.promise_window()
	customers = (
		frappe.get_all(
			"Customer",
			filters={"name": ("in", viewer.customers)},
			fields=["name", "customer_name"],
			order_by="customer_name",
		)
		if len(viewer.customers) > 1
		else []
	)
	return {
		"customer": viewer.customer,
		"customer_name": frappe.db.get_value("Customer", viewer.customer, "customer_name"),
		"customers": customers,
		"via_link": viewer.via_link,
		"token": token if viewer.via_link else "",
		"t": labels(),
		"invoices": invoices,
		"paid_invoices": paid,
		"paid_days": paid_days,
		"aging": aging,
		"balances": balances,
		"companies": companies,
		"last_confirmation": confirmation
		and {
			"as_of_date": formats.date(confirmation.as_of_date),
			"balance": formats.money(confirmation.balance, confirmation.currency),
			"response": _(confirmation.response),
		},
		"upi_enabled": any(inv["upi"] for inv in invoices),
		"dispute_reasons": actions.dispute_reasons(),
		"max_attachment_mb": actions.MAX_ATTACHMENT_MB,
		"today": str(on),
		"promise_min": str(promise_first),
		"promise_max": str(promise_last),
		"promise_default": str(min(add_days(on, 7), promise_last)),
		"statement_from": str(get_first_day(add_months(on, -3))),
		"oldest_balance_date": str(add_days(on, -2 * 366)),
		"page_url": links.portal_url(token if viewer.via_link else None),
	}
