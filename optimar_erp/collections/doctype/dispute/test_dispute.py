"""Disputes on a real site: a dispute pauses only its invoice, a credit note resolves it, its SLA alerts once,
and the rules of raising and resolving one (beside the doctype: ``bench run-tests --doctype Dispute``)."""

import frappe
from frappe.utils import add_days, today

from optimar_erp.api import raise_dispute
from optimar_erp.collections.doctype.dispute.dispute import alert_sla_breaches
from optimar_erp.collections.doctype.dunning_run.test_dunning_run import activities, new_run, queued_emails
from optimar_erp.dunning.run import execute_run
from optimar_erp.exceptions import InvalidDisputeError
from optimar_erp.tests.commitments import CommitmentsTestCase, state
from optimar_erp.tests.factories import make_credit_note, make_invoice

# Test records: this suite makes its own customers and invoices (tests/factories.py); none of ERPNext's.
test_ignore = ["Company", "Currency", "Customer", "Sales Invoice", "User"]


class TestDispute(CommitmentsTestCase):
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

	def test_sla_breach_alerts_owner_once(self):
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
		with self.assertRaises(InvalidDisputeError):
			raise_dispute(invoice, "Pricing", "Too much", disputed_amount=500)
		dispute = frappe.get_doc("Dispute", raise_dispute(invoice, "Pricing", "Wrong price"))
		with self.assertRaises(InvalidDisputeError):
			raise_dispute(invoice, "Quality", "Second dispute on the same invoice")
		dispute.status = "Resolved"
		dispute.resolution = "Credit Note Issued"
		with self.assertRaises(InvalidDisputeError) as caught:
			dispute.save()
		self.assertIn("credit note", str(caught.exception))
		dispute.reload()
		dispute.status = "Resolved"
		dispute.resolution = "Rejected"
		dispute.save()
		self.assertEqual(state(invoice), "Reminding")
