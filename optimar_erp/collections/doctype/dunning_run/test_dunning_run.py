"""Dunning runs on a real site: what goes into the Email Queue, and what never goes twice (beside the doctype:
``bench run-tests --doctype "Dunning Run"``)."""

import hashlib
from email import header as email_header
from unittest.mock import patch

import frappe
from frappe.utils import escape_html, today

from optimar_erp.api import log_call
from optimar_erp.collections.doctype.collections_settings.collections_settings import dry_run
from optimar_erp.collections.doctype.dunning_sequence.dunning_sequence import preview, send_test
from optimar_erp.dunning import channels, delivery, messages
from optimar_erp.dunning.delivery import send_thank_you
from optimar_erp.dunning.letter import optimar_reminder_letter
from optimar_erp.dunning.run import execute_run
from optimar_erp.patches.v0_3 import pay_online_in_shipped_wording as pay_online_patch
from optimar_erp.setup.sequences import show_shipped_wording
from optimar_erp.tasks import hourly_dunning
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	OptimarTestCase,
	at_once,
	default_company,
	make_customer,
	make_invoice,
	make_payment,
	no_live_dunning_runs,
)
from optimar_erp.tests.test_permissions import make_user
from optimar_erp.worklist import worklist

# Test records: this suite makes its own customers and invoices (tests/factories.py); none of ERPNext's.
test_ignore = ["Company", "Customer"]


def new_run(customer: str, submit: bool = True):
	run = frappe.get_doc(
		{"doctype": "Dunning Run", "company": default_company(), "run_date": today(), "customer": customer}
	)
	run.insert(ignore_permissions=True)
	if submit:
		run.submit()
	return run


def queued_emails(customer_invoices: list[str]) -> list[dict]:
	return frappe.get_all(
		"Email Queue",
		filters={"reference_name": ("in", customer_invoices)},
		fields=["name", "reference_name", "message", "attachments"],
	)


def mime(message: str):
	import email

	return email.message_from_string(message)


def pdf_names(message: str) -> list[str]:
	return sorted(
		part.get_filename() for part in mime(message).walk() if part.get_content_type() == "application/pdf"
	)


def body_text(message: str) -> str:
	return " ".join(
		part.get_payload(decode=True).decode(errors="replace")
		for part in mime(message).walk()
		if part.get_content_type() in ("text/html", "text/plain")
	)


def pdf_of(html: str, *args, **kwargs) -> bytes:
	"""What wkhtmltopdf would make of ``html``, for tests: it cannot fetch the site's stylesheet here (no
	web server answers the site's host), so Frappe's print (the HTML) is real and only this step is not."""
	return b"%PDF-1.4\n% " + hashlib.sha256(html.encode()).hexdigest().encode() + b"\n%%EOF\n"


def activities(customer: str, **filters) -> list[dict]:
	return frappe.get_all(
		"Collection Activity",
		filters={"customer": customer, **filters},
		fields=["name", "status", "step_id", "idempotency_key", "sales_invoice", "channel", "reason", "todo"],
		order_by="step_id",
	)


class TestDunningRun(CollectionsTestCase):
	SETTINGS = {"email_enabled": 1, "call_tasks_enabled": 1}

	def customer(self, label: str, **fields) -> str:
		email = f"ap-{frappe.scrub(label)}-{self.suffix}@example.com".lower()
		return make_customer(f"Dunning {label} {self.suffix}", email, **fields)

	def test_a_run_sends_the_due_steps_once(self):
		customer = self.customer("Once")
		firm = make_invoice(customer, 1200, due_in_days=-7)  # the +7 step
		polite = make_invoice(customer, 300, due_in_days=5)  # the -5 step
		not_yet = make_invoice(customer, 50, due_in_days=30)  # nothing due yet
		frappe.db.commit()

		with patch("frappe.utils.pdf.get_pdf", pdf_of):
			summary = execute_run(new_run(customer).name)
		self.assertEqual(summary["actions"], 2)
		emails = {e.reference_name: e for e in queued_emails([firm, polite, not_yet])}
		self.assertEqual(set(emails), {firm, polite})
		self.assertIn(
			f"ap-once-{self.suffix}@example.com".lower(),
			frappe.get_all("Email Queue Recipient", filters={"parent": emails[firm].name}, pluck="recipient"),
		)
		self.assertIn("Overdue:", emails[firm].message)
		# ERPNext's invoice page refuses a recipient without a login: never the reminder's Pay link
		self.assertNotIn(f"/invoices/{firm}", emails[firm].message)
		self.assertIn("Upcoming payment", emails[polite].message)
		# the PDF is rendered when the reminder is queued (a PDF that fails cannot stall the queue)
		self.assertEqual(pdf_names(emails[firm].message), [f"{firm}.pdf"])
		self.assertEqual(
			sorted((a.sales_invoice, a.step_id, a.status) for a in activities(customer)),
			sorted([(firm, "Standard B2B:+7:Email", "Sent"), (polite, "Standard B2B:-5:Email", "Sent")]),
		)
		self.assertEqual(
			frappe.db.get_value("Sales Invoice", firm, "last_reminder_step"), "Standard B2B:+7:Email"
		)
		self.assertEqual(frappe.db.get_value("Sales Invoice", firm, "collection_state"), "Reminding")

		second = new_run(customer)
		summary = execute_run(second.name)
		self.assertEqual(summary["actions"], 0)
		self.assertEqual(len(queued_emails([firm, polite, not_yet])), 2)
		self.assertEqual(frappe.db.get_value("Dunning Run", second.name, "status"), "Completed")

	def test_payment_stops_the_reminder_and_cancelling_resumes_it(self):
		customer = self.customer("Paid")
		invoice = make_invoice(customer, 800, due_in_days=-1)
		payment = make_payment(invoice)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "collection_state"), "Paid")
		frappe.db.commit()

		execute_run(new_run(customer).name)
		self.assertEqual(queued_emails([invoice]), [])

		payment.reload()
		payment.cancel()
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "collection_state"), "Reminding")
		frappe.db.commit()
		execute_run(new_run(customer).name)
		self.assertEqual(len(queued_emails([invoice])), 1)
		self.assertEqual([a.step_id for a in activities(customer, status="Sent")], ["Standard B2B:+1:Email"])

	def test_urgent_step_assigns_the_collector_a_call(self):
		customer = self.customer("Urgent", collector="Administrator")
		invoice = make_invoice(customer, 5000, due_in_days=-15)
		frappe.db.commit()
		execute_run(new_run(customer).name)
		todos = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Customer", "reference_name": customer, "status": "Open"},
			fields=["allocated_to", "description"],
		)
		self.assertEqual(len(todos), 1)
		self.assertEqual(todos[0].allocated_to, "Administrator")
		self.assertIn(invoice, todos[0].description)
		self.assertEqual(len(activities(customer, activity_type="Escalation")), 1)

	def test_a_letter_step_gives_the_collector_a_letter_to_print(self):
		"""A Letter step hands the collector a ToDo on the reminder; printed as "Reminder Letter" it is the
		reminder's words on the company's letterhead with the customer's address; other activities are
		not letters."""
		sequence = frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": f"Letters {self.suffix}",
				"priority": 0,
				"steps": [{"offset_days": 7, "channel": "Letter", "tone": "Firm"}],
			}
		).insert(ignore_permissions=True)
		customer = self.customer("Letter", collector="Administrator", dunning_sequence=sequence.name)
		frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": customer,
				"address_type": "Billing",
				"address_line1": "12 Harbour Road",
				"city": "Springfield",
				"country": "United States",
				"is_primary_address": 1,
				"links": [{"link_doctype": "Customer", "link_name": customer}],
			}
		).insert(ignore_permissions=True)
		invoice = make_invoice(customer, 4321, due_in_days=-8)
		frappe.db.commit()
		try:
			execute_run(new_run(customer).name)
			[letter] = activities(customer, status="Sent")
			self.assertEqual(letter.channel, "Letter")
			todo = frappe.db.get_value(
				"ToDo",
				letter.todo,
				["reference_type", "reference_name", "allocated_to", "description"],
				as_dict=True,
			)
			self.assertEqual((todo.reference_type, todo.reference_name), ("Collection Activity", letter.name))
			self.assertEqual(todo.allocated_to, "Administrator")
			self.assertIn("Reminder Letter", todo.description)
			printed = frappe.get_print("Collection Activity", letter.name, print_format="Reminder Letter")
			text = frappe.utils.strip_html(printed)
			for expected in (
				default_company(),
				f"Dunning Letter {self.suffix}",
				"12 Harbour Road",
				invoice,
				"4,321.00",
			):
				self.assertIn(expected, text)
			# the stored words are laid out, never run: a template's script does not reach the page
			frappe.db.set_value(
				"Collection Activity", letter.name, "message", '<p>Pay</p><script>alert("x")</script>'
			)
			body = optimar_reminder_letter(letter.name)["body"]
			self.assertIn("<p>Pay</p>", body)
			self.assertNotIn("<script", body)
			call = log_call_activity(customer)
			with self.assertRaises(frappe.ValidationError):
				frappe.get_print("Collection Activity", call, print_format="Reminder Letter")
		finally:
			frappe.db.set_value("Dunning Sequence", sequence.name, "enabled", 0)
			frappe.db.commit()

	def test_do_not_contact_is_skipped_with_the_reason(self):
		customer = self.customer("Quiet", do_not_contact=1)
		invoice = make_invoice(customer, 700, due_in_days=-7)
		frappe.db.commit()
		run = new_run(customer)
		summary = execute_run(run.name)
		self.assertEqual(summary["actions"], 0)
		self.assertEqual(queued_emails([invoice]), [])
		skipped = activities(customer, status="Skipped")
		self.assertEqual(len(skipped), 1)
		self.assertIn("do-not-contact", skipped[0].reason)
		self.assertIn("do_not_contact: 1", frappe.db.get_value("Dunning Run", run.name, "skip_reasons"))

	def test_missing_email_is_skipped_not_a_crash(self):
		customer = make_customer(f"Dunning NoMail {self.suffix}", None, collector="Administrator")
		make_invoice(customer, 90, due_in_days=-7)
		frappe.db.commit()
		run = new_run(customer)
		execute_run(run.name)
		self.assertEqual(frappe.db.get_value("Dunning Run", run.name, "status"), "Completed")
		self.assertEqual(activities(customer, status="Skipped")[0].step_id, "Standard B2B:+7:Email")
		todo = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Customer", "reference_name": customer, "status": "Open"},
			pluck="description",
		)
		self.assertEqual(len(todo), 1)
		self.assertIn("add contact details", todo[0])

	def test_reminders_come_from_the_collections_mailbox_without_an_unsubscribe_footer(self):
		"""Sent from and answered to the Reminder Email Account (with the company's name), not from whoever
		started the run; no "Leave this conversation" or unsubscribe link; a PDF that cannot be rendered
		leaves the reminder to go without it, pointing to the customer's page."""
		mailbox = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": f"AR {self.suffix}",
				"email_id": f"ar-{self.suffix}@collections.example.com",
				"enable_outgoing": 1,
				"smtp_server": "127.0.0.1",
				"smtp_port": 2525,
				"no_smtp_authentication": 1,
				"awaiting_password": 0,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_single_value("Collections Settings", "reminder_email_account", mailbox.name)
		customer = self.customer("Mailbox", language="de")
		invoices = [make_invoice(customer, 1000 + i, due_in_days=-7) for i in range(2)]
		manager = make_user(f"run.starter.{self.suffix}@example.com", ("Collections Manager",))
		frappe.db.commit()

		def get_pdf(html, *args, **kwargs):
			if invoices[1] in html:
				raise OSError("wkhtmltopdf reported an error: Exit with code 1 due to network error")
			return pdf_of(html)

		try:
			frappe.set_user(manager)
			run = new_run(customer, submit=False)
			frappe.set_user("Administrator")
			run.submit()
			with patch("frappe.utils.pdf.get_pdf", get_pdf):
				execute_run(run.name)
		finally:
			frappe.set_user("Administrator")
			frappe.db.set_single_value("Collections Settings", "reminder_email_account", None)
			frappe.db.commit()
		queued = {
			e.reference_name: e
			for e in frappe.get_all(
				"Email Queue",
				filters={"reference_name": ("in", invoices)},
				fields=["reference_name", "sender", "message"],
			)
		}
		self.assertEqual(set(queued), set(invoices))
		company = default_company()
		for email in queued.values():
			message = mime(email.message)
			self.assertIn(mailbox.email_id, message["From"])
			self.assertIn(company, message["From"])
			self.assertIn(mailbox.email_id, message["Reply-To"])
			self.assertNotIn(manager, email.message)
			self.assertNotIn("Leave this conversation", email.message)
			self.assertNotIn("frappe.email.queue.unsubscribe", email.message)
			self.assertNotIn("<!--unsubscribe_url-->", email.message)
			self.assertIsNone(message["List-Unsubscribe"])
		self.assertEqual(pdf_names(queued[invoices[0]].message), [f"{invoices[0]}.pdf"])
		self.assertEqual(pdf_names(queued[invoices[1]].message), [])
		self.assertIn(
			f"The PDF of {invoices[1]} could not be attached", body_text(queued[invoices[1]].message)
		)
		self.assertTrue(
			frappe.db.exists(
				"Error Log", {"reference_doctype": "Sales Invoice", "reference_name": invoices[1]}
			)
		)
		sent = frappe.get_all(
			"Collection Activity", filters={"customer": customer, "status": "Sent"}, pluck="message"
		)
		self.assertEqual(len(sent), 2)
		# a German customer reads German dates: 4 Dec 2026 would be "04.12.2026"
		for message in sent:
			self.assertRegex(message, r"\d{2}\.\d{2}\.\d{4}")
		self.assertEqual(
			channels.reminder_mailbox().email_id,
			frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}, "email_id"),
			"without a Reminder Email Account: the site's default outgoing account",
		)

	def test_one_grouped_email_per_customer_per_run(self):
		"""With grouping on (the default), a customer's reminders due in one run (overdue at two steps and
		one coming due) go out as one email listing what is overdue apart from what is coming due; each
		step is still recorded (and done) for its own invoice, and the email counts as one touch."""
		frappe.db.set_single_value("Collections Settings", "group_reminder_emails", 1)
		frappe.db.set_single_value("Collections Settings", "max_touches_per_week", 1)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			customer = self.customer("Grouped")
			firm = make_invoice(customer, 1200, due_in_days=-8)  # +7
			friendly = make_invoice(customer, 300, due_in_days=-2)  # +1
			polite = make_invoice(customer, 90, due_in_days=4)  # -5
			frappe.db.commit()
			with patch("frappe.utils.pdf.get_pdf", pdf_of):
				summary = execute_run(new_run(customer).name)
			self.assertEqual(summary["actions"], 3)
			emails = frappe.get_all(
				"Email Queue", filters={"reference_name": customer}, fields=["name", "message"]
			)
			self.assertEqual(len(emails), 1, "one email for the customer")
			self.assertEqual(queued_emails([firm, friendly, polite]), [])
			body = body_text(emails[0].message)
			self.assertLess(body.index(firm), body.index("Coming due"))
			self.assertLess(body.index("Coming due"), body.index(polite))
			self.assertEqual(
				pdf_names(emails[0].message), sorted(f"{n}.pdf" for n in (firm, friendly, polite))
			)
			sent = activities(customer, status="Sent")
			self.assertEqual(
				sorted((a.sales_invoice, a.step_id) for a in sent),
				sorted(
					[
						(firm, "Standard B2B:+7:Email"),
						(friendly, "Standard B2B:+1:Email"),
						(polite, "Standard B2B:-5:Email"),
					]
				),
			)
			communications = set(
				frappe.get_all(
					"Collection Activity", {"customer": customer, "status": "Sent"}, pluck="communication"
				)
			)
			self.assertEqual(len(communications), 1, "the three reminders went in one email")
			self.assertEqual(
				frappe.db.get_value("Sales Invoice", polite, "last_reminder_step"), "Standard B2B:-5:Email"
			)
			# the lead is the most overdue reminder: the subject speaks of the firm step
			self.assertIn("Overdue:", frappe.db.get_value("Communication", communications.pop(), "subject"))
			# nothing goes twice: a second run the same day hands out nothing
			self.assertEqual(execute_run(new_run(customer).name)["actions"], 0)
		finally:
			frappe.db.set_single_value("Collections Settings", "group_reminder_emails", 0)
			frappe.db.set_single_value("Collections Settings", "max_touches_per_week", 10)
			frappe.db.commit()

	def test_a_grouped_email_that_fails_is_retried_once_as_one_email(self):
		"""A grouped email the mail server refuses leaves all its reminders Failed together; the retry
		sends them again as one email (never one per reminder, never twice)."""
		frappe.db.set_single_value("Collections Settings", "group_reminder_emails", 1)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			customer = self.customer("Grouped Retry")
			invoices = [make_invoice(customer, 500 + i, due_in_days=-8 - i) for i in range(2)]
			frappe.db.commit()
			with patch.object(channels, "send_email", side_effect=channels.ChannelError("SMTP down")):
				execute_run(new_run(customer).name)
			failed = activities(customer, status="Failed")
			self.assertEqual(len(failed), 2)
			self.assertEqual(
				frappe.get_all("Email Queue", {"reference_name": ("in", [customer, *invoices])}), []
			)
			frappe.db.set_value(
				"Collection Activity",
				{"customer": customer, "status": "Failed"},
				"next_retry_at",
				"2000-01-01 00:00:00",
			)
			frappe.db.commit()
			with patch("frappe.utils.pdf.get_pdf", pdf_of):
				counts = delivery.retry_failed()
			self.assertGreaterEqual(counts["sent"], 2)
			self.assertEqual(len(activities(customer, status="Sent")), 2)
			self.assertEqual(len(frappe.get_all("Email Queue", {"reference_name": customer})), 1)
		finally:
			frappe.db.set_single_value("Collections Settings", "group_reminder_emails", 0)
			frappe.db.commit()

	def test_customer_language_uses_the_translation(self):
		frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": f"Translated {self.suffix}",
				"priority": 0,
				"steps": [
					{
						"offset_days": 7,
						"channel": "Email",
						"tone": "Firm",
						"subject": "Overdue {{ total_outstanding }}",
					}
				],
				"translations": [
					{
						"offset_days": 7,
						"channel": "Email",
						"language": "fr",
						"subject": "Facture en retard : {{ total_outstanding }}",
						"message": "<p>Bonjour {{ customer_name }}, {{ invoices|length }} facture(s) impayée(s).</p>",
					}
				],
			}
		).insert(ignore_permissions=True)
		customer = self.customer("Francais", language="fr", dunning_sequence=f"Translated {self.suffix}")
		invoice = make_invoice(customer, 300, due_in_days=-8)
		frappe.db.commit()
		execute_run(new_run(customer).name)
		sent = frappe.get_all(
			"Collection Activity",
			filters={"customer": customer, "status": "Sent"},
			fields=["subject", "message"],
		)
		self.assertEqual(len(sent), 1)
		self.assertTrue(sent[0].subject.startswith("Facture en retard"))
		self.assertIn("300,00", sent[0].subject, "amounts in the customer's language, not the site's")
		self.assertIn("Bonjour", sent[0].message)
		self.assertEqual(len(queued_emails([invoice])), 1)
		frappe.db.set_value("Dunning Sequence", f"Translated {self.suffix}", "enabled", 0)
		frappe.db.commit()

	def test_scheduler_creates_runs_only_when_enabled_and_in_window(self):

		no_live_dunning_runs()
		frappe.db.set_single_value("Collections Settings", "enabled", 0)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		self.assertEqual(hourly_dunning(), [])
		frappe.db.set_single_value("Collections Settings", "enabled", 1)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		created = hourly_dunning()
		self.assertIn(
			default_company(), [frappe.db.get_value("Dunning Run", name, "company") for name in created]
		)
		for name in created:
			self.assertEqual(
				frappe.db.get_value("Dunning Run", name, ["trigger", "docstatus", "status"]),
				("Scheduler", 1, "Queued"),
			)
		# a run still queued for the company blocks another one
		self.assertEqual(hourly_dunning(), [])
		frappe.db.rollback()

	def test_two_runs_at_once_send_each_step_once(self):
		customer = self.customer("Race")
		invoices = [make_invoice(customer, 100 + i, due_in_days=-7 - i % 3) for i in range(6)]
		runs = [new_run(customer).name, new_run(customer).name]
		frappe.db.commit()

		def worker(run_name):
			def run(ready):
				ready()
				return execute_run(run_name)

			return run

		outcomes = at_once(*(worker(name) for name in runs))
		errors = [o for o in outcomes if isinstance(o, Exception)]
		self.assertEqual(errors, [])
		sent = activities(customer, activity_type="Reminder")
		self.assertEqual(len(sent), 6)
		self.assertEqual(len({a.idempotency_key for a in sent}), 6)
		emails = queued_emails(invoices)
		self.assertEqual(len(emails), 6)
		self.assertEqual(len({e.reference_name for e in emails}), 6)
		for name in runs:
			self.assertEqual(frappe.db.get_value("Dunning Run", name, "status"), "Completed")

	def test_run_date_in_the_future_is_rejected(self):
		run = frappe.get_doc(
			{"doctype": "Dunning Run", "company": default_company(), "run_date": "2999-01-01"}
		)
		with self.assertRaises(frappe.ValidationError):
			run.insert()

	def test_thank_you_once_after_full_payment(self):

		customer = self.customer("Thanks")
		invoice = make_invoice(customer, 410, due_in_days=-7)
		frappe.db.commit()
		execute_run(new_run(customer).name)
		make_payment(invoice)
		self.assertEqual(send_thank_you([invoice]), 1)
		self.assertEqual(send_thank_you([invoice]), 0)
		emails = queued_emails([invoice])
		self.assertEqual(len(emails), 2)
		self.assertTrue(any("Thank you" in e.message for e in emails))

	def test_preview_renders_without_sending(self):
		customer = self.customer("Preview & Sons")
		invoice = make_invoice(customer, 1500, due_in_days=-7)
		shown = preview("Standard B2B", customer)
		self.assertEqual(len(shown), 1)
		self.assertEqual(shown[0]["invoices"], [invoice])
		self.assertEqual(shown[0]["step"], "Standard B2B:+7:Email")
		self.assertIn("1,500.00", shown[0]["body"])
		self.assertIn("Preview &amp; Sons", shown[0]["body"])
		self.assertEqual(queued_emails([invoice]), [])
		self.assertEqual(activities(customer), [])

	def test_preview_shows_what_today_brings_in_any_time_zone_and_hour(self):
		"""Preview ignores the hour: in New York, with a send window that excludes both the real hour and
		noon UTC (which the preview used to pretend it was), today's reminder is shown, not held back."""
		import datetime as dt
		from zoneinfo import ZoneInfo

		zone = ZoneInfo("America/New_York")
		now = dt.datetime.now(zone)
		noon_utc = dt.datetime.now(dt.timezone.utc).replace(hour=12).astimezone(zone)
		start = next(
			h
			for h in range(24)
			if h not in {now.hour, (now.hour + 1) % 24, noon_utc.hour, (noon_utc.hour + 1) % 24}
		)
		before = {
			f: frappe.db.get_single_value("Collections Settings", f)
			for f in ("company_time_zone", "send_window_start", "send_window_end")
		}
		frappe.db.set_single_value(
			"Collections Settings",
			{
				"company_time_zone": "America/New_York",
				"send_window_start": f"{start:02d}:00:00",
				"send_window_end": f"{start:02d}:30:00",
			},
		)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			customer = self.customer("Preview New York")
			invoice = make_invoice(customer, 640, due_in_days=-7)
			shown = preview("Standard B2B", customer)
			self.assertEqual([m.get("held_back") for m in shown], [None], shown)
			self.assertEqual(shown[0]["invoices"], [invoice])
		finally:
			frappe.db.set_single_value("Collections Settings", before)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")

	def test_send_me_a_test_and_the_dry_run_write_nothing_for_the_customer(self):
		"""A test goes only to the user asking, marked [Test]; the dry run counts what today would bring
		(a grouped email once) and writes no reminder."""
		customer = self.customer("Dry Run")
		invoices = [make_invoice(customer, 700, due_in_days=-8), make_invoice(customer, 90, due_in_days=4)]
		frappe.db.commit()
		me = make_user(f"tester.{self.suffix}@example.com", ("Collections Manager", "Accounts User"))
		frappe.set_user(me)
		try:
			self.assertEqual(send_test("Standard B2B", customer), me)
			frappe.db.set_single_value("Collections Settings", "group_reminder_emails", 1)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")
			summary = dry_run(default_company())
		finally:
			frappe.set_user("Administrator")
			frappe.db.set_single_value("Collections Settings", "group_reminder_emails", 0)
		mine = frappe.get_all("Email Queue Recipient", {"recipient": me}, pluck="parent")
		tests = frappe.get_all("Email Queue", filters={"name": ("in", mine)}, fields=["name", "message"])
		self.assertEqual(len(tests), 2, "one test email per message the sequence sends today")
		for email in tests:
			self.assertEqual(
				frappe.get_all("Email Queue Recipient", {"parent": email.name}, pluck="recipient"), [me]
			)
			self.assertIn(
				"[Test]",
				str(email_header.make_header(email_header.decode_header(mime(email.message)["Subject"]))),
			)
		self.assertEqual(
			sorted(inv for inv in invoices if any(inv in body_text(e.message) for e in tests)),
			sorted(invoices),
		)
		self.assertGreaterEqual(summary["reminders"], 2)
		self.assertGreaterEqual(summary["customers"], 1)
		self.assertLess(sum(summary["messages"].values()), summary["reminders"] + 1)
		self.assertEqual(activities(customer), [], "a dry run writes no reminder")
		self.assertEqual(queued_emails(invoices), [])

	def test_the_editor_shows_the_words_that_go_out(self):
		"""The shipped sequences carry their wording in the steps (subject and message), so the editor shows
		what is sent and it can be changed in place; steps left empty on older sites are filled without
		changing what they send."""
		steps = frappe.get_all(
			"Dunning Sequence Step",
			filters={"parent": "Standard B2B", "channel": "Email"},
			fields=["name", "tone", "subject", "message"],
		)
		self.assertTrue(steps)
		name = f"Empty Words {self.suffix}"
		frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": name,
				"priority": 0,
				"steps": [{"offset_days": 7, "channel": "Email", "tone": "Firm"}],
			}
		).insert(ignore_permissions=True)
		customer = self.customer("Empty Words")
		make_invoice(customer, 410, due_in_days=-8)
		before = preview(name, customer)
		self.assertGreaterEqual(show_shipped_wording(), 1)
		filled = frappe.get_all(
			"Dunning Sequence Step", filters={"parent": name}, fields=["subject", "message"]
		)[0]
		self.assertEqual(filled.subject, messages.default_subject("Firm"))
		self.assertEqual(filled.message, messages.default_message("Firm", "Email"))
		after = preview(name, customer)
		self.assertEqual(
			[(m["subject"], m["body"]) for m in after], [(m["subject"], m["body"]) for m in before]
		)

	def test_reminders_carry_the_gateways_links(self):
		"""Each invoice's gateway page beside it in an email; SMS and WhatsApp give it when the reminder is
		about one invoice (else the customer's page); none when the step includes no payment link."""
		url = "https://pay.example/stripe_checkout?amount=10.0&reference_docname=PR-1"
		rows = [
			{"name": name, "posting_date": today(), "due_date": today(), "grand_total": 10, "outstanding": 10}
			| {"days_overdue": 3}
			for name in ("INV-1", "INV-2")
		]
		page = "https://site.example/customer-portal?token=t"

		def context(invoices, html=True, include=True):
			return messages.build_context(
				"Acme",
				default_company(),
				"USD",
				invoices,
				"Firm",
				html=html,
				signed_link=page,
				include_payment_link=include,
				gateway_links={"INV-1": url},
			)

		email = context(rows)
		self.assertEqual([inv["pay_online_link"] for inv in email["invoices"]], [escape_html(url), ""])
		self.assertEqual(email["pay_online_link"], "", "two invoices: a Pay beside each, none for all")
		body = messages.render(messages.default_message("Firm", "Email"), email)
		self.assertIn(f'<a href="{escape_html(url)}">Pay online</a>', body)
		self.assertEqual(body.count("Pay online"), 1)

		sms = messages.render(messages.default_message("Firm", "SMS"), context(rows[:1], html=False))
		self.assertIn(f"Pay online: {url}", sms)
		self.assertNotIn(page, sms)
		self.assertIn(f"Pay: {page}", messages.render(messages.DEFAULT_SMS, context(rows[1:], html=False)))
		off = context(rows[:1], include=False)
		self.assertEqual((off["pay_online_link"], off["invoices"][0]["pay_online_link"]), ("", ""))

	def test_steps_with_the_shipped_wording_get_the_pay_online_links(self):
		"""The patch gives steps still sending the shipped wording its links to pay online; a step whose
		wording was edited keeps its words."""
		email = messages.default_message("Firm", "Email")
		sms = messages.default_message("Firm", "SMS")
		before = {
			"Email": email.replace(messages.PAY_ONLINE_CELL, ""),
			"SMS": sms.replace(messages.PAY_SMS, pay_online_patch.SMS_LINK_BEFORE),
		}
		self.assertNotEqual(before["Email"], email)
		self.assertNotEqual(before["SMS"], sms)
		name = f"Older Words {self.suffix}"
		steps = [
			{"offset_days": 7, "channel": "Email", "tone": "Firm", "message": before["Email"]},
			{"offset_days": 8, "channel": "SMS", "tone": "Firm", "message": before["SMS"]},
			{"offset_days": 9, "channel": "Email", "tone": "Firm", "message": before["Email"] + "<p>PS</p>"},
		]
		frappe.get_doc(
			{"doctype": "Dunning Sequence", "sequence_name": name, "priority": 0, "steps": steps}
		).insert(ignore_permissions=True)
		pay_online_patch.execute()
		after = frappe.get_all(
			"Dunning Sequence Step", filters={"parent": name}, fields=["message"], order_by="offset_days"
		)
		self.assertEqual([row.message for row in after], [email, sms, before["Email"] + "<p>PS</p>"])

	def test_the_morning_run_keeps_reminded_customers_on_the_worklist(self):
		"""Automated reminders inform the collector; only a person's action takes a customer off today's list."""

		customer = self.customer("Morning", collector="Administrator")
		make_invoice(customer, 7360, due_in_days=-8, posting_days_ago=40)
		frappe.db.commit()
		execute_run(new_run(customer).name)
		self.assertEqual([a.status for a in activities(customer, activity_type="Reminder")], ["Sent"])

		def listed():
			return customer in set(worklist(company=default_company())["customer"])

		self.assertTrue(listed(), "a customer the run reminded must stay on today's worklist")
		log_call(customer, "Reached - Will Pay", notes="Pays Friday")
		self.assertFalse(listed(), "a logged call takes the customer off today's list")

	def test_templates_reach_nothing_but_their_context(self):
		"""Done live before: saving a sequence whose template called frappe.get_doc(...).insert made a
		website user a System User, and Preview showed password hashes from __Auth."""
		attacks = [
			"{{ frappe.db.sql('select name, password from `__Auth`') }}",
			"{% set u = frappe.get_doc('User', 'Guest') %}{{ u.name }}",
			"{{ ''.__class__.__mro__[1].__subclasses__() }}",
			"{{ invoices.append(1) }}",
		]
		for n, attack in enumerate(attacks):
			with self.subTest(attack), self.assertRaises(frappe.ValidationError):
				frappe.get_doc(
					{
						"doctype": "Dunning Sequence",
						"sequence_name": f"Attack {n} {self.suffix}",
						"priority": 0,
						"steps": [{"offset_days": 7, "channel": "Email", "tone": "Firm", "message": attack}],
					}
				).insert(ignore_permissions=True)
		self.assertFalse(frappe.db.exists("Dunning Sequence", {"sequence_name": ("like", "Attack %")}))

	def test_preview_shows_no_script_a_template_wrote(self):
		name = f"Scripted {self.suffix}"
		frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": name,
				"priority": 0,
				"steps": [
					{
						"offset_days": 7,
						"channel": "Email",
						"tone": "Firm",
						"message": '<p onclick="steal()">Hi {{ customer_name }}</p><script>steal()</script>',
					}
				],
			}
		).insert(ignore_permissions=True)
		try:
			customer = self.customer("Scripted")
			make_invoice(customer, 250, due_in_days=-7)
			(shown,) = preview(name, customer)
		finally:
			frappe.db.set_value("Dunning Sequence", name, "enabled", 0)
			frappe.db.commit()
		self.assertIn("Hi", shown["body"])
		self.assertNotIn("<script", shown["body"])
		self.assertNotIn("onclick", shown["body"])


class TestReminderFormats(OptimarTestCase):
	"""Dates and amounts in a reminder follow the customer's language and the billing company's country."""

	def test_a_company_in_another_country_writes_its_own_dates_and_amounts(self):
		before = {f: frappe.db.get_single_value("System Settings", f) for f in ("country", "date_format")}
		try:
			frappe.db.set_single_value(
				"System Settings", {"country": "United States", "date_format": "mm-dd-yyyy"}
			)
			frappe.clear_cache()
			date_of, money_of = messages.formatters(None, "United States")
			self.assertEqual(date_of("2026-11-26"), "11-26-2026", "the site's own format at home")
			date_of, money_of = messages.formatters("en", "India")
			# CLDR's medium date for English in India: 26-Nov-2026 in the Babel of Frappe v15, 26 Nov 2026
			# in v16's
			self.assertIn(date_of("2026-11-26"), ("26-Nov-2026", "26 Nov 2026"))
			self.assertEqual(money_of(123456.5, "INR"), "₹1,23,456.50")
			date_of, money_of = messages.formatters("de", "United States")
			self.assertEqual(date_of("2026-11-26"), "26.11.2026", "the customer's language first")
		finally:
			frappe.db.set_single_value("System Settings", before)
			frappe.clear_cache()


def log_call_activity(customer: str) -> str:
	log_call(customer, "No Answer", notes="Rang twice")
	return frappe.db.get_value(
		"Collection Activity",
		{"customer": customer, "activity_type": "Call"},
		"name",
		order_by="creation desc",
	)
