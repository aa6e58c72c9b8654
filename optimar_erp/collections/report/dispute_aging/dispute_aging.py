# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pandas as pd

import frappe
from frappe import _
from frappe.utils import getdate, today

from optimar_erp.collections.report.presentation import SKIP_TOTAL_ROW, customer_columns, names_by_series
from optimar_erp.engine.kpis import dispute_aging
from optimar_erp.queries.companies import default_company
from optimar_erp.queries.disputes import disputes_for_aging


def execute(filters: dict | None = None):
	"""Open disputes by age with amounts and SLA breaches: each dispute, the amounts by age bucket in the
	chart, and the totals that mean something (how many, how much, how many past their SLA) as the
	report's summary instead of a total row (which would add up ages)."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	day = getdate(filters.get("report_date") or today())
	frame = disputes_for_aging(company, filters.get("reason_code"))
	if frame.empty:
		return columns(), [], None, None, None, SKIP_TOTAL_ROW
	frame["raised_on"] = pd.to_datetime(frame["raised_on"]).dt.normalize()
	buckets = dispute_aging(frame, day)
	frame["age"] = (pd.Timestamp(day) - frame["raised_on"]).dt.days
	frame["sla_breached"] = frame["sla_due_date"].notna() & (
		pd.to_datetime(frame["sla_due_date"]) < pd.Timestamp(day)
	)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	names = _customer_names(list(frame["customer"].unique())) if names_by_series() else {}
	data = [
		{
			"dispute": r.dispute,
			"customer": r.customer,
			"customer_name": names.get(r.customer),
			"sales_invoice": r.sales_invoice,
			"reason_code": r.reason_code,
			"owner": r.owner,
			"raised_on": r.raised_on.date(),
			"age": int(r.age),
			"amount": float(r.amount or 0),
			"sla_due_date": r.sla_due_date,
			"sla_breached": 1 if r.sla_breached else 0,
			"status": r.status,
			"currency": r.currency or currency,
		}
		for r in frame.sort_values("age", ascending=False).itertuples(index=False)
	]
	chart = {
		"data": {
			"labels": list(buckets["bucket"]),
			"datasets": [
				{"name": _("Disputed Amount"), "values": [round(float(v), 2) for v in buckets["amount"]]},
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"options": "currency",
		"currency": currency,
		"colors": ["#f59e0b"],
	}
	summary = [
		{"value": len(data), "label": _("Open Disputes"), "datatype": "Int"},
		{
			"value": round(sum(r["amount"] for r in data), 2),
			"label": _("Disputed"),
			"datatype": "Currency",
			"currency": currency,
		},
		{
			"value": int(buckets["sla_breached"].sum()),
			"label": _("Past SLA"),
			"datatype": "Int",
			"indicator": "Red" if buckets["sla_breached"].sum() else "Green",
		},
	]
	return columns(), data, None, chart, summary, SKIP_TOTAL_ROW


def _customer_names(customers: list[str]) -> dict:
	return dict(
		frappe.get_all(
			"Customer", filters={"name": ("in", customers)}, fields=["name", "customer_name"], as_list=True
		)
	)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "dispute",
			"label": _("Dispute"),
			"fieldtype": "Link",
			"options": "Dispute",
			"width": 150,
		},
		*customer_columns(),
		{
			"fieldname": "sales_invoice",
			"label": _("Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 170,
		},
		{"fieldname": "reason_code", "label": _("Reason"), "fieldtype": "Data", "width": 140},
		{"fieldname": "owner", "label": _("Owner"), "fieldtype": "Link", "options": "User", "width": 170},
		{"fieldname": "raised_on", "label": _("Raised On"), "fieldtype": "Date", "width": 110},
		{"fieldname": "age", "label": _("Age (Days)"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "amount",
			"label": _("Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 140,
		},
		{"fieldname": "sla_due_date", "label": _("SLA Due"), "fieldtype": "Date", "width": 110},
		{"fieldname": "sla_breached", "label": _("Past SLA"), "fieldtype": "Check", "width": 90},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 120},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
