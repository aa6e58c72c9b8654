"""Timing of every OptimAR report, the worklist and the workspace cards against ERPNext's own Accounts
Receivable report, side by side on the same large book.

	bench --site bench.test execute optimar_erp.benchmarks.reports.run

Runs on a site marked ``optimar_benchmark_site`` whose book was built by the dunning and risk benchmarks
(:mod:`optimar_erp.benchmarks.dunning_run`, :mod:`optimar_erp.benchmarks.risk_scoring`): BENCH customers,
open and settled Sales Invoices, and their Payment Ledger Entries. Prints the size of the book, then each
report's time (first run, then the best of ``repeat`` further runs), the targets (each report and the
worklist ≤ 2 s) and how many times faster "AR Aging with Risk" is than ERPNext's Accounts Receivable
report on the same company and date (target ≥ 5×). Reads only; writes nothing.
"""

import os
import time

import frappe
from frappe.desk.query_report import run as run_report
from frappe.utils import today

from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as accounts_receivable

REPORTS = (
	"Collections Worklist",
	"AR Aging with Risk",
	"DSO and CEI Trend",
	"Cash-in Forecast",
	"Promise Adherence",
	"Dispute Aging",
	"Collector Productivity",
	"MSME Payment Deadlines",
)
CARDS = (
	"total_overdue",
	"dso",
	"cei",
	"predicted_late",
	"promised_this_week",
	"disputed",
	"broken_this_month",
)
TARGET_S = 2.0
TARGET_SPEEDUP = 5.0


def _timed(func, *args, **kwargs):
	started = time.perf_counter()
	result = func(*args, **kwargs)
	return time.perf_counter() - started, result


def run(company: str | None = None, repeat: int = 2) -> dict:
	if not frappe.conf.get("optimar_benchmark_site"):
		frappe.throw("Run benchmarks only on a site with optimar_benchmark_site set in its site_config.json")
	company = company or frappe.db.get_single_value("Global Defaults", "default_company")
	frappe.set_user("Administrator")
	size = _book_size(company)
	figures = {"book": size, "reports": {}, "cores": os.cpu_count(), "load": os.getloadavg()[0]}
	filters = {"company": company}
	for name in REPORTS:
		cold, result = _timed(run_report, name, filters=dict(filters), ignore_prepared_report=True)
		warm = min(
			_timed(run_report, name, filters=dict(filters), ignore_prepared_report=True)[0]
			for _ in range(repeat)
		)
		figures["reports"][name] = {"first": cold, "best": warm, "rows": len(result["result"])}
		print(f"  {name:28s} first {cold:6.2f} s   best {warm:6.2f} s   rows {len(result['result']):>8,}")

	from optimar_erp.reporting import cards

	frappe.cache.delete_keys("optimar:summary:")
	cards_s, _ = _timed(lambda: [getattr(cards, c)(filters) for c in CARDS])
	figures["cards"] = cards_s

	ar_filters = frappe._dict(
		{
			"company": company,
			"report_date": today(),
			"party_type": "Customer",
			"ageing_based_on": "Due Date",
			"calculate_ageing_with": "Report Date",
			"range": "30, 60, 90, 120",
		}
	)
	erpnext_s, ar = _timed(accounts_receivable, ar_filters)
	figures["erpnext_accounts_receivable"] = erpnext_s
	ours = figures["reports"]["AR Aging with Risk"]["best"]
	figures["speedup"] = erpnext_s / ours if ours else None
	_print(figures, len(ar[1]))
	return figures


def _book_size(company: str) -> dict:
	def count(doctype, **filters):
		return frappe.db.count(doctype, {"company": company, **filters})

	return {
		"open_invoices": count("Sales Invoice", docstatus=1, outstanding_amount=(">", 0)),
		"invoices": count("Sales Invoice", docstatus=1),
		"customers": frappe.db.count("Customer"),
		"payment_ledger_entries": count("Payment Ledger Entry"),
		"gl_entries": count("GL Entry"),
	}


def _print(f: dict, erpnext_rows: int) -> None:
	b = f["book"]
	print()
	print(
		f"Book: {b['open_invoices']:,} open of {b['invoices']:,} invoices, {b['customers']:,} customers, "
		f"{b['payment_ledger_entries']:,} payment ledger + {b['gl_entries']:,} GL rows "
		f"({f['cores']} cores, load {f['load']:.1f})"
	)
	print(f"{'report':30s} {'best (s)':>9s} {'target':>8s}")
	for name, r in f["reports"].items():
		ok = "ok" if r["best"] <= TARGET_S else "SLOW"
		print(f"{name:30s} {r['best']:9.2f} {TARGET_S:8.1f}  {ok}")
	print(f"{'workspace cards (7, cold)':30s} {f['cards']:9.2f}")
	print(
		f"{'ERPNext Accounts Receivable':30s} {f['erpnext_accounts_receivable']:9.2f}   ({erpnext_rows:,} rows)"
	)
	speed = f["speedup"] or 0
	verdict = "ok" if speed >= TARGET_SPEEDUP else "below target"
	print(
		f"AR Aging with Risk is {speed:.1f}x faster than ERPNext's report (target {TARGET_SPEEDUP:.0f}x): {verdict}"
	)
