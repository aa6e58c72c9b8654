"""Leak-free payment-behaviour features, one row per invoice, as known on the invoice's posting date.

For an invoice of customer *c* posted on day *t*, every feature is computed from the customer's other
invoices as they stood at the start of day *t*:

- **settled history**: the customer's invoices with ``settled_date < t`` (strictly before). Their
  count ``n_hist``, late rate (late = settled after the due date), mean/std of days late and
  mean/median/std of days to settle (settled − posted), an amount-weighted late rate, the same over the
  last :data:`LAST_N` settlements, a recency-weighted (exponential decay, half-life :data:`HALF_LIFE_DAYS`) late rate and
  days late, trends (last-N mean minus all-time mean), the last settlement's days late and how long ago
  it was;
- **open items**: invoices posted strictly before *t* and not settled before *t*: count, amount,
  age of the oldest, and how many (and how much) were already past their due date, with the days past
  due of the most overdue one; how many invoices were posted in the last 7 and 90 days;
- **the invoice itself**: amount, amount ÷ the customer's median amount of its earlier invoices
  (posted strictly before *t*), terms (due − posted days), calendar of the due date (month, weekday,
  day of month, month end, weekend) and of the posting date;
- **learned payment-run days**: the share of the customer's past settlements on its most usual weekday
  and on its most usual day of the month (the last day of a month counts as "month end"), and how many
  days after the due date that usual weekday / day comes next; how the customer paid invoices falling
  due on the same weekday as this one (count, late rate — raw, smoothed towards its overall late rate,
  and recency-weighted — and mean days late);
- **recurring amounts**: how many earlier invoices of the same customer for the same amount were
  settled, and their late rate (subscriptions and instalments tend to be paid the same way);
- **bounced cheques** (when ``history`` has a ``cheque_bounced_on`` column, the day a post-dated
  cheque given for that invoice bounced): how many of the customer's invoices had a cheque bounce in the
  :data:`BOUNCE_WINDOW_DAYS` days before *t* (``bounced_cheques_365d``);
- optional one-hot columns for categorical fields (country, channel, currency) with a fixed list of
  categories (so the columns do not depend on the data scored).

Nothing from on or after *t* is used, so pushing later settlements further out, or adding invoices
posted later, leaves an invoice's features unchanged (tests check both). Customers without settled
history get NaN history features and ``n_hist = 0``; the models impute them with global priors.

Everything is vectorised: customers are factorised to integer codes, each event table is sorted by
``(customer, day)`` and encoded as one int64 key ``code * 2**25 + day``, so one ``np.searchsorted``
finds, for every query at once, the slice of the customer's events before *t*; cumulative sums turn
slices into counts, sums and means.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

LAST_N = 5
"""How many of the most recent settlements the ``last_*`` features look at."""

LONG_N = 20
"""Window of the ``last20_late_rate`` feature."""

SHORT_HALF_LIFE_DAYS = 14.0
"""Half-life of the short-memory recency weights (``decay14_late_rate``)."""

HALF_LIFE_DAYS = 60.0
"""Half-life of the recency weights: a settlement 60 days older counts half as much."""

DEFAULT_CATEGORICALS: tuple[str, ...] = ("country", "channel", "currency")
"""Categorical fields one-hot encoded when categories are given (see :func:`learn_categories`)."""

MAX_CATEGORIES = 8
"""Most frequent values kept per categorical field by :func:`learn_categories`."""

SAME_WEEKDAY_HALF_LIFE_DAYS = 45.0
"""Half-life of the recency weights of ``same_weekday_decay_late_rate``."""

SMOOTHING = 3.0
"""Pseudo-invoices at the customer's overall late rate in ``same_weekday_late_smooth``."""

BOUNCE_WINDOW_DAYS = 365
"""How far back ``bounced_cheques_365d`` counts bounced cheques."""

BOUNCED_ON = "cheque_bounced_on"
"""Optional history column: the day a cheque given for the invoice bounced (empty: none did)."""

PRIOR_LATE_RATE = 0.4
"""Late rate assumed for the smoothing of a customer without settled history."""

_SHIFT = np.int64(1 << 25)  # room for any day number below
_DAY0 = np.datetime64("1900-01-01", "D")
_NEVER = np.int64((1 << 24) - 1)  # "not settled": a day after any real date

HISTORY_FEATURES: tuple[str, ...] = (
	"late_rate",
	"late_rate_amount",
	"days_late_mean",
	"days_late_std",
	"days_to_settle_mean",
	"days_to_settle_median",
	"days_to_settle_std",
	"last_late_rate",
	"last_days_late_mean",
	"last_days_to_settle_mean",
	"decay_late_rate",
	"decay_days_late",
	"days_late_trend",
	"days_to_settle_trend",
	"last_days_late",
	"days_since_last_settlement",
	"run_weekday_share",
	"run_weekday_gap",
	"run_dom_share",
	"run_dom_gap",
	"month_end_share",
	"same_weekday_days_late",
	"same_weekday_decay_late_rate",
)
"""Features that are NaN for a customer without settled history (``n_hist == 0``)."""

RATE_FEATURES: tuple[str, ...] = ("late_rate", "late_rate_amount", "last_late_rate", "decay_late_rate")
"""History features that are late rates: the models impute them with the training late rate."""


def day_numbers(dates: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
	"""Dates as int64 day numbers (days since 1900-01-01); missing dates become a far-future day."""
	values = np.asarray(dates, dtype="datetime64[ns]")
	missing = np.isnat(values)
	days = (values.astype("datetime64[D]") - _DAY0).astype(np.int64)
	days[missing] = _NEVER
	return days


def _cum(values: np.ndarray) -> np.ndarray:
	"""Exclusive cumulative sums along axis 0: ``out[i] = values[:i].sum(axis=0)``."""
	values = np.asarray(values, dtype=np.float64)
	zero = np.zeros((1,) + values.shape[1:])
	return np.concatenate([zero, np.cumsum(values, axis=0)])


def _window(cs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
	"""Sum of the rows ``lo:hi`` for each pair, from exclusive cumulative sums ``cs``."""
	return cs[hi] - cs[lo]


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
	"""num / den, NaN where den is 0."""
	num = np.asarray(num, dtype=float)
	den = np.asarray(den, dtype=float)
	out = np.full(np.broadcast(num, den).shape, np.nan)
	np.divide(num, den, out=out, where=den != 0)
	return out


def learn_categories(
	invoices: pd.DataFrame,
	columns: Sequence[str] = DEFAULT_CATEGORICALS,
	max_categories: int = MAX_CATEGORIES,
	min_count: int = 20,
) -> dict[str, list[str]]:
	"""The most frequent non-empty values of each categorical column (at least ``min_count`` rows each).

	Columns with fewer than two such values are left out (a constant column carries no information).
	"""
	out: dict[str, list[str]] = {}
	for col in columns:
		if col not in invoices:
			continue
		counts = invoices[col].astype(str).str.strip()
		counts = counts[counts != ""].value_counts()
		keep = counts[counts >= min_count].index[:max_categories].tolist()
		if len(keep) >= 2:
			out[col] = sorted(keep)
	return out


@dataclass(frozen=True)
class _History:
	"""The history table as arrays, one entry per invoice (days as :func:`day_numbers`)."""

	code: np.ndarray
	"""customer code (shared with the queries)"""
	post: np.ndarray
	due: np.ndarray
	sett: np.ndarray
	"""settled day, :data:`_NEVER` when not settled (or settled after ``as_of``)"""
	amt: np.ndarray


@dataclass(frozen=True)
class _Queries:
	"""The invoices to describe as arrays; ``key`` = ``base + t`` is the search key of "before t"."""

	t: np.ndarray
	"""posting day"""
	due: np.ndarray
	amt: np.ndarray
	base: np.ndarray
	"""``code * _SHIFT``: the search key of the customer's first event"""
	key: np.ndarray


@dataclass(frozen=True)
class _Settled:
	"""The settled history sorted by (customer, settled day), and per query the slice ``lo:hi`` of its
	customer's settlements strictly before t."""

	code: np.ndarray
	day: np.ndarray
	post: np.ndarray
	due: np.ndarray
	amt: np.ndarray
	key: np.ndarray
	lo: np.ndarray
	hi: np.ndarray
	n: np.ndarray
	"""settlements before t (float)"""
	late: np.ndarray
	"""1.0 when settled after the due date"""
	dlate: np.ndarray
	"""days late (settled − due)"""
	cs: np.ndarray
	"""exclusive cumulative sums of late, dlate, dlate², days to settle, its square, late·amount, amount"""
	tot: np.ndarray
	"""``cs`` summed over each query's slice"""
	prev: np.ndarray
	"""position of each query's latest settlement (meaningful where ``has``)"""
	has: np.ndarray
	"""the query's customer has a settlement before t"""
	age: np.ndarray
	"""each settlement's days since its customer's first settlement"""


def _encode(
	history: pd.DataFrame, queries: pd.DataFrame, as_of: pd.Timestamp | str | None
) -> tuple[_History, _Queries]:
	"""Both tables as arrays with shared customer codes; settlements after ``as_of`` count as none."""
	settled_dates = history["settled_date"]
	if as_of is not None:
		settled_dates = settled_dates.where(settled_dates <= pd.Timestamp(as_of))
	codes, _ = pd.factorize(
		pd.concat([history["customer"], queries["customer"]], ignore_index=True).astype(str)
	)
	code_q = codes[len(history) :].astype(np.int64)
	h = _History(
		code=codes[: len(history)].astype(np.int64),
		post=day_numbers(history["posting_date"]),
		due=day_numbers(history["due_date"]),
		sett=day_numbers(settled_dates),
		amt=history["grand_total"].to_numpy(dtype=float),
	)
	t = day_numbers(queries["posting_date"])
	base_q = code_q * _SHIFT
	q = _Queries(
		t=t,
		due=day_numbers(queries["due_date"]),
		amt=queries["grand_total"].to_numpy(dtype=float),
		base=base_q,
		key=base_q + t,
	)
	return h, q


def _settled(h: _History, q: _Queries) -> _Settled:
	"""The settled history of ``h`` sorted and sliced for the queries ``q`` (see :class:`_Settled`)."""
	is_set = h.sett != _NEVER
	order = np.lexsort((h.sett[is_set], h.code[is_set]))
	s_code = h.code[is_set][order]
	s_day = h.sett[is_set][order]
	s_post = h.post[is_set][order]
	s_due = h.due[is_set][order]
	s_amt = h.amt[is_set][order]
	s_key = s_code * _SHIFT + s_day
	lo = np.searchsorted(s_key, q.base, "left")
	hi = np.searchsorted(s_key, q.key, "left")
	late = (s_day > s_due).astype(float)
	dlate = (s_day - s_due).astype(float)
	dts = (s_day - s_post).astype(float)
	cs = _cum(np.column_stack([late, dlate, dlate**2, dts, dts**2, late * s_amt, s_amt]))
	return _Settled(
		code=s_code,
		day=s_day,
		post=s_post,
		due=s_due,
		amt=s_amt,
		key=s_key,
		lo=lo,
		hi=hi,
		n=(hi - lo).astype(float),
		late=late,
		dlate=dlate,
		cs=cs,
		tot=_window(cs, lo, hi),
		prev=np.clip(hi - 1, 0, max(len(s_day) - 1, 0)),
		has=hi > lo,
		age=s_day - s_day[np.searchsorted(s_key, s_code * _SHIFT, "left")],
	)


def _history_stats(s: _Settled, q: _Queries) -> dict[str, np.ndarray]:
	"""Counts, late rates and days late over all, the last :data:`LAST_N` / :data:`LONG_N` and the last 30
	days of settlements, their trends and the latest settlement (NaN without history)."""
	f: dict[str, np.ndarray] = {}
	n, tot, cs, lo, hi = s.n, s.tot, s.cs, s.lo, s.hi
	f["n_hist"] = n
	f["late_count"] = np.where(n > 0, tot[:, 0], 0.0)
	f["late_rate"] = _div(tot[:, 0], n)
	f["late_rate_amount"] = _div(tot[:, 5], tot[:, 6])
	f["days_late_mean"] = _div(tot[:, 1], n)
	f["days_late_std"] = np.sqrt(np.clip(_div(tot[:, 2], n) - f["days_late_mean"] ** 2, 0, None))
	f["days_to_settle_mean"] = _div(tot[:, 3], n)
	f["days_to_settle_std"] = np.sqrt(np.clip(_div(tot[:, 4], n) - f["days_to_settle_mean"] ** 2, 0, None))
	f["days_to_settle_median"] = _median_before(s, s.day - s.post)
	last_lo = np.maximum(lo, hi - LAST_N)
	n_last = (hi - last_lo).astype(float)
	last = _window(cs, last_lo, hi)
	f["last_n"] = n_last
	f["last_late_count"] = np.where(n_last > 0, last[:, 0], 0.0)
	f["last_late_rate"] = _div(last[:, 0], n_last)
	f["last_days_late_mean"] = _div(last[:, 1], n_last)
	f["last_days_to_settle_mean"] = _div(last[:, 3], n_last)
	lo30 = np.searchsorted(s.key, q.key - 30, "left")
	win30 = _window(cs, lo30, hi)
	f["n_settled_30d"] = (hi - lo30).astype(float)
	f["late_rate_30d"] = _div(win30[:, 0], f["n_settled_30d"])
	f["days_late_mean_30d"] = _div(win30[:, 1], f["n_settled_30d"])
	long_lo = np.maximum(lo, hi - LONG_N)
	f["last20_late_rate"] = _div(_window(cs, long_lo, hi)[:, 0], (hi - long_lo).astype(float))
	dlate = s.dlate
	near = _cum(np.column_stack([(dlate >= -3) & (dlate <= 0), (dlate > 0) & (dlate <= 3)]))
	near_tot = _window(near, lo, hi)
	f["share_just_on_time"] = _div(near_tot[:, 0], n)
	f["share_just_late"] = _div(near_tot[:, 1], n)
	f["days_late_trend"] = f["last_days_late_mean"] - f["days_late_mean"]
	f["days_to_settle_trend"] = f["last_days_to_settle_mean"] - f["days_to_settle_mean"]
	if len(s.day):
		f["last_days_late"] = np.where(s.has, dlate[s.prev], np.nan)
		f["days_since_last_settlement"] = np.where(s.has, q.t - s.day[s.prev], np.nan)
	else:
		f["last_days_late"] = np.full(len(q.t), np.nan)
		f["days_since_last_settlement"] = np.full(len(q.t), np.nan)
	return f


def _median_before(s: _Settled, values: np.ndarray) -> np.ndarray:
	"""Per query, the median of ``values`` (one per settlement, in ``s`` order) over its customer's
	settlements strictly before t (NaN without any): the expanding median per customer, read at the
	query's latest settlement (each slice ``lo:hi`` starts at the customer's first settlement)."""
	if not len(values):
		return np.full(len(s.hi), np.nan)
	running = (
		pd.Series(np.asarray(values, dtype=float)).groupby(s.code, sort=False).expanding().median()
	).to_numpy()
	return np.where(s.has, running[s.prev], np.nan)


def _decay_features(s: _Settled, q: _Queries) -> dict[str, np.ndarray]:
	"""Recency-weighted late rate and days late (half-lives :data:`HALF_LIFE_DAYS` and
	:data:`SHORT_HALF_LIFE_DAYS`), NaN without history.

	The weights are w = 2 ** ((settled − t) / half-life); the factor 2 ** (-t / hl) cancels in the
	ratios, so per-customer cumulative sums of 2 ** ((settled − first settled) / hl) are enough (and
	start from zero for each customer, so there is no cancellation between customers)."""
	names = ("decay_late_rate", "decay_days_late", "decay14_late_rate")
	if not len(s.day):
		return {name: np.full(len(q.t), np.nan) for name in names}
	prev, has, late = s.prev, s.has, s.late
	w = np.exp2(s.age / HALF_LIFE_DAYS)
	grp = pd.Series(s.code)
	wsum = pd.Series(w).groupby(grp).cumsum().to_numpy()
	wlate = pd.Series(w * late).groupby(grp).cumsum().to_numpy()
	wdl = pd.Series(w * s.dlate).groupby(grp).cumsum().to_numpy()
	w2 = np.exp2(np.minimum(s.age / SHORT_HALF_LIFE_DAYS, 1000.0))
	w2sum = pd.Series(w2).groupby(grp).cumsum().to_numpy()
	w2late = pd.Series(w2 * late).groupby(grp).cumsum().to_numpy()
	return {
		"decay_late_rate": np.where(has, _div(wlate[prev], wsum[prev]), np.nan),
		"decay_days_late": np.where(has, _div(wdl[prev], wsum[prev]), np.nan),
		"decay14_late_rate": np.where(has, _div(w2late[prev], w2sum[prev]), np.nan),
	}


@dataclass(frozen=True)
class _DueCalendar:
	"""Calendar of the queries' due dates."""

	dates: np.ndarray
	"""datetime64[D]"""
	weekday: np.ndarray
	"""Monday = 0"""
	dom: np.ndarray
	month_end: np.ndarray


def _due_calendar(due_q: np.ndarray) -> _DueCalendar:
	"""Weekday, day of month and month end of the due days ``due_q``."""
	q_dates = _DAY0 + due_q.astype("timedelta64[D]")
	return _DueCalendar(
		dates=q_dates,
		weekday=(q_dates.astype(np.int64) + 3) % 7,
		dom=_dom(q_dates),
		month_end=_is_month_end(q_dates),
	)


def _run_day_features(s: _Settled, cal: _DueCalendar, late_rate: np.ndarray) -> dict[str, np.ndarray]:
	"""Learned payment-run days from weekday and day-of-month histograms of past settlements, and how
	invoices falling due on the query's due weekday were paid (``late_rate``: the overall late rate the
	smoothed one shrinks towards)."""
	lo, hi, n, late, has = s.lo, s.hi, s.n, s.late, s.has
	s_dates = _DAY0 + s.day.astype("timedelta64[D]")
	s_wd = (s_dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
	s_dom = _dom(s_dates)
	s_eom = _is_month_end(s_dates)
	wd_cs = _cum(np.eye(7, dtype=np.float32)[s_wd]) if len(s.day) else np.zeros((1, 7))
	dom_idx = np.where(s_eom, 0, s_dom)  # 0 = month end, 1..30 = day of month
	dom_cs = _cum(np.eye(31, dtype=np.float32)[dom_idx]) if len(s.day) else np.zeros((1, 31))
	wd_counts = _window(wd_cs, lo, hi)
	s_due_wd = s.due % 7  # day 0 = 1900-01-01, a Monday
	due_wd_late = _cum(np.column_stack([np.eye(7)[s_due_wd], np.eye(7)[s_due_wd] * late[:, None]]))
	same = _window(due_wd_late, lo, hi)
	dom_counts = _window(dom_cs, lo, hi)
	due_wd = cal.weekday
	rows = np.arange(len(due_wd))
	f: dict[str, np.ndarray] = {}
	f["same_weekday_n"] = same[rows, due_wd]
	f["same_weekday_late_rate"] = _div(same[rows, 7 + due_wd], same[rows, due_wd])
	# … smoothed towards the customer's overall late rate (SMOOTHING pseudo-invoices), their mean days
	# late, and a recency-weighted late rate (half-life SAME_WEEKDAY_HALF_LIFE_DAYS)
	wd_dl = _window(_cum(np.eye(7)[s_due_wd] * s.dlate[:, None]), lo, hi)
	f["same_weekday_days_late"] = _div(wd_dl[rows, due_wd], same[rows, due_wd])
	overall = np.nan_to_num(late_rate, nan=PRIOR_LATE_RATE)
	f["same_weekday_late_smooth"] = _div(
		same[rows, 7 + due_wd] + SMOOTHING * overall, same[rows, due_wd] + SMOOTHING
	)
	f["same_weekday_decay_late_rate"] = _same_weekday_decay(s.code, s.age, s_due_wd, late, s.prev, has)[
		rows, due_wd
	]
	top_wd = wd_counts.argmax(axis=1)
	top_dom = dom_counts.argmax(axis=1)
	f["run_weekday_share"] = _div(wd_counts.max(axis=1), n)
	f["run_weekday_gap"] = np.where(has, (top_wd - due_wd) % 7, np.nan)
	f["run_dom_share"] = _div(dom_counts.max(axis=1), n)
	dom_gap = np.where(
		top_dom == 0, np.where(cal.month_end, 0, _days_to_month_end(cal.dates)), (top_dom - cal.dom) % 30
	)
	f["run_dom_gap"] = np.where(has, dom_gap, np.nan)
	f["month_end_share"] = _div(dom_counts[:, 0], n)
	return f


@dataclass(frozen=True)
class _Posted:
	"""The history sorted by (customer, posting day), and per query the slice ``lo:hi`` of its customer's
	invoices posted strictly before t."""

	order: np.ndarray
	"""positions in the history, in that order"""
	key: np.ndarray
	amt: np.ndarray
	lo: np.ndarray
	hi: np.ndarray
	n: np.ndarray
	"""invoices posted before t (float)"""


def _posted(h: _History, q: _Queries) -> _Posted:
	"""The posted invoices of ``h`` sorted and sliced for the queries ``q`` (see :class:`_Posted`)."""
	order_p = np.lexsort((h.post, h.code))
	p_key = h.code[order_p] * _SHIFT + h.post[order_p]
	lo_p = np.searchsorted(p_key, q.base, "left")
	m = np.searchsorted(p_key, q.key, "left")
	return _Posted(order=order_p, key=p_key, amt=h.amt[order_p], lo=lo_p, hi=m, n=(m - lo_p).astype(float))


def _open_item_features(h: _History, q: _Queries, p: _Posted, s: _Settled) -> dict[str, np.ndarray]:
	"""Open items at t (posted before t, not settled before t), posting volume, tenure and the age of
	the oldest open item."""
	t, lo_p, m = q.t, p.lo, p.hi
	posted_sum = _window(_cum(p.amt[:, None]), lo_p, m)
	post_sorted = h.post[p.order]
	f: dict[str, np.ndarray] = {}
	f["open_count"] = p.n - s.n
	f["open_amount"] = np.round(np.clip(posted_sum[:, 0] - s.tot[:, 6], 0, None), 2)
	f["n_invoices_before"] = p.n
	f["invoices_last_90d"] = (m - np.searchsorted(p.key, q.key - 90, "left")).astype(float)
	f["invoices_last_7d"] = (m - np.searchsorted(p.key, q.key - 7, "left")).astype(float)
	f["tenure_days"] = np.where(m > lo_p, t - _take(post_sorted, lo_p), np.nan)
	# oldest open: first invoice (by posting) whose settlement is on/after t = first where the running
	# max of settled days reaches t; it is open at t when it was posted before t.
	pmax = pd.Series(h.sett[p.order]).groupby(h.code[p.order]).cummax().to_numpy()
	j = np.searchsorted(h.code[p.order] * _SHIFT + pmax, q.key, "left")
	f["oldest_open_age"] = np.where(j < m, t - _take(post_sorted, j), 0.0)
	return f


def _overdue_features(h: _History, q: _Queries) -> dict[str, np.ndarray]:
	"""Items overdue at t (due < t <= settled: #{due < t} − #{max(due, settled) < t}), their amount and
	the days past due of the most overdue one."""
	order_d = np.lexsort((h.due, h.code))
	d_key = h.code[order_d] * _SHIFT + h.due[order_d]
	end_h = np.maximum(h.due, h.sett)
	order_e = np.lexsort((end_h, h.code))
	e_key = h.code[order_e] * _SHIFT + end_h[order_e]
	cs_d = _cum(h.amt[order_d])
	cs_e = _cum(h.amt[order_e])
	d_hi = np.searchsorted(d_key, q.key, "left")
	e_hi = np.searchsorted(e_key, q.key, "left")
	d_lo = np.searchsorted(d_key, q.base, "left")
	e_lo = np.searchsorted(e_key, q.base, "left")
	f: dict[str, np.ndarray] = {}
	f["overdue_count"] = ((d_hi - d_lo) - (e_hi - e_lo)).astype(float)
	f["overdue_amount"] = np.round(np.clip(_window(cs_d, d_lo, d_hi) - _window(cs_e, e_lo, e_hi), 0, None), 2)
	pmax_d = pd.Series(h.sett[order_d]).groupby(h.code[order_d]).cummax().to_numpy()
	jd = np.searchsorted(h.code[order_d] * _SHIFT + pmax_d, q.key, "left")
	jd_due = _take(h.due[order_d], jd)
	has_od = (jd < d_hi) & (jd_due < q.t)
	f["max_days_overdue"] = np.where(has_od, q.t - jd_due, 0.0)
	return f


def _invoice_features(
	h: _History, q: _Queries, p: _Posted, cal: _DueCalendar, f: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
	"""The invoice itself: amount (also against the median of the customer's earlier invoices), terms
	(also against its usual terms and its days to settle) and the calendar of its due and posting dates;
	``f`` holds the features computed so far (open amount, days to settle)."""
	t, amt_q = q.t, q.amt
	med = (
		pd.Series(p.amt)
		.groupby(h.code[p.order])
		.expanding()
		.median()
		.reset_index(level=0, drop=True)
		.sort_index()
		.to_numpy()
	)
	med_before = np.where(p.hi > p.lo, _take(med, p.hi - 1), np.nan)
	out: dict[str, np.ndarray] = {}
	out["amount"] = amt_q
	out["log_amount"] = np.log1p(np.clip(amt_q, 0, None))
	out["amount_ratio"] = _div(amt_q, med_before)
	out["open_amount_ratio"] = _div(f["open_amount"], med_before)
	out["terms_days"] = (q.due - t).astype(float)
	cs_terms = _cum((h.due[p.order] - h.post[p.order]).astype(float))
	out["terms_vs_usual"] = out["terms_days"] - _div(_window(cs_terms, p.lo, p.hi), p.n)
	out["settle_vs_terms"] = f["days_to_settle_mean"] - out["terms_days"]
	out["due_weekday"] = cal.weekday.astype(float)
	out["due_day"] = cal.dom.astype(float)
	out["due_month_end"] = cal.month_end.astype(float)
	out["due_weekend"] = (cal.weekday >= 5).astype(float)
	out["posting_weekday"] = ((_DAY0 + t.astype("timedelta64[D]")).astype(np.int64) + 3) % 7 * 1.0
	return out


def _one_hot(out: pd.DataFrame, queries: pd.DataFrame, categories: Mapping[str, Sequence[str]]) -> None:
	"""Add (in place) a 0/1 column ``<field>=<value>`` for every given category value."""
	for col, values in categories.items():
		text = queries[col].astype(str).str.strip() if col in queries else pd.Series("", index=queries.index)
		for value in values:
			out[f"{col}={value}"] = (text == value).to_numpy(dtype=float)


def build_features(
	history: pd.DataFrame,
	queries: pd.DataFrame | None = None,
	*,
	as_of: pd.Timestamp | str | None = None,
	categories: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
	"""Features of each invoice in ``queries`` (default: ``history``) as known on its posting date.

	``history`` is the invoice table (engine schema: customer, posting_date, due_date, grand_total,
	settled_date) the behaviour is learned from; ``queries`` are the invoices to describe (they may or
	may not be rows of ``history``: an invoice never sees its own settlement, which is on or after its
	posting date). ``as_of`` hides settlements after that day (they are treated as not settled), for
	when ``history`` holds information from later than the moment being modelled. ``categories``
	(from :func:`learn_categories`) adds one-hot columns ``<field>=<value>``.

	Returns a float DataFrame with the index of ``queries``, one column per feature.
	"""
	queries = history if queries is None else queries
	h, q = _encode(history, queries, as_of)
	s = _settled(h, q)
	cal = _due_calendar(q.due)
	p = _posted(h, q)
	f: dict[str, np.ndarray] = {}
	f.update(_history_stats(s, q))
	f.update(_decay_features(s, q))
	f.update(_run_day_features(s, cal, f["late_rate"]))
	f.update(_open_item_features(h, q, p, s))
	f.update(_overdue_features(h, q))
	f.update(_invoice_features(h, q, p, cal, f))
	# earlier settled invoices of the same customer for the same amount (recurring charges)
	f["same_amount_n"], f["same_amount_late_rate"] = _same_amount(
		history["customer"], h.amt, h.sett, h.due, queries["customer"], q.amt, q.t
	)
	if BOUNCED_ON in history.columns:
		f["bounced_cheques_365d"] = _bounces_before(h.code, day_numbers(history[BOUNCED_ON]), q)
	out = pd.DataFrame(f, index=queries.index)
	_one_hot(out, queries, categories or {})
	return out


def _bounces_before(code_h: np.ndarray, bounced: np.ndarray, q: _Queries) -> np.ndarray:
	"""Per query, the customer's cheque bounces on days [t − BOUNCE_WINDOW_DAYS, t)."""
	known = bounced != _NEVER
	keys = np.sort(code_h[known] * _SHIFT + bounced[known])
	hi = np.searchsorted(keys, q.key, side="left")
	lo = np.searchsorted(keys, q.key - BOUNCE_WINDOW_DAYS, side="left")
	return (hi - lo).astype(float)


def _same_weekday_decay(s_code, age, s_due_wd, late, prev, has) -> np.ndarray:
	"""Recency-weighted late rate per due weekday over the settled history before each query (n × 7);
	``age``: each settlement's days since its customer's first one (the weights' common factor cancels)."""
	if not len(age):
		return np.full((len(prev), 7), np.nan)
	w = np.exp2(age / SAME_WEEKDAY_HALF_LIFE_DAYS)
	E = np.eye(7)[s_due_wd]
	cw = pd.DataFrame(np.column_stack([E * w[:, None], E * (w * late)[:, None]])).groupby(s_code).cumsum()
	cw = cw.to_numpy()[prev]
	return np.where(has[:, None], _div(cw[:, 7:], cw[:, :7]), np.nan)


def _same_amount(cust_h, amt_h, sett_h, due_h, cust_q, amt_q, t) -> tuple[np.ndarray, np.ndarray]:
	"""Count and late rate of the customer's invoices of the same amount (to the cent) settled before t."""
	keys_h = cust_h.astype(str).to_numpy() + "|" + np.round(amt_h, 2).astype(str)
	keys_q = cust_q.astype(str).to_numpy() + "|" + np.round(amt_q, 2).astype(str)
	codes, _ = pd.factorize(np.concatenate([keys_h, keys_q]))
	code_h = codes[: len(keys_h)].astype(np.int64)
	code_q = codes[len(keys_h) :].astype(np.int64)
	is_set = sett_h != _NEVER
	order = np.lexsort((sett_h[is_set], code_h[is_set]))
	key = code_h[is_set][order] * _SHIFT + sett_h[is_set][order]
	late = (sett_h[is_set] > due_h[is_set])[order].astype(float)
	lo = np.searchsorted(key, code_q * _SHIFT, "left")
	hi = np.searchsorted(key, code_q * _SHIFT + t, "left")
	n = (hi - lo).astype(float)
	return n, _div(_window(_cum(late), lo, hi), n)


def _take(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
	"""values[idx] with out-of-range positions clipped (callers mask those rows)."""
	if not len(values):
		return np.zeros(len(idx), dtype=values.dtype)
	return values[np.clip(idx, 0, len(values) - 1)]


def _dom(dates: np.ndarray) -> np.ndarray:
	"""Day of month (1-31) of datetime64[D] values."""
	return (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def _is_month_end(dates: np.ndarray) -> np.ndarray:
	"""True for the last day of a month."""
	return (dates + 1).astype("datetime64[M]") != dates.astype("datetime64[M]")


def _days_to_month_end(dates: np.ndarray) -> np.ndarray:
	"""Days from each date to the last day of its month."""
	next_month = (dates.astype("datetime64[M]") + 1).astype("datetime64[D]")
	return (next_month - dates).astype(np.int64) - 1


def late_labels(invoices: pd.DataFrame, as_of: pd.Timestamp | str | None = None) -> pd.Series:
	"""Whether each invoice is (or will be) paid late, as known at the end of ``as_of``.

	1.0 when settled after the due date, or still unsettled on ``as_of`` while the due date is on or
	before ``as_of`` (it can only be paid late now); 0.0 when settled by the due date; NaN when not
	known yet (unsettled, due after ``as_of``). Settlements after ``as_of`` are ignored.
	"""
	settled = invoices["settled_date"]
	due = invoices["due_date"]
	if as_of is None:
		as_of = pd.concat([invoices["posting_date"], settled]).max()
	as_of = pd.Timestamp(as_of)
	settled = settled.where(settled <= as_of)
	label = pd.Series(np.nan, index=invoices.index)
	label[settled.notna()] = (settled > due)[settled.notna()].astype(float)
	label[settled.isna() & (due <= as_of)] = 1.0
	return label


def payment_day_counts(invoices: pd.DataFrame, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
	"""How often each customer settled on each weekday and day of the month, settlements up to ``as_of``.

	The histograms behind the ``run_*`` features, per customer instead of per invoice (the learned
	payment-run calendar reads them): index customer; ``n`` (settlements), ``wd0`` … ``wd6`` (Monday =
	0) and ``dom0`` … ``dom30`` (``dom0`` = the last day of a month, as in :func:`_run_day_features`).
	"""
	settled = pd.to_datetime(invoices["settled_date"])
	keep = settled.notna()
	if as_of is not None:
		keep &= settled <= pd.Timestamp(as_of)
	days = settled[keep].to_numpy(dtype="datetime64[D]")
	customers = invoices.loc[keep, "customer"].astype(str).to_numpy()
	wd = (days.astype(np.int64) + 3) % 7
	dom = np.where(_is_month_end(days), 0, _dom(days))
	frame = pd.DataFrame({"customer": customers, "wd": wd, "dom": dom})
	wd_counts = pd.crosstab(frame["customer"], frame["wd"]).reindex(columns=range(7), fill_value=0)
	dom_counts = pd.crosstab(frame["customer"], frame["dom"]).reindex(columns=range(31), fill_value=0)
	out = pd.concat(
		[
			wd_counts.sum(axis=1).rename("n"),
			wd_counts.add_prefix("wd"),
			dom_counts.add_prefix("dom"),
		],
		axis=1,
	)
	out.index.name = "customer"
	out.columns = [str(c) for c in out.columns]
	return out.astype("int64")
