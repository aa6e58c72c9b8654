"""Number cards of the Collections workspace (type "Custom"): each a whitelisted method.

The ledger figures (overdue, DSO, CEI) come from the engine's ``summary`` of the Payment Ledger, computed
once per company, day and ledger version and kept in the site's cache (:func:`sources.cached`), so the
workspace's cards cost one ledger read between them, and none until something is posted.
"""

import json

import frappe
from frappe.utils import add_days, get_first_day, getdate, today

from optimar_erp.queries.companies import default_company
from optimar_erp.queries.disputes import disputed_total
from optimar_erp.queries.figures import ledger_summary
from optimar_erp.queries.invoices import overdue_by_customer, predicted_late_total
from optimar_erp.queries.ledger import credits_on_account
from optimar_erp.queries.promises import broken_count_since, still_promised_between


def _company(filters) -> str:
	if isinstance(filters, str):
		filters = json.loads(filters or "{}")
	company = (filters or {}).get("company") or default_company()
	frappe.has_permission("Company", "read", company, throw=True)
	if not frappe.has_permission("Sales Invoice", "read"):
		frappe.throw(frappe._("Not permitted"), frappe.PermissionError)
	return company


def _money(value, company: str) -> dict:
	return {
		"value": round(float(value or 0), 2),
		"fieldtype": "Currency",
		"options": frappe.get_cached_value("Company", company, "default_currency"),
	}


@frappe.whitelist()
def total_overdue(filters=None) -> dict:
	"""What is overdue, less the money customers have sent that no invoice absorbed yet (as ERPNext's
	Accounts Receivable nets it), up to each customer's own overdue: a payment on account is not owed."""
	company = _company(filters)
	overdue = overdue_by_customer(company)
	held = credits_on_account(company, list(overdue))
	credit = held.groupby("customer")["base_credit"].sum().to_dict() if len(held) else {}
	absorbed = sum(min(float(credit.get(customer, 0.0)), owed) for customer, owed in overdue.items())
	return _money(float(ledger_summary(company).get("overdue") or 0) - absorbed, company)


@frappe.whitelist()
def dso(filters=None) -> dict:
	company = _company(filters)
	return {
		"value": round(ledger_summary(company).get("dso_standard") or 0, 1),
		"fieldtype": "Float",
		"precision": 1,
	}


@frappe.whitelist()
def cei(filters=None) -> dict:
	company = _company(filters)
	return {"value": round(ledger_summary(company).get("cei") or 0, 1), "fieldtype": "Percent"}


@frappe.whitelist()
def predicted_late(filters=None) -> dict:
	"""Not yet due, but expected to be paid late: Σ outstanding × late probability."""
	company = _company(filters)
	value = predicted_late_total(company)
	return _money(value, company)


@frappe.whitelist()
def promised_this_week(filters=None) -> dict:
	company = _company(filters)
	day = getdate(today())
	monday = add_days(day, -day.weekday())
	value = still_promised_between(company, monday, add_days(monday, 6))
	return _money(value, company)


@frappe.whitelist()
def disputed(filters=None) -> dict:
	company = _company(filters)
	value = disputed_total(company)
	return _money(value, company)


@frappe.whitelist()
def broken_this_month(filters=None) -> dict:
	company = _company(filters)
	value = broken_count_since(company, get_first_day(today()))
	return {"value": int(value or 0), "fieldtype": "Int"}
