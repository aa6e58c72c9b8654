# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _

from optimar_erp.engine.tables import spreadsheet_safe

OUTSIDE_TEXT = ("excerpt", "review_reasons")
"""Columns with text a customer wrote (or derived from it): never a live formula in an export."""


def execute(filters: dict | None = None):
	"""Customers' replies that need a person, newest first, with the proposal to accept, edit or dismiss."""
	filters = frappe._dict(filters or {})
	conditions = {"status": filters.get("status") or "Needs Review"}
	if filters.get("intent"):
		conditions["intent"] = filters.intent
	if filters.get("customer"):
		conditions["customer"] = filters.customer
	rows = frappe.get_list(
		"Collections Inbox Item",
		filters=conditions,
		fields=[
			"name",
			"received_on",
			"customer",
			"sales_invoice",
			"intent",
			"confidence",
			"suggested_action",
			"promised_date",
			"amount",
			"currency",
			"reason_code",
			"return_date",
			"document",
			"payment_entry",
			"excerpt",
			"review_reasons",
		],
		order_by="received_on desc",
		limit=500,
	)
	for row in rows:
		row["proposal"] = proposal(row)
		for field in OUTSIDE_TEXT:
			row[field] = spreadsheet_safe(row[field])
	return columns(), rows


def proposal(row) -> str:
	if row.intent == "Promise to Pay":
		return _("Promise {0} by {1}").format(
			frappe.format(row.amount, {"fieldtype": "Currency", "options": row.currency})
			if row.amount
			else "?",
			frappe.format(row.promised_date, "Date") if row.promised_date else "?",
		)
	if row.intent == "Dispute":
		return _("Dispute ({0})").format(_(row.reason_code or "Other"))
	if row.intent == "Out of Office":
		return _("Pause reminders until {0}").format(
			frappe.format(row.return_date, "Date") if row.return_date else "?"
		)
	if row.intent == "Document Request":
		return _("Send {0}").format((row.document or _("document")).replace("_", " "))
	if row.intent == "Payment Made":
		return _("Allocate {0}").format(row.payment_entry) if row.payment_entry else _("Find the payment")
	return _("Read and decide")


def columns() -> list[dict]:
	return [
		{
			"fieldname": "name",
			"label": _("Item"),
			"fieldtype": "Link",
			"options": "Collections Inbox Item",
			"width": 110,
		},
		{"fieldname": "received_on", "label": _("Received"), "fieldtype": "Datetime", "width": 140},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 150,
		},
		{"fieldname": "intent", "label": _("Intent"), "fieldtype": "Data", "width": 120},
		{"fieldname": "confidence", "label": _("Confidence"), "fieldtype": "Percent", "width": 90},
		{"fieldname": "proposal", "label": _("Proposal"), "fieldtype": "Data", "width": 220},
		{"fieldname": "actions", "label": _("Decide"), "fieldtype": "Data", "width": 230},
		{"fieldname": "excerpt", "label": _("Reply"), "fieldtype": "Data", "width": 320},
		{
			"fieldname": "sales_invoice",
			"label": _("Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 160,
		},
		{"fieldname": "review_reasons", "label": _("Why Review"), "fieldtype": "Data", "width": 200},
	]
