"""How ``corpus.jsonl`` was made: hand-written replies to payment reminders, rendered with varied slots.

``python -m optimar_erp.tools.inbox_corpus [--out PATH] [--seed 7] [--copies 2]`` rewrites the corpus
(:data:`CORPUS_PATH`, ``optimar_erp/engine/inbox/corpus.jsonl``). The shipped file is the artefact the
classifier trains on; this tool documents where it came from and lets it be regrown. It is not a
runtime module: the app never imports it.

Each template of :data:`TEMPLATES_PATH` (``inbox_corpus_templates.txt`` beside this file, data) is one
hand-written reply (language, label, text) with slots: ``{D}`` a promised
date, ``{P}`` a past payment date, ``{B}`` a return date after "back", ``{U}`` a date after "until",
``{RANGE}`` an absence "from X to Y", ``{A}`` an amount, ``{AN}`` an amount without a currency
(``25000``, ``1,20,000``), ``{LIST}`` a remittance list (invoice and amount a line, mostly a total line;
its total is the amount to read), ``{I}``/``{I2}`` invoice numbers, ``{R}`` a payment reference,
``{N}``/``{C}`` a person and a company. A line ``@family NAME`` in a section puts the templates below it
in a family (kinds of reply added together, written in their own words), which their records carry
in ``family``, so that a family can be held out whole (``optimar_erp.benchmarks.engine_inbox``). Every template is rendered ``copies`` times,
each with its own received date, slot values in many written forms (``next Friday``, ``28/11/2026``,
``5th Dec``, ``mahine ke end tak``, ``nächste Woche``, ``₹4,50,000``, ``2.5 lakh``, ``EUR 3.400,50`` …)
and its own wrapping: greeting, sign-off and signature block, disclaimer, a quoted reminder (``On …
wrote:`` with ``>`` lines, an Outlook ``From:/Sent:`` block, German/Spanish/French headers) or a
forwarded message, lower-casing and typos. The slot values are drawn first and written out second,
so every record carries the fields a reader should find (``expect``), computed here by plain date
arithmetic, independently of :mod:`~optimar_erp.engine.inbox.extract`.

Record: ``{"id", "group", "intent", ["family",] "lang", "text", "received", "expect"}``; ``group`` is the template,
so a held-out split can keep a template's renderings together.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import random
import re
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parents[1] / "engine" / "inbox" / "corpus.jsonl"
TEMPLATES_PATH = Path(__file__).with_name("inbox_corpus_templates.txt")
PREFIX = {
	"promise_to_pay": "ptp",
	"dispute": "dsp",
	"payment_made": "pay",
	"document_request": "doc",
	"out_of_office": "ooo",
	"other": "oth",
}
"""The intents, in the order the corpus lists them, and the prefix of their templates' group ids."""

# ----------------------------------------------------------------------------------------- words

EN_WD = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HI_WD = ("somvar", "mangalvar", "budhvar", "guruvar", "shukravar", "shanivar", "ravivar")
ES_WD = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
DE_WD = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
FR_WD = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
EN_MON = [calendar.month_name[i] for i in range(1, 13)]
EN_ABBR = [calendar.month_abbr[i] for i in range(1, 13)]
ES_MON = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
DE_MON = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()
FR_MON = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()

NAMES = (
	"Rahul Mehta",
	"Priya Sharma",
	"Anil Kumar",
	"Sneha Iyer",
	"Vikram Singh",
	"Deepa Nair",
	"John Miller",
	"Sarah Johnson",
	"Mike Chen",
	"Laura García",
	"Jörg Becker",
	"Claire Dubois",
	"Imran Shaikh",
	"Kavita Rao",
	"Suresh Patel",
	"Neha Gupta",
)
COMPANIES = (
	"Shree Balaji Traders",
	"Acme Industrial Supplies",
	"Sunrise Pharma Pvt Ltd",
	"Globex Logistics",
	"Patel Engineering Works",
	"Blue Ocean Foods",
	"Kaveri Textiles",
	"Northwind GmbH",
	"Iberia Componentes SL",
	"Lumière Distribution SARL",
	"Zenith Auto Parts",
	"Metro Builders LLP",
)


def ordinal(n: int) -> str:
	return f"{n}{'th' if 11 <= n % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def month_end(d: dt.date) -> dt.date:
	return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def next_month_first(d: dt.date) -> dt.date:
	return (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def coming(r: dt.date, wd: int) -> dt.date:
	return r + dt.timedelta(days=(wd - r.weekday()) % 7 or 7)


def previous(r: dt.date, wd: int) -> dt.date:
	return r - dt.timedelta(days=(r.weekday() - wd) % 7 or 7)


def monday_after(r: dt.date) -> dt.date:
	return r + dt.timedelta(days=7 - r.weekday())


def next_weekday_after(d: dt.date) -> dt.date:
	d += dt.timedelta(days=1)
	while d.weekday() >= 5:
		d += dt.timedelta(days=1)
	return d


def business_days(r: dt.date, n: int) -> dt.date:
	d = r
	for _ in range(n):
		d += dt.timedelta(days=1)
		while d.weekday() >= 5:
			d += dt.timedelta(days=1)
	return d


def numeric(d: dt.date, rng: random.Random, sep: str = "/", year: bool = True) -> str:
	day, month = (f"{d.day:02d}", f"{d.month:02d}") if rng.random() < 0.6 else (str(d.day), str(d.month))
	out = f"{day}{sep}{month}"
	if year:
		out += f"{sep}{d.year}" if rng.random() < 0.8 else f"{sep}{d.year % 100:02d}"
	return out


# ------------------------------------------------------------------------------------ date slots


def absolute_en(t: dt.date, rng: random.Random) -> str:
	forms = [
		lambda: numeric(t, rng),
		lambda: numeric(t, rng, "-"),
		lambda: numeric(t, rng, "."),
		lambda: t.isoformat(),
		lambda: f"{ordinal(t.day)} {EN_ABBR[t.month - 1]}",
		lambda: f"{t.day} {EN_MON[t.month - 1]}",
		lambda: f"{EN_ABBR[t.month - 1]} {t.day}",
		lambda: f"{EN_MON[t.month - 1]} {ordinal(t.day)}",
		lambda: f"{EN_MON[t.month - 1]} {t.day}, {t.year}",
		lambda: f"{t.day} {EN_ABBR[t.month - 1]} {t.year}",
		lambda: f"{t.day:02d}-{EN_ABBR[t.month - 1]}-{t.year % 100:02d}",
		lambda: f"{EN_WD[t.weekday()]}, {t.day} {EN_MON[t.month - 1]}",
	]
	if t.day > 12:
		forms.append(lambda: f"{t.month}/{t.day}/{t.year}")  # US order, unambiguous
	return rng.choice(forms)()


def future_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A promised date written in ``lang``: (phrase with its own preposition, the date it means)."""
	wd = rng.randrange(5)
	n = rng.randint(2, 20)
	t = r + dt.timedelta(days=rng.randint(1, 40))
	day = rng.randint(1, 28)
	dom = r.replace(day=day) if day >= r.day else next_month_first(r).replace(day=day)
	if lang == "en":
		options = [
			(lambda: ("tomorrow", r + dt.timedelta(1))),
			(
				lambda: (
					rng.choice(["by", "on", "this", "next", "coming", "by this"]) + f" {EN_WD[wd]}",
					coming(r, wd),
				)
			),
			(lambda: (f"on {EN_WD[wd]} next week", monday_after(r) + dt.timedelta(wd))),
			(
				lambda: (
					rng.choice(["next week", "by next week", "sometime next week"]),
					monday_after(r) + dt.timedelta(4),
				)
			),
			(
				lambda: (
					rng.choice(
						[
							"by end of the month",
							"by month-end",
							"at month end",
							"by the end of this month",
							"by EOM",
						]
					),
					month_end(r),
				)
			),
			(lambda: ("by the end of next month", month_end(next_month_first(r)))),
			(lambda: (f"{rng.choice(['in', 'within'])} {n} days", r + dt.timedelta(n))),
			(
				lambda: (
					rng.choice(["in 2 weeks", "in two weeks", "within a fortnight"]),
					r + dt.timedelta(14),
				)
			),
			(lambda: ("within a week", r + dt.timedelta(7))),
			(lambda: (f"in {n % 5 + 2} business days", business_days(r, n % 5 + 2))),
			(lambda: (f"{rng.choice(['on', 'by'])} the {ordinal(day)}", dom)),
			(lambda: (f"{rng.choice(['on', 'by', 'before'])} {absolute_en(t, rng)}", t)),
			(lambda: (f"{rng.choice(['on', 'by'])} {absolute_en(t, rng)}", t)),
			(lambda: ("early next month", next_month_first(r).replace(day=7))),
			(lambda: ("by mid next month", next_month_first(r).replace(day=15))),
			(lambda: ("day after tomorrow", r + dt.timedelta(2))),
		]
	elif lang == "hi":
		options = [
			(lambda: ("kal", r + dt.timedelta(1))),
			(lambda: ("parso", r + dt.timedelta(2))),
			(lambda: (rng.choice(["agle hafte", "next week"]), monday_after(r) + dt.timedelta(4))),
			(lambda: (f"{rng.choice([EN_WD[wd], HI_WD[wd]])} {rng.choice(['tak', 'ko'])}", coming(r, wd))),
			(
				lambda: (
					rng.choice(["mahine ke end tak", "month end tak", "is mahine ke end tak"]),
					month_end(r),
				)
			),
			(lambda: (f"{day} tarikh {rng.choice(['tak', 'ko'])}", dom)),
			(lambda: (f"{n} din mein", r + dt.timedelta(n))),
			(lambda: (f"{numeric(t, rng, year=False)} tak", t)),
			(lambda: ("agle mahine ki 5 tarikh", next_month_first(r).replace(day=5))),
			(lambda: (f"{absolute_en(t, rng)} tak", t)),
		]
	elif lang == "es":
		options = [
			(lambda: ("mañana", r + dt.timedelta(1))),
			(lambda: (f"el {rng.choice(['', 'próximo '])}{ES_WD[wd]}", coming(r, wd))),
			(lambda: ("la próxima semana", monday_after(r) + dt.timedelta(4))),
			(lambda: ("a fin de mes", month_end(r))),
			(lambda: (f"en {n} días", r + dt.timedelta(n))),
			(lambda: (f"el {t.day} de {ES_MON[t.month - 1]}", t)),
			(lambda: (f"el {numeric(t, rng)}", t)),
		]
	elif lang == "de":
		options = [
			(lambda: ("morgen", r + dt.timedelta(1))),
			(lambda: (f"{rng.choice(['am', 'nächsten'])} {DE_WD[wd]}", coming(r, wd))),
			(lambda: ("nächste Woche", monday_after(r) + dt.timedelta(4))),
			(lambda: (rng.choice(["bis Ende des Monats", "zum Monatsende"]), month_end(r))),
			(lambda: (f"in {n} Tagen", r + dt.timedelta(n))),
			(lambda: (f"am {numeric(t, rng, '.')}", t)),
			(lambda: (f"bis zum {t.day}. {DE_MON[t.month - 1]}", t)),
		]
	else:
		options = [
			(lambda: ("demain", r + dt.timedelta(1))),
			(lambda: (f"{FR_WD[wd]} prochain", coming(r, wd))),
			(lambda: ("la semaine prochaine", monday_after(r) + dt.timedelta(4))),
			(lambda: ("à la fin du mois", month_end(r))),
			(lambda: (f"dans {n} jours", r + dt.timedelta(n))),
			(lambda: (f"le {t.day} {FR_MON[t.month - 1]}", t)),
			(lambda: (f"le {numeric(t, rng)}", t)),
		]
	return rng.choice(options)()


def past_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A payment date written in ``lang``: (phrase, date), on or before ``r``."""
	wd = rng.randrange(5)
	t = r - dt.timedelta(days=rng.randint(0, 8))
	if lang == "en":
		options = [
			(lambda: (rng.choice(["today", "this morning"]), r)),
			(lambda: ("yesterday", r - dt.timedelta(1))),
			(lambda: (f"{rng.choice(['on', 'last'])} {EN_WD[wd]}", previous(r, wd))),
			(lambda: (f"on {absolute_en(t, rng)}", t)),
			(lambda: (f"on {absolute_en(t, rng)}", t)),
			(lambda: (f"{(r - t).days + 2} days ago", r - dt.timedelta((r - t).days + 2))),
		]
	elif lang == "hi":
		options = [
			(lambda: ("aaj", r)),
			(lambda: ("kal", r - dt.timedelta(1))),
			(lambda: (f"{numeric(t, rng, year=False)} ko", t)),
			(lambda: (f"{EN_WD[wd]} ko", previous(r, wd))),
		]
	elif lang == "es":
		options = [
			(lambda: ("hoy", r)),
			(lambda: ("ayer", r - dt.timedelta(1))),
			(lambda: (f"el {numeric(t, rng)}", t)),
			(lambda: (f"el {t.day} de {ES_MON[t.month - 1]}", t)),
		]
	elif lang == "de":
		options = [
			(lambda: ("heute", r)),
			(lambda: ("gestern", r - dt.timedelta(1))),
			(lambda: (f"am {numeric(t, rng, '.')}", t)),
			(lambda: (f"am {t.day}. {DE_MON[t.month - 1]}", t)),
		]
	else:
		options = [
			(lambda: ("aujourd'hui", r)),
			(lambda: ("hier", r - dt.timedelta(1))),
			(lambda: (f"le {numeric(t, rng)}", t)),
			(lambda: (f"le {t.day} {FR_MON[t.month - 1]}", t)),
		]
	return rng.choice(options)()


def _workday_ahead(r: dt.date, rng: random.Random) -> dt.date:
	t = r + dt.timedelta(days=rng.randint(2, 20))
	while t.weekday() >= 5:
		t += dt.timedelta(1)
	return t


def back_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A return date after "back" (the template supplies "back"/"returning"): (phrase, date)."""
	t = _workday_ahead(r, rng)
	if lang in ("en", "hi"):
		options = [
			(lambda: (f"on {absolute_en(t, rng)}", t)),
			(lambda: (f"on {EN_WD[t.weekday()]}, {t.day} {EN_MON[t.month - 1]}", t)),
			(lambda: ("tomorrow", r + dt.timedelta(1))),
			(lambda: ("next Monday", coming(r, 0))),
			(lambda: ("next week", monday_after(r))),
			(lambda: (f"on {absolute_en(t, rng)}", t)),
		]
	elif lang == "de":
		options = [
			(lambda: (f"am {numeric(t, rng, '.')}", t)),
			(lambda: (f"am {t.day}. {DE_MON[t.month - 1]}", t)),
		]
	elif lang == "es":
		options = [
			(lambda: (f"el {t.day} de {ES_MON[t.month - 1]}", t)),
			(lambda: (f"el {numeric(t, rng)}", t)),
		]
	else:
		options = [(lambda: (f"le {t.day} {FR_MON[t.month - 1]}", t)), (lambda: (f"le {numeric(t, rng)}", t))]
	return rng.choice(options)()


def until_date(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""A date written after "until" (the template supplies the word): (phrase, date)."""
	t = _workday_ahead(r, rng)
	if lang in ("en", "hi"):
		forms = [
			absolute_en(t, rng),
			f"{EN_WD[t.weekday()]} {t.day} {EN_ABBR[t.month - 1]}",
			f"{EN_MON[t.month - 1]} {t.day}",
		]
	elif lang == "de":
		forms = [
			numeric(t, rng, "."),
			f"{t.day}. {DE_MON[t.month - 1]}",
			f"zum {t.day}. {DE_MON[t.month - 1]}",
		]
	elif lang == "es":
		forms = [f"el {numeric(t, rng)}", f"el {t.day} de {ES_MON[t.month - 1]}"]
	else:
		forms = [f"{t.day} {FR_MON[t.month - 1]}", numeric(t, rng)]
	return rng.choice(forms), t


def range_dates(lang: str, r: dt.date, rng: random.Random) -> tuple[str, dt.date]:
	"""An absence "from X to Y" (start on/before ``r``): (phrase, first working day after Y)."""
	start = r - dt.timedelta(days=rng.randint(0, 5))
	end = r + dt.timedelta(days=rng.randint(1, 18))
	back = next_weekday_after(end)
	if lang in ("en", "hi"):
		a, b = rng.choice(
			[
				(f"{start.day} {EN_ABBR[start.month - 1]}", f"{end.day} {EN_ABBR[end.month - 1]}"),
				(numeric(start, rng), numeric(end, rng)),
				(f"{EN_MON[start.month - 1]} {start.day}", f"{EN_MON[end.month - 1]} {end.day}"),
			]
		)
		phrase = rng.choice([f"from {a} to {b}", f"from {a} until {b}", f"between {a} and {b}"])
	elif lang == "de":
		phrase = f"vom {numeric(start, rng, '.')} bis {numeric(end, rng, '.')}"
	elif lang == "es":
		phrase = f"desde el {numeric(start, rng)} hasta el {numeric(end, rng)}"
	else:
		phrase = f"du {numeric(start, rng)} au {numeric(end, rng)}"
	return phrase, back


# ---------------------------------------------------------------------------------- other slots


def indian(n: int) -> str:
	"""4,50,000: Indian digit grouping."""
	s = str(n)
	if len(s) <= 3:
		return s
	head, tail = s[:-3], s[-3:]
	groups = []
	while len(head) > 2:
		groups.insert(0, head[-2:])
		head = head[:-2]
	return ",".join([head, *groups, tail])


def amount(lang: str, rng: random.Random) -> tuple[str, float, str | None]:
	"""(phrase, value, currency) for an amount written in ``lang``'s usual styles."""
	base = rng.choice([rng.randint(5, 500) * 1000, rng.randint(10, 990) * 100, rng.randint(1000, 900000)])
	paise = rng.random() < 0.15
	value = base + (rng.randint(1, 99) / 100 if paise else 0)
	dec = f"{value:.2f}".split(".")[1]
	west = f"{base:,}" + (f".{dec}" if paise else "")
	eu = f"{base:,}".replace(",", ".") + (f",{dec}" if paise else "")
	ind = indian(base) + (f".{dec}" if paise else "")
	lakh = rng.choice([1.5, 2, 2.5, 3.25, 4, 7.5, 12])
	if lang == "hi":
		styles = [
			(f"₹{ind}", value, "INR"),
			(f"Rs {ind}", value, "INR"),
			(f"{lakh} lakh", lakh * 1e5, "INR"),
			(f"{base // 1000}k", (base // 1000) * 1000.0, None),
			(f"{ind} rupaye", value, "INR"),
		]
	elif lang in ("de", "fr", "es"):
		styles = [
			(f"{eu} €", value, "EUR"),
			(f"EUR {eu}", value, "EUR"),
			(f"€{eu}", value, "EUR"),
			(f"{eu} EUR", value, "EUR"),
		]
	else:
		styles = [
			(f"₹{ind}", value, "INR"),
			(f"Rs. {ind}/-", value, "INR"),
			(f"INR {ind}", value, "INR"),
			(f"Rs.{base}", float(base), "INR"),
			(f"{lakh} lakhs", lakh * 1e5, "INR"),
			(f"{base // 1000}k", (base // 1000) * 1000.0, None),
			(f"${west}", value, "USD"),
			(f"USD {west}", value, "USD"),
			(f"{west} USD", value, "USD"),
			(f"€{west}", value, "EUR"),
			(f"£{west}", value, "GBP"),
			(f"{ind}", value, None),
		]
		if rng.random() < 0.05:
			styles.append(("1 crore", 1e7, "INR"))
	text, val, cur = rng.choice(styles)
	return text, round(val, 2), cur


def plain_amount(rng: random.Random) -> tuple[str, float]:
	"""(phrase, value) for an amount written without a currency: ``25000``, ``25,000``, ``1,20,000``."""
	base = rng.choice([rng.randint(5, 500) * 1000, rng.randint(10, 990) * 100, rng.randint(1000, 900000)])
	text = rng.choice([str(base), f"{base:,}", indian(base)])
	return text, float(base)


def remittance_list(rng: random.Random, invoices: list[str]) -> tuple[str, float]:
	"""(lines, total) of a remittance list: two to four invoices with their amounts, one a line, and
	mostly a total line (else the reader must add the lines up); the invoices are added to ``invoices``."""
	lines, total = [], 0.0
	sep = rng.choice(["  ", " - ", ": ", "\t", " | "])
	cents = rng.random() < 0.5
	for _ in range(rng.randint(2, 4)):
		phrase, inv = invoice(rng)
		while inv in invoices:
			phrase, inv = invoice(rng)
		invoices.append(inv)
		value = rng.randint(10, 900) * 50
		total += value
		lines.append(f"{phrase}{sep}{value:,}" + (".00" if cents else ""))
	if rng.random() < 0.7:
		label = rng.choice(["Total", "Total paid", "TOTAL", "Sum", "Net paid", "Total amount"])
		lines.append(f"{label}{rng.choice([': ', ' ', ' = '])}{total:,.0f}" + (".00" if cents else ""))
	return "\n".join(lines), total


def invoice(rng: random.Random) -> tuple[str, str]:
	"""(as written, as it should be read)."""
	year = rng.choice([2025, 2026])
	n = rng.randint(1, 99999)
	text = rng.choice(
		[
			f"ACC-SINV-{year}-{n:05d}",
			f"ACC-SINV-{year}-{n:05d}",
			f"SINV-{year % 100}-{n % 10000:04d}",
			f"INV-{n % 10000 + 100}",
			f"INV/{year}/{n % 1000 + 10}",
			f"#{n % 90000 + 10000}",
			f"inv-{n % 10000 + 100}",
		]
	)
	return text, text.strip("#").upper()


def reference(lang: str, rng: random.Random) -> tuple[str, str]:
	"""(phrase, reference token)."""
	bank = rng.choice(["HDFC", "ICIC", "SBIN", "UTIB", "KKBK", "YESB"])
	utr = f"{bank}R5{rng.randint(2025, 2026)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(10**7, 10**8 - 1)}"
	neft = f"N{rng.randint(10**14, 10**15 - 1)}"
	chq = f"{rng.randint(1, 999999):06d}"
	txn = rng.choice(
		[
			f"TXN{rng.randint(10**7, 10**9)}",
			f"{rng.randint(10**9, 10**10 - 1)}",
			f"FT{rng.randint(10**5, 10**6)}X{rng.randint(10, 99)}",
		]
	)
	rrn = str(rng.randint(10**11, 10**12 - 1))
	if lang == "de":
		return rng.choice([(f"Referenz {txn}", txn), (f"Referenz: {txn}", txn)])
	if lang == "es":
		return (f"referencia {txn}", txn)
	if lang == "fr":
		return (f"référence {txn}", txn)
	token, phrase = rng.choice(
		[
			(utr, f"UTR {utr}"),
			(utr, f"UTR no. {utr}"),
			(neft, f"UTR: {neft}"),
			(chq, f"cheque no. {chq}"),
			(chq, f"chq no {chq}"),
			(txn, f"transaction ID {txn}"),
			(txn, f"txn id {txn}"),
			(txn, f"Ref no. {txn}"),
			(neft, f"NEFT ref {neft}"),
			(rrn, f"IMPS ref no {rrn}"),
			(rrn, f"UPI ref {rrn}"),
			(txn, f"wire reference {txn}"),
		]
	)
	return phrase, token


# ------------------------------------------------------------------------------------- wrapping

GREETINGS = {
	"en": [
		"Hi,",
		"Hello team,",
		"Dear Sir/Madam,",
		"Hi {first},",
		"Good morning,",
		"Dear Accounts Team,",
		"Hello,",
		"Hey,",
	],
	"hi": ["Namaste sir,", "Hello ji,", "Sir,", "Hi,"],
	"es": ["Hola,", "Buenos días,", "Estimados:"],
	"de": ["Hallo,", "Guten Morgen,", "Sehr geehrte Damen und Herren,"],
	"fr": ["Bonjour,", "Madame, Monsieur,"],
}
SIGN_OFFS = {
	"en": [
		"Thanks,\n{first}",
		"Regards,\n{name}\n{company}",
		"Thanks & Regards,\n{name}\nAccounts Payable | {company}\nPh: +91 98{phone}",
		"Best,\n{first}",
		"--\n{name}\n{company}",
		"Sent from my iPhone",
		"Kind regards,\n{name}\nFinance Manager\n{company}\nTel: +1 (415) 555-0{ext}",
		"Warm regards,\n{name}",
		"Thanks and regards\n{name}\nMob: 98{phone}",
	],
	"hi": ["Thanks\n{first}", "Regards,\n{name}", "Dhanyavaad\n{first}", "Sent from my Android"],
	"es": ["Saludos,\n{name}", "Atentamente,\n{name}\n{company}", "Un saludo"],
	"de": ["Mit freundlichen Grüßen\n{name}\n{company}", "Viele Grüße\n{first}", "Beste Grüße"],
	"fr": ["Cordialement,\n{name}", "Bien cordialement,\n{name}\n{company}"],
}
DISCLAIMER = (
	"DISCLAIMER: This email and any attachments are confidential and intended solely for the addressee. "
	"If you have received it in error please notify the sender and delete it."
)
REMINDER_LINES = (
	"Dear {company},",
	"This is a friendly reminder that invoice {inv} for INR {amount} was due on {due}.",
	"Our records show it is now {days} days overdue. Please arrange payment at the earliest.",
	"If you have already paid, please ignore this message.",
	"Regards,",
	"Accounts Receivable, OptimAR Demo Pvt Ltd",
)


def reminder(r: dt.date, rng: random.Random, company: str) -> list[str]:
	due = r - dt.timedelta(days=rng.randint(3, 60))
	inv, _ = invoice(rng)
	values = {
		"company": company,
		"inv": inv,
		"amount": indian(rng.randint(10, 900) * 1000),
		"due": due.strftime("%d/%m/%Y"),
		"days": (r - due).days,
	}
	return [line.format(**values) for line in REMINDER_LINES]


def quoted(r: dt.date, rng: random.Random, company: str, lang: str) -> str:
	sent = r - dt.timedelta(days=rng.randint(0, 3))
	lines = reminder(r, rng, company)
	when = sent.strftime("%a, %d %b %Y")
	style = rng.choice(["gmail", "gmail", "outlook", "native"])
	if style == "outlook":
		head = (
			f"-----Original Message-----\nFrom: Accounts Receivable <ar@optimardemo.com>\nSent: {sent.strftime('%A, %B %d, %Y')} 10:02 AM\n"
			f"To: {company}\nSubject: Payment reminder"
		)
		return head + "\n\n" + "\n".join(lines)
	if style == "native" and lang in ("de", "es", "fr"):
		head = {
			"de": f"Am {sent.strftime('%d.%m.%Y')} um 10:02 schrieb Accounts Receivable <ar@optimardemo.com>:",
			"es": f"El {sent.strftime('%d/%m/%Y')}, a las 10:02, Accounts Receivable <ar@optimardemo.com> escribió:",
			"fr": f"Le {sent.strftime('%d/%m/%Y')} à 10:02, Accounts Receivable <ar@optimardemo.com> a écrit :",
		}[lang]
	else:
		head = f"On {when} at 10:02, Accounts Receivable <ar@optimardemo.com> wrote:"
		if rng.random() < 0.3:
			head = head.replace(" wrote:", "\nwrote:")
	return head + "\n" + "\n".join(f"> {line}" for line in lines)


def forwarded(r: dt.date, rng: random.Random, company: str, body: str | None = None) -> str:
	sent = r - dt.timedelta(days=rng.randint(0, 5))
	sender = (
		"Accounts Receivable <ar@optimardemo.com>"
		if body is None
		else "HDFC Bank InstaAlerts <alerts@hdfcbank.net>"
	)
	subject = "Payment reminder" if body is None else "Payment advice"
	head = (
		f"---------- Forwarded message ---------\nFrom: {sender}\nDate: {sent.strftime('%a, %b %d, %Y')} at 9:14 AM\n"
		f"Subject: {subject}\nTo: <payables@{company.split()[0].lower()}.com>\n"
	)
	return head + "\n" + (body if body is not None else "\n".join(reminder(r, rng, company)))


def typo(text: str, rng: random.Random) -> str:
	"""One to three typos in words of five letters or more, outside slot values (``{…}``)."""
	words = [m for m in re.finditer(r"(?<![{\w])[A-Za-z]{5,}(?![\w}])", text)]
	picked = rng.sample(words, min(len(words), rng.randint(1, 3)))
	for m in sorted(picked, key=lambda m: -m.start()):  # from the end, so earlier offsets stay valid
		w = m.group(0)
		i = rng.randrange(1, len(w) - 2)
		kind = rng.randrange(3)
		new = (
			w[:i] + w[i + 1] + w[i] + w[i + 2 :]
			if kind == 0
			else (w[:i] + w[i + 1 :] if kind == 1 else w[:i] + w[i] + w[i:])
		)
		text = text[: m.start()] + new + text[m.end() :]
	return text


# ------------------------------------------------------------------------------------- rendering


def received_date(rng: random.Random) -> dt.date:
	d = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 345))
	if rng.random() < 0.85:
		while d.weekday() >= 5:
			d -= dt.timedelta(1)
	return d


def render(intent: str, lang: str, label: str, text: str, rng: random.Random) -> dict:
	"""One record from a template: slots filled, wrapping applied, expected fields recorded."""
	r = received_date(rng)
	slot_lang = "en" if lang == "advice" else lang
	name, company = rng.choice(NAMES), rng.choice(COMPANIES)
	expect: dict = {}
	invoices: list[str] = []
	if rng.random() < 0.2:
		text = typo(text, rng)

	def fill(m: re.Match) -> str:
		slot = m.group(1)
		if slot == "D":
			phrase, d = future_date(slot_lang, r, rng)
			expect.setdefault("promised_date", d.isoformat())
		elif slot == "P":
			phrase, d = past_date(slot_lang, r, rng)
			expect.setdefault("payment_date", d.isoformat())
		elif slot in ("B", "U", "RANGE"):
			phrase, d = {"B": back_date, "U": until_date, "RANGE": range_dates}[slot](slot_lang, r, rng)
			expect.setdefault("return_date", d.isoformat())
		elif slot == "A":
			phrase, value, cur = amount(slot_lang, rng)
			if "amount" not in expect:
				expect["amount"], expect["currency"] = value, cur
		elif slot == "AN":
			phrase, value = plain_amount(rng)
			if "amount" not in expect:
				expect["amount"], expect["currency"] = value, None
		elif slot == "LIST":
			phrase, value = remittance_list(rng, invoices)
			if "amount" not in expect:
				expect["amount"], expect["currency"] = value, None
		elif slot in ("I", "I2"):
			phrase, inv = invoice(rng)
			while inv in invoices:
				phrase, inv = invoice(rng)
			invoices.append(inv)
		elif slot == "R":
			phrase, ref = reference(slot_lang, rng)
			expect.setdefault("reference", ref)
		elif slot == "N":
			phrase = rng.choice([n for n in NAMES if n != name])
		elif slot == "C":
			phrase = company
		elif slot == "c":
			phrase = company.split()[0].lower()
		else:
			raise ValueError(f"unknown slot {slot}")
		return phrase

	body = re.sub(r"\{(\w+)\}", fill, text.replace("\\n", "\n"))
	if intent == "promise_to_pay":
		expect.setdefault("promised_date", None)
	if intent == "dispute":
		expect["reason"] = label
	if intent == "document_request":
		expect["document"] = label
	if intent == "out_of_office":
		expect.setdefault("return_date", None)
	expect["invoices"] = invoices
	first = name.split()[0]
	fmt = {
		"first": first,
		"name": name,
		"company": company,
		"phone": rng.randint(10**7, 10**8 - 1),
		"ext": rng.randint(100, 999),
	}
	if lang == "advice":
		note = rng.choice(["FYI", "PFB", "Please see below.", "Payment details below", "fyi - paid"])
		full = note + "\n\n" + forwarded(r, rng, company, body)
		return {"received": r.isoformat(), "text": full, "expect": expect, "lang": "en"}
	parts = []
	if intent != "out_of_office" and rng.random() < 0.5:
		parts.append(rng.choice(GREETINGS[lang]).format(**fmt))
	lower = rng.random()
	if lower < 0.1:
		body = body.lower()
	elif lower < 0.13 and intent in ("dispute", "other"):
		body = body.upper()
	parts.append(body)
	if rng.random() < 0.6:
		parts.append(rng.choice(SIGN_OFFS[lang]).format(**fmt))
		if rng.random() < 0.1:
			parts.append(DISCLAIMER)
	sep = "\n\n" if rng.random() < 0.7 else "\n"
	message = sep.join(parts)
	tail = rng.random()
	if intent == "out_of_office":
		pass
	elif tail < 0.35:
		message += "\n\n" + quoted(r, rng, company, lang)
	elif tail < 0.43:
		message += "\n\n" + forwarded(r, rng, company)
	return {"received": r.isoformat(), "text": message, "expect": expect, "lang": lang}


def load_templates(path: str | Path = TEMPLATES_PATH) -> dict[str, list[tuple[str, str | None]]]:
	"""The template lines (``lang|label|text``) of each intent with their family (the last ``@family
	NAME`` line above them in the section, None before any), in file order, from the data file."""
	blocks: dict[str, list[tuple[str, str | None]]] = {}
	lines: list[tuple[str, str | None]] | None = None
	family: str | None = None
	for number, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), 1):
		if not line.strip() or line.startswith("#"):
			continue
		if line.startswith("["):
			intent = line.strip()[1:-1]
			if intent not in PREFIX or intent in blocks:
				raise ValueError(f"{path}: line {number}: unknown or repeated section {line.strip()!r}")
			lines = blocks[intent] = []
			family = None
		elif line.startswith("@family") and lines is not None and len(line.split()) == 2:
			family = line.split()[1]
		elif lines is None or line.count("|") < 2:
			raise ValueError(f"{path}: line {number} is not a template under a section: {line!r}")
		else:
			lines.append((line, family))
	return blocks


def templates(path: str | Path = TEMPLATES_PATH) -> list[tuple[str, str, str, str, str, str | None]]:
	"""(group id, intent, lang, label, text, family) for every template line."""
	blocks = load_templates(path)
	out = []
	for intent in PREFIX:
		for i, (line, family) in enumerate(blocks.get(intent, ())):
			lang, label, text = line.split("|", 2)
			out.append((f"{PREFIX[intent]}-{i + 1:03d}", intent, lang, label, text, family))
	return out


def build(seed: int = 7, copies: int = 2) -> list[dict]:
	"""Every template rendered ``copies`` times (out-of-office, the smallest class, one more time); a
	template of a family (``@family``) carries it in its records' ``family``."""
	rng = random.Random(seed)
	records = []
	for group, intent, lang, label, text, family in templates():
		for k in range(copies + (1 if intent == "out_of_office" else 0)):
			rec = render(intent, lang, label, text, rng)
			head = {"id": f"{group}-{k + 1}", "group": group, "intent": intent}
			records.append(head | ({"family": family} if family else {}) | rec)
	return records


def to_jsonl(records: list[dict]) -> str:
	"""The records as the corpus file stores them: one JSON object a line, UTF-8 kept as is."""
	return "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--out", default=str(CORPUS_PATH))
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--copies", type=int, default=2)
	args = parser.parse_args()
	records = build(args.seed, args.copies)
	with open(args.out, "w", encoding="utf-8") as fh:
		fh.write(to_jsonl(records))
	counts: dict[str, int] = {}
	for rec in records:
		counts[rec["intent"]] = counts.get(rec["intent"], 0) + 1
	print(f"{len(records)} records written to {args.out}: {counts}")


if __name__ == "__main__":
	main()
