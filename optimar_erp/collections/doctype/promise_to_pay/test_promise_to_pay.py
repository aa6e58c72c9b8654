"""Promises to pay on a real site: kept, partly kept and broken promises, instalment plans, and the promises
refused (beside the doctype: ``bench run-tests --doctype "Promise To Pay"``)."""

import frappe
from frappe.utils import add_days, today

from optimar_erp.api import record_promise
from optimar_erp.collections.doctype.dunning_run.test_dunning_run import new_run, queued_emails
from optimar_erp.dunning import promises
from optimar_erp.dunning.run import execute_run
from optimar_erp.exceptions import InvalidPromiseError
from optimar_erp.tests.commitments import CommitmentsTestCase, backdate, state
from optimar_erp.tests.factories import make_invoice, make_payment

# Test records: this suite makes its own customers and invoices (tests/factories.py); none of ERPNext's.
test_ignore = ["Company", "Currency", "Customer", "Sales Invoice", "User"]


class TestPromiseToPay(CommitmentsTestCase):
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
			with self.assertRaises(InvalidPromiseError) as caught:
				record_promise(*args)
			self.assertIn(message, str(caught.exception))
		self.assertEqual(frappe.db.count("Promise To Pay"), before)

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
		with self.assertRaises(InvalidPromiseError) as caught:
			record_promise(
				customer,
				600,
				add_days(today(), 9),
				invoices=[invoice],
				instalments=[{"due_date": add_days(today(), 9), "amount": 500}],
			)
		self.assertIn("add up to", str(caught.exception))
