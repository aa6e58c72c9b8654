# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import numpy as np
import pandas as pd

import frappe
from frappe import _
from frappe.utils import getdate, today

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.engine.analytics import aging_of_balances, outstanding_at
from optimar_erp.queries.companies import default_company
from optimar_erp.queries.figures import cached, ledger, open_invoices_today
from optimar_erp.queries.invoices import invoice_risk
from optimar_erp.queries.ledger import get_credit_notes

RISK_FIELDS = ["risk_band", "late_probability", "predicted_pay_date", "collection_state"]


def execute(filters: dict | None = None):
	"""Open invoices and credit notes by days overdue (the engine's aging of their balances, as ERPNext's
	Accounts Receivable report shows them), with each invoice's risk band, expected payment date, late
	probability (only while not yet due) and collection state."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	as_of = getdate(filters.get("report_date") or today())
	# today: the open invoices as ERPNext keeps them, no ledger replay; another day (or several
	# currencies): the ledger replayed to that day, once per ledger version
	balances = open_invoices_today(company) if as_of == getdate(today()) else None
	if balances is None:
		balances = cached("balances", company, (as_of,), lambda: _balances_at(company, as_of))
	if balances.empty:
		return columns(), [], None, None, []
	result = aging_of_balances(balances, as_of, customers=False)
	rows = result.by_invoice
	if filters.get("customer"):
		rows = rows[rows["customer"] == filters.customer]
	balances = balances.set_index("invoice")
	if "risk_band" in balances:
		risk = balances[RISK_FIELDS]
	else:
		risk = invoice_risk(list(rows["invoice"]))
	rows = rows.join(risk, on="invoice")
	if filters.get("risk_band"):
		rows = rows[rows["risk_band"] == filters.risk_band]
	if filters.get("collection_state"):
		rows = rows[rows["collection_state"] == filters.collection_state]
	currency = frappe.get_cached_value("Company", company, "default_currency")
	# column by column (the same values as row by row, ~10x faster on 100,000 rows)
	table = {
		"invoice": rows["invoice"],
		"customer": rows["customer"],
		"customer_name": rows["customer_name"],
		"posting_date": _dates(rows["invoice"].map(balances["posting_date"])),
		"due_date": _dates(rows["due_date"]),
		"days_overdue": rows["days_overdue"].astype(int).clip(lower=0),
		"bucket": rows["bucket"].astype(str),
		"outstanding": rows["outstanding"].astype(float).round(2),
		"risk_band": _texts(rows["risk_band"]),
		# an overdue invoice is late whatever the model said on its posting date: its column is the
		# expected payment date, not a probability
		"late_probability": rows["late_probability"]
		.astype(object)
		.where(rows["late_probability"].notna() & (rows["days_overdue"] <= 0), None),
		"predicted_pay_date": _dates(rows["predicted_pay_date"]),
		"collection_state": _texts(rows["collection_state"]),
	}
	keys = [*table, "currency"]
	columns_ = [*(values.tolist() for values in table.values()), [currency] * len(rows)]
	data = [dict(zip(keys, values, strict=True)) for values in zip(*columns_, strict=True)]
	amounts = table["outstanding"]
	by_bucket = amounts.groupby(table["bucket"]).sum().reindex(result.labels, fill_value=0.0)
	chart = {
		"data": {
			"labels": [_(label) for label in result.labels],
			"datasets": [{"name": _("Outstanding"), "values": [round(float(v), 2) for v in by_bucket]}],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"colors": ["#e24c4c"],
	}
	total = float(by_bucket.sum())
	overdue = total - float(by_bucket.iloc[0])
	at_risk = float(amounts[table["risk_band"].isin(["High", "Critical"])].sum())
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
			"value": at_risk,
			"label": _("High or Critical Risk"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Orange",
		},
	]
	return columns(), data, None, chart, summary


def _balances_at(company: str, as_of) -> pd.DataFrame:
	"""Invoices and credit notes with their balance at the end of ``as_of`` (not zero): the engine's
	replay of the company's Payment Ledger to that day."""
	invoices, events = ledger(company, as_of)
	balance = outstanding_at(invoices, as_of, events) if len(invoices) else pd.Series(dtype=float)
	invoices = invoices.set_index("invoice").loc[balance.index].reset_index()
	invoices["outstanding"] = balance.to_numpy()
	invoices = invoices[invoices["outstanding"].abs() >= AMOUNT_TOLERANCE]
	columns_ = ["invoice", "customer", "customer_name", "posting_date", "due_date", "outstanding"]
	notes = get_credit_notes(company, as_of)
	return pd.concat([invoices[columns_], notes[columns_]], ignore_index=True)


def _dates(values: pd.Series) -> pd.Series:
	"""datetime.date objects (None where missing), as ``getdate`` gives them: each distinct day converted
	once (a book has a few hundred distinct days for 100,000 invoices)."""
	codes, days = pd.factorize(pd.to_datetime(values))
	dates = np.array([d.date() for d in days] + [None], dtype=object)
	return pd.Series(dates[codes], index=values.index)  # code -1 (missing) takes the trailing None


def _texts(values: pd.Series) -> pd.Series:
	"""Texts, "" where missing."""
	return values.astype(object).where(values.notna(), "").replace({None: ""})


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
			"label": _("Expected Payment Date"),
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
