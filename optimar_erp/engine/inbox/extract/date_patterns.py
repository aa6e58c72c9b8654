"""The date patterns :func:`~optimar_erp.engine.inbox.extract.dates.find_dates` tries, and the cue words
read just before a mention.

Patterns are tried in registration order (the order of this module) and an earlier match claims its
characters, so the order is part of the rules: multi-word periods before single words, a full date
before a bare day of the month. Each handler resolves one match against a :class:`_Ctx` (the day the
reply arrived and the reading conventions) and returns None to pass the text on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from optimar_erp.engine.inbox.extract.daymath import (
	_add_business_days,
	_add_months,
	_day_of_month,
	_month_end,
	_nearest_year,
	_safe_date,
	_weekday,
	_year,
)
from optimar_erp.engine.inbox.extract.vocabulary import (
	_FUTURE_MODS,
	_MONTH_RE,
	_MONTHS,
	_NEXT_WEEK_MODS,
	_NUMBER_WORDS,
	_NUMWORD,
	_PAST_MODS,
	_WD_BEFORE,
	_WD_FULL,
	_WEEKDAY_ABBR,
	_WEEKDAYS,
	_alt,
	_mod,
)


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
	"""The kind of word that ends ``before`` (the text just before a date), see
	:class:`~optimar_erp.engine.inbox.extract.dates.DateMention`."""
	for name, rx in _CUE_RE:
		if rx.search(before):
			return name
	return None
