# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_months, getdate, today

from optimar_erp.engine.kpis import promise_adherence
from optimar_erp.reporting.sources import default_company


def execute(filters: dict | None = None):
	"""Promises that fell due, by month of their promised date: kept, partly kept, broken, and the share
	of the promised amount actually paid (the engine's promise adherence)."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	end = getdate(filters.get("to_date") or today())
	start = getdate(filters.get("from_date") or add_months(end, -12))
	ptp = frappe.qb.DocType("Promise To Pay")
	query = (
		frappe.qb.from_(ptp)
		.select(ptp.promised_date, ptp.promised_amount, ptp.paid_amount, ptp.status)
		.where((ptp.company == company) & (ptp.promised_date >= start) & (ptp.promised_date <= end))
	)
	if filters.get("collector"):
		query = query.where(ptp.recorded_by == filters.collector)
	frame = pd.DataFrame(
		list(query.run()), columns=["promised_date", "promised_amount", "paid_amount", "status"]
	)
	if frame.empty:
		return columns(), []
	table = promise_adherence(frame, end)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = [{**r, "currency": currency} for r in table.to_dict("records")]
	for r in data:
		r["adherence_pct"] = None if pd.isna(r["adherence_pct"]) else r["adherence_pct"]
	chart = {
		"data": {
			"labels": [r["month"] for r in data],
			"datasets": [
				{"name": _("Kept"), "values": [r["kept"] for r in data]},
				{"name": _("Partially Kept"), "values": [r["partially_kept"] for r in data]},
				{"name": _("Broken"), "values": [r["broken"] for r in data]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": ["#16a34a", "#f59e0b", "#e24c4c"],
	}
	return columns(), data, None, chart


def columns() -> list[dict]:
	return [
		{"fieldname": "month", "label": _("Month"), "fieldtype": "Data", "width": 90},
		{"fieldname": "promises", "label": _("Promises Due"), "fieldtype": "Int", "width": 100},
		{"fieldname": "kept", "label": _("Kept"), "fieldtype": "Int", "width": 80},
		{"fieldname": "partially_kept", "label": _("Partially Kept"), "fieldtype": "Int", "width": 100},
		{"fieldname": "broken", "label": _("Broken"), "fieldtype": "Int", "width": 80},
		{"fieldname": "pending", "label": _("Awaiting Verdict"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "promised",
			"label": _("Promised"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "paid",
			"label": _("Paid"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{"fieldname": "adherence_pct", "label": _("Adherence %"), "fieldtype": "Percent", "width": 100},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
