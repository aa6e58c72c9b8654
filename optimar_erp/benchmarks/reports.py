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


def _cold_warm(func, repeat: int) -> tuple[float, float, object]:
	from optimar_erp.reporting.sources import clear_cache

	clear_cache()
	frappe.local.cache = {}  # the request-local copy of the site cache
	cold, result = _timed(func)
	warm = min(_timed(func)[0] for _ in range(max(int(repeat), 1)))
	return cold, warm, result


def run(company: str | None = None, repeat: int = 2, skip_erpnext: int = 0) -> dict:
	if not frappe.conf.get("optimar_benchmark_site"):
		frappe.throw("Run benchmarks only on a site with optimar_benchmark_site set in its site_config.json")
	company = company or frappe.db.get_single_value("Global Defaults", "default_company")
	frappe.set_user("Administrator")
	from optimar_erp.reporting import cards

	size = _book_size(company)
	figures = {"book": size, "reports": {}, "cards": {}, "cores": os.cpu_count(), "load": os.getloadavg()}
	filters = {"company": company}
	print(f"load average {_load(figures['load'])} on {figures['cores']} cores; timing {len(REPORTS)} reports")
	for name in REPORTS:
		cold, warm, result = _cold_warm(
			lambda name=name: run_report(name, filters=dict(filters), ignore_prepared_report=True), repeat
		)
		figures["reports"][name] = {"cold": cold, "warm": warm, "rows": len(result["result"])}
		print(f"  {name:28s} cold {cold:6.2f} s   warm {warm:6.2f} s   rows {len(result['result']):>8,}")
	for card in CARDS:
		cold, warm, _result = _cold_warm(lambda card=card: getattr(cards, card)(filters), repeat)
		figures["cards"][card] = {"cold": cold, "warm": warm}
		print(f"  card {card:23s} cold {cold:6.2f} s   warm {warm:6.2f} s")
	all_cold, all_warm, _result = _cold_warm(lambda: [getattr(cards, c)(filters) for c in CARDS], repeat)
	figures["workspace"] = {"cold": all_cold, "warm": all_warm}

	figures["erpnext_accounts_receivable"] = None
	erpnext_rows = 0
	if not int(skip_erpnext):
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
		erpnext_rows = len(ar[1])
	figures["load_after"] = os.getloadavg()
	ours = figures["reports"]["AR Aging with Risk"]
	erp = figures["erpnext_accounts_receivable"]
	figures["speedup"] = erp / ours["cold"] if erp and ours["cold"] else None
	figures["speedup_warm"] = erp / ours["warm"] if erp and ours["warm"] else None
	_print(figures, erpnext_rows)
	return figures


def _load(load) -> str:
	return " / ".join(f"{x:.2f}" for x in load) + " (1, 5, 15 min)"


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


def _verdict(seconds: float) -> str:
	return "PASS" if seconds <= TARGET_S else "FAIL"


def _speedup(erp: float | None, seconds: float) -> str:
	return f"{erp / seconds:7.1f}x" if erp and seconds else "      -"


def _print(f: dict, erpnext_rows: int) -> None:
	b = f["book"]
	erp = f["erpnext_accounts_receivable"]
	print()
	print(
		f"Book: {b['open_invoices']:,} open of {b['invoices']:,} invoices, {b['customers']:,} customers, "
		f"{b['payment_ledger_entries']:,} payment ledger + {b['gl_entries']:,} GL rows"
	)
	print(
		f"Machine: {f['cores']} cores, load average before {_load(f['load'])}, after {_load(f['load_after'])}"
	)
	print(
		f"{'':34s} {'cold (s)':>9s} {'':4s} {'warm (s)':>9s} {'':4s} {'target':>6s} "
		f"{'vs ERPNext cold':>15s} {'warm':>8s}"
	)

	def line(label, cold, warm):
		print(
			f"{label:34s} {cold:9.2f} {_verdict(cold):4s} {warm:9.2f} {_verdict(warm):4s} {TARGET_S:6.1f} "
			f"{_speedup(erp, cold):>15s} {_speedup(erp, warm):>8s}"
		)

	for name, r in f["reports"].items():
		line(name, r["cold"], r["warm"])
	for card, r in f["cards"].items():
		line(f"card: {card}", r["cold"], r["warm"])
	line("workspace: all 7 cards", f["workspace"]["cold"], f["workspace"]["warm"])
	if erp is None:
		print("ERPNext Accounts Receivable: skipped")
		return
	print(f"{'ERPNext Accounts Receivable':34s} {erp:9.2f}   ({erpnext_rows:,} rows)")
	for label, speed in (("cold", f["speedup"]), ("warm", f["speedup_warm"])):
		speed = speed or 0
		verdict = "PASS" if speed >= TARGET_SPEEDUP else "FAIL"
		print(
			f"AR Aging with Risk ({label}) is {speed:.1f}x faster than ERPNext's report "
			f"(target {TARGET_SPEEDUP:.0f}x): {verdict}"
		)
