"""Collections KPIs beyond the ledger: promise adherence, dispute aging, collector productivity, MSME dues.

All take plain tables and return tables; the Desk reports and the workspace cards are thin views of them.

- :func:`promise_adherence`: per month of the promised date, how many promises fell due and how much of
  the promised amount was paid (kept, partially kept, broken); adherence = paid ÷ promised; and the open
  promises not due yet.
- :func:`dispute_aging`: open disputes by age bucket, with the amount and how many are past their SLA.
- :func:`collector_productivity`: per collector over a period, touches (calls, reminders, notes),
  promises obtained, and cash collected from the touched customers within ``attribution_days`` after a
  touch (each payment counted once, for the latest touch before it).
- :func:`msme_due`: India's MSMED Act / Income-tax Section 43B(h): a buyer must pay a micro or small
  enterprise within the agreed terms, at most 45 days from acceptance (15 days without an agreement); the
  buyer's deduction of the expense is disallowed until paid. For invoices of a micro/small supplier (the
  company), the statutory date = posting + min(agreed days, 45) and the days left until it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimar_erp.constants import DISPUTE_OPEN_STATUSES
from optimar_erp.engine.analytics import bucket_labels
from optimar_erp.engine.tables import dates, floats, table, text

MSME_MAX_DAYS = 45
MSME_NO_AGREEMENT_DAYS = 15


def promise_adherence(promises: pd.DataFrame, today: dt.date) -> pd.DataFrame:
	"""Per month of promised date: counts and amounts by outcome of the promises that fell due, and the
	open promises not due yet.

	``promises``: promised_date, promised_amount, paid_amount, status (Kept / Partially Kept / Broken /
	Open / Cancelled). Cancelled promises are left out; an Open promise past its date counts as pending;
	an Open promise dated after ``today`` counts in ``not_yet_due`` (and its promised amount in
	``not_yet_due_amount``), not in ``promises``, ``promised``, ``paid`` or the adherence. Returns month,
	promises, promised, paid, kept, partially_kept, broken, pending, adherence_pct, not_yet_due,
	not_yet_due_amount; a month with only promises not due yet has NaN adherence.
	"""
	pro = table(promises, "promises", ("promised_date", "promised_amount", "paid_amount", "status"))
	status = text(pro["status"])
	when = dates(pro["promised_date"], "promised_date", required=True)
	day = np.datetime64(today, "D")
	due = (when <= day) & (status != "Cancelled").to_numpy()
	ahead = (when > day) & (status == "Open").to_numpy()
	keep = due | ahead
	pro, status, due, ahead = pro[keep], status[keep], due[keep], ahead[keep]
	promised = floats(pro["promised_amount"], "promised_amount", 0.0).to_numpy()
	paid = np.minimum(floats(pro["paid_amount"], "paid_amount", 0.0).to_numpy(), promised)
	frame = pd.DataFrame(
		{
			"month": pd.to_datetime(when[keep]).to_period("M").astype(str),
			"promised": np.where(due, promised, 0.0),
			"paid": np.where(due, paid, 0.0),
			"kept": (status == "Kept").to_numpy().astype(int),
			"partially_kept": (status == "Partially Kept").to_numpy().astype(int),
			"broken": (status == "Broken").to_numpy().astype(int),
			"pending": (due & (status == "Open").to_numpy()).astype(int),
			"promises": due.astype(int),
			"not_yet_due": ahead.astype(int),
			"not_yet_due_amount": np.where(ahead, promised, 0.0),
		}
	)
	g = frame.groupby("month", sort=True).sum(numeric_only=True).reset_index()
	g["adherence_pct"] = np.where(
		g["promised"] > 0, (100 * g["paid"] / g["promised"].where(g["promised"] > 0, 1)).round(1), np.nan
	)
	for col in ("promised", "paid", "not_yet_due_amount"):
		g[col] = g[col].round(2)
	cols = [
		"month",
		"promises",
		"promised",
		"paid",
		"kept",
		"partially_kept",
		"broken",
		"pending",
		"adherence_pct",
		"not_yet_due",
		"not_yet_due_amount",
	]
	return g.reindex(columns=cols)


def dispute_aging(
	disputes: pd.DataFrame, today: dt.date, buckets: tuple[int, ...] = (7, 15, 30, 60)
) -> pd.DataFrame:
	"""Open disputes by age (days since raised): count, amount and SLA breaches per bucket.

	``disputes``: raised_on, amount, sla_due_date (optional), status (only Open / Under Review count).
	"""
	d = table(disputes, "disputes", ("raised_on", "amount", "status"), {"sla_due_date": None})
	open_ = text(d["status"]).isin(DISPUTE_OPEN_STATUSES).to_numpy()
	d = d[open_]
	day = np.datetime64(today, "D")
	age = (day - dates(d["raised_on"], "raised_on", required=True)).astype(int)
	sla = dates(d["sla_due_date"], "sla_due_date")
	breached = ~np.isnat(sla) & (sla < day)
	labels = bucket_labels(buckets)
	idx = np.searchsorted(np.asarray(buckets), age, side="left")
	frame = pd.DataFrame(
		{
			"bucket": pd.Categorical([labels[i] for i in idx], categories=labels),
			"disputes": 1,
			"amount": floats(d["amount"], "amount", 0.0).to_numpy(),
			"sla_breached": breached.astype(int),
		}
	)
	g = frame.groupby("bucket", observed=False).sum(numeric_only=True).reset_index()
	g["bucket"] = g["bucket"].astype(str)
	return g


def collector_productivity(
	touches: pd.DataFrame,
	promises: pd.DataFrame | None,
	payments: pd.DataFrame | None,
	start: dt.date,
	end: dt.date,
	attribution_days: int = 14,
) -> pd.DataFrame:
	"""Per collector between ``start`` and ``end`` (inclusive): touches, customers touched, promises
	obtained and amount collected after a touch (see the module docstring).

	``touches``: collector, customer, date, kind (Call / Reminder / Note / …). ``promises``: collector,
	customer, date, amount. ``payments``: customer, date, amount (positive = received).
	"""
	t = table(touches, "touches", ("collector", "customer", "date"), {"kind": ""})
	t_day = dates(t["date"], "date", required=True)
	lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
	inside = (t_day >= lo) & (t_day <= hi)
	t = t[inside].assign(
		date=t_day[inside], collector=text(t["collector"][inside]), customer=text(t["customer"][inside])
	)
	t = t[t["collector"] != ""]
	out = t.groupby("collector").agg(
		touches=("customer", "size"),
		customers_touched=("customer", "nunique"),
		calls=("kind", lambda k: int((text(k) == "Call").sum())),
	)
	pro = table(promises, "promises", ("collector", "customer", "date", "amount"), may_be_empty=True)
	if len(pro):
		p_day = dates(pro["date"], "date", required=True)
		keep = (p_day >= lo) & (p_day <= hi)
		p = pd.DataFrame(
			{"collector": text(pro["collector"])[keep], "amount": floats(pro["amount"], "amount", 0.0)[keep]}
		)
		pg = p.groupby("collector").agg(promises=("amount", "size"), promised_amount=("amount", "sum"))
		out = out.join(pg, how="outer")
	pay = table(payments, "payments", ("customer", "date", "amount"), may_be_empty=True)
	collected = pd.Series(dtype=float)
	if len(pay) and len(t):
		pays = pd.DataFrame(
			{
				"customer": text(pay["customer"]),
				"date": dates(pay["date"], "date", required=True),
				"amount": floats(pay["amount"], "amount", 0.0),
			}
		).sort_values("date")
		pays = pays[(pays["date"] >= lo) & (pays["date"] <= hi + np.timedelta64(attribution_days, "D"))]
		last = t[["customer", "date", "collector"]].sort_values("date")
		matched = pd.merge_asof(
			pays,
			last.rename(columns={"date": "touch_date"}),
			left_on="date",
			right_on="touch_date",
			by="customer",
			direction="backward",
			tolerance=pd.Timedelta(days=attribution_days),
		)
		collected = matched.dropna(subset=["collector"]).groupby("collector")["amount"].sum()
	out["collected_after_touch"] = collected
	for col in ("touches", "customers_touched", "calls", "promises"):
		if col not in out:
			out[col] = 0
	if "promised_amount" not in out:
		out["promised_amount"] = 0.0
	out = out.fillna(0)
	out = out.reset_index().rename(columns={"index": "collector"})
	cols = [
		"collector",
		"touches",
		"customers_touched",
		"calls",
		"promises",
		"promised_amount",
		"collected_after_touch",
	]
	return (
		out[cols].sort_values("collected_after_touch", ascending=False, kind="stable").reset_index(drop=True)
	)


def msme_due(invoices: pd.DataFrame, today: dt.date, agreed_days: int | None = None) -> pd.DataFrame:
	"""Statutory payment date under Section 43B(h) for each open invoice of a micro/small supplier.

	``invoices``: invoice, customer, posting_date, due_date, outstanding. The agreed credit period is the
	invoice's terms (due − posting) unless ``agreed_days`` is given; it is capped at 45 days. Returns the
	invoices with statutory_date, days_left (negative: past) and status ("Past 45-day limit", "Due in 7
	days", "Within limit").
	"""
	inv = table(invoices, "invoices", ("invoice", "customer", "posting_date", "due_date", "outstanding"))
	post = dates(inv["posting_date"], "posting_date", required=True)
	due = dates(inv["due_date"], "due_date", required=True)
	terms = (due - post).astype(int) if agreed_days is None else np.full(len(inv), int(agreed_days))
	terms = np.where(terms <= 0, MSME_NO_AGREEMENT_DAYS, np.minimum(terms, MSME_MAX_DAYS))
	statutory = post + terms.astype("timedelta64[D]")
	left = (statutory - np.datetime64(today, "D")).astype(int)
	out = inv.copy()
	out["statutory_date"] = pd.to_datetime(statutory).date
	out["days_left"] = left
	out["status"] = np.select([left < 0, left <= 7], ["Past 45-day limit", "Due in 7 days"], "Within limit")
	return out.sort_values("days_left", kind="stable").reset_index(drop=True)
