""":func:`extract_fields`: the fields one intent needs, read from one (already stripped) reply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from optimar_erp.engine.inbox.extract.amounts import find_amounts, main_amount
from optimar_erp.engine.inbox.extract.dates import find_dates, payment_date, promised_date, return_date
from optimar_erp.engine.inbox.extract.reasons import dispute_reason, requested_document
from optimar_erp.engine.inbox.extract.references import find_invoices, find_reference


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
		amount = main_amount(find_amounts(text, masked, [(s, e) for _, s, e in invoices]))
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
