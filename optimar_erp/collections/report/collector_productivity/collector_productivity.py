# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from optimar_erp.data import fetch_frame
from optimar_erp.engine.kpis import collector_productivity
from optimar_erp.reporting.sources import default_company

MANUAL = ("Call", "Note", "Promise", "Dispute", "Escalation")
ATTRIBUTION_DAYS = 14


def execute(filters: dict | None = None):
	"""Per collector: touches, customers touched, calls, promises obtained and cash collected from the
	touched customers within 14 days of a touch (each payment credited to the latest touch before it).
	Automated reminders count for the customer's collector; manual actions for the user who logged them."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	end = getdate(filters.get("to_date") or today())
	start = getdate(filters.get("from_date") or add_days(end, -30))
	if start > end:
		frappe.throw(_("From Date must be before To Date."))
	ca = frappe.qb.DocType("Collection Activity")
	c = frappe.qb.DocType("Customer")
	# packed reads (fetch_frame): tens of thousands of touches and payments on a large book
	touches = fetch_frame(
		frappe.qb.from_(ca)
		.join(c)
		.on(c.name == ca.customer)
		.where((ca.company == company) | ca.company.isnull())
		.where((ca.creation >= start) & (ca.creation < add_days(end, 1)))
		.where(ca.activity_type.isin((*MANUAL, "Reminder")))
		.where(ca.status.isin(("Sent", "Done"))),
		{
			"owner": ca.owner,
			"collector": c.collector,
			"customer": ca.customer,
			"date": ca.creation,
			"kind": ca.activity_type,
		},
		datetimes=("date",),
	)
	touches["collector"] = touches["owner"].where(touches["kind"].isin(MANUAL), touches["collector"])
	ptp = frappe.qb.DocType("Promise To Pay")
	promises = fetch_frame(
		frappe.qb.from_(ptp).where(
			(ptp.company == company) & (ptp.creation >= start) & (ptp.creation < add_days(end, 1))
		),
		{
			"collector": ptp.recorded_by,
			"customer": ptp.customer,
			"date": ptp.creation,
			"amount": ptp.promised_amount,
		},
		numbers=("amount",),
		datetimes=("date",),
	)
	ple = frappe.qb.DocType("Payment Ledger Entry")
	payments = fetch_frame(
		frappe.qb.from_(ple)
		.where((ple.company == company) & (ple.party_type == "Customer") & (ple.delinked == 0))
		.where(ple.voucher_type.isin(("Payment Entry", "Journal Entry")) & (ple.amount < 0))
		.where((ple.posting_date >= start) & (ple.posting_date <= add_days(end, ATTRIBUTION_DAYS))),
		{"customer": ple.party, "date": ple.posting_date, "amount": ple.amount},
		numbers=("amount",),
		dates=("date",),
	)
	payments["amount"] = -payments["amount"]  # received: positive
	touches["date"] = pd.to_datetime(touches["date"]).dt.normalize()
	promises["date"] = pd.to_datetime(promises["date"]).dt.normalize()
	table = collector_productivity(touches, promises, payments, start, end, attribution_days=ATTRIBUTION_DAYS)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = [{**r, "currency": currency} for r in table.to_dict("records")]
	chart = {
		"data": {
			"labels": [r["collector"] for r in data],
			"datasets": [
				{"name": _("Collected After a Touch"), "values": [r["collected_after_touch"] for r in data]}
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}
	return columns(), data, None, chart


def columns() -> list[dict]:
	return [
		{
			"fieldname": "collector",
			"label": _("Collector"),
			"fieldtype": "Link",
			"options": "User",
			"width": 180,
		},
		{"fieldname": "touches", "label": _("Touches"), "fieldtype": "Int", "width": 90},
		{"fieldname": "customers_touched", "label": _("Customers"), "fieldtype": "Int", "width": 90},
		{"fieldname": "calls", "label": _("Calls"), "fieldtype": "Int", "width": 80},
		{"fieldname": "promises", "label": _("Promises"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "promised_amount",
			"label": _("Promised"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "collected_after_touch",
			"label": _("Collected After a Touch"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 160,
		},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
