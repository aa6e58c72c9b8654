"""Benchmark of :func:`~optimar_erp.engine.cash.application.match_receipts`: time and quality at scale.

``python -m optimar_erp.benchmarks.engine_cash [--receipts 10000] [--invoices 100000] [--seed 7]``
generates a seeded book of open invoices (customers of very different sizes, round and odd amounts, PO
numbers) and receipts whose answer is known, matches them and prints the figures: seconds to index and
match, top-1 accuracy per kind of receipt, and how many receipts were auto-allocated and how many of
those were right.

Kinds of receipt (shares of ``--receipts``): ``reference`` (35 %: the remarks quote the invoice, its PO
number or a typo of its number, in many formats: ``ACC-SINV-2026-00012``, ``SINV 2026 12``,
``SINV202600012``, ``inv 12``, ``PO 4500012345``; a third without customer), ``amount`` (20 %: exact
amount, generic remarks), ``combination`` (15 %: 2–3 invoices of the same customer), ``partial`` (10 %:
part payment of a quoted invoice), ``wrong_customer`` (5 %: booked to another customer, remarks quote
the real invoice), ``unmatched`` (15 %: an amount no open invoice has, a third without customer).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from optimar_erp.engine.cash.application import match_receipts

KINDS = ("reference", "amount", "combination", "partial", "wrong_customer", "unmatched")
SHARES = (0.35, 0.20, 0.15, 0.10, 0.05, 0.15)


def make_invoices(n: int, rng: np.random.Generator, n_customers: int | None = None) -> pd.DataFrame:
	"""``n`` open invoices: customers with Zipf-like sizes, ERPNext names, dates in 2025–2026."""
	n_customers = n_customers or max(10, n // 25)
	weights = 1.0 / np.arange(1, n_customers + 1) ** 0.8
	customer = rng.choice(n_customers, size=n, p=weights / weights.sum())
	year = np.where(rng.random(n) < 0.4, 2025, 2026)
	number = np.empty(n, dtype=np.int64)
	for y in (2025, 2026):
		mask = year == y
		number[mask] = rng.permutation(99999)[: mask.sum()] + 1
	posting = np.datetime64("2025-01-01") + np.where(
		year == 2025, rng.integers(0, 365, n), 365 + rng.integers(0, 300, n)
	).astype("timedelta64[D]")
	due = posting + rng.choice([15, 30, 45, 60], size=n).astype("timedelta64[D]")
	amount = np.exp(rng.normal(10, 1.1, n))
	rounded = rng.random(n) < 0.5
	amount = np.where(rounded, np.round(amount, -2), np.round(amount, 2)).clip(100)
	partly_paid = rng.random(n) < 0.1
	amount = np.where(partly_paid, np.round(amount * rng.uniform(0.2, 0.9, n), 2), amount)
	po = np.where(rng.random(n) < 0.5, pd.Series(4500000000 + rng.integers(0, 10**6, n)).astype(str), "")
	return pd.DataFrame(
		{
			"invoice": [f"ACC-SINV-{y}-{k:05d}" for y, k in zip(year.tolist(), number.tolist(), strict=True)],
			"customer": [f"CUST-{c:05d}" for c in customer.tolist()],
			"posting_date": posting,
			"due_date": due,
			"outstanding": amount,
			"po_no": po,
		}
	)


def _quote(name: str, po: str, rng: np.random.Generator) -> str:
	"""How a payer may quote an invoice in the remarks."""
	_, series, year, number = name.split("-")
	n = int(number)
	forms = [
		name,
		f"{series} {year} {n}",
		f"{series}{year}{number}",
		f"{series}-{year}-{n}",
		f"INV {year}/{number}",
		f"inv no {n}",
	]
	if po:
		forms.append(f"PO {po}")
	if n >= 100:  # one digit swapped: a typo only the customer's own invoices can resolve
		digits = list(str(n))
		i = int(rng.integers(0, len(digits) - 1))
		digits[i], digits[i + 1] = digits[i + 1], digits[i]
		if digits[0] != "0" and digits != list(str(n)):
			forms.append(f"bill {''.join(digits)}")
	return str(rng.choice(forms))


def make_receipts(invoices: pd.DataFrame, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, list]:
	"""``n`` receipts against ``invoices`` and, for each, the set of invoices it really pays (empty for
	unmatched ones) and its kind."""
	by_customer = invoices.groupby("customer").indices
	big = [c for c, rows in by_customer.items() if len(rows) >= 3]
	amounts = set(np.round(invoices["outstanding"].to_numpy() * 100).astype(np.int64).tolist())
	names, custs, outs, pos = (
		invoices[c].to_numpy() for c in ("invoice", "customer", "outstanding", "po_no")
	)
	kinds = rng.choice(len(KINDS), size=n, p=SHARES)
	used: set[int] = set()
	rows, truth = [], []

	def fresh() -> int:
		while True:
			i = int(rng.integers(0, len(invoices)))
			if i not in used:
				used.add(i)
				return i

	bank = ["NEFT CR", "RTGS", "IMPS", "ACH CREDIT", "TRF FROM", "UPI"]
	for k in range(n):
		kind = KINDS[kinds[k]]
		day = np.datetime64("2026-11-01") + int(rng.integers(0, 28))
		customer, remarks, amount, paid = "", "", 0.0, ()
		if kind in ("reference", "partial", "wrong_customer"):
			i = fresh()
			customer = custs[i] if kind != "reference" or rng.random() > 0.33 else ""
			remarks = f"{rng.choice(bank)} {_quote(names[i], pos[i], rng)} {custs[i].replace('-', ' ')}"
			amount = outs[i] if kind != "partial" else round(outs[i] * float(rng.uniform(0.2, 0.8)), 2)
			if kind == "wrong_customer":
				customer = str(rng.choice(big))
				while customer == custs[i]:
					customer = str(rng.choice(big))
			paid = (names[i],)
		elif kind == "amount":
			i = fresh()
			customer = custs[i] if rng.random() < 0.8 else ""
			remarks = f"{rng.choice(bank)} PAYMENT {int(rng.integers(10**5, 10**6))}"
			amount, paid = outs[i], (names[i],)
		elif kind == "combination":
			c = str(rng.choice(big))
			pool = [int(x) for x in by_customer[c] if int(x) not in used]
			while len(pool) < 3:
				c = str(rng.choice(big))
				pool = [int(x) for x in by_customer[c] if int(x) not in used]
			pick = rng.choice(pool, size=int(rng.integers(2, 4)), replace=False)
			used.update(int(x) for x in pick)
			customer, remarks = c, f"{rng.choice(bank)} VENDOR PAYMENT"
			amount, paid = round(float(outs[pick].sum()), 2), tuple(names[pick])
		else:
			customer = str(rng.choice(big)) if rng.random() < 0.67 else ""
			amount = round(float(rng.uniform(1000, 500000)), 2)
			while int(round(amount * 100)) in amounts:
				amount = round(amount + 0.07, 2)
			remarks = f"{rng.choice(bank)} MISC {int(rng.integers(10**5, 10**6))}"
		rows.append((f"RCPT-{k:06d}", customer, amount, day, remarks))
		truth.append((kind, frozenset(paid)))
	receipts = pd.DataFrame(rows, columns=["receipt", "customer", "amount", "date", "remarks"])
	return receipts, truth


def run(n_receipts: int = 10_000, n_invoices: int = 100_000, seed: int = 7) -> dict:
	"""Generate, match and score; returns the figures (also printed by :func:`main`)."""
	rng = np.random.default_rng(seed)
	t0 = time.perf_counter()
	invoices = make_invoices(n_invoices, rng)
	receipts, truth = make_receipts(invoices, n_receipts, rng)
	t1 = time.perf_counter()
	out = match_receipts(receipts, invoices)
	t2 = time.perf_counter()
	top = out[out["rank"] == 1].set_index("receipt")
	figures: dict = {
		"invoices": len(invoices),
		"receipts": len(receipts),
		"generate_seconds": round(t1 - t0, 2),
		"match_seconds": round(t2 - t1, 2),
		"suggestion_rows": len(out),
		"by_kind": {},
	}
	auto_right = auto_total = 0
	for kind in KINDS:
		ids = [r for r, (k, _) in zip(receipts["receipt"], truth, strict=True) if k == kind]
		if not ids:
			continue
		want = {r: t for r, (k, t) in zip(receipts["receipt"], truth, strict=True) if k == kind}
		got = {r: frozenset(top.at[r, "invoices"]) for r in ids}
		auto = {r for r in ids if top.at[r, "auto_allocate"]}
		right = sum(got[r] == want[r] for r in ids)
		auto_ok = sum(got[r] == want[r] for r in auto)
		auto_right += auto_ok
		auto_total += len(auto)
		row = {"n": len(ids), "top1_accuracy": round(right / len(ids), 3), "auto_allocated": len(auto)}
		if kind == "unmatched":
			row = {
				"n": len(ids),
				"no_match_or_low_confidence": round(
					sum(top.at[r, "method"] == "no_match" or top.at[r, "confidence"] < 0.5 for r in ids)
					/ len(ids),
					3,
				),
				"auto_allocated": len(auto),
			}
		figures["by_kind"][kind] = row
	figures["auto_allocated"] = auto_total
	figures["auto_precision"] = round(auto_right / auto_total, 4) if auto_total else None
	return figures


def main() -> None:
	parser = argparse.ArgumentParser(description="Benchmark cash application matching.")
	parser.add_argument("--receipts", type=int, default=10_000)
	parser.add_argument("--invoices", type=int, default=100_000)
	parser.add_argument("--seed", type=int, default=7)
	args = parser.parse_args()
	f = run(args.receipts, args.invoices, args.seed)
	print(
		f"Matched {f['receipts']:,} receipts against {f['invoices']:,} open invoices in {f['match_seconds']:.1f} s "
		f"(data generated in {f['generate_seconds']:.1f} s; {f['suggestion_rows']:,} suggestion rows)."
	)
	for kind, row in f["by_kind"].items():
		figures = ", ".join(f"{k} {v}" for k, v in row.items() if k != "n")
		print(f"  {kind:<15} n={row['n']:>5,}  {figures}")
	print(f"  auto-allocated {f['auto_allocated']:,} receipts, {f['auto_precision']:.2%} of them correctly")


if __name__ == "__main__":
	main()
