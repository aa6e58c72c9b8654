"""Reports, workspace cards and the worklist on a real site: they run, reconcile with ERPNext's Accounts
Receivable report, agree with the standalone ``optimar analyse``, and the worklist's actions work."""

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
from unittest.mock import patch

import pandas as pd

import frappe
from frappe.desk.query_report import run
from frappe.query_builder import Case
from frappe.query_builder.functions import Max, Sum
from frappe.utils import add_days, flt, getdate, today

from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as accounts_receivable

from optimar_erp import cards, cli
from optimar_erp.demo import setup as demo_setup
from optimar_erp.queries import frames
from optimar_erp.queries.figures import CACHE_PREFIX, clear_cache, warm_cache
from optimar_erp.queries.frames import fetch_frame
from optimar_erp.queries.ledger import (
	credits_on_account,
	get_events,
	get_invoices,
	get_ledger,
	ledger_version,
)
from optimar_erp.tests.factories import CollectionsTestCase, default_company, make_customer, make_invoice
from optimar_erp.tests.test_demo import BOOK
from optimar_erp.worklist import snooze, worklist

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

	def _erpnext_outstanding(self, report_date=None, customer=None) -> dict:
		_columns, ar_rows, *_rest = accounts_receivable(
			{
				"company": self.company,
				"report_date": report_date or today(),
				"party_type": "Customer",
				"party": [customer] if customer else [],
				"ageing_based_on": "Due Date",
				"calculate_ageing_with": "Report Date",
				"range": "30, 60, 90, 120",
			}
		)
		return {
			r["voucher_no"]: flt(r["outstanding"], 2)
			for r in ar_rows
			if r.get("voucher_type") == "Sales Invoice" and abs(r["outstanding"]) >= 0.005
		}

	def test_ar_aging_reconciles_with_erpnext_accounts_receivable(self):
		rows, result = self._run("AR Aging with Risk")
		erpnext = self._erpnext_outstanding()
		ours = {r["invoice"]: flt(r["outstanding"], 2) for r in rows if r.get("invoice")}
		self.assertEqual(ours, erpnext)
		total = next(s for s in result["report_summary"] if s["label"] == "Outstanding")["value"]
		self.assertAlmostEqual(total, sum(erpnext.values()), places=2)

	def test_ar_aging_lists_credit_notes_that_keep_their_own_outstanding(self):
		"""An unapplied credit note is part of what the customer owes, as in ERPNext's report: listed with
		its negative balance today and on a past day (the ledger replayed), and the totals still agree."""
		from erpnext.controllers.sales_and_purchase_return import make_return_doc

		customer = make_customer(f"Credit {self.suffix}")
		invoice = make_invoice(customer, 1000, due_in_days=-10, posting_days_ago=40)
		note = make_return_doc("Sales Invoice", invoice)
		note.update_outstanding_for_self = 1
		note.set_posting_time = 1
		note.posting_date = add_days(today(), -3)
		note.items[0].qty = -1
		note.items[0].rate = 300
		note.insert(ignore_permissions=True)
		note.submit()
		for day in (today(), add_days(today(), -1)):
			rows, _result = self._run("AR Aging with Risk", report_date=day, customer=customer)
			ours = {r["invoice"]: flt(r["outstanding"], 2) for r in rows if r.get("invoice")}
			self.assertEqual(ours, {invoice: 1000.0, note.name: -300.0}, day)
			self.assertEqual(ours, self._erpnext_outstanding(day, customer), day)
		rows, _result = self._run("AR Aging with Risk", report_date=add_days(today(), -5), customer=customer)
		self.assertEqual({r["invoice"] for r in rows if r.get("invoice")}, {invoice})  # before the note

	def test_desk_figures_equal_the_standalone_analyse(self):
		invoices = get_invoices(self.company, today())
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
		clear_cache()
		desk = cards.ledger_summary(self.company)
		for key in ("total_ar", "overdue", "not_due", "dso_standard", "bpdso", "dso_countback", "buckets"):
			self.assertEqual(desk[key], standalone[key], key)
		self.assertEqual(desk["open_invoices"], standalone["open_invoices"])
		# the card nets money on account (checked against ERPNext customer by customer in test_balances)
		# against each customer's overdue, which the ledger's figures leave as they are
		si = frappe.qb.DocType("Sales Invoice")
		overdue = dict(
			frappe.qb.from_(si)
			.select(si.customer, Sum(si.outstanding_amount))
			.where((si.company == self.company) & (si.docstatus == 1) & (si.is_return == 0))
			.where((si.outstanding_amount > 0.005) & (si.due_date < today()))
			.groupby(si.customer)
			.run()
		)
		held = credits_on_account(self.company, list(overdue)).groupby("customer")["base_credit"].sum()
		absorbed = sum(min(flt(held.get(c, 0)), flt(owed)) for c, owed in overdue.items())
		card = cards.total_overdue(json.dumps({"company": self.company}))
		self.assertAlmostEqual(card["value"], standalone["overdue"] - absorbed, places=2)

	def test_forecast_spreads_every_open_amount(self):
		rows, _result = self._run("Cash-in Forecast")
		forecast = [r for r in rows if r["period"] in ("current", "future", "later", "doubtful")]
		self.assertEqual(len(forecast), 15)  # 13 weeks, "later" and what is not expected
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

	def test_packed_reads_equal_the_drivers_rows(self):
		"""fetch_frame (rows packed by the database, parsed by pandas) returns what the driver returns."""
		si = frappe.qb.DocType("Sales Invoice")
		query = frappe.qb.from_(si).where(si.company == self.company).orderby(si.name)
		fields = {
			"invoice": si.name,
			"customer_name": si.customer_name,
			"posting_date": si.posting_date,
			"outstanding": si.outstanding_amount,
			"predicted_pay_date": si.predicted_pay_date,
			"risk_band": si.risk_band,
			"docstatus": si.docstatus,
			"creation": si.creation,
		}
		frame = fetch_frame(
			query,
			fields,
			numbers=("outstanding",),
			dates=("posting_date", "predicted_pay_date"),
			ints=("docstatus",),
			datetimes=("creation",),
		)
		frame = frame.sort_values("invoice", ignore_index=True)
		rows = sorted(query.select(*fields.values()).run(), key=lambda r: r[0])
		self.assertTrue(rows)
		self.assertEqual(len(frame), len(rows))
		for got, row in zip(frame.itertuples(index=False), rows, strict=True):
			self.assertEqual(got[:3], tuple(row[:3]))
			self.assertEqual(got.outstanding, float(row[3]))
			self.assertEqual(got.predicted_pay_date, row[4])
			self.assertEqual(got.risk_band, row[5])
			self.assertEqual(got.docstatus, row[6])
			self.assertEqual(got.creation, pd.Timestamp(row[7]))
		self.assertIsInstance(frame["posting_date"].iloc[0], dt.date)
		kinds = {
			"numbers": ("outstanding",),
			"dates": ("posting_date", "predicted_pay_date"),
			"ints": ("docstatus",),
			"datetimes": ("creation",),
		}
		with patch.object(frames, "PACK_LIMIT", 64):  # too large to pack: read row by row, same frame
			unpacked = fetch_frame(query, fields, **kinds)
		self.assertTrue(unpacked.sort_values("invoice", ignore_index=True).equals(frame))
		# a separator character inside some text: detected by the counts, read row by row
		odd = frappe.db.get_value("Sales Invoice", {"company": self.company}, ["name", "customer_name"])
		frappe.db.set_value(
			"Sales Invoice", odd[0], "customer_name", "Odd\x1eName\x1f Ltd", update_modified=False
		)
		try:
			names = fetch_frame(query, {"invoice": si.name, "customer_name": si.customer_name})
		finally:
			frappe.db.set_value("Sales Invoice", odd[0], "customer_name", odd[1], update_modified=False)
		self.assertEqual(len(names), len(rows))
		self.assertEqual(names.set_index("invoice").loc[odd[0], "customer_name"], "Odd\x1eName\x1f Ltd")
		empty = fetch_frame(query.where(si.name == "no such invoice"), fields, numbers=("outstanding",))
		self.assertEqual(list(empty.columns), list(fields))
		self.assertTrue(empty.empty)

	def test_ledger_tables_equal_a_plain_grouped_query(self):
		"""get_invoices / get_events (split aggregation, packed transfer) equal the straightforward
		GROUP BY over the Payment Ledger joined to Sales Invoice, value for value."""
		as_of = getdate(today())
		ple = frappe.qb.DocType("Payment Ledger Entry")
		si = frappe.qb.DocType("Sales Invoice")
		base = (
			frappe.qb.from_(ple)
			.join(si)
			.on(si.name == ple.against_voucher_no)
			.where((si.is_return == 0) & (ple.company == self.company) & (ple.party_type == "Customer"))
			.where((ple.account_type == "Receivable") & (ple.against_voucher_type == "Sales Invoice"))
			.where((ple.delinked == 0) & (ple.posting_date <= as_of))
		)
		own = Case().when(ple.voucher_no == ple.against_voucher_no, ple.amount).else_(0)
		expected = {
			r[0]: (r[1], r[2], r[3], round(float(r[4]), 2), round(float(r[5]), 2), r[6])
			for r in base.groupby(ple.against_voucher_no)
			.select(
				ple.against_voucher_no,
				si.customer,
				si.posting_date,
				si.due_date,
				Sum(own),
				Sum(ple.amount),
				Max(ple.posting_date),
			)
			.run()
		}
		invoices = get_invoices(self.company, as_of)
		self.assertEqual(len(invoices), len(expected))
		for r in invoices.itertuples(index=False):
			customer, posting, due, total, outstanding, last = expected[r.invoice]
			self.assertEqual((r.customer, r.posting_date, r.due_date), (customer, posting, due))
			self.assertEqual((r.grand_total, r.outstanding), (total, outstanding))
			if abs(outstanding) < 0.005:
				self.assertEqual(r.settled_date, last)
			else:
				self.assertTrue(pd.isna(r.settled_date))
		events = {
			(r[0], r[1], r[2]): float(r[3])
			for r in base.groupby(ple.against_voucher_no, ple.party, ple.posting_date)
			.select(ple.against_voucher_no, ple.party, ple.posting_date, Sum(ple.amount))
			.run()
		}
		got = get_events(self.company, as_of)
		self.assertEqual({(r.invoice, r.customer, r.date): r.amount for r in got.itertuples()}, events)
		one = invoices["customer"].iloc[0]  # a customer subset: grouped by the database, same rows
		subset = get_invoices(self.company, as_of, customers=[one]).sort_values("invoice")
		mine = invoices[invoices["customer"] == one].sort_values("invoice")
		self.assertTrue(subset.reset_index(drop=True).equals(mine.reset_index(drop=True)))
		both = get_ledger(self.company, as_of)  # one pass for the two tables: the same tables
		self.assertTrue(both[0].equals(invoices.sort_values("invoice", ignore_index=True)))
		self.assertTrue(both[1].equals(got))

	def test_ledger_figures_are_cached_until_the_ledger_changes(self):
		clear_cache()
		key = f"{CACHE_PREFIX}summary:{self.company}:{getdate(today())}"
		warm_cache(self.company)  # what the scheduler would do
		self.assertIsNotNone(frappe.cache.get_value(key, expires=True))
		clear_cache()
		first = cards.ledger_summary(self.company)
		dso_rows = self._run("DSO and CEI Trend")[0]
		version = ledger_version(self.company)
		self.assertEqual(cards.ledger_summary(self.company), first)  # warm: from the cache
		self.assertEqual(self._run("DSO and CEI Trend")[0], dso_rows)
		self.assertEqual(frappe.cache.get_value(key, expires=True)[0], version)
		customer = make_customer(f"Cache {self.suffix}")
		make_invoice(customer, 1234.5, due_in_days=-5, posting_days_ago=20)
		self.assertNotEqual(ledger_version(self.company), version)
		after = cards.ledger_summary(self.company)  # a new posting: computed afresh
		self.assertAlmostEqual(after["total_ar"], first["total_ar"] + 1234.5, places=2)
		self.assertAlmostEqual(after["overdue"], first["overdue"] + 1234.5, places=2)
		month = str(getdate(today()))[:7]
		before_sales = next(r["credit_sales"] for r in dso_rows if r["period"] == month)
		now = next(r for r in self._run("DSO and CEI Trend")[0] if r["period"] == month)
		if getdate(add_days(today(), -20)).month == getdate(today()).month:
			self.assertAlmostEqual(now["credit_sales"], before_sales + 1234.5, places=2)
