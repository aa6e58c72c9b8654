"""The reports' stored book of a company: brought up to date from the ledger rows that changed, it gives the
same tables as reading the whole Payment Ledger afresh, after postings, cancellations and deletions."""

import contextlib
import os
from unittest.mock import call, patch

import frappe
from frappe.utils import add_days, today

from optimar_erp.queries import ledger_store
from optimar_erp.queries.figures import ledger
from optimar_erp.queries.ledger import get_ledger, read_book, tables_at
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	default_company,
	make_credit_note,
	make_customer,
	make_invoice,
	make_payment,
)


class TestLedgerStore(CollectionsTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = default_company()
		cls.customer = make_customer(f"Store {frappe.generate_hash(length=6)}")
		cls.invoices = [
			make_invoice(cls.customer, 500 + 100 * i, due_in_days=10 - 20 * i, posting_days_ago=30 + 10 * i)
			for i in range(3)
		]
		make_payment(cls.invoices[0], 200)
		frappe.db.commit()

	def setUp(self):
		ledger_store.forget(self.company)
		ledger_store.refresh(self.company)  # the stored file, from committed rows only

	def tearDown(self):
		frappe.db.rollback()  # what a test wrote and did not commit

	def assert_same_as_read_afresh(self, book):
		fresh = read_book(self.company)
		self.assertTrue(book.invoices.equals(fresh.invoices))
		self.assertTrue(book.events.equals(fresh.events))
		for as_of in (today(), add_days(today(), -20), add_days(today(), -365)):
			ours = tables_at(book, as_of, pandas_dates=True)
			theirs = get_ledger(self.company, as_of, pandas_dates=True)
			self.assertTrue(ours[0].equals(theirs[0]), as_of)
			self.assertTrue(ours[1].equals(theirs[1]), as_of)

	def test_stored_book_equals_the_ledger_read_afresh(self):
		self.assertTrue(os.path.exists(ledger_store._file(self.company)))
		self.assertEqual(ledger_store.refresh(self.company), "unchanged")
		self.assert_same_as_read_afresh(ledger_store.book(self.company))

	def test_new_postings_are_spliced_in(self):
		stored = ledger_store._load(self.company)
		customer = make_customer(f"Store new {frappe.generate_hash(length=6)}")
		invoice = make_invoice(customer, 321.5, due_in_days=-3, posting_days_ago=33)
		make_payment(invoice, 100)
		make_payment(self.invoices[1], 150)
		make_credit_note(self.invoices[2], 50)
		with self.assertNoFullRead():
			book = ledger_store.book(self.company)
		self.assertIn(invoice, set(book.invoices["invoice"]))
		self.assertGreater(len(book.events), len(stored.book.events))
		self.assert_same_as_read_afresh(book)
		figures = ledger(self.company)[0].set_index("invoice")
		self.assertAlmostEqual(figures.loc[invoice, "outstanding"], 221.5, places=2)

	def test_a_cancelled_payment_is_taken_out(self):
		payment = make_payment(self.invoices[2], 120)
		frappe.db.commit()
		self.assertEqual(ledger_store.refresh(self.company), "updated")  # as the background job does
		before = tables_at(ledger_store.book(self.company))[0].set_index("invoice")
		frappe.get_doc("Payment Entry", payment.name).cancel()  # ERPNext delinks its ledger rows
		with self.assertNoFullRead():
			book = ledger_store.book(self.company)
		after = tables_at(book)[0].set_index("invoice")
		invoice = self.invoices[2]
		self.assertAlmostEqual(after.loc[invoice, "outstanding"], before.loc[invoice, "outstanding"] + 120, 2)
		self.assert_same_as_read_afresh(book)

	def test_deleted_rows_make_it_read_afresh(self):
		"""Rows deleted (a deleted voucher's, or a reposting's before it posts anew) do not add up with the
		rows counted: the next background refresh after a change reads the whole book again."""
		ple = frappe.qb.DocType("Payment Ledger Entry")
		frappe.qb.from_(ple).delete().where(ple.against_voucher_no == self.invoices[0]).where(
			ple.voucher_type == "Payment Entry"
		).run()
		make_payment(self.invoices[1], 25)
		with patch.object(ledger_store, "read_book", wraps=read_book) as read:
			self.assertEqual(ledger_store.refresh(self.company), "rebuilt")
		self.assertIn(call(self.company), read.call_args_list)
		book = ledger_store.book(self.company)
		self.assertNotIn(
			-200.0, list(book.events[book.events["code"] == _code(book, self.invoices[0])]["amount"])
		)
		self.assert_same_as_read_afresh(book)

	def test_a_book_with_uncommitted_rows_is_not_stored(self):
		make_payment(self.invoices[1], 10)  # not committed: may still be rolled back
		self.assertEqual(ledger_store.refresh(self.company), "updated")
		book = ledger_store.book(self.company)
		frappe.db.rollback()
		self.assert_same_as_read_afresh(ledger_store.book(self.company))
		self.assertNotEqual(len(book.events), len(ledger_store.book(self.company).events))

	def test_a_torn_file_is_read_afresh(self):
		with open(ledger_store._file(self.company), "wb") as f:
			f.write(b"not a pickle")
		self.assertEqual(ledger_store.refresh(self.company), "rebuilt")
		self.assert_same_as_read_afresh(ledger_store.book(self.company))

	def test_splice_equals_a_fresh_read(self):
		"""Replacing any invoices of a book by a read of just those gives the book read afresh."""
		book = read_book(self.company)
		names = [*self.invoices[1:], book.invoices["invoice"].iloc[0], "NO-SUCH-INVOICE"]
		spliced = ledger_store.splice(book, read_book(self.company, names=names), names)
		self.assertTrue(spliced.invoices.equals(book.invoices))
		self.assertTrue(spliced.events.equals(book.events))

	@contextlib.contextmanager
	def assertNoFullRead(self):
		with patch.object(ledger_store, "read_book", wraps=read_book) as read:
			yield
		self.assertTrue(read.called)
		for each in read.call_args_list:
			self.assertIsNotNone(each.kwargs.get("names"), "the whole book was read again")


def _code(book, invoice: str) -> int:
	return int(book.invoices.index[book.invoices["invoice"] == invoice][0])


def tearDownModule():
	ledger_store.forget(default_company())
