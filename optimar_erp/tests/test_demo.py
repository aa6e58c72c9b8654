"""The demo book on a real site, and the engine's AR figures against ERPNext's own AR report."""

import frappe
from frappe.utils import add_months, flt, getdate, today

from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as accounts_receivable

from optimar_erp.demo import demo_book
from optimar_erp.demo import setup as demo_setup
from optimar_erp.engine.analytics import aging
from optimar_erp.engine.schema import validate_invoices
from optimar_erp.queries.ledger import get_invoices
from optimar_erp.tests.factories import OptimarTestCase

BOOK = {"customers": 6, "months": 5, "seed": 20261122}


class TestDemoBook(OptimarTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = frappe.db.get_single_value("Global Defaults", "default_company")
		# a fixed date keeps the book identical from one run to the next
		cls.as_of = getdate(add_months(today(), -1)).replace(day=15)
		cls.first = demo_setup(company=cls.company, as_of=str(cls.as_of), **BOOK)
		cls.book = demo_book(
			seed=BOOK["seed"],
			n_customers=BOOK["customers"],
			months=BOOK["months"],
			end=cls.as_of,
			currency=frappe.get_cached_value("Company", cls.company, "default_currency"),
			company=cls.company,
		)

	def book_customers(self) -> list[str]:
		"""The site's Customers that the book's invoices were made for."""
		return frappe.get_all(
			"Sales Invoice",
			filters={"po_no": ("in", list(self.book.invoices["invoice"])), "docstatus": 1},
			pluck="customer",
			distinct=True,
		)

	def test_second_run_creates_nothing(self):
		again = demo_setup(company=self.company, as_of=str(self.as_of), **BOOK)
		self.assertEqual(again, dict.fromkeys(again, 0))

	def test_site_matches_the_simulator(self):
		sim = self.book.invoices.set_index("invoice")
		site = frappe.get_all(
			"Sales Invoice",
			filters={"po_no": ("in", list(sim.index)), "docstatus": 1, "is_return": 0},
			fields=["po_no", "grand_total", "posting_date", "due_date", "name"],
		)
		self.assertEqual(len(site), len(sim))
		ledger = get_invoices(self.company, self.as_of).set_index("invoice")
		for row in site:
			expected = sim.loc[row.po_no]
			self.assertAlmostEqual(flt(row.grand_total), expected.grand_total, places=2)
			self.assertEqual(getdate(row.due_date), getdate(expected.due_date))
			self.assertAlmostEqual(
				ledger.loc[row.name, "outstanding"], expected.outstanding, places=2, msg=row.po_no
			)
		# Frappe reads ("in", []) as "po_no is empty": a month without credit notes must ask nothing
		notes = sorted(self.book.credit_notes["credit_note"])
		on_site = frappe.get_all(
			"Sales Invoice", filters={"is_return": 1, "po_no": ("in", notes)}, pluck="po_no"
		)
		self.assertEqual(sorted(on_site) if notes else [], notes)

	def test_engine_aging_matches_erpnext_accounts_receivable(self):
		# the book's own customers: what other tests (or other days' runs) left on the site is theirs
		customers = self.book_customers()
		invoices = validate_invoices(get_invoices(self.company, self.as_of, customers=customers))
		result = aging(invoices, self.as_of)
		_columns, rows, *_rest = accounts_receivable(
			{
				"company": self.company,
				"report_date": self.as_of,
				"party_type": "Customer",
				"ageing_based_on": "Due Date",
				"calculate_ageing_with": "Report Date",
				"range": "30, 60, 90, 120",
			}
		)
		report = {
			row["voucher_no"]: row
			for row in rows
			if row.get("voucher_type") == "Sales Invoice" and row.get("party") in set(customers)
		}
		engine = result.by_invoice.set_index("invoice")

		self.assertGreater(len(engine), 0)
		self.assertEqual(
			set(engine.index), {name for name, row in report.items() if abs(row["outstanding"]) >= 0.005}
		)
		self.assertAlmostEqual(
			engine["outstanding"].sum(), sum(r["outstanding"] for r in report.values()), places=2
		)
		for name, row in engine.iterrows():
			self.assertAlmostEqual(row.outstanding, report[name]["outstanding"], places=2, msg=name)
			if row.days_overdue >= 0:
				self.assertEqual(row.days_overdue, report[name]["age"], msg=name)

		# ERPNext's first range (0-30) includes invoices due on the report date; the engine calls those not due
		due_today = engine[engine["days_overdue"] == 0]["outstanding"].sum()
		buckets = dict(zip(["1-30", "31-60", "61-90", "91-120", "120+"], range(1, 6), strict=True))
		for label, n in buckets.items():
			expected = sum(r[f"range{n}"] for r in report.values())
			got = result.totals[label] + (due_today if n == 1 else 0)
			self.assertAlmostEqual(got, expected, places=2, msg=label)
