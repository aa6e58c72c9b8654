"""Promises and disputes on a site: what follows the engine's verdicts (the open promises and disputes it
reads are :mod:`optimar_erp.queries.promises` and :mod:`optimar_erp.queries.disputes`)."""

import pandas as pd

import frappe
from frappe import _
from frappe.utils import cint, getdate, today

from optimar_erp.constants import PROMISE_BROKEN, PROMISE_BROKEN_STATUSES
from optimar_erp.dunning import cheques
from optimar_erp.dunning.channels import create_call_task
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.engine.promises import evaluate_promises
from optimar_erp.queries.promises import payments_of, promises_to_evaluate


def evaluate(names: list[str] | None = None) -> dict[str, str]:
	"""Re-evaluate open promises (all, or these) from the payments actually allocated; store the
	verdicts; a newly broken promise alerts the collector. Returns {promise: status}."""
	if names is not None and not names:
		return {}
	promises, invoices_of, instalments = promises_to_evaluate(names)
	if not promises:
		return {}
	names = [p.promise for p in promises]
	# a pending post-dated cheque keeps its promise open until its date + clearing days; a bounced one
	# has broken it
	held, bounced = cheques.hold_until(names), cheques.bounced_promises(names)
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
	customers = sorted({p.customer for p in promises})
	grace = cint(frappe.db.get_single_value("Collections Settings", "promise_grace_days"))
	result = evaluate_promises(table, instalments, payments_of(customers), getdate(today()), grace)
	for promise, day in bounced.items():
		still_open = (result["promise"] == promise) & (result["status"] == "Open")
		result.loc[still_open, ["status", "broken_on"]] = [PROMISE_BROKEN, pd.Timestamp(day)]
	return _store(result, {p.promise: p for p in promises}, invoices_of)


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
