"""Promises and disputes on a site: what follows the engine's verdicts (the open promises and disputes it
reads are :mod:`optimar_erp.dunning.commitments`)."""

import pandas as pd

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import cint, getdate, today

from optimar_erp.constants import PROMISE_BROKEN, PROMISE_BROKEN_STATUSES
from optimar_erp.dunning import cheques
from optimar_erp.dunning.channels import create_call_task
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.engine.promises import evaluate_promises


def promises_of_invoices(invoices: list[str]) -> list[str]:
	if not invoices:
		return []
	return frappe.get_all(
		"Promise To Pay Invoice",
		filters={"sales_invoice": ("in", invoices), "parenttype": "Promise To Pay"},
		pluck="parent",
		distinct=True,
	)


def evaluate(names: list[str] | None = None) -> dict[str, str]:
	"""Re-evaluate open promises (all, or these) from the payments actually allocated; store the
	verdicts; a newly broken promise alerts the collector. Returns {promise: status}."""
	filters = {"status": "Open"}
	if names is not None:
		if not names:
			return {}
		filters = {"name": ("in", names), "status": ("!=", "Cancelled")}
	promises = frappe.get_all(
		"Promise To Pay",
		filters=filters,
		fields=["name as promise", "customer", "promised_amount", "promised_date", "creation", "status"],
	)
	if not promises:
		return {}
	names = [p.promise for p in promises]
	# a pending post-dated cheque keeps its promise open until its date + clearing days; a bounced one
	# has broken it
	held, bounced = cheques.hold_until(names), cheques.bounced_promises(names)
	invoice_rows = frappe.get_all(
		"Promise To Pay Invoice",
		filters={"parent": ("in", names), "parenttype": "Promise To Pay"},
		fields=["parent", "sales_invoice"],
	)
	invoices_of: dict[str, list[str]] = {}
	for row in invoice_rows:
		invoices_of.setdefault(row.parent, []).append(row.sales_invoice)
	table = pd.DataFrame(
		[
			{
				"promise": p.promise,
				"customer": p.customer,
				"invoices": tuple(invoices_of.get(p.promise, ())),
				"promised_amount": float(p.promised_amount),
				"promised_date": max(getdate(p.promised_date), held.get(p.promise, getdate(p.promised_date))),
				"recorded_on": getdate(p.creation),
				"cancelled": False,
			}
			for p in promises
		]
	)
	instalments = pd.DataFrame(
		frappe.get_all(
			"Promise To Pay Instalment",
			filters={"parent": ("in", names), "parenttype": "Promise To Pay"},
			fields=["parent", "due_date", "amount"],
			as_list=True,
		),
		columns=["promise", "due_date", "amount"],
	)
	customers = sorted({p.customer for p in promises})
	grace = cint(frappe.db.get_single_value("Collections Settings", "promise_grace_days"))
	result = evaluate_promises(table, instalments, payments_of(customers), getdate(today()), grace)
	for promise, day in bounced.items():
		still_open = (result["promise"] == promise) & (result["status"] == "Open")
		result.loc[still_open, ["status", "broken_on"]] = [PROMISE_BROKEN, pd.Timestamp(day)]
	return _store(result, {p.promise: p for p in promises}, invoices_of)


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


def _store(result: pd.DataFrame, before: dict, invoices_of: dict) -> dict[str, str]:
	verdicts = {}
	affected: list[str] = []
	for row in result.itertuples(index=False):
		previous = before[row.promise].status
		frappe.db.set_value(
			"Promise To Pay",
			row.promise,
			{
				"status": row.status,
				"paid_amount": float(row.paid_amount),
				"next_due_date": None if pd.isna(row.next_due_date) else getdate(row.next_due_date),
				"deadline": None if pd.isna(row.deadline) else getdate(row.deadline),
				"broken_on": None if pd.isna(row.broken_on) else getdate(row.broken_on),
			},
			update_modified=row.status != previous,
		)
		verdicts[row.promise] = row.status
		if row.status != previous:
			affected += invoices_of.get(row.promise, [])
			if row.status in PROMISE_BROKEN_STATUSES:
				_alert_broken(before[row.promise], row)
	if affected:
		refresh_collection_state(affected)
	return verdicts


def _alert_broken(promise, row) -> None:
	"""The collector hears of it at once; the activity feeds the broken-promise count."""
	collector = frappe.db.get_value("Customer", promise.customer, "collector")
	description = _("Promise {0} is {1}: {2} paid of {3} promised by {4}").format(
		promise.promise,
		_(row.status).lower(),
		row.paid_amount,
		promise.promised_amount,
		promise.promised_date,
	)
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Promise",
			"status": "Done",
			"customer": promise.customer,
			"reference_doctype": "Promise To Pay",
			"reference_name": promise.promise,
			"message": description,
			"reason": row.status,
		}
	).insert(ignore_permissions=True)
	if collector:
		create_call_task(collector, ("Promise To Pay", promise.promise), description, getdate())


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
