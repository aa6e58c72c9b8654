"""Timing of the nightly learning job (:func:`optimar_erp.response.jobs.learn`) on a large history, on a real
site.

	bench --site bench.test set-config optimar_benchmark_site 1
	bench --site bench.test execute optimar_erp.benchmarks.response.run --kwargs "{'activities': 500000}"

Bulk-inserts ``customers`` LEARN customers and ``activities`` Sent reminders spread over the last year
(Email, SMS and WhatsApp; each customer has a channel it answers), and a receipt in the Payment Ledger two
days after about a third of the reminders on a customer's channel, so the job has outcomes to learn from.
Rows are reused when present (``reset=True`` recreates them). It then runs the job once with each phase
timed, prints a table and returns the figures. Only for a site marked ``optimar_benchmark_site`` in its
config: it writes a lot of rows, receipts included.
"""

import datetime as dt
import random
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from types import SimpleNamespace

import frappe
from frappe import _
from frappe.utils import now_datetime

from optimar_erp.benchmarks.dunning_run import (
	_bulk_insert,
	_patched,
	_timer,
	benchmark_company,
	company_accounts,
	insert_bench_customers,
)
from optimar_erp.response import jobs

CUSTOMER_PREFIX = "LEARN-CUST-"
ACTIVITY_PREFIX = "LEARN-CA-"
RECEIPT_PREFIX = "LEARN-PLE-"
CHANNELS = ("Email", "SMS", "WhatsApp")
ANSWER_RATE = 0.35
"""Share of reminders on a customer's own channel followed by a receipt two days later."""
TARGET_S = 300.0
"""The issue's bar: learning from 500,000 activities within a few minutes."""

PHASES = (
	("read: sent reminders", jobs, "sent_reminders"),
	("read: payments, promises, disputes", jobs, "response_events"),
	("read: receipts for the calendars", jobs, "settlements"),
	("engine: payment-run calendars", jobs, "learn_calendars"),
	("engine: label outcomes", jobs, "touch_outcomes"),
	("engine: fit the response model", None, "fit"),
	("engine + write: customer profiles", jobs, "_write_profiles"),
	("write: signed model file", jobs.store, "save"),
)


def run(activities: int = 500_000, customers: int = 20_000, seed: int = 3, reset: bool = False) -> dict:
	"""Build (or reuse) the history, run the learning job once and return its timings."""
	if activities < 1 or customers < 1:
		frappe.throw(_("activities and customers must be at least 1."))
	company = benchmark_company(_("{0} activities and their receipts").format(activities))
	started = time.perf_counter()
	rows = ensure_history(company, activities, customers, seed, reset)
	setup_s = time.perf_counter() - started
	settings = frappe.get_single("Collections Settings")
	before = {f: settings.get(f) for f in ("learning_enabled", "learning_min_touches")}
	frappe.db.set_single_value("Collections Settings", {"learning_enabled": 1, "learning_min_touches": 20})
	frappe.db.commit()
	seconds: dict = defaultdict(float)
	try:
		with _timed_phases(seconds):
			start = time.perf_counter()
			figures = jobs.learn()
			total = time.perf_counter() - start
		frappe.db.commit()
	finally:
		frappe.db.set_single_value("Collections Settings", before)
		frappe.db.commit()
	result = {
		"site": frappe.local.site,
		"rows": rows,
		"history_setup_s": round(setup_s, 1),
		"phases_s": {phase: round(seconds[phase], 2) for phase, _t, _a in PHASES},
		"learn_s": round(total, 2),
		"figures": figures,
		"target_s": TARGET_S,
		"ok": total <= TARGET_S and "not_learned" not in figures,
	}
	print_report(result)
	return result


@contextmanager
def _timed_phases(seconds: dict):
	"""Each phase's function, as the job's module sees it, wrapped in a timer while the job runs."""
	with ExitStack() as stack:
		for phase, target, attribute in PHASES:
			if target is None:  # the model's classmethod: the job reaches it through its module's name
				fit = _timer(seconds, phase, jobs.ResponseModel.fit)
				stack.enter_context(_patched(jobs, "ResponseModel", SimpleNamespace(fit=fit)))
				continue
			stack.enter_context(
				_patched(target, attribute, _timer(seconds, phase, getattr(target, attribute)))
			)
		yield


# -------------------------------------------------------------------------------------------- history


def ensure_history(company: str, activities: int, customers: int, seed: int, reset: bool) -> dict:
	"""The LEARN customers, reminders and receipts: reused when the counts match, else bulk-inserted."""
	if reset:
		delete_history()
	have = _counts()
	if have["customers"] or have["activities"]:
		if (have["customers"], have["activities"]) != (customers, activities):
			frappe.throw(
				_(
					"The site holds {0} learning-benchmark customers and {1} activities, not {2} and {3}. "
					"Pass reset=True to recreate them."
				).format(have["customers"], have["activities"], customers, activities)
			)
		return {**have, "reused": True}
	rng = random.Random(seed)
	names = _insert_customers(customers)
	favourite = {name: rng.choice(CHANNELS) for name in names}
	receipts = _insert_reminders(company, names, favourite, activities, rng)
	_insert_receipts(company, receipts)
	frappe.db.commit()
	return {**_counts(), "reused": False}


def _counts() -> dict:
	return {
		"customers": frappe.db.count("Customer", {"name": ("like", f"{CUSTOMER_PREFIX}%")}),
		"activities": frappe.db.count("Collection Activity", {"name": ("like", f"{ACTIVITY_PREFIX}%")}),
		"receipts": frappe.db.count("Payment Ledger Entry", {"name": ("like", f"{RECEIPT_PREFIX}%")}),
	}


def delete_history() -> None:
	for doctype, prefix in (
		("Collection Activity", ACTIVITY_PREFIX),
		("Payment Ledger Entry", RECEIPT_PREFIX),
		("Customer Response Profile", CUSTOMER_PREFIX),
		("Customer", CUSTOMER_PREFIX),
	):
		table = frappe.qb.DocType(doctype)
		frappe.qb.from_(table).delete().where(table.name.like(f"{prefix}%")).run()
	frappe.db.commit()


def _insert_customers(count: int) -> list[str]:
	"""Customers reachable on every channel: an email, a mobile number and a WhatsApp opt-in."""
	return insert_bench_customers(
		count,
		CUSTOMER_PREFIX,
		"Learning Customer",
		"l",
		lambda i: {"mobile_no": f"+1555{i:07d}", "whatsapp_opt_in": 1},
		width=6,
	)


def _insert_reminders(company: str, names: list[str], favourite: dict, count: int, rng) -> list:
	"""``count`` Sent reminders over the last 360 days; returns (customer, day) of the receipts they bring."""
	now, user = now_datetime(), frappe.session.user
	records, receipts = [], []
	for n in range(1, count + 1):
		customer = names[rng.randrange(len(names))]
		channel = rng.choice(CHANNELS)
		at = now - dt.timedelta(days=rng.randint(3, 360), hours=rng.randint(0, 9))
		records.append(
			{
				"name": f"{ACTIVITY_PREFIX}{n:07d}",
				"creation": at,
				"modified": at,
				"owner": user,
				"modified_by": user,
				"docstatus": 0,
				"idx": 0,
				"activity_type": "Reminder",
				"status": "Sent",
				"customer": customer,
				"company": company,
				"channel": channel,
				"step_id": f"Benchmark:+7:{channel}",
				"tone": rng.choice(("Polite", "Firm")),
				"idempotency_key": f"learn-bench|{n}",
				"days_overdue": rng.randint(-5, 60),
				"attempts": 1,
			}
		)
		if channel == favourite[customer] and rng.random() < ANSWER_RATE:
			receipts.append((customer, (at + dt.timedelta(days=2)).date()))
		if len(records) == 50_000:
			_bulk_insert("Collection Activity", records)
			records = []
	if records:
		_bulk_insert("Collection Activity", records)
	return receipts


def _insert_receipts(company: str, receipts: list) -> None:
	"""One Payment Ledger receipt (a negative amount against the customer) per (customer, day)."""
	currency, receivable = company_accounts(company)
	now, user = now_datetime(), frappe.session.user
	records = [
		{
			"name": f"{RECEIPT_PREFIX}{n:07d}",
			"creation": now,
			"modified": now,
			"owner": user,
			"modified_by": user,
			"docstatus": 1,
			"idx": 0,
			"posting_date": day,
			"company": company,
			"account_type": "Receivable",
			"account": receivable,
			"party_type": "Customer",
			"party": customer,
			"voucher_type": "Payment Entry",
			"voucher_no": f"{RECEIPT_PREFIX}{n:07d}",
			"against_voucher_type": "Payment Entry",
			"against_voucher_no": f"{RECEIPT_PREFIX}{n:07d}",
			"account_currency": currency,
			"amount": -100.0,
			"amount_in_account_currency": -100.0,
			"delinked": 0,
		}
		for n, (customer, day) in enumerate(sorted(set(receipts)), start=1)
	]
	for start in range(0, len(records), 50_000):
		_bulk_insert("Payment Ledger Entry", records[start : start + 50_000])


def print_report(result: dict) -> None:
	rows = result["rows"]
	print(
		f"\nLearning job on {result['site']}: {rows['activities']:,} reminders, {rows['customers']:,} customers, "
		f"{rows['receipts']:,} receipts ({'reused' if rows['reused'] else 'inserted'} "
		f"in {result['history_setup_s']} s)"
	)
	for phase, seconds in result["phases_s"].items():
		print(f"  {phase:<40} {seconds:>8.2f} s")
	print(f"  {'learn() in all':<40} {result['learn_s']:>8.2f} s   (target {result['target_s']:.0f} s)")
	print(f"  figures: {result['figures']}")
	print("  OK" if result["ok"] else "  NOT MET")
