"""Timing of the nightly risk job (Payment Ledger → train → score → write → alerts) on a large book.

	bench --site bench.test set-config optimar_benchmark_site 1
	bench --site bench.test execute optimar_erp.benchmarks.risk.run --kwargs "{'history': 200000}"

Reuses the dunning benchmark's book (``customers`` BENCH customers and ``open_invoices`` open BENCH Sales
Invoices, see :mod:`optimar_erp.benchmarks.dunning_run`) and adds ``history`` settled BENCH-HSINV Sales
Invoices posted over the previous ~18 months (terms 30/45/60 days; each customer pays with its own
seeded habit: days late, spread, payment-run weekday, drift over time, plus a slow drift of everyone),
and the Payment Ledger Entries of every BENCH invoice (one receivable row per invoice; a settled invoice
paid in 1 to 6 installments, 3.65 on average, the last on the day it was settled; one payment row per
part-paid open invoice), as ERPNext writes them: about 1,050,000 rows with the default sizes. Rows are bulk-inserted and reused when they
exist (``reset=True`` recreates the history and the ledger rows). It then runs
:func:`optimar_erp.risk.jobs.train_and_score` for the default company with its phases wrapped,
prints a table and returns the figures. Alerts run as the site's Collections Settings say; their
notifications only go to Redis (no worker runs here) and the jobs this site queued during the run are
removed afterwards. The customers' risk bands are put back as they were (the dunning book relies on
them), and earlier benchmark risk alerts are deleted first, so every run does the same work. Only for
a site marked ``optimar_benchmark_site`` in its config: it writes a lot of rows.
"""

import datetime as dt
import os
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum
from frappe.utils import getdate, now_datetime, today

from optimar_erp.benchmarks import dunning_run as book
from optimar_erp.engine.risk.model import RiskModel
from optimar_erp.risk import alerts, credit, jobs, store

HISTORY_PREFIX = "BENCH-HSINV-"
"""Not ``BENCH-SINV-``: the dunning benchmark counts and deletes the invoices named like that."""
PAYMENT_PREFIX = "BENCH-PE-"
LEDGER_PREFIX = "BENCH-PLE-"
HISTORY_LEDGER = f"{LEDGER_PREFIX}H-"
OPEN_LEDGER = f"{LEDGER_PREFIX}O-"
HISTORY_DAYS = 548
TERMS = (30, 45, 60)
TERMS_WEIGHTS = (5, 3, 2)
EVERYONE_DRIFT_DAYS = 6.0
"""Days later that everyone pays at the end of the history than at its start."""
INSTALLMENTS = (1, 2, 3, 4, 5, 6)
INSTALLMENT_WEIGHTS = (10, 15, 20, 25, 15, 15)
"""How many payments settle a history invoice (mean 3.65): the book's ledger has about a million rows."""
CHUNK = 20_000
TRAIN_TARGET_S = 60.0
TRAIN_TARGET_ROWS = 200_000
SCORE_TARGET_S = 10.0
SCORE_TARGET_ROWS = 100_000

QUERY, EVALUATE, FIT = (
	"query history (get_invoices)",
	"train: held-out evaluation (_evaluate)",
	"train: RiskModel.fit",
)
PREDICT, ALERTS, COMMIT = "predict open invoices", "alerts", "commit"
PHASES = (
	(QUERY, jobs, "history_frame"),
	(EVALUATE, jobs, "_evaluate"),
	(FIT, RiskModel, "fit"),
	("train: store model (record + file)", store, "save_active"),
	(PREDICT, RiskModel, "predict"),
	("write invoice scores (bulk update)", jobs, "write_invoice_scores"),
	("customer table / scores", jobs, "_customer_table"),
	("write customer scores (bulk update)", jobs, "write_customer_scores"),
	("insert Customer Risk Score history", jobs, "_insert_history"),
	("credit advice", credit, "write_credit_advice"),
	(ALERTS, alerts, "raise_alerts"),
	("cash-in forecast snapshot", jobs, "_forecast_snapshot"),
)
"""(phase, module or class, function): a function the job no longer has is left out."""
SUBPHASES = (
	(EVALUATE, "  of which RiskModel.fit (before the cut-off)", RiskModel, "fit"),
	(ALERTS, "  of which overdue 7 days ago (get_invoices)", alerts, "_overdue_on"),
)
"""(phase, part, module or class, function): a part of a phase, shown under it, not added to the total."""
OTHER = "other (labels, reads, records)"


def run(
	history: int = 200_000,
	open_invoices: int = 100_000,
	customers: int = 10_000,
	seed: int = 1,
	reset: bool = False,
	train: bool = True,
	threads: int | None = None,
) -> dict:
	"""Build (or reuse) the benchmark book, run the nightly risk job once and return its timings.

	``threads`` forces the models' thread count (None: as the job picks it, ``jobs._threads``)."""
	if history < 0 or open_invoices < 1 or customers < 1:
		frappe.throw(_("history must be at least 0, open_invoices and customers at least 1."))
	company = book.benchmark_company(_("{0} invoices and their ledger").format(history + open_invoices))

	started = time.perf_counter()
	rows = ensure_book(company, history, open_invoices, customers, seed, reset)
	setup_s = time.perf_counter() - started
	settings = prepare_settings()
	clear_previous_alerts()
	frappe.db.commit()

	bands = _customer_bands()
	jobs_before = _site_job_ids()
	emails_before = frappe.db.count("Email Queue")
	try:
		measured = timed_train_and_score(company, train, threads)
	except Exception:
		frappe.db.rollback()  # the job's writes go, as in a worker; its queued notifications must go too
		book.remove_site_jobs(keep=jobs_before)
		raise
	removed = book.remove_site_jobs(keep=jobs_before)
	_restore_bands(bands)
	frappe.db.commit()
	phases, calls = measured["phases"], measured["calls"]
	scored = measured["sizes"]["predicted"]
	per_target = phases[PREDICT] * SCORE_TARGET_ROWS / scored if scored else None
	first = measured["summary"][0] if measured["summary"] else {}
	model = _model_figures(first.get("trained") or store.active_model_name(company))
	result = {
		"site": frappe.local.site,
		"company": company,
		"cores": os.cpu_count(),
		"threads": threads,
		"load_1min": measured["load"],
		"settings": settings,
		"rows": rows,
		"book_setup_s": round(setup_s, 3),
		"phases_s": {phase: round(seconds, 3) for phase, seconds in phases.items()},
		"phases_cpu_s": {phase: round(seconds, 3) for phase, seconds in measured["cpu"].items()},
		"parts_s": {
			part: {"of": parent, "seconds": round(sec, 3), "cpu_s": round(cpu, 3)}
			for part, (parent, sec, cpu) in measured["parts"].items()
		},
		"calls": calls,
		"train_and_score_s": round(measured["total"], 3),
		"train_and_score_cpu_s": round(measured["cpu_total"], 3),
		"summary": first,
		"sizes": measured["sizes"],
		"model": model,
		"targets": {
			"train_s": TRAIN_TARGET_S,
			"train_rows": TRAIN_TARGET_ROWS,
			"train_ok": (phases[FIT] <= TRAIN_TARGET_S) if calls.get(FIT) else None,
			"score_s": SCORE_TARGET_S,
			"score_rows": SCORE_TARGET_ROWS,
			"score_s_per_target_rows": round(per_target, 3) if per_target is not None else None,
			"score_ok": (per_target <= SCORE_TARGET_S) if per_target is not None else None,
		},
		"jobs_removed_from_queue": removed,
		"email_queue_added": frappe.db.count("Email Queue") - emails_before,
	}
	print_report(result)
	return result


# ----------------------------------------------------------------------------------------------- book


def ensure_book(
	company: str, history: int, open_invoices: int, customers: int, seed: int, reset: bool
) -> dict:
	"""The dunning book, the settled history and the ledger rows of both: reused when present."""
	have_customers = frappe.db.count("Customer", {"name": ("like", f"{book.CUSTOMER_PREFIX}%")})
	have_open = frappe.db.count("Sales Invoice", {"name": ("like", f"{book.INVOICE_PREFIX}%")})
	if (have_customers or have_open) and (have_customers, have_open) != (customers, open_invoices):
		frappe.throw(
			_(
				"The site holds the dunning benchmark's book with {0} customers and {1} invoices, not {2} "
				"and {3}. Pass those sizes, or recreate the book with "
				"optimar_erp.benchmarks.dunning_run.run(reset=True, ...)."
			).format(have_customers, have_open, customers, open_invoices)
		)
	started = time.perf_counter()
	dunning = book.ensure_book(company, open_invoices, customers, seed, reset=False)
	if not dunning["reused"]:
		print(f"dunning book inserted in {time.perf_counter() - started:.1f} s", flush=True)
	if reset:
		delete_history_and_ledger()
	ctx = _Context.of(company)
	history_reused = ensure_history(ctx, history, seed)
	open_reused = ensure_open_ledger(ctx, seed)
	frappe.db.commit()
	return {
		"customers": dunning["customers"],
		"open_invoices": dunning["invoices"],
		"history_invoices": _count_invoices(HISTORY_PREFIX),
		"ledger_rows": frappe.db.count("Payment Ledger Entry", {"name": ("like", f"{LEDGER_PREFIX}%")}),
		"dunning_book_reused": dunning["reused"],
		"history_reused": history_reused,
		"open_ledger_reused": open_reused,
	}


def delete_history_and_ledger() -> None:
	for doctype, prefix in (("Payment Ledger Entry", LEDGER_PREFIX), ("Sales Invoice", HISTORY_PREFIX)):
		table = frappe.qb.DocType(doctype)
		frappe.qb.from_(table).delete().where(table.name.like(f"{prefix}%")).run()
	frappe.db.commit()
	print("deleted the BENCH history invoices and ledger rows", flush=True)


@dataclass
class _Context:
	company: str
	currency: str
	receivable: str
	account_currency: str
	customers: dict
	today: dt.date
	now: dt.datetime
	user: str

	@classmethod
	def of(cls, company: str) -> "_Context":
		currency, receivable = book.company_accounts(company)
		customers = book.bench_customers()
		return cls(
			company=company,
			currency=currency,
			receivable=receivable,
			account_currency=frappe.get_cached_value("Account", receivable, "account_currency") or currency,
			customers=customers,
			today=getdate(today()),
			now=now_datetime(),
			user=frappe.session.user,
		)


def _count_invoices(prefix: str) -> int:
	return frappe.db.count("Sales Invoice", {"name": ("like", f"{prefix}%")})


def _ledger_figures(prefix: str) -> tuple[int, int, float]:
	"""(receivable rows, payment rows, sum of amounts) of the BENCH ledger rows named ``prefix``…"""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	rows = (
		frappe.qb.from_(ple)
		.select(ple.voucher_type, Count("*"), Sum(ple.amount))
		.where(ple.name.like(f"{prefix}%"))
		.groupby(ple.voucher_type)
		.run()
	)
	by_type = {r[0]: (int(r[1]), float(r[2] or 0)) for r in rows}
	invoices, billed = by_type.get("Sales Invoice", (0, 0.0))
	payments, paid = by_type.get("Payment Entry", (0, 0.0))
	return invoices, payments, round(billed + paid, 2)


# ------------------------------------------------------------------------------------- settled history


@dataclass
class _Habit:
	terms: int
	late_mean: float
	late_sd: float
	drift: float
	weekday: int | None
	scale: float


def _habits(names: list[str], rng: random.Random) -> tuple[dict[str, _Habit], list[float]]:
	"""Each customer's way of paying, and its share of the invoices (cumulative weights)."""
	habits, cumulative, total = {}, [], 0.0
	for name in names:
		kind = rng.random()
		if kind < 0.45:  # pays on time, often a few days early
			mean, sd = rng.uniform(-8, -1), rng.uniform(1, 4)
		elif kind < 0.7:
			mean, sd = rng.uniform(-4, 8), rng.uniform(2, 6)
		elif kind < 0.9:
			mean, sd = rng.uniform(10, 30), rng.uniform(4, 12)
		else:
			mean, sd = rng.uniform(30, 75), rng.uniform(8, 25)
		habits[name] = _Habit(
			terms=rng.choices(TERMS, TERMS_WEIGHTS)[0],
			late_mean=mean,
			late_sd=sd,
			drift=rng.uniform(-20, 25) if rng.random() < 0.25 else 0.0,
			weekday=rng.randrange(5) if rng.random() < 0.6 else None,
			scale=rng.lognormvariate(7, 0.8),
		)
		total += rng.lognormvariate(0, 1)
		cumulative.append(total)
	return habits, cumulative


def simulate_history(ctx: _Context, count: int, seed: int) -> list[tuple]:
	"""(posting, due, settled, customer, total) of ``count`` settled invoices, in posting order.

	Days late = the customer's habit (mean + its drift × elapsed share of the history, its spread) +
	everyone's slow drift, +5 for an unusually large invoice, +4 when due in December, and 4% of
	invoices paid 30-90 days later still (disputes). Customers with a payment-run weekday mostly pay
	on it: the last run day before the due date when on time, the next one when late. An invoice that
	would not be settled by yesterday is posted again on an earlier day (it would still be open).
	"""
	rng = random.Random(seed * 1_000_003 + 17)
	names = sorted(ctx.customers)
	habits, cumulative = _habits(names, rng)
	last = ctx.today - dt.timedelta(days=1)
	start = ctx.today - dt.timedelta(days=HISTORY_DAYS)
	rows = []
	for _i in range(count):
		customer = rng.choices(names, cum_weights=cumulative)[0]
		h = habits[customer]
		terms = h.terms if rng.random() < 0.85 else rng.choice(TERMS)
		total = round(min(max(h.scale * rng.lognormvariate(0, 0.6), 50), 250_000), 2)
		while True:  # an invoice not settled by yesterday would still be open: post it again, earlier
			posting, due, settled = _settlement(h, start, terms, total, rng)
			if settled <= last:
				break
		rows.append((posting, due, settled, customer, total))
	rows.sort(key=lambda r: (r[0], r[3]))
	return rows


def _settlement(h: _Habit, start: dt.date, terms: int, total: float, rng: random.Random) -> tuple:
	"""(posting, due, settled) of one invoice posted on a random day of the history."""
	offset = rng.randrange(HISTORY_DAYS)
	posting = start + dt.timedelta(days=offset)
	due = posting + dt.timedelta(days=terms)
	elapsed = offset / HISTORY_DAYS
	late = rng.gauss(h.late_mean + h.drift * elapsed + EVERYONE_DRIFT_DAYS * elapsed, h.late_sd)
	if total > 3 * h.scale:
		late += 5
	if due.month == 12:
		late += 4
	if rng.random() < 0.04:
		late += rng.uniform(30, 90)
	settled = due + dt.timedelta(days=round(late))
	if h.weekday is not None and rng.random() < 0.8:  # the payment run before the due date, or after
		if settled <= due:
			settled -= dt.timedelta(days=(settled.weekday() - h.weekday) % 7)
		else:
			settled += dt.timedelta(days=(h.weekday - settled.weekday()) % 7)
	return posting, due, max(settled, posting)


def ensure_history(ctx: _Context, count: int, seed: int) -> bool:
	"""The settled history invoices and their ledger rows; True when they were already there."""
	have = _count_invoices(HISTORY_PREFIX)
	receivable_rows, payment_rows, balance = _ledger_figures(HISTORY_LEDGER)
	parts = _installment_counts(count, seed)
	if (have, receivable_rows, payment_rows, balance) == (count, count, sum(parts), 0.0):
		return True
	if have or receivable_rows or payment_rows:
		frappe.throw(
			_(
				"The site holds {0} BENCH history invoices with {1} receivable and {2} payment ledger rows "
				"(balance {3}), not {4} settled ones with {5} payments. Pass reset=True to recreate them."
			).format(have, receivable_rows, payment_rows, balance, count, sum(parts))
		)
	if not count:
		return False
	started = time.perf_counter()
	rows = simulate_history(ctx, count, seed)
	print(f"history: {count:,} invoices simulated in {time.perf_counter() - started:.1f} s", flush=True)
	rng = random.Random(seed * 1_000_003 + 41)  # its own stream: the invoices stay the same
	inserted = 0
	for begin in range(0, count, CHUNK):
		invoices, ledger = [], []
		for n, (posting, due, settled, customer, total) in enumerate(rows[begin : begin + CHUNK], begin + 1):
			name = f"{HISTORY_PREFIX}{n:06d}"
			invoices.append(_invoice_record(ctx, name, ctx.customers[customer], posting, due, total, 0.0))
			ledger.append(
				_ledger_record(ctx, f"{HISTORY_LEDGER}I{n:06d}", name, customer, posting, due, total)
			)
			for k, (day, amount) in enumerate(_installments(posting, settled, total, parts[n - 1], rng), 1):
				ledger.append(
					_ledger_record(
						ctx,
						f"{HISTORY_LEDGER}P{n:06d}-{k}",
						name,
						customer,
						day,
						None,
						-amount,
						payment=f"{PAYMENT_PREFIX}H{n:06d}-{k}",
					)
				)
		book._bulk_insert("Sales Invoice", invoices)
		book._bulk_insert("Payment Ledger Entry", ledger)
		frappe.db.commit()
		inserted += len(ledger)
		done = min(begin + CHUNK, count)
		print(
			f"history: {done:,}/{count:,} invoices and {inserted:,} ledger rows inserted "
			f"({time.perf_counter() - started:.1f} s)",
			flush=True,
		)
	return False


def _installment_counts(count: int, seed: int) -> list[int]:
	"""How many payments settle each of ``count`` history invoices (see ``INSTALLMENTS``)."""
	rng = random.Random(seed * 1_000_003 + 37)
	return rng.choices(INSTALLMENTS, INSTALLMENT_WEIGHTS, k=count)


def _installments(posting: dt.date, settled: dt.date, total: float, parts: int, rng: random.Random) -> list:
	"""(day, amount) of the ``parts`` payments of an invoice: in cents that add up to ``total``, on days
	between posting and settlement, the last one on the day it was settled."""
	cents = round(total * 100)
	parts = max(1, min(parts, cents))
	span = (settled - posting).days
	days = sorted(posting + dt.timedelta(days=rng.randint(0, span)) for _ in range(parts - 1)) + [settled]
	amounts = [cents // parts] * (parts - 1)
	amounts.append(cents - sum(amounts))
	return [(day, amount / 100) for day, amount in zip(days, amounts, strict=True)]


def _invoice_record(ctx: _Context, name, customer, posting, due, total: float, outstanding: float) -> dict:
	"""A submitted Sales Invoice row with the fields the dunning benchmark fills (same shape)."""
	return book.invoice_record(
		name=name,
		customer=customer,
		company=ctx.company,
		currency=ctx.currency,
		receivable=ctx.receivable,
		posting=posting,
		due=due,
		total=total,
		outstanding=outstanding,
		status="Paid" if outstanding <= 0 else "Unpaid",
		remarks="Benchmark settled invoice",
		now=ctx.now,
		user=ctx.user,
	)


def _ledger_record(
	ctx: _Context, name, invoice, customer, posting, due, amount: float, payment: str | None = None
) -> dict:
	"""A Payment Ledger Entry as ERPNext writes it: the invoice's own row (+grand total, due date) or a
	Payment Entry's row against the invoice (negative, no due date)."""
	if payment:
		remarks = (
			f"Amount {ctx.currency} {-amount:.2f} received from {customer} against Sales Invoice {invoice}"
		)
	else:
		remarks = "Benchmark invoice"
	return {
		"name": name,
		"creation": ctx.now,
		"modified": ctx.now,
		"owner": ctx.user,
		"modified_by": ctx.user,
		"docstatus": 1,
		"idx": 0,
		"posting_date": posting,
		"company": ctx.company,
		"account_type": "Receivable",
		"account": ctx.receivable,
		"party_type": "Customer",
		"party": customer,
		"due_date": due,
		"voucher_type": "Payment Entry" if payment else "Sales Invoice",
		"voucher_no": payment or invoice,
		"against_voucher_type": "Sales Invoice",
		"against_voucher_no": invoice,
		"amount": amount,
		"account_currency": ctx.account_currency,
		"amount_in_account_currency": amount,
		"delinked": 0,
		"remarks": remarks,
	}


# ----------------------------------------------------------------------------------- open invoices' ledger


def ensure_open_ledger(ctx: _Context, seed: int) -> bool:
	"""Ledger rows of the dunning book's open invoices (one part payment for the part-paid ones);
	rebuilt when they do not match the invoices (e.g. after the dunning book was recreated)."""
	si = frappe.qb.DocType("Sales Invoice")
	invoices = (
		frappe.qb.from_(si)
		.select(si.name, si.customer, si.posting_date, si.due_date, si.grand_total, si.outstanding_amount)
		.where(si.name.like(f"{book.INVOICE_PREFIX}%"))
		.orderby(si.name)
		.run()
	)
	part_paid = sum(1 for r in invoices if r[4] - r[5] > 0.005)
	total_outstanding = (
		frappe.qb.from_(si)
		.select(Sum(si.outstanding_amount))
		.where(si.name.like(f"{book.INVOICE_PREFIX}%"))
		.run()
	)
	outstanding = round(float(total_outstanding[0][0] or 0), 2)
	if _ledger_figures(OPEN_LEDGER) == (len(invoices), part_paid, outstanding):
		return True
	ple = frappe.qb.DocType("Payment Ledger Entry")
	frappe.qb.from_(ple).delete().where(ple.name.like(f"{OPEN_LEDGER}%")).run()
	rng = random.Random(seed * 1_000_003 + 29)
	started = time.perf_counter()
	for begin in range(0, len(invoices), CHUNK):
		ledger = []
		for name, customer, posting, due, total, left in invoices[begin : begin + CHUNK]:
			number = name[len(book.INVOICE_PREFIX) :]
			total, paid = float(total), round(float(total - left), 2)
			ledger.append(_ledger_record(ctx, f"{OPEN_LEDGER}I{number}", name, customer, posting, due, total))
			if paid > 0.005:
				day = max(min(posting + dt.timedelta(days=rng.randint(1, 25)), ctx.today), posting)
				ledger.append(
					_ledger_record(
						ctx,
						f"{OPEN_LEDGER}P{number}",
						name,
						customer,
						day,
						None,
						-paid,
						payment=f"{PAYMENT_PREFIX}{number}",
					)
				)
		book._bulk_insert("Payment Ledger Entry", ledger)
		frappe.db.commit()
		done = min(begin + CHUNK, len(invoices))
		print(
			f"open invoices' ledger: {done:,}/{len(invoices):,} invoices "
			f"({time.perf_counter() - started:.1f} s)",
			flush=True,
		)
	return False


# -------------------------------------------------------------------------------------------- the run


def prepare_settings() -> dict:
	"""Risk scoring on (the job does nothing otherwise); alerts left as they are."""
	if not frappe.db.get_single_value("Collections Settings", "risk_scoring_enabled"):
		frappe.db.set_single_value("Collections Settings", "risk_scoring_enabled", 1)
		print("Collections Settings: risk scoring was off; turned on for the benchmark", flush=True)
	frappe.clear_document_cache("Collections Settings", "Collections Settings")
	return {
		field: frappe.db.get_single_value("Collections Settings", field)
		for field in ("risk_scoring_enabled", "risk_alerts_enabled", "risk_min_history", "risk_holdout_days")
	}


def clear_previous_alerts() -> None:
	"""Forget the benchmark customers' earlier risk alerts: their cooldown and the same-day key would
	make a second run raise none."""
	act = frappe.qb.DocType("Collection Activity")
	frappe.qb.from_(act).delete().where(act.customer.like(f"{book.CUSTOMER_PREFIX}%")).where(
		act.activity_type == "Risk Alert"
	).run()


def _customer_bands() -> dict[str, str]:
	return dict(
		frappe.get_all(
			"Customer",
			filters={"name": ("like", f"{book.CUSTOMER_PREFIX}%")},
			fields=["name", "risk_band"],
			as_list=True,
		)
	)


def _restore_bands(bands: dict[str, str]) -> None:
	"""Put the benchmark customers' risk bands back (the dunning book picks sequences by band)."""
	if bands:
		jobs.bulk_update("Customer", list(bands), {"risk_band": [b or "" for b in bands.values()]})


class _Phases:
	"""Wall and CPU seconds (every thread of the process) and calls per phase. A wrapped call made
	inside another phase counts for that one only (the held-out evaluation fits and scores a model of
	its own; the alerts read the ledger again), unless it is listed as a part of that phase."""

	def __init__(self):
		self.seconds: dict[str, float] = defaultdict(float)
		self.cpu: dict[str, float] = defaultdict(float)
		self.calls: dict[str, int] = defaultdict(int)
		self.results: dict = {}
		self.active: str | None = None

	def wrap(self, func, phase: str | None = None, parts: dict[str, str] | None = None):
		"""``func`` timed as ``phase`` when called outside any phase, and as ``parts[p]`` inside phase p."""
		parts = parts or {}

		def timed(*args, **kwargs):
			if self.active is None and phase:
				label, top = phase, True
			elif self.active in parts:
				label, top = parts[self.active], False
			else:
				return func(*args, **kwargs)
			if top:
				self.active = phase
			start, cpu = time.perf_counter(), time.process_time()
			try:
				result = func(*args, **kwargs)
				if top:
					self.results[label] = result
				return result
			finally:
				self.seconds[label] += time.perf_counter() - start
				self.cpu[label] += time.process_time() - cpu
				self.calls[label] += 1
				if top:
					self.active = None

		return timed


class _LoadSampler:
	"""The machine's 1-minute load average every ``every`` seconds while the job runs."""

	def __init__(self, every: float = 10.0):
		self.every, self.samples = every, [os.getloadavg()[0]]
		self._stop = threading.Event()
		self._thread = threading.Thread(target=self._sample, daemon=True)

	def _sample(self) -> None:
		while not self._stop.wait(self.every):
			self.samples.append(os.getloadavg()[0])

	def __enter__(self) -> "_LoadSampler":
		self._thread.start()
		return self

	def __exit__(self, *exc) -> None:
		self._stop.set()
		self._thread.join()
		self.samples.append(os.getloadavg()[0])

	def figures(self) -> dict:
		return {
			"min": round(min(self.samples), 2),
			"mean": round(sum(self.samples) / len(self.samples), 2),
			"max": round(max(self.samples), 2),
			"samples": len(self.samples),
		}


def timed_train_and_score(company: str, train: bool, threads: int | None = None) -> dict:
	"""Run train_and_score once with its phases wrapped, then commit; the figures. When it fails, the
	phases measured so far are printed before the error goes on."""
	timing = _Phases()
	wrapped: dict[tuple, dict] = {}
	for phase, target, attr in PHASES:
		if hasattr(target, attr):
			wrapped.setdefault((target, attr), {"phase": None, "parts": {}})["phase"] = phase
	for parent, part, target, attr in SUBPHASES:
		if hasattr(target, attr):
			wrapped.setdefault((target, attr), {"phase": None, "parts": {}})["parts"][parent] = part
	patches = [
		book._patched(target, attr, timing.wrap(getattr(target, attr), **how))
		for (target, attr), how in wrapped.items()
	]
	if threads:
		patches.append(book._patched(jobs, "_threads", lambda rows: threads))
	for patch in patches:
		patch.__enter__()
	start, cpu = time.perf_counter(), time.process_time()
	try:
		with _LoadSampler() as load:
			summary = jobs.train_and_score(company, train=train)
			timing.wrap(frappe.db.commit, COMMIT)()
	except Exception:
		print(f"train_and_score failed after {time.perf_counter() - start:.1f} s; phases measured so far:")
		for phase, seconds in timing.seconds.items():
			print(f"  {phase:<46} {timing.calls[phase]:>5} {seconds:>9.3f} (CPU {timing.cpu[phase]:.1f})")
		raise
	finally:
		for patch in reversed(patches):
			patch.__exit__(None, None, None)
	total, cpu_total = time.perf_counter() - start, time.process_time() - cpu
	names = [phase for phase, target, attr in PHASES if hasattr(target, attr)] + [COMMIT]
	seconds = {phase: timing.seconds[phase] for phase in names}
	cpu_seconds = {phase: timing.cpu[phase] for phase in names}
	seconds[OTHER] = max(total - sum(seconds.values()), 0.0)
	cpu_seconds[OTHER] = max(cpu_total - sum(cpu_seconds.values()), 0.0)
	parts = {part: parent for parent, part, _target, _attr in SUBPHASES if timing.calls.get(part)}
	frame = timing.results.get(QUERY)
	preds = timing.results.get(PREDICT)
	return {
		"phases": seconds,
		"cpu": cpu_seconds,
		"parts": {part: (parent, timing.seconds[part], timing.cpu[part]) for part, parent in parts.items()},
		"calls": {phase: timing.calls[phase] for phase in [*names, *parts] if timing.calls.get(phase)},
		"total": total,
		"cpu_total": cpu_total,
		"load": load.figures(),
		"summary": summary,
		"sizes": {
			"history_frame": len(frame) if frame is not None else 0,
			"open_on_ledger": int((frame["outstanding"] > 0.005).sum()) if frame is not None else 0,
			"settled_on_ledger": int(frame["settled_date"].notna().sum()) if frame is not None else 0,
			"predicted": len(preds) if preds is not None else 0,
		},
	}


def _model_figures(name: str | None) -> dict:
	if not name:
		return {}
	fields = ["name", "status", "n_train", "n_test", "late_rate_train", "auc", "baseline_auc", "brier"]
	fields += ["baseline_brier", "mae_days", "baseline_mae_days", "fit_seconds", "holdout_from", "message"]
	row = frappe.db.get_value("Risk Model", name, fields, as_dict=True) or {}
	return {k: (str(v) if isinstance(v, dt.date) else v) for k, v in row.items()}


def _site_job_ids() -> set[str]:
	from frappe.utils.background_jobs import get_queues

	prefix = f"{frappe.local.site}::"
	return {job_id for q in get_queues() for job_id in q.get_job_ids() if job_id.startswith(prefix)}


# ------------------------------------------------------------------------------------------- report


def print_report(result: dict) -> None:
	rows, sizes, model, phases = result["rows"], result["sizes"], result["model"], result["phases_s"]
	calls, summary, settings = result["calls"], result["summary"], result["settings"]
	cpu, width = result["phases_cpu_s"], 46
	load = result["load_1min"]
	if result["threads"]:
		threads = f"{result['threads']} thread(s) (forced)"
	elif hasattr(jobs, "_threads"):
		threads = f"{jobs._threads(sizes['history_frame'])} thread(s)"
	else:
		threads = "the job's threads"
	reused = "reused" if rows["history_reused"] and rows["open_ledger_reused"] else "inserted"
	lines = [
		"",
		f"OptimAR risk scoring benchmark — site {result['site']}, company {result['company']}",
		f"machine: {result['cores']} cores, models on {threads}; 1-minute load during the run "
		f"{load['min']:.2f}-{load['max']:.2f} (mean {load['mean']:.2f}, {load['samples']} samples)",
		f"book: {rows['customers']:,} customers, {rows['open_invoices']:,} open + "
		f"{rows['history_invoices']:,} settled history invoices, {rows['ledger_rows']:,} ledger rows "
		f"({reused}, setup {result['book_setup_s']:.1f} s)",
		f"ledger today: {sizes['history_frame']:,} invoices ({sizes['settled_on_ledger']:,} settled, "
		f"{sizes['open_on_ledger']:,} open; invoices posted after today are not on it yet)",
		f"settings: risk alerts {'on' if settings['risk_alerts_enabled'] else 'off'}, min history "
		f"{settings['risk_min_history']}, hold-out {settings['risk_holdout_days']} days",
		"",
		f"{'phase':<{width}} {'calls':>5} {'seconds':>9} {'CPU s':>9}",
		"-" * (width + 26),
	]
	for phase, sec in phases.items():
		if calls.get(phase) or sec:
			lines.append(f"{phase:<{width}} {calls.get(phase, ''):>5} {sec:>9.3f} {cpu[phase]:>9.1f}")
		for part, figures in result["parts_s"].items():
			if figures["of"] == phase:
				lines.append(
					f"{part:<{width}} {calls[part]:>5} {figures['seconds']:>9.3f} {figures['cpu_s']:>9.1f}"
				)
	lines += [
		"-" * (width + 26),
		f"{'train_and_score total (incl. commit)':<{width}} {'':>5} {result['train_and_score_s']:>9.3f} "
		f"{result['train_and_score_cpu_s']:>9.1f}",
		"",
	]
	if model:
		lines += [
			f"model {model['name']} ({model['status']}): trained on {model['n_train'] or 0:,} invoices with a "
			f"known outcome (late rate {model['late_rate_train'] or 0:.1f}%)",
			f"  held-out from {model['holdout_from']}: {model['n_test'] or 0:,} invoices, AUC "
			f"{_fmt(model['auc'])} (baseline {_fmt(model['baseline_auc'])}), Brier {_fmt(model['brier'])} "
			f"(baseline {_fmt(model['baseline_brier'])}), MAE {_fmt(model['mae_days'], 1)} days "
			f"(baseline {_fmt(model['baseline_mae_days'], 1)})"
			+ (f" — {model['message']}" if model["message"] else ""),
		]
	if calls.get(FIT):
		fit = phases[FIT]
		lines.append(
			f"target: train on {TRAIN_TARGET_ROWS:,} invoices ≤ {TRAIN_TARGET_S:g} s — RiskModel.fit {fit:.1f} s "
			f"on {model.get('n_train') or 0:,} ({'OK' if fit <= TRAIN_TARGET_S else 'MISSED'}); "
			f"with the held-out evaluation {fit + phases[EVALUATE]:.1f} s"
		)
	if calls.get(PREDICT):
		predict, n = phases[PREDICT], sizes["predicted"]
		per = result["targets"]["score_s_per_target_rows"] or 0.0
		lines.append(
			f"target: score {SCORE_TARGET_ROWS:,} open invoices ≤ {SCORE_TARGET_S:g} s — predict "
			f"{predict:.1f} s for {n:,} (≈ {per:.1f} s per {SCORE_TARGET_ROWS:,}; "
			f"{'OK' if per <= SCORE_TARGET_S else 'MISSED'})"
		)
	lines += [
		f"scored: {summary.get('invoices', 0):,} invoices, {summary.get('customers', 0):,} customers; "
		f"alerts raised: {summary.get('alerts', 0):,}",
		f"jobs removed from the queue: {result['jobs_removed_from_queue']:,}; "
		f"email queue rows added: {result['email_queue_added']}",
		"",
	]
	print("\n".join(lines))


def _fmt(value, digits: int = 3) -> str:
	return "—" if value is None else f"{value:.{digits}f}"
