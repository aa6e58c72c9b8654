"""Timings of the risk models: ``python -m optimar_erp.benchmarks.engine_risk [n_history] [n_open]``.

Builds a simulated book with about ``n_history`` (default 200,000) invoices (simulate_book with enough
customers and months), trains a :class:`~optimar_erp.engine.risk.model.RiskModel` on it, then scores
``n_open`` (default 100,000) open invoices (the book's invoices re-posted as new open ones, tiled as
needed) with their risk factors, and prints both times. Targets: train ≤ 60 s, score ≤ 10 s.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

from optimar_erp.engine.risk.model import RiskModel, customer_scores
from optimar_erp.engine.simulate import simulate_book

END = dt.date(2025, 6, 30)


def bench_book(n_history: int = 200_000, seed: int = 11) -> pd.DataFrame:
	"""About ``n_history`` simulated invoices (24 months; customers scaled to reach the count)."""
	n_customers = max(50, int(round(n_history / 28.8)))  # ~28.8 invoices per customer over 24 months
	return simulate_book(seed=seed, n_customers=n_customers, months=24, end=END).invoices


def open_batch(invoices: pd.DataFrame, n_open: int, as_of: pd.Timestamp, seed: int = 1) -> pd.DataFrame:
	"""``n_open`` new open invoices of the book's customers, posted in the 60 days before ``as_of``."""
	rng = np.random.default_rng(seed)
	pick = rng.integers(0, len(invoices), n_open)
	src = invoices.iloc[pick].reset_index(drop=True)
	post = as_of - pd.to_timedelta(rng.integers(0, 60, n_open), unit="D")
	terms = pd.to_timedelta(src["due_date"] - src["posting_date"])
	return src.assign(
		invoice=[f"OPEN-{i:06d}" for i in range(n_open)],
		posting_date=post,
		due_date=post + terms,
		outstanding=src["grand_total"],
		settled_date=pd.NaT,
	)


def run(n_history: int = 200_000, n_open: int = 100_000) -> dict:
	"""Train on ~``n_history`` invoices and score ``n_open``; returns the timings (seconds) and sizes."""
	t0 = time.perf_counter()
	inv = bench_book(n_history)
	t_sim = time.perf_counter() - t0
	as_of = pd.Timestamp(END)
	t0 = time.perf_counter()
	model = RiskModel().fit(inv, as_of=as_of)
	t_fit = time.perf_counter() - t0
	batch = open_batch(inv, n_open, as_of)
	t0 = time.perf_counter()
	scored = model.predict(batch, history=inv, as_of=as_of)
	t_score = time.perf_counter() - t0
	t0 = time.perf_counter()
	customer_scores(scored, batch)
	t_cust = time.perf_counter() - t0
	t0 = time.perf_counter()
	model.predict(batch, history=inv, as_of=as_of, explain=0)
	t_plain = time.perf_counter() - t0
	return {
		"history_invoices": len(inv),
		"customers": int(inv["customer"].nunique()),
		"open_invoices": len(batch),
		"simulate_s": round(t_sim, 2),
		"train_s": round(t_fit, 2),
		"score_with_factors_s": round(t_score, 2),
		"score_without_factors_s": round(t_plain, 2),
		"customer_scores_s": round(t_cust, 2),
		"model_bytes": len(model.to_bytes()),
	}


def main(argv: list[str] | None = None) -> None:
	"""Print the timings."""
	argv = sys.argv[1:] if argv is None else argv
	n_history = int(argv[0]) if argv else 200_000
	n_open = int(argv[1]) if len(argv) > 1 else 100_000
	res = run(n_history, n_open)
	print(
		f"Risk model on {res['history_invoices']:,} historical invoices of {res['customers']:,} customers "
		f"(simulated in {res['simulate_s']:.1f} s)"
	)
	print(f"  train                              {res['train_s']:6.2f} s   (target <= 60 s)")
	print(
		f"  score {res['open_invoices']:,} open invoices + factors  {res['score_with_factors_s']:6.2f} s   (target <= 10 s)"
	)
	print(f"  score without factors              {res['score_without_factors_s']:6.2f} s")
	print(f"  customer scores                    {res['customer_scores_s']:6.2f} s")
	print(f"  saved model                        {res['model_bytes'] / 1e6:6.2f} MB")


if __name__ == "__main__":
	main()
