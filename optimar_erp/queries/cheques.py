"""Reads of post-dated cheques."""

import pandas as pd

import frappe

from optimar_erp.constants import CHEQUE_BOUNCED


def cheque_bounces(company: str, customers: list[str] | None = None) -> pd.DataFrame:
	"""One row per bounced cheque of ``company``: the first of the invoices it was given for (its own
	rows, else its promise's) and the day it bounced — columns ``sales_invoice``, ``bounced_on``."""
	pdc = frappe.qb.DocType("Post Dated Cheque")
	row = frappe.qb.DocType("Promise To Pay Invoice")
	query = (
		frappe.qb.from_(pdc)
		.join(row)
		.on(
			((row.parenttype == "Post Dated Cheque") & (row.parent == pdc.name))
			| ((row.parenttype == "Promise To Pay") & (row.parent == pdc.promise_to_pay))
		)
		.select(pdc.name, row.parenttype, row.sales_invoice, pdc.bounced_on)
		.where((pdc.company == company) & (pdc.status == CHEQUE_BOUNCED) & pdc.bounced_on.isnotnull())
	)
	if customers is not None:
		if not customers:
			return pd.DataFrame(columns=["sales_invoice", "bounced_on"])
		query = query.where(pdc.customer.isin(customers))
	frame = pd.DataFrame(list(query.run()), columns=["cheque", "parenttype", "sales_invoice", "bounced_on"])
	if frame.empty:
		return pd.DataFrame(columns=["sales_invoice", "bounced_on"])
	# a cheque's own invoices before its promise's; one invoice per cheque, so each bounce counts once
	frame["own"] = frame["parenttype"] == "Post Dated Cheque"
	frame = frame.sort_values(["cheque", "own", "sales_invoice"], ascending=[True, False, True])
	first = frame.drop_duplicates("cheque")
	return first[["sales_invoice", "bounced_on"]].reset_index(drop=True)
