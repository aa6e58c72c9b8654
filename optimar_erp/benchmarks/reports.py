"""Timing of every OptimAR report, the worklist and the workspace cards against ERPNext's own Accounts
Receivable report, side by side on the same large book.

	bench --site bench.test execute optimar_erp.benchmarks.reports.run

Runs on a site marked ``optimar_benchmark_site`` whose book was built by the dunning and risk benchmarks
(:mod:`optimar_erp.benchmarks.dunning_run`, :mod:`optimar_erp.benchmarks.risk`): BENCH customers,
open and settled Sales Invoices, and their Payment Ledger Entries (about a million rows). Prints the size
of the book, how long reading the company's whole ledger afresh takes (what the first open on a site, or
after ledger rows were deleted, costs; see :mod:`optimar_erp.queries.ledger_store`), then each report's
and card's time right after a new posting, before any background refresh ran ("cold": nothing cached
for the new ledger, the stored book behind it; ``rounds`` postings, the median and the worst shown),
then the best of ``repeat`` further opens ("warm"; each a new request: no request-local cache), the targets (each report and the worklist ≤ 2 s, on
the median) and how many times faster "AR Aging with Risk" is than ERPNext's Accounts Receivable report
on the same company and date (target ≥ 5×).

For the time of the run, a collections team's last 90 days are added (:mod:`.collections_activity`:
collectors on the customers, calls, promises, disputes) and taken out again at the end. Each posting is
``posting_rows`` (default 10) payment rows of 1.00 against as many open BENCH invoices,
written straight into the Payment Ledger and committed; they are deleted again at the end, and the stored
book read afresh, so the site is left as it was.
"""

import gc
import os
import time

import frappe
from frappe.desk.query_report import run as run_report
from frappe.utils import today

from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as accounts_receivable

from optimar_erp import cards
from optimar_erp.benchmarks import collections_activity
from optimar_erp.queries import ledger_store, open_invoices
from optimar_erp.queries.figures import clear_cache

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
POSTING_ROWS = 10
POSTING_PREFIX = "BENCH-PLE-R-"


def _timed(func, *args, **kwargs):
	started = time.perf_counter()
	result = func(*args, **kwargs)
	return time.perf_counter() - started, result


def _clear_caches() -> None:
	"""Forget the figures cached for the ledger, as a posting makes them stale, and start a new request."""
	clear_cache()
	_new_request()


def _new_request() -> None:
	"""What a new web request starts with: no request-local copy of the site cache, no garbage left."""
	frappe.local.cache = {}
	gc.collect()


def _timed_request(func) -> float:
	_new_request()
	return _timed(func)[0]


def _post_payments(company: str, rows: int, posting: int = 0) -> int:
	"""``rows`` payment rows of 1.00 against as many open BENCH invoices, committed (a new posting; each
	``posting`` number gets its own names)."""
	si = frappe.qb.DocType("Sales Invoice")
	open_invoices = (
		frappe.qb.from_(si)
		.select(si.name, si.customer, si.debit_to)
		.where((si.company == company) & (si.docstatus == 1) & (si.outstanding_amount > 1))
		.where(si.name.like("BENCH-%"))
		.limit(rows)
		.run()
	)
	now, currency = (
		frappe.utils.now_datetime(),
		frappe.get_cached_value("Company", company, "default_currency"),
	)
	for n, (invoice, customer, receivable) in enumerate(open_invoices, 1):
		frappe.get_doc(
			{
				"doctype": "Payment Ledger Entry",
				"name": f"{POSTING_PREFIX}{posting}-{n:05d}",
				"creation": now,
				"modified": now,
				"docstatus": 1,
				"posting_date": today(),
				"company": company,
				"account_type": "Receivable",
				"account": receivable,
				"party_type": "Customer",
				"party": customer,
				"voucher_type": "Payment Entry",
				"voucher_no": f"BENCH-PE-R-{posting}-{n:05d}",
				"against_voucher_type": "Sales Invoice",
				"against_voucher_no": invoice,
				"amount": -1.0,
				"account_currency": currency,
				"amount_in_account_currency": -1.0,
				"delinked": 0,
			}
		).db_insert()
	if open_invoices:  # as ERPNext does for a payment: the invoice's outstanding amount and modified
		frappe.qb.update(si).set(si.outstanding_amount, si.outstanding_amount - 1).set(
			si.modified, now
		).where(si.name.isin([row[0] for row in open_invoices])).run()
	frappe.db.commit()
	return len(open_invoices)


def _remove_payments(company: str, refresh: bool = True) -> None:
	"""Delete the benchmark's postings again (the invoices' outstanding amounts put back) and bring the
	stored book up to date (rows were deleted: it is read afresh)."""
	frappe.db.sql(  # every invoice's outstanding amount back by its posted rows, in one statement
		"""UPDATE `tabSales Invoice` si JOIN (
			SELECT against_voucher_no AS invoice, COUNT(*) AS n FROM `tabPayment Ledger Entry`
			WHERE name LIKE %(prefix)s GROUP BY against_voucher_no
		) posted ON posted.invoice = si.name
		SET si.outstanding_amount = si.outstanding_amount + posted.n, si.modified = %(now)s""",
		{"prefix": f"{POSTING_PREFIX}%", "now": frappe.utils.now_datetime()},
	)
	ple = frappe.qb.DocType("Payment Ledger Entry")
	frappe.qb.from_(ple).delete().where(ple.name.like(f"{POSTING_PREFIX}%")).run()
	frappe.db.commit()
	if refresh:
		ledger_store.refresh(company)


def run(
	company: str | None = None,
	repeat: int = 2,
	skip_erpnext: int = 0,
	posting_rows: int = POSTING_ROWS,
	rounds: int = 3,
) -> dict:
	if not frappe.conf.get("optimar_benchmark_site"):
		frappe.throw("Run benchmarks only on a site with optimar_benchmark_site set in its site_config.json")
	company = company or frappe.db.get_single_value("Global Defaults", "default_company")
	frappe.set_user("Administrator")
	size = _book_size(company)
	figures = {"book": size, "reports": {}, "cards": {}, "cores": os.cpu_count(), "load": os.getloadavg()}
	print(f"load average {_load(figures['load'])} on {figures['cores']} cores")
	_remove_payments(company, refresh=False)  # left by an earlier run that stopped halfway
	ledger_store.forget(company)
	figures["book_read_afresh"], _state = _timed(ledger_store.refresh, company)
	print(f"  the whole ledger read afresh and stored: {figures['book_read_afresh']:.2f} s")
	open_invoices.forget(company)
	figures["open_invoices_read_afresh"], _table = _timed(open_invoices.table, company)
	print(f"  today's open invoices read afresh and cached: {figures['open_invoices_read_afresh']:.2f} s")
	figures["activity"] = collections_activity.add(company)
	print(
		"  the collections team's last 90 days: {calls:,} calls, {promises:,} promises, {disputes:,} disputes "
		"by {collectors} collectors".format(**figures["activity"])
	)
	try:
		_time_reports(figures, company, repeat, max(int(rounds), 1), int(posting_rows))
	finally:
		_remove_payments(company)
		collections_activity.remove()
	_erpnext(figures, company, skip_erpnext)
	return figures


def _time_reports(figures: dict, company: str, repeat: int, rounds: int, posting_rows: int) -> None:
	filters = {"company": company}
	targets = {
		("reports", name): lambda name=name: run_report(
			name, filters=dict(filters), ignore_prepared_report=True
		)
		for name in REPORTS
	}
	targets.update({("cards", card): lambda card=card: getattr(cards, card)(filters) for card in CARDS})
	targets[("workspace", "all")] = lambda: [getattr(cards, c)(filters) for c in CARDS]
	colds, results = {key: [] for key in targets}, {}
	for posting in range(rounds):
		figures["posting_rows"] = _post_payments(company, posting_rows, posting)
		print(
			f"  posting {posting + 1}/{rounds}: {figures['posting_rows']} payment rows; timing every report"
		)
		for key, func in targets.items():
			_clear_caches()
			seconds, result = _timed(func)
			colds[key].append(seconds)
			results[key] = len(result["result"]) if key[0] == "reports" else None
			del result  # a request's result does not outlive it
	for key, func in targets.items():
		warm = min(_timed_request(func) for _ in range(max(int(repeat), 1)))
		cold = sorted(colds[key])
		entry = {"cold": cold[len(cold) // 2], "cold_worst": cold[-1], "warm": warm}
		if key[0] == "reports":
			entry["rows"] = results[key]
		if key[0] == "workspace":
			figures["workspace"] = entry
		else:
			figures[key[0]][key[1]] = entry
		print(f"  {key[1]:32s} cold {entry['cold']:6.2f} s (worst {cold[-1]:5.2f})   warm {warm:6.2f} s")


def _erpnext(figures: dict, company: str, skip_erpnext) -> None:
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
		f"{b['payment_ledger_entries']:,} payment ledger + {b['gl_entries']:,} GL rows; "
		"{calls:,} calls, {promises:,} promises and {disputes:,} disputes by {collectors} collectors".format(
			**f["activity"]
		)
	)
	print(
		f"Machine: {f['cores']} cores, load average before {_load(f['load'])}, after {_load(f['load_after'])}"
	)
	print(
		f"Read afresh (the first open on a site; then in the background: the ledger once a day and after "
		f"deletions): the whole ledger {f['book_read_afresh']:.2f} s, today's open invoices "
		f"{f['open_invoices_read_afresh']:.2f} s"
	)
	print(
		f"cold: the first open after a new posting of {f['posting_rows']} ledger rows (median of the postings, "
		"and the worst); warm: the next opens"
	)
	print(
		f"{'':34s} {'cold (s)':>9s} {'':4s} {'worst':>6s} {'warm (s)':>9s} {'':4s} {'target':>6s} "
		f"{'vs ERPNext cold':>15s} {'warm':>8s}"
	)

	def line(label, r):
		cold, warm = r["cold"], r["warm"]
		print(
			f"{label:34s} {cold:9.2f} {_verdict(cold):4s} {r['cold_worst']:6.2f} {warm:9.2f} {_verdict(warm):4s} "
			f"{TARGET_S:6.1f} {_speedup(erp, cold):>15s} {_speedup(erp, warm):>8s}"
		)

	for name, r in f["reports"].items():
		line(name, r)
	for card, r in f["cards"].items():
		line(f"card: {card}", r)
	line("workspace: all 7 cards", f["workspace"])
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
