"""Calendar arithmetic for the date rules: month ends and shifts, business days, the year that puts a
day and month nearest to a reference day, weekdays and days of the month before or after it. Every
function is pure; none reads a clock.
"""

from __future__ import annotations

import calendar
import datetime as dt


def _month_end(d: dt.date) -> dt.date:
	return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _add_months(d: dt.date, n: int) -> dt.date:
	"""``d`` moved by ``n`` months, the day clamped to the month's length."""
	month0 = d.month - 1 + n
	year, month = d.year + month0 // 12, month0 % 12 + 1
	return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
	try:
		return dt.date(year, month, day)
	except ValueError:
		return None


def _nearest_year(month: int, day: int, ref: dt.date, prefer: str) -> dt.date | None:
	"""The date ``day``/``month`` in the year that puts it nearest to ``ref`` (ties: ``prefer``)."""
	options = [d for y in (ref.year - 1, ref.year, ref.year + 1) if (d := _safe_date(y, month, day))]
	if not options:
		return None
	sign = 1 if prefer == "past" else -1
	return min(options, key=lambda d: (abs((d - ref).days), sign * (d - ref).days))


def _next_weekday_after(d: dt.date) -> dt.date:
	"""The first Monday-to-Friday day after ``d``."""
	d += dt.timedelta(days=1)
	while d.weekday() >= 5:
		d += dt.timedelta(days=1)
	return d


def _add_business_days(d: dt.date, n: int) -> dt.date:
	step = 1 if n >= 0 else -1
	for _ in range(abs(n)):
		d += dt.timedelta(days=step)
		while d.weekday() >= 5:
			d += dt.timedelta(days=step)
	return d


def _weekday(ref: dt.date, wd: int, direction: str) -> dt.date:
	"""The weekday ``wd`` strictly after (``future``) or strictly before (``past``) ``ref``."""
	if direction == "past":
		return ref - dt.timedelta(days=(ref.weekday() - wd) % 7 or 7)
	return ref + dt.timedelta(days=(wd - ref.weekday()) % 7 or 7)


def _day_of_month(ref: dt.date, day: int, prefer: str, months_ahead: int | None = None) -> dt.date | None:
	"""Day ``day`` of this month when it is on/after ``ref`` (``future``) or on/before it (``past``),
	else of the next (previous) month; ``months_ahead`` forces the month. Clamped to the month's end."""
	if not 1 <= day <= 31:
		return None
	if months_ahead is not None:
		base = _add_months(ref.replace(day=1), months_ahead)
	elif prefer == "past":
		base = ref.replace(day=1) if day <= ref.day else _add_months(ref.replace(day=1), -1)
	else:
		base = ref.replace(day=1) if day >= ref.day else _add_months(ref.replace(day=1), 1)
	return base.replace(day=min(day, calendar.monthrange(base.year, base.month)[1]))


def _year(text: str | None) -> int | None:
	if not text:
		return None
	digits = text.strip("'")
	return 2000 + int(digits) if len(digits) == 2 else int(digits)
