"""Reads of Collection Activities."""

import pandas as pd

import frappe
from frappe.query_builder.functions import Coalesce
from frappe.utils import get_system_timezone


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
