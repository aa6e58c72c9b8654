"""A dunning run: query → engine decision → claim (Collection Activity under its key) → delivery.

Claiming writes every decided action into Collection Activity in one statement, under its
``idempotency_key`` (a unique index), committed before anything is sent: a key already Queued, Sending,
Sent, Failed or Unknown is left alone (never handed out twice), a key Skipped earlier is taken over as
Queued by this run (decided again). The run then delivers only the rows it holds
(:mod:`optimar_erp.dunning.delivery`), under a lease (:mod:`optimar_erp.dunning.lease`).
"""

import dataclasses
import datetime as dt
import time

import pandas as pd

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from optimar_erp import constants as c
from optimar_erp.dunning import channels, delivery, lease
from optimar_erp.dunning.inputs import dunning_config
from optimar_erp.engine.dunning import decide
from optimar_erp.queries.activities import activities_of, queued_of_run
from optimar_erp.queries.customers import customers_of
from optimar_erp.queries.disputes import open_disputes_table
from optimar_erp.queries.invoices import companies_with_open_invoices, open_invoices
from optimar_erp.queries.ledger import credits_on_account
from optimar_erp.queries.promises import open_promises_table
from optimar_erp.queries.sequences import sequence_per_customer, sequences_and_steps
from optimar_erp.response.policy import learned_policy
from optimar_erp.writes import STANDARD_COLUMNS, is_write_conflict

SEND_INLINE_UP_TO = delivery.BATCH_SIZE
CHUNK_SIZE = delivery.BATCH_SIZE
CLAIM_ATTEMPTS = 3
ESCALATIONS = {
	"Assign Collector ToDo": "ToDo",
	"Notify Collections Manager": "Notify Manager",
	"Collections Hold": "Hold",
}
LEARNED_FIELDS = ("learned", "propensity", "choice_reason", "send_hour")
"""What a learned step chose and why, recorded on its reminder (empty for fixed steps)."""
ACTIVITY_FIELDS = [
	*STANDARD_COLUMNS,
	"activity_type",
	"status",
	"customer",
	"sales_invoice",
	"invoices",
	"company",
	"channel",
	"dunning_sequence",
	"step_id",
	"tone",
	"dunning_run",
	"idempotency_key",
	"notice",
	"recipient",
	"amount",
	"currency",
	"days_overdue",
	"escalation_action",
	"reason",
	"attempts",
	*LEARNED_FIELDS,
]


def decide_for(
	company: str,
	run_date,
	customer: str | None = None,
	now: dt.datetime | None = None,
	sequence: str | None = None,
	any_hour: bool = False,
):
	"""Read the company's open book and ask the engine what to do; returns (decision, invoices).

	``sequence`` forces one sequence on every invoice (the form's preview); ``any_hour`` decides as if
	inside the send window whatever the hour and zone (a preview or a dry run: what *today* brings)."""
	settings = frappe.get_cached_doc("Collections Settings")
	invoices = open_invoices(company, customer)
	customers = customers_of(sorted(invoices["customer"].unique()))
	# a learned step shrinks a customer with little history towards its customer group's answer
	customers["segment"] = customers["customer_group"].fillna("").astype(str)
	sequences, steps = sequences_and_steps()
	steps["escalation"] = steps["escalation"].map(lambda e: ESCALATIONS.get(e, ""))
	invoices["sequence"] = (
		sequence
		if sequence
		else invoices["customer"].map(sequence_per_customer(customers, invoices, company, sequences))
	)
	activities = activities_of(list(customers["customer"]))
	config = dunning_config(settings, run_date, now)
	if any_hour:
		config = dataclasses.replace(
			config, window_start=dt.time(0, 0), window_end=dt.time(23, 59, 59, 999999)
		)
	names = list(customers["customer"])
	decision = decide(
		invoices,
		steps,
		activities,
		customers,
		open_promises_table(names),
		open_disputes_table(names),
		config,
		credits_on_account(company, names),
		policy=learned_policy(settings),
	)
	return decision, invoices


def execute_run(run_name: str) -> dict:
	"""Carry out a submitted, Queued Dunning Run. Only one worker gets it (the others return at once);
	claims are idempotent, so a re-run never hands a step out twice."""
	run = frappe.get_doc("Dunning Run", run_name)
	if run.docstatus != 1:
		frappe.throw(_("Submit the Dunning Run before running it."))
	if not lease.start(run.name):
		return {"actions": 0, "not_started": run.status}
	try:
		delivery.progress(run.name, 10, _("Reading open invoices and deciding"))
		decision, _invoices = decide_for(run.company, run.run_date, run.customer)
		delivery.progress(run.name, 50, _("Recording {0} reminders").format(len(decision.actions)))
		claimed, already_done = claim(decision.actions, run)
		log_skips(decision.skipped, run)
		run.db_set(
			{
				"invoices_evaluated": decision.evaluated,
				"actions_decided": len(decision.actions),
				"already_done": already_done,
				"skipped": len(decision.skipped),
				"skip_reasons": _skip_summary(decision.skipped),
			}
		)
		lease.heartbeat(run.name)
		frappe.db.commit()
		if len(claimed) <= SEND_INLINE_UP_TO:
			delivery.deliver(claimed, run.name)
		else:
			for start in range(0, len(claimed), CHUNK_SIZE):
				frappe.enqueue(
					"optimar_erp.dunning.run.deliver_chunk",
					queue="long",
					activities=claimed[start : start + CHUNK_SIZE],
					run_name=run.name,
					job_id=f"optimar-dunning-deliver::{run.name}::{start}",
					deduplicate=True,
					enqueue_after_commit=True,
				)
		# Completed once every reminder it holds has ended (the last chunk completes it)
		lease.finish_if_done(run.name)
		delivery.progress(run.name, 100, _("Handed to delivery"))
	except Exception:
		frappe.db.rollback()
		lease.fail(run.name, frappe.get_traceback())
		frappe.db.commit()
		raise
	return decision.summary()


def deliver_chunk(activities: list[str], run_name: str) -> dict:
	"""One chunk of a large run, in its own job: renews the run's lease, then delivers."""
	lease.heartbeat(run_name)
	frappe.db.commit()
	return delivery.deliver(activities, run_name)


def claim(actions: pd.DataFrame, run) -> tuple[list[str], int]:
	"""Write one Queued activity per action under its key (taking over keys only Skipped before); return
	(the Queued activity names this run holds, keys held by earlier or concurrent runs). Retried after a
	rollback on a write conflict (a deadlock, or a concurrent run's rows since this one's snapshot)."""
	rows = [
		_activity_row(
			status=c.ACTIVITY_QUEUED,
			customer=action.customer,
			sales_invoice=action.invoices[0],
			invoices=", ".join(action.invoices),
			company=run.company,
			channel=action.channel,
			dunning_sequence=action.sequence,
			step_id=action.step_id,
			tone=action.tone,
			dunning_run=run.name,
			idempotency_key=action.idempotency_key,
			notice=action.notice,
			recipient=action.recipient,
			amount=float(action.amount),
			currency=action.currency,
			days_overdue=int(action.days_overdue),
			escalation_action=action.escalation,
			**_learned_values(action),
		)
		for action in actions.itertuples(index=False)
	]
	for attempt in range(1, CLAIM_ATTEMPTS + 1 if rows else 0):
		try:
			insert_rows("Collection Activity", ACTIVITY_FIELDS, rows, take_over_skipped=True)
			frappe.db.commit()
			break
		except Exception as e:
			frappe.db.rollback()
			if attempt == CLAIM_ATTEMPTS or not is_write_conflict(e):
				raise
			time.sleep(0.2 * attempt)
	# the run's own Queued reminders, also those a re-run inherits from its stopped worker
	mine = queued_of_run(run.name)
	return mine, max(len(actions) - len(mine), 0)


def _learned_values(action) -> dict:
	"""The learned choice of an action (channel and tone are the action's own), or nothing."""
	if not getattr(action, "learned", False):
		return {}
	return {
		"learned": 1,
		"propensity": float(action.propensity),
		"choice_reason": action.choice_reason,
		"send_hour": int(action.send_hour),
	}


def _activity_row(**values) -> tuple:
	"""One Reminder activity as a tuple in ``ACTIVITY_FIELDS`` order, for ``insert_rows``."""
	now = now_datetime()
	user = frappe.session.user
	row = {
		"name": frappe.generate_hash(length=12),
		"creation": now,
		"modified": now,
		"owner": user,
		"modified_by": user,
		"docstatus": 0,
		"activity_type": "Reminder",
		"attempts": 0,
		"learned": 0,
		"propensity": 0,
		"send_hour": 0,
		**values,
	}
	return tuple(row.get(field) for field in ACTIVITY_FIELDS)


TAKE_OVER_FIELDS = (
	"dunning_run",
	"channel",
	"sales_invoice",
	"invoices",
	"recipient",
	"amount",
	"currency",
	"days_overdue",
	"tone",
	"escalation_action",
	*LEARNED_FIELDS,
	"modified",
	"modified_by",
)


def insert_rows(
	doctype: str, fields: list[str], rows: list[tuple], chunk: int = 5000, take_over_skipped: bool = False
) -> None:
	"""Insert many rows in parameterised chunks; a row whose unique key exists is left alone, except that
	with ``take_over_skipped`` an existing *Skipped* row takes the new values and becomes the new row's
	status (Queued). (``frappe.db.bulk_insert`` builds its SQL value by value and takes four times as long
	on 20,000 activities.)"""
	columns = ", ".join(f"`{field}`" for field in fields)
	placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
	if take_over_skipped:
		# MariaDB applies these left to right: status, read by every IF, changes last
		taken = "`status` = 'Skipped'"
		tail = (
			" on duplicate key update "
			+ ", ".join(f"`{f}` = if({taken}, values(`{f}`), `{f}`)" for f in TAKE_OVER_FIELDS)
			+ f", `attempts` = if({taken}, 0, `attempts`), `reason` = if({taken}, null, `reason`)"
			+ f", `status` = if({taken}, values(`status`), `status`)"
		)
		verb = "insert into"
	else:
		tail, verb = "", "insert ignore into"
	for start in range(0, len(rows), chunk):
		part = rows[start : start + chunk]
		values = [value for row in part for value in row]
		frappe.db.sql(
			f"{verb} `tab{doctype}` ({columns}) values " + ", ".join([placeholder] * len(part)) + tail,
			values,
		)


def log_skips(skipped: pd.DataFrame, run) -> None:
	"""Record, once a day per customer, step and reason, why a due reminder was not sent; transient
	reasons (window, cap, gap) are only counted on the run."""
	lasting = skipped[~skipped["transient"].astype(bool)]
	if lasting.empty:
		return
	day = getdate(run.run_date).isoformat()
	rows = [
		_activity_row(
			status="Skipped",
			customer=skip.customer,
			sales_invoice=skip.invoices[0] if len(skip.invoices) else None,
			invoices=", ".join(skip.invoices),
			company=run.company,
			channel=skip.channel,
			dunning_sequence=skip.sequence or None,
			step_id=skip.step_id,
			dunning_run=run.name,
			idempotency_key=f"skip|{skip.customer}|{skip.step_id}|{skip.reason_code}|{day}",
			reason=skip.reason,
		)
		for skip in lasting.drop_duplicates(["customer", "step_id", "reason_code"]).itertuples(index=False)
	]
	insert_rows("Collection Activity", ACTIVITY_FIELDS, rows)
	_ask_collectors_for_contacts(lasting[lasting["reason_code"] == "no_recipient"])


def _ask_collectors_for_contacts(missing: pd.DataFrame) -> None:
	"""A reminder that could not go for want of an email or mobile becomes the collector's task."""
	if missing.empty:
		return
	customers = frappe.get_all(
		"Customer",
		filters={"name": ("in", list(missing["customer"].unique())), "collector": ("is", "set")},
		fields=["name", "customer_name", "collector"],
	)
	for customer in customers:
		if frappe.db.exists(
			"ToDo",
			{
				"reference_type": "Customer",
				"reference_name": customer.name,
				"status": "Open",
				"description": ("like", "%contact details%"),
			},
		):
			continue
		channels_missing = ", ".join(
			sorted(set(missing.loc[missing["customer"] == customer.name, "channel"]))
		)
		channels.create_call_task(
			customer.collector,
			("Customer", customer.name),
			_("Reminders ({0}) cannot reach {1}: add contact details").format(
				channels_missing, customer.customer_name
			),
			getdate(),
		)


def _skip_summary(skipped: pd.DataFrame) -> str:
	if skipped.empty:
		return ""
	counts = skipped["reason_code"].value_counts().sort_index()
	return "\n".join(f"{code}: {count}" for code, count in counts.items())


def preview(sequence: str, customer: str) -> list[dict]:
	"""What ``sequence`` would hand to ``customer`` today, rendered, ignoring the clock (send window).

	Returns one dict per message: channel, step, invoices, recipient, subject, body; and one per reminder
	that would be held back, with the reason."""
	companies = companies_with_open_invoices(customer)
	result = []
	for company in companies:
		decision, _invoices = decide_for(company, getdate(), customer, sequence=sequence, any_hour=True)
		# one entry per message, as the run sends them (a customer's grouped email is one)
		for _notice, actions in decision.actions.groupby("notice", sort=False):
			lead = actions.sort_values(["days_overdue", "step_id"], ascending=False).iloc[0]
			invoices = list(dict.fromkeys(inv for cell in actions["invoices"] for inv in cell))
			row = frappe._dict(
				customer=customer,
				company=company,
				currency=lead.currency.split(",")[0],
				channel=lead.channel,
				tone=lead.tone,
				step_id=lead.step_id,
				dunning_sequence=sequence,
				days_overdue=int(lead.days_overdue),
			)
			_step_doc, _customer, _context, subject, body = delivery.compose(row, invoices)
			result.append(
				{
					"channel": lead.channel,
					"step": ", ".join(actions["step_id"]),
					"invoices": invoices,
					"recipient": lead.recipient,
					"subject": subject,
					"body": body,
				}
			)
		for skip in decision.skipped.itertuples(index=False):
			result.append(
				{
					"channel": skip.channel,
					"step": skip.step_id,
					"invoices": list(skip.invoices),
					"held_back": skip.reason,
				}
			)
	return result


def dry_run(company: str) -> dict:
	"""What a run for ``company`` would hand out today (any hour), without writing anything: messages by
	channel (a grouped email counts once), customers reached, reminders held back by reason."""
	decision, _invoices = decide_for(company, getdate(), any_hour=True)
	actions = decision.actions
	messages = actions.drop_duplicates("notice")
	return {
		"company": company,
		"evaluated_invoices": decision.evaluated,
		"reminders": len(actions),
		"messages": messages.groupby("channel").size().to_dict(),
		"customers": int(actions["customer"].nunique()),
		"amount": float(actions["amount"].sum()),
		"held_back": decision.skipped.groupby("reason_code").size().to_dict(),
	}
