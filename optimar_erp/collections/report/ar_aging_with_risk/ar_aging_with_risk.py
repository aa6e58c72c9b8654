# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pandas as pd

import frappe
from frappe import _
from frappe.utils import getdate, today

from optimar_erp.engine.analytics import aging
from optimar_erp.reporting.sources import (
	cached,
	default_company,
	invoice_risk,
	ledger,
	open_invoices_today,
)


def execute(filters: dict | None = None):
	"""Open invoices by days overdue (the engine's aging of the Payment Ledger, as ERPNext's AR report),
	with each invoice's risk band, late probability, predicted pay date and collection state."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	as_of = getdate(filters.get("report_date") or today())
	fast = open_invoices_today(company) if as_of == getdate(today()) else None
	if fast is not None:  # today: the open invoices as ERPNext keeps them, no ledger replay needed
		if fast.empty:
			return columns(), [], None, None, []
		result = aging(fast, as_of)
		posting = fast.drop_duplicates("invoice").set_index("invoice")["posting_date"]
	else:  # another day: the ledger replayed to that day, once per ledger version
		replayed = cached("aging", company, (as_of,), lambda: _ledger_aging(company, as_of))
		if replayed is None:
			return columns(), [], None, None, []
		result, posting = replayed
	rows = result.by_invoice
	if filters.get("customer"):
		rows = rows[rows["customer"] == filters.customer]
	if fast is not None:
		risk = fast.set_index("invoice")[
			["risk_band", "late_probability", "predicted_pay_date", "collection_state"]
		]
	else:
		risk = invoice_risk(list(rows["invoice"]))
	rows = rows.join(risk, on="invoice")
	if filters.get("risk_band"):
		rows = rows[rows["risk_band"] == filters.risk_band]
	if filters.get("collection_state"):
		rows = rows[rows["collection_state"] == filters.collection_state]
	currency = frappe.get_cached_value("Company", company, "default_currency")
	# column by column (the same values as row by row, ~10x faster on 100,000 rows)
	table = pd.DataFrame(
		{
			"invoice": rows["invoice"],
			"customer": rows["customer"],
			"customer_name": rows["customer_name"],
			"posting_date": _dates(rows["invoice"].map(posting)),
			"due_date": _dates(rows["due_date"]),
			"days_overdue": rows["days_overdue"].astype(int).clip(lower=0),
			"bucket": rows["bucket"].astype(str),
			"outstanding": [round(float(v), 2) for v in rows["outstanding"]],
			"risk_band": rows["risk_band"].astype(object).where(rows["risk_band"].notna(), None),
			"late_probability": rows["late_probability"],
			"predicted_pay_date": rows["predicted_pay_date"],
			"collection_state": rows["collection_state"]
			.astype(object)
			.where(rows["collection_state"].notna(), None),
			"currency": currency,
		}
	)
	for col in ("risk_band", "collection_state"):
		table[col] = [value or "" for value in table[col]]
	keys = list(table.columns)
	data = [
		dict(zip(keys, values, strict=True))
		for values in zip(*(table[key].tolist() for key in keys), strict=True)
	]
	by_bucket = {label: 0.0 for label in result.labels}
	for row in data:
		by_bucket[row["bucket"]] += row["outstanding"]
	chart = {
		"data": {
			"labels": [_(label) for label in by_bucket],
			"datasets": [{"name": _("Outstanding"), "values": [round(v, 2) for v in by_bucket.values()]}],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"colors": ["#e24c4c"],
	}
	total = sum(by_bucket.values())
	overdue = total - by_bucket[result.labels[0]]
	summary = [
		{"value": total, "label": _("Outstanding"), "datatype": "Currency", "currency": currency},
		{
			"value": overdue,
			"label": _("Overdue"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Red",
		},
		{
			"value": sum(r["outstanding"] for r in data if r["risk_band"] in ("High", "Critical")),
			"label": _("High or Critical Risk"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Orange",
		},
	]
	return columns(), data, None, chart, summary


def _ledger_aging(company: str, as_of):
	"""(aging, posting date by invoice) of the Payment Ledger at the end of ``as_of``; None if empty."""
	invoices, events = ledger(company, as_of)
	if invoices.empty:
		return None
	result = aging(invoices, as_of, events=events)
	posting = invoices.drop_duplicates("invoice").set_index("invoice")["posting_date"]
	return result, posting[posting.index.isin(result.by_invoice["invoice"])]


def _dates(values: pd.Series) -> pd.Series:
	"""datetime.date objects (None where missing), as ``getdate`` gives them."""
	parsed = pd.to_datetime(values)
	return pd.Series(parsed.dt.date, index=values.index, dtype=object).where(parsed.notna(), None)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "invoice",
			"label": _("Invoice"),
			"fieldtype": "Link",
			"options": "Sales Invoice",
			"width": 170,
		},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 150,
		},
		{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "posting_date", "label": _("Posting Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_overdue", "label": _("Days Overdue"), "fieldtype": "Int", "width": 90},
		{"fieldname": "bucket", "label": _("Bucket"), "fieldtype": "Data", "width": 80},
		{
			"fieldname": "outstanding",
			"label": _("Outstanding"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 120,
		},
		{"fieldname": "risk_band", "label": _("Risk Band"), "fieldtype": "Data", "width": 90},
		{
			"fieldname": "late_probability",
			"label": _("Late Probability"),
			"fieldtype": "Percent",
			"width": 90,
		},
		{
			"fieldname": "predicted_pay_date",
			"label": _("Predicted Pay Date"),
			"fieldtype": "Date",
			"width": 110,
		},
		{"fieldname": "collection_state", "label": _("Collection State"), "fieldtype": "Data", "width": 110},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
