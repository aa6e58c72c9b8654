"""Reports, workspace cards and the worklist on a real site: they run, reconcile with ERPNext's Accounts
Receivable report, agree with the standalone ``optimar analyse``, and the worklist's actions work."""

import contextlib
import io
import json
import os
import tempfile

import frappe
from frappe.desk.query_report import run
from frappe.query_builder.functions import Sum
from frappe.utils import add_days, flt, getdate, today

from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as accounts_receivable

from optimar_erp import cli, data
from optimar_erp.demo import setup as demo_setup
from optimar_erp.reporting import cards
from optimar_erp.reporting.worklist import snooze, worklist
from optimar_erp.tests.factories import CollectionsTestCase, default_company, make_customer, make_invoice
from optimar_erp.tests.test_demo import BOOK

REPORTS = (
	"Collections Worklist",
	"AR Aging with Risk",
	"DSO and CEI Trend",
	"Promise Adherence",
	"Dispute Aging",
	"Collector Productivity",
	"Cash-in Forecast",
	"MSME Payment Deadlines",
)


class TestReports(CollectionsTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = default_company()
		demo_setup(company=cls.company, as_of=str(getdate(add_days(today(), -30)).replace(day=15)), **BOOK)
		frappe.db.commit()

	def _run(self, name, **filters):
		result = run(name, filters={"company": self.company, **filters}, ignore_prepared_report=True)
		# reports with a total row get it appended as a plain list
		return [r for r in result["result"] if isinstance(r, dict)], result

	def test_every_report_runs_with_columns(self):
		for name in REPORTS:
			rows, result = self._run(name)
			self.assertTrue(result["columns"], name)
			self.assertIsInstance(rows, list, name)

	def test_ar_aging_reconciles_with_erpnext_accounts_receivable(self):
		rows, result = self._run("AR Aging with Risk")
		_columns, ar_rows, *_rest = accounts_receivable(
			{
				"company": self.company,
				"report_date": today(),
				"party_type": "Customer",
				"ageing_based_on": "Due Date",
				"calculate_ageing_with": "Report Date",
				"range": "30, 60, 90, 120",
			}
		)
		erpnext = {
			r["voucher_no"]: flt(r["outstanding"], 2)
			for r in ar_rows
			if r.get("voucher_type") == "Sales Invoice" and abs(r["outstanding"]) >= 0.005
		}
		ours = {r["invoice"]: flt(r["outstanding"], 2) for r in rows if r.get("invoice")}
		self.assertEqual(ours, erpnext)
		total = next(s for s in result["report_summary"] if s["label"] == "Outstanding")["value"]
		self.assertAlmostEqual(total, sum(erpnext.values()), places=2)

	def test_desk_figures_equal_the_standalone_analyse(self):
		invoices = data.get_invoices(self.company, today())
		with tempfile.TemporaryDirectory() as tmp:
			path = os.path.join(tmp, "ledger.csv")
			invoices.to_csv(path, index=False)
			out = io.StringIO()
			with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
				code = cli.main(
					[
						"analyse",
						"--ledger",
						path,
						"--out",
						os.path.join(tmp, "r.html"),
						"--json",
						"--as-of",
						today(),
					]
				)
		self.assertEqual(code, 0)
		standalone = json.loads(out.getvalue())
		frappe.cache.delete_keys("optimar:summary:")
		desk = cards.ledger_summary(self.company)
		for key in ("total_ar", "overdue", "not_due", "dso_standard", "bpdso", "dso_countback", "buckets"):
			self.assertEqual(desk[key], standalone[key], key)
		self.assertEqual(desk["open_invoices"], standalone["open_invoices"])
		card = cards.total_overdue(json.dumps({"company": self.company}))
		self.assertAlmostEqual(card["value"], standalone["overdue"], places=2)

	def test_forecast_spreads_every_open_amount(self):
		rows, _result = self._run("Cash-in Forecast")
		forecast = [r for r in rows if r["kind"] == "Forecast"]
		self.assertEqual(len(forecast), 14)  # 13 weeks and "later"
		si = frappe.qb.DocType("Sales Invoice")
		owed = dict(
			frappe.qb.from_(si)
			.select(si.customer, Sum(si.outstanding_amount))
			.where((si.company == self.company) & (si.docstatus == 1) & (si.is_return == 0))
			.where(si.outstanding_amount > 0.005)
			.groupby(si.customer)
			.run()
		)
		promised = frappe.get_all(
			"Promise To Pay",
			filters={"company": self.company, "status": "Open"},
			fields=["customer", "promised_amount", "paid_amount"],
		)
		beyond = {}  # a promise larger than what is open (on account) is cash on top of the invoices
		for p in promised:
			beyond[p.customer] = beyond.get(p.customer, 0) + max(
				flt(p.promised_amount) - flt(p.paid_amount), 0
			)
		extra = sum(max(amount - flt(owed.get(c)), 0) for c, amount in beyond.items())
		expected = sum(flt(v) for v in owed.values()) + extra
		self.assertAlmostEqual(sum(r["expected"] for r in forecast), expected, delta=1.0)

	def test_msme_report_cites_the_45_day_limit(self):
		frappe.db.set_value("Company", self.company, "optimar_msme_category", "Micro")
		try:
			rows, result = self._run("MSME Payment Deadlines")
		finally:
			frappe.db.set_value("Company", self.company, "optimar_msme_category", None)
		self.assertTrue(rows)
		for r in rows:
			self.assertLessEqual((getdate(r["statutory_date"]) - getdate(r["posting_date"])).days, 45)

	def test_worklist_ranks_filters_and_an_action_takes_the_customer_off(self):
		customer = make_customer(f"Worklist {self.suffix}", risk_band="High")
		make_invoice(customer, 4200, due_in_days=-20, posting_days_ago=50)
		rows = worklist(company=self.company).set_index("customer")
		self.assertIn(customer, rows.index)
		self.assertIn("4,200.00 overdue, oldest 20 days", rows.loc[customer, "reason"])
		self.assertEqual(rows.loc[customer, "risk_band"], "High")
		self.assertEqual(list(rows["value_at_risk"]), sorted(rows["value_at_risk"], reverse=True))

		def listed(**filters):
			return customer in set(worklist(company=self.company, **filters)["customer"])

		self.assertTrue(listed(risk_band="High") and listed(bucket="1-30"))
		self.assertFalse(listed(risk_band="Low") or listed(bucket="61-90"))
		with self.assertRaises(frappe.ValidationError):
			snooze(customer, today())  # must be a later date
		snooze(customer, add_days(today(), 3), "on holiday")
		self.assertFalse(listed())
		self.assertTrue(
			frappe.db.exists("Collection Activity", {"customer": customer, "activity_type": "Note"})
		)
