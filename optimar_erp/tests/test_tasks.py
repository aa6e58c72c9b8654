"""Daily housekeeping: collection states follow the calendar."""

import frappe

from optimar_erp.tasks import refresh_open_invoice_states
from optimar_erp.tests.factories import CollectionsTestCase, make_customer, make_invoice


class TestDailyTasks(CollectionsTestCase):
	def test_open_invoices_get_their_state_back(self):
		customer = make_customer(f"State Refresh {self.suffix}")
		due = make_invoice(customer, 100, due_in_days=10)
		overdue = make_invoice(customer, 100, due_in_days=-5)
		frappe.db.set_value("Sales Invoice", [due, overdue], "collection_state", None, update_modified=False)
		self.assertGreaterEqual(refresh_open_invoice_states(), 2)
		self.assertEqual(frappe.db.get_value("Sales Invoice", due, "collection_state"), "Not Due")
		self.assertEqual(frappe.db.get_value("Sales Invoice", overdue, "collection_state"), "Reminding")
