"""Escalation by behaviour, collections hold and the Customer form's collections summary on a real site."""

import frappe
from frappe.utils import add_days, today

from optimar_erp.api import collections_summary, raise_dispute, record_promise
from optimar_erp.collections.doctype.dunning_run.test_dunning_run import activities
from optimar_erp.dunning.escalation import configured_rules, escalate
from optimar_erp.tests.commitments import CommitmentsTestCase
from optimar_erp.tests.factories import make_invoice
from optimar_erp.tests.test_permissions import make_user


class TestEscalationAndHold(CommitmentsTestCase):
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

	def test_customer_collections_summary(self):
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
