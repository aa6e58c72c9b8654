"""Risk alerts: which customers a collector should hear about today, and why.

:func:`detect_alerts` compares today's picture of each customer with an earlier one and returns one row
per (customer, reason) that deserves a human's attention:

- ``band_worsened``: the customer's risk band moved up into ``min_band`` or above (e.g. Medium → High);
- ``overdue_spike``: the overdue amount grew by at least ``spike_percent`` % and by at least
  ``spike_min_amount`` over the comparison window (from zero counts as a spike when the amount is
  reached);
- ``second_broken_promise``: a promise broke within the window and it is at least the customer's
  second broken promise in the lookback (a single slip is for the dunning sequence, a pattern is for a
  person);
- ``predicted_late_large``: an invoice not yet due, due in ``ahead_min``-``ahead_max`` days, of at least
  ``large_amount`` (default: the 90th percentile of the open invoices' amounts), that the model expects
  to be paid late (``late_probability`` ≥ ``late_threshold``) — the early warning, while there is still
  time to call before the due date.

Alerts are throttled: a (customer, reason) already alerted within ``cooldown_days`` (the ``recent``
table) is not alerted again. The output is sorted by severity and amount, with a plain-English
``detail`` the shell can put in a notification.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimar_erp.engine.tables import dates, floats, table, text

REASONS = ("band_worsened", "overdue_spike", "second_broken_promise", "predicted_late_large")
BAND_ORDER = {"": 0, "Low": 1, "Medium": 2, "High": 3, "Critical": 4}
ALERT_COLUMNS = ["customer", "reason", "invoice", "amount", "severity", "detail"]
CUSTOMER_COLUMNS = ("customer",)
INVOICE_COLUMNS = ("invoice", "customer", "due_date", "outstanding", "late_probability")


@dataclass(frozen=True)
class AlertConfig:
	"""Thresholds of :func:`detect_alerts` (see the module docstring)."""

	min_band: str = "High"
	spike_percent: float = 50.0
	spike_min_amount: float = 1000.0
	ahead_min: int = 14
	ahead_max: int = 21
	late_threshold: float = 0.6
	large_amount: float | None = None
	large_quantile: float = 0.9
	min_broken_promises: int = 2
	cooldown_days: int = 7

	def __post_init__(self):
		if self.min_band not in BAND_ORDER or not self.min_band:
			raise ValueError(f"min_band must be one of Low, Medium, High, Critical, not {self.min_band!r}")
		if not 0 <= self.ahead_min <= self.ahead_max:
			raise ValueError("ahead_min must be between 0 and ahead_max")
		if not 0 < self.late_threshold <= 1:
			raise ValueError("late_threshold is a probability in (0, 1]")
		if self.spike_percent < 0 or self.spike_min_amount < 0:
			raise ValueError("spike thresholds cannot be negative")
		if self.cooldown_days < 0:
			raise ValueError("cooldown_days cannot be negative")


def _band_rank(series: pd.Series) -> np.ndarray:
	return text(series).map(BAND_ORDER).fillna(0).to_numpy(dtype=int)


def detect_alerts(
	customers: pd.DataFrame,
	invoices: pd.DataFrame | None,
	today: dt.date,
	config: AlertConfig = AlertConfig(),
	recent: pd.DataFrame | None = None,
) -> pd.DataFrame:
	"""Alerts due today, one row per (customer, reason): customer, reason, invoice, amount, severity, detail.

	``customers``: one row per customer with ``customer`` and any of ``band_before``, ``band_now``
	(risk bands), ``overdue_before``, ``overdue_now`` (overdue amounts at the start and end of the
	window), ``broken_promises`` (count in the lookback) and ``broken_in_window`` (how many of them
	broke within the window). Missing columns switch their alert off.
	``invoices``: open invoices with invoice, customer, due_date, outstanding, late_probability (0-1).
	``recent``: alerts already raised (customer, reason, date); those within ``cooldown_days`` of
	``today`` are not repeated.
	"""
	cust = table(customers, "customers", CUSTOMER_COLUMNS)
	cust["customer"] = text(cust["customer"])
	found: list[pd.DataFrame] = []
	if {"band_before", "band_now"} <= set(cust.columns):
		before, now = _band_rank(cust["band_before"]), _band_rank(cust["band_now"])
		hit = (now > before) & (before > 0) & (now >= BAND_ORDER[config.min_band])
		rows = cust[hit]
		found.append(
			pd.DataFrame(
				{
					"customer": rows["customer"],
					"reason": "band_worsened",
					"invoice": "",
					"amount": floats(
						rows.get("overdue_now", pd.Series(0.0, index=rows.index)), "overdue_now", 0.0
					),
					"severity": now[hit] - before[hit] + (now[hit] == 4),
					"detail": text(rows["band_before"]) + " → " + text(rows["band_now"]),
				}
			)
		)
	if {"overdue_before", "overdue_now"} <= set(cust.columns):
		before = floats(cust["overdue_before"], "overdue_before", 0.0).to_numpy()
		now = floats(cust["overdue_now"], "overdue_now", 0.0).to_numpy()
		grew = now - before
		hit = (grew >= max(config.spike_min_amount, 0.01)) & (
			now >= before * (1 + config.spike_percent / 100)
		)
		rows = cust[hit]
		found.append(
			pd.DataFrame(
				{
					"customer": rows["customer"],
					"reason": "overdue_spike",
					"invoice": "",
					"amount": now[hit],
					"severity": 2,
					"detail": [f"{b:,.2f} → {n:,.2f}" for b, n in zip(before[hit], now[hit], strict=True)],
				}
			)
		)
	if {"broken_promises", "broken_in_window"} <= set(cust.columns):
		total = floats(cust["broken_promises"], "broken_promises", 0.0).to_numpy()
		new = floats(cust["broken_in_window"], "broken_in_window", 0.0).to_numpy()
		hit = (new > 0) & (total >= config.min_broken_promises)
		rows = cust[hit]
		found.append(
			pd.DataFrame(
				{
					"customer": rows["customer"],
					"reason": "second_broken_promise",
					"invoice": "",
					"amount": floats(
						rows.get("overdue_now", pd.Series(0.0, index=rows.index)), "overdue_now", 0.0
					),
					"severity": 3,
					"detail": [f"{int(t)} broken promises" for t in total[hit]],
				}
			)
		)
	if invoices is not None and len(invoices):
		found.append(_predicted_late(invoices, today, config))
	alerts = (
		pd.concat([f for f in found if len(f)], ignore_index=True) if any(len(f) for f in found) else None
	)
	if alerts is None:
		return pd.DataFrame(columns=ALERT_COLUMNS)
	alerts = _without_recent(alerts, recent, today, config.cooldown_days)
	alerts["amount"] = alerts["amount"].astype(float).round(2)
	alerts["severity"] = alerts["severity"].astype(int)
	return alerts.sort_values(["severity", "amount"], ascending=False, kind="stable").reset_index(drop=True)[
		ALERT_COLUMNS
	]


def _predicted_late(invoices: pd.DataFrame, today: dt.date, config: AlertConfig) -> pd.DataFrame:
	"""The largest qualifying not-yet-due invoice per customer (one alert names one invoice)."""
	inv = table(invoices, "invoices", INVOICE_COLUMNS)
	due = dates(inv["due_date"], "due_date", required=True)
	ahead = (due - np.datetime64(today, "D")).astype(int)
	amount = floats(inv["outstanding"], "outstanding", 0.0).to_numpy()
	p = floats(inv["late_probability"], "late_probability", 0.0).to_numpy()
	large = config.large_amount
	if large is None:
		positive = amount[amount > 0]
		large = float(np.quantile(positive, config.large_quantile)) if len(positive) else np.inf
	hit = (ahead >= config.ahead_min) & (ahead <= config.ahead_max) & (amount >= large) & (amount > 0)
	hit &= p >= config.late_threshold
	rows = pd.DataFrame(
		{
			"customer": text(inv["customer"])[hit],
			"reason": "predicted_late_large",
			"invoice": text(inv["invoice"])[hit],
			"amount": amount[hit],
			"severity": 1,
			"detail": [
				f"due in {a} days, {q:.0%} likely late" for a, q in zip(ahead[hit], p[hit], strict=True)
			],
		}
	)
	return rows.sort_values("amount", ascending=False, kind="stable").drop_duplicates("customer")


def _without_recent(alerts: pd.DataFrame, recent: pd.DataFrame | None, today: dt.date, days: int):
	if recent is None or not len(recent) or days == 0:
		return alerts
	rec = table(recent, "recent", ("customer", "reason", "date"))
	when = dates(rec["date"], "date", required=True)
	fresh = when > np.datetime64(today, "D") - np.timedelta64(days, "D")
	seen = set(zip(text(rec["customer"])[fresh], text(rec["reason"])[fresh], strict=True))
	keep = [(c, r) not in seen for c, r in zip(alerts["customer"], alerts["reason"], strict=True)]
	return alerts[np.array(keep, dtype=bool)]
