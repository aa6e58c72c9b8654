"""Timings of the engine on a large book: ``python -m optimar_erp.benchmarks.engine_analytics [n_invoices]``.

Builds a synthetic ledger (default 100,000 invoices and 300,000 events: each invoice posted and paid in
two parts) and prints how long validation, aging, the summary and 18 months of metrics take, plus the
simulation of a 1,000-customer, 24-month book.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from optimar_erp.engine.analytics import aging, events_from_invoices, monthly_metrics, summary
from optimar_erp.engine.schema import validate_invoices
from optimar_erp.engine.simulate import simulate_book

END = dt.date(2025, 6, 30)


def synthetic_ledger(
	n_invoices: int = 100_000, n_customers: int = 5_000, seed: int = 1, end: dt.date = END
) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""A random invoice table and its events (posting + two payments per invoice), consistent at ``end``."""
	rng = np.random.default_rng(seed)
	end_ts = pd.Timestamp(end)
	post = end_ts - pd.to_timedelta(rng.integers(0, 540, n_invoices), unit="D")
	due = post + pd.to_timedelta(rng.choice([15, 30, 45, 60], n_invoices), unit="D")
	total = np.round(rng.lognormal(8, 1, n_invoices), 2)
	first = np.round(total * rng.uniform(0.2, 0.8, n_invoices), 2)
	d1 = due + pd.to_timedelta(rng.integers(-10, 40, n_invoices), unit="D")
	d1 = d1.where(d1 > post, post)
	d2 = d1 + pd.to_timedelta(rng.integers(1, 60, n_invoices), unit="D")
	ids = np.char.add("INV-", np.arange(n_invoices).astype(str)).astype(object)
	cust = np.char.add("C-", rng.integers(0, n_customers, n_invoices).astype(str)).astype(object)
	paid = np.where(d1 <= end_ts, first, 0.0) + np.where(d2 <= end_ts, total - first, 0.0)
	outstanding = np.round(total - paid, 2)
	settled = pd.Series(d2).where((outstanding == 0) & (d2 <= end_ts))
	inv = pd.DataFrame(
		{
			"invoice": ids,
			"customer": cust,
			"posting_date": post,
			"due_date": due,
			"grand_total": total,
			"outstanding": outstanding,
			"settled_date": settled.to_numpy(),
		}
	)
	events = pd.DataFrame(
		{
			"invoice": np.concatenate([ids, ids, ids]),
			"customer": np.concatenate([cust, cust, cust]),
			"date": np.concatenate([post.to_numpy(), d1.to_numpy(), d2.to_numpy()]),
			"amount": np.concatenate([total, -first, -(total - first)]),
		}
	)
	return inv, events


def _time(label: str, fn: Callable[[], object], repeat: int = 3) -> object:
	"""Run ``fn`` ``repeat`` times and print the best wall-clock time."""
	best, result = float("inf"), None
	for _ in range(repeat):
		t0 = time.perf_counter()
		result = fn()
		best = min(best, time.perf_counter() - t0)
	print(f"{label:<52} {best * 1000:9.1f} ms")
	return result


def run(n_invoices: int = 100_000) -> None:
	"""Print the timings."""
	inv, events = synthetic_ledger(n_invoices)
	print(f"Synthetic ledger: {len(inv):,} invoices, {len(events):,} events, as of {END}")
	inv = _time("validate_invoices", lambda: validate_invoices(inv))
	_time("events_from_invoices", lambda: events_from_invoices(inv, END))
	_time("aging (given events)", lambda: aging(inv, END, events=events))
	_time("aging (events derived from the table)", lambda: aging(inv, END))
	_time("summary (given events)", lambda: summary(inv, END, events=events))
	start = (pd.Timestamp(END) - pd.DateOffset(months=17)).replace(day=1)
	_time(
		"monthly_metrics, 18 months (given events)", lambda: monthly_metrics(inv, start, END, events=events)
	)
	book = _time(
		"simulate_book(1000 customers, 24 months)",
		lambda: simulate_book(n_customers=1000, months=24, end=END),
		1,
	)
	print(f"  → {len(book.invoices):,} invoices, {len(book.payments):,} payment allocations")


if __name__ == "__main__":
	run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
