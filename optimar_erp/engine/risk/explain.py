"""Why an invoice is risky, in words: the top contributing factors of each prediction.

Method (simple and honest): next to the scoring models, :class:`~optimar_erp.engine.risk.model.RiskModel`
fits a standardised logistic regression on a small set of readable features (:data:`EXPLAIN_FEATURES`).
A factor's contribution to one invoice is ``coefficient × (value − training mean) ÷ training std``
(values clipped to the training 1st-99th percentiles first): how far, in log-odds of being paid late,
that feature moves this invoice away from the average invoice. The factors that raise the risk most
(positive contributions only) are described with the invoice's own figures, e.g. "paid 4 of the last 5
invoices late", "invoice 3.2× the customer's usual amount", "2 invoices already overdue".

For an invoice still open on the scoring date (``as_of`` of
:meth:`~optimar_erp.engine.risk.model.RiskModel.predict`) the factors are **today's facts**: the
customer's payment history as known on ``as_of`` (:data:`TODAY_FEATURES`), and its open and overdue
invoices with today's balances, this invoice counted among the overdue ones but not among the "other"
open ones; the invoice's own terms, amount and due date stay as posted. The engine gives the numbers
and which fact each sentence is (``factor_k`` names); amounts are written by a ``money`` function the
caller passes (the Frappe shell formats them in the company's currency; the default is
``1,234.50``).

These contributions explain the linear model, not the gradient-boosted model that produces the
probability; both are trained on the same data and rank invoices alike on the main factors, which is
what a collector needs. History factors are never cited for a customer without settled history (the
"new customer" factor is cited instead).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EXPLAIN_FEATURES: tuple[str, ...] = (
	"no_history",
	"late_rate",
	"last_late_rate",
	"decay_late_rate",
	"days_late_mean",
	"days_late_trend",
	"last_days_late",
	"overdue_count",
	"max_days_overdue",
	"open_count",
	"amount_ratio",
	"terms_days",
	"due_weekend",
	"run_weekday_gap",
	"days_since_last_settlement",
)
"""Features the explanation model uses; each has a sentence in :func:`describe`."""

TODAY_FEATURES: tuple[str, ...] = (
	"n_hist",
	"late_count",
	"late_rate",
	"last_n",
	"last_late_count",
	"last_late_rate",
	"decay_late_rate",
	"days_late_mean",
	"days_late_trend",
	"last_days_late",
	"days_since_last_settlement",
)
"""History features re-read on the scoring date for an open invoice's factors (the open and overdue
items are taken from today's balances instead, see the module docstring)."""

_HISTORY = {
	"late_rate",
	"last_late_rate",
	"decay_late_rate",
	"days_late_mean",
	"days_late_trend",
	"last_days_late",
	"run_weekday_gap",
	"days_since_last_settlement",
}
_CITED_WHEN_POSITIVE = {
	"late_rate",
	"last_late_rate",
	"decay_late_rate",
	"overdue_count",
	"max_days_overdue",
	"open_count",
	"due_weekend",
	"last_days_late",
	"days_late_mean",
	"days_late_trend",
}
"""Factors cited only when their value is above 0 (a positive contribution from a zero value only says
"less of this than average", which is not a reason for risk)."""
_WEEKDAYS = np.array(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])


def _int(x: pd.Series) -> pd.Series:
	"""Rounded whole numbers as text."""
	return x.fillna(0).round().astype(np.int64).astype(str)


def _dec(x: pd.Series) -> pd.Series:
	"""Numbers with one decimal as text (vectorised, no per-value formatting calls)."""
	tenths = (x.fillna(0) * 10).round().astype(np.int64)
	sign = np.where(tenths < 0, "-", "")
	tenths = tenths.abs()
	return sign + (tenths // 10).astype(str) + "." + (tenths % 10).astype(str)


def _pct(x: pd.Series) -> pd.Series:
	"""A rate as a whole percentage."""
	return _int(x * 100) + "%"


def _plural(x: pd.Series, one: str, many: str) -> pd.Series:
	"""``one`` where x rounds to 1, else ``many``."""
	return pd.Series(np.where(x.fillna(0).round() == 1, one, many), index=x.index)


def plain_money(x: pd.Series) -> pd.Series:
	"""Amounts with thousands separators and two decimals (the engine's default ``money``)."""
	return pd.Series([f"{v:,.2f}" for v in x.fillna(0).to_numpy(dtype=float)], index=x.index, dtype=object)


def describe(feature: str, f: pd.DataFrame, money=plain_money) -> pd.Series:
	"""One sentence per row of the features table ``f`` describing ``feature`` with the row's values;
	``money`` writes amounts (a Series of numbers → a Series of texts)."""
	if feature == "no_history":
		return pd.Series("new customer: no settled invoice yet to learn from", index=f.index)
	if feature == "late_rate":
		return (
			"paid "
			+ _int(f["late_count"])
			+ " of "
			+ _int(f["n_hist"])
			+ " past invoices late ("
			+ _pct(f["late_rate"])
			+ ")"
		)
	if feature == "last_late_rate":
		return (
			"paid "
			+ _int(f["last_late_count"])
			+ " of the last "
			+ _int(f["last_n"])
			+ _plural(f["last_n"], " invoice", " invoices")
			+ " late"
		)
	if feature == "decay_late_rate":
		return "recent payments mostly late (" + _pct(f["decay_late_rate"]) + " late, weighted to the latest)"
	if feature == "days_late_mean":
		d = f["days_late_mean"]
		return pd.Series(
			np.where(
				d >= 0,
				"pays on average " + _dec(d) + " days after the due date",
				"pays on average " + _dec(-d) + " days before the due date",
			),
			index=f.index,
		)
	if feature == "days_late_trend":
		d = f["days_late_trend"]
		return pd.Series(
			np.where(
				d >= 0,
				"paying later lately: last "
				+ _int(f["last_n"])
				+ " invoices "
				+ _dec(d)
				+ " days later than usual",
				"paying earlier lately: last "
				+ _int(f["last_n"])
				+ " invoices "
				+ _dec(-d)
				+ " days earlier",
			),
			index=f.index,
		)
	if feature == "last_days_late":
		d = f["last_days_late"]
		return pd.Series(
			np.where(
				d > 0,
				"last invoice paid " + _int(d) + " days late",
				"last invoice paid on time (" + _int(-d) + " days before due)",
			),
			index=f.index,
		)
	if feature == "overdue_count":
		return (
			_int(f["overdue_count"])
			+ _plural(f["overdue_count"], " invoice", " invoices")
			+ " overdue ("
			+ money(f["overdue_amount"])
			+ " outstanding)"
		)
	if feature == "max_days_overdue":
		return "oldest overdue invoice " + _int(f["max_days_overdue"]) + " days past due"
	if feature == "open_count":
		text = _int(f["open_count"]) + _plural(f["open_count"], " other invoice", " other invoices") + " open"
		if "open_amount" in f:
			text = text + " (" + money(f["open_amount"]) + ")"
		return text
	if feature == "amount_ratio":
		return "invoice " + _dec(f["amount_ratio"]) + "× the customer's usual amount"
	if feature == "terms_days":
		return _int(f["terms_days"]) + "-day payment terms"
	if feature == "due_weekend":
		return pd.Series("due on a weekend", index=f.index)
	if feature == "run_weekday_gap":
		wd = ((f["due_weekday"].fillna(0) + f["run_weekday_gap"].fillna(0)) % 7).astype(int).to_numpy()
		return (
			"usually pays on "
			+ pd.Series(_WEEKDAYS[wd], index=f.index)
			+ "s, "
			+ _int(f["run_weekday_gap"])
			+ " days after this due date"
		)
	if feature == "days_since_last_settlement":
		return "no payment received for " + _int(f["days_since_last_settlement"]) + " days"
	raise KeyError(f"no sentence for feature {feature!r}")


def top_factors(
	contributions: pd.DataFrame, features: pd.DataFrame, top: int = 3, money=plain_money
) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""The ``top`` factors raising each invoice's risk most, as (names, sentences) tables.

	``contributions`` has one column per explained feature (log-odds contributions, see the module
	docstring); ``features`` holds the raw values the sentences quote. Only positive contributions are
	cited; missing factors are "". ``money`` writes amounts (see :func:`describe`). History factors are never cited when ``n_hist`` is 0, nor any
	factor whose value is NaN, nor a count/rate/lateness factor whose value is not above 0.
	"""
	cols = list(contributions.columns)
	c = contributions.to_numpy(dtype=float).copy()
	cold = features["n_hist"].to_numpy() == 0 if "n_hist" in features else np.zeros(len(c), bool)
	for j, name in enumerate(cols):
		if name in _HISTORY:
			c[cold, j] = 0.0
		if name in features:  # a factor whose value is unknown (NaN) is never cited
			c[features[name].isna().to_numpy(), j] = 0.0
		if name in _CITED_WHEN_POSITIVE and name in features:  # "0 invoices overdue" is no reason
			c[~(features[name].to_numpy() > 0), j] = 0.0
		if name == "no_history":  # always said of a new customer, whichever way it moves the risk
			c[~cold, j] = 0.0
			c[cold, j] = np.maximum(np.nan_to_num(c[cold, j]), 1e-6)
	c = np.nan_to_num(c, nan=0.0)
	k = min(top, len(cols))
	order = np.argsort(-c, axis=1, kind="stable")[:, :k]
	chosen = np.take_along_axis(c, order, axis=1) > 1e-9
	names = np.full(order.shape, "", dtype=object)
	sentences = np.full(order.shape, "", dtype=object)
	for j, name in enumerate(cols):  # one vectorised pass per factor, over the rows citing it
		hit = (order == j) & chosen
		rows = np.flatnonzero(hit.any(axis=1))
		if not len(rows):
			continue
		text = describe(name, features.iloc[rows], money).to_numpy(dtype=object)
		r, slot = np.nonzero(hit[rows])
		names[rows[r], slot] = name
		sentences[rows[r], slot] = text[r]
	labels = [f"factor_{i + 1}" for i in range(k)]
	return (
		pd.DataFrame(names, index=features.index, columns=labels),
		pd.DataFrame(sentences, index=features.index, columns=labels),
	)


def join_factors(sentences: pd.DataFrame) -> pd.Series:
	"""The factor sentences of each row joined with "; " (empty factors skipped)."""
	if sentences.shape[1] == 0:
		return pd.Series("", index=sentences.index)
	out = sentences.iloc[:, 0].astype(str)
	for col in sentences.columns[1:]:
		nxt = sentences[col].astype(str)
		out = out.where(nxt == "", out + "; " + nxt)
	return out
