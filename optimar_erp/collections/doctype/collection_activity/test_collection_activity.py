"""Collection Activities on a real site: what a person may log, and what the system alone writes (beside the
doctype: ``bench run-tests --doctype "Collection Activity"``)."""

import frappe

from optimar_erp.exceptions import SystemActivityError
from optimar_erp.tests.factories import CollectionsTestCase, default_company, make_customer, make_invoice

# Test records: this suite makes its own customers and invoices (tests/factories.py); none of ERPNext's.
test_ignore = [
	"Communication",
	"Company",
	"Currency",
	"Customer",
	"DocType",
	"Dunning Run",
	"Dunning Sequence",
	"Sales Invoice",
	"ToDo",
]


class TestCollectionActivity(CollectionsTestCase):
	def customer(self, label: str) -> str:
		return make_customer(
			f"Activity {label} {self.suffix}", f"act-{frappe.scrub(label)}-{self.suffix}@example.com"
		)

	def call(self, customer: str, invoice: str | None = None, **fields):
		return frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Call",
				"status": "Done",
				"customer": customer,
				"sales_invoice": invoice,
				"outcome": "Reached - Will Pay",
				**fields,
			}
		)

	def test_a_call_on_an_invoice_takes_its_company(self):
		customer = self.customer("Company")
		invoice = make_invoice(customer, 320, due_in_days=-3)
		activity = self.call(customer, invoice).insert(ignore_permissions=True)
		self.assertEqual(activity.company, default_company())
		self.assertEqual(frappe.db.get_value("Collection Activity", activity.name, "sales_invoice"), invoice)

	def test_an_invoice_of_another_customer_is_refused_and_nothing_is_written(self):
		customer = self.customer("Caller")
		other = self.customer("Owner")
		foreign = make_invoice(other, 410, due_in_days=-3)
		before = frappe.db.count("Collection Activity", {"customer": customer})
		with self.assertRaises(frappe.ValidationError) as caught:
			self.call(customer, foreign).insert(ignore_permissions=True)
		self.assertIn("belongs to", str(caught.exception))
		self.assertIn(other, str(caught.exception))
		self.assertEqual(frappe.db.count("Collection Activity", {"customer": customer}), before)

	def test_only_the_system_creates_a_reminder(self):
		customer = self.customer("Forged")
		invoice = make_invoice(customer, 290, due_in_days=-3)
		reminder = {"activity_type": "Reminder", "status": "Queued", "channel": "Email"}
		with self.assertRaises(SystemActivityError):
			self.call(customer, invoice, **reminder).insert(ignore_permissions=True)
		self.assertFalse(frappe.db.exists("Collection Activity", {"customer": customer}))
		made = self.call(customer, invoice, **reminder)
		made.flags.system_send = True  # the dunning engine's own path
		made.insert(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("Collection Activity", made.name, "activity_type"), "Reminder")
