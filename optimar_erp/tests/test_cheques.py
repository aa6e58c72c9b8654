"""Post-dated cheques on a real site, the clock frozen on fixed days: record → reminders pause until the
cheque date + clearing days → a deposit task on the date → cleared by a Payment Entry with the cheque's
number (promise kept), or bounced (promise broken, alert, fee, reminders resume)."""

import pandas as pd

import frappe
from frappe.utils import flt

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

from optimar_erp.api import create_promise
from optimar_erp.dunning import cheques, promises
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.engine.risk import build_features
from optimar_erp.risk.jobs import history_frame
from optimar_erp.tests.factories import OptimarTestCase, default_company, make_customer, make_invoice
from optimar_erp.tests.test_permissions import make_user

RECORDED = "2026-03-02 10:00:00"
PROMISED = "2026-03-05"
CHEQUE_DATE = "2026-03-10"
CLEARING_DAYS = 3


class TestPostDatedCheques(OptimarTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = default_company()
		cls.suffix = frappe.generate_hash(length=6)
		cls.collector = make_user(f"pdc.collector.{cls.suffix}@example.com", ("Collector",))
		cls.grace_before = frappe.db.get_single_value("Collections Settings", "promise_grace_days")
		frappe.db.set_single_value("Collections Settings", "promise_grace_days", 1)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		frappe.db.rollback()
		frappe.db.set_single_value("Collections Settings", "promise_grace_days", cls.grace_before)
		frappe.db.commit()
		super().tearDownClass()

	def setUp(self):
		frappe.db.savepoint("pdc_test")

	def tearDown(self):
		frappe.set_user("Administrator")
		try:
			frappe.db.rollback(save_point="pdc_test")
		except Exception:
			# something on the way committed (the savepoint is gone): the test's documents carry random
			# names and concern only their own customer, so what stays does not change another test
			frappe.db.rollback()

	def promise_with_cheque(self, cheque_no: str = "004711") -> tuple[str, str, str, str]:
		"""On 2 March: an invoice 10 days overdue, a promise for 5 March and a cheque dated 10 March."""
		customer = make_customer(f"PDC {frappe.generate_hash(length=8)}", "ap@example.com")
		frappe.db.set_value("Customer", customer, "collector", self.collector)
		invoice = make_invoice(customer, 5000, due_in_days=-10, posting_days_ago=40)
		promise = create_promise(customer, 5000, PROMISED, [invoice])
		cheque = (
			frappe.get_doc(
				{
					"doctype": "Post Dated Cheque",
					"promise_to_pay": promise,
					"cheque_no": cheque_no,
					"bank": "State Bank of India",
					"cheque_date": CHEQUE_DATE,
					"amount": 5000,
					"clearing_days": CLEARING_DAYS,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		return customer, invoice, promise, cheque

	def state(self, invoice: str) -> str:
		refresh_collection_state([invoice])
		return frappe.db.get_value("Sales Invoice", invoice, "collection_state")

	def pay_by_cheque(self, invoice: str, cheque_no: str):
		pe = get_payment_entry("Sales Invoice", invoice)
		pe.reference_no = cheque_no
		pe.reference_date = frappe.utils.today()
		pe.insert(ignore_permissions=True)
		pe.submit()
		return pe

	def test_reminders_pause_until_the_cheque_date_and_clearing_then_a_deposit_task(self):
		with self.freeze_time(RECORDED, tick=True):
			_customer, invoice, promise, cheque = self.promise_with_cheque()
			self.assertEqual(frappe.db.get_value("Post Dated Cheque", cheque, "status"), "Pending")
			self.assertEqual(self.state(invoice), "Promised")
		# 9 March: past the promised date + 1 grace day, before the cheque's date: still open, still paused
		with self.freeze_time("2026-03-09 10:00:00", tick=True):
			self.assertEqual(promises.evaluate([promise]), {promise: "Open"})
			self.assertEqual(self.state(invoice), "Promised")
			self.assertEqual(cheques.deposit_tasks(), [])
		# 10 March, the cheque's date: the collector gets one deposit task (the job may run again)
		with self.freeze_time("2026-03-10 08:00:00", tick=True):
			self.assertEqual(cheques.deposit_tasks(), [cheque])
			self.assertEqual(cheques.deposit_tasks(), [])
			todo = frappe.db.get_value("Post Dated Cheque", cheque, "deposit_task")
			self.assertEqual(
				frappe.db.get_value("ToDo", todo, ["allocated_to", "reference_type", "reference_name"]),
				(self.collector, "Post Dated Cheque", cheque),
			)
			self.assertIn("Deposit cheque 004711", frappe.db.get_value("ToDo", todo, "description"))
		# 10 + 3 clearing days = 13 March is the last paused day (+1 grace day): broken on the 15th unpaid
		with self.freeze_time("2026-03-14 10:00:00", tick=True):
			self.assertEqual(promises.evaluate([promise]), {promise: "Open"})
		with self.freeze_time("2026-03-15 10:00:00", tick=True):
			self.assertEqual(promises.evaluate([promise]), {promise: "Broken"})
			self.assertEqual(self.state(invoice), "Reminding")

	def test_a_payment_with_the_cheque_number_clears_it_and_keeps_the_promise(self):
		with self.freeze_time(RECORDED, tick=True):
			_customer, invoice, promise, cheque = self.promise_with_cheque("000123")
		with self.freeze_time("2026-03-12 10:00:00", tick=True):
			pe = self.pay_by_cheque(invoice, "000123")
			self.assertEqual(
				frappe.db.get_value("Post Dated Cheque", cheque, ["status", "payment_entry"]),
				("Cleared", pe.name),
			)
			self.assertEqual(frappe.db.get_value("Promise To Pay", promise, "status"), "Kept")

	def test_a_bounce_breaks_the_promise_alerts_charges_the_fee_and_resumes_reminders(self):
		with self.freeze_time(RECORDED, tick=True):
			customer, invoice, promise, cheque = self.promise_with_cheque()
			account = frappe.db.get_value(
				"Account", {"company": self.company, "root_type": "Income", "is_group": 0, "disabled": 0}
			)
			frappe.get_doc(
				{
					"doctype": "Late Payment Policy",
					"title": f"Bounce {customer}",
					"company": self.company,
					"applies_to": "Customer",
					"customer": customer,
					"preset": "None",
					"rate_source": "Fixed",
					"income_account": account,
					"bounce_fee": 25,
				}
			).insert(ignore_permissions=True)
		with self.freeze_time("2026-03-11 10:00:00", tick=True):
			with self.assertRaises(cheques.ChequeError):
				cheques.mark_bounced(cheque, reason=" ")
			done = cheques.mark_bounced(cheque, reason="Insufficient funds", charge_fee=1)
			self.assertEqual(
				frappe.db.get_value("Post Dated Cheque", cheque, ["status", "bounce_reason"]),
				("Bounced", "Insufficient funds"),
			)
			self.assertEqual(
				frappe.db.get_value("Promise To Pay", promise, ["status", "broken_on"]),
				("Broken", frappe.utils.getdate("2026-03-11")),
			)
			self.assertEqual(self.state(invoice), "Reminding", "reminders resume")
			# the promise stays broken when it is judged again
			self.assertEqual(promises.evaluate([promise]), {promise: "Broken"})
			gl = frappe.get_all(
				"GL Entry",
				filters={"voucher_no": done["journal_entry"], "is_cancelled": 0},
				fields=["account", "party", "debit", "credit"],
			)
			self.assertEqual(
				sorted((g.party or "", flt(g.debit), flt(g.credit)) for g in gl),
				sorted([(customer, 25.0, 0.0), ("", 0.0, 25.0)]),
			)
			self.assertTrue(
				frappe.db.exists(
					"Collection Activity",
					{"activity_type": "Cheque Bounced", "reference_name": cheque, "customer": customer},
				)
			)
			self.assertTrue(
				frappe.db.exists(
					"ToDo",
					{
						"allocated_to": self.collector,
						"reference_name": cheque,
						"description": ("like", "%bounced%"),
					},
				)
			)
			# recording it twice does nothing more
			self.assertEqual(cheques.mark_bounced(cheque, reason="again", charge_fee=1), done)

	def test_cancelling_the_cheques_payment_is_a_bounce(self):
		with self.freeze_time(RECORDED, tick=True):
			_customer, invoice, promise, cheque = self.promise_with_cheque("777")
		with self.freeze_time("2026-03-12 10:00:00", tick=True):
			pe = self.pay_by_cheque(invoice, "777")
			self.assertEqual(frappe.db.get_value("Promise To Pay", promise, "status"), "Kept")
			frappe.get_doc("Payment Entry", pe.name).cancel()
			self.assertEqual(frappe.db.get_value("Post Dated Cheque", cheque, "status"), "Bounced")
			self.assertEqual(frappe.db.get_value("Promise To Pay", promise, "status"), "Broken")
			self.assertEqual(self.state(invoice), "Reminding")

	def test_a_bounce_counts_in_the_risk_models_features(self):
		"""The risk job's history carries the bounce on the cheque's invoice from the day it bounced; an
		invoice of that customer posted later sees one bounce in its features, one posted before sees none."""
		with self.freeze_time(RECORDED, tick=True):
			customer, invoice, _promise, cheque = self.promise_with_cheque("4242")
		with self.freeze_time("2026-03-11 10:00:00", tick=True):
			cheques.mark_bounced(cheque, reason="Account closed")
			before = history_frame(self.company, "2026-03-10", customers=[customer])
			self.assertTrue(before["cheque_bounced_on"].isna().all(), "not known before the day it bounced")
			history = history_frame(self.company, "2026-03-11", customers=[customer])
			row = history.set_index("invoice").loc[invoice]
			self.assertEqual(row["cheque_bounced_on"], pd.Timestamp("2026-03-11"))
			later = history.iloc[[0]].assign(posting_date=pd.Timestamp("2026-03-12"))
			earlier = history.iloc[[0]].assign(posting_date=pd.Timestamp("2026-03-11"))
			features = build_features(history, pd.concat([later, earlier], ignore_index=True))
			self.assertEqual(features["bounced_cheques_365d"].tolist(), [1.0, 0.0])

	def test_bad_cheques_are_refused_and_write_nothing(self):
		with self.freeze_time(RECORDED, tick=True):
			customer, _invoice, promise, cheque = self.promise_with_cheque("55")
			other_customer = make_customer(f"PDC other {self.suffix}")
			other_invoice = make_invoice(other_customer, 100, due_in_days=-1)
			before = frappe.db.count("Post Dated Cheque")
			base = {
				"doctype": "Post Dated Cheque",
				"promise_to_pay": promise,
				"cheque_no": "56",
				"bank": "HDFC",
				"cheque_date": CHEQUE_DATE,
				"amount": 100,
			}
			for label, change in {
				"the same cheque twice": {"cheque_no": " 55 "},
				"no amount": {"amount": 0},
				"another customer's invoice": {"invoices": [{"sales_invoice": other_invoice}]},
			}.items():
				with self.subTest(label), self.assertRaises(cheques.ChequeError):
					frappe.get_doc({**base, **change}).insert(ignore_permissions=True)
			self.assertEqual(frappe.db.count("Post Dated Cheque"), before)
			doc = frappe.get_doc("Post Dated Cheque", cheque)
			doc.status = "Cleared"
			with self.assertRaises(cheques.ChequeError):
				doc.save(ignore_permissions=True)
			frappe.set_user(self.collector)
			with self.assertRaises(frappe.PermissionError):
				cheques.mark_bounced(cheque, reason="x", charge_fee=1)
			self.assertEqual(customer, frappe.db.get_value("Post Dated Cheque", cheque, "customer"))
