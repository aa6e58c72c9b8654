# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _

from optimar_erp.cash.matching import suggestions
from optimar_erp.engine.tables import spreadsheet_safe
from optimar_erp.queries.companies import default_company


def execute(filters: dict | None = None):
	"""Unallocated receipts (Payment Entries and unreconciled bank deposits) with the open invoices they
	most likely pay, ranked, with the reasons; "Allocate" reconciles a Payment Entry through ERPNext's
	Payment Reconciliation, or books a bank deposit as a Payment Entry reconciled with the Bank Transaction."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	found = suggestions(company)
	if found.empty:
		return columns(), [], _("No unallocated customer receipts or bank deposits.")
	if not filters.get("all_suggestions"):
		found = found[found["rank"] == 1]
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = [
		{
			"source": r.source,
			"receipt": r.receipt,
			"rank": int(r.rank),
			"payer": spreadsheet_safe(r.payer),
			"customer": r.customer,
			"amount": r.amount,
			"invoices": ", ".join(r.invoices),
			"invoice_list": json.dumps(list(r.invoices)),
			"allocation_list": json.dumps([float(a) for a in r.allocations]),
			"allocated": r.allocated,
			"unallocated": r.unallocated,
			"method": _(r.method.replace("_", " ").capitalize()),
			"confidence": round(100 * r.confidence, 1),
			"auto": 1 if r.auto_allocate else 0,
			"reasons": spreadsheet_safe(r.reasons),
			"currency": currency,
		}
		for r in found.itertuples(index=False)
	]
	return columns(), data


def columns() -> list[dict]:
	cur = {"fieldtype": "Currency", "options": "currency", "width": 110}
	return [
		{
			# Data, not a Link to DocType: a link column makes Frappe require read on DocType (System
			# Managers only) from everyone the report shows rows to
			"fieldname": "source",
			"label": _("Source"),
			"fieldtype": "Data",
			"width": 120,
		},
		{
			"fieldname": "receipt",
			"label": _("Receipt"),
			"fieldtype": "Dynamic Link",
			"options": "source",
			"width": 150,
		},
		{
			"fieldname": "payer",
			"label": _("Paid By"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 140,
		},
		{"fieldname": "amount", "label": _("Unallocated"), **cur},
		{"fieldname": "invoices", "label": _("Pays"), "fieldtype": "Data", "width": 240},
		{"fieldname": "allocated", "label": _("Allocated"), **cur},
		{"fieldname": "confidence", "label": _("Confidence"), "fieldtype": "Percent", "width": 90},
		{"fieldname": "actions", "label": _("Do It"), "fieldtype": "Data", "width": 90},
		{"fieldname": "method", "label": _("Method"), "fieldtype": "Data", "width": 110},
		{"fieldname": "reasons", "label": _("Why"), "fieldtype": "Data", "width": 300},
		{"fieldname": "rank", "label": _("Rank"), "fieldtype": "Int", "width": 50},
		{"fieldname": "auto", "label": _("Certain"), "fieldtype": "Check", "width": 70},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
