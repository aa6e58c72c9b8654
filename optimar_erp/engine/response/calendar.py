"""A customer's payment-run calendar, learned from when it paid, and business-day arithmetic on it.

The histograms come from :func:`optimar_erp.engine.risk.features.payment_day_counts` (the same weekday and
day-of-month conventions the risk model's ``run_*`` features use). A customer is a *run-day payer* when,
over at least :data:`MIN_SETTLEMENTS` settlements, one weekday holds :data:`WEEKLY_SHARE` of them (a
weekly run), or at most two days of the month (the last day of a month counts as one day, "EOM") hold
:data:`MONTHLY_SHARE` of them with each at least :data:`MONTHLY_EACH` (runs on e.g. the 15th and at month
end). Everyone else has no calendar and reminders keep the sequence's days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimar_erp.engine.risk.features import payment_day_counts

MIN_SETTLEMENTS = 6
WEEKLY_SHARE = 0.6
MONTHLY_SHARE = 0.6
MONTHLY_EACH = 0.2
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class RunCalendar:
	"""One customer's payment runs: weekdays (Monday = 0) or days of the month (0 = month end)."""

	weekdays: tuple[int, ...] = ()
	month_days: tuple[int, ...] = ()
	share: float = 0.0
	"""Share of the customer's settlements that fell on these days."""
	settlements: int = 0

	@property
	def known(self) -> bool:
		return bool(self.weekdays or self.month_days)

	def is_run_day(self, day: dt.date) -> bool:
		if day.weekday() in self.weekdays:
			return True
		last = (day + dt.timedelta(days=1)).month != day.month
		return (0 in self.month_days) if last else (day.day in self.month_days)

	def next_run(self, day: dt.date, horizon: int = 62) -> dt.date | None:
		"""The first run day on or after ``day`` (None without a calendar or within ``horizon`` days)."""
		if not self.known:
			return None
		for k in range(horizon):
			d = day + dt.timedelta(days=k)
			if self.is_run_day(d):
				return d
		return None

	def describe(self) -> str:
		"""In words: "Fridays", "the 15th and month end"."""
		if self.weekdays:
			return " and ".join(WEEKDAYS[w] + "s" for w in self.weekdays)
		names = [
			"month end" if d == 0 else _ordinal(d) for d in sorted(self.month_days, key=lambda d: d or 99)
		]
		return "the " + " and ".join(names) if names[0] != "month end" else " and ".join(names)


def _ordinal(n: int) -> str:
	suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
	return f"{n}{suffix}"


def learn_calendars(
	invoices: pd.DataFrame, as_of: pd.Timestamp | str | None = None
) -> dict[str, RunCalendar]:
	"""Each customer's :class:`RunCalendar` from its settlements up to ``as_of`` (engine invoice table:
	customer, settled_date). Customers without a clear run pattern get an empty calendar."""
	counts = payment_day_counts(invoices, as_of)
	out: dict[str, RunCalendar] = {}
	if counts.empty:
		return out
	n = counts["n"].to_numpy().astype(float)
	wd = counts[[f"wd{i}" for i in range(7)]].to_numpy().astype(float)
	dom = counts[[f"dom{i}" for i in range(31)]].to_numpy().astype(float)
	top_wd = wd.argmax(axis=1)
	wd_share = wd.max(axis=1) / np.maximum(n, 1)
	order = np.argsort(-dom, axis=1, kind="stable")[:, :2]
	top2 = np.take_along_axis(dom, order, axis=1) / np.maximum(n, 1)[:, None]
	for i, customer in enumerate(counts.index):
		if n[i] < MIN_SETTLEMENTS:
			out[customer] = RunCalendar(settlements=int(n[i]))
			continue
		if wd_share[i] >= WEEKLY_SHARE:
			out[customer] = RunCalendar(
				weekdays=(int(top_wd[i]),), share=float(wd_share[i]), settlements=int(n[i])
			)
		elif top2[i].sum() >= MONTHLY_SHARE and top2[i, 1] >= MONTHLY_EACH:
			out[customer] = RunCalendar(
				month_days=tuple(sorted(int(d) for d in order[i])),
				share=float(top2[i].sum()),
				settlements=int(n[i]),
			)
		elif top2[i, 0] >= MONTHLY_SHARE:
			out[customer] = RunCalendar(
				month_days=(int(order[i, 0]),), share=float(top2[i, 0]), settlements=int(n[i])
			)
		else:
			out[customer] = RunCalendar(settlements=int(n[i]))
	return out


def add_business_days(day: dt.date, n: int) -> dt.date:
	"""``day`` moved by ``n`` business days (Monday-Friday; negative goes back)."""
	step = 1 if n >= 0 else -1
	left = abs(n)
	while left:
		day += dt.timedelta(days=step)
		if day.weekday() < 5:
			left -= 1
	return day


def business_days_between(first: dt.date, last: dt.date) -> int:
	"""Business days after ``first`` up to and including ``last`` (0 when ``last <= first``)."""
	if last <= first:
		return 0
	days = np.arange(first.toordinal() + 1, last.toordinal() + 1)
	return int(((days - 1) % 7 < 5).sum())


def run_timed_day(
	calendar: RunCalendar, step_day: dt.date, next_step_day: dt.date | None, lead_business_days: int
) -> dt.date:
	"""The day a reminder due on ``step_day`` should go out so that it lands ``lead_business_days`` before
	the customer's next payment run: the run the reminder can still make with that lead, the send day
	moved later to exactly that lead, never before ``step_day`` and always before ``next_step_day`` (a
	later step is not overtaken). Without a calendar, or when no run fits, ``step_day``."""
	if not calendar.known:
		return step_day
	run = calendar.next_run(step_day)
	while run is not None:
		target = add_business_days(run, -lead_business_days)
		if target >= step_day:
			if next_step_day is not None and target >= next_step_day:
				return step_day
			return target
		run = calendar.next_run(run + dt.timedelta(days=1))
	return step_day
