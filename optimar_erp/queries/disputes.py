"""Reads of Disputes."""

import pandas as pd

import frappe
from frappe.query_builder.functions import Sum

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


def open_disputes_of(customer: str) -> list:
	"""The customer's open disputes: name, sales_invoice, disputed_amount, reason_code, sla_due_date."""
	return frappe.get_all(
		"Dispute",
		filters={"customer": customer, "status": ("in", DISPUTE_OPEN_STATUSES)},
		fields=["name", "sales_invoice", "disputed_amount", "reason_code", "sla_due_date"],
	)


def open_dispute_on(invoice: str, other_than: str | None = None) -> bool:
	"""Whether the invoice has an open dispute (other than ``other_than``)."""
	return bool(
		frappe.db.exists(
			"Dispute",
			{"sales_invoice": invoice, "status": ("in", DISPUTE_OPEN_STATUSES), "name": ("!=", other_than)},
		)
	)


def open_disputes_on(invoice: str) -> list[str]:
	"""The names of the invoice's open disputes."""
	return frappe.get_all(
		"Dispute", filters={"sales_invoice": invoice, "status": ("in", DISPUTE_OPEN_STATUSES)}, pluck="name"
	)


def breached_unnotified(day) -> list:
	"""Open disputes past their SLA on ``day`` whose breach nobody was told of yet: name, dispute_owner,
	sales_invoice, sla_due_date."""
	return frappe.get_all(
		"Dispute",
		filters={
			"status": ("in", DISPUTE_OPEN_STATUSES),
			"sla_due_date": ("<", day),
			"sla_breach_notified": 0,
		},
		fields=["name", "dispute_owner", "sales_invoice", "sla_due_date"],
	)


def disputes_for_aging(company: str, reason_code: str | None = None) -> pd.DataFrame:
	"""The company's open disputes (of one reason): dispute, customer, sales_invoice, reason_code, owner,
	raised_on, amount, sla_due_date, status, currency."""
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
			d.currency,
		)
		.where((d.company == company) & d.status.isin(DISPUTE_OPEN_STATUSES))
	)
	if reason_code:
		query = query.where(d.reason_code == reason_code)
	return pd.DataFrame(
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
			"currency",
		],
	)


def disputed_total(company: str):
	"""What the company's open disputes dispute (None: none)."""
	d = frappe.qb.DocType("Dispute")
	return (
		frappe.qb.from_(d)
		.select(Sum(d.disputed_amount))
		.where((d.company == company) & d.status.isin(DISPUTE_OPEN_STATUSES))
		.run()[0][0]
	)
