"""Open promises and disputes as the tables the engine reads: below both the promise verdicts
(:mod:`optimar_erp.dunning.promises`) and the collection state (:mod:`optimar_erp.dunning.state`)."""

import pandas as pd

import frappe

from optimar_erp.constants import DISPUTE_OPEN_STATUSES


def open_promises_table(
	customers: list[str] | None = None, invoices: list[str] | None = None
) -> pd.DataFrame:
	"""invoice, promised_date, status of every open promise (one row per promised invoice), optionally
	only for these customers or these invoices."""
	ptp = frappe.qb.DocType("Promise To Pay")
	row = frappe.qb.DocType("Promise To Pay Invoice")
	query = (
		frappe.qb.from_(ptp)
		.join(row)
		.on((row.parent == ptp.name) & (row.parenttype == "Promise To Pay"))
		.select(row.sales_invoice, ptp.promised_date, ptp.status)
		.where(ptp.status == "Open")
	)
	if customers is not None:
		if not customers:
			return pd.DataFrame(columns=["invoice", "promised_date", "status"])
		query = query.where(ptp.customer.isin(customers))
	if invoices is not None:
		if not invoices:
			return pd.DataFrame(columns=["invoice", "promised_date", "status"])
		query = query.where(row.sales_invoice.isin(invoices))
	return pd.DataFrame(list(query.run()), columns=["invoice", "promised_date", "status"])


def open_disputes_table(
	customers: list[str] | None = None, invoices: list[str] | None = None
) -> pd.DataFrame:
	"""invoice, status of every open (or under review) dispute, optionally only for these customers or
	these invoices."""
	filters = {"status": ("in", DISPUTE_OPEN_STATUSES)}
	for field, values in (("customer", customers), ("sales_invoice", invoices)):
		if values is None:
			continue
		if not values:
			return pd.DataFrame(columns=["invoice", "status"])
		filters[field] = ("in", values)
	rows = frappe.get_all("Dispute", filters=filters, fields=["sales_invoice", "status"], as_list=True)
	return pd.DataFrame(list(rows), columns=["invoice", "status"])
