# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import math

import frappe
from frappe import _
from frappe.utils import getdate, today

from optimar_erp.collections.report.presentation import SKIP_TOTAL_ROW, is_partial_month, month_label
from optimar_erp.queries.companies import default_company
from optimar_erp.queries.figures import TREND_MONTHS, monthly_figures


def execute(filters: dict | None = None):
	"""DSO (standard and countback), best possible DSO, CEI and collections by month, from the engine's
	monthly metrics over the Payment Ledger (the figures ``optimar analyse`` prints for the same book)."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	end = getdate(filters.get("to_date") or today())
	months = int(filters.get("months") or TREND_MONTHS)
	if not 1 <= months <= 60:
		frappe.throw(_("Months must be between 1 and 60."))
	table = monthly_figures(company, end, months)
	if table is None:
		return columns(), [], None, None, None, SKIP_TOTAL_ROW
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = [
		{
			"period": r.month,
			"month": month_label(r.start, partial=is_partial_month(r.start, r.end)),
			"credit_sales": _num(r.credit_sales),
			"collected": _num(r.collected),
			"closing_ar": _num(r.closing_ar),
			"dso_standard": _num(r.dso_standard, 1),
			"dso_countback": _num(r.dso_countback, 1),
			"bpdso": _num(r.bpdso, 1),
			"add": _num(r.add, 1),
			"cei": _num(r.cei, 1),
			"currency": currency,
		}
		for r in table.itertuples(index=False)
	]
	chart = {
		"data": {
			"labels": [r["month"] for r in data],
			"datasets": [
				{"name": _("DSO (standard)"), "values": [r["dso_standard"] or 0 for r in data]},
				{"name": _("DSO (countback)"), "values": [r["dso_countback"] or 0 for r in data]},
				{"name": _("CEI %"), "values": [r["cei"] or 0 for r in data]},
			],
		},
		"type": "line",
		"colors": ["#2563eb", "#7c3aed", "#16a34a"],
	}
	return columns(), data, None, chart, None, SKIP_TOTAL_ROW


def _num(x, digits: int = 2):
	if x is None or (isinstance(x, float) and math.isnan(x)):
		return None
	return round(float(x), digits)


def columns() -> list[dict]:
	cur = {"fieldtype": "Currency", "options": "currency", "width": 140}
	days = {"fieldtype": "Float", "precision": 1, "width": 140}
	return [
		{"fieldname": "month", "label": _("Month"), "fieldtype": "Data", "width": 150},
		{"fieldname": "credit_sales", "label": _("Credit Sales"), **cur},
		{"fieldname": "collected", "label": _("Collected"), **cur},
		{"fieldname": "closing_ar", "label": _("Closing AR"), **cur},
		{"fieldname": "dso_standard", "label": _("DSO (Standard)"), **days},
		{"fieldname": "dso_countback", "label": _("DSO (Countback)"), **days},
		{"fieldname": "bpdso", "label": _("Best Possible DSO"), **days, "width": 150},
		{"fieldname": "add", "label": _("Avg Days Delinquent"), **days, "width": 160},
		{"fieldname": "cei", "label": _("CEI %"), "fieldtype": "Percent", "width": 100},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
