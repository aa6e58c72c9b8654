"""Reads of Promises To Pay."""

import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import add_days

from optimar_erp.constants import PROMISE_BROKEN_STATUSES
from optimar_erp.queries.frames import fetch_frame


def open_promises(company: str | None = None) -> pd.DataFrame:
	"""Open promises: customer, promised_date, amount still to pay."""
	ptp = frappe.qb.DocType("Promise To Pay")
	query = (
		frappe.qb.from_(ptp)
		.select(ptp.customer, ptp.promised_date, ptp.promised_amount - ptp.paid_amount)
		.where(ptp.status == "Open")
	)
	if company:
		query = query.where(ptp.company == company)
	frame = pd.DataFrame(list(query.run()), columns=["customer", "promised_date", "amount"])
	frame["amount"] = frame["amount"].astype(float).clip(lower=0)
	return frame


def promises_of_invoices(invoices: list[str]) -> list[str]:
	if not invoices:
		return []
	return frappe.get_all(
		"Promise To Pay Invoice",
		filters={"sales_invoice": ("in", invoices), "parenttype": "Promise To Pay"},
		pluck="parent",
		distinct=True,
	)


def payments_of(customers: list[str]) -> pd.DataFrame:
	"""Money received from these customers, per invoice and day (unallocated: invoice empty), from the
	Payment Ledger. Credit notes are not payments."""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	rows = (
		frappe.qb.from_(ple)
		.select(ple.party, ple.against_voucher_type, ple.against_voucher_no, ple.posting_date, ple.amount)
		.where(ple.party_type == "Customer")
		.where(ple.party.isin(customers))
		.where(ple.delinked == 0)
		.where(ple.amount < 0)
		.where(ple.voucher_type.isin(["Payment Entry", "Journal Entry"]))
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=["customer", "against_type", "invoice", "date", "amount"])
	frame.loc[frame["against_type"] != "Sales Invoice", "invoice"] = ""
	frame["amount"] = -frame["amount"].astype(float)
	return frame.drop(columns="against_type")


def broken_promise_counts(customers: list[str], since) -> dict[str, int]:
	"""Promises broken (or partly kept) since ``since``, per customer. A ``frappe.qb`` aggregate: Frappe v16
	refuses SQL functions written as strings in ``get_all`` fields, v15 does not know v16's dict syntax."""
	if not customers:
		return {}
	promise = frappe.qb.DocType("Promise To Pay")
	rows = (
		frappe.qb.from_(promise)
		.select(promise.customer, Count(promise.name))
		.where(
			promise.customer.isin(customers)
			& promise.status.isin(PROMISE_BROKEN_STATUSES)
			& (promise.broken_on >= since)
		)
		.groupby(promise.customer)
		.run()
	)
	return {customer: count for customer, count in rows}


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


def promises_to_evaluate(names: list[str] | None = None) -> tuple[list, dict[str, list[str]], pd.DataFrame]:
	"""What the promise verdicts are computed from: the open promises (all, or these ``names`` unless
	cancelled) as rows (promise, customer, promised_amount, promised_date, creation, status), the invoices
	of each ({promise: [invoice, …]}) and their instalments (promise, due_date, amount)."""
	filters = {"status": "Open"}
	if names is not None:
		filters = {"name": ("in", names or [""]), "status": ("!=", "Cancelled")}
	promises = frappe.get_all(
		"Promise To Pay",
		filters=filters,
		fields=["name as promise", "customer", "promised_amount", "promised_date", "creation", "status"],
	)
	if not promises:
		return [], {}, pd.DataFrame(columns=["promise", "due_date", "amount"])
	names = [p.promise for p in promises]
	invoice_rows = frappe.get_all(
		"Promise To Pay Invoice",
		filters={"parent": ("in", names), "parenttype": "Promise To Pay"},
		fields=["parent", "sales_invoice"],
	)
	invoices_of: dict[str, list[str]] = {}
	for row in invoice_rows:
		invoices_of.setdefault(row.parent, []).append(row.sales_invoice)
	instalments = pd.DataFrame(
		frappe.get_all(
			"Promise To Pay Instalment",
			filters={"parent": ("in", names), "parenttype": "Promise To Pay"},
			fields=["parent", "due_date", "amount"],
			as_list=True,
		),
		columns=["promise", "due_date", "amount"],
	)
	return promises, invoices_of, instalments


def promises_recorded(company: str, start, end) -> pd.DataFrame:
	"""The company's promises recorded from ``start`` to ``end`` (whole days): collector (who recorded it),
	customer, date, amount."""
	ptp = frappe.qb.DocType("Promise To Pay")
	return fetch_frame(
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


def open_promises_of(customer: str) -> list:
	"""The customer's open promises: name, promised_amount, promised_date, paid_amount."""
	return frappe.get_all(
		"Promise To Pay",
		filters={"customer": customer, "status": "Open"},
		fields=["name", "promised_amount", "promised_date", "paid_amount"],
	)


def broken_promise_count(customer: str) -> int:
	"""How many of the customer's promises were broken (or kept only in part), ever."""
	return frappe.db.count(
		"Promise To Pay", {"customer": customer, "status": ("in", PROMISE_BROKEN_STATUSES)}
	)


def broken_promises_since(customers: list[str], since) -> list:
	"""customer, broken_on of these customers' promises broken (or kept only in part) since ``since``."""
	return frappe.get_all(
		"Promise To Pay",
		filters={
			"customer": ("in", customers),
			"status": ("in", PROMISE_BROKEN_STATUSES),
			"broken_on": (">=", since),
		},
		fields=["customer", "broken_on"],
	)


def promises_for_adherence(company: str, start, end, collector: str | None = None) -> pd.DataFrame:
	"""The company's promises due from ``start`` to ``end`` (and those still open after it), optionally
	only those ``collector`` recorded: promised_date, promised_amount, paid_amount, status."""
	ptp = frappe.qb.DocType("Promise To Pay")
	query = (
		frappe.qb.from_(ptp)
		.select(ptp.promised_date, ptp.promised_amount, ptp.paid_amount, ptp.status)
		.where((ptp.company == company) & (ptp.promised_date >= start))
		.where((ptp.promised_date <= end) | (ptp.status == "Open"))
	)
	if collector:
		query = query.where(ptp.recorded_by == collector)
	return pd.DataFrame(
		list(query.run()), columns=["promised_date", "promised_amount", "paid_amount", "status"]
	)


def still_promised_between(company: str, start, end):
	"""What is still to pay on the company's open promises due from ``start`` to ``end`` (None: none)."""
	ptp = frappe.qb.DocType("Promise To Pay")
	return (
		frappe.qb.from_(ptp)
		.select(Sum(ptp.promised_amount - ptp.paid_amount))
		.where((ptp.company == company) & (ptp.status == "Open"))
		.where((ptp.promised_date >= start) & (ptp.promised_date <= end))
		.run()[0][0]
	)


def broken_count_since(company: str, since) -> int | None:
	"""How many of the company's promises were broken (or kept only in part) since ``since``."""
	ptp = frappe.qb.DocType("Promise To Pay")
	return (
		frappe.qb.from_(ptp)
		.select(Count(Case().when(ptp.status.isin(PROMISE_BROKEN_STATUSES), 1)))
		.where((ptp.company == company) & (ptp.broken_on >= since))
		.run()[0][0]
	)


def promise_fields(name: str, fields: list[str]):
	"""``fields`` of the Promise To Pay ``name`` as a dict (None when there is none)."""
	return frappe.db.get_value("Promise To Pay", name, fields, as_dict=True)
