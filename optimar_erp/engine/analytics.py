"""Receivables analytics: balances as of a date, aging, DSO (standard and countback), BPDSO, ADD, CEI.

Inputs are the invoice table (:mod:`optimar_erp.engine.schema`, as returned by ``validate_invoices``)
and, optionally, an **events** table: the movements of each receivable.

==========  ======  ========================================================================
column      type    meaning
==========  ======  ========================================================================
``invoice`` str     invoice the movement belongs to
``customer``str     its customer (informative; balances are keyed by invoice)
``date``    date    the day the movement happened
``amount``  float   +grand_total on the posting date; negative for payments and credit notes
==========  ======  ========================================================================

A site with an exact payment ledger (ERPNext's Payment Ledger Entry) passes its own events; a plain
CSV has none, and :func:`events_from_invoices` derives them from ``grand_total``, ``outstanding`` and
``settled_date``. Every figure below is computed from events the same way, so the site and the CSV give
identical figures when they describe the same movements.

Conventions: a balance "at" a date is the balance at the end of that day, over invoices posted on or
before it; a movement dated before its invoice's posting date counts from the posting date; movements
for invoices absent from the invoice table are ignored. Days overdue = as_of − due_date; an invoice
with days overdue ≤ 0 is not due ("current"). Balances under half a cent are zero. Amounts in several
currencies are added as they are (the summary lists the currencies so a caller can warn).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimar_erp.constants import AMOUNT_TOLERANCE

DEFAULT_BUCKETS: tuple[int, ...] = (30, 60, 90, 120)
"""Upper bounds (days overdue) of the aging buckets: Not Due, 1-30, 31-60, 61-90, 91-120, 120+."""

NOT_DUE = "Not Due"
EVENT_COLUMNS = ("invoice", "customer", "date", "amount")
DSO_WINDOW_DAYS = 90

DateLike = dt.date | dt.datetime | pd.Timestamp | str | np.datetime64


def _day(value: DateLike) -> np.datetime64:
	"""A date-like value as a numpy day (``datetime64[D]``)."""
	return np.datetime64(pd.Timestamp(value).normalize().date(), "D")


def _days_of(series: pd.Series) -> np.ndarray:
	"""A date column as numpy days (NaT stays NaT)."""
	return pd.to_datetime(series).to_numpy().astype("datetime64[D]")


def bucket_labels(bounds: tuple[int, ...] | list[int] = DEFAULT_BUCKETS) -> list[str]:
	"""Aging bucket labels for ascending positive day bounds: ``(30, 60)`` → Not Due, 1-30, 31-60, 60+."""
	bounds = _check_bounds(bounds)
	labels = [NOT_DUE]
	low = 1
	for b in bounds:
		labels.append(f"{low}-{b}")
		low = b + 1
	labels.append(f"{bounds[-1]}+")
	return labels


def _check_bounds(bounds) -> tuple[int, ...]:
	"""Validated bucket bounds: a non-empty strictly ascending sequence of positive integers."""
	bounds = tuple(int(b) for b in bounds)
	if not bounds or bounds[0] < 1 or any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)):
		raise ValueError(f"aging buckets must be ascending positive day counts, got {bounds}")
	return bounds


def bucket_index(days_overdue: np.ndarray, bounds: tuple[int, ...] = DEFAULT_BUCKETS) -> np.ndarray:
	"""Index into :func:`bucket_labels` for each days-overdue value (0 = Not Due)."""
	days = np.asarray(days_overdue)
	idx = np.searchsorted(np.asarray(_check_bounds(bounds)), days, side="left") + 1
	return np.where(days <= 0, 0, idx)


# ---------------------------------------------------------------------------------------------- events


def events_from_invoices(inv: pd.DataFrame, as_of: DateLike | None = None) -> pd.DataFrame:
	"""Receivable movements derived from the invoice table alone.

	- ``+grand_total`` on ``posting_date``;
	- for a settled invoice, ``−(grand_total − outstanding)`` on ``settled_date``;
	- for an unsettled invoice already partly paid or credited, the paid part on ``as_of`` — the date
	  the table's ``outstanding`` was true (default: the latest posting or settled date in the table),
	  never before the posting date. This is an approximation: the table does not say when the part
	  was paid, so balances before ``as_of`` count it as still owed.
	"""
	post = pd.to_datetime(inv["posting_date"])
	settled = pd.to_datetime(inv["settled_date"])
	total = inv["grand_total"].astype(float).to_numpy()
	paid = total - inv["outstanding"].astype(float).to_numpy()
	if as_of is None:
		as_of = max(post.max(), settled.max()) if len(inv) else pd.Timestamp.today()
		as_of = pd.Timestamp.today() if pd.isna(as_of) else as_of
	snap = pd.Timestamp(as_of).normalize()
	pay_date = settled.where(settled.notna(), post.clip(lower=snap))
	has_pay = np.abs(paid) >= AMOUNT_TOLERANCE
	events = pd.concat(
		[
			pd.DataFrame(
				{"invoice": inv["invoice"], "customer": inv["customer"], "date": post, "amount": total}
			),
			pd.DataFrame(
				{
					"invoice": inv["invoice"][has_pay],
					"customer": inv["customer"][has_pay],
					"date": pay_date[has_pay],
					"amount": -paid[has_pay],
				}
			),
		],
		ignore_index=True,
	)
	return events


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
	"""Position of each value in ``index`` (-1 when absent). A categorical column is matched through its
	categories (each distinct invoice once), not value by value: the same result, much faster on a
	large ledger."""
	if isinstance(values.dtype, pd.CategoricalDtype):
		codes = values.cat.codes.to_numpy().astype(np.int64)
		categories = values.cat.categories
		if len(categories) == len(index) and index.equals(categories):  # the same invoices, in order
			return codes
		found = np.append(index.get_indexer(categories), -1)
		return found[codes]  # code -1 (missing) takes the trailing -1
	return index.get_indexer(values)


class _Ledger:
	"""Invoices and their movements as aligned numpy arrays, for fast balances at any date."""

	def __init__(self, inv: pd.DataFrame, events: pd.DataFrame | None, snapshot: DateLike | None = None):
		self.inv = inv.reset_index(drop=True)
		self.n = len(self.inv)
		self.post = _days_of(self.inv["posting_date"])
		self.due = _days_of(self.inv["due_date"])
		self.total = self.inv["grand_total"].astype(float).to_numpy()
		if events is None:
			events = events_from_invoices(self.inv, snapshot)
		missing = [c for c in ("invoice", "date", "amount") if c not in events.columns]
		if missing:
			raise ValueError(f"events table lacks column(s): {', '.join(missing)}")
		pos = _positions(pd.Index(self.inv["invoice"]), events["invoice"])
		keep = pos >= 0
		self.pos = pos[keep]
		self.amt = events["amount"].astype(float).to_numpy()[keep]
		self.eff = np.maximum(_days_of(events["date"])[keep], self.post[self.pos])

	def balances(self, day: np.datetime64) -> np.ndarray:
		"""Balance of every invoice at the end of ``day`` (0 for invoices posted later)."""
		m = self.eff <= day
		return np.bincount(self.pos[m], weights=self.amt[m], minlength=self.n)

	def period(self, start: np.datetime64, end: np.datetime64) -> dict[str, float]:
		"""Opening/closing AR, closing current AR, credit sales and collections for the days [start, end]."""
		opening = float(self.amt[self.eff < start].sum())
		upto = self.eff <= end
		closing = float(self.amt[upto].sum())
		current = float(self.amt[upto & (self.due[self.pos] >= end)].sum())
		inside = upto & (self.eff >= start)
		neg = self.amt < 0
		sales = float(self.total[(self.post >= start) & (self.post <= end)].sum())
		return {
			"opening_ar": opening,
			"closing_ar": closing,
			"closing_current_ar": current,
			"credit_sales": sales,
			"collected": float(-self.amt[inside & neg].sum()),
		}

	def monthly_sales(self, end: np.datetime64) -> list[tuple[float, int]]:
		"""Credit sales and days of each calendar month up to ``end``, newest first; the month of ``end``
		is cut at ``end`` (its days counted up to it). Starts at the earliest posting month."""
		posted = self.post <= end
		if not posted.any():
			return []
		months = self.post[posted].astype("datetime64[M]")
		first, last = months.min(), end.astype("datetime64[M]")
		n = int((last - first).astype(int)) + 1
		sales = np.bincount((months - first).astype(int), weights=self.total[posted], minlength=n)
		starts = first + np.arange(n)
		days = ((starts + 1).astype("datetime64[D]") - starts.astype("datetime64[D]")).astype(int)
		days[-1] = int((end - last.astype("datetime64[D]")).astype(int)) + 1
		return [(float(sales[i]), int(days[i])) for i in range(n - 1, -1, -1)]


def outstanding_at(inv: pd.DataFrame, as_of: DateLike, events: pd.DataFrame | None = None) -> pd.Series:
	"""Balance of each invoice posted on or before ``as_of`` at the end of that day (index: invoice).

	Without ``events`` they are derived with :func:`events_from_invoices` (see its approximation).
	"""
	led = _Ledger(inv, events)
	day = _day(as_of)
	posted = led.post <= day
	bal = led.balances(day)
	return pd.Series(
		bal[posted], index=pd.Index(led.inv["invoice"][posted], name="invoice"), name="outstanding"
	)


# ----------------------------------------------------------------------------------------------- aging


@dataclass
class AgingResult:
	"""Open balances at ``as_of`` by invoice, by customer and in total, per aging bucket."""

	as_of: pd.Timestamp
	labels: list[str]
	by_invoice: pd.DataFrame
	"""invoice, customer, customer_name, due_date, days_overdue, bucket, outstanding (non-zero only)."""
	by_customer: pd.DataFrame
	"""customer, customer_name, one column per bucket label, total, overdue, oldest_days_overdue,
	open_invoices; sorted by overdue amount, largest first."""
	totals: dict[str, float] = field(default_factory=dict)
	"""bucket label → amount, plus ``total`` and ``overdue`` (everything but Not Due)."""


def _aging(led: _Ledger, as_of: DateLike, buckets: tuple[int, ...]) -> AgingResult:
	"""Aging on a prepared ledger (see :func:`aging`)."""
	day = _day(as_of)
	return _aging_of(led.inv, led.balances(day), led.post, led.due, day, buckets)


def _aging_of(
	inv: pd.DataFrame,
	bal: np.ndarray,
	post: np.ndarray,
	due: np.ndarray,
	day: np.datetime64,
	buckets: tuple[int, ...],
	customers: bool = True,
) -> AgingResult:
	"""Aging of the invoices ``inv`` (0-based index) whose balances at the end of ``day`` are ``bal``;
	``customers`` False leaves ``by_customer`` empty."""
	labels = bucket_labels(buckets)
	keep = (post <= day) & (np.abs(bal) >= AMOUNT_TOLERANCE)
	days = (day - due[keep]).astype(int)
	idx = bucket_index(days, buckets)
	by_invoice = pd.DataFrame(
		{
			"invoice": inv["invoice"].to_numpy()[keep],
			"customer": inv["customer"].to_numpy()[keep],
			"customer_name": (inv["customer_name"] if "customer_name" in inv else inv["customer"]).to_numpy()[
				keep
			],
			"due_date": pd.to_datetime(inv["due_date"]).to_numpy()[keep],
			"days_overdue": days,
			"bucket": pd.Categorical.from_codes(idx, labels, ordered=True),
			"outstanding": bal[keep],
		}
	)
	by_invoice = by_invoice.sort_values(["days_overdue", "outstanding"], ascending=False, ignore_index=True)
	amounts = np.bincount(idx, weights=bal[keep], minlength=len(labels))
	totals = {label: float(amounts[i]) for i, label in enumerate(labels)}
	totals["total"] = float(amounts.sum())
	totals["overdue"] = float(amounts[1:].sum())
	if not customers:
		return AgingResult(pd.Timestamp(day), labels, by_invoice, pd.DataFrame(), totals)

	grid = by_invoice.pivot_table(
		index="customer",
		columns="bucket",
		values="outstanding",
		aggfunc="sum",
		observed=False,
		fill_value=0.0,
	).reindex(columns=labels, fill_value=0.0)
	grid.columns = list(labels)
	grouped = by_invoice.groupby("customer", sort=False)
	by_customer = grid.assign(
		total=grid.sum(axis=1),
		overdue=grid[labels[1:]].sum(axis=1),
		oldest_days_overdue=grouped["days_overdue"].max().clip(lower=0).reindex(grid.index),
		open_invoices=grouped.size().reindex(grid.index),
	)
	by_customer.insert(0, "customer_name", grouped["customer_name"].first().reindex(grid.index))
	by_customer = by_customer.reset_index().rename(columns={"index": "customer"})
	by_customer = by_customer.sort_values(["overdue", "total", "customer"], ascending=[False, False, True])
	return AgingResult(pd.Timestamp(day), labels, by_invoice, by_customer.reset_index(drop=True), totals)


def aging(
	inv: pd.DataFrame,
	as_of: DateLike,
	buckets: tuple[int, ...] = DEFAULT_BUCKETS,
	events: pd.DataFrame | None = None,
) -> AgingResult:
	"""Open balances at the end of ``as_of`` by days overdue (as_of − due_date) and bucket.

	``buckets`` are ascending upper bounds in days (default 30/60/90/120); invoices with a zero
	balance are left out.
	"""
	return _aging(_Ledger(inv, events), as_of, _check_bounds(buckets))


def aging_of_balances(
	inv: pd.DataFrame, as_of: DateLike, buckets: tuple[int, ...] = DEFAULT_BUCKETS, customers: bool = True
) -> AgingResult:
	""":func:`aging` of a table whose ``outstanding`` is each invoice's balance at the end of ``as_of``
	(today's open invoices as the books keep them): no movements replayed. Needs ``invoice``,
	``customer``, ``posting_date``, ``due_date`` and ``outstanding`` (``customer_name`` optional);
	invoices posted after ``as_of`` are left out, as by :func:`aging`. ``customers`` False: only the
	invoices and totals (``by_customer`` left empty)."""
	inv = inv.reset_index(drop=True)
	bal = inv["outstanding"].astype(float).to_numpy()
	post, due = _days_of(inv["posting_date"]), _days_of(inv["due_date"])
	return _aging_of(inv, bal, post, due, _day(as_of), _check_bounds(buckets), customers)


# -------------------------------------------------------------------------------------------- formulas


def dso_standard(ar: float, credit_sales: float, days: int) -> float | None:
	"""Days sales outstanding, standard method: ``AR ÷ credit sales in the period × days in the period``.

	None when there were no credit sales.
	"""
	if credit_sales <= 0:
		return None
	return ar / credit_sales * days


def dso_countback(closing_ar: float, sales_by_period_newest_first: list[tuple[float, int]]) -> float:
	"""Countback DSO: how many days of the latest sales the closing AR represents.

	Walk back from the newest period: while the remaining AR exceeds a period's credit sales, subtract
	them and count all its days; in the period that uses the balance up, count ``days × remaining ÷
	sales``. If the sales run out first, every day available is counted. Unlike the standard formula,
	a seasonal peak in one month does not distort it. Example: AR 150, sales (100, 31 d) then (100, 30 d)
	→ 31 + 30 × 50/100 = 46.
	"""
	remaining = float(closing_ar)
	dso = 0.0
	for sales, days in sales_by_period_newest_first:
		if remaining <= 0:
			break
		if sales >= remaining:
			return dso + days * remaining / sales
		dso += days
		remaining -= max(sales, 0.0)
	return dso


def best_possible_dso(current_ar: float, credit_sales: float, days: int) -> float | None:
	"""Best possible DSO: ``current (not yet due) AR ÷ credit sales × days`` — the DSO if nothing were late.

	None when there were no credit sales.
	"""
	return dso_standard(current_ar, credit_sales, days)


def add(dso: float | None, bpdso: float | None) -> float | None:
	"""Average days delinquent: ``DSO − best possible DSO``; None if either is unknown."""
	if dso is None or bpdso is None or _isnan(dso) or _isnan(bpdso):
		return None
	return dso - bpdso


def cei(opening_ar: float, credit_sales: float, closing_ar: float, closing_current_ar: float) -> float | None:
	"""Collection effectiveness index, in percent.

	``(opening AR + credit sales − closing AR) ÷ (opening AR + credit sales − closing current AR) × 100``:
	what was collected out of what could have been (everything except what is not yet due). None when
	the denominator is 0.
	"""
	denominator = opening_ar + credit_sales - closing_current_ar
	if abs(denominator) < AMOUNT_TOLERANCE:
		return None
	return (opening_ar + credit_sales - closing_ar) / denominator * 100.0


def _isnan(x: float) -> bool:
	return isinstance(x, float) and x != x


# ------------------------------------------------------------------------------------- period figures


def _month_rows(led: _Ledger, first: np.datetime64, last_day: np.datetime64) -> list[dict]:
	"""Metrics for every calendar month from ``first`` (a month) to the one holding ``last_day``."""
	rows = []
	sales_hist = led.monthly_sales(last_day)  # newest first, last month cut at last_day
	n_hist = len(sales_hist)
	month = first
	last_month = last_day.astype("datetime64[M]")
	while month <= last_month:
		start = month.astype("datetime64[D]")
		end = min((month + 1).astype("datetime64[D]") - 1, last_day)
		days = int((end - start).astype(int)) + 1
		p = led.period(start, end)
		back = int((last_month - month).astype(int))  # months between this one and the newest
		history = [(p["credit_sales"], days)] + sales_hist[back + 1 : n_hist] if n_hist else []
		dso = dso_standard(p["closing_ar"], p["credit_sales"], days)
		bp = best_possible_dso(p["closing_current_ar"], p["credit_sales"], days)
		rows.append(
			{
				"month": str(month),
				"start": pd.Timestamp(start),
				"end": pd.Timestamp(end),
				"days": days,
				**p,
				"dso_standard": dso,
				"dso_countback": dso_countback(p["closing_ar"], history),
				"bpdso": bp,
				"add": add(dso, bp),
				"cei": cei(p["opening_ar"], p["credit_sales"], p["closing_ar"], p["closing_current_ar"]),
			}
		)
		month = month + 1
	return rows


MONTHLY_COLUMNS = [
	"month",
	"start",
	"end",
	"days",
	"credit_sales",
	"collected",
	"opening_ar",
	"closing_ar",
	"closing_current_ar",
	"dso_standard",
	"dso_countback",
	"bpdso",
	"add",
	"cei",
]


def monthly_metrics(
	inv: pd.DataFrame, start: DateLike, end: DateLike, events: pd.DataFrame | None = None
) -> pd.DataFrame:
	"""One row per calendar month from the month of ``start`` to the month of ``end``.

	The last month is cut at ``end`` (``days`` counts its days up to ``end``). Columns: ``month``
	("YYYY-MM"), ``start``/``end`` (first and last day covered), ``days``, ``credit_sales`` (grand
	totals posted in the month), ``collected`` (payments and credit notes in the month, positive),
	``opening_ar`` (end of the previous day), ``closing_ar``, ``closing_current_ar`` (closing balance of
	invoices not yet due at the month's last day), ``dso_standard`` (closing AR ÷ the month's sales ×
	days), ``dso_countback`` (closing AR counted back over this and earlier months), ``bpdso``, ``add``
	and ``cei``; undefined ratios are NaN.
	"""
	first, last = _day(start), _day(end)
	if last < first:
		raise ValueError(f"monthly_metrics: end {last} is before start {first}")
	led = _Ledger(inv, events)
	rows = _month_rows(led, first.astype("datetime64[M]"), last)
	out = pd.DataFrame(rows, columns=MONTHLY_COLUMNS)
	for col in ("dso_standard", "dso_countback", "bpdso", "add", "cei"):
		out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
	return out


def _round(x: float | None, digits: int = 2) -> float | None:
	"""A JSON-friendly number: rounded, None for missing."""
	if x is None or _isnan(float(x)):
		return None
	return round(float(x), digits)


def summary(
	inv: pd.DataFrame,
	as_of: DateLike,
	events: pd.DataFrame | None = None,
	buckets: tuple[int, ...] = DEFAULT_BUCKETS,
	top: int = 10,
) -> dict:
	"""The headline figures at ``as_of``, as a JSON-serialisable dict (what the reports display).

	Keys: ``as_of``; ``currency`` (the single currency, or None) and ``currencies``; ``bucket_labels``
	and ``buckets`` (amount per bucket); ``total_ar``, ``overdue``, ``not_due``, ``overdue_pct``;
	``open_invoices``, ``open_customers``, ``overdue_invoices``, ``overdue_customers``;
	``dso_window_days`` (90), ``credit_sales_window`` (sales posted in the 90 days ending at ``as_of``),
	``dso_standard`` (AR ÷ those sales × 90), ``bpdso`` (not-due AR on the same basis), ``add``
	(``dso_standard − bpdso``), ``dso_countback`` (AR counted back over the month of ``as_of`` and
	earlier months); ``cei_month`` and ``cei`` (the last full calendar month ending on or before
	``as_of``); ``top_overdue``: up to ``top`` customers with the largest overdue balance, each with
	``customer``, ``customer_name``, ``buckets``, ``total``, ``overdue``, ``oldest_days_overdue``,
	``open_invoices``.
	"""
	buckets = _check_bounds(buckets)
	led = _Ledger(inv, events)
	day = _day(as_of)
	ag = _aging(led, day, buckets)
	t = ag.totals
	window_start = day - (DSO_WINDOW_DAYS - 1)
	sales_window = float(led.total[(led.post >= window_start) & (led.post <= day)].sum())
	dso = dso_standard(t["total"], sales_window, DSO_WINDOW_DAYS)
	bp = best_possible_dso(t[NOT_DUE], sales_window, DSO_WINDOW_DAYS)
	# last full month: the month of as_of when as_of is its last day, else the month before
	month = day.astype("datetime64[M]")
	if (month + 1).astype("datetime64[D]") - 1 != day:
		month = month - 1
	m_start, m_end = month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]") - 1
	p = led.period(m_start, m_end)
	currencies = (
		sorted(c for c in inv.get("currency", pd.Series(dtype=str)).astype(str).unique() if c)
		if len(inv)
		else []
	)
	by_inv = ag.by_invoice
	overdue_rows = by_inv[by_inv["days_overdue"] > 0]
	top_rows = [
		{
			"customer": str(row["customer"]),
			"customer_name": str(row["customer_name"]),
			"buckets": {label: _round(row[label]) for label in ag.labels},
			"total": _round(row["total"]),
			"overdue": _round(row["overdue"]),
			"oldest_days_overdue": int(row["oldest_days_overdue"]),
			"open_invoices": int(row["open_invoices"]),
		}
		for _, row in ag.by_customer[ag.by_customer["overdue"] >= AMOUNT_TOLERANCE].head(top).iterrows()
	]
	return {
		"as_of": str(day),
		"currency": currencies[0] if len(currencies) == 1 else None,
		"currencies": currencies,
		"bucket_labels": ag.labels,
		"buckets": {label: _round(t[label]) for label in ag.labels},
		"total_ar": _round(t["total"]),
		"overdue": _round(t["overdue"]),
		"not_due": _round(t[NOT_DUE]),
		"overdue_pct": _round(
			t["overdue"] / t["total"] * 100 if abs(t["total"]) >= AMOUNT_TOLERANCE else None, 1
		),
		"open_invoices": int(len(by_inv)),
		"open_customers": int(by_inv["customer"].nunique()),
		"overdue_invoices": int(len(overdue_rows)),
		"overdue_customers": int(overdue_rows["customer"].nunique()),
		"dso_window_days": DSO_WINDOW_DAYS,
		"credit_sales_window": _round(sales_window),
		"dso_standard": _round(dso, 1),
		"bpdso": _round(bp, 1),
		"add": _round(add(dso, bp), 1),
		"dso_countback": _round(dso_countback(t["total"], led.monthly_sales(day)), 1),
		"cei_month": str(month),
		"cei": _round(cei(p["opening_ar"], p["credit_sales"], p["closing_ar"], p["closing_current_ar"]), 1),
		"top_overdue": top_rows,
	}


UNDATED_SHARE = 0.01
"""A month whose closing AR depends on money of unknown date for this share or more is left out of a
trend (1 %)."""


def undated_payments(inv: pd.DataFrame) -> pd.Series:
	"""What the invoice table says was paid without saying when: for each invoice without a settled date
	that owes less than its total (partly paid, or paid in full in a table without payment dates),
	``grand_total − outstanding`` (index: the table's). Zero elsewhere. :func:`events_from_invoices`
	books that money on the report date."""
	total = inv["grand_total"].astype(float)
	paid = total - inv["outstanding"].astype(float)
	open_ = pd.to_datetime(inv["settled_date"]).isna()
	return paid.where(open_ & (paid >= AMOUNT_TOLERANCE), 0.0)


def mark_trend(monthly: pd.DataFrame, inv: pd.DataFrame, events_known: bool = False) -> pd.DataFrame:
	""":func:`monthly_metrics` rows (computed without an events table) with what a report must know
	before charting them:

	- ``partial``: the month ends before its last day (the report date falls inside it): its ratios
	  are not comparable with full months;
	- ``undated_paid``: money paid on invoices posted by the month's end, on a date the table does not
	  give (:func:`undated_payments`), hence counted as still owed at the month's end and as
	  collected on the report date;
	- ``left_out``: why the month's ratios, collections and balances are not to be shown ("" when
	  they are): the partial month, or ``undated_paid`` at least :data:`UNDATED_SHARE` of its closing
	  AR.

	``events_known``: the trend was computed from real movements (an events table), so no money is of
	unknown date.
	"""
	out = monthly.copy()
	if out.empty:
		return out.assign(partial=pd.Series(dtype=bool), undated_paid=0.0, left_out="")
	starts = pd.to_datetime(out["start"])
	full = (starts + pd.offsets.MonthEnd(0)).dt.normalize()
	out["partial"] = (pd.to_datetime(out["end"]) < full).to_numpy()
	paid = undated_payments(inv) * (0.0 if events_known else 1.0)
	post = _days_of(inv["posting_date"])
	ends = _days_of(out["end"])
	has = paid.to_numpy() > 0
	out["undated_paid"] = [float(paid.to_numpy()[has & (post <= e)].sum()) for e in ends]
	share = out["undated_paid"] / out["closing_ar"].abs().where(out["closing_ar"].abs() >= AMOUNT_TOLERANCE)
	undated = (out["undated_paid"] >= AMOUNT_TOLERANCE) & ~(share < UNDATED_SHARE)
	reasons = []
	for partial, und, end in zip(out["partial"], undated, ends, strict=True):
		if partial:
			reasons.append(f"month cut short: ends on the report date {pd.Timestamp(end):%d %b}")
		elif und:
			reasons.append("partial payments of unknown date")
		else:
			reasons.append("")
	out["left_out"] = reasons
	return out
