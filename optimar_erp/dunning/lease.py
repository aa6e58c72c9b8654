"""A Dunning Run's lease: who may work on it, and what happens when its worker is gone.

A submitted run is Queued with a lease (``lease_expires_at``); the worker that moves it to Running (a
conditional update only one worker wins) renews the lease at every chunk and every few sends. A run is
Completed only when none of its reminders is still Queued or Sending. When a lease passes, the worker is
gone (killed, out of memory, job lost): :func:`expire_stale_runs` (hourly, and before a cancel or a re-run)
marks the run Failed with the reason and releases its reminders:

- Queued ones, and Sending ones on a channel whose send is rows in this database (email, letter, task:
  a send that did not commit did not happen), become Skipped, so the next run decides them again with
  that day's facts;
- Sending ones on SMS or WhatsApp may have left: they become Unknown and a person is asked to check.

Reminders stuck in Sending whatever their run (a retry's worker died) are released the same way once
they have been Sending longer than a lease.
"""

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from optimar_erp import constants as c
from optimar_erp.dunning import channels
from optimar_erp.queries.activities import pending_count, release_terms, unsafe_to_release

RELEASED = "The run stopped before this was sent; a later run decides it again"


def _lease_end():
	return add_to_date(now_datetime(), minutes=c.RUN_LEASE_MINUTES)


def queue(run_name: str) -> None:
	"""The run waits for a worker, under a fresh lease (submit, re-run)."""
	run = frappe.qb.DocType("Dunning Run")
	frappe.qb.update(run).set(run.status, c.RUN_QUEUED).set(run.lease_expires_at, _lease_end()).set(
		run.error, None
	).where(run.name == run_name).run()


def start(run_name: str) -> bool:
	"""Move a Queued run to Running for this worker; False when it is not Queued (another worker has it,
	or it was cancelled, failed or finished meanwhile)."""
	run = frappe.qb.DocType("Dunning Run")
	frappe.qb.update(run).set(run.status, c.RUN_RUNNING).set(run.started_at, now_datetime()).set(
		run.lease_expires_at, _lease_end()
	).set(run.error, None).where((run.name == run_name) & (run.status == c.RUN_QUEUED)).run()
	won = frappe.db.sql("select row_count()")[0][0] == 1
	frappe.db.commit()
	return won


def heartbeat(run_name: str) -> None:
	"""Renew the lease of a Running run (committed by the caller's next commit)."""
	run = frappe.qb.DocType("Dunning Run")
	frappe.qb.update(run).set(run.lease_expires_at, _lease_end()).where(
		(run.name == run_name) & (run.status == c.RUN_RUNNING)
	).run()


def pending(run_name: str) -> int:
	"""The run's reminders not yet ended (Queued or Sending)."""
	return pending_count(run_name)


def finish_if_done(run_name: str) -> bool:
	"""Completed once none of its reminders is pending; True when it is (or already was) Completed."""
	if pending(run_name):
		return False
	run = frappe.qb.DocType("Dunning Run")
	frappe.qb.update(run).set(run.status, c.RUN_COMPLETED).set(run.finished_at, now_datetime()).set(
		run.lease_expires_at, None
	).where((run.name == run_name) & (run.status == c.RUN_RUNNING)).run()
	frappe.db.commit()
	return frappe.db.get_value("Dunning Run", run_name, "status") == c.RUN_COMPLETED


def fail(run_name: str, error: str, requeue: bool = False) -> None:
	"""Mark the run Failed and release its reminders (``requeue``: keep them Queued for a re-run)."""
	run = frappe.qb.DocType("Dunning Run")
	frappe.qb.update(run).set(run.status, c.RUN_FAILED).set(run.error, error[-2000:]).set(
		run.finished_at, now_datetime()
	).set(run.lease_expires_at, None).where(run.name == run_name).run()
	release(run_name=run_name, requeue=requeue)


def lease_expired(doc) -> bool:
	"""True when a Queued/Running run's worker is gone (its lease passed)."""
	return doc.status in c.RUN_ACTIVE and (
		not doc.lease_expires_at or frappe.utils.get_datetime(doc.lease_expires_at) < now_datetime()
	)


def expire_stale_runs() -> list[str]:
	"""Mark every run whose lease passed Failed (with the reason), release its reminders and any reminder
	stuck in Sending for longer than a lease; returns the runs failed. Committed."""
	run = frappe.qb.DocType("Dunning Run")
	now = now_datetime()
	stale = (
		frappe.qb.from_(run)
		.select(run.name, run.lease_expires_at)
		.where(run.docstatus == 1)
		.where(run.status.isin(c.RUN_ACTIVE))
		.where(run.lease_expires_at.isnull() | (run.lease_expires_at < now))
		.run()
	)
	failed = []
	for name, expired_at in stale:
		reason = _(
			"Its worker stopped: the lease expired at {0} without a heartbeat. Reminders it had not sent were released for the next run."
		).format(expired_at or _("submission"))
		frappe.qb.update(run).set(run.status, c.RUN_FAILED).set(run.error, reason).set(
			run.finished_at, now
		).set(run.lease_expires_at, None).where(
			(run.name == name)
			& run.status.isin(c.RUN_ACTIVE)
			& (run.lease_expires_at.isnull() | (run.lease_expires_at < now))
		).run()
		if frappe.db.sql("select row_count()")[0][0]:
			release(run_name=name)
			failed.append(name)
	release(stuck_before=add_to_date(now, minutes=-c.RUN_LEASE_MINUTES))
	frappe.db.commit()
	return failed


def release(run_name: str | None = None, stuck_before=None, requeue: bool = False) -> None:
	"""Hand back the reminders nobody is sending any more: a run's Queued and Sending ones, or (with
	``stuck_before``) any Sending since before that instant. Transactional channels become Skipped
	(decided again by a later run), or Queued with ``requeue`` (the same run, run again, delivers them,
	re-checked); SMS and WhatsApp become Unknown and their collector gets a ToDo."""
	act = frappe.qb.DocType("Collection Activity")
	scope, safe = release_terms(act, run_name, stuck_before)
	now = now_datetime()
	frappe.qb.update(act).set(act.status, c.ACTIVITY_QUEUED if requeue else c.ACTIVITY_SKIPPED).set(
		act.reason, None if requeue else RELEASED
	).set(act.claim_token, None).set(act.modified, now).where(scope & safe).run()
	unknown = unsafe_to_release(run_name, stuck_before)
	if not unknown:
		return
	reason = _("Its worker stopped while handing it to the provider: check whether it arrived")
	frappe.qb.update(act).set(act.status, c.ACTIVITY_UNKNOWN).set(act.reason, reason).set(
		act.claim_token, None
	).set(act.modified, now).where(act.name.isin([row.name for row in unknown])).run()
	for row in unknown:
		channels.ask_a_person(row, reason)
