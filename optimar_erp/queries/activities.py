"""Reads of Collection Activities."""

import datetime as dt

import pandas as pd

import frappe
from frappe.query_builder.functions import Coalesce
from frappe.utils import add_days, flt, get_system_timezone, getdate, now_datetime

from optimar_erp.constants import (
	ACTIVITY_FAILED,
	ACTIVITY_QUEUED,
	ACTIVITY_SENDING,
	ACTIVITY_SENT,
	HUMAN_TOUCH_TYPES,
	INTEREST_CHARGED,
	INTEREST_WAIVED,
	MAX_SEND_ATTEMPTS,
	SENDING_ACTIVITY_TYPES,
	TRANSACTIONAL_CHANNELS,
)
from optimar_erp.queries.frames import fetch_frame


def activities_of(customers: list[str]) -> pd.DataFrame:
	"""Reminders already handed out (or skipped) for these customers."""
	columns = [
		"idempotency_key",
		"customer",
		"invoice",
		"invoices",
		"step_id",
		"channel",
		"status",
		"at",
		"notice",
	]
	if not customers:
		return pd.DataFrame(columns=columns)
	act = frappe.qb.DocType("Collection Activity")
	rows = (
		frappe.qb.from_(act)
		.select(
			act.idempotency_key,
			act.customer,
			Coalesce(act.sales_invoice, ""),
			Coalesce(act.invoices, ""),
			act.step_id,
			act.channel,
			act.status,
			act.creation,
			Coalesce(act.notice, ""),
		)
		.where(act.activity_type == "Reminder")
		.where(act.customer.isin(customers))
		.where(act.idempotency_key.isnotnull())
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=columns)
	# Frappe stores datetimes in the system time zone; the engine reads naive values as UTC
	zone = get_system_timezone()
	frame["at"] = pd.to_datetime(frame["at"]).dt.tz_localize(
		zone, ambiguous="NaT", nonexistent="shift_forward"
	)
	return frame


def touches_between(company: str, start, end) -> pd.DataFrame:
	"""The activities that count as touches (a person's, or the system's sends), Sent or Done from
	``start`` to ``end`` (whole days) for ``company`` (or for none): owner, collector (the customer's),
	customer, date, kind. One packed read: tens of thousands on a large book."""
	ca = frappe.qb.DocType("Collection Activity")
	c = frappe.qb.DocType("Customer")
	return fetch_frame(
		frappe.qb.from_(ca)
		.join(c)
		.on(c.name == ca.customer)
		.where((ca.company == company) | ca.company.isnull())
		.where((ca.creation >= start) & (ca.creation < add_days(end, 1)))
		.where(ca.activity_type.isin((*HUMAN_TOUCH_TYPES, *SENDING_ACTIVITY_TYPES)))
		.where(ca.status.isin((ACTIVITY_SENT, "Done"))),
		{
			"owner": ca.owner,
			"collector": c.collector,
			"customer": ca.customer,
			"date": ca.creation,
			"kind": ca.activity_type,
		},
		datetimes=("date",),
	)


def activity_exists(idempotency_key: str) -> bool:
	"""Whether an activity holds this idempotency key (its action was taken already)."""
	return bool(frappe.db.exists("Collection Activity", {"idempotency_key": idempotency_key}))


def risk_alerts_since(since) -> list:
	"""customer, alert_reason, creation of the risk alerts raised since ``since``."""
	return frappe.get_all(
		"Collection Activity",
		filters={"activity_type": "Risk Alert", "creation": (">=", since)},
		fields=["customer", "alert_reason", "creation"],
	)


def timeline_activities(filters: dict, or_filters: dict | None, fields: list[str], limit: int) -> list:
	"""The latest ``limit`` activities a person made matching the filters, as the user may read them
	(``frappe.get_list``: permissions applied)."""
	return frappe.get_list(
		"Collection Activity",
		filters={**filters, "activity_type": ("in", HUMAN_TOUCH_TYPES)},
		or_filters=or_filters,
		fields=fields,
		order_by="creation desc",
		limit=limit,
	)


def failed_due(limit: int) -> list[str]:
	"""Failed reminders whose backoff has passed and that may be tried again, the longest waiting first."""
	act = frappe.qb.DocType("Collection Activity")
	return [
		name
		for (name,) in frappe.qb.from_(act)
		.select(act.name)
		.where(act.status == ACTIVITY_FAILED)
		.where(act.activity_type == "Reminder")
		.where(act.attempts < MAX_SEND_ATTEMPTS)
		.where(act.next_retry_at <= now_datetime())
		.orderby(act.next_retry_at)
		.limit(limit)
		.run()
	]


def taken_by(token: str) -> list[dict]:
	"""The reminders a worker took under ``token`` and is sending (every field), by customer and step."""
	act = frappe.qb.DocType("Collection Activity")
	return (
		frappe.qb.from_(act)
		.select("*")
		.where(act.claim_token == token)
		.where(act.status == ACTIVITY_SENDING)
		.orderby(act.customer)
		.orderby(act.step_id)
		.run(as_dict=True)
	)


def lock_sending(names: list[str], tokens: list[str]) -> set[str]:
	"""Lock these activities (``SELECT … FOR UPDATE``, until the transaction ends) and return those still
	Sending under one of ``tokens``."""
	act = frappe.qb.DocType("Collection Activity")
	return {
		name
		for name, status in frappe.qb.from_(act)
		.select(act.name, act.status)
		.where(act.name.isin(names))
		.where(act.claim_token.isin(tokens))
		.for_update()
		.run()
		if status == ACTIVITY_SENDING
	}


def pending_count(run_name: str) -> int:
	"""The run's reminders not yet ended (Queued or Sending)."""
	return frappe.db.count(
		"Collection Activity",
		{"dunning_run": run_name, "status": ("in", (ACTIVITY_QUEUED, ACTIVITY_SENDING))},
	)


def queued_of_run(run_name: str) -> list[str]:
	"""The run's Queued reminders (also those a re-run inherits from its stopped worker), by customer and
	step."""
	return frappe.get_all(
		"Collection Activity",
		filters={"dunning_run": run_name, "activity_type": "Reminder", "status": ACTIVITY_QUEUED},
		pluck="name",
		order_by="customer, step_id",
	)


def release_terms(act, run_name: str | None, stuck_before=None):
	"""(scope, safe) as query terms on Collection Activity ``act``: the reminders nobody is sending any
	more (a run's Queued and Sending ones, or any Sending since before ``stuck_before``), and those of them
	that are safe to hand back (Queued, or on a transactional channel)."""
	if run_name:
		scope = (act.dunning_run == run_name) & act.status.isin((ACTIVITY_QUEUED, ACTIVITY_SENDING))
	else:
		scope = (act.status == ACTIVITY_SENDING) & (act.modified < stuck_before)
	safe = (act.status == ACTIVITY_QUEUED) | act.channel.isin(TRANSACTIONAL_CHANNELS)
	return scope, safe


def unsafe_to_release(run_name: str | None, stuck_before=None) -> list[dict]:
	"""The reminders in :func:`release_terms`'s scope that are not safe to hand back (every field)."""
	act = frappe.qb.DocType("Collection Activity")
	scope, safe = release_terms(act, run_name, stuck_before)
	return frappe.qb.from_(act).select("*").where(scope & ~safe).run(as_dict=True)


def interest_settled(invoices: list[str]) -> dict[str, tuple[dt.date | None, bool]]:
	"""Per invoice: the last day charged or waived (None) and whether its fee was charged or waived."""
	if not invoices:
		return {}
	act = frappe.qb.DocType("Collection Activity")
	rows = (
		frappe.qb.from_(act)
		.select(act.sales_invoice, act.interest_through, act.fee_amount)
		.where(act.sales_invoice.isin(invoices))
		.where(act.activity_type.isin([INTEREST_CHARGED, INTEREST_WAIVED]))
		.where(act.status == "Done")
		.run(as_dict=True)
	)
	out: dict[str, tuple[dt.date | None, bool]] = {}
	for r in rows:
		through, fee = out.get(r.sales_invoice, (None, False))
		day = getdate(r.interest_through) if r.interest_through else None
		out[r.sales_invoice] = (max(filter(None, (through, day)), default=None), fee or flt(r.fee_amount) > 0)
	return out
