"""A dunning run: query → engine decision → claim (Collection Activity under its key) → send.

Claiming is one ``INSERT IGNORE`` of every decided action into Collection Activity, whose
``idempotency_key`` has a unique index, committed before anything is sent. A run then sends only the
rows it inserted itself, so two runs started together, a retried job or a re-run never hand a step out
twice. Each send re-reads the invoices' outstanding first and commits its own result.
"""

import datetime as dt
import json

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, getdate, now_datetime

from optimar_erp.dunning import channels, inputs, messages, promises
from optimar_erp.engine.dunning import DunningConfig, decide
from optimar_erp.reporting import open_invoices
from optimar_erp.setup.roles import collections_managers

SEND_INLINE_UP_TO = 300
CHUNK_SIZE = 300
MAX_ATTEMPTS = 5
ESCALATIONS = {
	"Assign Collector ToDo": "ToDo",
	"Notify Collections Manager": "Notify Manager",
	"Collections Hold": "Hold",
}
ACTIVITY_FIELDS = [
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
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
	"recipient",
	"amount",
	"currency",
	"days_overdue",
	"escalation_action",
	"reason",
	"attempts",
]


def decide_for(
	company: str,
	run_date,
	customer: str | None = None,
	now: dt.datetime | None = None,
	sequence: str | None = None,
):
	"""Read the company's open book and ask the engine what to do; returns (decision, invoices).

	``sequence`` forces one sequence on every invoice (the form's preview)."""
	settings = frappe.get_cached_doc("Collections Settings")
	invoices = inputs.open_invoices(company, customer)
	customers = inputs.customers_of(sorted(invoices["customer"].unique()))
	sequences, steps = inputs.sequences_and_steps()
	steps["escalation"] = steps["escalation"].map(lambda e: ESCALATIONS.get(e, ""))
	invoices["sequence"] = (
		sequence
		if sequence
		else invoices["customer"].map(inputs.sequence_per_customer(customers, invoices, company, sequences))
	)
	activities = inputs.activities_of(list(customers["customer"]))
	config = DunningConfig(
		today=getdate(run_date),
		now=now or dt.datetime.now(dt.timezone.utc),
		company_time_zone=settings.get_time_zone(),
		window_start=_time(settings.send_window_start),
		window_end=_time(settings.send_window_end),
		max_touches_per_7_days=cint(settings.max_touches_per_week),
		enabled_channels=frozenset(enabled_channels(settings)),
		grace_days=cint(settings.promise_grace_days),
	)
	names = list(customers["customer"])
	decision = decide(
		invoices,
		steps,
		activities,
		customers,
		promises.open_promises_table(names),
		promises.open_disputes_table(names),
		config,
	)
	return decision, invoices


def enabled_channels(settings) -> list[str]:
	flags = {
		"Email": settings.email_enabled,
		"Letter": settings.email_enabled,
		"SMS": settings.sms_enabled,
		"WhatsApp": settings.whatsapp_enabled,
		"Call Task": settings.call_tasks_enabled,
	}
	return [channel for channel, on in flags.items() if on]


def _time(value) -> dt.time:
	from frappe.utils import get_time

	return get_time(value)


def execute_run(run_name: str) -> dict:
	"""Carry out a submitted Dunning Run; safe to call again (claims are idempotent)."""
	run = frappe.get_doc("Dunning Run", run_name)
	if run.docstatus != 1:
		frappe.throw(_("Submit the Dunning Run before running it."))
	run.db_set({"status": "Running", "started_at": now_datetime(), "error": None})
	frappe.db.commit()
	try:
		_progress(run.name, 10, _("Reading open invoices and deciding"))
		decision, _invoices = decide_for(run.company, run.run_date, run.customer)
		_progress(run.name, 50, _("Recording {0} reminders").format(len(decision.actions)))
		claimed, already_done = claim(decision.actions, run)
		log_skips(decision.skipped, run)
		frappe.db.commit()
		run.db_set(
			{
				"invoices_evaluated": decision.evaluated,
				"actions_decided": len(decision.actions),
				"already_done": already_done,
				"skipped": len(decision.skipped),
				"skip_reasons": _skip_summary(decision.skipped),
			}
		)
		frappe.db.commit()
		if len(claimed) <= SEND_INLINE_UP_TO:
			deliver(claimed, run.name)
		else:
			for start in range(0, len(claimed), CHUNK_SIZE):
				frappe.enqueue(
					"optimar_erp.dunning.run.deliver",
					queue="long",
					activities=claimed[start : start + CHUNK_SIZE],
					run_name=run.name,
					job_id=f"optimar-dunning-deliver::{run.name}::{start}",
					deduplicate=True,
					enqueue_after_commit=True,
				)
		run.db_set({"status": "Completed", "finished_at": now_datetime()})
		frappe.db.commit()
		_progress(run.name, 100, _("Completed"))
	except Exception:
		frappe.db.rollback()
		run.db_set(
			{"status": "Failed", "error": frappe.get_traceback()[-2000:], "finished_at": now_datetime()}
		)
		frappe.db.commit()
		raise
	return decision.summary()


def _progress(run_name: str, percent: float, description: str) -> None:
	frappe.publish_progress(
		percent, title=_("Dunning Run"), doctype="Dunning Run", docname=run_name, description=description
	)


def claim(actions: pd.DataFrame, run) -> tuple[list[str], int]:
	"""Insert one Queued activity per action under its key; return (our activity names, keys taken
	by earlier or concurrent runs)."""
	if actions.empty:
		return [], 0
	rows = [
		_activity_row(
			status="Queued",
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
			recipient=action.recipient,
			amount=float(action.amount),
			currency=action.currency.split(",")[0],
			days_overdue=int(action.days_overdue),
			escalation_action=action.escalation,
		)
		for action in actions.itertuples(index=False)
	]
	insert_ignore("Collection Activity", ACTIVITY_FIELDS, rows)
	frappe.db.commit()
	mine = frappe.get_all(
		"Collection Activity",
		filters={"dunning_run": run.name, "activity_type": "Reminder", "status": "Queued"},
		pluck="name",
		order_by="customer, step_id",
	)
	return mine, len(actions) - len(mine)


def _activity_row(**values) -> tuple:
	"""One Reminder activity as a tuple in ``ACTIVITY_FIELDS`` order, for ``insert_ignore``."""
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
		**values,
	}
	return tuple(row.get(field) for field in ACTIVITY_FIELDS)


def insert_ignore(doctype: str, fields: list[str], rows: list[tuple], chunk: int = 5000) -> None:
	"""``INSERT IGNORE`` of many rows in parameterised chunks: a row whose unique key exists is
	skipped by the database. (``frappe.db.bulk_insert`` does the same but builds its SQL value by
	value and takes four times as long on 20,000 activities.)"""
	columns = ", ".join(f"`{field}`" for field in fields)
	placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
	for start in range(0, len(rows), chunk):
		part = rows[start : start + chunk]
		values = [value for row in part for value in row]
		frappe.db.sql(
			f"insert ignore into `tab{doctype}` ({columns}) values " + ", ".join([placeholder] * len(part)),
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
	insert_ignore("Collection Activity", ACTIVITY_FIELDS, rows)
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


# ------------------------------------------------------------------------------------------ delivery


def deliver(activities: list[str], run_name: str | None = None) -> dict:
	"""Send claimed activities, each re-checked and committed on its own."""
	counts = {"sent": 0, "failed": 0, "skipped": 0}
	if not activities:
		return counts
	rows = frappe.get_all("Collection Activity", filters={"name": ("in", activities)}, fields=["*"])
	all_invoices = sorted(
		{inv.strip() for row in rows for inv in (row.invoices or "").split(",") if inv.strip()}
	)
	outstanding = inputs.outstanding_now(all_invoices)
	for i, row in enumerate(rows, start=1):
		result = _deliver_one(row, outstanding)
		counts[result] += 1
		frappe.db.commit()
		if run_name and i % 25 == 0:
			_progress(run_name, 50 + 50 * i / len(rows), _("Sent {0} of {1}").format(i, len(rows)))
	if run_name:
		run = frappe.qb.DocType("Dunning Run")
		frappe.qb.update(run).set(run.sent, run.sent + counts["sent"]).set(
			run.failed, run.failed + counts["failed"]
		).set(run.skipped, run.skipped + counts["skipped"]).where(run.name == run_name).run()
		frappe.db.commit()
	return counts


def _deliver_one(row, outstanding: dict[str, float]) -> str:
	invoices = [inv.strip() for inv in (row.invoices or "").split(",") if inv.strip()]
	still_open = [inv for inv in invoices if outstanding.get(inv, 0) > 0.005]
	if not still_open:
		_update(row.name, status="Skipped", reason=_("Paid before the reminder went out"))
		return "skipped"
	try:
		reference = _send(row, still_open)
	except channels.ChannelError as e:
		attempts = cint(row.attempts) + 1
		_update(
			row.name,
			status="Failed",
			attempts=attempts,
			reason=str(e)[:1000],
			next_retry_at=add_to_date(now_datetime(), minutes=5 * 2**attempts)
			if attempts < MAX_ATTEMPTS
			else None,
		)
		return "failed"
	_update(row.name, status="Sent", attempts=cint(row.attempts) + 1, reason=None, **reference)
	si = frappe.qb.DocType("Sales Invoice")
	frappe.qb.update(si).set(si.last_reminder_step, row.step_id).set(si.last_reminder_date, getdate()).set(
		si.collection_state, "Reminding"
	).where(si.name.isin(still_open)).where(
		si.collection_state.isin(["", "Not Due", "Reminding"]) | si.collection_state.isnull()
	).run()
	open_invoices.fields_changed(list(still_open))
	_escalate(row, still_open)
	return "sent"


def _update(name: str, **values) -> None:
	frappe.db.set_value("Collection Activity", name, values, update_modified=True)


def _invoice_rows(invoices: list[str]) -> list[dict]:
	rows = frappe.get_all(
		"Sales Invoice",
		filters={"name": ("in", invoices)},
		fields=["name", "posting_date", "due_date", "grand_total", "outstanding_amount as outstanding"],
		order_by="due_date",
	)
	today = getdate()
	return [{**row, "days_overdue": (today - getdate(row.due_date)).days} for row in rows]


def _step(row):
	sequence, _sep, rest = (row.step_id or "").partition(":")
	offset = int(rest.split(":")[0])
	step = frappe.db.get_value(
		"Dunning Sequence Step",
		{"parent": row.dunning_sequence or sequence, "offset_days": offset},
		[
			"offset_days",
			"channel",
			"tone",
			"subject",
			"message",
			"attach_pdf",
			"include_payment_link",
			"whatsapp_template",
		],
		as_dict=True,
	)
	return step or frappe._dict(
		offset_days=offset, channel=row.channel, tone=row.tone, attach_pdf=1, include_payment_link=1
	)


def _translated(row, step, language: str | None):
	if not language:
		return step.subject, step.message
	tr = frappe.db.get_value(
		"Dunning Sequence Translation",
		{
			"parent": row.dunning_sequence,
			"offset_days": step.offset_days,
			"channel": step.channel,
			"language": language,
		},
		["subject", "message"],
		as_dict=True,
	)
	return (tr.subject or step.subject, tr.message or step.message) if tr else (step.subject, step.message)


def compose(row, invoices: list[str]):
	"""The step, customer, rendering context, subject and body of a reminder (nothing is sent).

	``row`` needs: customer, company, currency, channel, tone, step_id, dunning_sequence."""
	step = _step(row)
	customer = frappe.db.get_value(
		"Customer", row.customer, ["customer_name", "language", "collector"], as_dict=True
	)
	invoice_rows = _invoice_rows(invoices)
	total = sum(r["outstanding"] for r in invoice_rows)
	settings = frappe.get_cached_doc("Collections Settings")
	payment_link = payment_link_for(invoices) if step.include_payment_link else ""
	context = messages.build_context(
		customer.customer_name,
		row.company,
		row.currency,
		invoice_rows,
		step.tone,
		payment_link=payment_link,
		upi_link=messages.upi_link(settings.upi_id, settings.upi_payee_name, total, ", ".join(invoices)),
		html=row.channel in ("Email", "Letter"),
		customer=row.customer,
		activity=row.get("name") if row.channel in ("Email", "SMS", "WhatsApp") else None,
	)
	subject_t, message_t = _translated(row, step, customer.language)
	subject = messages.render(subject_t or messages.default_subject(step.tone), context)
	body = messages.render(message_t or messages.default_message(step.tone, row.channel), context)
	return step, customer, context, subject, body


def _send(row, invoices: list[str]) -> dict:
	"""Render and hand to the channel; returns the reference fields to store on the activity."""
	step, customer, context, subject, body = compose(row, invoices)
	payment_link = context["payment_link"]
	if row.channel == "Email":
		name = channels.send_email(
			row.recipient, subject, body, invoices, row.customer, bool(step.attach_pdf), customer.language
		)
		return {"communication": name, "subject": subject, "message": body}
	if row.channel == "Letter":
		# a letter is printed and posted by a person: the collector (or a manager) gets the task
		assignee = customer.collector or _first_manager()
		if not assignee:
			raise channels.ChannelError(_("Nobody to post the letter: set a collector on the customer"))
		description = _("Print and post the reminder letter to {0} for {1}").format(
			customer.customer_name, ", ".join(invoices)
		)
		reference = ("Sales Invoice", invoices[0]) if len(invoices) == 1 else ("Customer", row.customer)
		todo = channels.create_call_task(assignee, reference, description, getdate())
		return {"todo": todo, "subject": subject, "message": body}
	if row.channel == "SMS":
		return {"provider_message_id": channels.send_sms(row.recipient, body), "message": body}
	if row.channel == "WhatsApp":
		parameters = [
			customer.customer_name,
			context["total_outstanding"],
			", ".join(invoices),
			payment_link or context["portal_link"],
		]
		message_id = channels.send_whatsapp(
			row.recipient, step.whatsapp_template, customer.language or "en", parameters
		)
		return {"provider_message_id": message_id, "message": json.dumps(parameters)}
	if row.channel == "Call Task":
		description = _("Call {0} about {1} on {2} (step {3})").format(
			customer.customer_name, context["total_outstanding"], ", ".join(invoices), row.step_id
		)
		reference = ("Sales Invoice", invoices[0]) if len(invoices) == 1 else ("Customer", row.customer)
		return {
			"todo": channels.create_call_task(row.recipient, reference, description, getdate()),
			"message": description,
		}
	raise channels.ChannelError(_("Unknown channel {0}").format(row.channel))


def _first_manager() -> str | None:
	users = collections_managers()
	return users[0] if users else None


def payment_link_for(invoices: list[str]) -> str:
	"""ERPNext's portal page of the invoice, where a configured payment gateway takes the payment."""
	from frappe.utils import get_url

	return get_url(f"/invoices/{invoices[0]}") if len(invoices) == 1 else get_url("/invoices")


def _escalate(row, invoices: list[str]) -> None:
	if not row.escalation_action:
		return
	customer = frappe.db.get_value("Customer", row.customer, ["customer_name", "collector"], as_dict=True)
	description = _("Escalation after step {0}: {1}").format(row.step_id, ", ".join(invoices))
	if row.escalation_action == "ToDo" and customer.collector:
		channels.create_call_task(customer.collector, ("Customer", row.customer), description, getdate())
	elif row.escalation_action in ("Notify Manager", "Hold"):
		from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

		managers = collections_managers()
		if managers:
			enqueue_create_notification(
				managers,
				{
					"type": "Alert",
					"document_type": "Customer",
					"document_name": row.customer,
					"subject": description,
					"from_user": "Administrator",
				},
			)
	if row.escalation_action == "Hold":
		reason = _("Placed on hold by dunning step {0}").format(row.step_id)
		frappe.db.set_value(
			"Customer", row.customer, {"collections_hold": 1, "collections_hold_reason": reason}
		)
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Hold" if row.escalation_action == "Hold" else "Escalation",
			"status": "Done",
			"customer": row.customer,
			"sales_invoice": invoices[0],
			"invoices": ", ".join(invoices),
			"company": row.company,
			"dunning_run": row.dunning_run,
			"step_id": row.step_id,
			"escalation_action": row.escalation_action,
			"message": description,
		}
	).insert(ignore_permissions=True)


def retry_failed() -> None:
	"""Scheduled: send again the Failed activities whose backoff has passed."""
	due = frappe.get_all(
		"Collection Activity",
		filters={
			"status": "Failed",
			"activity_type": "Reminder",
			"attempts": ("<", MAX_ATTEMPTS),
			"next_retry_at": ("<=", now_datetime()),
		},
		pluck="name",
		limit=CHUNK_SIZE,
	)
	deliver(due)


def preview(sequence: str, customer: str) -> list[dict]:
	"""What ``sequence`` would hand to ``customer`` today, rendered, ignoring the clock (send window).

	Returns one dict per message: channel, step, invoices, recipient, subject, body; and one per reminder
	that would be held back, with the reason."""
	companies = frappe.get_all(
		"Sales Invoice",
		filters={"customer": customer, "docstatus": 1, "outstanding_amount": (">", 0)},
		pluck="company",
		distinct=True,
	)
	now = dt.datetime.now(dt.timezone.utc).replace(hour=12)
	result = []
	for company in companies:
		decision, _invoices = decide_for(company, getdate(), customer, now=now, sequence=sequence)
		for action in decision.actions.itertuples(index=False):
			row = frappe._dict(
				customer=customer,
				company=company,
				currency=action.currency.split(",")[0],
				channel=action.channel,
				tone=action.tone,
				step_id=action.step_id,
				dunning_sequence=sequence,
			)
			_step_doc, _customer, _context, subject, body = compose(row, list(action.invoices))
			result.append(
				{
					"channel": action.channel,
					"step": action.step_id,
					"invoices": list(action.invoices),
					"recipient": action.recipient,
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


def send_thank_you(invoices: list[str]) -> int:
	"""Email a thank-you for reminded invoices now paid in full (once per invoice); returns how many."""
	rows = frappe.get_all(
		"Sales Invoice",
		filters={
			"name": ("in", invoices),
			"docstatus": 1,
			"outstanding_amount": ("<=", 0),
			"last_reminder_step": ("is", "set"),
		},
		fields=["name", "customer", "company", "currency", "posting_date", "due_date", "grand_total"],
	)
	sent = 0
	for row in rows:
		key = f"{row.name}|thank-you"
		if frappe.db.exists("Collection Activity", {"idempotency_key": key}):
			continue
		customers = inputs.customers_of([row.customer])
		email = customers["email"].iloc[0] if len(customers) else ""
		if not email or customers["do_not_contact"].iloc[0]:
			continue
		context = messages.build_context(
			frappe.db.get_value("Customer", row.customer, "customer_name"),
			row.company,
			row.currency,
			[{**row, "outstanding": 0, "days_overdue": 0}],
			"Friendly",
		)
		activity = frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Thank You",
				"status": "Queued",
				"customer": row.customer,
				"sales_invoice": row.name,
				"invoices": row.name,
				"company": row.company,
				"channel": "Email",
				"recipient": email,
				"idempotency_key": key,
			}
		).insert(ignore_permissions=True)
		subject = messages.render(messages.THANK_YOU_SUBJECT, context)
		body = messages.render(messages.THANK_YOU_BODY, context)
		name = channels.send_email(email, subject, body, [row.name], row.customer, False)
		activity.db_set({"status": "Sent", "communication": name, "subject": subject, "message": body})
		sent += 1
	return sent
