"""Reading text dates against ISO dates: ``python -m optimar_erp.benchmarks.engine_dates [n_rows]``.

Writes the same synthetic ledger (default 10,000 invoices over three years) twice, once with ISO dates
(2026-11-30) and once as exports write them (30-Nov-26, and 30/11/2026), then prints how long
:func:`~optimar_erp.engine.dates.parse_date_columns` and the whole :func:`read_ledger` take on each
and the ratio text ÷ ISO (target: at most 2).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from optimar_erp.engine.dates import parse_date_columns
from optimar_erp.engine.schema import read_ledger

DATES = ("posting_date", "due_date", "settled_date")


def ledger(n_rows: int = 10_000, seed: int = 1) -> pd.DataFrame:
	"""A random invoice table with typed dates: posted over three years, due 30 days later, 80% paid."""
	rng = np.random.default_rng(seed)
	post = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, n_rows), unit="D")
	due = post + pd.Timedelta(days=30)
	paid = rng.random(n_rows) < 0.8
	settled = pd.Series(post + pd.to_timedelta(rng.integers(5, 90, n_rows), unit="D")).where(paid)
	total = np.round(rng.lognormal(7, 1, n_rows), 2)
	return pd.DataFrame(
		{
			"invoice": [f"INV-{i:06d}" for i in range(n_rows)],
			"customer": [f"C-{c}" for c in rng.integers(0, 500, n_rows)],
			"posting_date": post,
			"due_date": due,
			"grand_total": total,
			"outstanding": np.where(paid, 0.0, total),
			"settled_date": settled,
		}
	)


def as_text(df: pd.DataFrame, fmt: str | None) -> pd.DataFrame:
	"""The ledger with its dates written in ``fmt`` (None: ISO)."""
	out = df.copy()
	for col in DATES:
		out[col] = pd.to_datetime(df[col]).dt.strftime(fmt or "%Y-%m-%d").fillna("")
	return out


def _best(fn: Callable[[], object], repeat: int = 5) -> float:
	"""The best wall-clock time of ``repeat`` runs, in seconds."""
	best = float("inf")
	for _ in range(repeat):
		t0 = time.perf_counter()
		fn()
		best = min(best, time.perf_counter() - t0)
	return best


def run(n_rows: int = 10_000) -> dict[str, float]:
	"""Print the timings; returns {label: seconds}."""
	base = ledger(n_rows)
	styles = {"ISO 2026-11-30": None, "dd-Mon-yy 30-Nov-26": "%d-%b-%y", "dd/mm/yyyy 30/11/2026": "%d/%m/%Y"}
	times: dict[str, float] = {}
	print(f"{n_rows:,} rows, three date columns (best of 5)")
	print(f"{'dates':<24}{'parse_date_columns':>20}{'read_ledger (CSV)':>20}")
	with tempfile.TemporaryDirectory() as tmp:
		for label, fmt in styles.items():
			table = as_text(base, fmt)
			cols = {c: table[c] for c in DATES}
			path = Path(tmp) / "ledger.csv"
			table.to_csv(path, index=False)
			parse = _best(lambda cols=cols: parse_date_columns(cols))
			read = _best(lambda path=path: read_ledger(path))
			times[label] = parse
			times[label + " (read)"] = read
			print(f"{label:<24}{parse * 1000:>17.1f} ms{read * 1000:>17.1f} ms")
	iso, iso_read = times["ISO 2026-11-30"], times["ISO 2026-11-30 (read)"]
	for label in list(styles)[1:]:
		print(
			f"{label}: {times[label] / iso:.2f}× the ISO parse time, "
			f"{times[label + ' (read)'] / iso_read:.2f}× the ISO read time (target ≤ 2×)"
		)
	return times


if __name__ == "__main__":
	run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
