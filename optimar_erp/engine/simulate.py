"""A realistic, seeded B2B receivables book: customers with payment behaviours, invoices, payments, credits.

Used for demos (``optimar demo``, the bench demo site), for tests, and to check that risk models find
behaviour that is known to be there. Everything is deterministic for a given seed.

Each customer gets one **archetype** (share of customers in brackets):

- ``on_time`` (35%): pays by the due date about 95% of the time, sometimes a few days early.
- ``chronic_late`` (20%): pays 10-20 days after the due date.
- ``payment_run`` (15%): pays only on its accounts-payable run days (``payment_run_rule``: ``"15,EOM"``
  = the 15th and the last day of the month, ``"FRI"`` = every Friday, ``"EOM"`` = the last day of the
  month), several invoices in one payment; it pays in the first run on or after two days before the due
  date and sometimes misses a run.
- ``deteriorating`` (10%): on time at the start, later and later month after month (by 40-80 days at the
  end, growing faster as time goes on); in the last quarter of the period it stops paying about a third
  of its invoices, so by the end some are very late.
- ``disputer`` (10%): disputes about 30% of its invoices; a credit note for 5-40% of the amount follows
  2-6 weeks after posting, then the rest is paid late. An invoice whose dispute is raised but not yet
  settled by a credit note at ``end`` has ``disputed`` = True.
- ``partial_payer`` (10%): pays most invoices in 2-3 instalments, the last one after the due date.

Seasonality: invoice volume follows a monthly multiplier (high in March and September to December, low
in January and August), and payments due around the year end (15 December - 10 January) slip by a few
days. Amounts are lognormal around a per-customer typical amount; invoices are posted on business days.
All amounts are whole cents, so ``grand_total − payments − credit notes == outstanding`` exactly.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

ARCHETYPE_SHARES: dict[str, float] = {
	"on_time": 0.35,
	"chronic_late": 0.20,
	"payment_run": 0.15,
	"deteriorating": 0.10,
	"disputer": 0.10,
	"partial_payer": 0.10,
}
ARCHETYPES: tuple[str, ...] = tuple(ARCHETYPE_SHARES)

SEASONALITY: dict[int, float] = {
	1: 0.80,
	2: 0.95,
	3: 1.15,
	4: 1.00,
	5: 1.00,
	6: 1.05,
	7: 0.95,
	8: 0.80,
	9: 1.10,
	10: 1.15,
	11: 1.20,
	12: 1.10,
}
"""Invoice volume multiplier by calendar month."""

RUN_RULES: tuple[str, ...] = ("15,EOM", "FRI", "EOM")
TERMS_DAYS: tuple[int, ...] = (15, 30, 45, 60)

_PREFIXES = (
	"Northwind", "Blue Ridge", "Summit", "Cedar", "Harbor", "Ironwood", "Silverline", "Redstone", "Keystone",
	"Brightwater", "Oakmont", "Pinecrest", "Granite", "Riverbend", "Lakeshore", "Westfield", "Eastgate",
	"Highland", "Meridian", "Pioneer", "Sterling", "Atlas", "Beacon", "Crescent", "Evergreen", "Falcon",
	"Frontier", "Golden Gate", "Horizon", "Liberty", "Maple", "Mountainview", "Nova", "Orion", "Pacific",
	"Prairie", "Quantum", "Sapphire", "Sequoia", "Stonebridge", "Sunrise", "Trident", "Union", "Vanguard",
	"Willow", "Apex", "Bluewave", "Copperfield", "Driftwood", "Elmhurst", "Fairview", "Greenfield",
	"Hawthorne", "Ivory", "Juniper", "Kingsley", "Lighthouse", "Magnolia", "Newport", "Oceanic",
)  # fmt: skip
_CORES = (
	"Logistics", "Foods", "Manufacturing", "Supply", "Systems", "Engineering", "Distribution", "Textiles",
	"Pharma", "Electronics", "Builders", "Packaging", "Retail", "Motors", "Plastics", "Analytics",
	"Hospitality", "Healthcare", "Energy", "Agritech", "Metals", "Furniture", "Printing", "Chemicals",
	"Software", "Medical Devices", "Beverages", "Paper", "Freight", "Industrial",
)  # fmt: skip
_SUFFIXES = {
	"United States": ("Inc.", "LLC", "Corp.", "Co."),
	"India": ("Pvt. Ltd.", "Ltd.", "Industries"),
	"United Kingdom": ("Ltd", "PLC", "Group"),
	"Canada": ("Inc.", "Ltd."),
	"Germany": ("GmbH", "AG"),
	"Australia": ("Pty Ltd", "Group"),
}
_COUNTRIES = ("United States", "India", "United Kingdom", "Canada", "Germany", "Australia")
_COUNTRY_P = (0.55, 0.20, 0.08, 0.07, 0.05, 0.05)
_TERRITORY = {"United States": "United States", "India": "India"}  # others: "Rest Of The World"
_GROUPS = ("Commercial", "Government", "Non Profit", "Individual")
_GROUP_P = (0.85, 0.07, 0.05, 0.03)
_FIRST = (
	"James", "Maria", "Robert", "Priya", "Michael", "Linda", "David", "Ananya", "William", "Elizabeth",
	"Rahul", "Susan", "Thomas", "Karen", "Daniel", "Nancy", "Arjun", "Lisa", "Mark", "Sandra", "Paul",
	"Emily", "Steven", "Neha", "Andrew", "Laura", "Kevin", "Sophie", "Brian", "Fatima",
)  # fmt: skip
_LAST = (
	"Smith", "Johnson", "Sharma", "Williams", "Brown", "Patel", "Jones", "Garcia", "Miller", "Davis",
	"Iyer", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Reddy", "Martin", "Jackson", "Clark",
	"Lewis", "Walker", "Gupta", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green",
)  # fmt: skip
_DISPUTE_REASONS = ("Pricing difference", "Short shipment", "Damaged goods", "Quality issue", "PO mismatch")


@dataclass
class Book:
	"""A simulated receivables book, as of ``end``.

	- ``customers``: customer, customer_name, archetype, email, contact_name, country, customer_group,
	  territory, payment_terms_days, credit_limit, typical_amount, invoices_per_month,
	  payment_run_rule ("" unless archetype is payment_run), channel.
	- ``invoices``: the engine invoice table (see :mod:`optimar_erp.engine.schema`) plus
	  ``payment_terms_days`` and ``archetype``; ids ``SIM-INV-00001``… in posting order; ``outstanding``
	  and ``settled_date`` as of ``end`` (open invoices have NaT).
	- ``payments``: one row per allocation: payment_id, customer, posting_date, amount (the whole
	  payment), reference, invoice, allocated_amount. A payment-run payment has several rows.
	- ``credit_notes``: credit_note, customer, invoice (the one it is a return against), posting_date,
	  amount (positive = reduction of the invoice), reason.
	"""

	customers: pd.DataFrame
	invoices: pd.DataFrame
	payments: pd.DataFrame
	credit_notes: pd.DataFrame
	start: dt.date
	end: dt.date
	seed: int
	currency: str
	company: str

	def events(self) -> pd.DataFrame:
		"""The analytics events table: +grand_total at posting, −payments and −credit notes on their dates."""
		inv, pay, cn = self.invoices, self.payments, self.credit_notes
		return pd.concat(
			[
				pd.DataFrame(
					{
						"invoice": inv["invoice"],
						"customer": inv["customer"],
						"date": inv["posting_date"],
						"amount": inv["grand_total"],
					}
				),
				pd.DataFrame(
					{
						"invoice": pay["invoice"],
						"customer": pay["customer"],
						"date": pay["posting_date"],
						"amount": -pay["allocated_amount"],
					}
				),
				pd.DataFrame(
					{
						"invoice": cn["invoice"],
						"customer": cn["customer"],
						"date": cn["posting_date"],
						"amount": -cn["amount"],
					}
				),
			],
			ignore_index=True,
		)


def run_days(rule: str, start: dt.date, end: dt.date) -> list[dt.date]:
	"""The payment-run days of ``rule`` ("15,EOM", "FRI", "EOM") from ``start`` to ``end`` inclusive."""
	if rule not in RUN_RULES:
		raise ValueError(f"unknown payment run rule {rule!r} (known: {', '.join(RUN_RULES)})")
	return [dt.date.fromordinal(o) for o in _run_ordinals(rule, start.toordinal(), end.toordinal())]


def is_run_day(rule: str, day: dt.date) -> bool:
	"""True when ``day`` is one of the payment-run days of ``rule``."""
	return bool(run_days(rule, day, day))


def _run_ordinals(rule: str, first: int, last: int) -> list[int]:
	"""Run days of ``rule`` between two ordinals, as ordinals."""
	days = np.arange(first, last + 1)
	weekday = (days - 1) % 7  # date.fromordinal(1) is a Monday
	dates = _ordinals_to_datetime(days)
	month_end = dates.is_month_end
	if rule == "FRI":
		mask = weekday == 4
	elif rule == "EOM":
		mask = month_end
	else:
		mask = month_end | (dates.day == 15)
	return [int(d) for d in days[np.asarray(mask)]]


def _alloc_counts(n: int) -> dict[str, int]:
	"""Customers per archetype for a book of ``n`` (largest remainder, so small books have every kind)."""
	raw = {k: v * n for k, v in ARCHETYPE_SHARES.items()}
	counts = {k: int(math.floor(v)) for k, v in raw.items()}
	for k in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: n - sum(counts.values())]:
		counts[k] += 1
	return counts


def _slug(name: str) -> str:
	"""An e-mail domain label from a company name: "Summit Foods Inc." → "summit-foods-inc"."""
	return "-".join("".join(ch for ch in word.lower() if ch.isalnum()) for word in name.split()).strip("-")


def _customers(rng: np.random.Generator, n: int, rate: tuple[float, float]) -> pd.DataFrame:
	"""The customer master: ids, unique believable names and e-mails, archetype, terms, amounts."""
	counts = _alloc_counts(n)
	archetype = rng.permutation(np.repeat(list(counts), list(counts.values())))
	country = rng.choice(_COUNTRIES, size=n, p=_COUNTRY_P)
	combos = [(p, c) for p in _PREFIXES for c in _CORES]
	order = rng.permutation(len(combos))
	names, seen_slugs, emails = [], set(), []
	for i in range(n):
		prefix, core = combos[order[i % len(combos)]]
		suffixes = _SUFFIXES[country[i]]
		name = f"{prefix} {core} {suffixes[int(rng.integers(len(suffixes)))]}"
		if i >= len(combos):
			name = f"{prefix} {core} {i // len(combos) + 1} {suffixes[0]}"
		slug = _slug(name)
		while slug in seen_slugs:
			slug += "-x"
		seen_slugs.add(slug)
		names.append(name)
		emails.append(f"ap@{slug}.example")
	terms = rng.choice(TERMS_DAYS, size=n, p=(0.15, 0.5, 0.2, 0.15))
	typical = np.clip(np.round(rng.lognormal(np.log(2500), 0.9, size=n), -1), 150, 250_000)
	lo, hi = rate
	per_month = np.exp(rng.uniform(np.log(lo), np.log(hi), size=n))
	credit_limit = np.ceil(typical * per_month * (terms / 30 + 1) * 1.5 / 1000) * 1000
	run_rule = np.where(archetype == "payment_run", rng.choice(RUN_RULES, size=n, p=(0.5, 0.3, 0.2)), "")
	channel = np.where((country == "India") & (rng.random(n) < 0.4), "WhatsApp", "Email")
	contact = [f"{_FIRST[int(a)]} {_LAST[int(b)]}" for a, b in rng.integers(0, 30, size=(n, 2))]
	return pd.DataFrame(
		{
			"customer": [f"CUST-{i + 1:04d}" for i in range(n)],
			"customer_name": names,
			"archetype": archetype,
			"email": emails,
			"contact_name": contact,
			"country": country,
			"customer_group": rng.choice(_GROUPS, size=n, p=_GROUP_P),
			"territory": [_TERRITORY.get(c, "Rest Of The World") for c in country],
			"payment_terms_days": terms.astype(int),
			"credit_limit": credit_limit.astype(float),
			"typical_amount": typical.astype(float),
			"invoices_per_month": np.round(per_month, 3),
			"payment_run_rule": run_rule,
			"channel": channel,
		}
	)


def _month_starts(end: dt.date, months: int) -> list[dt.date]:
	"""First days of the ``months`` calendar months ending with the month of ``end``."""
	y, m = end.year, end.month
	out = []
	for _ in range(months):
		out.append(dt.date(y, m, 1))
		y, m = (y, m - 1) if m > 1 else (y - 1, 12)
	return out[::-1]


def _business_days(first: dt.date, last: dt.date) -> np.ndarray:
	"""Monday-Friday ordinals from ``first`` to ``last``."""
	days = np.arange(first.toordinal(), last.toordinal() + 1)
	return days[(days - 1) % 7 < 5]


def _is_year_end(ordinal: int) -> bool:
	"""True from 15 December to 10 January, when payments slow down."""
	d = dt.date.fromordinal(ordinal)
	return (d.month == 12 and d.day >= 15) or (d.month == 1 and d.day <= 10)


def _holiday_run(ordinal: int) -> bool:
	"""True for run days skipped over the holidays (20-31 December): payment runs slip to January."""
	d = dt.date.fromordinal(ordinal)
	return d.month == 12 and d.day >= 20


def _weekday_back(ordinal: int, floor: int) -> int:
	"""Move a weekend day back to Friday (forward to Monday if Friday would be before ``floor``)."""
	wd = (ordinal - 1) % 7
	if wd < 5:
		return ordinal
	back = ordinal - (wd - 4)
	return back if back >= floor else ordinal + (7 - wd)


def _post_days(
	rng: np.random.Generator, rate: np.ndarray, starts: list[dt.date], end: dt.date
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
	"""(customer position, month position, posting ordinal) of every invoice, sorted by posting day then
	customer: a Poisson count per customer-month (``rate`` × seasonality, pro rata for a partial last
	month), each on a random business day of its month up to ``end``."""
	n_customers = len(rate)
	cust_idx, month_idx, post = [], [], []
	for mi, m0 in enumerate(starts):
		m1 = (starts[mi + 1] - dt.timedelta(days=1)) if mi + 1 < len(starts) else end
		bdays = _business_days(m0, min(m1, end))
		if not len(bdays):
			continue
		full = len(_business_days(m0, (pd.Timestamp(m0) + pd.offsets.MonthEnd(0)).date()))
		lam = rate * SEASONALITY[m0.month] * len(bdays) / full
		k = rng.poisson(lam)
		ci = np.repeat(np.arange(n_customers), k)
		cust_idx.append(ci)
		month_idx.append(np.full(len(ci), mi))
		post.append(bdays[rng.integers(0, len(bdays), size=len(ci))])
	cust_idx = np.concatenate(cust_idx)
	month_idx = np.concatenate(month_idx)
	post = np.concatenate(post)
	order = np.lexsort((cust_idx, post))
	return cust_idx[order], month_idx[order], post[order]


# Settlement of one invoice posted on ordinal p, due on d, for ``total`` cents, with its eight pre-drawn
# uniform numbers r: one function per archetype (see the module docstring for the behaviours).


def _on_time_day(p: int, d: int, r: np.ndarray) -> int:
	"""By the due date 95% of the time (sometimes a few days early), else up to 10 days late."""
	pay = d - int(r[1] ** 2 * 8) if r[0] < 0.95 else d + 1 + int(r[1] * 10)
	if _is_year_end(pay):
		pay += int(r[2] * 6)
	return _weekday_back(max(pay, p + 1), p + 1)


def _chronic_late_day(p: int, d: int, r: np.ndarray) -> int:
	"""10-20 days after the due date (a few more over the year end)."""
	pay = d + 10 + int(r[1] * 11)
	if _is_year_end(pay):
		pay += 3 + int(r[2] * 8)
	return _weekday_back(pay, p + 1)


def _payment_run_day(p: int, d: int, r: np.ndarray, runs: list[int]) -> int:
	"""The first run day on or after two days before the due date (one later when it misses a run),
	skipping the holiday runs."""
	k = bisect.bisect_left(runs, max(d - 2, p + 1))
	if r[1] < 0.1:
		k += 1
	while _holiday_run(runs[k]):
		k += 1
	return runs[k]


def _deteriorating_day(p: int, d: int, r: np.ndarray, frac: float, slope: float) -> int | None:
	"""Later and later with ``frac`` (the invoice's month as a share of the period, growing to ``slope``
	days late); None (never paid) for about a third of the invoices of the last quarter."""
	if frac > 0.75 and r[3] < 0.3:
		return None
	late = round(-3 + frac**1.5 * slope + (r[1] - 0.5) * 8)
	pay = d + late + (4 + int(r[2] * 6) if _is_year_end(d + late) else 0)
	return _weekday_back(max(pay, p + 1), p + 1)


def _disputer(
	p: int, d: int, total: int, r: np.ndarray, end_o: int
) -> tuple[list[tuple[int, int]], tuple[int, int, int] | None, bool]:
	"""(payments as (ordinal, cents), credit note as (ordinal, cents, reason index) or None, disputed at
	``end_o``). A disputed invoice (30%) gets a credit note for 5-40% after 2-6 weeks, the rest paid late."""
	if r[0] >= 0.30:
		pay = d - 3 + int(r[1] * 13)
		return [(_weekday_back(max(pay, p + 1), p + 1), total)], None, False
	raised = p + 3 + int(r[1] * 12)
	cn_day = _weekday_back(max(p + 14 + int(r[2] * 29), raised + 1), raised + 1)
	cn_cents = int(round(total * (0.05 + r[3] * 0.35)))
	credit = (cn_day, cn_cents, int(r[5] * len(_DISPUTE_REASONS)))
	payments = []
	if total - cn_cents > 0:
		pay = max(d, cn_day) + 5 + int(r[4] * 21)
		payments.append((_weekday_back(pay, cn_day), total - cn_cents))
	return payments, credit, raised <= end_o < cn_day


def _partial_payments(p: int, d: int, total: int, r: np.ndarray) -> list[tuple[int, int]]:
	"""(ordinal, cents) of each payment: 85% of invoices in 2-3 instalments (whole currency units but
	the last, which comes after the due date), the others in one."""
	if r[0] >= 0.85:
		pay = d - 2 + int(r[1] * 10)
		return [(_weekday_back(max(pay, p + 1), p + 1), total)]
	if r[1] < 0.6:
		shares = [0.3 + r[2] * 0.3]
	else:
		shares = [0.25 + r[2] * 0.15, 0.2 + r[3] * 0.15]
	parts = [int(round(total * s / 100.0)) * 100 for s in shares]
	parts.append(total - sum(parts))
	day = max(d - 5 + int(r[4] * 10), p + 1)
	out = []
	for j, part in enumerate(parts):
		if j == len(parts) - 1:
			day = max(day, d + 3)
		out.append((_weekday_back(day, p + 1), part))
		day += 10 + int(r[5 + min(j, 2)] * 16)
	return out


@dataclass
class _Invoices:
	"""The drawn invoices as arrays (one entry per invoice, in posting order)."""

	cust_idx: np.ndarray
	month_idx: np.ndarray
	post: np.ndarray
	due: np.ndarray
	terms: np.ndarray
	cents: np.ndarray
	arch: np.ndarray


def _settle(
	inv: _Invoices,
	u: np.ndarray,
	run_rule: np.ndarray,
	cust_slope: np.ndarray,
	run_cache: dict[str, list[int]],
	span: int,
	end_o: int,
) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int, int]], np.ndarray]:
	"""Every payment (invoice position, ordinal, cents) and credit note (invoice position, ordinal, cents,
	reason index) of every invoice, wherever it falls, and which invoices are disputed at ``end_o``."""
	pay_rows: list[tuple[int, int, int]] = []
	cn_rows: list[tuple[int, int, int, int]] = []
	disputed = np.zeros(len(inv.post), dtype=bool)
	for i in range(len(inv.post)):
		a, p, d, total, r = inv.arch[i], int(inv.post[i]), int(inv.due[i]), int(inv.cents[i]), u[i]
		if a == "on_time":
			pay_rows.append((i, _on_time_day(p, d, r), total))
		elif a == "chronic_late":
			pay_rows.append((i, _chronic_late_day(p, d, r), total))
		elif a == "payment_run":
			pay_rows.append((i, _payment_run_day(p, d, r, run_cache[run_rule[inv.cust_idx[i]]]), total))
		elif a == "deteriorating":
			day = _deteriorating_day(p, d, r, inv.month_idx[i] / span, cust_slope[inv.cust_idx[i]])
			if day is not None:
				pay_rows.append((i, day, total))
		elif a == "disputer":
			payments, credit, disputed[i] = _disputer(p, d, total, r, end_o)
			if credit is not None:
				cn_rows.append((i, *credit))
			pay_rows.extend((i, day, part) for day, part in payments)
		else:  # partial_payer
			pay_rows.extend((i, day, part) for day, part in _partial_payments(p, d, total, r))
	return pay_rows, cn_rows, disputed


def _invoice_table(
	inv: _Invoices,
	customers: pd.DataFrame,
	inv_ids: np.ndarray,
	out_cents: np.ndarray,
	settled_o: np.ndarray,
	disputed: np.ndarray,
	currency: str,
	company: str,
) -> pd.DataFrame:
	"""The book's invoice table (see :class:`Book`)."""
	to_ts = _ordinals_to_datetime
	cust_idx = inv.cust_idx
	return pd.DataFrame(
		{
			"invoice": inv_ids,
			"customer": customers["customer"].to_numpy()[cust_idx],
			"posting_date": to_ts(inv.post),
			"due_date": to_ts(inv.due),
			"grand_total": inv.cents / 100.0,
			"outstanding": out_cents / 100.0,
			"settled_date": to_ts(np.where(settled_o > 0, settled_o, 0)),
			"company": company,
			"currency": currency,
			"disputed": disputed,
			"country": customers["country"].to_numpy()[cust_idx],
			"channel": customers["channel"].to_numpy()[cust_idx],
			"customer_name": customers["customer_name"].to_numpy()[cust_idx],
			"payment_terms_days": inv.terms.astype(int),
			"archetype": inv.arch,
		}
	)


def _payment_table(
	pays: np.ndarray, cust_ids: np.ndarray, inv_ids: np.ndarray, arch: np.ndarray
) -> pd.DataFrame:
	"""The book's payments (see :class:`Book`) from (invoice position, ordinal, cents) rows: a
	payment-run customer pays all its invoices of a run day in one payment."""
	to_ts = _ordinals_to_datetime
	pay_df = pd.DataFrame({"pos": pays[:, 0], "day": pays[:, 1], "cents": pays[:, 2]})
	pay_df["customer"] = cust_ids[pay_df["pos"].to_numpy()]
	pay_df["invoice"] = inv_ids[pay_df["pos"].to_numpy()]
	is_run = arch[pay_df["pos"].to_numpy()] == "payment_run"
	pay_df["group"] = np.where(
		is_run, pay_df["customer"] + "|" + pay_df["day"].astype(str), pay_df.index.astype(str)
	)
	pay_df = pay_df.sort_values(["day", "customer", "pos"], kind="stable")
	group_no = pd.factorize(pay_df["group"])[0]
	pay_df["payment_id"] = [f"SIM-PAY-{g + 1:05d}" for g in group_no]
	pay_df["amount"] = pay_df.groupby("payment_id")["cents"].transform("sum") / 100.0
	n_alloc = pay_df.groupby("payment_id")["cents"].transform("size").to_numpy()
	day_text = to_ts(pay_df["day"].to_numpy()).strftime("%Y-%m-%d")
	pay_df["reference"] = np.where(
		n_alloc > 1,
		"Payment run " + day_text + ": " + n_alloc.astype(str) + " invoices",
		"Remittance for " + pay_df["invoice"],
	)
	return pd.DataFrame(
		{
			"payment_id": pay_df["payment_id"].to_numpy(),
			"customer": pay_df["customer"].to_numpy(),
			"posting_date": to_ts(pay_df["day"].to_numpy()),
			"amount": pay_df["amount"].to_numpy(),
			"reference": pay_df["reference"].to_numpy(),
			"invoice": pay_df["invoice"].to_numpy(),
			"allocated_amount": pay_df["cents"].to_numpy() / 100.0,
		}
	)


def _credit_note_table(cns: np.ndarray, cust_ids: np.ndarray, inv_ids: np.ndarray) -> pd.DataFrame:
	"""The book's credit notes (see :class:`Book`) from (invoice position, ordinal, cents, reason index)
	rows, numbered by posting day then invoice."""
	cns = cns[np.lexsort((cns[:, 0], cns[:, 1]))]
	return pd.DataFrame(
		{
			"credit_note": [f"SIM-CN-{k + 1:05d}" for k in range(len(cns))],
			"customer": cust_ids[cns[:, 0]],
			"invoice": inv_ids[cns[:, 0]],
			"posting_date": _ordinals_to_datetime(cns[:, 1]),
			"amount": cns[:, 2] / 100.0,
			"reason": np.array(_DISPUTE_REASONS, dtype=object)[cns[:, 3]],
		}
	)


def _balances(
	n_inv: int, cents: np.ndarray, pays: np.ndarray, cns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
	"""(outstanding cents, settled ordinal or -1 while open) of each invoice after ``pays`` and ``cns``;
	an invoice is settled on its last movement once nothing is outstanding."""
	reduced = np.bincount(pays[:, 0], weights=pays[:, 2], minlength=n_inv) + np.bincount(
		cns[:, 0], weights=cns[:, 2], minlength=n_inv
	)
	out_cents = cents - reduced.astype(np.int64)
	last = np.full(n_inv, -1, dtype=np.int64)
	np.maximum.at(last, pays[:, 0], pays[:, 1])
	np.maximum.at(last, cns[:, 0], cns[:, 1])
	return out_cents, np.where(out_cents == 0, last, -1)


def simulate_book(
	seed: int = 7,
	n_customers: int = 300,
	months: int = 18,
	end: dt.date | None = None,
	currency: str = "USD",
	company: str = "Demo Company",
	invoices_per_customer_month: tuple[float, float] = (0.3, 3.0),
) -> Book:
	"""Simulate ``months`` calendar months of invoicing (ending with the month of ``end``, default today)
	for ``n_customers`` customers, and their payments and credit notes up to ``end``.

	Each customer invoices at its own rate, drawn log-uniformly from ``invoices_per_customer_month``,
	times the month's seasonality. Deterministic for a given seed.
	"""
	if n_customers < 1 or months < 1:
		raise ValueError("simulate_book needs at least one customer and one month")
	end = end or dt.date.today()
	if isinstance(end, dt.datetime):
		end = end.date()
	rng = np.random.default_rng(seed)  # the order of the draws below is part of the result
	customers = _customers(rng, n_customers, invoices_per_customer_month)
	starts = _month_starts(end, months)
	start = starts[0]
	end_o = end.toordinal()

	cust_idx, month_idx, post = _post_days(rng, customers["invoices_per_month"].to_numpy(), starts, end)
	terms = customers["payment_terms_days"].to_numpy()[cust_idx]
	due = post + terms
	typical = customers["typical_amount"].to_numpy()[cust_idx]
	cents = np.maximum(np.round(typical * rng.lognormal(0.0, 0.45, size=len(post)) * 100), 5000).astype(
		np.int64
	)
	inv = _Invoices(cust_idx, month_idx, post, due, terms, cents, customers["archetype"].to_numpy()[cust_idx])

	# settlement: one pass over the invoices with pre-drawn random numbers
	u = rng.random((len(post), 8))
	run_rule = customers["payment_run_rule"].to_numpy()
	cust_slope = rng.uniform(40, 80, size=n_customers)
	run_cache = {
		rule: _run_ordinals(rule, start.toordinal() - 31, end_o + 400)
		for rule in RUN_RULES
		if rule in set(run_rule)
	}
	pay_rows, cn_rows, disputed = _settle(inv, u, run_rule, cust_slope, run_cache, max(months - 1, 1), end_o)

	# keep what happened by `end`, then derive outstanding and settled_date
	pays = np.array(pay_rows, dtype=np.int64).reshape(-1, 3)
	cns = np.array(cn_rows, dtype=np.int64).reshape(-1, 4)
	pays = pays[pays[:, 1] <= end_o]
	cns = cns[cns[:, 1] <= end_o]
	out_cents, settled_o = _balances(len(post), cents, pays, cns)

	inv_ids = np.array([f"SIM-INV-{k + 1:05d}" for k in range(len(post))], dtype=object)
	cust_ids = customers["customer"].to_numpy()[cust_idx]
	invoices = _invoice_table(inv, customers, inv_ids, out_cents, settled_o, disputed, currency, company)
	payments = _payment_table(pays, cust_ids, inv_ids, inv.arch)
	credit_notes = _credit_note_table(cns, cust_ids, inv_ids)
	return Book(customers, invoices, payments, credit_notes, start, end, seed, currency, company)


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _ordinals_to_datetime(ordinals: np.ndarray) -> pd.DatetimeIndex:
	"""Proleptic ordinals as midnight timestamps; ordinals ≤ 0 become NaT."""
	ordinals = np.asarray(ordinals, dtype=np.int64)
	days = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]")
	days = np.where(ordinals > 0, days, np.datetime64("NaT"))
	return pd.DatetimeIndex(days.astype("datetime64[ns]"))


# ------------------------------------------------------------------------------------------------
# Response behaviour: how customers react to reminders (channel, tone, hour, timing, fatigue).
#
# Separate from :func:`simulate_book` (whose outputs for a seed do not change): a *world* of customers
# with hidden reactions, and :func:`simulate_responses`, which runs a reminder policy over a period of
# invoices day by day and logs every touch with what followed. With :meth:`ResponseBehaviour.none` every
# customer reacts the same to every channel, tone, hour and timing (only its base propensity differs).

SIM_CHANNELS: tuple[str, ...] = ("Email", "SMS", "WhatsApp")
SIM_TONES: tuple[str, ...] = ("polite", "firm")
SIM_STEPS: tuple[tuple[int, str, str], ...] = (
	(-5, "pre_due", "polite"),
	(3, "first_overdue", "polite"),
	(10, "overdue", "firm"),
	(20, "overdue", "firm"),
	(35, "final", "firm"),
)
"""The simulated sequence: (offset from due date, step kind, fixed tone); the fixed channel is Email."""
SIM_FIXED_HOUR = 9
SIM_SEGMENTS: dict[str, dict[str, float]] = {
	"India": {"WhatsApp": 0.6, "Email": 0.25, "SMS": 0.15},
	"United States": {"Email": 0.6, "SMS": 0.3, "WhatsApp": 0.1},
	"Europe": {"Email": 0.7, "WhatsApp": 0.2, "SMS": 0.1},
}
"""Segments and the share of their customers who favour each channel (with channel preferences on)."""
_SIM_BANDS = ("morning", "midday", "afternoon", "evening")
_STEP_EFFECT = {"pre_due": -0.3, "first_overdue": 0.0, "overdue": 0.1, "final": 0.3}


@dataclass(frozen=True)
class ResponseBehaviour:
	"""Which response differences the simulated customers have (all on by default)."""

	channel_preference: bool = True
	"""A favourite channel (+1.0 log-odds); who favours SMS or WhatsApp ignores email (−0.8)."""
	run_day_payers: bool = True
	"""A quarter of customers pay only on payment-run days; a reminder arriving more than 4 business days
	before the run it could make is half forgotten per 4 more days; one arriving less than 2 business days
	before waits for the next run."""
	tone_reaction: bool = True
	"""40 % react to a firm tone (+0.6), 30 % are put off by it (−0.6), the others do not care."""
	fatigue: bool = True
	"""Each touch of the customer in the 7 days before costs 0.35 log-odds."""
	reading_hours: bool = True
	"""Each customer reads in one hour band (+0.6 there)."""

	@classmethod
	def none(cls) -> ResponseBehaviour:
		"""No response differences: channel, tone, hour and timing make no difference."""
		return cls(False, False, False, False, False)


def response_world(
	seed: int, n_customers: int = 400, behaviour: ResponseBehaviour | None = None
) -> pd.DataFrame:
	"""Customers with their hidden reactions (deterministic for a seed): customer, segment, has_mobile,
	whatsapp_opt_in, base (log-odds of answering a reminder), aff_<channel>, firm (tone effect),
	best_band, run_rule ("" = pays any day), late_mean (natural days late), rate (invoices a month),
	typical_amount."""
	b = behaviour or ResponseBehaviour()
	rng = np.random.default_rng([seed, 20])
	segs = list(SIM_SEGMENTS)
	segment = rng.choice(segs, size=n_customers, p=(0.35, 0.4, 0.25))
	has_mobile = rng.random(n_customers) < 0.85
	opt_in = has_mobile & (rng.random(n_customers) < np.where(segment == "India", 0.85, 0.5))
	fav = np.array([rng.choice(list(SIM_SEGMENTS[s]), p=list(SIM_SEGMENTS[s].values())) for s in segment])
	firm_kind = rng.choice(["firm", "averse", "indifferent"], size=n_customers, p=(0.4, 0.3, 0.3))
	best_band = rng.choice(_SIM_BANDS, size=n_customers)
	run_rule = np.where(rng.random(n_customers) < 0.25, rng.choice(RUN_RULES, size=n_customers), "")
	world = pd.DataFrame(
		{
			"customer": [f"RCUST-{i + 1:04d}" for i in range(n_customers)],
			"segment": segment,
			"has_mobile": has_mobile,
			"whatsapp_opt_in": opt_in,
			"base": rng.normal(-1.5, 0.6, size=n_customers),
			"favourite": fav,
			"firm_kind": firm_kind,
			"best_band": best_band,
			"run_rule": run_rule if b.run_day_payers else "",
			"late_mean": rng.uniform(5, 30, size=n_customers),
			"rate": np.exp(rng.uniform(np.log(0.8), np.log(3.0), size=n_customers)),
			"typical_amount": np.round(rng.lognormal(np.log(2500), 0.8, size=n_customers), 2),
		}
	)
	for ch in SIM_CHANNELS:
		aff = np.where(fav == ch, 1.0, 0.0)
		if ch == "Email":
			aff = np.where(fav != "Email", -0.8, aff)
		world[f"aff_{ch}"] = aff if b.channel_preference else 0.0
	world["firm"] = (
		np.select([firm_kind == "firm", firm_kind == "averse"], [0.6, -0.6], 0.0) if b.tone_reaction else 0.0
	)
	world["band_effect"] = 0.6 if b.reading_hours else 0.0
	world["fatigue"] = 0.35 if b.fatigue else 0.0
	return world


def true_response(world_rows: pd.DataFrame, context: pd.DataFrame, actions: pd.DataFrame) -> np.ndarray:
	"""The simulated chance that each context (rows, aligned with ``world_rows``; ``context`` holds step,
	touches_7d and run_factor) answers each action (columns: channel, tone, hour): the world's hidden
	reactions times the run-day forgetting factor."""
	return _true_p(
		world_rows, context, {k: actions[k].to_numpy()[None, :] for k in ("channel", "tone", "hour")}
	)


def _true_p(world_rows: pd.DataFrame, context: pd.DataFrame, action: dict[str, np.ndarray]) -> np.ndarray:
	"""``action`` arrays broadcast against the rows: shape (1, m) for a grid, (n,) for one action each."""
	grid = np.asarray(action["channel"]).ndim == 2

	def col(values) -> np.ndarray:
		v = np.asarray(values)
		return v[:, None] if grid else v

	hour = np.asarray(action["hour"], dtype=int)
	band = np.select([hour < 11, hour < 14, hour < 17], ["morning", "midday", "afternoon"], "evening")
	logit = col(
		world_rows["base"].to_numpy()
		+ context["step"].map(_STEP_EFFECT).fillna(0).to_numpy()
		- world_rows["fatigue"].to_numpy() * context["touches_7d"].to_numpy()
	)
	for ch in SIM_CHANNELS:
		logit = logit + col(world_rows[f"aff_{ch}"].to_numpy()) * (np.asarray(action["channel"]) == ch)
	logit = logit + col(world_rows["firm"].to_numpy()) * (np.asarray(action["tone"]) == "firm")
	logit = logit + col(world_rows["band_effect"].to_numpy()) * (
		col(world_rows["best_band"].to_numpy()) == band
	)
	return col(context["run_factor"].to_numpy()) / (1 + np.exp(-logit))


@dataclass
class ResponseRun:
	"""What :func:`simulate_responses` produced.

	- ``touches``: one row per reminder sent: customer, segment, invoice, step, channel, tone, sent_at
	  (local), touches_7d, days_overdue, outcome, days_to_outcome, propensity, explored, key. This is
	  what the response model learns from.
	- ``truth``: aligned with ``touches``: run_factor, pending_ok (paid within the horizon anyway),
	  answer_ok (an answer would count within the horizon): the chance of success of any action in that
	  context is 1 when pending_ok, else :func:`true_response` × answer_ok (for checking off-policy
	  estimates against the simulated truth).
	- ``invoices``: invoice, customer, posting_date, due_date, grand_total, settled_date (NaT if unpaid by
	  the end of the tail), natural_date (when it would have been paid without reminders).
	"""

	touches: pd.DataFrame
	truth: pd.DataFrame
	invoices: pd.DataFrame
	violations: list[str]


def _runs_after(rule: str, first: int, last: int) -> np.ndarray:
	return np.array(_run_ordinals(rule, first, last), dtype=np.int64)


def simulate_responses(
	world: pd.DataFrame,
	policy,
	start: dt.date,
	months: int = 6,
	seed: int = 0,
	horizon_days: int = 7,
	tail_days: int = 120,
	max_touches_per_7_days: int = 3,
	hours: tuple[int, ...] = tuple(range(8, 19)),
) -> ResponseRun:
	"""Run ``policy`` over ``months`` of invoices of the ``world``'s customers, from ``start``.

	``policy`` has ``timing(customers, step_days, next_step_days, kinds) -> list of ordinals`` and
	``choose(contexts, allowed_channels, allowed_tones, hours, keys, defaults) -> Choices`` (see
	:mod:`optimar_erp.engine.response.policy`). Every random number depends only on the seed and the
	invoice, step and day (common random numbers): two policies run on one seed face the same customers,
	invoices and luck. Guards the policy cannot break: the weekly cap (a reminder over it waits a day),
	the allowed channels (Email; SMS with a mobile; WhatsApp with an opt-in), the send ``hours``; a
	policy answer outside them is recorded in ``violations``.
	"""
	rng = np.random.default_rng([seed, 21])
	w = world.reset_index(drop=True)
	first_o, end_o = start.toordinal(), start.toordinal() + int(months * 30.44)
	bdays = _business_days(start, dt.date.fromordinal(end_o))
	counts = rng.poisson(w["rate"].to_numpy() * months)
	cust = np.repeat(np.arange(len(w)), counts)
	post = np.sort(bdays[rng.integers(0, len(bdays), size=len(cust))]) if len(cust) else np.array([], int)
	cust = cust[np.argsort(rng.random(len(cust)))] if len(cust) else cust
	order = np.lexsort((cust, post))
	cust, post = cust[order], post[order]
	n_inv = len(cust)
	due = post + 30
	amount = np.round(w["typical_amount"].to_numpy()[cust] * rng.lognormal(0, 0.4, size=n_inv), 2)
	late = np.maximum(0, np.round(w["late_mean"].to_numpy()[cust] * rng.uniform(0.3, 1.7, size=n_inv)))
	natural = (due + late).astype(np.int64)
	rules = w["run_rule"].to_numpy()
	runs = {r: _runs_after(r, first_o - 40, end_o + tail_days + 200) for r in set(rules) if r}
	for i in range(n_inv):
		if rules[cust[i]]:
			r = runs[rules[cust[i]]]
			natural[i] = r[np.searchsorted(r, natural[i])]
	u = rng.random((n_inv, len(SIM_STEPS), 3))
	paid = np.full(n_inv, np.iinfo(np.int64).max)
	paid[:] = natural
	paused_until = np.zeros(n_inv, dtype=np.int64)
	last_day = end_o + tail_days
	ids = np.array([f"RINV-{seed}-{i + 1:06d}" for i in range(n_inv)], dtype=object)
	# pending: day → list of (invoice, step index, timed)
	pending: dict[int, list[tuple[int, int, bool]]] = {}
	for i in range(n_inv):
		pending.setdefault(int(due[i] + SIM_STEPS[0][0]), []).append((i, 0, False))
	touch_days: dict[int, list[int]] = {}
	logs: list[dict] = []
	truth_rows: list[dict] = []
	violations: list[str] = []
	offsets = [s[0] for s in SIM_STEPS]
	hours_set = set(hours)
	for day in range(min(pending, default=first_o), last_day + 1):
		todays = pending.pop(day, [])
		if not todays:
			continue
		todays.sort(key=lambda e: (cust[e[0]], -offsets[e[1]], e[0]))
		live = []
		untimed = [e for e in todays if not e[2] and paid[e[0]] > day]
		if untimed:
			idx = [e[0] for e in untimed]
			steps = [e[1] for e in untimed]
			nxt = [
				int(due[i] + offsets[s + 1]) if s + 1 < len(SIM_STEPS) else None
				for i, s in zip(idx, steps, strict=True)
			]
			kinds = [SIM_STEPS[s][1] for s in steps]
			when = policy.timing(w["customer"].to_numpy()[cust[idx]], [day] * len(idx), nxt, kinds)
			for e, target in zip(untimed, when, strict=True):
				if target > day:
					pending.setdefault(int(target), []).append((e[0], e[1], True))
				else:
					live.append(e)
		live += [e for e in todays if e[2]]
		live.sort(key=lambda e: (cust[e[0]], -offsets[e[1]], e[0]))
		sent = []
		for i, s, _ in live:
			if paid[i] <= day or paused_until[i] > day:
				continue
			c = cust[i]
			recent = [t for t in touch_days.get(c, []) if day - 7 < t <= day]
			if len(recent) >= max_touches_per_7_days:
				nxt_day = int(due[i] + offsets[s + 1]) if s + 1 < len(SIM_STEPS) else last_day
				if day + 1 < nxt_day:
					pending.setdefault(day + 1, []).append((i, s, True))
				continue
			touch_days.setdefault(c, []).append(day)
			sent.append((i, s, len(recent)))
		if not sent:
			continue
		inv_idx = np.array([x[0] for x in sent])
		step_idx = np.array([x[1] for x in sent])
		rows = w.iloc[cust[inv_idx]].reset_index(drop=True)
		weekday = (day - 1) % 7
		contexts = pd.DataFrame(
			{
				"customer": rows["customer"],
				"segment": rows["segment"],
				"step": [SIM_STEPS[s][1] for s in step_idx],
				"weekday": weekday,
				"touches_7d": [x[2] for x in sent],
				"days_overdue": day - due[inv_idx],
			}
		)
		allowed = [
			tuple(ch for ch, ok in (("Email", True), ("SMS", m), ("WhatsApp", o)) if ok)
			for m, o in zip(rows["has_mobile"], rows["whatsapp_opt_in"], strict=True)
		]
		tones = [SIM_TONES] * len(sent)
		keys = [f"{ids[i]}|{s}|{day}" for i, s in zip(inv_idx, step_idx, strict=True)]
		defaults = pd.DataFrame(
			{"channel": "Email", "tone": [SIM_STEPS[s][2] for s in step_idx], "hour": SIM_FIXED_HOUR}
		)
		choice = policy.choose(contexts, allowed, tones, list(hours), keys, defaults, explain=False).table
		ch_list = choice["channel"].tolist()
		tone_list = choice["tone"].tolist()
		hour_list = [int(h) for h in choice["hour"]]
		prop_list = choice["propensity"].tolist()
		expl_list = choice["explored"].tolist()
		cust_list = rows["customer"].tolist()
		seg_list = rows["segment"].tolist()
		for k in range(len(sent)):
			if ch_list[k] not in allowed[k]:
				violations.append(f"{keys[k]}: channel {ch_list[k]} not allowed")
			if hour_list[k] not in hours_set:
				violations.append(f"{keys[k]}: hour {hour_list[k]} outside the send hours")
		# run-day payers: the run the answer could make (≥ 2 business days away) and forgetting
		run_day = np.zeros(len(sent), dtype=np.int64)
		factor = np.ones(len(sent))
		for k, i in enumerate(inv_idx):
			rule = rules[cust[i]]
			if rule:
				r = runs[rule]
				j = np.searchsorted(r, day)
				while _bdays_between(day, int(r[j])) < 2:
					j += 1
				run_day[k] = r[j]
				lead = _bdays_between(day, int(r[j]))
				factor[k] = 0.5 ** max(0.0, (lead - 4) / 4)
		contexts["run_factor"] = factor
		p = _true_p(rows, contexts, {k: choice[k].to_numpy() for k in ("channel", "tone", "hour")})
		for k, (i, s, fatigue_n) in enumerate(sent):
			r1, r2, r3 = u[i, s]
			answered = r1 < p[k]
			kind = "promise" if r2 < 0.4 else "payment"
			pay_if = (
				int(run_day[k])
				if run_day[k]
				else day + (3 + int(r3 * 8) if kind == "promise" else 1 + int(r3 * 4))
			)
			answer_ok = kind == "promise" or pay_if - day <= horizon_days
			pending_ok = bool(paid[i] <= day + horizon_days)  # paid anyway within the horizon
			if answered:
				paid[i] = min(paid[i], pay_if)
				if kind == "promise":
					paused_until[i] = paid[i] + 1
				outcome, days_to = kind, (1.0 if kind == "promise" else float(paid[i] - day))
			elif pending_ok:
				outcome, days_to = "payment", float(paid[i] - day)
			else:
				outcome = "reply" if r3 < 0.1 else ("dispute" if r3 > 0.98 else "silence")
				days_to = 2.0 if outcome in ("reply", "dispute") else np.nan
			local = dt.datetime.fromordinal(day) + dt.timedelta(hours=hour_list[k])
			logs.append(
				{
					"customer": cust_list[k],
					"segment": seg_list[k],
					"invoice": ids[i],
					"step": SIM_STEPS[s][1],
					"channel": ch_list[k],
					"tone": tone_list[k],
					"sent_at": local,
					"touches_7d": fatigue_n,
					"days_overdue": int(day - due[i]),
					"outcome": outcome,
					"days_to_outcome": days_to,
					"propensity": prop_list[k],
					"explored": expl_list[k],
					"key": keys[k],
				}
			)
			truth_rows.append(
				{"run_factor": factor[k], "pending_ok": pending_ok, "answer_ok": bool(answer_ok)}
			)
			if s + 1 < len(SIM_STEPS) and paid[i] > day:
				pending.setdefault(int(due[i] + offsets[s + 1]), []).append((i, s + 1, False))
	settled = np.where(paid <= last_day, paid, 0)
	invoices = pd.DataFrame(
		{
			"invoice": ids,
			"customer": w["customer"].to_numpy()[cust],
			"posting_date": _ordinals_to_datetime(post),
			"due_date": _ordinals_to_datetime(due),
			"grand_total": amount,
			"settled_date": _ordinals_to_datetime(settled),
			"natural_date": _ordinals_to_datetime(natural),
		}
	)
	touches = pd.DataFrame(logs)
	return ResponseRun(touches, pd.DataFrame(truth_rows), invoices, violations)


def _bdays_between(first: int, last: int) -> int:
	"""Business days after ordinal ``first`` up to and including ``last``."""
	if last <= first:
		return 0
	days = np.arange(first + 1, last + 1)
	return int(((days - 1) % 7 < 5).sum())
