"""Scheduler entry points: thin, they only create or enqueue documents and jobs."""

import datetime as dt
from zoneinfo import ZoneInfo

import frappe
from frappe.utils import get_time, today

from optimar_erp.cash.matching import auto_allocate
from optimar_erp.collections.doctype.dispute.dispute import alert_sla_breaches
from optimar_erp.constants import RUN_ACTIVE
from optimar_erp.dunning import cheques, promises
from optimar_erp.dunning.delivery import retry_failed
from optimar_erp.dunning.escalation import escalate
from optimar_erp.dunning.lease import expire_stale_runs
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.inbox.replies import reprocess_recent
from optimar_erp.queries.figures import warm_cache
from optimar_erp.queries.invoices import companies_with_open_invoices, open_invoice_names
from optimar_erp.response.jobs import nightly as learn_nightly

HOURLY_DUNNING_LOCK = "optimar-hourly-dunning"


def hourly_dunning() -> list[str]:
	"""Fail the runs whose worker is gone (lease expired), then, inside the send window, start one Dunning
	Run per company with open invoices and no live run. Two of these jobs at once: the second returns."""
	expire_stale_runs()
	settings = frappe.get_cached_doc("Collections Settings")
	if not settings.enabled:
		return []
	local = dt.datetime.now(ZoneInfo(settings.get_time_zone())).time()
	if not get_time(settings.send_window_start) <= local < get_time(settings.send_window_end):
		return []
	if not frappe.db.sql("select get_lock(%s, 0)", HOURLY_DUNNING_LOCK)[0][0]:
		return []
	try:
		return _start_runs()
	finally:
		frappe.db.sql("select release_lock(%s)", HOURLY_DUNNING_LOCK)


def _start_runs() -> list[str]:
	created = []
	for company in companies_with_open_invoices():
		if frappe.db.exists("Dunning Run", {"company": company, "status": ("in", RUN_ACTIVE)}):
			continue
		run = frappe.get_doc(
			{"doctype": "Dunning Run", "company": company, "run_date": today(), "trigger": "Scheduler"}
		)
		run.insert(ignore_permissions=True)
		run.submit()
		created.append(run.name)
	return created


def retry_failed_reminders() -> None:
	retry_failed()


def daily_collections() -> None:
	"""Promise verdicts, dispute SLA alerts and behaviour-driven escalation, once a day."""
	promises.evaluate()
	cheques.deposit_tasks()
	alert_sla_breaches()
	refresh_open_invoice_states()
	if frappe.get_cached_doc("Collections Settings").enabled:
		escalate()


def nightly_risk_scoring() -> None:
	"""Retrain the risk model and rescore every open invoice and customer (long queue, deduplicated)."""
	if not frappe.db.get_single_value("Collections Settings", "risk_scoring_enabled"):
		return
	from optimar_erp.risk.jobs import enqueue_nightly

	enqueue_nightly()


def refresh_open_invoice_states() -> int:
	"""Invoices fall due with the calendar, not with an event: recompute every open invoice's state."""
	names = open_invoice_names()
	for start in range(0, len(names), 5000):
		refresh_collection_state(names[start : start + 5000])
	return len(names)


def hourly_inbox_and_cash() -> None:
	"""Classify replies whose job was missed, and allocate certain receipts when the settings allow it."""
	if frappe.db.get_single_value("Collections Settings", "inbox_enabled"):
		reprocess_recent(days=2)
	auto_allocate()


def warm_ledger_cache(company: str | None = None) -> None:
	"""Every 15 minutes, and in the background after a posting (:mod:`optimar_erp.overrides.payment_ledger_entry`):
	bring the cached ledger figures of the workspace cards and the DSO trend up to date (the read side,
	:func:`optimar_erp.queries.figures.warm_cache`)."""
	warm_cache(company)


def nightly_response_learning() -> None:
	"""Learn each customer's best channel, time and payment-run days from the site's reminders and what
	followed them (:mod:`optimar_erp.response.jobs`), when learning is on."""
	learn_nightly()
