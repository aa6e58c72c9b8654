"""Timing of a full dunning run (query → decide → claim → enqueue) on a large book, on a real site.

	bench --site bench.test set-config optimar_benchmark_site 1
	bench --site bench.test execute optimar_erp.benchmarks.dunning_run.run --kwargs "{'invoices': 100000}"

Bulk-inserts ``customers`` BENCH customers, ``invoices`` submitted BENCH Sales Invoices (due from 60 days
ahead to 200 days past due, some partly paid) and about two prior reminders per ten invoices, reusing
them when they already exist (``reset=True`` recreates them). It then submits a Dunning Run for the
default company and times the phases of :func:`optimar_erp.dunning.run.execute_run` by wrapping the
functions it calls, prints a table and returns the figures. Delivery is always enqueued (never sent
inline) and the jobs this site queued are removed from Redis afterwards, so nothing is sent. Only for a
site marked ``optimar_benchmark_site`` in its config: it writes a lot of rows.
"""

import cProfile
import datetime as dt
import io
import pstats
import random
import time
from collections import defaultdict
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.utils import add_days, getdate, now_datetime, today

from optimar_erp.dunning import run as dunning_run

INVOICE_PREFIX = "BENCH-SINV-"
CUSTOMER_PREFIX = "BENCH-CUST-"
ACTIVITY_PREFIX = "BENCH-CA-"
SEQUENCE = "Standard B2B"
PRIOR_STEP = f"{SEQUENCE}:-5:Email"
ENGINE_TARGET_S = 5.0
RUN_TARGET_S = 60.0
PROFILE_FILE = "/tmp/optimar-dunning-run.prof"

PHASES = (
	("query: open invoices", dunning_run, "open_invoices"),
	("query: customers + contacts", dunning_run, "customers_of"),
	("query: sequences + steps", dunning_run, "sequences_and_steps"),
	("sequence assignment", dunning_run, "sequence_per_customer"),
	("query: prior activities", dunning_run, "activities_of"),
	("engine decide", dunning_run, "decide"),
	("claim (bulk insert + read back)", dunning_run, "claim"),
	("log skips (bulk insert)", dunning_run, "log_skips"),
)
ENQUEUE = "enqueue delivery chunks"


def run(
	invoices: int = 100_000,
	customers: int = 10_000,
	seed: int = 1,
	reset: bool = False,
	profile: bool = False,
) -> dict:
	"""Build (or reuse) the benchmark book, run one fresh Dunning Run and return its timings."""
	if invoices < 1 or customers < 1:
		frappe.throw(_("invoices and customers must be at least 1."))
	company = benchmark_company(_("{0} invoices").format(invoices))

	started = time.perf_counter()
	rows = ensure_book(company, invoices, customers, seed, reset)
	setup_s = time.perf_counter() - started
	prepare_settings()
	clear_previous_runs()
	frappe.db.commit()

	removed = 0
	try:
		name = new_dunning_run(company)
		removed += remove_site_jobs(job_prefix="optimar-dunning-")
		phases, total, summary, profile_text = timed_execute_run(name, profile)
	finally:
		removed += remove_site_jobs(job_prefix="optimar-dunning-")
	status = frappe.db.get_value(
		"Dunning Run", name, ["status", "actions_decided", "already_done"], as_dict=True
	)
	queued = frappe.db.count("Collection Activity", {"dunning_run": name, "status": "Queued"})
	result = {
		"site": frappe.local.site,
		"dunning_run": name,
		"run_status": status.status,
		"rows": {**rows, "activities_claimed": queued, "already_done": status.already_done},
		"book_setup_s": round(setup_s, 3),
		"phases_s": {phase: round(seconds, 3) for phase, seconds in phases.items()},
		"execute_run_s": round(total, 3),
		"summary": summary,
		"targets": {
			"engine_decide_s": ENGINE_TARGET_S,
			"engine_ok": phases["engine decide"] <= ENGINE_TARGET_S,
			"full_run_s": RUN_TARGET_S,
			"full_run_ok": total <= RUN_TARGET_S,
		},
		"jobs_removed_from_queue": removed,
	}
	print_report(result)
	if profile_text:
		print(profile_text)
		result["profile_file"] = PROFILE_FILE
	return result


# ----------------------------------------------------------------------------------------------- book


def benchmark_company(writes: str) -> str:
	"""The default company of a site marked ``optimar_benchmark_site`` (a benchmark writes ``writes``, e.g.
	"100000 invoices", into the site: refused on any other site), with the user set to Administrator."""
	if not frappe.conf.get("optimar_benchmark_site"):
		frappe.throw(
			_(
				"This benchmark writes {0} into the site. Run it only on a benchmark site: "
				"bench --site {1} set-config optimar_benchmark_site 1"
			).format(writes, frappe.local.site)
		)
	frappe.set_user("Administrator")
	company = frappe.db.get_single_value("Global Defaults", "default_company")
	if not company:
		frappe.throw(_("Set a default company first (optimar_erp.setup.bootstrap.ensure_erpnext_setup)."))
	return company


def ensure_book(company: str, invoices: int, customers: int, seed: int, reset: bool) -> dict:
	"""The BENCH customers, invoices and prior activities: reused when present, else bulk-inserted."""
	if reset:
		delete_book()
	have_customers = frappe.db.count("Customer", {"name": ("like", f"{CUSTOMER_PREFIX}%")})
	have_invoices = frappe.db.count("Sales Invoice", {"name": ("like", f"{INVOICE_PREFIX}%")})
	if (have_customers or have_invoices) and (have_customers, have_invoices) != (customers, invoices):
		frappe.throw(
			_(
				"The site holds {0} benchmark customers and {1} benchmark invoices, not {2} and {3}. "
				"Pass reset=True to recreate them."
			).format(have_customers, have_invoices, customers, invoices)
		)
	reused = bool(have_invoices)
	if not reused:
		rng = random.Random(seed)
		names = insert_customers(customers, rng)
		invoice_names = insert_invoices(company, names, invoices, rng)
		insert_prior_activities(company, invoice_names, rng)
		frappe.db.commit()
	return {
		"reused": reused,
		"customers": frappe.db.count("Customer", {"name": ("like", f"{CUSTOMER_PREFIX}%")}),
		"invoices": frappe.db.count("Sales Invoice", {"name": ("like", f"{INVOICE_PREFIX}%")}),
		"prior_activities": frappe.db.count("Collection Activity", {"name": ("like", f"{ACTIVITY_PREFIX}%")}),
	}


def delete_book() -> None:
	for doctype, field, prefix in (
		("Collection Activity", "customer", CUSTOMER_PREFIX),
		("Sales Invoice", "name", INVOICE_PREFIX),
		("Customer", "name", CUSTOMER_PREFIX),
	):
		table = frappe.qb.DocType(doctype)
		frappe.qb.from_(table).delete().where(table[field].like(f"{prefix}%")).run()
	frappe.db.commit()


def _columns(doctype: str) -> tuple[set[str], set[str]]:
	"""(all columns, NOT NULL columns without a default) of the doctype's table."""
	rows = frappe.db.sql(f"SHOW COLUMNS FROM `tab{doctype}`", as_dict=True)
	required = {
		r.Field for r in rows if r.Null == "NO" and r.Default is None and "auto_increment" not in r.Extra
	}
	return {r.Field for r in rows}, required


def _bulk_insert(doctype: str, records: list[dict]) -> None:
	"""Insert the records' fields that the table has; refuse when a NOT NULL column without default is
	missing."""
	existing, required = _columns(doctype)
	fields = [f for f in records[0] if f in existing]
	missing = sorted(required - set(fields))
	if missing:
		frappe.throw(
			_("{0} has NOT NULL columns without a default that the benchmark does not fill: {1}").format(
				doctype, ", ".join(missing)
			)
		)
	frappe.db.bulk_insert(doctype, fields, [tuple(r[f] for f in fields) for r in records], chunk_size=5000)


def _leaf(doctype: str) -> list[str]:
	leaves = frappe.get_all(doctype, filters={"is_group": 0}, pluck="name", order_by="lft")
	if not leaves:
		frappe.throw(_("No leaf {0} exists.").format(doctype))
	return leaves


def insert_customers(count: int, rng: random.Random) -> list[str]:
	"""Companies with a unique email; 1% do-not-contact, 1% on hold, 10% low risk (the Gentle sequence)."""

	def collections_fields(_i: int) -> dict:
		draw = rng.random()
		return {
			"do_not_contact": int(draw < 0.01),
			"collections_hold": int(0.01 <= draw < 0.02),
			"collections_hold_reason": "Benchmark hold" if 0.01 <= draw < 0.02 else None,
			"risk_band": "Low" if rng.random() < 0.1 else "",
		}

	return insert_bench_customers(count, CUSTOMER_PREFIX, "Bench Customer", "c", collections_fields, width=5)


def insert_bench_customers(
	count: int, prefix: str, label: str, domain: str, fields_of, width: int
) -> list[str]:
	"""``count`` customers named ``prefix`` + a number of at least ``width`` digits (bulk-inserted), each
	with its own email at ``ap@<domain><number>.example`` and the fields ``fields_of(number)`` gives;
	returns their names."""
	groups, territories = _leaf("Customer Group"), _leaf("Territory")
	now, user = now_datetime(), frappe.session.user
	records, names = [], []
	for i in range(1, count + 1):
		name = f"{prefix}{i:0{width}d}"
		names.append(name)
		records.append(
			{
				"name": name,
				"creation": now,
				"modified": now,
				"owner": user,
				"modified_by": user,
				"docstatus": 0,
				"idx": 0,
				"naming_series": "CUST-.YYYY.-",
				"customer_name": f"{label} {i:0{width}d}",
				"customer_type": "Company",
				"customer_group": groups[i % len(groups)],
				"territory": territories[i % len(territories)],
				"email_id": f"ap@{domain}{i:0{width}d}.example",
				"language": "en",
				**fields_of(i),
			}
		)
	_bulk_insert("Customer", records)
	return names


def company_accounts(company: str) -> tuple[str, str]:
	"""The company's currency and default receivable account (a company without one is refused)."""
	currency, receivable = frappe.get_cached_value(
		"Company", company, ["default_currency", "default_receivable_account"]
	)
	if not receivable:
		frappe.throw(_("Company {0} has no default receivable account.").format(company))
	return currency, receivable


def bench_customers() -> dict:
	"""The book's customers by name, with their name, group and territory."""
	return {
		c.name: c
		for c in frappe.get_all(
			"Customer",
			filters={"name": ("like", f"{CUSTOMER_PREFIX}%")},
			fields=["name", "customer_name", "customer_group", "territory"],
			order_by="name",
		)
	}


def insert_invoices(
	company: str, customers: list[str], count: int, rng: random.Random
) -> list[tuple[str, str]]:
	"""Submitted invoices due from 60 days ahead to 200 days past due; 15% partly paid."""
	currency, receivable = company_accounts(company)
	customer_rows = bench_customers()
	now, user, day = now_datetime(), frappe.session.user, getdate(today())
	records, names = [], []
	for i in range(1, count + 1):
		customer = customer_rows[customers[rng.randrange(len(customers))]]
		due = add_days(day, rng.randint(-200, 60))
		total = round(min(max(rng.lognormvariate(7, 1), 50), 250_000), 2)
		partly = rng.random() < 0.15
		outstanding = round(total * rng.uniform(0.2, 0.9), 2) if partly else total
		status = "Overdue" if due < day else ("Partly Paid" if partly else "Unpaid")
		name = f"{INVOICE_PREFIX}{i:06d}"
		names.append((name, customer.name))
		records.append(
			invoice_record(
				name=name,
				customer=customer,
				company=company,
				currency=currency,
				receivable=receivable,
				posting=add_days(due, -30),
				due=due,
				total=total,
				outstanding=outstanding,
				status=status,
				remarks="Benchmark invoice",
				now=now,
				user=user,
			)
		)
	_bulk_insert("Sales Invoice", records)
	return names


def invoice_record(
	*,
	name,
	customer,
	company,
	currency,
	receivable,
	posting,
	due,
	total,
	outstanding,
	status,
	remarks,
	now,
	user,
) -> dict:
	"""A submitted one-line Sales Invoice row in company currency, as the benchmarks bulk-insert it;
	``customer`` has name, customer_name, customer_group and territory."""
	return {
		"name": name,
		"creation": now,
		"modified": now,
		"owner": user,
		"modified_by": user,
		"docstatus": 1,
		"idx": 0,
		"naming_series": "ACC-SINV-.YYYY.-",
		"title": customer.customer_name,
		"customer": customer.name,
		"customer_name": customer.customer_name,
		"customer_group": customer.customer_group,
		"territory": customer.territory,
		"company": company,
		"posting_date": posting,
		"posting_time": "12:00:00",
		"set_posting_time": 1,
		"due_date": due,
		"is_return": 0,
		"is_pos": 0,
		"is_debit_note": 0,
		"update_stock": 0,
		"currency": currency,
		"conversion_rate": 1,
		"price_list_currency": currency,
		"plc_conversion_rate": 1,
		"party_account_currency": currency,
		"debit_to": receivable,
		"total_qty": 1,
		"total": total,
		"base_total": total,
		"net_total": total,
		"base_net_total": total,
		"grand_total": total,
		"base_grand_total": total,
		"rounded_total": total,
		"base_rounded_total": total,
		"outstanding_amount": outstanding,
		"status": status,
		"language": "en",
		"remarks": remarks,
	}


def insert_prior_activities(company: str, invoices: list[tuple[str, str]], rng: random.Random) -> None:
	"""Two Sent "-5 days" reminders per ten invoices, 1 to 21 days old, so the engine sees history."""
	picked = sorted(rng.sample(range(len(invoices)), len(invoices) // 5))
	now, user = now_datetime(), frappe.session.user
	records = []
	for n, i in enumerate(picked, start=1):
		invoice, customer = invoices[i]
		at = now - dt.timedelta(days=rng.randint(1, 21), minutes=rng.randint(0, 600))
		records.append(
			{
				"name": f"{ACTIVITY_PREFIX}{n:06d}",
				"creation": at,
				"modified": at,
				"owner": user,
				"modified_by": user,
				"docstatus": 0,
				"idx": 0,
				"activity_type": "Reminder",
				"status": "Sent",
				"customer": customer,
				"sales_invoice": invoice,
				"invoices": invoice,
				"company": company,
				"channel": "Email",
				"dunning_sequence": SEQUENCE,
				"step_id": PRIOR_STEP,
				"tone": "Polite",
				"idempotency_key": f"{invoice}|{PRIOR_STEP}",
				"attempts": 1,
			}
		)
	if records:
		_bulk_insert("Collection Activity", records)


# -------------------------------------------------------------------------------------------- the run


def prepare_settings() -> None:
	"""Engine on, email on, a send window that never skips the benchmark, cap 3, Standard B2B."""
	from optimar_erp.tests.factories import ensure_outgoing_email_account

	# Email Account.validate connects to the SMTP server unless patching; the benchmark never sends.
	in_patch = frappe.local.flags.in_patch
	frappe.local.flags.in_patch = True
	try:
		ensure_outgoing_email_account()
	finally:
		frappe.local.flags.in_patch = in_patch
	settings = frappe.get_single("Collections Settings")
	settings.update(
		{
			"enabled": 1,
			"email_enabled": 1,
			"send_window_start": "00:00:00",
			"send_window_end": "23:59:59",
			"max_touches_per_week": 3,
			"default_dunning_sequence": SEQUENCE,
		}
	)
	settings.save(ignore_permissions=True)


def clear_previous_runs() -> None:
	"""Forget what earlier benchmark runs claimed, so every run starts from the same book."""
	act = frappe.qb.DocType("Collection Activity")
	frappe.qb.from_(act).delete().where(act.customer.like(f"{CUSTOMER_PREFIX}%")).where(
		act.dunning_run.isnotnull()
	).run()


def new_dunning_run(company: str) -> str:
	doc = frappe.get_doc({"doctype": "Dunning Run", "company": company, "run_date": today()})
	doc.insert(ignore_permissions=True)
	doc.submit()  # enqueues execute_run after the commit; that job is removed before the timing
	frappe.db.commit()
	return doc.name


@contextmanager
def _patched(target, attribute: str, replacement):
	original = getattr(target, attribute)
	setattr(target, attribute, replacement)
	try:
		yield original
	finally:
		setattr(target, attribute, original)


def _timer(seconds: dict, phase: str, func):
	def timed(*args, **kwargs):
		start = time.perf_counter()
		try:
			return func(*args, **kwargs)
		finally:
			seconds[phase] += time.perf_counter() - start

	return timed


class _TimedAfterCommit:
	"""Stands in for ``frappe.db.after_commit`` while ``frappe.enqueue`` runs, so the Redis push that
	``enqueue_after_commit`` defers to the commit is timed too."""

	def __init__(self, real, seconds: dict):
		self.real, self.seconds = real, seconds

	def add(self, func) -> None:
		self.real.add(_timer(self.seconds, ENQUEUE, func))


def timed_execute_run(name: str, profile: bool) -> tuple[dict, float, dict, str]:
	"""Run execute_run once with its phases wrapped: (seconds per phase, total, summary, profile)."""
	seconds: dict[str, float] = defaultdict(float)
	real_enqueue = frappe.enqueue

	def enqueue(*args, **kwargs):
		real_after_commit = frappe.db.after_commit
		frappe.db.after_commit = _TimedAfterCommit(real_after_commit, seconds)
		try:
			return _timer(seconds, ENQUEUE, real_enqueue)(*args, **kwargs)
		finally:
			frappe.db.after_commit = real_after_commit

	profiler = cProfile.Profile() if profile else None
	with _patched(dunning_run, "SEND_INLINE_UP_TO", 0), _patched(frappe, "enqueue", enqueue):
		patches = [
			_patched(module, attr, _timer(seconds, phase, getattr(module, attr)))
			for phase, module, attr in PHASES
		]
		for patch in patches:
			patch.__enter__()
		try:
			start = time.perf_counter()
			if profiler:
				profiler.enable()
			summary = dunning_run.execute_run(name)
			if profiler:
				profiler.disable()
			total = time.perf_counter() - start
		finally:
			for patch in reversed(patches):
				patch.__exit__(None, None, None)
	phases = {phase: seconds[phase] for phase, _module, _attr in PHASES}
	phases[ENQUEUE] = seconds[ENQUEUE]
	phases["other (status, commits)"] = max(total - sum(phases.values()), 0.0)
	return phases, total, summary, _profile_text(profiler)


def _profile_text(profiler) -> str:
	if not profiler:
		return ""
	profiler.dump_stats(PROFILE_FILE)
	out = io.StringIO()
	stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
	stats.print_stats(35)
	return f"cProfile of execute_run (saved to {PROFILE_FILE}):\n{out.getvalue()}"


def remove_site_jobs(keep: frozenset[str] | set[str] = frozenset(), job_prefix: str = "") -> int:
	"""Delete this site's jobs whose id starts with ``job_prefix`` from every queue of the bench (shared by
	every site, so never emptied), except the ids in ``keep`` (those queued before the run): no worker
	then sends the benchmark's reminders or notifications later."""
	from frappe.utils.background_jobs import get_queues

	prefix = f"{frappe.local.site}::{job_prefix}"
	removed = 0
	for queue in get_queues():
		for job_id in queue.get_job_ids():
			if not job_id.startswith(prefix) or job_id in keep:
				continue
			job = queue.fetch_job(job_id)
			if job:
				job.delete()
			else:
				queue.remove(job_id)
			removed += 1
	return removed


# ------------------------------------------------------------------------------------------- report


def print_report(result: dict) -> None:
	rows, summary, targets = result["rows"], result["summary"], result["targets"]
	width = 36
	lines = [
		"",
		f"OptimAR dunning run benchmark — site {result['site']}, run {result['dunning_run']} "
		f"({result['run_status']})",
		f"book: {rows['customers']} customers, {rows['invoices']} invoices, "
		f"{rows['prior_activities']} prior activities ({'reused' if rows['reused'] else 'inserted'} "
		f"in {result['book_setup_s']:.1f} s)",
		"",
		f"{'phase':<{width}} {'seconds':>9}",
		"-" * (width + 10),
	]
	lines += [f"{phase:<{width}} {sec:>9.3f}" for phase, sec in result["phases_s"].items()]
	lines += [
		"-" * (width + 10),
		f"{'execute_run total':<{width}} {result['execute_run_s']:>9.3f}",
		"",
		f"invoices evaluated: {summary['evaluated_invoices']}",
		f"actions decided:    {summary['actions']} {summary['actions_by_channel']}",
		f"activities claimed: {rows['activities_claimed']} (already done: {rows['already_done']})",
		f"skipped:            {summary['skipped']}",
	]
	lines += [f"  {code:<24} {count:>8}" for code, count in summary["skipped_by_reason"].items()]
	lines += [
		"",
		f"engine decide {result['phases_s']['engine decide']:.3f} s (target ≤ {ENGINE_TARGET_S:g} s): "
		f"{'OK' if targets['engine_ok'] else 'MISSED'}",
		f"full run {result['execute_run_s']:.3f} s (target ≤ {RUN_TARGET_S:g} s): "
		f"{'OK' if targets['full_run_ok'] else 'MISSED'}",
		f"delivery jobs removed from the queue: {result['jobs_removed_from_queue']}",
		"",
	]
	print("\n".join(lines))
