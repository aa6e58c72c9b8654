"""Invoice numbers (:func:`find_invoices`) and payment references (:func:`find_reference`) in a reply.

Invoices: ERPNext names (``ACC-SINV-2026-00012``, ``SINV-26-0091``), ``INV-123``, ``INV/2026/118``,
``INV 123``, ``#12345``, and the number after ``invoice (no./#/number)``, ``bill no.``, ``factura``,
``Rechnung``, ``facture`` (lists too: ``invoices 4512, 4513 and 4520``); upper-cased, ``#`` dropped.
References: the token after ``UTR``, ``NEFT/RTGS/IMPS/UPI ref``, ``cheque no.``, ``transaction id``,
``txn``, ``ref no.``, ``wire ref``, ``Referenz``, ``referencia``, ``référence`` (it must hold four or
more digits), or a bare Indian UTR (``HDFCR52026112812345678``, ``N332261234567890``).
"""

from __future__ import annotations

import re

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
