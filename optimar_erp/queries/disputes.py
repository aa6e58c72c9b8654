"""Reads of Disputes."""

import pandas as pd

import frappe

from optimar_erp.constants import DISPUTE_OPEN_STATUSES


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
