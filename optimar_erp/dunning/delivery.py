"""Delivery of claimed reminders: take → re-check → send → record, each reminder on its own.

Exactly once per reminder: a worker *takes* reminders with one conditional update (Queued, or Failed and
due for a retry → Sending, stamped with its own token), so a pending chunk, a re-run and a retry can never
send the same row; each row is then locked while it is sent and recorded in one transaction. Right before
the send, one set-based read per batch re-checks everything that would have stopped the reminder when it
was decided (:func:`optimar_erp.engine.dunning.recheck`): what changed holds it back as Skipped, with the
reason. Any exception while sending a row ends that row (Failed with the error, attempts counted, a next
try after a backoff; after the last one its collector gets a ToDo), never the batch. A send whose outcome
is unknown (the provider timed out after the request left) is Unknown: a person checks, nothing retries.
"""

import json

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, getdate, now_datetime

from optimar_erp import constants as c
from optimar_erp.dunning import channels, inputs, interest, lease, messages
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.engine.dunning import recheck
from optimar_erp.exceptions import ReminderStepNotFoundError
from optimar_erp.portal import gateway, links
from optimar_erp.queries.activities import activity_exists, failed_due, lock_sending, taken_by
from optimar_erp.queries.customers import customers_of
from optimar_erp.queries.disputes import open_disputes_table
from optimar_erp.queries.invoices import invoices_now, owed_on, paid_reminded
from optimar_erp.queries.ledger import credits_on_account
from optimar_erp.queries.promises import open_promises_table
from optimar_erp.queries.sequences import reminder_step, step_translation

BATCH_SIZE = 300
"""Reminders one delivery job takes at once (a chunk of a large run, or one round of retries)."""


def deliver(activities: list[str], run_name: str | None = None) -> dict:
	"""Send the claimed (Queued) reminders among ``activities``; returns counts by outcome."""
	return _deliver_taken(_take(activities, c.ACTIVITY_QUEUED), run_name)


def retry_failed() -> dict:
	"""Scheduled: send again the Failed reminders whose backoff has passed (re-checked like a first try)."""
	due = failed_due(BATCH_SIZE)
	return _deliver_taken(_take(due, c.ACTIVITY_FAILED), None)


def _take(names: list[str], status: str) -> list[dict]:
	"""Move the reminders still in ``status`` to Sending under a token of this worker (one conditional
	update: of two workers only one can win a row) and return the rows won. Committed."""
	if not names:
		return []
	token = frappe.generate_hash(length=20)
	act = frappe.qb.DocType("Collection Activity")
	query = (
		frappe.qb.update(act)
		.set(act.status, c.ACTIVITY_SENDING)
		.set(act.claim_token, token)
		.set(act.modified, now_datetime())
		.where(act.name.isin(names))
		.where(act.status == status)
		.where(act.activity_type == "Reminder")
	)
	if status == c.ACTIVITY_FAILED:
		query = query.where(act.next_retry_at <= now_datetime()).where(act.attempts < c.MAX_SEND_ATTEMPTS)
	query.run()
	frappe.db.commit()
	return taken_by(token)


def _deliver_taken(rows: list[dict], run_name: str | None) -> dict:
	counts = {"sent": 0, "failed": 0, "skipped": 0, "unknown": 0}
	if rows:
		checked = _recheck(rows)
		held = checked[~checked["send"]]
		for row in held.itertuples(index=False):
			_finish(row.name, status=c.ACTIVITY_SKIPPED, reason=row.reason)
		counts["skipped"] += len(held)
		frappe.db.commit()
		go = {
			name: list(invoices) for name, invoices in zip(checked["name"], checked["invoices"], strict=True)
		}
		allowed = [row for row in rows if row.name in set(checked.loc[checked["send"], "name"])]
		_attach_credits(allowed)
		done = 0
		for i, message in enumerate(_messages(allowed), start=1):
			outcome, count = _deliver_message(message, go)
			counts[outcome] += count
			counts["skipped"] += len(message) - count
			done += len(message)
			if run_name and i % c.HEARTBEAT_EVERY == 0:
				lease.heartbeat(run_name)
				progress(
					run_name, 50 + 50 * done / len(allowed), _("Sent {0} of {1}").format(done, len(allowed))
				)
			frappe.db.commit()
	for name in {row.dunning_run for row in rows if row.dunning_run} | ({run_name} if run_name else set()):
		_count(name, counts if name == run_name else None)
	return counts


def _recheck(rows: list[dict]) -> pd.DataFrame:
	"""The engine's send-time guard over one set-based read of what it needs now."""
	claimed = pd.DataFrame(
		[
			{
				"name": row.name,
				"customer": row.customer,
				"invoices": row.invoices,
				"channel": row.channel,
				"recipient": row.recipient,
			}
			for row in rows
		]
	)
	names = sorted(set(claimed["customer"]))
	invoices = sorted({inv for cell in claimed["invoices"] for inv in inputs.invoice_list(cell)})
	settings = frappe.get_cached_doc("Collections Settings")
	return recheck(
		claimed,
		invoices_now(invoices),
		customers_of(names, with_addresses=True),
		open_promises_table(names),
		open_disputes_table(names),
		inputs.dunning_config(settings, getdate()),
		engine_enabled=bool(settings.enabled),
	)


def _messages(rows: list[dict]) -> list[list[dict]]:
	"""The taken reminders as the messages they go out in: Email reminders sharing a notice (a customer's
	grouped email) together, every other reminder alone; in the order taken."""
	messages: dict[str, list[dict]] = {}
	for row in rows:
		key = row.notice if row.channel == "Email" and row.get("notice") else row.name
		messages.setdefault(key, []).append(row)
	return list(messages.values())


def _lead(rows: list[dict]):
	"""The reminder whose step speaks for a grouped email: the most overdue (then the latest step)."""
	return max(rows, key=lambda row: (cint(row.days_overdue), row.step_id or ""))


def _deliver_message(rows: list[dict], invoices: dict[str, list[str]]) -> tuple[str, int]:
	"""Send the taken reminders of one message (one, or a customer's grouped email) once, and record the
	outcome on each in one transaction; returns (outcome, how many reminders it covered)."""
	# lock the rows: a lease release cannot hand them back while they are being sent
	mine = lock_sending([row.name for row in rows], list({row.claim_token for row in rows}))
	rows = [row for row in rows if row.name in mine]
	if not rows:
		return "skipped", 0
	lead = _lead(rows)
	covered = list(dict.fromkeys(inv for row in rows for inv in invoices[row.name]))
	attempts = max(cint(row.attempts) for row in rows) + 1
	frappe.db.savepoint("optimar_send")
	try:
		reference = _send(lead, covered)
	except channels.OutcomeUnknown as e:
		frappe.db.rollback(save_point="optimar_send")
		for row in rows:
			_finish(row.name, status=c.ACTIVITY_UNKNOWN, attempts=attempts, reason=str(e)[:1000])
		channels.ask_a_person(lead, str(e))
		return "unknown", len(rows)
	except Exception as e:
		frappe.db.rollback(save_point="optimar_send")
		final = attempts >= c.MAX_SEND_ATTEMPTS
		error = str(e) if isinstance(e, channels.ChannelError) else f"{type(e).__name__}: {e}"
		for row in rows:
			_finish(
				row.name,
				status=c.ACTIVITY_FAILED,
				attempts=attempts,
				reason=error[:1000],
				next_retry_at=None
				if final
				else add_to_date(now_datetime(), minutes=c.RETRY_BASE_MINUTES * 2**attempts),
			)
		if not isinstance(e, channels.ChannelError):
			frappe.log_error(title=_("Dunning reminder {0} failed").format(lead.name))
		if final:
			channels.ask_a_person(lead, _("Gave up after {0} attempts: {1}").format(attempts, error[:300]))
		return "failed", len(rows)
	# it has gone: from here on nothing may turn it into a retry (an SMS would go twice)
	for row in rows:
		frappe.db.savepoint("optimar_after_send")
		try:
			_mark_invoices_reminded(row, invoices[row.name])
			_escalate(row, invoices[row.name])
			_add_interest(row, invoices[row.name])
		except Exception:
			frappe.db.rollback(save_point="optimar_after_send")
			frappe.log_error(title=_("Reminder {0} sent, but its follow-up failed").format(row.name))
		_finish(row.name, status=c.ACTIVITY_SENT, attempts=attempts, reason=None, **reference)
	return "sent", len(rows)


def _add_interest(row, invoices: list[str]) -> None:
	"""A step that "adds interest" charges its invoices' late-payment interest once its reminder went."""
	if _step(row).get("add_interest"):
		interest.charge_for_step(invoices)


def _finish(name: str, **values) -> None:
	"""Record a taken reminder's outcome and give its token back."""
	frappe.db.set_value("Collection Activity", name, {**values, "claim_token": None}, update_modified=True)


def _mark_invoices_reminded(row, invoices: list[str]) -> None:
	"""Stamp the invoices with the step that went and its date; their collection state then follows from
	the one rule that sets it (:func:`optimar_erp.dunning.state.refresh_collection_state`: reminded and
	still owed, not disputed, promised or escalated → Reminding)."""
	si = frappe.qb.DocType("Sales Invoice")
	frappe.qb.update(si).set(si.last_reminder_step, row.step_id).set(si.last_reminder_date, getdate()).where(
		si.name.isin(invoices)
	).run()
	refresh_collection_state(invoices)


def _count(run_name: str, counts: dict | None) -> None:
	"""Add this batch's counts to its run, and complete the run when nothing of it is pending."""
	if counts:
		run = frappe.qb.DocType("Dunning Run")
		frappe.qb.update(run).set(run.sent, run.sent + counts["sent"]).set(
			run.failed, run.failed + counts["failed"] + counts["unknown"]
		).set(run.skipped, run.skipped + counts["skipped"]).where(run.name == run_name).run()
		frappe.db.commit()
	lease.finish_if_done(run_name)


def progress(run_name: str, percent: float, description: str) -> None:
	frappe.publish_progress(
		percent, title=_("Dunning Run"), doctype="Dunning Run", docname=run_name, description=description
	)


def _invoice_rows(invoices: list[str]) -> list[dict]:
	"""The invoices of a reminder as the customer owes them: in the party account's currency, as
	ERPNext's Accounts Receivable shows them."""
	rows = owed_on(invoices)
	today = getdate()
	return [{**row, "days_overdue": (today - getdate(row.due_date)).days} for row in rows]


def _step(row):
	"""The step the reminder was claimed for, found by its id (the ``step_id`` column, never taken apart)."""
	step = reminder_step(row.dunning_sequence, row.step_id)
	if not step:
		frappe.throw(
			_(
				"{0} is not a step of the Dunning Sequence {1} (removed or changed since it was queued)."
			).format(row.step_id, row.dunning_sequence),
			ReminderStepNotFoundError,
		)
	return step


def _translated(row, step, language: str | None):
	tr = step_translation(row.dunning_sequence, row.step_id, language) if language else None
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
	# inputs that write (the customer's signed link) are made here, before rendering, which writes nothing
	sending = row.get("name") if row.channel in ("Email", "SMS", "WhatsApp") else None
	signed = reminder_link(row.customer, sending) if sending else ""
	# and the gateway's payment URLs (one open Payment Request per invoice, reused while its amount holds)
	online = gateway.payment_urls(invoices) if sending and step.include_payment_link else {}
	# a learned step's reminder speaks in the tone the model chose; a fixed one in its step's
	tone = row.tone if row.get("learned") and row.get("tone") else step.tone
	context = messages.build_context(
		customer.customer_name,
		row.company,
		row.currency,
		invoice_rows,
		tone,
		upi_link=links.upi_link(settings.upi_id, settings.upi_payee_name, total, ", ".join(invoices)),
		html=row.channel in ("Email", "Letter"),
		signed_link=signed,
		include_payment_link=bool(step.include_payment_link),
		language=customer.language,
		credit=_credit(row),
		gateway_links=online,
		**_interest(invoices),
	)
	subject_t, message_t = _translated(row, step, customer.language)
	subject = messages.render(subject_t or messages.default_subject(tone), context)
	body = messages.render(message_t or messages.default_message(tone, row.channel), context)
	return step, customer, context, subject, body


def _interest(invoices: list[str]) -> dict:
	"""``interest_due`` and ``fees_due`` of a reminder's invoices (not yet charged or waived)."""
	due, fees = interest.totals(invoices)
	return {"interest_due": due, "fees_due": fees}


def reminder_link(customer: str, activity: str) -> str:
	"""The customer's signed portal link for a reminder being sent, or "" (portal or its links in reminders
	off, or the link could not be made: the reminder goes all the same, with the login link)."""
	try:
		return links.reminder_link(customer, activity)
	except Exception:
		frappe.log_error(f"Portal link for {customer}", reference_doctype="Customer", reference_name=customer)
		return ""


def _attach_credits(rows: list[dict]) -> None:
	"""Give each taken reminder its customer's unmatched payments and credits (company and currency):
	one read for the whole batch, not one per message."""
	if not rows:
		return
	held = credits_on_account(customers=sorted({row.customer for row in rows}))
	credit = held.groupby(["customer", "company", "currency"])["credit"].sum().to_dict() if len(held) else {}
	for row in rows:
		row["credit_on_account"] = float(credit.get((row.customer, row.company, row.currency), 0.0))


def _credit(row) -> float:
	"""Unmatched payments and credits of the reminder's customer with its company, in its currency (read
	for the batch by :func:`_attach_credits`; read here for a preview)."""
	if row.get("credit_on_account") is not None:
		return float(row.credit_on_account)
	if not (row.get("company") and row.get("currency")):
		return 0.0
	held = credits_on_account(row.company, [row.customer])
	return float(held.loc[held["currency"] == row.currency, "credit"].sum())


def _send(row, invoices: list[str]) -> dict:
	"""Render and hand to the channel; returns the reference fields to store on the activity."""
	step, customer, context, subject, body = compose(row, invoices)
	payment_link = context["payment_link"]
	if row.channel == "Email":
		name = channels.send_email(
			row.recipient,
			subject,
			body,
			invoices,
			row.customer,
			bool(step.attach_pdf),
			customer.language,
			company=row.company,
			download_link=context["portal_link"],
		)
		return {"communication": name, "subject": subject, "message": body}
	if row.channel == "Letter":
		# a letter is printed and posted by a person: the collector (or a manager) gets the task
		assignee = customer.collector or channels.first_manager()
		if not assignee:
			raise channels.ChannelError(_("Nobody to post the letter: set a collector on the customer"))
		# on the activity itself: Print there gives the letter (print format "Reminder Letter")
		description = _(
			"Print and post the reminder letter to {0} for {1}: open this reminder and print it as "
			"Reminder Letter."
		).format(customer.customer_name, ", ".join(invoices))
		todo = channels.create_call_task(assignee, ("Collection Activity", row.name), description, getdate())
		return {"todo": todo, "subject": subject, "message": body}
	if row.channel == "SMS":
		return {"provider_message_id": channels.send_sms(row.recipient, body), "message": body}
	if row.channel == "WhatsApp":
		parameters = [
			customer.customer_name,
			context["total_outstanding"],
			", ".join(invoices),
			context["pay_online_link"] or payment_link or context["portal_link"],
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


def _escalate(row, invoices: list[str]) -> None:
	if not row.escalation_action:
		return
	customer = frappe.db.get_value("Customer", row.customer, ["customer_name", "collector"], as_dict=True)
	description = _("Escalation after step {0}: {1}").format(row.step_id, ", ".join(invoices))
	if row.escalation_action == "ToDo":
		# without a collector the task goes to a Collections Manager, never nowhere
		assignee = customer.collector or channels.first_manager()
		if assignee:
			channels.create_call_task(assignee, ("Customer", row.customer), description, getdate())
	elif row.escalation_action in ("Notify Manager", "Hold"):
		channels.alert_managers(row.customer, description)
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


def send_thank_you(invoices: list[str]) -> int:
	"""Email a thank-you for reminded invoices now paid in full (once per invoice); returns how many."""
	rows = paid_reminded(invoices)
	sent = 0
	for row in rows:
		key = f"{row.name}|thank-you"
		if activity_exists(key):
			continue
		customers = customers_of([row.customer])
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
		)
		activity.flags.system_send = True
		activity.insert(ignore_permissions=True)
		subject = messages.render(messages.THANK_YOU_SUBJECT, context)
		body = messages.render(messages.THANK_YOU_BODY, context)
		name = channels.send_email(email, subject, body, [row.name], row.customer, False, company=row.company)
		activity.db_set({"status": "Sent", "communication": name, "subject": subject, "message": body})
		sent += 1
	return sent
