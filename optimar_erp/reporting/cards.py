"""Number cards of the Collections workspace (type "Custom"): each a whitelisted method.

The ledger figures (overdue, DSO, CEI) come from the engine's ``summary`` of the Payment Ledger, computed
once per company, day and ledger version and kept in the site's cache (:func:`sources.cached`), so the
workspace's cards cost one ledger read between them, and none until something is posted.
"""

import json

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import add_days, get_first_day, getdate, today

from optimar_erp.queries.companies import default_company
from optimar_erp.queries.figures import ledger_summary


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
	company = _company(filters)
	return _money(ledger_summary(company).get("overdue"), company)


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
	si = frappe.qb.DocType("Sales Invoice")
	value = (
		frappe.qb.from_(si)
		.select(Sum(si.outstanding_amount * si.late_probability / 100))
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0))
		.where((si.outstanding_amount > 0) & (si.due_date >= today()))
		.run()[0][0]
	)
	return _money(value, company)


@frappe.whitelist()
def promised_this_week(filters=None) -> dict:
	company = _company(filters)
	day = getdate(today())
	monday = add_days(day, -day.weekday())
	ptp = frappe.qb.DocType("Promise To Pay")
	value = (
		frappe.qb.from_(ptp)
		.select(Sum(ptp.promised_amount - ptp.paid_amount))
		.where((ptp.company == company) & (ptp.status == "Open"))
		.where((ptp.promised_date >= monday) & (ptp.promised_date <= add_days(monday, 6)))
		.run()[0][0]
	)
	return _money(value, company)


@frappe.whitelist()
def disputed(filters=None) -> dict:
	company = _company(filters)
	d = frappe.qb.DocType("Dispute")
	value = (
		frappe.qb.from_(d)
		.select(Sum(d.disputed_amount))
		.where((d.company == company) & d.status.isin(("Open", "Under Review")))
		.run()[0][0]
	)
	return _money(value, company)


@frappe.whitelist()
def broken_this_month(filters=None) -> dict:
	company = _company(filters)
	ptp = frappe.qb.DocType("Promise To Pay")
	value = (
		frappe.qb.from_(ptp)
		.select(Count(Case().when(ptp.status.isin(("Broken", "Partially Kept")), 1)))
		.where((ptp.company == company) & (ptp.broken_on >= get_first_day(today())))
		.run()[0][0]
	)
	return {"value": int(value or 0), "fieldtype": "Int"}
