# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_months, getdate, today

from optimar_erp.collections.report.presentation import (
	SKIP_TOTAL_ROW,
	is_partial_month,
	month_label,
	month_start,
	total_row,
)
from optimar_erp.engine.kpis import promise_adherence
from optimar_erp.queries.companies import default_company
from optimar_erp.queries.promises import promises_for_adherence

COUNTS = ("promises", "kept", "partially_kept", "broken", "pending", "not_yet_due")
AMOUNTS = ("promised", "paid", "not_yet_due_amount")


def execute(filters: dict | None = None):
	"""Promises by month of their promised date: those that fell due (kept, partly kept, broken, awaiting
	a verdict, and the share of the promised amount actually paid: the engine's promise adherence), and
	the open promises not due yet, whatever their date, so a promise just made shows at once."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	end = getdate(filters.get("to_date") or today())
	start = getdate(filters.get("from_date") or add_months(end, -12))
	frame = promises_for_adherence(company, start, end, filters.get("collector"))
	if frame.empty:
		return columns(), [], _("No promise to pay was made for these dates."), None, None, SKIP_TOTAL_ROW
	table = promise_adherence(frame, end)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = []
	for r in table.to_dict("records"):
		first = month_start(r["month"])
		data.append(
			{
				**r,
				"period": r["month"],
				"month": month_label(first, partial=first <= end and is_partial_month(first, end)),
				"adherence_pct": None if pd.isna(r["adherence_pct"]) else r["adherence_pct"],
				"currency": currency,
			}
		)
	chart = {
		"data": {
			"labels": [r["month"] for r in data],
			"datasets": [
				{"name": _("Kept"), "values": [r["kept"] for r in data]},
				{"name": _("Partially Kept"), "values": [r["partially_kept"] for r in data]},
				{"name": _("Broken"), "values": [r["broken"] for r in data]},
				{"name": _("Awaiting Verdict"), "values": [r["pending"] for r in data]},
				{"name": _("Not Yet Due"), "values": [r["not_yet_due"] for r in data]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": ["#16a34a", "#f59e0b", "#e24c4c", "#94a3b8", "#2563eb"],
	}
	total = total_row(data, "month", COUNTS + AMOUNTS, currency=currency)
	total["adherence_pct"] = round(100 * total["paid"] / total["promised"], 1) if total["promised"] else None
	return columns(), [*data, total], None, chart, None, SKIP_TOTAL_ROW


def columns() -> list[dict]:
	cur = {"fieldtype": "Currency", "options": "currency", "width": 140}
	count = {"fieldtype": "Int", "width": 120}
	return [
		{"fieldname": "month", "label": _("Month"), "fieldtype": "Data", "width": 150},
		{"fieldname": "promises", "label": _("Promises Due"), **count},
		{"fieldname": "kept", "label": _("Kept"), **count, "width": 90},
		{"fieldname": "partially_kept", "label": _("Partially Kept"), **count},
		{"fieldname": "broken", "label": _("Broken"), **count, "width": 90},
		{"fieldname": "pending", "label": _("Awaiting Verdict"), **count, "width": 140},
		{"fieldname": "promised", "label": _("Promised"), **cur},
		{"fieldname": "paid", "label": _("Paid"), **cur},
		{"fieldname": "adherence_pct", "label": _("Adherence %"), "fieldtype": "Percent", "width": 110},
		{"fieldname": "not_yet_due", "label": _("Open, Not Yet Due"), **count, "width": 150},
		{"fieldname": "not_yet_due_amount", "label": _("Promised, Not Yet Due"), **cur, "width": 180},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
