"""Reads of Sales Invoices: the one open-invoice condition, the dunning engine's open invoices, what an invoice
owes right now, and its risk and collection fields."""

import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.queries.ledger import INVOICE_COLUMNS


def is_open(si):
	"""The one open-invoice condition, as a query term on Sales Invoice ``si``: something is still owed on
	it (its outstanding amount is above :data:`~optimar_erp.constants.AMOUNT_TOLERANCE`). Submission,
	returns and company are the caller's conditions."""
	return si.outstanding_amount > AMOUNT_TOLERANCE


def has_balance(si):
	"""Open, or a credit note that keeps its own (negative) outstanding: the Sales Invoices ERPNext's
	Accounts Receivable lists."""
	return (si.outstanding_amount > AMOUNT_TOLERANCE) | (si.outstanding_amount < -AMOUNT_TOLERANCE)


def open_invoices(company: str, customer: str | None = None) -> pd.DataFrame:
	"""Submitted, non-return Sales Invoices with something outstanding, in the currency the customer owes
	them in: ``outstanding_amount`` is in the party account's currency, and so are ``currency`` and
	``grand_total`` here (as ERPNext's Accounts Receivable shows them)."""
	si = frappe.qb.DocType("Sales Invoice")
	query = (
		frappe.qb.from_(si)
		.select(
			si.name.as_("invoice"),
			si.customer,
			si.customer_name,
			si.company,
			owed_currency(si).as_("currency"),
			si.posting_date,
			si.due_date,
			owed_grand_total(si).as_("grand_total"),
			si.outstanding_amount.as_("outstanding"),
		)
		.where(si.docstatus == 1)
		.where(si.is_return == 0)
		.where(si.company == company)
		.where(is_open(si))
	)
	if customer:
		query = query.where(si.customer == customer)
	columns = [c for c in INVOICE_COLUMNS if c != "settled_date"]
	frame = pd.DataFrame(list(query.run()), columns=columns)
	frame["outstanding"] = frame["outstanding"].astype(float)
	frame["grand_total"] = frame["grand_total"].astype(float)
	return frame


def owed_currency(si):
	"""The currency a Sales Invoice is owed in (its party account's), as a query term."""
	return Coalesce(si.party_account_currency, si.currency)


def owed_grand_total(si):
	"""The invoice's grand total in the currency it is owed in, as a query term (``outstanding_amount``
	already is)."""
	return Case().when(owed_currency(si) == si.currency, si.grand_total).else_(si.base_grand_total)


def invoices_now(invoices: list[str]) -> pd.DataFrame:
	"""invoice, customer, outstanding of these invoices right now, for the last check before a send (a
	cancelled or draft invoice owes nothing; a name that is no invoice is absent)."""
	columns = ["invoice", "customer", "outstanding"]
	if not invoices:
		return pd.DataFrame(columns=columns)
	si = frappe.qb.DocType("Sales Invoice")
	rows = (
		frappe.qb.from_(si)
		.select(si.name, si.customer, Case().when(si.docstatus == 1, si.outstanding_amount).else_(0))
		.where(si.name.isin(invoices))
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=columns)
	frame["outstanding"] = frame["outstanding"].astype(float)
	return frame


def invoice_risk(names: list[str]) -> pd.DataFrame:
	"""Risk and collection fields of these Sales Invoices (indexed by name)."""
	cols = ["risk_band", "late_probability", "predicted_pay_date", "collection_state"]
	if not names:
		return pd.DataFrame(columns=cols)
	si = frappe.qb.DocType("Sales Invoice")
	rows = []
	for start in range(0, len(names), 20_000):
		chunk = names[start : start + 20_000]
		rows += list(
			frappe.qb.from_(si)
			.select(si.name, si.risk_band, si.late_probability, si.predicted_pay_date, si.collection_state)
			.where(si.name.isin(chunk))
			.run()
		)
	return pd.DataFrame(rows, columns=["invoice", *cols]).set_index("invoice")
