"""Reads for learning collections (:mod:`optimar_erp.response`): the reminders sent and what customers did
after them (payments, promises, disputes), and the customers' settlement days for their payment-run
calendars. Each is one set-based read."""

import pandas as pd

import frappe
from frappe.query_builder.functions import Coalesce

from optimar_erp.constants import ACTIVITY_SENT
from optimar_erp.queries.frames import fetch_frame


def sent_reminders(since) -> pd.DataFrame:
	"""Every reminder sent since ``since`` (a datetime): customer, segment (its customer group), channel,
	tone, step_id, days_overdue and sent_at (naive, in the system time zone: when the activity was
	written)."""
	ca = frappe.qb.DocType("Collection Activity")
	cu = frappe.qb.DocType("Customer")
	return fetch_frame(
		frappe.qb.from_(ca)
		.left_join(cu)
		.on(cu.name == ca.customer)
		.where(ca.activity_type == "Reminder")
		.where(ca.status == ACTIVITY_SENT)
		.where(ca.creation >= since),
		{
			"customer": ca.customer,
			"segment": Coalesce(cu.customer_group, ""),
			"channel": Coalesce(ca.channel, ""),
			"tone": Coalesce(ca.tone, ""),
			"step_id": Coalesce(ca.step_id, ""),
			"days_overdue": Coalesce(ca.days_overdue, 0),
			"sent_at": ca.creation,
		},
		datetimes=("sent_at",),
		ints=("days_overdue",),
	)


def response_events(since) -> pd.DataFrame:
	"""What customers did since ``since``: customer, kind (payment, promise, dispute), at. Payments are
	receipts in the Payment Ledger (dated by posting date, at noon: the ledger has no time), promises and
	disputes when they were recorded."""
	payments = _receipt_days(since, "at")
	payments["at"] = payments["at"] + pd.Timedelta(hours=12)
	frames = [payments.assign(kind="payment")]
	for doctype, kind in (("Promise To Pay", "promise"), ("Dispute", "dispute")):
		dt = frappe.qb.DocType(doctype)
		frames.append(
			fetch_frame(
				frappe.qb.from_(dt).where(dt.docstatus < 2).where(dt.creation >= since),
				{"customer": dt.customer, "at": dt.creation},
				datetimes=("at",),
			).assign(kind=kind)
		)
	return pd.concat(frames, ignore_index=True)[["customer", "kind", "at"]]


def settlements(since) -> pd.DataFrame:
	"""customer, settled_date of every receipt day since ``since`` (the days the customer's payment runs
	paid out), for the payment-run calendars."""
	return _receipt_days(since, "settled_date")


def _receipt_days(since, day_column: str) -> pd.DataFrame:
	"""customer and ``day_column``: each day since ``since`` on which the customer paid (a receipt by
	Payment Entry or Journal Entry in the Payment Ledger)."""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	return fetch_frame(
		frappe.qb.from_(ple)
		.where(ple.party_type == "Customer")
		.where(ple.delinked == 0)
		.where(ple.amount < 0)
		.where(ple.voucher_type.isin(["Payment Entry", "Journal Entry"]))
		.where(ple.posting_date >= pd.Timestamp(since).date())
		.groupby(ple.party, ple.posting_date),
		{"customer": ple.party, day_column: ple.posting_date},
		datetimes=(day_column,),
	)


def profiles_of(customers: list[str]) -> pd.DataFrame:
	"""customer, best_channel, best_time, payment_run_days, evidence of these customers' Customer Response
	Profiles (those the nightly job wrote)."""
	crp = frappe.qb.DocType("Customer Response Profile")
	columns = ["customer", "best_channel", "best_time", "payment_run_days", "evidence"]
	if not customers:
		return pd.DataFrame(columns=columns)
	rows = (
		frappe.qb.from_(crp)
		.select(
			crp.customer,
			Coalesce(crp.best_channel, ""),
			Coalesce(crp.best_time, ""),
			Coalesce(crp.payment_run_days, ""),
			Coalesce(crp.evidence, ""),
		)
		.where(crp.customer.isin(customers))
		.run()
	)
	return pd.DataFrame(list(rows), columns=columns)
