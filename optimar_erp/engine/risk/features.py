"""Leak-free payment-behaviour features, one row per invoice, as known on the invoice's posting date.

For an invoice of customer *c* posted on day *t*, every feature is computed from the customer's other
invoices as they stood at the start of day *t*:

- **settled history**: the customer's invoices with ``settled_date < t`` (strictly before). Their
  count ``n_hist``, late rate (late = settled after the due date), mean/std of days late and of days to
  settle (settled − posted), an amount-weighted late rate, the same over the last :data:`LAST_N`
  settlements, a recency-weighted (exponential decay, half-life :data:`HALF_LIFE_DAYS`) late rate and
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
	settled_dates = history["settled_date"]
	if as_of is not None:
		settled_dates = settled_dates.where(settled_dates <= pd.Timestamp(as_of))

	codes, _ = pd.factorize(
		pd.concat([history["customer"], queries["customer"]], ignore_index=True).astype(str)
	)
	code_h = codes[: len(history)].astype(np.int64)
	code_q = codes[len(history) :].astype(np.int64)
	post_h = day_numbers(history["posting_date"])
	due_h = day_numbers(history["due_date"])
	sett_h = day_numbers(settled_dates)
	amt_h = history["grand_total"].to_numpy(dtype=float)

	t = day_numbers(queries["posting_date"])
	due_q = day_numbers(queries["due_date"])
	amt_q = queries["grand_total"].to_numpy(dtype=float)
	base_q = code_q * _SHIFT
	key_t = base_q + t

	f: dict[str, np.ndarray] = {}

	# --- settled history, sorted by (customer, settled day)
	is_set = sett_h != _NEVER
	order = np.lexsort((sett_h[is_set], code_h[is_set]))
	s_code = code_h[is_set][order]
	s_day = sett_h[is_set][order]
	s_post = post_h[is_set][order]
	s_due = due_h[is_set][order]
	s_amt = amt_h[is_set][order]
	s_key = s_code * _SHIFT + s_day
	lo = np.searchsorted(s_key, base_q, "left")
	hi = np.searchsorted(s_key, key_t, "left")
	n = (hi - lo).astype(float)
	late = (s_day > s_due).astype(float)
	dlate = (s_day - s_due).astype(float)
	dts = (s_day - s_post).astype(float)
	cs = _cum(np.column_stack([late, dlate, dlate**2, dts, dts**2, late * s_amt, s_amt]))
	tot = _window(cs, lo, hi)
	f["n_hist"] = n
	f["late_count"] = np.where(n > 0, tot[:, 0], 0.0)
	f["late_rate"] = _div(tot[:, 0], n)
	f["late_rate_amount"] = _div(tot[:, 5], tot[:, 6])
	f["days_late_mean"] = _div(tot[:, 1], n)
	f["days_late_std"] = np.sqrt(np.clip(_div(tot[:, 2], n) - f["days_late_mean"] ** 2, 0, None))
	f["days_to_settle_mean"] = _div(tot[:, 3], n)
	f["days_to_settle_std"] = np.sqrt(np.clip(_div(tot[:, 4], n) - f["days_to_settle_mean"] ** 2, 0, None))
	last_lo = np.maximum(lo, hi - LAST_N)
	n_last = (hi - last_lo).astype(float)
	last = _window(cs, last_lo, hi)
	f["last_n"] = n_last
	f["last_late_count"] = np.where(n_last > 0, last[:, 0], 0.0)
	f["last_late_rate"] = _div(last[:, 0], n_last)
	f["last_days_late_mean"] = _div(last[:, 1], n_last)
	f["last_days_to_settle_mean"] = _div(last[:, 3], n_last)
	lo30 = np.searchsorted(s_key, key_t - 30, "left")
	win30 = _window(cs, lo30, hi)
	f["n_settled_30d"] = (hi - lo30).astype(float)
	f["late_rate_30d"] = _div(win30[:, 0], f["n_settled_30d"])
	f["days_late_mean_30d"] = _div(win30[:, 1], f["n_settled_30d"])
	long_lo = np.maximum(lo, hi - LONG_N)
	f["last20_late_rate"] = _div(_window(cs, long_lo, hi)[:, 0], (hi - long_lo).astype(float))
	near = _cum(np.column_stack([(dlate >= -3) & (dlate <= 0), (dlate > 0) & (dlate <= 3)]))
	near_tot = _window(near, lo, hi)
	f["share_just_on_time"] = _div(near_tot[:, 0], n)
	f["share_just_late"] = _div(near_tot[:, 1], n)
	f["days_late_trend"] = f["last_days_late_mean"] - f["days_late_mean"]
	f["days_to_settle_trend"] = f["last_days_to_settle_mean"] - f["days_to_settle_mean"]
	prev = np.clip(hi - 1, 0, max(len(s_day) - 1, 0))
	has = hi > lo
	if len(s_day):
		f["last_days_late"] = np.where(has, dlate[prev], np.nan)
		f["days_since_last_settlement"] = np.where(has, t - s_day[prev], np.nan)
	else:
		f["last_days_late"] = np.full(len(t), np.nan)
		f["days_since_last_settlement"] = np.full(len(t), np.nan)

	# recency weights w = 2 ** ((settled − t) / half-life); the factor 2 ** (-t / hl) cancels in the
	# ratios, so per-customer cumulative sums of 2 ** ((settled − first settled) / hl) are enough (and
	# start from zero for each customer, so there is no cancellation between customers).
	age = s_day - s_day[np.searchsorted(s_key, s_code * _SHIFT, "left")]  # since its first settlement
	if len(s_day):
		w = np.exp2(age / HALF_LIFE_DAYS)
		grp = pd.Series(s_code)
		wsum = pd.Series(w).groupby(grp).cumsum().to_numpy()
		wlate = pd.Series(w * late).groupby(grp).cumsum().to_numpy()
		wdl = pd.Series(w * dlate).groupby(grp).cumsum().to_numpy()
		f["decay_late_rate"] = np.where(has, _div(wlate[prev], wsum[prev]), np.nan)
		f["decay_days_late"] = np.where(has, _div(wdl[prev], wsum[prev]), np.nan)
		w2 = np.exp2(np.minimum(age / SHORT_HALF_LIFE_DAYS, 1000.0))
		w2sum = pd.Series(w2).groupby(grp).cumsum().to_numpy()
		w2late = pd.Series(w2 * late).groupby(grp).cumsum().to_numpy()
		f["decay14_late_rate"] = np.where(has, _div(w2late[prev], w2sum[prev]), np.nan)
	else:
		f["decay_late_rate"] = np.full(len(t), np.nan)
		f["decay_days_late"] = np.full(len(t), np.nan)
		f["decay14_late_rate"] = np.full(len(t), np.nan)

	# learned payment-run days: weekday and day-of-month histograms of past settlements
	s_dates = _DAY0 + s_day.astype("timedelta64[D]")
	s_wd = (s_dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
	s_dom = _dom(s_dates)
	s_eom = _is_month_end(s_dates)
	wd_cs = _cum(np.eye(7, dtype=np.float32)[s_wd]) if len(s_day) else np.zeros((1, 7))
	dom_idx = np.where(s_eom, 0, s_dom)  # 0 = month end, 1..30 = day of month
	dom_cs = _cum(np.eye(31, dtype=np.float32)[dom_idx]) if len(s_day) else np.zeros((1, 31))
	wd_counts = _window(wd_cs, lo, hi)
	s_due_wd = s_due % 7  # day 0 = 1900-01-01, a Monday
	due_wd_late = _cum(np.column_stack([np.eye(7)[s_due_wd], np.eye(7)[s_due_wd] * late[:, None]]))
	same = _window(due_wd_late, lo, hi)
	dom_counts = _window(dom_cs, lo, hi)
	q_dates = _DAY0 + due_q.astype("timedelta64[D]")
	due_wd = (q_dates.astype(np.int64) + 3) % 7
	due_dom = _dom(q_dates)
	due_eom = _is_month_end(q_dates)
	rows = np.arange(len(t))
	f["same_weekday_n"] = same[rows, due_wd]
	f["same_weekday_late_rate"] = _div(same[rows, 7 + due_wd], same[rows, due_wd])
	# … smoothed towards the customer's overall late rate (SMOOTHING pseudo-invoices), their mean days
	# late, and a recency-weighted late rate (half-life SAME_WEEKDAY_HALF_LIFE_DAYS)
	wd_dl = _window(_cum(np.eye(7)[s_due_wd] * dlate[:, None]), lo, hi)
	f["same_weekday_days_late"] = _div(wd_dl[rows, due_wd], same[rows, due_wd])
	overall = np.nan_to_num(f["late_rate"], nan=PRIOR_LATE_RATE)
	f["same_weekday_late_smooth"] = _div(
		same[rows, 7 + due_wd] + SMOOTHING * overall, same[rows, due_wd] + SMOOTHING
	)
	f["same_weekday_decay_late_rate"] = _same_weekday_decay(s_code, age, s_due_wd, late, prev, has)[
		rows, due_wd
	]
	top_wd = wd_counts.argmax(axis=1)
	top_dom = dom_counts.argmax(axis=1)
	f["run_weekday_share"] = _div(wd_counts.max(axis=1), n)
	f["run_weekday_gap"] = np.where(has, (top_wd - due_wd) % 7, np.nan)
	f["run_dom_share"] = _div(dom_counts.max(axis=1), n)
	dom_gap = np.where(
		top_dom == 0, np.where(due_eom, 0, _days_to_month_end(q_dates)), (top_dom - due_dom) % 30
	)
	f["run_dom_gap"] = np.where(has, dom_gap, np.nan)
	f["month_end_share"] = _div(dom_counts[:, 0], n)

	# --- open items at t: posted before t, not settled before t
	order_p = np.lexsort((post_h, code_h))
	p_key = code_h[order_p] * _SHIFT + post_h[order_p]
	p_amt = amt_h[order_p]
	lo_p = np.searchsorted(p_key, base_q, "left")
	m = np.searchsorted(p_key, key_t, "left")
	posted = (m - lo_p).astype(float)
	cs_p = _cum(p_amt[:, None])
	posted_sum = _window(cs_p, lo_p, m)
	f["open_count"] = posted - n
	f["open_amount"] = np.round(np.clip(posted_sum[:, 0] - tot[:, 6], 0, None), 2)
	f["n_invoices_before"] = posted
	f["invoices_last_90d"] = (m - np.searchsorted(p_key, key_t - 90, "left")).astype(float)
	f["invoices_last_7d"] = (m - np.searchsorted(p_key, key_t - 7, "left")).astype(float)
	f["tenure_days"] = np.where(m > lo_p, t - _take(post_h[order_p], lo_p), np.nan)
	# oldest open: first invoice (by posting) whose settlement is on/after t = first where the running
	# max of settled days reaches t; it is open at t when it was posted before t.
	pmax = pd.Series(sett_h[order_p]).groupby(code_h[order_p]).cummax().to_numpy()
	j = np.searchsorted(code_h[order_p] * _SHIFT + pmax, key_t, "left")
	open_first = j < m
	f["oldest_open_age"] = np.where(open_first, t - _take(post_h[order_p], j), 0.0)
	# overdue at t: due < t <= settled  ->  #{due < t} − #{max(due, settled) < t}
	order_d = np.lexsort((due_h, code_h))
	d_key = code_h[order_d] * _SHIFT + due_h[order_d]
	end_h = np.maximum(due_h, sett_h)
	order_e = np.lexsort((end_h, code_h))
	e_key = code_h[order_e] * _SHIFT + end_h[order_e]
	cs_d = _cum(amt_h[order_d])
	cs_e = _cum(amt_h[order_e])
	d_hi = np.searchsorted(d_key, key_t, "left")
	e_hi = np.searchsorted(e_key, key_t, "left")
	d_lo = np.searchsorted(d_key, base_q, "left")
	e_lo = np.searchsorted(e_key, base_q, "left")
	f["overdue_count"] = ((d_hi - d_lo) - (e_hi - e_lo)).astype(float)
	f["overdue_amount"] = np.round(np.clip(_window(cs_d, d_lo, d_hi) - _window(cs_e, e_lo, e_hi), 0, None), 2)
	pmax_d = pd.Series(sett_h[order_d]).groupby(code_h[order_d]).cummax().to_numpy()
	jd = np.searchsorted(code_h[order_d] * _SHIFT + pmax_d, key_t, "left")
	jd_due = _take(due_h[order_d], jd)
	has_od = (jd < d_hi) & (jd_due < t)
	f["max_days_overdue"] = np.where(has_od, t - jd_due, 0.0)

	# --- the invoice itself
	med = (
		pd.Series(p_amt)
		.groupby(code_h[order_p])
		.expanding()
		.median()
		.reset_index(level=0, drop=True)
		.sort_index()
		.to_numpy()
	)
	med_before = np.where(m > lo_p, _take(med, m - 1), np.nan)
	f["amount"] = amt_q
	f["log_amount"] = np.log1p(np.clip(amt_q, 0, None))
	f["amount_ratio"] = _div(amt_q, med_before)
	f["open_amount_ratio"] = _div(f["open_amount"], med_before)
	f["terms_days"] = (due_q - t).astype(float)
	cs_terms = _cum((due_h[order_p] - post_h[order_p]).astype(float))
	f["terms_vs_usual"] = f["terms_days"] - _div(_window(cs_terms, lo_p, m), posted)
	f["settle_vs_terms"] = f["days_to_settle_mean"] - f["terms_days"]
	f["due_weekday"] = due_wd.astype(float)
	f["due_day"] = due_dom.astype(float)
	f["due_month_end"] = due_eom.astype(float)
	f["due_weekend"] = (due_wd >= 5).astype(float)
	f["posting_weekday"] = ((_DAY0 + t.astype("timedelta64[D]")).astype(np.int64) + 3) % 7 * 1.0

	# --- earlier settled invoices of the same customer for the same amount (recurring charges)
	f["same_amount_n"], f["same_amount_late_rate"] = _same_amount(
		history["customer"], amt_h, sett_h, due_h, queries["customer"], amt_q, t
	)

	out = pd.DataFrame(f, index=queries.index)
	for col, values in (categories or {}).items():
		text = queries[col].astype(str).str.strip() if col in queries else pd.Series("", index=queries.index)
		for value in values:
			out[f"{col}={value}"] = (text == value).to_numpy(dtype=float)
	return out


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
