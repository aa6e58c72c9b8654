"""The part of a reply the customer wrote (:func:`strip_reply`).

Quoted history (``On Mon, … wrote:``, ``-----Original Message-----``, an Outlook ``From: … Sent:``
block, ``Am … schrieb``, ``Le … a écrit``, ``El … escribió``, lines starting with ``>``), the signature
(from a sign-off line such as ``Regards`` / ``Thanks & Regards`` / ``Mit freundlichen Grüßen`` /
``Saludos`` / ``Cordialement``, a ``--`` line, ``Sent from my iPhone``) and legal disclaimers are cut.
A forwarded message (``---------- Forwarded message ---------``) keeps the note written above it; when
that note is only a pointer (fewer than four words, or "FYI" / "PFB" / "see below" / "details below") the
forwarded body, without its header lines, is kept too, since it is then what the customer is telling us
(a bank's remittance advice, say).
"""

from __future__ import annotations

import re

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
