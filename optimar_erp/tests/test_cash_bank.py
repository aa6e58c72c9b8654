"""Bank Transactions in cash application on a real site: an unreconciled deposit finds the invoices it
pays, and allocating it books a Payment Entry reconciled with the bank line through ERPNext's own Bank
Reconciliation — all of it or nothing."""

import frappe
from frappe.utils import add_days, flt, today

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.accounts.general_ledger import ClosedAccountingPeriod

from optimar_erp.cash import matching
from optimar_erp.cash.bank import unreconciled_deposits
from optimar_erp.cash.matching import allocate_suggestion, auto_allocate, suggestions
from optimar_erp.tests.factories import CollectionsTestCase, default_company, make_customer, make_invoice

BANK = "OptimAR Test Bank"


BANK_GL_ACCOUNT = "OptimAR Test Bank Account"


def company_bank_gl_account(company: str) -> str:
	"""The company's bank GL account: its default, else any bank ledger, else one made under the chart's
	bank group as ERPNext's setup wizard makes it. ERPNext v15's site setup makes one; v16's does not."""
	gl = frappe.get_cached_value("Company", company, "default_bank_account") or frappe.db.get_value(
		"Account", {"company": company, "account_type": "Bank", "is_group": 0}
	)
	if gl:
		return gl
	group = frappe.db.get_value(
		"Account", {"company": company, "account_type": "Bank", "is_group": 1, "root_type": "Asset"}
	)
	if not group:
		raise AssertionError(f"the chart of accounts of {company} has no bank group")
	return (
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": BANK_GL_ACCOUNT,
				"parent_account": group,
				"is_group": 0,
				"company": company,
				"account_type": "Bank",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def company_bank_account(company: str) -> str:
	"""A company Bank Account on the company's bank GL account (made, with its Bank, when missing)."""
	gl = company_bank_gl_account(company)
	found = frappe.db.get_value("Bank Account", {"account": gl, "is_company_account": 1})
	if found:
		return found
	if not frappe.db.exists("Bank", BANK):
		frappe.get_doc({"doctype": "Bank", "bank_name": BANK}).insert(ignore_permissions=True)
	account = frappe.get_doc(
		{
			"doctype": "Bank Account",
			"account_name": f"Operating {frappe.get_cached_value('Company', company, 'abbr')}",
			"bank": BANK,
			"is_company_account": 1,
			"company": company,
			"account": gl,
		}
	).insert(ignore_permissions=True)
	return account.name


def make_deposit(bank_account: str, amount: float, description: str, day=None, **fields) -> str:
	"""A submitted Bank Transaction deposit (as a bank statement import makes one)."""
	bt = frappe.get_doc(
		{
			"doctype": "Bank Transaction",
			"date": day or today(),
			"bank_account": bank_account,
			"deposit": amount,
			"currency": frappe.get_cached_value(
				"Account", frappe.db.get_value("Bank Account", bank_account, "account"), "account_currency"
			),
			"description": description,
			"reference_number": frappe.generate_hash(length=10).upper(),
			**fields,
		}
	)
	bt.insert(ignore_permissions=True)
	bt.submit()
	return bt.name


class TestCashApplicationBank(CollectionsTestCase):
	def setUp(self):
		self.company = default_company()
		self.bank_account = company_bank_account(self.company)
		self.customer = make_customer(f"Bank Payer {frappe.generate_hash(length=6)}")

	def _found(self, bank_transaction: str):
		found = suggestions(self.company)
		return found[(found["receipt"] == bank_transaction) & (found["source"] == "Bank Transaction")]

	def _payment_entries(self) -> list[str]:
		return frappe.get_all("Payment Entry", {"party": self.customer}, pluck="name")

	def test_deposit_quoting_one_invoice_pays_both_and_is_reconciled(self):
		a = make_invoice(self.customer, 1234.56, due_in_days=-3)
		b = make_invoice(self.customer, 765.44, due_in_days=2)
		make_invoice(self.customer, 999.99, due_in_days=20)
		bt = make_deposit(self.bank_account, 2000.00, f"SEPA CREDIT TRANSFER / RE {a} + BALANCE")
		top = self._found(bt)
		top = top[top["rank"] == 1].iloc[0]
		self.assertEqual(sorted(top["invoices"]), sorted([a, b]))
		self.assertEqual(top["payer"], "")  # no party on the line: the invoice number tells the customer
		self.assertEqual(top["customer"], self.customer)
		self.assertGreaterEqual(top["confidence"], 0.8)

		pe_name = allocate_suggestion(
			bt, list(top["invoices"]), [float(x) for x in top["allocations"]], source="Bank Transaction"
		)
		pe = frappe.get_doc("Payment Entry", pe_name)
		self.assertEqual((pe.docstatus, pe.payment_type, pe.party), (1, "Receive", self.customer))
		self.assertEqual(pe.paid_to, frappe.db.get_value("Bank Account", self.bank_account, "account"))
		self.assertEqual(pe.reference_no, frappe.db.get_value("Bank Transaction", bt, "reference_number"))
		self.assertAlmostEqual(flt(pe.paid_amount), 2000.00)
		self.assertEqual(
			sorted((r.reference_name, flt(r.allocated_amount)) for r in pe.references),
			sorted([(a, 1234.56), (b, 765.44)]),
		)
		self.assertEqual(flt(pe.unallocated_amount), 0)
		self.assertEqual(frappe.db.get_value("Sales Invoice", a, "outstanding_amount"), 0)
		self.assertEqual(frappe.db.get_value("Sales Invoice", b, "outstanding_amount"), 0)
		line = frappe.get_doc("Bank Transaction", bt)
		self.assertEqual((line.status, flt(line.unallocated_amount)), ("Reconciled", 0))
		self.assertEqual(
			[(p.payment_document, p.payment_entry) for p in line.payment_entries],
			[("Payment Entry", pe_name)],
		)
		self.assertTrue(frappe.db.get_value("Payment Entry", pe_name, "clearance_date"))
		self.assertTrue(
			frappe.db.exists(
				"Collection Activity", {"reference_name": pe_name, "activity_type": "Cash Application"}
			)
		)
		self.assertTrue(self._found(bt).empty)  # no longer a receipt

	def test_payer_recognised_by_name_and_exact_amount(self):
		invoice = make_invoice(self.customer, 4321.09, due_in_days=-5)
		bt = make_deposit(
			self.bank_account, 4321.09, "INCOMING TRANSFER", bank_party_name=f"{self.customer.upper()} LTD"
		)
		line = unreconciled_deposits(self.company).set_index("receipt").loc[bt]
		self.assertEqual((line["customer"], line["payer_match"]), (self.customer, "name"))
		top = self._found(bt).iloc[0]
		self.assertEqual(list(top["invoices"]), [invoice])
		self.assertEqual(top["payer"], self.customer)
		self.assertIn("payer recognised", top["reasons"])
		# a bank's spelling with a letter missing still finds the customer
		typo = self.customer.upper().replace("PAYER", "PAYR")
		bt = make_deposit(self.bank_account, 17.5, "INCOMING TRANSFER", bank_party_name=typo)
		line = unreconciled_deposits(self.company).set_index("receipt").loc[bt]
		self.assertEqual((line["customer"], line["payer_match"]), (self.customer, "similar name"))

	def test_deposit_matching_nothing_gets_no_suggestion(self):
		bt = make_deposit(self.bank_account, 98765.43, "QUARTERLY INTEREST CREDIT")
		rows = self._found(bt)
		self.assertEqual(len(rows), 1)
		self.assertEqual((rows.iloc[0]["method"], rows.iloc[0]["invoices"]), ("no_match", ()))

	def test_more_than_the_deposit_is_refused_and_nothing_is_written(self):
		invoice = make_invoice(self.customer, 300, due_in_days=-1)
		bt = make_deposit(self.bank_account, 200, f"{invoice}", party_type="Customer", party=self.customer)
		with self.assertRaises(frappe.ValidationError):
			allocate_suggestion(bt, [invoice], [250], source="Bank Transaction")
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 300)
		self.assertEqual(frappe.db.get_value("Bank Transaction", bt, "status"), "Unreconciled")
		self.assertEqual(self._payment_entries(), [])

	def test_a_failure_after_the_payment_entry_leaves_nothing_behind(self):
		"""The Payment Entry is inserted, then its submission hits a closed accounting period: the draft,
		the reconciliation and the activity are all rolled back."""
		invoice = make_invoice(self.customer, 150, due_in_days=-1)
		day = add_days(today(), -45)
		period = frappe.get_doc(
			{
				"doctype": "Accounting Period",
				"period_name": f"Closed {frappe.generate_hash(length=6)}",
				"company": self.company,
				"start_date": day,
				"end_date": day,
				"closed_documents": [{"document_type": "Payment Entry", "closed": 1}],
			}
		).insert(ignore_permissions=True)
		self.addCleanup(frappe.delete_doc, "Accounting Period", period.name, force=True)
		bt = make_deposit(self.bank_account, 150, invoice, day=day)
		with self.assertRaises(ClosedAccountingPeriod):  # raised by the submission's GL entries
			allocate_suggestion(bt, [invoice], [150], source="Bank Transaction")
		self.assertEqual(self._payment_entries(), [])
		self.assertEqual(frappe.db.get_value("Bank Transaction", bt, "status"), "Unreconciled")
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 150)
		self.assertFalse(frappe.db.exists("Collection Activity", {"customer": self.customer}))


class TestBankAutoAllocate(CollectionsTestCase):
	SETTINGS = {"cash_auto_allocate": 1, "cash_auto_allocate_above": 90}

	def setUp(self):
		self.company = default_company()
		self.bank_account = company_bank_account(self.company)
		self.customer = make_customer(f"Bank Auto {frappe.generate_hash(length=6)}")

	def test_certain_deposit_is_allocated_by_the_hourly_job(self):
		invoice = make_invoice(self.customer, 612.34, due_in_days=-2)
		bt = make_deposit(self.bank_account, 612.34, f"PAYMENT {invoice}")
		found = suggestions(self.company)
		top = found[(found["receipt"] == bt) & (found["rank"] == 1)].iloc[0]
		self.assertTrue(top["auto_allocate"])
		done = auto_allocate()
		line = frappe.get_doc("Bank Transaction", bt)
		self.assertEqual(line.status, "Reconciled")
		self.assertIn(line.payment_entries[0].payment_entry, done)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 0)

	def test_deposit_that_may_be_an_uncleared_payment_is_never_certain(self):
		invoice = make_invoice(self.customer, 455.55, due_in_days=-2)
		other = make_invoice(self.customer, 455.55, due_in_days=-40)
		pe = get_payment_entry("Sales Invoice", other)
		pe.paid_to = frappe.db.get_value("Bank Account", self.bank_account, "account")
		pe.reference_no, pe.reference_date = "CHQ-1", today()
		pe.insert(ignore_permissions=True)
		pe.submit()
		bt = make_deposit(
			self.bank_account, 455.55, f"PAYMENT {invoice}", party_type="Customer", party=self.customer
		)
		found = suggestions(self.company)
		top = found[(found["receipt"] == bt) & (found["rank"] == 1)].iloc[0]
		self.assertEqual(list(top["invoices"]), [invoice])
		self.assertFalse(top["auto_allocate"])
		self.assertIn(f"may be the bank side of {pe.name}", top["reasons"])

	def test_one_companys_failure_does_not_stop_the_others(self):
		"""Before: the first non-validation error stopped automatic allocation for every company."""
		from unittest.mock import patch

		import pandas as pd

		seen = []

		def suggest(company, max_suggestions=2):
			seen.append(company)
			if company == "Broken Co":
				raise RuntimeError("bad bank data")
			return pd.DataFrame()

		real_get_all = frappe.get_all

		def companies_first(doctype, *args, **kwargs):
			if doctype == "Company":
				return ["Broken Co", "Good Co"]
			return real_get_all(doctype, *args, **kwargs)

		errors_before = frappe.db.count("Error Log")
		with (
			patch.object(matching, "suggestions", suggest),
			patch.object(frappe, "get_all", companies_first),
		):
			self.assertEqual(auto_allocate(), [])
		self.assertEqual(seen, ["Broken Co", "Good Co"])
		self.assertEqual(frappe.db.count("Error Log"), errors_before + 1)
