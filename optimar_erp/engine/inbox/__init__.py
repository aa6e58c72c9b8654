"""The AI collections inbox: classify customers' replies to payment reminders and read what they say.

- :func:`classify` (in :mod:`.classifier`): intent, confidence, extracted fields, needs-a-human, the
  suggested action and whether it is safe to apply without a person;
- :func:`evaluate`: per-class and macro F1 on a held-out split of the shipped corpus;
- :mod:`.extract`: the rules (reply stripping, dates, amounts, invoice numbers, references, dispute
  reasons, requested documents), usable on their own.

Pure Python + pandas + scikit-learn: nothing here imports frappe.
"""

from optimar_erp.engine.inbox.classifier import (
	ACTIONS,
	DEFAULT_THRESHOLD,
	INTENTS,
	RESULT_COLUMNS,
	classify,
	evaluate,
	extraction_accuracy,
	get_model,
	load_corpus,
	train,
)
from optimar_erp.engine.inbox.extract import (
	DISPUTE_REASON_CODE,
	DOCUMENTS,
	REASONS,
	extract_fields,
	find_amounts,
	find_dates,
	find_invoices,
	find_reference,
	strip_reply,
)

__all__ = [
	"ACTIONS",
	"DEFAULT_THRESHOLD",
	"DISPUTE_REASON_CODE",
	"DOCUMENTS",
	"INTENTS",
	"REASONS",
	"RESULT_COLUMNS",
	"classify",
	"evaluate",
	"extract_fields",
	"extraction_accuracy",
	"find_amounts",
	"find_dates",
	"find_invoices",
	"find_reference",
	"get_model",
	"load_corpus",
	"strip_reply",
	"train",
]
