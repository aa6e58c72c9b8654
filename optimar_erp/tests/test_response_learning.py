"""Learning collections on a real site: the nightly job learns from logged reminders and what followed them,
writes each customer's profile and the signed model, and a Dunning Run's learned step uses it — within the
guards (opt-in, quiet hours), and not at all when learning is off.

The clock is frozen on a Monday; each test makes its own customers with a history: one customer paid within
two days after 7 of 9 WhatsApp reminders and never after its 9 emails, another ignored 8 emails."""

import datetime as dt
import threading
from http.server import ThreadingHTTPServer

import pandas as pd

import frappe
from frappe.utils import get_datetime, getdate

from optimar_erp.collections.doctype.dunning_run.test_dunning_run import new_run
from optimar_erp.dunning.run import ACTIVITY_FIELDS, execute_run, insert_rows
from optimar_erp.exceptions import ModelIntegrityError
from optimar_erp.response import store
from optimar_erp.response.jobs import learn
from optimar_erp.response.policy import learned_policy
from optimar_erp.setup.bootstrap import ensure_fiscal_years
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	default_company,
	make_customer,
	make_invoice,
	make_payment,
)
from optimar_erp.tests.learning_site import logged_reminder
from optimar_erp.tests.test_channels import Provider
from optimar_erp.worklist import worklist

NOW = "2026-11-16 10:00:00"  # a Monday
HISTORY_START = 140  # days before NOW: the first WhatsApp reminder


class TestResponseLearning(CollectionsTestCase):
	@classmethod
	def setUpClass(cls):
		cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
		base_url = f"http://127.0.0.1:{cls.server.server_address[1]}"
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()
		cls.SETTINGS = {
			"email_enabled": 1,
			"whatsapp_enabled": 1,
			"whatsapp_base_url": base_url,
			"whatsapp_api_version": "v21.0",
			"whatsapp_phone_number_id": "1098765",
			"whatsapp_access_token": "TEST-TOKEN",
			"learning_enabled": 1,
			"learning_exploration": 0,  # the model's best choice every time (propensity 1)
			"learning_lead_business_days": 3,
			"learning_outcome_days": 7,
			"learning_min_touches": 20,
			"learning_quiet_start": None,
			"learning_quiet_end": None,
		}
		super().setUpClass()
		# the frozen day and the history before it have their fiscal years, whatever the real date
		ensure_fiscal_years(getdate(NOW) - dt.timedelta(days=400), getdate(NOW) + dt.timedelta(days=60))
		cls.sequence = f"Learned {cls.suffix}"
		frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": cls.sequence,
				"priority": 0,  # only the customers that name it use it
				"steps": [
					{
						"offset_days": 3,
						"channel": "Email",
						"tone": "Polite",
						"learned_channel": 1,
						"channels": "Email, WhatsApp",
						"whatsapp_template": "overdue_notice",
					}
				],
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		cls.server.shutdown()
		frappe.db.set_value("Dunning Sequence", cls.sequence, "enabled", 0)
		store.clear()
		super().tearDownClass()

	def setUp(self):
		Provider.requests = []
		Provider.status = 200

	def set_settings(self, **values):
		settings = frappe.get_single("Collections Settings")
		settings.update(values)
		settings.save(ignore_permissions=True)
		frappe.db.commit()

	def history(self, label: str) -> tuple[str, str]:
		"""(WhatsApp answerer, email ignorer), each with its logged reminders; the answerer's payments."""
		tag = f"{label} {frappe.generate_hash(length=5)}"
		wa = make_customer(
			f"Learned WA {tag}",
			f"wa-{frappe.scrub(tag)}@example.com",
			mobile_no="+91 98765 43210",
			whatsapp_opt_in=1,
			dunning_sequence=self.sequence,
		)
		em = make_customer(f"Learned Mail {tag}", f"mail-{frappe.scrub(tag)}@example.com")
		start = get_datetime(NOW) - dt.timedelta(days=HISTORY_START)
		rows = []

		def reminder(customer, channel, at, k):
			rows.append(logged_reminder(customer, channel, at, k))

		for k in range(9):
			reminder(wa, "WhatsApp", start + dt.timedelta(days=14 * k), k)
			reminder(wa, "Email", start + dt.timedelta(days=14 * k + 7), k)
			if k < 7:  # paid two days after the WhatsApp reminder
				invoice = make_invoice(
					wa, 100, due_in_days=-(HISTORY_START + 5), posting_days_ago=HISTORY_START + 10
				)
				make_payment(invoice, posting_date=getdate(start + dt.timedelta(days=14 * k + 2)))
		for k in range(8):
			reminder(em, "Email", start + dt.timedelta(days=7 * k), k)
		insert_rows("Collection Activity", ACTIVITY_FIELDS, rows)
		frappe.db.commit()
		return wa, em

	def reminder_of(self, invoice: str) -> dict:
		rows = frappe.get_all(
			"Collection Activity",
			filters={"sales_invoice": invoice, "activity_type": "Reminder", "status": ("!=", "Skipped")},
			fields=["channel", "status", "learned", "propensity", "choice_reason", "send_hour", "tone"],
		)
		return rows[0] if rows else None

	def test_the_nightly_job_learns_each_customers_best_channel_and_evidence(self):
		with self.freeze_time(NOW, tick=True):
			wa, em = self.history("Job")
			figures = learn()
		self.assertGreaterEqual(figures["touches"], 26)
		self.assertNotIn("not_learned", figures)
		profile = frappe.get_doc("Customer Response Profile", wa)
		self.assertEqual(profile.best_channel, "WhatsApp")
		self.assertTrue(profile.evidence.startswith("answered 7 of 9 WhatsApp reminders"), profile.evidence)
		self.assertIn("answered 0 of 9 Email reminders", profile.evidence)
		self.assertEqual(profile.touches, 18)
		# the 7 payments fell on one weekday: a weekly payment run
		payday = (get_datetime(NOW) - dt.timedelta(days=HISTORY_START - 2)).strftime("%A")
		self.assertTrue(profile.payment_run_days.startswith(f"{payday}s (100% of 7 payments)"))
		self.assertRegex(profile.best_time, r"^\d\d:00$")
		# only email reaches the other customer, whatever the model would prefer
		self.assertEqual(frappe.db.get_value("Customer Response Profile", em, "best_channel"), "Email")
		self.assertIsNotNone(store.load())

	def test_a_learned_step_sends_on_the_learned_channel_and_says_why(self):
		with self.freeze_time(NOW, tick=True):
			wa, _em = self.history("Run")
			learn()
			invoice = make_invoice(wa, 640, due_in_days=-3)
			frappe.db.commit()
			execute_run(new_run(wa).name)
		reminder = self.reminder_of(invoice)
		self.assertEqual(reminder.channel, "WhatsApp")
		self.assertEqual(reminder.status, "Sent")
		self.assertEqual(reminder.learned, 1)
		self.assertEqual(reminder.propensity, 1.0)
		self.assertIn("WhatsApp at", reminder.choice_reason)
		self.assertIn("chance of payment or promise within 7 days", reminder.choice_reason)
		self.assertIn("the step's fixed choice", reminder.choice_reason)
		self.assertEqual(len(Provider.requests), 1)

	def group_history(self, tag: str, answered: str, ignored: str, customers: int = 3) -> str:
		"""A customer group of its own whose ``customers`` each paid two days after 7 of 9 ``answered``
		reminders and never after 9 ``ignored`` ones; returns the group."""
		group = frappe.get_doc(
			{
				"doctype": "Customer Group",
				"customer_group_name": f"Answers {answered} {tag}",
				"parent_customer_group": frappe.db.get_value("Customer Group", {"is_group": 1}, "name"),
			}
		).insert(ignore_permissions=True)
		start = get_datetime(NOW) - dt.timedelta(days=HISTORY_START)
		rows = []
		for i in range(customers):
			customer = make_customer(
				f"Group {answered} {tag} {i}",
				f"group-{frappe.scrub(tag)}-{answered.lower()}-{i}@example.com",
				mobile_no="+91 98765 43210",
				whatsapp_opt_in=1,
				customer_group=group.name,
			)
			for k in range(9):
				for channel, day in ((answered, 14 * k), (ignored, 14 * k + 7)):
					rows.append(logged_reminder(customer, channel, start + dt.timedelta(days=day), k))
				if k < 7:
					invoice = make_invoice(
						customer, 100, due_in_days=-(HISTORY_START + 5), posting_days_ago=HISTORY_START + 10
					)
					make_payment(invoice, posting_date=getdate(start + dt.timedelta(days=14 * k + 2)))
		insert_rows("Collection Activity", ACTIVITY_FIELDS, rows)
		frappe.db.commit()
		return group.name

	def test_the_job_learns_each_customer_groups_answer(self):
		"""Shrinkage customer → segment (customer group) → site: the job learns by customer group, so a
		customer with no history of its own is scored by its group's answer. Compared between two groups
		on one model, so whatever else the site has learned moves both alike."""
		tag = frappe.generate_hash(length=5)
		with self.freeze_time(NOW, tick=True):
			by_whatsapp = self.group_history(tag, "WhatsApp", "Email")
			by_email = self.group_history(tag, "Email", "WhatsApp")
			learn()
		model = store.load()["model"]
		member = frappe.db.get_value("Customer", {"customer_group": by_email}, "name")
		self.assertEqual(model.customer_segment[member], by_email)
		contexts = pd.DataFrame(
			{"customer": ["New Customer A", "New Customer B"], "segment": [by_whatsapp, by_email]}
		).assign(step="", weekday=0)
		actions = pd.DataFrame({"channel": ["Email", "WhatsApp"], "tone": "Polite", "hour": 10})
		p = model.score(contexts, actions)
		whatsapp_lead = p[:, 1] - p[:, 0]
		self.assertGreater(whatsapp_lead[0], whatsapp_lead[1] + 0.2, p)

	def test_an_opt_out_wins_over_the_model(self):
		with self.freeze_time(NOW, tick=True):
			wa, _em = self.history("OptOut")
			learn()
			frappe.db.set_value("Customer", wa, "whatsapp_opt_in", 0)
			invoice = make_invoice(wa, 640, due_in_days=-3)
			frappe.db.commit()
			execute_run(new_run(wa).name)
		reminder = self.reminder_of(invoice)
		self.assertEqual((reminder.channel, reminder.learned), ("Email", 1))
		self.assertEqual(Provider.requests, [])

	def test_quiet_hours_hold_a_learned_reminder_back(self):
		with self.freeze_time(NOW, tick=True):
			wa, _em = self.history("Quiet")
			learn()
			self.set_settings(learning_quiet_start="00:00:00", learning_quiet_end="23:59:00")
			try:
				invoice = make_invoice(wa, 640, due_in_days=-3)
				frappe.db.commit()
				run = new_run(wa)
				execute_run(run.name)
			finally:
				self.set_settings(learning_quiet_start=None, learning_quiet_end=None)
		self.assertIsNone(self.reminder_of(invoice))
		self.assertIn("awaiting_send_time: 1", frappe.db.get_value("Dunning Run", run.name, "skip_reasons"))
		self.assertEqual(Provider.requests, [])

	def test_with_learning_off_the_step_keeps_its_channel(self):
		with self.freeze_time(NOW, tick=True):
			wa, _em = self.history("Off")
			learn()
			self.set_settings(learning_enabled=0)
			try:
				self.assertIsNone(learned_policy(frappe.get_single("Collections Settings")))
				invoice = make_invoice(wa, 640, due_in_days=-3)
				frappe.db.commit()
				execute_run(new_run(wa).name)
			finally:
				self.set_settings(learning_enabled=1)
		reminder = self.reminder_of(invoice)
		self.assertEqual((reminder.channel, reminder.learned, reminder.choice_reason), ("Email", 0, None))

	def test_a_model_file_not_written_by_the_job_is_refused(self):
		with self.freeze_time(NOW, tick=True):
			self.history("Signed")
			learn()
		with open(store.path(), "rb") as f:
			data = f.read()
		with open(store.path(), "wb") as f:
			f.write(data[:-1] + bytes([data[-1] ^ 1]))  # one bit changed
		with self.assertRaises(ModelIntegrityError):
			with open(store.path(), "rb") as f:
				store.verified(f.read())
		self.assertIsNone(store.load())
		store.clear()
		self.assertIsNone(learned_policy(frappe.get_single("Collections Settings")))

	def test_learned_choices_are_checked_when_the_sequence_is_saved(self):
		for step, message in (
			({"learned_channel": 1, "channels": "Email, WhatsApp"}, "name its WhatsApp template"),
			({"learned_channel": 1, "channels": "Email, Fax"}, "Fax is not one of"),
			({"learned_tone": 1, "tones": "Polite, Shouty"}, "Shouty is not one of"),
		):
			doc = frappe.get_doc(
				{
					"doctype": "Dunning Sequence",
					"sequence_name": f"Learned bad {frappe.generate_hash(length=6)}",
					"priority": 0,
					"steps": [{"offset_days": 3, "channel": "Email", "tone": "Polite", **step}],
				}
			)
			with self.assertRaisesRegex(frappe.ValidationError, message):
				doc.insert(ignore_permissions=True)

	def test_the_worklist_says_what_was_learned(self):
		with self.freeze_time(NOW, tick=True):
			wa, _em = self.history("Worklist")
			learn()
			make_invoice(wa, 640, due_in_days=-10)
			frappe.db.commit()
			rows = worklist(company=default_company()).set_index("customer")
			self.set_settings(learning_enabled=0)
			try:
				unlearned = worklist(company=default_company()).set_index("customer")
			finally:
				self.set_settings(learning_enabled=1)
		self.assertEqual(rows.loc[wa, "next_action"], "whatsapp")
		self.assertIn("learned: best by WhatsApp at", rows.loc[wa, "reason"])
		self.assertIn("answered 7 of 9 WhatsApp reminders", rows.loc[wa, "reason"])
		self.assertNotIn("learned", unlearned.loc[wa, "reason"])

	def test_settings_saved_before_learning_existed_get_its_defaults_and_bad_values_are_refused(self):
		fields = ("learning_exploration", "learning_lead_business_days", "learning_outcome_days")
		fields += ("learning_min_touches",)
		singles = frappe.qb.DocType("Singles")
		try:
			frappe.qb.from_(singles).delete().where(
				(singles.doctype == "Collections Settings") & singles.field.isin(fields)
			).run()
			frappe.clear_document_cache("Collections Settings", "Collections Settings")
			settings = frappe.get_single("Collections Settings")
			self.assertIsNone(settings.learning_outcome_days)
			settings.save(ignore_permissions=True)  # learning is on: checked, with the defaults
			self.assertEqual([settings.get(f) for f in fields], [10, 3, 7, 50])
			settings.learning_exploration = 80
			with self.assertRaisesRegex(frappe.ValidationError, "Exploration share"):
				settings.save(ignore_permissions=True)
		finally:
			frappe.db.rollback()
			self.set_settings(**{f: self.SETTINGS[f] for f in fields})
