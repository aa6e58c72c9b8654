"""Today's open invoices in the site cache: brought up to date from the invoices modified since, read afresh
when the app's computed fields change, and always the table a fresh read gives."""

from datetime import timedelta
from unittest.mock import patch

import pandas as pd

import frappe

from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.queries import open_invoices
from optimar_erp.risk.jobs import write_invoice_scores
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	default_company,
	make_customer,
	make_invoice,
	make_payment,
)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
	return frame.sort_values("invoice", ignore_index=True)


class TestOpenInvoices(CollectionsTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = default_company()
		cls.customer = make_customer(f"Open {frappe.generate_hash(length=6)}")
		cls.invoices = [make_invoice(cls.customer, 400 + 50 * i, due_in_days=5 - 15 * i) for i in range(3)]
		frappe.db.commit()

	def setUp(self):
		open_invoices.forget(self.company)
		open_invoices.table(self.company)  # cached from committed rows

	def tearDown(self):
		frappe.db.rollback()

	def assert_fresh(self, frame):
		fresh = open_invoices.read(self.company)
		pd.testing.assert_frame_equal(_sorted(frame), _sorted(fresh))

	def test_cached_table_equals_a_fresh_read(self):
		with patch.object(open_invoices, "read", wraps=open_invoices.read) as read:
			frame = open_invoices.table(self.company)
		read.assert_not_called()
		self.assert_fresh(frame)

	def test_a_payment_is_spliced_in(self):
		make_payment(self.invoices[0], 400)  # settles it: ERPNext updates the invoice (and its modified)
		make_payment(self.invoices[1], 100)
		new = make_invoice(self.customer, 77, due_in_days=-1)
		with patch.object(open_invoices, "read", wraps=open_invoices.read) as read:
			frame = open_invoices.table(self.company)
		for call in read.call_args_list:
			self.assertIsNotNone(call.args[1:] or call.kwargs.get("names"), "the whole table was read again")
		by_name = frame.set_index("invoice")
		self.assertNotIn(self.invoices[0], by_name.index)
		self.assertAlmostEqual(by_name.loc[self.invoices[1], "outstanding"], 350.0, places=2)
		self.assertAlmostEqual(by_name.loc[new, "outstanding"], 77.0, places=2)
		self.assert_fresh(frame)

	def test_computed_fields_make_it_read_afresh(self):
		frappe.db.sql(  # as the app's bulk writers do: modified left alone
			"update `tabSales Invoice` set risk_band = 'Critical' where name = %s", self.invoices[2]
		)
		open_invoices.fields_changed()
		with patch.object(open_invoices, "read", wraps=open_invoices.read) as read:
			frame = open_invoices.table(self.company)
		self.assertTrue(any(not (c.args[1:] or c.kwargs.get("names")) for c in read.call_args_list))
		self.assertEqual(frame.set_index("invoice").loc[self.invoices[2], "risk_band"], "Critical")
		self.assert_fresh(frame)

	def test_fields_written_on_a_few_invoices_are_read_again_alone(self):
		frappe.db.sql("update `tabSales Invoice` set risk_band = 'High' where name = %s", self.invoices[1])
		open_invoices.fields_changed([self.invoices[1]])
		with patch.object(open_invoices, "read", wraps=open_invoices.read) as read:
			frame = open_invoices.table(self.company)
		read.assert_called_once()  # those invoices (and the ones modified lately), not the whole table
		self.assertIn(self.invoices[1], read.call_args.args[1])
		self.assertEqual(frame.set_index("invoice").loc[self.invoices[1], "risk_band"], "High")
		self.assert_fresh(frame)

	def test_a_day_old_table_is_read_afresh(self):
		key = f"{open_invoices.KEY}{self.company}"
		cached = frappe.cache.get_value(key, expires=True)
		cached["read_at"] -= open_invoices.REREAD_AFTER + timedelta(minutes=1)
		frappe.cache.set_value(key, cached)
		with patch.object(open_invoices, "read", wraps=open_invoices.read) as read:
			frame = open_invoices.table(self.company)
		read.assert_called_once_with(self.company)
		self.assert_fresh(frame)

	def test_an_entry_of_another_layout_is_read_afresh(self):
		frappe.cache.set_value(f"{open_invoices.KEY}{self.company}", {"latest": None, "frame": None})
		with patch.object(open_invoices, "read", wraps=open_invoices.read) as read:
			frame = open_invoices.table(self.company)
		read.assert_called_once_with(self.company)
		self.assert_fresh(frame)

	def test_the_apps_writers_say_the_fields_changed(self):

		with patch.object(open_invoices, "fields_changed") as changed:
			refresh_collection_state([self.invoices[2]])
			write_invoice_scores(
				pd.DataFrame(
					{
						"invoice": [self.invoices[2]],
						"late_probability": [0.8],
						"predicted_pay_date": [pd.Timestamp("2030-01-01")],
						"risk_band": ["High"],
					}
				)
			)
		self.assertEqual(changed.call_count, 2)

	def test_not_cached_from_a_transaction_that_wrote(self):
		make_payment(self.invoices[1], 30)
		open_invoices.table(self.company)
		frappe.db.rollback()
		frame = open_invoices.table(self.company)
		self.assertAlmostEqual(
			frame.set_index("invoice").loc[self.invoices[1], "outstanding"], 450.0, places=2
		)
		self.assert_fresh(frame)


def tearDownModule():
	open_invoices.forget(default_company())
