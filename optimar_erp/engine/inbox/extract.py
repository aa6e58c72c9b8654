"""Rules that read one customer reply: what was written (not quoted), and the dates, amounts, invoice
numbers, payment references, dispute reasons and requested documents in it.

Everything here is deterministic and needs no model; :mod:`~optimar_erp.engine.inbox.classifier` decides
the intent and then asks these functions for the fields that intent needs.

Reply text (:func:`strip_reply`)
--------------------------------
Quoted history (``On Mon, … wrote:``, ``-----Original Message-----``, an Outlook ``From: … Sent:``
block, ``Am … schrieb``, ``Le … a écrit``, ``El … escribió``, lines starting with ``>``), the signature
(from a sign-off line such as ``Regards`` / ``Thanks & Regards`` / ``Mit freundlichen Grüßen`` /
``Saludos`` / ``Cordialement``, a ``--`` line, ``Sent from my iPhone``) and legal disclaimers are cut.
A forwarded message (``---------- Forwarded message ---------``) keeps the note written above it; when
that note is only a pointer (fewer than four words, or "FYI" / "PFB" / "see below" / "details below") the
forwarded body, without its header lines, is kept too, since it is then what the customer is telling us
(a bank's remittance advice, say).

Dates (:func:`find_dates`)
--------------------------
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

Amounts (:func:`find_amounts`)
------------------------------
``₹45,000``, ``Rs. 45,000/-``, ``INR 4,50,000.00`` (Indian grouping), ``$12,500``, ``USD 12.5k``,
``EUR 3.400,50`` / ``3.400,50 €`` (European separators), ``£2,300``, ``45k``, ``2.5 lakh``,
``1.2 lacs``, ``2.5L``, ``1 crore``, ``1.2 cr``, ``3 million``. A currency symbol or code, a multiplier,
thousands separators or two decimals make a number an amount; a plain integer counts only after a money
word (``amount``, ``paid``, ``transfer`` …), is at least 100, is not a year and has at most 8 digits.
Dates, invoice numbers and references are masked first, so their digits are never read as money. Lakh
and crore without a currency imply INR.

Invoice numbers (:func:`find_invoices`), references (:func:`find_reference`)
---------------------------------------------------------------------------
Invoices: ERPNext names (``ACC-SINV-2026-00012``, ``SINV-26-0091``), ``INV-123``, ``INV/2026/118``,
``INV 123``, ``#12345``, and the number after ``invoice (no./#/number)``, ``bill no.``, ``factura``,
``Rechnung``, ``facture`` (lists too: ``invoices 4512, 4513 and 4520``); upper-cased, ``#`` dropped.
References: the token after ``UTR``, ``NEFT/RTGS/IMPS/UPI ref``, ``cheque no.``, ``transaction id``,
``txn``, ``ref no.``, ``wire ref``, ``Referenz``, ``referencia``, ``référence`` (it must hold four or
more digits), or a bare Indian UTR (``HDFCR52026112812345678``, ``N332261234567890``).

Reasons and documents
---------------------
:func:`dispute_reason` returns one of :data:`REASONS` (keyword rules in English, Hinglish, Spanish, German
and French; the most matched reason wins, ties by the order of :data:`REASONS`); :data:`DISPUTE_REASON_CODE`
maps them onto the Dispute doctype's reason options. :func:`requested_document` returns one of
:data:`DOCUMENTS`.

Pure Python (re, datetime): nothing here imports frappe.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

REASONS: tuple[str, ...] = (
	"not_received",
	"duplicate",
	"already_paid",
	"quantity",
	"quality",
	"pricing",
	"tax",
	"other",
)
"""Dispute reason codes :func:`dispute_reason` returns (ties are broken in this order)."""

DISPUTE_REASON_CODE: dict[str, str] = {
	"pricing": "Pricing",
	"quantity": "Quantity",
	"quality": "Quality",
	"not_received": "Delivery / POD",
	"duplicate": "Duplicate Billing",
	"already_paid": "Other",
	"tax": "Other",
	"other": "Other",
}
"""Each reason as an option of the Dispute doctype's ``reason_code`` select."""

DOCUMENTS: tuple[str, ...] = (
	"tax_certificate",
	"po_delivery_proof",
	"bank_details",
	"statement",
	"invoice_copy",
	"other",
)
"""Documents :func:`requested_document` recognises. When several are named, a tax certificate, bank details
or a statement wins; between a PO / delivery proof and an invoice copy, the one named first."""

# ----------------------------------------------------------------------------------------- vocabulary

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
	(
		"january jan enero januar jänner janvier janv",
		"february feb febrero februar février fevrier févr fevr",
		"march mar marzo märz maerz mars",
		"april apr abril avril avr",
		"may mayo mai",
		"june jun junio juni juin",
		"july jul julio juli juillet juil",
		"august aug agosto août aout",
		"september sep sept septiembre setiembre septembre",
		"october oct octubre oktober okt octobre",
		"november nov noviembre novembre",
		"december dec diciembre dezember dez décembre decembre déc",
	),
	start=1,
):
	for _name in _names.split():
		_MONTHS[_name] = _num

_WEEKDAYS: dict[str, int] = {}
for _num, _names in enumerate(
	(
		"monday somvar somwar lunes montag lundi",
		"tuesday mangalvar mangalwar martes dienstag mardi",
		"wednesday budhvar budhwar miércoles miercoles mittwoch mercredi",
		"thursday guruvar guruwar brihaspativar jueves donnerstag jeudi",
		"friday shukravar shukrawar viernes freitag vendredi",
		"saturday shanivar shaniwar sábado sabado samstag sonnabend samedi",
		"sunday ravivar raviwar itwar domingo sonntag dimanche",
	)
):
	for _name in _names.split():
		_WEEKDAYS[_name] = _num
_WEEKDAY_ABBR: dict[str, int] = {
	"mon": 0,
	"tue": 1,
	"tues": 1,
	"wed": 2,
	"thu": 3,
	"thur": 3,
	"thurs": 3,
	"fri": 4,
	"sat": 5,
	"sun": 6,
}

_NUMBER_WORDS: dict[str, int] = {
	"a": 1,
	"an": 1,
	"one": 1,
	"two": 2,
	"three": 3,
	"four": 4,
	"five": 5,
	"six": 6,
	"seven": 7,
	"eight": 8,
	"nine": 9,
	"ten": 10,
	"fifteen": 15,
	"twenty": 20,
	"thirty": 30,
	"a couple of": 2,
	"couple of": 2,
	"a few": 3,
	"few": 3,
	"ek": 1,
	"do": 2,
	"teen": 3,
	"char": 4,
	"chaar": 4,
	"panch": 5,
	"paanch": 5,
	"uno": 1,
	"una": 1,
	"un": 1,
	"dos": 2,
	"tres": 3,
	"cuatro": 4,
	"cinco": 5,
	"diez": 10,
	"quince": 15,
	"ein": 1,
	"eine": 1,
	"einer": 1,
	"einem": 1,
	"zwei": 2,
	"drei": 3,
	"vier": 4,
	"fünf": 5,
	"zehn": 10,
	"une": 1,
	"deux": 2,
	"trois": 3,
	"quatre": 4,
	"cinq": 5,
	"dix": 10,
	"quinze": 15,
}


def _alt(words) -> str:
	"""A regex alternation of ``words``, longest first (so "sept" wins over "sep")."""
	return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_MONTH_RE = rf"(?:{_alt(_MONTHS)})\.?"
_WD_FULL = _alt(_WEEKDAYS)
_WD_ANY = _alt(list(_WEEKDAYS) + list(_WEEKDAY_ABBR))
_NUMWORD = _alt(_NUMBER_WORDS)
_WD_BEFORE = rf"\b(?:{_WD_ANY})\.?,?\s+(?:the\s+)?$"
"""A weekday written just before a date ("Monday, 7 December"), taken into the mention."""

_FUTURE_MODS = {
	"next",
	"this",
	"coming",
	"agle",
	"agli",
	"is",
	"iss",
	"el próximo",
	"el proximo",
	"próximo",
	"proximo",
	"nächsten",
	"nächster",
	"naechsten",
	"kommenden",
	"diesen",
	"ce",
	"prochain",
	"que viene",
}
_PAST_MODS = {
	"last",
	"past",
	"previous",
	"pichle",
	"pichhle",
	"el pasado",
	"pasado",
	"letzten",
	"vergangenen",
	"dernier",
}
_NEXT_WEEK_MODS = {
	"next week",
	"agle hafte",
	"nächste woche",
	"la semaine prochaine",
	"de la semana que viene",
}


def _mod(text: str | None) -> str:
	return re.sub(r"\s+", " ", (text or "").lower()).strip()


# -------------------------------------------------------------------------------------- date helpers


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


# ------------------------------------------------------------------------------------ date patterns


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


@dataclass(frozen=True)
class _Ctx:
	received: dt.date | None
	dayfirst: bool
	prefer: str
	period: str


_Handler = Callable[[re.Match, _Ctx, str], "dt.date | None"]
_PATTERNS: list[tuple[re.Pattern, _Handler, re.Pattern | None]] = []


def _pattern(regex: str, before: str | None = None) -> Callable[[_Handler], _Handler]:
	"""Register a date pattern (tried in registration order; an earlier match claims its characters).

	``before`` (anchored at ``$``) is looked for just before each match and taken into it; the handler
	gets that text (a modifier such as "next week", or a weekday) as its third argument. Looking back
	after a match is much cheaper than an optional leading alternation tried at every position."""

	def register(func: _Handler) -> _Handler:
		back = re.compile(before, re.IGNORECASE) if before else None
		_PATTERNS.append((re.compile(regex, re.IGNORECASE), func, back))
		return func

	return register


@_pattern(r"\b(20\d\d)([-/.])(\d{1,2})\2(\d{1,2})\b", _WD_BEFORE)
def _iso(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	return _safe_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))


def _day_month(a: int, b: int, dayfirst: bool) -> tuple[int, int]:
	"""(day, month) from two numbers: a part above 12 is the day, otherwise ``dayfirst`` decides."""
	if a > 12 >= b:
		return a, b
	if b > 12 >= a:
		return b, a
	return (a, b) if dayfirst else (b, a)


@_pattern(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(20\d\d|\d\d)(?![\d/-]|\.\d)", _WD_BEFORE)
def _numeric(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	day, month = _day_month(int(m.group(1)), int(m.group(3)), ctx.dayfirst)
	return _safe_date(_year(m.group(4)), month, day)


@_pattern(
	rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?(?:\s+of|\s+de)?[\s-]+({_MONTH_RE})"
	rf"(?:,?\s+(20\d\d)|-(\d\d)\b|\s+de\s+(20\d\d)|\s+'(\d\d))?(?![\w])",
	_WD_BEFORE,
)
def _day_monthname(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	day, month = int(m.group(1)), _MONTHS[m.group(2).lower().rstrip(".")]
	year = _year(m.group(3) or m.group(4) or m.group(5) or m.group(6))
	if year:
		return _safe_date(year, month, day)
	return _nearest_year(month, day, ctx.received, ctx.prefer) if ctx.received else None


@_pattern(rf"\b({_MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\d,.]\d)(?:,?\s+(20\d\d))?\b", _WD_BEFORE)
def _monthname_day(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	month, day = _MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2))
	if m.group(3):
		return _safe_date(int(m.group(3)), month, day)
	return _nearest_year(month, day, ctx.received, ctx.prefer) if ctx.received else None


@_pattern(rf"\b(?:end of|fin de|ende|fin)\s+({_MONTH_RE})(?:\s+(20\d\d))?\b")
def _end_of_named_month(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	month = _MONTHS[m.group(1).lower().rstrip(".")]
	if m.group(2):
		return _month_end(dt.date(int(m.group(2)), month, 1))
	if not ctx.received:
		return None
	first = _nearest_year(month, 1, ctx.received, ctx.prefer)
	return _month_end(first) if first else None


@_pattern(
	r"\b(?:(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+of\s+(?:the\s+)?(this|next|following|coming) month"
	r"|agle (?:mahine|month) (?:ki|ke) (\d{1,2})(?:\s*(?:tarikh|tareekh|tarik))?)\b"
)
def _day_of_named_month(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	if not ctx.received:
		return None
	day = int(m.group(1) or m.group(3))
	return _day_of_month(ctx.received, day, ctx.prefer, 0 if _mod(m.group(2)) == "this" else 1)


def _relative(days: Callable[[_Ctx], dt.date | None]) -> _Handler:
	"""A handler that needs ``received``."""
	return lambda m, ctx, before="": days(ctx) if ctx.received else None


def _rel(regex: str, days: Callable[[_Ctx], dt.date | None]) -> None:
	_PATTERNS.append((re.compile(regex, re.IGNORECASE), _relative(days), None))


def _shift(ctx: _Ctx, days: int) -> dt.date:
	return ctx.received + dt.timedelta(days=days)


def _signed(ctx: _Ctx, days: int) -> dt.date:
	"""``days`` ahead, or back when the context prefers the past (``kal``, ``parso``)."""
	return _shift(ctx, -days if ctx.prefer == "past" else days)


def _next_month(ctx: _Ctx, day: int | None) -> dt.date:
	first = _add_months(ctx.received.replace(day=1), 1)
	return _month_end(first) if day is None else first.replace(day=day)


def _this_week_end(ctx: _Ctx) -> dt.date:
	return max(ctx.received, ctx.received + dt.timedelta(days=4 - ctx.received.weekday()))


def _quarter_end(ctx: _Ctx) -> dt.date:
	month = ((ctx.received.month - 1) // 3 + 1) * 3
	return _month_end(dt.date(ctx.received.year, month, 1))


def _mid_month(ctx: _Ctx) -> dt.date:
	mid = ctx.received.replace(day=15)
	return mid if mid >= ctx.received or ctx.prefer == "past" else _next_month(ctx, 15)


def _monday_next_week(ctx: _Ctx) -> dt.date:
	return ctx.received + dt.timedelta(days=7 - ctx.received.weekday())


# Multi-word periods first, then single words.
_rel(
	r"\b(?:(?:the\s+)?end of (?:the )?(?:next|following) month|next month[- ]?end|agle (?:mahine|month|mahina) (?:ke|ki|ka) (?:end|aakhir|akhir)"
	r"|fin(?:al)? del? (?:(?:próximo|proximo|siguiente) mes|mes (?:que viene|próximo|proximo))"
	r"|ende (?:des )?nächsten monats|fin du mois prochain)\b",
	lambda ctx: _next_month(ctx, None),
)
_rel(
	r"\b(?:(?:in the |the )?(?:first week|first few days|early part|beginning|start|starting|first half) of (?:the )?next month"
	r"|early next month|next month (?:start|beginning)|agle (?:mahine|month) (?:ki|ke) (?:shuruaat|starting|start|shuru)"
	r"|anfang (?:des )?nächsten monats|(?:au )?début du mois prochain|principios del (?:próximo|proximo) mes"
	r"|primera semana del (?:próximo|proximo) mes)\b",
	lambda ctx: _next_month(ctx, 1 if ctx.period == "start" else 7),
)
_rel(
	r"\b(?:mid[- ]?(?:of )?next month|middle of next month|mitte (?:des )?nächsten monats"
	r"|mediados del (?:próximo|proximo) mes|mi-mois prochain)\b",
	lambda ctx: _next_month(ctx, 15),
)
_rel(
	r"\b(?:mid[- ]?(?:of )?(?:the |this )?month|middle of (?:the |this )?month|mitte (?:des )?monats"
	r"|mediados de(?:l)? mes|mi-mois)\b",
	_mid_month,
)
_rel(
	r"\b(?:(?:the )?end of (?:the |this )?quarter|quarter[- ]?end|q-end)\b",
	_quarter_end,
)
_rel(
	r"\b(?:(?:the )?end of (?:the |this )?month|month[- ]?end|eom|(?:is |iss |this )?(?:mahine|month|mahina) (?:ke|ki|ka) (?:end|aakhir|akhir)"
	r"|(?:a )?fin(?:al)?(?:es)? de(?:l)? mes|(?:zum )?monatsende|ende (?:des|dieses) monats|ende monat"
	r"|(?:à la )?fin (?:du|de) mois)\b",
	lambda ctx: _month_end(ctx.received),
)
_rel(
	r"\b(?:(?:the )?end of (?:the |this )?week|(?:by )?(?:the |this )?weekend|week[- ]?end tak|(?:is|iss) (?:hafte|week)"
	r"|this week|esta semana|(?:a )?fin(?:al)? de (?:la )?semana|diese(?:r)? woche|ende der woche|cette semaine"
	r"|(?:à la )?fin de (?:la )?semaine)\b(?! (?:friday|monday|tuesday|wednesday|thursday))",
	_this_week_end,
)


def _week_period(ctx: _Ctx, weeks: int) -> dt.date:
	monday = ctx.received - dt.timedelta(days=ctx.received.weekday()) + dt.timedelta(weeks=weeks)
	return monday if ctx.period == "start" else monday + dt.timedelta(days=4)


def _number(word: str) -> int | None:
	word = _mod(word)
	if word.isdigit():
		return int(word)
	return _NUMBER_WORDS.get(word)


_UNIT_DAY = r"(?:business days?|working days?|bank days?|days?|din|d[ií]as?|(?:werk|arbeits)?tag(?:e|en)?|jours?(?: ouvrés| ouvrables)?)"
_UNIT_WEEK = r"(?:weeks?|wks?|hafte|hafton|hafta|saptah|semanas?|wochen?|semaines?)"
_UNIT_MONTH = r"(?:months?|mahine|mahina|mes(?:es)?|monate?n?|mois)"
_UNIT = rf"(?:{_UNIT_DAY}|{_UNIT_WEEK}|{_UNIT_MONTH})"


def _offset(ctx: _Ctx, n: int, unit: str, sign: int) -> dt.date:
	unit = unit.lower()
	if re.fullmatch(_UNIT_MONTH, unit, re.IGNORECASE):
		return _add_months(ctx.received, sign * n)
	if re.fullmatch(_UNIT_WEEK, unit, re.IGNORECASE):
		return _shift(ctx, sign * 7 * n)
	if re.search(r"business|working|bank|werk|arbeits|ouvr", unit):
		return _add_business_days(ctx.received, sign * n)
	return _shift(ctx, sign * n)


_rel(
	r"\b(?:in|within|after|over|en|dentro de|innerhalb(?: von)?|binnen|dans|sous|d'ici)\s+(?:a|one|the next)?\s*fortnight\b|\bfortnight\b",
	lambda ctx: _shift(ctx, 14),
)


@_pattern(
	rf"\b(?:in|within|after|over the next|in the next|next|en|dentro de|innerhalb(?: von)?|binnen|dans|sous|d'ici)\s+"
	rf"(?:the\s+next\s+)?(\d{{1,3}}|{_NUMWORD})\s+({_UNIT})\b"
)
def _in_n(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	n = _number(m.group(1))
	return _offset(ctx, n, m.group(2), 1) if ctx.received and n is not None else None


@_pattern(
	rf"\b(\d{{1,3}}|{_NUMWORD})\s+({_UNIT})\s*(?:mein|main|me|mai|ke andar|ke bhitar|tak|baad|later|from now)\b"
)
def _n_later(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	n = _number(m.group(1))
	return _offset(ctx, n, m.group(2), 1) if ctx.received and n is not None else None


@_pattern(
	rf"\b(?:(\d{{1,3}}|{_NUMWORD})\s+({_UNIT})\s+(?:ago|back|pehle|earlier)"
	rf"|(?:hace|vor|il y a)\s+(\d{{1,3}}|{_NUMWORD})\s+({_UNIT}))\b"
)
def _n_ago(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	n = _number(m.group(1) or m.group(3))
	return _offset(ctx, n, m.group(2) or m.group(4), -1) if ctx.received and n is not None else None


@_pattern(
	rf"\b({_WD_FULL})\b(?:\s+(next week|agle hafte|prochain|dernier|que viene|pasado|nächste woche|"
	rf"de la semana que viene|la semaine prochaine))?",
	r"\b(?:next week|agle hafte|nächste woche|la semaine prochaine|next|this|coming|last|past|previous|agle|agli|is|"
	r"iss|pichle|pichhle|el próximo|el proximo|el pasado|próximo|proximo|nächsten|nächster|naechsten|kommenden|diesen|"
	r"letzten|vergangenen|ce)\s+$",
)
def _weekday_full(m: re.Match, ctx: _Ctx, before: str = "") -> dt.date | None:
	return _resolve_weekday(_WEEKDAYS[m.group(1).lower()], _mod(before), _mod(m.group(2)), ctx)


@_pattern(
	rf"\b(?:(?P<mod>next|this|coming|last|past|previous)|(?P<cue>on|by|till|until|before))\s+({_alt(_WEEKDAY_ABBR)})\.?\b"
	rf"(?:\s+(next week))?"
)
def _weekday_abbr(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	return _resolve_weekday(_WEEKDAY_ABBR[m.group(3).lower()], _mod(m.group("mod")), _mod(m.group(4)), ctx)


def _resolve_weekday(wd: int, pre: str, post: str, ctx: _Ctx) -> dt.date | None:
	if not ctx.received:
		return None
	if pre in _NEXT_WEEK_MODS or post in _NEXT_WEEK_MODS or post == "next week":
		return _monday_next_week(ctx) + dt.timedelta(days=wd)
	if pre in _PAST_MODS or post in _PAST_MODS:
		return _weekday(ctx.received, wd, "past")
	if pre in _FUTURE_MODS or post in _FUTURE_MODS:
		return _weekday(ctx.received, wd, "future")
	return _weekday(ctx.received, wd, ctx.prefer)


_rel(
	r"\b(?:next week|next wk|agle (?:hafte|week|saptah|hafta)|la (?:próxima|proxima) semana|la semana (?:que viene|próxima|proxima|entrante)"
	r"|(?:nächste|naechste|kommende|nächster|kommender) woche|(?:la )?semaine prochaine)\b",
	lambda ctx: _week_period(ctx, 1),
)
_rel(
	r"\b(?:next month|agle (?:mahine|month|mahina)|el (?:próximo|proximo) mes|el mes (?:que viene|próximo|proximo)"
	r"|(?:im )?(?:nächsten|kommenden) monat|le mois prochain|(?:the )?following month)\b",
	lambda ctx: _next_month(ctx, 1 if ctx.period == "start" else None),
)
_rel(
	r"\b(?:day after tomorrow|(?:el )?pasado mañana|pasado manana|übermorgen|uebermorgen|après-demain|apres-demain)\b",
	lambda ctx: _shift(ctx, 2),
)
_rel(r"\b(?:day before yesterday|vorgestern|anteayer|avant-hier)\b", lambda ctx: _shift(ctx, -2))
_rel(r"\b(?:parso|parson|parsoon)\b", lambda ctx: _signed(ctx, 2))
_rel(
	r"\b(?:today|tonight|this (?:morning|afternoon|evening)|eod|end of (?:the )?day|cob|close of business|aaj|aj|hoy|esta mañana"
	r"|esta tarde|heute(?: morgen| früh)?|aujourd'hui|aujourd’hui|ce matin|cet après-midi)\b",
	lambda ctx: ctx.received,
)
_rel(
	r"\b(?:tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|tmrow|mañana|manana|demain)\b",
	lambda ctx: _shift(ctx, 1),
)
_rel(r"(?<!guten )(?<!heute )\b(?:morgen)\b", lambda ctx: _shift(ctx, 1))
_rel(r"\b(?:yesterday|yday|gestern|ayer|hier)\b", lambda ctx: _shift(ctx, -1))
_rel(r"\b(?:kal|kall)\b", lambda ctx: _signed(ctx, 1))


@_pattern(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![/\d]|\.\d|\s*%)|(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?!\d)")
def _numeric_no_year(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	if m.group(0) == "24/7":
		return None
	a, b = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)), int(m.group(4)))
	day, month = _day_month(a, b, ctx.dayfirst if m.group(1) else True)
	if not (1 <= month <= 12) or not ctx.received:
		return None
	return _nearest_year(month, day, ctx.received, ctx.prefer)


_DAY_CUE = r"(?:on|by|before|till|until|upto|up to|latest|after|from|dated|due|tak|am|el|le|bis(?: zum)?|avant le|antes del|para el|hasta el)"
_NOT_A_DAY_AFTER = re.compile(
	r"^\s*(?:%|days?|weeks?|months?|years?|hours?|hrs?|mins?|pm|am|p\.m|a\.m|o'?clock|reminders?|times?|notices?|e?-?mails?|"
	r"attempts?|follow|calls?|party|floor|quarter|instal|invoices?|bills?|payments?|cheques?|grade|units?|pcs|nos|items?|k\b|"
	r"lakh|lac|crore|cr\b|000)",
	re.IGNORECASE,
)


@_pattern(
	rf"\b(?:(?P<cue>{_DAY_CUE})\s+(?:the\s+)?(?:d[ií]a\s+)?)?(?P<day>\d{{1,2}})(?P<suf>st|nd|rd|th|er|\.)?"
	rf"(?:\s+of\s+(?P<which>this|next|the following|the) month)?(?P<hi>\s*(?:tarikh|tareekh|tarik|taarikh))?(?![\d/:,]|\.\d)"
)
def _day_only(m: re.Match, ctx: _Ctx, _before: str = "") -> dt.date | None:
	if not ctx.received:
		return None
	after = m.string[m.end() :]
	if _NOT_A_DAY_AFTER.match(after):
		return None
	suffix = (m.group("suf") or "").lower()
	cue = _mod(m.group("cue"))
	before = m.string[max(0, m.start() - 5) : m.start()].lower()
	ordinal = suffix in ("st", "nd", "rd", "th", "er")
	accept = (
		m.group("hi")
		or m.group("which")
		or (
			ordinal
			and (cue or before.endswith("the ") or re.match(r"\s*(?:tak|ko|tk)\b", after, re.IGNORECASE))
		)
		or (
			cue
			and not ordinal
			and cue
			in {
				"on",
				"by",
				"before",
				"till",
				"until",
				"latest",
				"dated",
				"tak",
				"bis",
				"bis zum",
				"am",
				"le",
				"el",
			}
		)
	)
	if not accept:
		return None
	which = _mod(m.group("which"))
	months_ahead = 1 if which in ("next", "the following") else (0 if which in ("this", "the") else None)
	return _day_of_month(ctx.received, int(m.group("day")), ctx.prefer, months_ahead)


_CUES: tuple[tuple[str, str], ...] = (
	(
		"return",
		r"(?:back|return|returning|returns|be back|i'?ll be back|available(?: again)?|resume|rejoin|joining back|in office|"
		r"in the office|wapas|vapas|zurück|wieder (?:da|erreichbar|im büro)|de retour|retour|regreso|vuelvo|regresaré|estaré de vuelta)"
		r"(?:\s+(?:in|to)\s+(?:the\s+)?office)?(?:\s+(?:on|by|from|am|le|el|ab))?",
	),
	(
		"until",
		r"(?:until|till|til|upto|up to|bis(?: einschließlich| zum| zur)?|hasta(?: el)?|jusqu'(?:au|à|a)(?: le)?)",
	),
	("from", r"(?:from|since|starting|between|ab(?: dem)?|vom|du|desde(?: el)?|à partir du)"),
	("to", r"(?:to|through|thru|au|al|and|-|–)"),
	(
		"by",
		r"(?:by|on|before|latest|no later than|not later than|due|tak|am|spätestens(?: am| bis)?|le|avant(?: le)?|para(?: el)?|"
		r"antes del?|el|ko)",
	),
)
_CUE_RE = [(name, re.compile(rf"(?<!\w){rx}[^\w-]*(?:the\s+)?$", re.IGNORECASE)) for name, rx in _CUES]


def _cue(before: str) -> str | None:
	"""The kind of word that ends ``before`` (the text just before a date), see :class:`DateMention`."""
	for name, rx in _CUE_RE:
		if rx.search(before):
			return name
	return None


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


# ------------------------------------------------------------------------------------------ amounts

_CURRENCY_WORDS: dict[str, str] = {
	"₹": "INR",
	"rs": "INR",
	"rs.": "INR",
	"inr": "INR",
	"rupees": "INR",
	"rupee": "INR",
	"rupaye": "INR",
	"rupay": "INR",
	"$": "USD",
	"us$": "USD",
	"usd": "USD",
	"dollars": "USD",
	"dollar": "USD",
	"€": "EUR",
	"eur": "EUR",
	"euro": "EUR",
	"euros": "EUR",
	"£": "GBP",
	"gbp": "GBP",
	"pounds": "GBP",
}
_MULTIPLIERS: dict[str, float] = {
	"k": 1e3,
	"thousand": 1e3,
	"hazar": 1e3,
	"hazaar": 1e3,
	"lakh": 1e5,
	"lakhs": 1e5,
	"lac": 1e5,
	"lacs": 1e5,
	"l": 1e5,
	"crore": 1e7,
	"crores": 1e7,
	"cr": 1e7,
	"million": 1e6,
	"mn": 1e6,
	"m": 1e6,
	"mio": 1e6,
	"billion": 1e9,
	"bn": 1e9,
}
_INDIAN_MULT = {"lakh", "lakhs", "lac", "lacs", "l", "crore", "crores", "cr"}
_AMOUNT_RE = re.compile(
	r"(?P<pre>₹|\brs\.?|\binr|\bus\$|\$|\busd|€|\beur|£|\bgbp)?\s?"
	r"(?P<num>\d(?:[\d,.']*\d)?)"
	r"(?:\s?(?P<mult>k|thousand|hazaa?r|lakhs?|lacs?|crores?|cr|million|mn|mio|billion|bn)\b\.?|(?P<tight>[lm])\b)?"
	r"(?:\s?(?P<post>/-|rupees?|rupaye|rupay|\brs\b\.?|\binr\b|\busd\b|dollars?|\beur\b|euros?|€|£|\bgbp\b|pounds))?",
	re.IGNORECASE,
)
_MONEY_WORDS = re.compile(
	r"(?:amount|amt|pay|paying|payment|paid|pagado|pago|bezahlt|zahlung|payé|paiement|transferr?(?:ed|ing)?|transfer|sent|"
	r"remitted|remit|balance|sum|total|release[ds]?|clear(?:ed|ing)?|deposit(?:ed)?|credited|debited|of|for|kar|kardi|"
	r"jama|bheja|worth|via|neft|rtgs|imps|upi|wire|ach)\W*$",
	re.IGNORECASE,
)
_UNIT_AFTER = re.compile(
	r"^\s*(?:%|percent|days?|weeks?|months?|years?|hrs?|hours?|mins?|minutes?|pm|am|pcs|pieces|units?|nos|kgs?|boxes|cartons|"
	r"items|bags|tons?|mt|sq|ft|meters?|litres?|liters?|x\b)",
	re.IGNORECASE,
)


def _parse_number(raw: str, euro: bool) -> float | None:
	"""A number written with thousands/decimal separators (Indian, western or European)."""
	raw = raw.replace("'", "")
	if "," in raw and "." in raw:
		dec = "," if raw.rfind(",") > raw.rfind(".") else "."
		whole, _, frac = raw.rpartition(dec)
		if len(frac) > 2:
			return None
		return float(re.sub(r"[,.]", "", whole) + "." + frac)
	if "," in raw:
		parts = raw.split(",")
		if len(parts) == 2 and len(parts[1]) in (1, 2):
			return float(parts[0] + "." + parts[1])  # European decimal comma: 450,50
		if all(len(p) in (2, 3) for p in parts[1:]) and len(parts[-1]) == 3:
			return float("".join(parts))
		return None
	if "." in raw:
		parts = raw.split(".")
		if len(parts) == 2 and (len(parts[1]) != 3 or parts[0] == "0"):
			return float(raw)
		if all(len(p) == 3 for p in parts[1:]):
			return float("".join(parts))  # European thousands: 3.400 / 1.250.000
		return None
	return float(raw)


@dataclass(frozen=True)
class AmountMention:
	"""One amount found in a reply."""

	value: float
	currency: str | None
	start: int
	end: int
	text: str
	strong: bool
	"""True when a currency or a multiplier marks it as money."""


def find_amounts(text: str, masked: list[tuple[int, int]] = ()) -> list[AmountMention]:
	"""Every amount of money in ``text``, in order; characters in the ``masked`` spans (dates, invoice
	numbers, references) are ignored."""
	chars = list(text)
	for start, end in masked:
		chars[start:end] = " " * (end - start)
	clean = "".join(chars)
	found: list[AmountMention] = []
	for m in _AMOUNT_RE.finditer(clean):
		num_start = m.start("num")
		if num_start > 0 and (clean[num_start - 1].isalnum() or clean[num_start - 1] in "#-/_"):
			continue
		if (
			m.end("num") < len(clean)
			and clean[m.end("num")].isalpha()
			and not (m.group("mult") or m.group("tight"))
		):
			continue
		pre = (m.group("pre") or "").lower()
		post = (m.group("post") or "").lower().rstrip(".")
		post = "rs" if post == "rs" else post
		mult_word = (m.group("mult") or m.group("tight") or "").lower()
		if m.group("tight") and not pre and not post and mult_word == "m":
			mult_word = ""
		currency = _CURRENCY_WORDS.get(pre) or _CURRENCY_WORDS.get(post)
		euro = currency == "EUR"
		value = _parse_number(m.group("num"), euro)
		if value is None or value <= 0:
			continue
		raw = m.group("num")
		if mult_word:
			value *= _MULTIPLIERS[mult_word]
			if currency is None and mult_word in _INDIAN_MULT:
				currency = "INR"
		strong = bool(currency or mult_word)
		if not strong:
			grouped = bool(re.search(r"\d[,.]\d{3}(?!\d)", raw)) or bool(re.search(r"[.,]\d{2}$", raw))
			if _UNIT_AFTER.match(clean[m.end() :]):
				continue
			if not grouped:
				digits = raw.replace(",", "").replace(".", "")
				if value < 100 or len(digits) > 8 or 1900 <= value <= 2100:
					continue
				if not _MONEY_WORDS.search(clean[max(0, num_start - 25) : num_start].rstrip()):
					continue
		found.append(
			AmountMention(
				round(value, 2), currency, m.start(), m.end(), text[m.start() : m.end()].strip(), strong
			)
		)
	return found


def main_amount(amounts: list[AmountMention]) -> AmountMention | None:
	"""The amount a reply is about: the first one marked as money, else the first one."""
	return next((a for a in amounts if a.strong), amounts[0] if amounts else None)


# -------------------------------------------------------------------------------- invoices, references

_INVOICE_CODE = re.compile(
	r"(?<![\w/-])((?:[A-Z]{2,6}[-/])*(?:S?INV|PINV|BILL)[-/ #:.]?\s?(?:[A-Z0-9]{1,6}[-/])*\d{2,}[A-Z]?"
	r"|(?:[A-Z]{2,6}[-/])*SI[-/](?:\d{2,4}[-/])?\d{2,})(?![\w-]|/\w)",
	re.IGNORECASE,
)
_INVOICE_CUE = re.compile(
	r"\b(?:invoices?|inv\.?|bills?|factura|facturas|rechnung(?:en)?|rechnungsnummer|rechnungs-?nr\.?|facture|factures)"
	r"\s*(?:(?:no|nos|number|numbers|num|nr|n°|nº|no\.s)\.?\s*)?[:#-]?\s*"
	r"(?P<id>#?[A-Z]{0,6}[-/]?\d[A-Z0-9/-]*[A-Z0-9]|#?\d)(?![\w/-]|[,.]\d)",
	re.IGNORECASE,
)
_INVOICE_MORE = re.compile(
	r"\s*(?:,|&|\band\b|\by\b|\bund\b|\bet\b|/)\s*(?P<id>#?[A-Z]{0,6}[-/]?\d[A-Z0-9/-]*[A-Z0-9]|#?\d)(?![\w/-]|[,.]\d)",
	re.IGNORECASE,
)
_HASH_NUMBER = re.compile(r"(?<![\w&])#\s?(\d{3,})\b")
_NOT_INVOICE_BEFORE = re.compile(
	r"(?:\bpo|order|cheque|chq|check|utr|ref(?:erence)?|txn|transaction|ticket|case|dd|neft|rtgs|imps|upi|challan|grn|lr|awb)\W*(?:no\.?|number)?\W*$",
	re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?")


def _norm_invoice(raw: str) -> str:
	token = re.sub(r"\s+", "-", raw.strip().strip("#").strip(".,:;)(").upper())
	return re.sub(r"-{2,}", "-", token)


def find_invoices(text: str) -> list[tuple[str, int, int]]:
	"""Invoice numbers mentioned in ``text``: ``(normalised id, start, end)`` in order, each id once."""
	hits: list[tuple[str, int, int]] = []

	def add(raw: str, start: int, end: int) -> None:
		name = _norm_invoice(raw)
		if len(re.sub(r"\D", "", name)) < 2 or _DATE_LIKE.fullmatch(name):
			return
		hits.append((name, start, end))

	for m in _INVOICE_CODE.finditer(text):
		add(m.group(1), m.start(1), m.end(1))
	for m in _INVOICE_CUE.finditer(text):
		add(m.group("id"), m.start("id"), m.end("id"))
		pos = m.end()
		while more := _INVOICE_MORE.match(text, pos):
			add(more.group("id"), more.start("id"), more.end("id"))
			pos = more.end()
	for m in _HASH_NUMBER.finditer(text):
		if not _NOT_INVOICE_BEFORE.search(text[max(0, m.start() - 20) : m.start()]):
			add(m.group(1), m.start(), m.end())
	hits.sort(key=lambda h: (h[1], -(h[2] - h[1])))
	seen: dict[str, tuple[str, int, int]] = {}
	covered: list[tuple[int, int]] = []
	for name, start, end in hits:
		inside = any(s <= start and end <= e for s, e in covered)
		if name in seen or (inside and any(name in other for other in seen)):
			continue
		# "invoice INV-2291" is found twice; "INV-2291" and "2291" are the same invoice.
		if any(other.endswith(name) and (s <= start < e) for other, (_, s, e) in seen.items()):
			continue
		seen[name] = (name, start, end)
		covered.append((start, end))
	return list(seen.values())


_REF_CUE = re.compile(
	r"\b(?P<cue>utr|neft|rtgs|imps|upi|cheque|check|chq|cheq|dd|demand draft|transaction|txn|trans|trx|tran|ref|reference|"
	r"wire|ach|swift|mt103|referenz|referencia|référence|payment id|confirmation|auftragsnummer|überweisungsreferenz)\b"
	r"(?:\s*(?:(?:number|numbers|nos|no|num|nr|id|reference|ref|is|code|trace|details)\b\.?|[#:-]))*\s*[:#.-]?\s*"
	r"(?P<ref>[A-Z0-9][A-Z0-9/-]{4,}[A-Z0-9])\b",
	re.IGNORECASE,
)
_UTR = re.compile(r"\b(?:[A-Z]{4}[A-Z0-9]\d{10,17}|[A-Z]\d{15})\b")


def find_reference(text: str, invoices: list[str] = ()) -> tuple[str, int, int] | None:
	"""The payment reference (UTR, cheque number, transaction id …) in ``text``: ``(ref, start, end)``."""
	invoice_set = set(invoices)
	pos = 0
	while m := _REF_CUE.search(text, pos):
		pos = m.end("cue")  # a rejected candidate may hide the next cue ("by UPI. cheque no. 355160")
		ref = m.group("ref").upper()
		digits = sum(c.isdigit() for c in ref)
		if digits < 4 or _norm_invoice(ref) in invoice_set or _DATE_LIKE.fullmatch(ref):
			continue
		if (
			ref.isdigit()
			and len(ref) < 8
			and m.group("cue").lower() in ("neft", "rtgs", "imps", "upi", "transfer")
		):
			continue
		if re.fullmatch(r"(?:S?INV|BILL)[-/]?\d+", ref):
			continue
		return ref, m.start("ref"), m.end("ref")
	m = _UTR.search(text)
	if m and m.group(0) not in invoice_set:
		return m.group(0), m.start(), m.end()
	return None


# ------------------------------------------------------------------------------ reasons and documents


def _rules(table: dict[str, str]) -> dict[str, re.Pattern]:
	return {k: re.compile(v, re.IGNORECASE) for k, v in table.items()}


_REASON_RULES = _rules(
	{
		"not_received": r"not (?:yet )?(?:been )?(?:received|delivered|arrived|reached|supplied|dispatched|shipped)|premature|"
		r"not (?:yet )?(?:been )?(?:completed|installed|commissioned|finished|started|held)|"
		r"never (?:received|got|arrived|delivered|came|reached)|(?:didn'?t|did not|haven'?t|have not|hasn'?t|has not|havent|didnt|never)"
		r" (?:yet )?(?:receive|recieve|get|got|arrive|arrived|been delivered|reached|come)|no delivery|undelivered|"
		r"not (?:been )?(?:rendered|performed|completed|done|installed)|where (?:is|are) (?:the|our|my) (?:goods|material|order|shipment|delivery)|"
		r"nicht (?:erhalten|geliefert|angekommen|bekommen)|keine lieferung|no (?:hemos )?recibid|no ha llegado|no llegó|"
		r"pas (?:encore )?(?:reçu|été livr)|jamais reçu|nahi (?:mila|aaya|aya|pahucha|pahuncha)|nahin (?:mila|aaya)|mila hi nahi|deliver nahi",
		"duplicate": r"duplicat|twice|two times|double[- ]?(?:billed|charged|invoic|billing|entry|charge)|billed (?:us )?again|"
		r"same (?:invoice|bill|order|po)|already (?:been )?(?:invoiced|billed)|doppelt|zweimal|duplicad|dos veces|en double|"
		r"deux fois|do baar|same item billed",
		"already_paid": r"already (?:been )?(?:paid|settled|cleared|made|remitted|transferred|encashed)|settled in full|"
		r"paid on time|check your bank|(?:was|were|has been|have been|is) "
		r"(?:fully )?(?:paid|settled|cleared)(?! by)|paid (?:it |this |that )?(?:already|last|in full|weeks? ago|months? ago)|"
		r"bereits (?:bezahlt|beglichen|überwiesen)|schon (?:bezahlt|überwiesen)|ya (?:fue |está |lo hemos |hemos )?(?:pagad|abonad)|"
		r"déjà (?:été )?(?:payé|réglé)|pehle hi (?:pay|de|kar)|payment (?:kar )?diya (?:tha|hai)|de chuke",
		"quantity": r"quantit|\bqty\b|less than (?:invoiced|billed|ordered)|only \d+ (?:of|out of|were|was)\b|short(?:age| supply| shipment| delivery| delivered| shipped|-shipped| by \d)|"
		r"only (?:received|got|delivered|\d+ (?:units|pcs|pieces|boxes|cartons|bags|nos))|fewer|less (?:quantity|qty|units|pieces|items)|"
		r"missing (?:items|units|pieces|boxes|cartons|bags|quantity)|(?:units|pieces|boxes|cartons|items) (?:were |are )?(?:short|missing)|"
		r"partial (?:delivery|shipment|supply)|more (?:units|pieces|qty) than|menge|stückzahl|cantidad|unidades|quantité|kam (?:maal|quantity)|kam aaya",
		"quality": r"damag|defect|broken|faulty|quality|spec(?:ification)?s?\b|shr[au]nk|(?:approved|original) sample|not working|doesn'?t work|stopped working|poor|rejected|"
		r"returned (?:the |all )?(?:goods|material|items|product)|expired|leak|scratch|substandard|sub-standard|"
		r"wrong (?:item|product|material|model|size|colou?r|spec)|not (?:as per|according to) spec|beschädigt|defekt|mangelhaft|"
		r"qualität|dañad|defectuos|mala calidad|endommag|défectueu|abîmé|qualité|kharab|toota|tuta|tute",
		"pricing": r"\bprice|pricing|higher than|more than (?:the|our) (?:amount|po|order|quote)|not what we agreed|"
		r"(?:po|order) value|the difference|\brates?\b|over-?charg|overbill|over-?invoic|charged (?:us )?(?:more|extra|higher|wrong|incorrect)|"
		r"higher than (?:agreed|quoted|the quote|the po|our po|the contract)|discount|quot(?:ed|ation|e)\b|agreed (?:rate|price|amount)|"
		r"contract(?:ed)? (?:rate|price)|wrong amount|amount (?:is |was )?(?:wrong|incorrect)|excess (?:amount|charge)|freight|"
		r"preis|rabatt|zu viel berechnet|precio|descuento|cobrado de más|prix|remise|tarif|rate (?:galat|zyada)|zyada charge",
		"tax": r"\bgst|gstin|\bigst|\bcgst|\bsgst|\bvat\b|\btax(?:es)?\b|\btds\b|\bhsn\b|place of supply|reverse charge|"
		r"\bmwst\b|umsatzsteuer|\bust\b|\biva\b|\btva\b|e-?invoice|\birn\b|tax rate|steuer|impuesto|taxe",
	}
)


def dispute_reason(text: str) -> str:
	"""The dispute reason code (:data:`REASONS`) a reply gives; ``other`` when no rule matches."""
	counts = {reason: len(rx.findall(text)) for reason, rx in _REASON_RULES.items()}
	best = max(REASONS[:-1], key=lambda r: (counts[r] > 0, counts[r], -REASONS.index(r)))
	return best if counts[best] else "other"


_DOCUMENT_RULES = _rules(
	{
		"tax_certificate": r"\btds\b|form[- ]?16 ?a|\b16a\b|\bw-?9\b|\bw-?8(?:[- ]?ben(?:-e)?)?\b|\b1099\b|tax (?:residency |exemption |deduction )?"
		r"certificate|tax form|gst (?:registration )?certificate|registration certificate|msme|udyam|\bpan\b|lower deduction|"
		r"certificate of residence|trc\b|steuerbescheinigung|freistellungsbescheinigung|certificado (?:de )?(?:retención|residencia|fiscal)|"
		r"attestation (?:fiscale|de régularité)",
		"po_delivery_proof": r"\bpo\b(?! box)|\bp\.o\.|purchase order|delivery (?:proof|note|challan|receipt|confirmation)|proof of "
		r"(?:delivery|dispatch|shipment)|\bpod\b|\bgrn\b|goods receipt|challan|e-?way ?bill|\blr\b|lorry receipt|bill of lading|"
		r"\bbol\b|\bawb\b|signed (?:delivery|dc)|packing (?:list|slip)|lieferschein|bestellung|albar[aá]n|orden de compra|"
		r"bon de (?:livraison|commande)|timesheet|work completion|job completion|service report",
		"bank_details": r"bank (?:details|account|info|information|mandate|letter)|account (?:number|details)|\bifsc\b|\bswift\b|"
		r"\biban\b|cancell?ed cheque|bankverbindung|bankdaten|datos bancarios|coordonnées bancaires|\brib\b|payment details",
		"statement": r"statement|\bledger\b|account summary|\bsoa\b|reconcil|outstanding (?:list|summary|details|report)|"
		r"balance confirmation|aging|ageing|kontoauszug|kontenabstimmung|saldenbestätigung|saldenliste|offene posten|"
		r"estado de cuenta|extracto|relevé|hisaab|hisab",
		"invoice_copy": r"cop(?:y|ies)|kopie|noch (?:ein)?mal|erneut|\bpdf\b|duplicate invoice|scan|re-?send|resend|send (?:us |me )?(?:again )?(?:the |a |all )?"
		r"(?:invoices?|bills?(?! of lading))|invoice (?:copy|copies|attachment)|tax invoice|original invoice|rechnungskopie|kopie der rechnung|"
		r"rechnung (?:erneut|nochmal|noch einmal)|copia de (?:la )?factura|reenv[ií]|copie de (?:la )?facture|renvoyer",
	}
)


def requested_document(text: str) -> str:
	"""The document a reply asks for (:data:`DOCUMENTS`); ``invoice_copy`` when only an invoice is named,
	``other`` when nothing is recognised."""
	for doc in ("tax_certificate", "bank_details", "statement"):
		if _DOCUMENT_RULES[doc].search(text):
			return doc
	# "the invoice copy with the PO number" / "the PO copy": the one named first.
	hits = [
		(m.start(), doc)
		for doc in ("po_delivery_proof", "invoice_copy")
		if (m := _DOCUMENT_RULES[doc].search(text))
	]
	if hits:
		return min(hits)[1]
	if re.search(r"\b(?:invoices?|bills?|factura|rechnung|facture)\b", text, re.IGNORECASE):
		return "invoice_copy"
	return "other"


# ----------------------------------------------------------------------------------- reply cleaning

_FORWARD = re.compile(
	r"^[ \t>]*(?:-{2,}\s*(?:forwarded message|weitergeleitete nachricht|mensaje reenviado|message transféré)\s*-{2,}|"
	r"begin forwarded message:)[ \t]*$",
	re.IGNORECASE | re.MULTILINE,
)
_REPLY_HEADERS = (
	re.compile(r"^[ \t]*on\b[^\n]{0,200}(?:\n[^\n]{0,200})?\bwrote:[ \t]*$", re.IGNORECASE | re.MULTILINE),
	re.compile(
		r"^[ \t]*am\b[^\n]{0,200}(?:\n[^\n]{0,200})?\bschrieb[^\n]{0,100}:[ \t]*$",
		re.IGNORECASE | re.MULTILINE,
	),
	re.compile(
		r"^[ \t]*le\b[^\n]{0,200}(?:\n[^\n]{0,200})?\ba écrit\s*:[ \t]*$", re.IGNORECASE | re.MULTILINE
	),
	re.compile(
		r"^[ \t]*el\b[^\n]{0,200}(?:\n[^\n]{0,200})?\bescribió\s*:[ \t]*$", re.IGNORECASE | re.MULTILINE
	),
	re.compile(
		r"^[ \t]*-{3,}\s*(?:original message|ursprüngliche nachricht|mensaje original|message d'origine)\s*-{3,}",
		re.IGNORECASE | re.MULTILINE,
	),
	re.compile(
		r"^[ \t]*(?:from|von|de|da)\s*:[^\n]*\n[ \t]*(?:sent|date|gesendet|datum|enviado|fecha|envoyé|to)\s*:",
		re.IGNORECASE | re.MULTILINE,
	),
	re.compile(r"^[ \t]*_{8,}[ \t]*$", re.MULTILINE),
)
_SIGN_OFF = re.compile(
	r"^[ \t]*(?:(?:thanks|thank you|thanks a lot|many thanks|thx|tnx)(?:\s*(?:&|and|n)\s*(?:best |warm |kind )?regards)?|"
	r"(?:best|kind|warm|warmest|with)?\s*regards|best|best wishes|cheers|sincerely|yours (?:truly|sincerely|faithfully)|"
	r"faithfully|rgds|regds|br|mit freundlichen grüßen|mit freundlichen grüssen|mfg|viele grüße|beste grüße|freundliche grüße|"
	r"gruß|grüße|saludos(?: cordiales)?|atentamente|un saludo|cordialement|bien cordialement|salutations|bien à vous|"
	r"dhanyavaad|dhanyawad|shukriya|thanks and regards|thanks & regards|regards,?\s*team|--|__)[\s,.!-]*$",
	re.IGNORECASE,
)
_TAIL = re.compile(
	r"^[ \t]*(?:sent from my|get outlook for|enviado desde mi|von meinem .* gesendet|envoyé de mon|disclaimer|confidentiality notice|"
	r"this (?:e-?mail|message|communication)(?: and any (?:files|attachments)(?: transmitted with it)?)? (?:is|are|may|contains?))",
	re.IGNORECASE,
)
_HEADER_LINE = re.compile(
	r"^[ \t]*(?:from|to|cc|bcc|date|sent|subject|von|an|datum|betreff|de|para|asunto|fecha|objet|à)\s*:",
	re.IGNORECASE,
)
SHORT_NOTE_WORDS = 4
"""A note above a forwarded message with fewer words than this keeps the forwarded body."""
_SEE_BELOW = re.compile(
	r"\b(?:fyi|pfb|pfa|see below|find below|details below|(?:advice|confirmation|details) (?:is )?below|"
	r"below (?:is|are) the|forwarding|siehe unten|ver abajo|voir ci-dessous)\b",
	re.IGNORECASE,
)


def _cut_quotes(text: str) -> str:
	cut = len(text)
	for rx in _REPLY_HEADERS:
		m = rx.search(text)
		if m and m.start() < cut:
			cut = m.start()
	lines = [ln for ln in text[:cut].split("\n") if not ln.lstrip().startswith(">")]
	return "\n".join(lines)


def _cut_signature(text: str) -> str:
	"""Drop "Sent from my…" lines and disclaimers with all that follows, then a sign-off line followed only
	by short lines (name, title, phone) with all that follows; a sign-off at the very top is kept."""
	lines = text.split("\n")
	tail = next((i for i, line in enumerate(lines) if _TAIL.match(line)), len(lines))
	lines = lines[:tail]
	seen_words = 0
	for i, line in enumerate(lines):
		rest = [ln for ln in lines[i + 1 :] if ln.strip()]
		looks_signed = len(rest) <= 10 and all(len(ln.split()) <= 12 for ln in rest)
		if _SIGN_OFF.match(line) and seen_words > 0 and looks_signed:
			return "\n".join(lines[:i])
		seen_words += len(re.findall(r"\w+", line))
	return "\n".join(lines)


def _words(text: str) -> int:
	return len(re.findall(r"[^\W\d_]{2,}", text))


def strip_reply(text: str) -> str:
	"""The part of an email a customer wrote: quoted history, signature and disclaimers removed (see the
	module docstring); a short note above a forwarded message keeps the forwarded body."""
	text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
	fwd = _FORWARD.search(text)
	top, body = (text[: fwd.start()], text[fwd.end() :]) if fwd else (text, "")
	note = _cut_signature(_cut_quotes(top)).strip()
	if fwd and (_words(note) < SHORT_NOTE_WORDS or _SEE_BELOW.search(note)):
		lines = body.strip("\n").split("\n")
		while lines and (not lines[0].strip() or _HEADER_LINE.match(lines[0])):
			lines.pop(0)
		inner = strip_reply("\n".join(lines))
		note = f"{note}\n{inner}".strip()
	return re.sub(r"\n{3,}", "\n\n", note).strip()


# ---------------------------------------------------------------------------------------- one reply


@dataclass(frozen=True)
class Fields:
	"""What :func:`extract_fields` reads from a reply (fields the intent does not use stay None)."""

	promised_date: dt.date | None = None
	payment_date: dt.date | None = None
	return_date: dt.date | None = None
	amount: float | None = None
	currency: str | None = None
	reason: str | None = None
	document: str | None = None
	reference: str | None = None
	invoices: tuple[str, ...] = ()


def extract_fields(text: str, intent: str, received: dt.date | None, *, dayfirst: bool = True) -> Fields:
	"""The fields ``intent`` needs, read from the (already stripped) reply ``text``.

	``promise_to_pay``: promised date and amount; ``payment_made``: amount, payment date, reference;
	``dispute``: reason; ``document_request``: document; ``out_of_office``: return date. Invoice numbers
	are read for every intent.
	"""
	invoices = find_invoices(text)
	names = [name for name, _, _ in invoices]
	ref = find_reference(text, names) if intent in ("payment_made", "promise_to_pay", "dispute") else None
	if intent == "payment_made":
		dates = find_dates(text, received, dayfirst=dayfirst, prefer="past", period="end")
	elif intent == "out_of_office":
		dates = find_dates(text, received, dayfirst=dayfirst, prefer="future", period="start")
	else:
		dates = find_dates(text, received, dayfirst=dayfirst, prefer="future", period="end")
	masked = [(d.start, d.end) for d in dates] + [(s, e) for _, s, e in invoices]
	if ref:
		masked.append((ref[1], ref[2]))
	values: dict[str, object] = {"invoices": tuple(names)}
	if intent in ("promise_to_pay", "payment_made"):
		amount = main_amount(find_amounts(text, masked))
		if amount:
			values.update(amount=amount.value, currency=amount.currency)
	if intent == "promise_to_pay":
		values["promised_date"] = promised_date(dates, received)
	elif intent == "payment_made":
		values["payment_date"] = payment_date(dates, received)
		values["reference"] = ref[0] if ref else None
	elif intent == "out_of_office":
		values["return_date"] = return_date(dates, received)
	elif intent == "dispute":
		values["reason"] = dispute_reason(text)
	elif intent == "document_request":
		values["document"] = requested_document(text)
	return Fields(**values)
