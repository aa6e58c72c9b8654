"""Promises to pay, disputes, escalation and collections hold on a real site, end to end."""

import frappe
from frappe.utils import add_days, today

from optimar_erp.api import raise_dispute, record_promise
from optimar_erp.dunning import promises
from optimar_erp.dunning.escalation import escalate
from optimar_erp.dunning.run import execute_run
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	make_credit_note,
	make_customer,
	make_invoice,
	make_payment,
)
from optimar_erp.tests.test_dunning_run import activities, new_run, queued_emails
from optimar_erp.tests.test_permissions import make_user


def state(invoice: str) -> str:
	return frappe.db.get_value("Sales Invoice", invoice, "collection_state")


def backdate(promise: str, recorded_days_ago: int, promised_days_ago: int) -> None:
	"""Let time pass: the promise was recorded and fell due some days ago."""
	frappe.db.set_value(
		"Promise To Pay",
		promise,
		{
			"creation": add_days(today(), -recorded_days_ago),
			"promised_date": add_days(today(), -promised_days_ago),
		},
		update_modified=False,
	)


class TestPromisesAndDisputes(CollectionsTestCase):
	SETTINGS = {"promise_grace_days": 0}

	def customer(self, label: str, **fields) -> str:
		return make_customer(
			f"PTP {label} {self.suffix}", f"ap-{frappe.scrub(label)}-{self.suffix}@example.com", **fields
		)

	def test_broken_promise_alerts_and_resumes_reminders(self):
		customer = self.customer("Broken", collector="Administrator")
		invoice = make_invoice(customer, 1000, due_in_days=-8)
		promise = record_promise(customer, 1000, today(), invoices=[invoice])
		self.assertEqual(state(invoice), "Promised")
		frappe.db.commit()

		execute_run(new_run(customer).name)
		self.assertEqual(queued_emails([invoice]), [], "reminders pause while the promise is open")

		backdate(promise, recorded_days_ago=4, promised_days_ago=2)
		# this promise only: others on the site (other tests', other days') are none of this test's business
		self.assertEqual(promises.evaluate([promise]), {promise: "Broken"})
		self.assertEqual(frappe.db.get_value("Promise To Pay", promise, "status"), "Broken")
		self.assertEqual(state(invoice), "Reminding")
		todo = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Promise To Pay", "reference_name": promise},
			pluck="allocated_to",
		)
		self.assertEqual(todo, ["Administrator"])
		frappe.db.commit()

		execute_run(new_run(customer).name)
		self.assertEqual(len(queued_emails([invoice])), 1, "dunning resumes once the promise is broken")

	def test_promise_kept_by_paying_on_time(self):
		customer = self.customer("Kept")
		invoice = make_invoice(customer, 750, due_in_days=-3)
		promise = record_promise(customer, 750, add_days(today(), 5), invoices=[invoice])
		make_payment(invoice)
		self.assertEqual(
			frappe.db.get_value("Promise To Pay", promise, ["status", "paid_amount"]), ("Kept", 750)
		)
		self.assertEqual(state(invoice), "Paid")
		frappe.db.commit()
		execute_run(new_run(customer).name)
		self.assertEqual(queued_emails([invoice]), [])

	def test_partial_payment_partially_kept(self):
		customer = self.customer("Partial")
		invoice = make_invoice(customer, 1000, due_in_days=-20, posting_days_ago=40)
		promise = record_promise(customer, 1000, today(), invoices=[invoice])
		backdate(promise, recorded_days_ago=10, promised_days_ago=3)
		make_payment(invoice, 400, posting_date=add_days(today(), -5))
		self.assertEqual(
			frappe.db.get_value("Promise To Pay", promise, ["status", "paid_amount"]), ("Partially Kept", 400)
		)

	def test_bad_promises_are_refused_and_write_nothing(self):
		customer = self.customer("Refused")
		other = self.customer("Other")
		invoice = make_invoice(customer, 500, due_in_days=-5)
		foreign = make_invoice(other, 500, due_in_days=-5)
		before = frappe.db.count("Promise To Pay")
		cases = [
			((customer, 900, add_days(today(), 3), [invoice]), "more than the"),
			((customer, 100, add_days(today(), -1), [invoice]), "in the past"),
			((customer, 100, add_days(today(), 3), [foreign]), "belongs to"),
			((customer, 0, add_days(today(), 3), [invoice]), "more than zero"),
		]
		for args, message in cases:
			with self.assertRaises(frappe.ValidationError) as caught:
				record_promise(*args)
			self.assertIn(message, str(caught.exception))
		self.assertEqual(frappe.db.count("Promise To Pay"), before)

	def test_dispute_pauses_only_its_invoice_and_a_credit_note_resolves_it(self):
		customer = self.customer("Dispute")
		invoices = [make_invoice(customer, 300 + i, due_in_days=-7) for i in range(3)]
		dispute = raise_dispute(invoices[1], "Pricing", "Unit price differs from the PO")
		self.assertEqual(state(invoices[1]), "Disputed")
		self.assertEqual(
			frappe.db.get_value("Dispute", dispute, "sla_due_date").isoformat(), add_days(today(), 10)
		)
		frappe.db.commit()

		execute_run(new_run(customer).name)
		self.assertEqual(
			sorted(e.reference_name for e in queued_emails(invoices)), sorted([invoices[0], invoices[2]])
		)
		skipped = [a for a in activities(customer, status="Skipped")]
		self.assertEqual([a.sales_invoice for a in skipped], [invoices[1]])

		note = make_credit_note(invoices[1], 301)
		self.assertEqual(
			frappe.db.get_value("Dispute", dispute, ["status", "resolution", "credit_note"]),
			("Resolved", "Credit Note Issued", note.name),
		)
		self.assertEqual(state(invoices[1]), "Paid")

	def test_hold_blocks_new_invoices_unless_credit_controller(self):
		customer = self.customer("Hold")
		make_invoice(customer, 200, due_in_days=-30)
		doc = frappe.get_doc("Customer", customer)
		doc.collections_hold = 1
		doc.collections_hold_reason = "Three broken promises"
		doc.save(ignore_permissions=True)
		self.assertEqual(len(activities(customer, activity_type="Hold")), 1)
		frappe.db.set_single_value("Accounts Settings", "credit_controller", "Accounts Manager")

		clerk = make_user("optimar.clerk@example.com", ("Accounts User", "Sales User"))
		controller = make_user(
			"optimar.controller@example.com", ("Accounts User", "Accounts Manager", "Sales User")
		)
		frappe.set_user(clerk)
		try:
			with self.assertRaises(frappe.ValidationError) as caught:
				make_invoice(customer, 100, due_in_days=30)
			self.assertIn("Three broken promises", str(caught.exception))
			self.assertIn("200.00", str(caught.exception))
			frappe.set_user(controller)
			make_invoice(customer, 100, due_in_days=30)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(len(activities(customer, activity_type="Hold Override")), 1)

		doc.reload()
		doc.collections_hold = 0
		doc.save(ignore_permissions=True)
		self.assertEqual(len(activities(customer, activity_type="Hold Released")), 1)

	def test_escalation_by_behaviour(self):
		late = self.customer("Very Late", collector="Administrator")
		make_invoice(late, 5000, due_in_days=-65, posting_days_ago=95)
		mild = self.customer("Bit Late", collector="Administrator")
		make_invoice(mild, 500, due_in_days=-20, posting_days_ago=50)
		done = {row["customer"]: row for row in escalate() if row["customer"] in (late, mild)}
		self.assertEqual(done[late]["level"], "Collections Hold")
		self.assertEqual(done[mild]["level"], "Collector Call")
		self.assertEqual(
			frappe.db.get_value("Customer", late, ["collections_hold", "escalation_level"]),
			(1, "Collections Hold"),
		)
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_type": "Customer", "reference_name": mild, "status": "Open"})
		)
		# the next day nothing new happens: escalation never repeats a level
		self.assertNotIn(late, [row["customer"] for row in escalate()])

	def test_payment_plan_with_instalments(self):
		customer = self.customer("Plan")
		invoice = make_invoice(customer, 900, due_in_days=-10)
		promise = record_promise(
			customer,
			900,
			add_days(today(), 20),
			invoices=[invoice],
			instalments=[
				{"due_date": add_days(today(), 5), "amount": 300},
				{"due_date": add_days(today(), 20), "amount": 600},
			],
		)
		doc = frappe.get_doc("Promise To Pay", promise)
		self.assertEqual([row.amount for row in doc.instalments], [300, 600])
		make_payment(invoice, 300)
		self.assertEqual(
			frappe.db.get_value("Promise To Pay", promise, ["status", "paid_amount", "next_due_date"]),
			("Open", 300, frappe.utils.getdate(add_days(today(), 5))),
		)
		with self.assertRaises(frappe.ValidationError) as caught:
			record_promise(
				customer,
				600,
				add_days(today(), 9),
				invoices=[invoice],
				instalments=[{"due_date": add_days(today(), 9), "amount": 500}],
			)
		self.assertIn("add up to", str(caught.exception))

	def test_sla_breach_alerts_owner_once(self):
		from optimar_erp.collections.doctype.dispute.dispute import alert_sla_breaches

		customer = self.customer("SLA")
		invoice = make_invoice(customer, 450, due_in_days=-5)
		dispute = raise_dispute(invoice, "Quantity", "Short delivery")
		frappe.db.set_value("Dispute", dispute, "sla_due_date", add_days(today(), -1))
		self.assertIn(dispute, alert_sla_breaches())
		self.assertNotIn(dispute, alert_sla_breaches())
		self.assertEqual(frappe.db.get_value("Dispute", dispute, "sla_breach_notified"), 1)

	def test_dispute_rules(self):
		customer = self.customer("Rules")
		invoice = make_invoice(customer, 200, due_in_days=-5)
		with self.assertRaises(frappe.ValidationError):
			raise_dispute(invoice, "Pricing", "Too much", disputed_amount=500)
		dispute = frappe.get_doc("Dispute", raise_dispute(invoice, "Pricing", "Wrong price"))
		with self.assertRaises(frappe.ValidationError):
			raise_dispute(invoice, "Quality", "Second dispute on the same invoice")
		dispute.status = "Resolved"
		dispute.resolution = "Credit Note Issued"
		with self.assertRaises(frappe.ValidationError) as caught:
			dispute.save()
		self.assertIn("credit note", str(caught.exception))
		dispute.reload()
		dispute.status = "Resolved"
		dispute.resolution = "Rejected"
		dispute.save()
		self.assertEqual(state(invoice), "Reminding")

	def test_customer_collections_summary(self):
		from optimar_erp.api import collections_summary

		customer = self.customer("Summary")
		overdue = make_invoice(customer, 1000, due_in_days=-10)
		disputed = make_invoice(customer, 250, due_in_days=-4)
		record_promise(customer, 600, add_days(today(), 4), invoices=[overdue])
		raise_dispute(disputed, "Missing PO", "No PO number on the invoice")
		summary = collections_summary(customer)
		self.assertEqual((summary["overdue"], summary["promised"], summary["disputed"]), (1250, 600, 250))
		self.assertEqual(len(summary["open_promises"]), 1)
		self.assertEqual(summary["open_disputes"][0]["sales_invoice"], disputed)

	def test_escalation_rules_from_settings(self):
		from optimar_erp.dunning.escalation import configured_rules

		settings = frappe.get_single("Collections Settings")
		settings.append("escalation_rules", {"level": "Collections Hold", "match": "Any"})
		with self.assertRaises(frappe.ValidationError) as caught:
			settings.save()
		self.assertIn("Escalation rule 1", str(caught.exception))
		settings.escalation_rules[0].min_days_overdue = 10
		settings.escalation_rules[0].risk_bands = "Severe"
		with self.assertRaises(frappe.ValidationError):
			settings.save()
		settings.escalation_rules[0].risk_bands = "High, Critical"
		rules = configured_rules(settings)
		self.assertEqual(
			[(r.level, r.min_days_overdue, r.risk_bands) for r in rules],
			[("Collections Hold", 10, frozenset({"High", "Critical"}))],
		)
		frappe.db.rollback()
