"""13-week cash-in forecast from predicted pay dates and open promises, and its back-test.

:func:`cash_forecast`: each open invoice's outstanding amount is expected in the week of its predicted pay
date (the risk model's, never before ``today``); when an open promise to pay covers a customer, the
promised amount is expected on the promised date instead, and that much is taken off the customer's
invoices (the doubtful ones first, then oldest predicted first), so nothing is counted twice. Weeks start
on Monday; week 0 is the current week (from ``today`` to its Sunday); what falls after the last week is
reported as ``later``. What an invoice more than ``doubtful_days`` (90) past its due date still owes, and
no promise covers, is not expected at all: it is reported apart as ``doubtful`` (no week, left out of the
cumulative), whatever its predicted date. 90 days is the point past which IFRS 9 (B5.5.37) presumes a
receivable in default; the rest of the forecast is cash that can be planned on.

:func:`forecast_backtest`: for each past week, the forecast that would have been made on its Monday
(outstanding then, each invoice in the week of its predicted pay date, floored at that Monday) against
the cash actually received that week. Predicted pay dates come from leak-free models (features known at
posting), so this replays what the forecast knew then.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimar_erp.engine.tables import dates, floats, table, text

FORECAST_COLUMNS = ["week", "week_start", "from_invoices", "from_promises", "expected", "cumulative"]
DOUBTFUL_DAYS = 90
"""Days past due after which an invoice's unpromised balance is not expected (``doubtful``)."""


def week_start(day: dt.date) -> dt.date:
	"""The Monday of ``day``'s week."""
	return day - dt.timedelta(days=day.weekday())


def cash_forecast(
	invoices: pd.DataFrame,
	promises: pd.DataFrame | None,
	today: dt.date,
	weeks: int = 13,
	doubtful_days: int | None = DOUBTFUL_DAYS,
) -> pd.DataFrame:
	"""Expected cash-in per week for ``weeks`` weeks, a ``later`` row and a ``doubtful`` row (see the
	module docstring); ``doubtful_days=None`` expects every balance (the ``doubtful`` row is then 0).

	``invoices``: open invoices with customer, outstanding, predicted_pay_date (blank: due_date, or
	later if given), due_date (optional). ``promises``: open promises with customer, promised_date,
	amount (still to pay). The ``doubtful`` row has no week_start and no cumulative (NaN): its amount is
	in ``from_invoices`` and ``expected``, so the rows' ``expected`` still add up to everything owed.
	"""
	if weeks < 1:
		raise ValueError("weeks must be at least 1")
	if doubtful_days is not None and doubtful_days < 0:
		raise ValueError("doubtful_days must not be negative")
	inv = table(invoices, "invoices", ("customer", "outstanding", "predicted_pay_date"), {"due_date": None})
	pro = table(promises, "promises", ("customer", "promised_date", "amount"), may_be_empty=True)
	start = np.datetime64(week_start(today), "D")
	day = np.datetime64(today, "D")
	customer = text(inv["customer"]).to_numpy()
	amount = floats(inv["outstanding"], "outstanding").to_numpy()
	when = dates(inv["predicted_pay_date"], "predicted_pay_date")
	due = dates(inv["due_date"], "due_date")
	when = np.where(np.isnat(when), due, when)
	when = np.where(np.isnat(when) | (when < day), day, when)
	if doubtful_days is None:
		doubtful = np.zeros(len(inv), dtype=bool)
	else:
		doubtful = ~np.isnat(due) & ((day - due).astype("timedelta64[D]").astype(int) > doubtful_days)

	p_customer = text(pro["customer"]).to_numpy()
	p_amount = floats(pro["amount"], "amount", 0.0).to_numpy()
	p_when = dates(pro["promised_date"], "promised_date")
	p_when = np.where(np.isnat(p_when) | (p_when < day), day, p_when)
	# take each customer's promised total off its invoices, the doubtful ones first, then earliest expected
	promised = pd.Series(p_amount).groupby(p_customer).sum() if len(p_amount) else pd.Series(dtype=float)
	order = np.lexsort((when, ~doubtful, customer))
	left = amount.copy()
	remaining = promised.to_dict()
	for i in order:
		r = remaining.get(customer[i], 0.0)
		if r <= 0:
			continue
		take = min(r, left[i])
		left[i] -= take
		remaining[customer[i]] = r - take
	inv_week = ((when - start).astype(int) // 7).clip(0, weeks)
	pro_week = ((p_when - start).astype(int) // 7).clip(0, weeks) if len(p_when) else np.array([], dtype=int)
	from_inv = np.bincount(inv_week, weights=np.where(doubtful, 0.0, left), minlength=weeks + 1)[: weeks + 1]
	from_pro = np.bincount(pro_week, weights=p_amount, minlength=weeks + 1)[: weeks + 1]
	labels = [str(w) for w in range(weeks)] + ["later", "doubtful"]
	starts = [pd.Timestamp(start + np.timedelta64(7 * w, "D")).date() for w in range(weeks + 1)] + [None]
	out = pd.DataFrame(
		{
			"week": labels,
			"week_start": starts,
			"from_invoices": np.round(np.append(from_inv, left[doubtful].sum()), 2),
			"from_promises": np.round(np.append(from_pro, 0.0), 2),
		}
	)
	out["expected"] = (out["from_invoices"] + out["from_promises"]).round(2)
	out["cumulative"] = out["expected"].cumsum().round(2)
	out.loc[out["week"] == "doubtful", "cumulative"] = np.nan
	return out[FORECAST_COLUMNS]


def forecast_backtest(
	invoices: pd.DataFrame, events: pd.DataFrame, today: dt.date, weeks: int = 8
) -> pd.DataFrame:
	"""One-week-ahead forecast vs actual cash for the last ``weeks`` complete weeks before ``today``.

	``invoices``: invoice, posting_date, predicted_pay_date (every invoice that could have been open then).
	``events``: invoice, date, amount (+ invoiced, − paid or credited), as from the Payment Ledger.
	Returns week_start, forecast, actual, error (forecast − actual), abs_pct_error.
	"""
	inv = table(invoices, "invoices", ("invoice", "posting_date", "predicted_pay_date"))
	ev = table(events, "events", ("invoice", "date", "amount"), may_be_empty=True)
	names = text(inv["invoice"])
	posted = dates(inv["posting_date"], "posting_date", required=True)
	predicted = dates(inv["predicted_pay_date"], "predicted_pay_date")
	idx = pd.Index(names)
	e_inv = idx.get_indexer(text(ev["invoice"]))
	e_date = dates(ev["date"], "date", required=True)
	e_amt = floats(ev["amount"], "amount", 0.0).to_numpy()
	known = e_inv >= 0
	e_inv, e_date, e_amt = e_inv[known], e_date[known], e_amt[known]
	first = np.datetime64(week_start(today), "D") - np.timedelta64(7 * weeks, "D")
	rows = []
	for w in range(weeks):
		ws = first + np.timedelta64(7 * w, "D")
		we = ws + np.timedelta64(7, "D")
		before = e_date < ws
		balance = np.bincount(e_inv[before], weights=e_amt[before], minlength=len(names))
		open_ = (balance > 0.005) & (posted < ws)
		when = np.where(np.isnat(predicted) | (predicted < ws), ws, predicted)
		forecast = float(balance[open_ & (when < we)].sum())
		in_week = (e_date >= ws) & (e_date < we) & (e_amt < 0)
		actual = float(-e_amt[in_week].sum())
		rows.append(
			{
				"week_start": pd.Timestamp(ws).date(),
				"forecast": round(forecast, 2),
				"actual": round(actual, 2),
				"error": round(forecast - actual, 2),
				"abs_pct_error": round(abs(forecast - actual) / actual * 100, 1) if actual > 0 else None,
			}
		)
	return pd.DataFrame(rows, columns=["week_start", "forecast", "actual", "error", "abs_pct_error"])
