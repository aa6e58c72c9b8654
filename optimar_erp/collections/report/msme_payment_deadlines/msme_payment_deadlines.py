# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt


import frappe
from frappe import _
from frappe.utils import getdate, today

from optimar_erp.collections.report.presentation import SKIP_TOTAL_ROW, customer_columns
from optimar_erp.engine.kpis import MSME_MAX_DAYS, msme_due
from optimar_erp.queries.companies import default_company
from optimar_erp.queries.invoices import open_invoices_for_msme

COVERED = ("Micro", "Small")


def execute(filters: dict | None = None):
	"""India, MSMED Act s.15 and Income-tax s.43B(h): invoices of a micro or small enterprise must be paid
	within the agreed terms, at most 45 days; the buyer cannot deduct the expense until it pays. Lists the
	company's open invoices against that statutory date so reminders can cite it."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	category = frappe.db.get_value("Company", company, "optimar_msme_category")
	if category not in COVERED:
		return (
			columns(),
			[],
			_(
				"Section 43B(h) protects micro and small enterprises. Set the MSME category (and Udyam number) "
				"on Company {0} to use this report."
			).format(company),
			None,
			None,
			SKIP_TOTAL_ROW,
		)
	frame = open_invoices_for_msme(company, filters.get("customer"))
	if frame.empty:
		return columns(), [], None, None, None, SKIP_TOTAL_ROW
	table = msme_due(frame, getdate(today()))
	if filters.get("only_at_risk"):
		table = table[table["days_left"] <= 7]
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = [
		{
			**r,
			"outstanding": float(r["outstanding"]),
			"currency": r["currency"] or currency,
			"status": _(r["status"]),
		}
		for r in table.to_dict("records")
	]
	message = _("Statutory date = posting date + agreed terms, at most {0} days.").format(MSME_MAX_DAYS)
	past = table[table["days_left"] < 0]
	summary = [
		{"value": len(data), "label": _("Open Invoices"), "datatype": "Int"},
		{
			"value": round(float(table["outstanding"].astype(float).sum()), 2),
			"label": _("Outstanding"),
			"datatype": "Currency",
			"currency": currency,
		},
		{
			"value": round(float(past["outstanding"].astype(float).sum()), 2),
			"label": _("Past the {0}-Day Limit").format(MSME_MAX_DAYS),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Red" if len(past) else "Green",
		},
	]
	return columns(), data, message, None, summary, SKIP_TOTAL_ROW


def columns() -> list[dict]:
	return [
		{
			"fieldname": "invoice",
			"label": _("Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 170,
		},
		*customer_columns(),
		{"fieldname": "posting_date", "label": _("Posting Date"), "fieldtype": "Date", "width": 110},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 110},
		{"fieldname": "statutory_date", "label": _("43B(h) Date"), "fieldtype": "Date", "width": 110},
		{"fieldname": "days_left", "label": _("Days Left"), "fieldtype": "Int", "width": 100},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 160},
		{
			"fieldname": "outstanding",
			"label": _("Outstanding"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 140,
		},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
