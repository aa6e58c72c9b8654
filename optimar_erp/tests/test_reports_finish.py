"""The Collections reports read as finished (issue 17, item 9), each run on a small book of its own: a
company made for the class (rolled back with it), so every figure can be checked to the cent.

- one customer column, its name beside it only when customers are named by series (ERPNext's idiom);
- no total of days or percentages (no Frappe total row), headers wide enough for their labels; Promise
  Adherence's own total adds only money and counts, its adherence computed from them;
- amounts exact to the cent, in the document's currency;
- Cash-in Forecast: the collected series (past weeks and this week so far), what is not expected (more
  than 90 days overdue, unpromised) apart;
- Promise Adherence lists an open promise due later; a month cut by the report's date is marked,
  in DSO and CEI Trend too."""

import frappe
from frappe.desk.query_report import run
from frappe.utils import add_days, add_months, get_last_day, getdate, today

from optimar_erp.collections.report.dso_and_cei_trend.dso_and_cei_trend import columns as dso_columns
from optimar_erp.collections.report.presentation import month_label, month_start
from optimar_erp.engine.forecast import week_start
from optimar_erp.tests.factories import (
	OptimarTestCase,
	default_company,
	make_customer,
	make_invoice,
	make_payment,
)

REPORTS = (
	"AR AP Netting",
	"Cash-in Forecast",
	"Collections Worklist",
	"Dispute Aging",
	"DSO and CEI Trend",
	"MSME Payment Deadlines",
	"Promise Adherence",
)
NOT_SUMMABLE = {"age", "days_left", "max_days_overdue", "adherence_pct", "error_pct", "rank", "cei"}
"""Days, percentages and ranks: a total of them means nothing."""

CHAR_PX, PADDING_PX = 7, 20
"""What a header needs not to be cut: about 7 px a character at the Desk's 13 px, and the sort arrow."""


class TestReportsFinish(OptimarTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.suffix = frappe.generate_hash(length=6)
		base = default_company()
		cls.currency = frappe.get_cached_value("Company", base, "default_currency")
		cls.company = (
			frappe.get_doc(
				{
					"doctype": "Company",
					"company_name": f"Report Book {cls.suffix}",
					"abbr": f"RB{cls.suffix}",
					"country": frappe.get_cached_value("Company", base, "country"),
					"default_currency": cls.currency,
				}
			)
			.insert()
			.name
		)
		cls.monday = week_start(getdate(today()))
		cls.acme = make_customer(f"Acme Finish {cls.suffix}")
		cls.slow = make_customer(f"Slowpay Finish {cls.suffix}")
		book = {"company": cls.company}
		cls.due_soon = make_invoice(cls.acme, 926.24, due_in_days=10, posting_days_ago=20, **book)
		cls.overdue = make_invoice(cls.acme, 1500.10, due_in_days=-20, posting_days_ago=50, **book)
		cls.doubtful = make_invoice(cls.slow, 2000.55, due_in_days=-120, posting_days_ago=150, **book)
		make_payment(cls.overdue, 500.05, posting_date=add_days(cls.monday, -3))  # last week
		make_payment(cls.overdue, 100.00, posting_date=today())  # this week, so far
		cls.promise = cls.open_promise(cls.acme, 300.00, add_days(today(), 5))

	@classmethod
	def open_promise(cls, customer: str, amount: float, on) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Promise To Pay",
					"customer": customer,
					"company": cls.company,
					"promised_amount": amount,
					"promised_date": on,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def setUp(self):
		frappe.db.savepoint("report_finish")  # what a test adds to the book is gone before the next

	def tearDown(self):
		frappe.db.rollback(save_point="report_finish")

	def _run(self, name, **filters):
		return run(name, filters={"company": self.company, **filters}, ignore_prepared_report=True)

	def test_no_meaningless_totals_and_headers_fit(self):
		frappe.db.set_value("Company", self.company, "optimar_msme_category", "Micro")
		for name in REPORTS:
			result = self._run(name)
			self.assertFalse(result.get("add_total_row"), f"{name}: Frappe would add up every number")
			rows = result["result"]
			self.assertFalse([r for r in rows if not isinstance(r, dict)], f"{name}: a summed row")
			for total in (r for r in rows if r.get("bold")):  # adherence: paid ÷ promised, not a sum
				filled = {k for k, v in total.items() if v not in (None, "")}
				self.assertFalse(filled & (NOT_SUMMABLE - {"adherence_pct"}), name)
			for col in result["columns"]:
				if col.get("hidden"):
					continue
				need = CHAR_PX * len(str(col["label"])) + PADDING_PX
				self.assertGreaterEqual(col.get("width", 0), need, f"{name}: {col['label']} is cut")

	def test_one_customer_column_showing_the_name(self):
		frappe.db.set_value("Company", self.company, "optimar_msme_category", "Micro")
		for name in ("MSME Payment Deadlines", "Collections Worklist", "Dispute Aging"):
			fields = [c["fieldname"] for c in self._run(name)["columns"]]
			self.assertIn("customer", fields, name)
			self.assertNotIn("customer_name", fields, f"{name}: the ID is already the name")
		before = frappe.db.get_single_value("Selling Settings", "cust_master_name")
		frappe.db.set_single_value("Selling Settings", "cust_master_name", "Naming Series")
		frappe.db.value_cache.pop("Selling Settings", None)
		try:
			rows = self._run("MSME Payment Deadlines")
			self.assertIn("customer_name", [c["fieldname"] for c in rows["columns"]])
			row = next(r for r in rows["result"] if r["invoice"] == self.due_soon)
			self.assertEqual(row["customer_name"], f"Acme Finish {self.suffix}")
		finally:
			frappe.db.set_single_value("Selling Settings", "cust_master_name", before)
			frappe.db.value_cache.pop("Selling Settings", None)

	def test_forecast_shows_collected_and_what_is_not_expected_to_the_cent(self):
		result = self._run("Cash-in Forecast")
		rows = result["result"]
		by = {}
		for r in rows:
			by.setdefault(r["period"], []).append(r)
		self.assertEqual(len(by["past"]), 8)
		self.assertEqual(len(by["current"]) + len(by["future"]), 13)
		last_week = next(r for r in by["past"] if r["week_start"] == add_days(self.monday, -7))
		self.assertEqual(last_week["actual"], 500.05)
		self.assertEqual(by["current"][0]["actual"], 100.00)
		self.assertIn("(to date)", by["current"][0]["week"])
		# 2,000.55 is 120 days overdue and promised by no one: not in any week
		doubtful = by["doubtful"][0]
		self.assertEqual(doubtful["expected"], 2000.55)
		self.assertIsNone(doubtful["cumulative"])
		weekly = by["current"] + by["future"] + by["later"]
		self.assertEqual(round(sum(r["expected"] for r in weekly), 2), 1826.29)  # 926.24 + 1,500.10 − 600.05
		self.assertEqual(round(sum(r["from_promises"] for r in weekly), 2), 300.00)
		self.assertEqual(by["later"][0]["cumulative"], 1826.29)
		self.assertEqual(
			{c.get("options") for c in result["columns"] if c["fieldtype"] == "Currency"}, {"currency"}
		)
		chart = result["chart"]
		series = {d["name"]: d["values"] for d in chart["data"]["datasets"]}
		self.assertEqual(set(series), {"Collected", "Forecast"})
		self.assertIn(500.05, series["Collected"])
		self.assertIn(100.00, series["Collected"])
		self.assertEqual(len(chart["data"]["labels"]), 8 + 13)
		self.assertTrue(all(len(label) <= 10 for label in chart["data"]["labels"]), chart["data"]["labels"])
		summary = {s["label"]: s["value"] for s in result["report_summary"]}
		self.assertEqual(summary["Not Expected (90+ Days Overdue)"], 2000.55)

	def test_promise_adherence_lists_an_open_promise_and_marks_the_partial_month(self):
		end = getdate(add_months(today(), -1)).replace(day=15)  # a report date inside its month
		waiting = self.open_promise(self.slow, 926.24, add_days(today(), 1))
		frappe.db.set_value("Promise To Pay", waiting, "promised_date", add_days(end, -2))  # fell due, open
		result = self._run("Promise Adherence", from_date=add_months(end, -3), to_date=end)
		rows = [r for r in result["result"] if not r.get("bold")]
		ahead = next(r for r in rows if r["not_yet_due"])
		self.assertEqual(ahead["not_yet_due_amount"], 300.00)
		self.assertEqual(ahead["promises"], 0)
		month_of_end = next(r for r in rows if r["pending"])
		self.assertEqual(month_of_end["month"], month_label(end.replace(day=1), partial=True))
		self.assertTrue(month_of_end["month"].endswith("(to date)"))
		self.assertEqual(month_of_end["promised"], 926.24)
		self.assertNotIn("(to date)", ahead["month"])
		total = next(r for r in result["result"] if r.get("bold"))
		self.assertEqual((total["promises"], total["pending"], total["not_yet_due"]), (1, 1, 1))
		self.assertEqual((total["promised"], total["paid"], total["adherence_pct"]), (926.24, 0, 0.0))
		series = {d["name"]: d["values"] for d in result["chart"]["data"]["datasets"]}
		self.assertEqual(sum(series["Not Yet Due"]), 1)
		self.assertEqual(sum(series["Awaiting Verdict"]), 1)

	def test_dso_trend_marks_only_the_month_cut_short(self):
		end = getdate(add_months(today(), -1)).replace(day=15)
		rows = self._run("DSO and CEI Trend", to_date=end, months=3)["result"]
		self.assertEqual([r["period"] for r in rows][-1], str(end)[:7])
		self.assertEqual(rows[-1]["month"], month_label(end.replace(day=1), partial=True))
		self.assertEqual([r for r in rows[:-1] if "(to date)" in r["month"]], [])
		whole = self._run("DSO and CEI Trend", to_date=get_last_day(end), months=3)["result"]
		self.assertEqual([r for r in whole if "(to date)" in r["month"]], [])
		self.assertEqual(month_start(rows[-1]["period"]), end.replace(day=1))
		by_month = {
			r["period"]: r for r in self._run("DSO and CEI Trend", to_date=today(), months=6)["result"]
		}
		posted = str(getdate(add_days(today(), -150)))[:7]
		self.assertEqual(by_month[posted]["credit_sales"], 2000.55)
		self.assertEqual(
			{c.get("options") for c in dso_columns() if c["fieldtype"] == "Currency"}, {"currency"}
		)

	def test_list_reports_give_exact_amounts_and_meaningful_summaries(self):
		frappe.db.set_value("Company", self.company, "optimar_msme_category", "Micro")
		msme = self._run("MSME Payment Deadlines")
		amounts = {r["invoice"]: r["outstanding"] for r in msme["result"]}
		self.assertEqual(amounts[self.due_soon], 926.24)
		self.assertEqual(amounts[self.overdue], 900.05)
		summary = {s["label"]: s["value"] for s in msme["report_summary"]}
		self.assertEqual(summary["Outstanding"], 3826.84)
		dispute = frappe.get_doc(
			{
				"doctype": "Dispute",
				"sales_invoice": self.due_soon,
				"customer": self.acme,
				"company": self.company,
				"disputed_amount": 123.45,
				"reason_code": "Pricing",
				"description": "Price differs from the quote",
			}
		).insert(ignore_permissions=True)
		disputes = self._run("Dispute Aging")
		row = next(r for r in disputes["result"] if r["dispute"] == dispute.name)
		self.assertEqual((row["amount"], row["currency"]), (123.45, self.currency))
		self.assertEqual({s["label"]: s["value"] for s in disputes["report_summary"]}["Disputed"], 123.45)
		worklist = {r["customer"]: r for r in self._run("Collections Worklist")["result"]}
		self.assertEqual(worklist[self.slow]["overdue_amount"], 2000.55)
