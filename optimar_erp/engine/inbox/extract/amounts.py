"""Amounts of money in a reply (:func:`find_amounts`).

``₹45,000``, ``Rs. 45,000/-``, ``INR 4,50,000.00`` (Indian grouping), ``$12,500``, ``USD 12.5k``,
``EUR 3.400,50`` / ``3.400,50 €`` (European separators), ``£2,300``, ``45k``, ``2.5 lakh``,
``1.2 lacs``, ``2.5L``, ``1 crore``, ``1.2 cr``, ``3 million``. A currency symbol or code, a multiplier,
thousands separators or two decimals make a number an amount; a plain integer counts only next to a money
word (after ``amount``, ``paid``, ``transfer`` …, or before a payment word: ``25000 NEFT``, ``18500
RTGS'd``) or just before a date phrase (``32000 by Friday``), is at least 100, is not a year and has at
most 8 digits. The amount a reply is about (:func:`main_amount`) is the one labelled as a total, else
the sum of a remittance list's line items, else the first one marked as money.
Dates, invoice numbers and references are masked first, so their digits are never read as money. Lakh
and crore without a currency imply INR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_MONEY_AFTER = re.compile(
	r"^\W{0,3}(?:(?:was|were|has\s+been|have\s+been|is|got|already)\s+)?(?:neft|rtgs|imps|upi|wire[ds]?|ach|"
	r"transferr?(?:ed|ing)?|transfer|remitted|sent|paid|deposited|credited|cleared|released|received|"
	r"(?:by|via|through|thru)\s+(?:neft|rtgs|imps|upi|wire|ach|cheque|check|bank|transfer))\b",
	re.IGNORECASE,
)
"""A payment word just after a plain number: ``25000 NEFT``, ``18500 RTGS'd``, ``40000 was transferred``."""
_DATE_AFTER = re.compile(
	r"\s*(?:(?:by|on|before|till|until|latest(?:\s+by)?|at\s+the\s+latest\s+by)\s*)?", re.IGNORECASE
)
"""What may stand between a plain number and the date that follows it (``32000 by Friday``, ``15000 on
the 20th``, ``9800 tomorrow``): what comes when, so the number is money."""
_TOTAL_BEFORE = re.compile(
	r"(?:total|grand\s+total|sum|altogether|in\s+all|net\s+paid|amount\s+paid|total\s+paid|total\s+amount|"
	r"gesamt|summe|montant\s+total|importe\s+total)(?:\s*\([^)]{0,30}\))?\W{0,12}(?:[a-z]{1,6}\W{0,3})?$",
	re.IGNORECASE,
)
"""A total's label just before an amount (``Total paid: 10,000``): that amount is the remittance's."""
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
	total: bool = False
	"""True when a total's label comes just before it (the sum of a remittance list)."""
	listed: bool = False
	"""True when it shares its line with an invoice number (a line item of a remittance list)."""


def find_amounts(
	text: str, masked: list[tuple[int, int]] = (), items: list[tuple[int, int]] = ()
) -> list[AmountMention]:
	"""Every amount of money in ``text``, in order; characters in the ``masked`` spans (dates, invoice
	numbers, references) are ignored. ``items`` are the invoice numbers' spans: an amount on the same
	line as one is a line item (``listed``)."""
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
				before = _MONEY_WORDS.search(clean[max(0, num_start - 25) : num_start].rstrip())
				after = clean[m.end() :]
				dated = any(
					m.end() <= a <= m.end() + 16 and _DATE_AFTER.fullmatch(clean[m.end() : a])
					for a, _ in masked
				)
				if not (before or _MONEY_AFTER.match(after) or dated):
					continue
		line_start = clean.rfind("\n", 0, m.start()) + 1
		line_end = clean.find("\n", m.end())
		line_end = len(clean) if line_end < 0 else line_end
		found.append(
			AmountMention(
				round(value, 2),
				currency,
				m.start(),
				m.end(),
				text[m.start() : m.end()].strip(),
				strong,
				total=bool(_TOTAL_BEFORE.search(clean[max(0, m.start() - 60) : m.start()])),
				listed=any(line_start <= s < line_end for s, _ in items),
			)
		)
	return found


def main_amount(amounts: list[AmountMention]) -> AmountMention | None:
	"""The amount a reply is about: one labelled as a total; else, for a remittance list (two or more
	line items, each on a line with an invoice number), their sum; else the first one marked as money,
	else the first one."""
	total = next((a for a in amounts if a.total), None)
	if total:
		return total
	listed = [a for a in amounts if a.listed]
	if len(listed) >= 2:
		currencies = {a.currency for a in listed} - {None}
		if len(currencies) <= 1:
			first, last = listed[0], listed[-1]
			return AmountMention(
				round(sum(a.value for a in listed), 2),
				currencies.pop() if currencies else None,
				first.start,
				last.end,
				" + ".join(a.text for a in listed),
				any(a.strong for a in listed),
				total=True,
			)
	return next((a for a in amounts if a.strong), amounts[0] if amounts else None)
