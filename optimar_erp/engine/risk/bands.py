"""Risk bands and expected payment dates: what Low, Medium, High and Critical mean, in one place.

A band says **how late the money is expected**, not how likely a payment is to be late at all (most
B2B invoices are paid a few days late; "78 % likely late" put most of a book in Critical and said
nothing a collector could act on). Each open invoice gets an expected payment date and so an expected
number of days late (payment date − due date); the thresholds below turn days late into a 0-100 score
and a band:

========  ==================================  ===========
band      expected days late                  score
========  ==================================  ===========
Low       under 7 (on time, or a few days)    0 to < 25
Medium    7 to < 21 (up to three weeks)        25 to < 50
High      21 to < 60                          50 to < 75
Critical  60 or more                          75 to 100
========  ==================================  ===========

The score rises linearly between the points of :data:`SCORE_AT_DAYS_LATE` (0 days → 0, 7 → 25,
21 → 50, 60 → 75, 120 → 100, capped at 100). A customer's score is the outstanding-weighted mean of its
open invoices' scores (:func:`~optimar_erp.engine.risk.model.customer_scores`), so a customer is
Critical when most of its open money is expected 60 or more days after its due dates.

**Expected payment date** of an open invoice:

- not yet overdue: the model's prediction (posting date + predicted days to settle; the median of the
  days-late regressor), never before the day after ``as_of``;
- already *D* days overdue (the model's prediction, made for the posting date, is stale: the invoice
  is late whatever it said): due date + the median days late of the customer's invoices that were paid
  **more than D days late** (at least :data:`MIN_CONDITIONAL_PAID` of them); with fewer, the same median
  over all customers' invoices paid more than D days late; with fewer still (nobody ever paid this
  late), :data:`BEYOND_HISTORY_DAYS` after ``as_of``. Invoices still unpaid are not in these medians
  (they have no payment date yet), so the estimate leans early for a customer that has stopped paying;
  its older unpaid invoices show in its other open items.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORE_AT_DAYS_LATE: tuple[tuple[float, float], ...] = ((0, 0), (7, 25), (21, 50), (60, 75), (120, 100))
"""(expected days late, score) points; the score is linear between them and 0 / 100 outside."""

BANDS: tuple[tuple[float, str], ...] = ((25.0, "Low"), (50.0, "Medium"), (75.0, "High"), (101.0, "Critical"))
"""Upper bounds (exclusive) of the score bands: 25, 50 and 75 are 7, 21 and 60 expected days late."""

BAND_NAMES: tuple[str, ...] = tuple(name for _bound, name in BANDS)

MIN_CONDITIONAL_PAID = 3
"""Fewest invoices paid later than an overdue invoice already is for their median to be used."""

BEYOND_HISTORY_DAYS = 30
"""Expected payment this many days after ``as_of`` for an invoice later than any paid so far."""

BASIS = {
	"model": "the model's prediction",
	"customer": "the customer's invoices paid this late",
	"everyone": "all customers' invoices paid this late",
	"beyond": "later than any invoice paid so far",
}
"""How an expected payment date was found (the ``pay_date_basis`` column of a prediction)."""


def score_of_days_late(days_late) -> np.ndarray:
	"""0-100 risk score of expected days late (see :data:`SCORE_AT_DAYS_LATE`; NaN counts as 0)."""
	d = np.nan_to_num(np.asarray(days_late, dtype=float), nan=0.0)
	xs, ys = zip(*SCORE_AT_DAYS_LATE, strict=True)
	return np.interp(d, xs, ys)


def band_of(score) -> np.ndarray:
	"""Band name of each score: Low < 25 ≤ Medium < 50 ≤ High < 75 ≤ Critical (NaN: "")."""
	s = np.asarray(score, dtype=float)
	out = np.full(s.shape, "", dtype=object)
	lower = -np.inf
	for bound, name in BANDS:
		out[(s >= lower) & (s < bound)] = name
		lower = bound
	return out


def _conditional_median(keys: np.ndarray, values: np.ndarray, q_keys: np.ndarray, q_days: np.ndarray):
	"""For each query, the (lower) median and count of ``values`` > ``q_days`` within its key's group.

	``keys``/``values`` sorted by (key, value); all integer-valued floats."""
	start = np.searchsorted(keys, q_keys, side="left")
	end = np.searchsorted(keys, q_keys, side="right")
	# first value > q_days inside the group: search the composite (key, value) order
	big = float(2**21)
	comp = keys * big + values
	pos = np.searchsorted(comp, q_keys * big + q_days, side="right")
	pos = np.clip(pos, start, end)
	n = end - pos
	mid = np.clip(pos + (n - 1) // 2, 0, max(len(values) - 1, 0))
	median = values[mid] if len(values) else np.zeros(len(q_keys))
	return np.where(n > 0, median, np.nan), n


def overdue_days_late(
	history: pd.DataFrame, customers: pd.Series, days_overdue: np.ndarray, as_of: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray]:
	"""Expected days late of invoices already ``days_overdue`` (> 0) days past due on ``as_of``.

	Returns (days late, basis) per query: the median days late of the customer's invoices paid (by
	``as_of``) more than ``days_overdue`` days late, else of everyone's, else ``days_overdue`` +
	:data:`BEYOND_HISTORY_DAYS`; basis is "customer", "everyone" or "beyond" (see :data:`BASIS`).
	"""
	as_of = pd.Timestamp(as_of)
	d = np.asarray(days_overdue, dtype=float)
	paid = history["settled_date"].notna() & (history["settled_date"] <= as_of)
	late = (history["settled_date"][paid] - history["due_date"][paid]).dt.days.to_numpy(dtype=float)
	late = np.clip(late, -(2**19), 2**20)  # keeps the composite sort key exact
	names = pd.Index(pd.unique(pd.concat([history["customer"][paid], customers]).astype(str)))
	codes = names.get_indexer(history["customer"][paid].astype(str)).astype(float)
	order = np.lexsort((late, codes))
	keys, values = codes[order], late[order]
	q_codes = names.get_indexer(pd.Series(customers).astype(str)).astype(float)
	own, n_own = _conditional_median(keys, values, q_codes, d)
	pooled_values = np.sort(late)
	everyone, n_all = _conditional_median(np.zeros(len(pooled_values)), pooled_values, np.zeros(len(d)), d)
	use_own = n_own >= MIN_CONDITIONAL_PAID
	use_all = ~use_own & (n_all >= MIN_CONDITIONAL_PAID)
	days = np.where(use_own, own, np.where(use_all, everyone, d + BEYOND_HISTORY_DAYS))
	basis = np.where(use_own, "customer", np.where(use_all, "everyone", "beyond")).astype(object)
	return days, basis
