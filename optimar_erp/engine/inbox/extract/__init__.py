"""Rules that read one customer reply: what was written (not quoted), and the dates, amounts, invoice
numbers, payment references, dispute reasons and requested documents in it.

Everything here is deterministic and needs no model; :mod:`~optimar_erp.engine.inbox.classifier` decides
the intent and then asks these functions for the fields that intent needs. One module per kind of fact,
each documenting its rules:

- :mod:`.cleaning`: the text the customer wrote (:func:`strip_reply`);
- :mod:`.dates`: dates (:func:`find_dates`) and which one is the promised, payment or return date; the
  patterns are in :mod:`.date_patterns`, built on the words of :mod:`.vocabulary` and the calendar
  arithmetic of :mod:`.daymath`;
- :mod:`.amounts`: amounts of money (:func:`find_amounts`);
- :mod:`.references`: invoice numbers (:func:`find_invoices`) and payment references
  (:func:`find_reference`);
- :mod:`.reasons`: dispute reasons (:func:`dispute_reason`) and requested documents
  (:func:`requested_document`);
- :mod:`.fields`: all of them for one intent (:func:`extract_fields`).

This package re-exports their public names, so ``from optimar_erp.engine.inbox.extract import X`` works
for each of them.

Pure Python (re, datetime): nothing here imports frappe.
"""

from optimar_erp.engine.inbox.extract.amounts import AmountMention, find_amounts, main_amount
from optimar_erp.engine.inbox.extract.cleaning import SHORT_NOTE_WORDS, strip_reply
from optimar_erp.engine.inbox.extract.dates import (
	DateMention,
	find_dates,
	payment_date,
	promised_date,
	return_date,
)
from optimar_erp.engine.inbox.extract.fields import Fields, extract_fields
from optimar_erp.engine.inbox.extract.reasons import (
	DISPUTE_REASON_CODE,
	DOCUMENTS,
	REASONS,
	dispute_reason,
	requested_document,
)
from optimar_erp.engine.inbox.extract.references import find_invoices, find_reference

__all__ = [
	"DISPUTE_REASON_CODE",
	"DOCUMENTS",
	"REASONS",
	"SHORT_NOTE_WORDS",
	"AmountMention",
	"DateMention",
	"Fields",
	"dispute_reason",
	"extract_fields",
	"find_amounts",
	"find_dates",
	"find_invoices",
	"find_reference",
	"main_amount",
	"payment_date",
	"promised_date",
	"requested_document",
	"return_date",
	"strip_reply",
]
