"""The words the date rules know: month and weekday names (English, Spanish, German, French, Hindi in
Latin letters), number words and the modifiers around a weekday ("next", "last", "prochain" …),
and the regex fragments built from them.
"""

from __future__ import annotations

import re

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
