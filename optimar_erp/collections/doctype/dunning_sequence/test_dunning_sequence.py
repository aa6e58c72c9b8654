# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe

from optimar_erp.compat import IntegrationTestCase

# Sequences need none of ERPNext's test records (companies, groups, territories and what they pull in).
test_ignore = ["Company", "Customer Group", "Territory"]

DEFAULT_STEPS = ((7, "Email", "Firm"), (-5, "Email", "Polite"), (1, "Email", "Friendly"))


def make_sequence(name: str, steps=DEFAULT_STEPS, **fields):
	"""Insert a sequence (replacing one of the same name) with (offset, channel, tone) steps."""
	if frappe.db.exists("Dunning Sequence", name):
		frappe.delete_doc("Dunning Sequence", name, force=True)
	doc = frappe.get_doc(
		{
			"doctype": "Dunning Sequence",
			"sequence_name": name,
			"steps": [
				{"offset_days": o, "channel": c, "tone": t, "subject": f"Step {o}"} for o, c, t in steps
			],
			**fields,
		}
	)
	return doc.insert(ignore_permissions=True)


class TestDunningSequence(IntegrationTestCase):
	def tearDown(self):
		frappe.db.rollback()

	def test_steps_are_sorted_by_offset(self):
		sequence = make_sequence("Sorted Sequence")
		self.assertEqual([step.offset_days for step in sequence.steps], [-5, 1, 7])
		self.assertEqual([step.idx for step in sequence.steps], [1, 2, 3])

	def test_needs_a_step(self):
		with self.assertRaises(frappe.ValidationError):
			make_sequence("Empty Sequence", steps=())

	def test_offset_out_of_range(self):
		with self.assertRaises(frappe.ValidationError) as caught:
			make_sequence("Far Sequence", steps=((400, "Email", "Final"),))
		self.assertIn("between -90 and 365", str(caught.exception))

	def test_one_step_per_offset(self):
		with self.assertRaises(frappe.ValidationError) as caught:
			make_sequence("Twice Sequence", steps=((1, "Email", "Polite"), (1, "SMS", "Firm")))
		self.assertIn("already goes out at offset 1", str(caught.exception))

	def test_template_error_names_the_step(self):
		sequence = frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": "Broken Template",
				"steps": [{"offset_days": 7, "channel": "Email", "message": "Dear {{ customer_name }"}],
			}
		)
		with self.assertRaises(frappe.ValidationError) as caught:
			sequence.insert()
		self.assertIn("row 1 (+7 days, Email)", str(caught.exception))
		self.assertIn("message template does not render", str(caught.exception))

	def test_shipped_sequences(self):
		standard = frappe.get_doc("Dunning Sequence", "Standard B2B")
		self.assertEqual([s.offset_days for s in standard.steps], [-5, 0, 1, 7, 15, 30])
		self.assertEqual(standard.steps[-1].escalation_action, "Collections Hold")
		self.assertTrue(frappe.get_doc("Dunning Sequence", "Gentle").consolidate)
