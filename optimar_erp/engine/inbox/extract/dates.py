"""Dates in a reply (:func:`find_dates`) and which one is the field.

Each mention is resolved against ``received`` (the day the reply arrived), never against a clock:

- absolute: ISO ``2026-11-28``; numeric ``28/11/2026``, ``28-11-26``, ``28.11.2026`` and without a year
  ``28/11``, ``28.11.`` (day first unless ``dayfirst=False``; a part above 12 settles it either way, so
  ``11/28/2026`` is 28 November in both modes); month names in English, Spanish, German and French:
  ``5th Dec``, ``5 December 2026``, ``Dec 5th``, ``December 5, 2026``, ``5-Dec-26``, ``5 de diciembre``,
  ``5. Dezember``, ``1er décembre``, optionally after a weekday (``Monday, 7 December``). A date with no
  year takes the year that puts it nearest to ``received``.
- relative: today / tomorrow / day after tomorrow / yesterday (and ``aaj``, ``kal``, ``parso``,
  ``hoy``, ``mañana``, ``ayer``, ``heute``, ``morgen``, ``gestern``, ``aujourd'hui``, ``demain``,
  ``hier``); ``in 10 days``, ``within 2 weeks``, ``in 3 business days``, ``5 din mein``, ``en 3 días``,
  ``in 2 Wochen``, ``dans 10 jours``, ``a fortnight``; ``3 days ago``; weekdays (``Friday``,
  ``next Friday``, ``this Fri``, ``last Monday``, ``Friday next week``, ``shukravar``, ``el viernes``,
  ``nächsten Freitag``, ``vendredi prochain``); a day of the month (``on the 28th``, ``by 5th``,
  ``28 tarikh``, ``the 5th of next month``); periods (``end of (the) month``, ``month-end``,
  ``mahine ke end``, ``fin de mes``, ``Monatsende``, ``fin du mois``, ``end of next month``,
  ``end of December``, ``next week``, ``this week``, ``next month``, ``early next month``,
  ``mid-month``, ``quarter end``).

Conventions (documented choices, not guesses made silently):

- ``prefer="future"`` (promises, return dates): a bare weekday or day of the month is the next one
  strictly after ``received`` for a weekday (``next Friday`` is the *coming* Friday; ``Friday next week``
  is the Friday of the following Monday-to-Sunday week) and on/after ``received`` for a day of the month;
  ``kal``/``parso`` mean tomorrow / the day after. ``prefer="past"`` (payments made): the most recent one
  before, ``kal`` is yesterday.
- ``period="end"`` (promises: "by when at the latest"): ``next week`` is the Friday of next week, ``this
  week`` / ``by the weekend`` this week's Friday, ``next month`` its last day, ``early next month`` its 7th.
  ``period="start"`` (return from leave): ``next week`` is next Monday, ``next month`` its 1st.
- Vague words (``soon``, ``shortly``, ``asap``, ``once approved``) give no date.

Which mention is the field: the promised date is the first one on/after ``received`` (when all are
earlier, the first, so that a person sees the odd promise); the payment date the first one on/before it;
the return date follows "back / returning / zurück / de retour …", else the working day after the end of
an absence range ("from X to Y"), else the date after "until", else the latest (:func:`return_date`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from optimar_erp.engine.inbox.extract.date_patterns import _PATTERNS, _Ctx, _cue
from optimar_erp.engine.inbox.extract.daymath import _next_weekday_after


@dataclass(frozen=True)
class DateMention:
	"""One date found in a reply: where it is, what it resolved to and the word before it."""

	date: dt.date
	start: int
	end: int
	text: str
	cue: str | None
	"""``by`` (by/on/before/tak/bis…), ``until`` (until/till), ``return`` (back/returning…), ``from``,
	``to`` (the end of a range) or None."""


def find_dates(
	text: str,
	received: dt.date | None,
	*,
	dayfirst: bool = True,
	prefer: str = "future",
	period: str = "end",
) -> list[DateMention]:
	"""Every date mentioned in ``text``, in the order written, resolved against ``received``.

	``dayfirst`` reads ``05/12/2026`` as 5 December (False: May 12); ``prefer`` (``future``/``past``)
	and ``period`` (``end``/``start``) resolve the ambiguous forms, see the module docstring. With
	``received=None`` only dates that carry their year are found.
	"""
	if prefer not in ("future", "past") or period not in ("end", "start"):
		raise ValueError("prefer must be 'future' or 'past' and period 'end' or 'start'")
	if isinstance(received, dt.datetime):
		received = received.date()
	ctx = _Ctx(received, dayfirst, prefer, period)
	taken = bytearray(len(text))
	found: list[DateMention] = []
	for regex, handler, back in _PATTERNS:
		for m in regex.finditer(text):
			start, end = m.span()
			if end == start or any(taken[start:end]):
				continue
			before = ""
			if back is not None:
				b = back.search(text, max(0, start - 40), start)
				if b and not any(taken[b.start() : start]):
					before, start = b.group(0), b.start()
			day = handler(m, ctx, before)
			if day is None:
				continue
			taken[start:end] = b"\x01" * (end - start)
			lead = m.groupdict().get("cue") or ""
			found.append(
				DateMention(day, start, end, text[start:end], _cue(text[max(0, start - 40) : start] + lead))
			)
	found.sort(key=lambda d: d.start)
	return found


def promised_date(mentions: list[DateMention], received: dt.date | None) -> dt.date | None:
	"""The date a promise is for: the first mention on or after ``received`` (without ``received``, the
	first mention); when every date is earlier, the first one (so that a person sees it: a promise cannot
	be for the past); None when there is none."""
	for m in mentions:
		if m.cue != "from" and (received is None or m.date >= received):
			return m.date
	return mentions[0].date if mentions else None


def payment_date(mentions: list[DateMention], received: dt.date | None) -> dt.date | None:
	"""The day a payment was made: the first mention on or before ``received``."""
	for m in mentions:
		if received is None or m.date <= received:
			return m.date
	return None


def return_date(mentions: list[DateMention], received: dt.date | None) -> dt.date | None:
	"""The day someone is back, from an out-of-office reply.

	First match wins: a date after "back / returning / zurück / de retour …"; the end of a range
	("from X to Y", "X - Y") plus one working day; a date after "until / till / bis / hasta"; else the
	latest date on or after ``received``.
	"""
	future = [m for m in mentions if received is None or m.date >= received]
	for m in future:
		if m.cue == "return":
			return m.date
	for first, second in zip(mentions, mentions[1:], strict=False):
		if first.cue == "from" and second.cue in ("to", "until") and second.date >= first.date:
			back = _next_weekday_after(second.date)
			if received is None or back >= received:
				return back
	for m in future:
		if m.cue == "until":
			return m.date
	return max((m.date for m in future), default=None)
