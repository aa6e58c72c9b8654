# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pandas as pd

import frappe
from frappe import _
from frappe.utils import getdate, today

from optimar_erp.engine.kpis import dispute_aging
from optimar_erp.reporting.sources import default_company


def execute(filters: dict | None = None):
	"""Open disputes by age with amounts and SLA breaches (summary by bucket, then each dispute)."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	day = getdate(filters.get("report_date") or today())
	d = frappe.qb.DocType("Dispute")
	query = (
		frappe.qb.from_(d)
		.select(
			d.name,
			d.customer,
			d.sales_invoice,
			d.reason_code,
			d.dispute_owner,
			d.creation,
			d.disputed_amount,
			d.sla_due_date,
			d.status,
		)
		.where((d.company == company) & d.status.isin(("Open", "Under Review")))
	)
	if filters.get("reason_code"):
		query = query.where(d.reason_code == filters.reason_code)
	frame = pd.DataFrame(
		list(query.run()),
		columns=[
			"dispute",
			"customer",
			"sales_invoice",
			"reason_code",
			"owner",
			"raised_on",
			"amount",
			"sla_due_date",
			"status",
		],
	)
	if frame.empty:
		return columns(), []
	frame["raised_on"] = pd.to_datetime(frame["raised_on"]).dt.normalize()
	buckets = dispute_aging(frame, day)
	frame["age"] = (pd.Timestamp(day) - frame["raised_on"]).dt.days
	frame["sla_breached"] = frame["sla_due_date"].notna() & (
		pd.to_datetime(frame["sla_due_date"]) < pd.Timestamp(day)
	)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = [
		{
			"dispute": r.dispute,
			"customer": r.customer,
			"sales_invoice": r.sales_invoice,
			"reason_code": r.reason_code,
			"owner": r.owner,
			"raised_on": r.raised_on.date(),
			"age": int(r.age),
			"amount": float(r.amount or 0),
			"sla_due_date": r.sla_due_date,
			"sla_breached": 1 if r.sla_breached else 0,
			"status": r.status,
			"currency": currency,
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
		"colors": ["#f59e0b"],
	}
	summary = [
		{"value": len(data), "label": _("Open Disputes"), "datatype": "Int"},
		{
			"value": sum(r["amount"] for r in data),
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
	return columns(), data, None, chart, summary


def columns() -> list[dict]:
	return [
		{
			"fieldname": "dispute",
			"label": _("Dispute"),
			"fieldtype": "Link",
			"options": "Dispute",
			"width": 140,
		},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 150,
		},
		{
			"fieldname": "sales_invoice",
			"label": _("Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 160,
		},
		{"fieldname": "reason_code", "label": _("Reason"), "fieldtype": "Data", "width": 110},
		{"fieldname": "owner", "label": _("Owner"), "fieldtype": "Link", "options": "User", "width": 130},
		{"fieldname": "raised_on", "label": _("Raised On"), "fieldtype": "Date", "width": 100},
		{"fieldname": "age", "label": _("Age (Days)"), "fieldtype": "Int", "width": 80},
		{
			"fieldname": "amount",
			"label": _("Amount"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 120,
		},
		{"fieldname": "sla_due_date", "label": _("SLA Due"), "fieldtype": "Date", "width": 100},
		{"fieldname": "sla_breached", "label": _("Past SLA"), "fieldtype": "Check", "width": 70},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
