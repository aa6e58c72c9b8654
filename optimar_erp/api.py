"""Whitelisted actions behind the Desk buttons (and the worklist): each checks permissions first."""

import json

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate, today

from optimar_erp.queries.disputes import open_disputes_of
from optimar_erp.queries.invoices import invoice_field, overdue_total
from optimar_erp.queries.ledger import credits_on_account
from optimar_erp.queries.promises import broken_promise_count, open_promises_of


def _invoices(invoices) -> list[str]:
	if isinstance(invoices, str):
		invoices = json.loads(invoices) if invoices.startswith("[") else [invoices]
	return [name for name in (invoices or []) if name]


@frappe.whitelist()
def record_promise(
	customer: str,
	promised_amount: float,
	promised_date: str,
	invoices: str | list | None = None,
	channel: str = "Phone",
	notes: str | None = None,
	instalments: str | list | None = None,
) -> str:
	"""Record a collector's Promise To Pay; reminders for its invoices pause while it is open. Where it
	came from is the server's to say: a caller cannot label it Portal or Inbox."""
	return create_promise(customer, promised_amount, promised_date, invoices, channel, notes, instalments)


def create_promise(
	customer: str,
	promised_amount: float,
	promised_date: str,
	invoices: str | list | None = None,
	channel: str = "Phone",
	notes: str | None = None,
	instalments: str | list | None = None,
	source: str = "Collector",
) -> str:
	"""A Promise To Pay from ``source`` (the app's own callers: Collector, Inbox)."""
	frappe.has_permission("Promise To Pay", "create", throw=True)
	frappe.has_permission("Customer", "read", customer, throw=True)
	if isinstance(instalments, str):
		instalments = json.loads(instalments or "[]")
	names = _invoices(invoices)
	company = (
		invoice_field(names[0], "company")
		if names
		else frappe.defaults.get_user_default("Company")
		or frappe.db.get_single_value("Global Defaults", "default_company")
	)
	promise = frappe.get_doc(
		{
			"doctype": "Promise To Pay",
			"customer": customer,
			"company": company,
			"promised_amount": flt(promised_amount),
			"promised_date": getdate(promised_date),
			"channel": channel,
			"source": source,
			"notes": notes,
			"invoices": [{"sales_invoice": name} for name in names],
			"instalments": instalments or [],
		}
	)
	promise.insert()
	return promise.name


@frappe.whitelist()
def raise_dispute(
	sales_invoice: str,
	reason_code: str,
	description: str,
	disputed_amount: float | None = None,
) -> str:
	"""Raise a collector's Dispute on one invoice; only that invoice stops being chased."""
	return create_dispute(sales_invoice, reason_code, description, disputed_amount)


def create_dispute(
	sales_invoice: str,
	reason_code: str,
	description: str,
	disputed_amount: float | None = None,
	source: str = "Collector",
) -> str:
	"""A Dispute from ``source`` (the app's own callers: Collector, Inbox)."""
	frappe.has_permission("Dispute", "create", throw=True)
	frappe.has_permission("Sales Invoice", "read", sales_invoice, throw=True)
	amount = flt(disputed_amount) or flt(invoice_field(sales_invoice, "outstanding_amount"))
	dispute = frappe.get_doc(
		{
			"doctype": "Dispute",
			"sales_invoice": sales_invoice,
			"reason_code": reason_code,
			"description": description,
			"disputed_amount": amount,
			"source": source,
			"dispute_owner": frappe.session.user if source == "Collector" else None,
		}
	)
	dispute.insert()
	return dispute.name


@frappe.whitelist()
def log_call(
	customer: str,
	outcome: str,
	notes: str | None = None,
	next_action_date: str | None = None,
	sales_invoice: str | None = None,
) -> str:
	"""Log a collector's call with its outcome and the next action date."""
	frappe.has_permission("Collection Activity", "create", throw=True)
	frappe.has_permission("Customer", "read", customer, throw=True)
	if next_action_date and getdate(next_action_date) < getdate(today()):
		frappe.throw(_("The next action date is in the past."))
	activity = frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Call",
			"status": "Done",
			"channel": "Phone",
			"customer": customer,
			"sales_invoice": sales_invoice,
			"outcome": outcome,
			"message": notes,
			"next_action_date": next_action_date,
		}
	)
	activity.insert()
	return activity.name


@frappe.whitelist()
def collections_summary(customer: str) -> dict:
	"""Overdue, promised and disputed amounts, open promises and disputes, risk: the Customer form's
	collections dashboard."""
	frappe.has_permission("Customer", "read", customer, throw=True)
	overdue = overdue_total(customer)
	promises = open_promises_of(customer)
	disputes = open_disputes_of(customer)
	details = frappe.db.get_value(
		"Customer",
		customer,
		["risk_band", "risk_score", "escalation_level", "collections_hold", "collections_hold_reason"],
		as_dict=True,
	)
	# in the company's currency, like the overdue sum: what the customer paid that no invoice absorbed
	# yet is theirs, so the overdue they still owe is net of it (ERPNext's Accounts Receivable agrees)
	unmatched = flt(credits_on_account(customers=[customer])["base_credit"].sum())
	return {
		"overdue": max(flt(overdue) - unmatched, 0.0),
		"overdue_invoiced": flt(overdue),
		"unmatched_credit": unmatched,
		"promised": sum(flt(p.promised_amount) - flt(p.paid_amount) for p in promises),
		"disputed": sum(flt(d.disputed_amount) for d in disputes),
		"open_promises": promises,
		"open_disputes": disputes,
		"broken_promises": broken_promise_count(customer),
		**details,
	}


@frappe.whitelist()
def risk_trend(customer: str, days: int = 365) -> list[dict]:
	"""The customer's daily risk scores over the last ``days`` days (oldest first), for the trend chart."""
	frappe.has_permission("Customer", "read", customer, throw=True)
	days = max(1, min(int(days), 3650))
	crs = frappe.qb.DocType("Customer Risk Score")
	rows = (
		frappe.qb.from_(crs)
		.select(crs.date, crs.score, crs.band)
		.where((crs.customer == customer) & (crs.date >= add_days(today(), -days)))
		.orderby(crs.date)
		.run(as_dict=True)
	)
	return rows
