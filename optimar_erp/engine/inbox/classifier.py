"""The collections inbox: what does a customer's reply to a payment reminder say, and what should we do?

:func:`classify` takes replies (text, and the day each arrived) and returns one row per reply: its
intent (:data:`INTENTS`), the model's confidence, the fields that intent needs (read by the rules of
:mod:`~optimar_erp.engine.inbox.extract`), whether a person must look at it, the suggested action and
whether that action is safe to carry out without a person.

Model
-----
A TF-IDF of word 1–2-grams and character 2–5-grams (within word boundaries, so typos, Hinglish and
inflected Spanish/German/French still share features) feeding a multinomial logistic regression
(``class_weight="balanced"``, one BLAS thread). The text is the reply as stripped by
:func:`~optimar_erp.engine.inbox.extract.strip_reply` (no quoted reminder, no signature), lower-cased,
every digit written as ``0``, followed by cue tokens from the rules (:func:`model_input`: multilingual
word lists for "will pay" / "paid" / "away" / "send a copy" / "wrong, damaged" / "contact someone else",
and whether a date in the reply lies after or before the day it arrived, an amount, an invoice number,
a payment reference). It is trained on ``corpus.jsonl`` (shipped in this package, made by the tool
:mod:`~optimar_erp.tools.inbox_corpus`) the first time it is needed and kept for the life of the
process (:func:`get_model`; :data:`TRAINING_SECONDS`, one to two seconds on one core).
:func:`evaluate` reports per-class and macro F1 on a held-out split that keeps every rendering of a
template on the same side (``StratifiedGroupKFold``), so the figure is not flattered by near-duplicates.

Decisions
---------
``needs_human`` is True, with the reasons in ``review_reasons``, when any of these holds:

- the confidence is below ``threshold`` (default :data:`DEFAULT_THRESHOLD`);
- the intent is ``other`` (nothing for the collections workflow to do) or the reply is empty;
- a promise has no date, a date before the reply, or one more than :data:`MAX_PROMISE_DAYS` away;
- a document request names no document we recognise;
- an out-of-office reply gives no return date (or one more than :data:`MAX_SNOOZE_DAYS` away).

``suggested_action``: ``human_review`` when the confidence is below ``threshold`` or the intent is
``other``; otherwise ``draft_promise`` (promise_to_pay), ``draft_dispute`` (dispute), ``match_payment``
(payment_made), ``send_document`` (document_request), ``snooze_until`` (out_of_office, until
``snooze_until`` = the return date). Drafts are only drafts: a person confirms them.

``safe_to_auto_apply`` is True only for actions that cannot hurt when wrong and are easy to undo, when
the reply needs no human and the confidence is at least ``auto_threshold`` (default
:data:`AUTO_APPLY_CONFIDENCE`):

- ``snooze_until`` an explicit return date at most :data:`MAX_SNOOZE_DAYS` away (pausing reminders to
  someone on leave; they resume by themselves);
- ``send_document`` when the document is an ``invoice_copy`` or a ``statement`` (documents the customer
  is entitled to and already received once; the shell must still check that the sender is a known
  contact of the customer, so that nothing goes to a third party).

A promise, a dispute or a payment match is never applied automatically: a wrong promise silences
reminders, a wrong dispute blocks collection, a wrong match misstates the ledger.

Output columns (:data:`RESULT_COLUMNS`): ``text`` (the reply as stripped), ``received``, ``intent``,
``confidence`` (the model's probability of that intent), ``second_intent`` and ``second_confidence``
(the runner-up, which shows a reply that says two things), ``needs_human``, ``review_reasons`` (tuple of
sentences), ``suggested_action``, ``safe_to_auto_apply``, ``promised_date``, ``payment_date``,
``return_date``, ``snooze_until`` (midnight ``datetime64``, NaT = none), ``amount`` (float, NaN = none),
``currency``, ``reason`` (:data:`~optimar_erp.engine.inbox.extract.REASONS`), ``dispute_reason_code``
(the Dispute doctype's option), ``document`` (:data:`~optimar_erp.engine.inbox.extract.DOCUMENTS`),
``reference``, ``invoices`` (tuple). Text fields are None when not applicable.

Pure Python + pandas + scikit-learn: nothing here imports frappe.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

from optimar_erp.engine.inbox.extract import (
	DISPUTE_REASON_CODE,
	extract_fields,
	find_amounts,
	find_dates,
	find_invoices,
	find_reference,
	strip_reply,
)

INTENTS: tuple[str, ...] = (
	"promise_to_pay",
	"dispute",
	"payment_made",
	"document_request",
	"out_of_office",
	"other",
)
"""Every intent :func:`classify` returns."""

ACTIONS: dict[str, str] = {
	"promise_to_pay": "draft_promise",
	"dispute": "draft_dispute",
	"payment_made": "match_payment",
	"document_request": "send_document",
	"out_of_office": "snooze_until",
	"other": "human_review",
}
"""The action suggested for each intent when the reply is confident enough."""

SAFE_DOCUMENTS: frozenset[str] = frozenset({"invoice_copy", "statement"})
"""Documents that may be sent without a person (see the module docstring)."""

DEFAULT_THRESHOLD = 0.6
"""Below this confidence a reply goes to a person (``human_review``)."""
AUTO_APPLY_CONFIDENCE = 0.8
"""The confidence a safe action needs before it is applied without a person."""
MAX_SNOOZE_DAYS = 60
MAX_REPLY_CHARS = 200_000
"""Of a reply's text, at most this much is read at all (the rest is never looked at)."""
MAX_READ_CHARS = 3_000
"""Of the reply once quoted text and signature are stripped, at most this much is classified and read for
dates, amounts and invoice numbers: what a customer writes back fits, and a crafted reply of any size
costs well under a second (some invoice-number patterns are quadratic in a run of repeated prefixes)."""
"""A return date further away than this is not snoozed automatically."""
MAX_PROMISE_DAYS = 180
"""A promised date further away than this needs a person."""

CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")

RESULT_COLUMNS: tuple[str, ...] = (
	"text",
	"received",
	"intent",
	"confidence",
	"second_intent",
	"second_confidence",
	"needs_human",
	"review_reasons",
	"suggested_action",
	"safe_to_auto_apply",
	"promised_date",
	"payment_date",
	"return_date",
	"snooze_until",
	"amount",
	"currency",
	"reason",
	"dispute_reason_code",
	"document",
	"reference",
	"invoices",
)
"""Columns of the table :func:`classify` returns, in order."""

_DATE_COLUMNS = ("received", "promised_date", "payment_date", "return_date", "snooze_until")


# ------------------------------------------------------------------------------------------- corpus


def load_corpus(path: str | Path | None = None) -> pd.DataFrame:
	"""The labelled replies: one row per record with ``id``, ``group``, ``intent``, ``family`` (None for
	a template of no family), ``lang``, ``text``, ``received`` (``datetime.date``) and ``expect`` (dict
	of the fields a reader should find).

	Raises :class:`ValueError` naming the line of a record that cannot be read or has an unknown intent.
	"""
	path = Path(path) if path else CORPUS_PATH
	rows = []
	for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
		if not line.strip():
			continue
		try:
			rec = json.loads(line)
			rec["received"] = dt.date.fromisoformat(rec["received"])
			text, intent = rec["text"], rec["intent"]
		except (ValueError, KeyError, TypeError) as exc:
			raise ValueError(f"{path}: line {number} is not a corpus record ({exc})") from exc
		if intent not in INTENTS or not isinstance(text, str):
			raise ValueError(
				f"{path}: line {number} has intent {intent!r}; expected one of {', '.join(INTENTS)}"
			)
		rec.setdefault("group", rec.get("id", str(number)))
		rec.setdefault("expect", {})
		rec.setdefault("family", None)
		rows.append(rec)
	return pd.DataFrame(rows)


# -------------------------------------------------------------------------------------------- model


_CUES: dict[str, re.Pattern] = {
	name: re.compile(rx, re.IGNORECASE)
	for name, rx in {
		"future": r"\b(?:will|shall|going to|plan(?:ned)? to|scheduled|expect|can pay|kar denge|karenge|kar dunga|denge|"
		r"ho jayega|aa jayega|jayega|pagaremos|haremos|realizaremos|saldrá|recibirá|werden|wird|zahlen|allons|sera|partira|"
		r"effectuerons|recevrez)\b|\w'll\b",
		"paid": r"\b(?:paid|transferred|remitted|credited|deposited|released|initiated|cleared|settled|done|completed|processed|"
		r"has been made|have made|was made|kar diya|ho gaya|bhej diya|de diya|pagad[oa]|realizado|realizamos|hizo|hemos pagado|"
		r"bezahlt|überwiesen|erfolgt|beglichen|payée?|réglée?|effectué|avons (?:payé|effectué|réglé))\b",
		"ref": r"\b(?:utr|neft|rtgs|imps|upi|cheque|chq|transaction|txn|ref(?:erence)?|remittance|advice|referenz|referencia|"
		r"référence|wire|ach|dd)\b",
		"away": r"\b(?:out of (?:the )?office|ooo|on leave|annual leave|maternity|vacation|holidays?|away|auto(?:matic)?[- ]?reply|"
		r"limited access|no access|return|returning|back (?:on|in)|travelling|traveling|chutti|wapas|urlaub|abwesen\w*|"
		r"nicht im büro|"
		r"fuera de la oficina|vacaciones|regreso|absent|congé|de retour|respuesta automática|réponse automatique|"
		r"not monitored|closed for)\b",
		"ask_doc": r"\b(?:copy|copies|resend|re-send|pdf|statement|ledger|certificate|form|w-?9|tds|pod|grn|"
		r"challan|bank details|iban|kopie|schicken|senden|copia|enviar|envíen|copie|envoyer|transmettre|bhej do|bhejo|chahiye)\b",
		"contest": r"\b(?:wrong|incorrect|damaged|defective|faulty|broken|not received|never (?:received|got)|duplicate|twice|"
		r"overcharged|short|missing|rejected|dispute|mismatch|not paying|won't pay|will not pay|not payable|credit note|"
		r"already paid|galat|kharab|nahi mila|beschädigt|falsch|nicht erhalten|gutschrift|dañad[ao]|no hemos recibido|"
		r"incorrecto|nota de crédito|endommagée?|avoir|pas (?:encore )?reçu|ne correspond pas|no coincide|entspricht nicht)\b",
		"redirect": r"\b(?:unsubscribe|remove me|wrong person|no longer|who is this|contact (?:our|the)|spam|call me|noted|"
		r"acknowledged|received with thanks|received, thanks|zur kenntnis|recibido|bien reçu|contacte|wenden sie sich|"
		r"kontaktieren|not (?:the right|responsible)|nicht zuständig)\b",
	}.items()
}
"""Multilingual word lists whose hits are added to the model's input as cue tokens."""


def model_input(stripped: str, received: dt.date | None = None) -> str:
	"""What the model reads, from a reply already stripped of quotes and signature: the text lower-cased,
	digits as ``0``, e-mail addresses as one token, followed by cue tokens (``__paid__``, ``__future__``,
	``__away__`` … from :data:`_CUES`; ``__date_after__``/``__date_before__`` when a date in the reply
	falls after/before ``received`` however it is read; ``__amount__``, ``__invoice__``, ``__ref__`` when
	the rules find one)."""
	text = re.sub(r"\S+@\S+", " emailaddress ", stripped.lower())
	text = re.sub(r"\s+", " ", re.sub(r"\d", "0", text)).strip()
	tags = [f"__{name}__" for name, rx in _CUES.items() if rx.search(stripped)]
	if received is not None:
		if any(d.date > received for d in find_dates(stripped, received, prefer="past")):
			tags.append("__date_after__")
		if any(d.date < received for d in find_dates(stripped, received, prefer="future")):
			tags.append("__date_before__")
	invoices = find_invoices(stripped)
	if invoices:
		tags.append("__invoice__")
	if find_reference(stripped, [name for name, _, _ in invoices]):
		tags.append("__ref__")
	if any(a.strong for a in find_amounts(stripped)):
		tags.append("__amount__")
	return f"{text} {' '.join(tags)}".strip()


def model_text(reply: str, received: dt.date | None = None) -> str:
	""":func:`model_input` of a raw reply (quotes and signature stripped first)."""
	return model_input(strip_reply(reply), received)


def build_model(seed: int = 0) -> Pipeline:
	"""The untrained pipeline (see the module docstring)."""
	features = FeatureUnion(
		[
			(
				"words",
				TfidfVectorizer(
					analyzer="word",
					ngram_range=(1, 2),
					sublinear_tf=True,
					min_df=1,
					token_pattern=r"(?u)\b\w+\b",
				),
			),
			("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
		]
	)
	clf = LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced", random_state=seed)
	return Pipeline([("features", features), ("clf", clf)])


def train(corpus: pd.DataFrame | None = None, seed: int = 0) -> Pipeline:
	"""A pipeline fitted on ``corpus`` (default: the shipped corpus)."""
	corpus = load_corpus() if corpus is None else corpus
	texts = [model_text(t, r) for t, r in zip(corpus["text"], corpus["received"], strict=True)]
	with threadpool_limits(1):  # BLAS threads only slow a problem this small (and fight other work)
		return build_model(seed).fit(texts, corpus["intent"].to_numpy())


_MODEL: Pipeline | None = None
_MODEL_LOCK = threading.Lock()
TRAINING_SECONDS: float | None = None
"""How long the cached model took to train (None until it is trained)."""


def get_model() -> Pipeline:
	"""The model trained on the shipped corpus; trained on first use, then cached for the process."""
	global _MODEL, TRAINING_SECONDS
	if _MODEL is None:
		with _MODEL_LOCK:
			if _MODEL is None:
				start = time.perf_counter()
				_MODEL = train()
				TRAINING_SECONDS = time.perf_counter() - start
	return _MODEL


# ----------------------------------------------------------------------------------------- classify


def _as_date(value: object, where: str) -> dt.date | None:
	if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
		return None
	if isinstance(value, np.datetime64):
		value = pd.Timestamp(value)
		if value is pd.NaT:
			return None
	if isinstance(value, dt.datetime):
		return value.date()
	if isinstance(value, dt.date):
		return value
	if isinstance(value, str):
		if not value.strip():
			return None
		try:
			return dt.date.fromisoformat(value.strip()[:10])
		except ValueError:
			pass
	raise ValueError(f"{where}: received {value!r} is not a date (expected YYYY-MM-DD)")


def _inputs(replies: object, received: object) -> list[tuple[str, dt.date | None]]:
	"""(text, received) per reply, from a string, a list of strings/dicts or a DataFrame."""
	default = _as_date(received, "received")
	if isinstance(replies, str):
		replies = [replies]
	if isinstance(replies, pd.DataFrame):
		if "text" not in replies.columns:
			raise ValueError("replies table is missing required column(s): text")
		rows: Iterable = replies.to_dict("records")
	elif isinstance(replies, Iterable):
		rows = replies
	else:
		raise ValueError(f"replies: expected a string, a list or a DataFrame, got {type(replies).__name__}")
	out = []
	for i, row in enumerate(rows):
		if isinstance(row, Mapping):
			if "text" not in row:
				raise ValueError(f"reply {i}: no 'text'")
			text, day = row["text"], _as_date(row.get("received"), f"reply {i}") or default
		else:
			text, day = row, default
		if text is None or (isinstance(text, float) and np.isnan(text)):
			text = ""
		if not isinstance(text, str):
			raise ValueError(f"reply {i}: text must be a string, got {type(text).__name__}")
		out.append((text, day))
	return out


def _decide(
	intent: str,
	confidence: float,
	fields,
	received: dt.date | None,
	empty: bool,
	threshold: float,
	auto_threshold: float,
) -> tuple[list[str], str, bool, dt.date | None]:
	"""(review reasons, suggested action, safe to auto-apply, snooze until) for one reply."""
	reasons = []
	if empty:
		reasons.append("the reply is empty once quoted text and signature are removed")
	if confidence < threshold:
		reasons.append(f"confidence {confidence:.2f} is below the threshold {threshold:.2f}")
	if intent == "other":
		reasons.append("the reply asks for nothing the collections workflow can do (intent other)")
	if intent == "promise_to_pay":
		if fields.promised_date is None:
			reasons.append("the promise has no date")
		elif received and fields.promised_date < received:
			reasons.append("the promised date is before the reply")
		elif received and (fields.promised_date - received).days > MAX_PROMISE_DAYS:
			reasons.append(f"the promised date is more than {MAX_PROMISE_DAYS} days away")
	if intent == "document_request" and fields.document == "other":
		reasons.append("the requested document was not recognised")
	snooze = None
	if intent == "out_of_office":
		if fields.return_date is None:
			reasons.append("the out-of-office reply gives no return date")
		elif received and (fields.return_date - received).days > MAX_SNOOZE_DAYS:
			reasons.append(f"the return date is more than {MAX_SNOOZE_DAYS} days away")
		snooze = fields.return_date
	action = "human_review" if confidence < threshold or intent == "other" or empty else ACTIONS[intent]
	safe = (
		not reasons
		and confidence >= auto_threshold
		and (
			(action == "snooze_until" and snooze is not None)
			or (action == "send_document" and fields.document in SAFE_DOCUMENTS)
		)
	)
	return reasons, action, bool(safe), snooze


def classify(
	replies: str | Iterable[str | Mapping] | pd.DataFrame,
	received: dt.date | str | None = None,
	*,
	threshold: float = DEFAULT_THRESHOLD,
	auto_threshold: float = AUTO_APPLY_CONFIDENCE,
	dayfirst: bool = True,
	model: Pipeline | None = None,
) -> pd.DataFrame:
	"""Classify customer replies and read their fields; one row per reply, in input order.

	``replies``: one text, a list of texts or of ``{"text": …, "received": …}`` dicts, or a DataFrame with
	a ``text`` column (and optionally ``received``). ``received`` is the default arrival day for replies
	that carry none; relative dates ("next Friday", "kal") are resolved against it, and without it only
	dates that carry their year are found. ``dayfirst`` reads ``05/12/2026`` as 5 December (False: May 12).
	``threshold`` and ``auto_threshold`` are explained in the module docstring. Raises
	:class:`ValueError` naming the reply whose text or date cannot be used.
	"""
	if not 0 <= threshold <= 1 or not 0 <= auto_threshold <= 1:
		raise ValueError("threshold and auto_threshold must be between 0 and 1")
	rows = _inputs(replies, received)
	if not rows:
		return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
	model = model or get_model()
	stripped = [strip_reply(text[:MAX_REPLY_CHARS])[:MAX_READ_CHARS] for text, _ in rows]
	texts = [model_input(clean, day) for clean, (_, day) in zip(stripped, rows, strict=True)]
	with threadpool_limits(1):
		proba = model.predict_proba(texts)
	classes = np.asarray(model.classes_)
	order = np.argsort(-proba, axis=1)
	records = []
	for i, ((_, day), clean) in enumerate(zip(rows, stripped, strict=True)):
		empty = not re.search(r"\w", clean)
		best, second = order[i, 0], order[i, 1]
		intent = "other" if empty else str(classes[best])
		confidence = 0.0 if empty else float(proba[i, best])
		fields = extract_fields(clean, intent, day, dayfirst=dayfirst)
		reasons, action, safe, snooze = _decide(
			intent, confidence, fields, day, empty, threshold, auto_threshold
		)
		records.append(
			{
				"text": clean,
				"received": day,
				"intent": intent,
				"confidence": round(confidence, 4),
				"second_intent": None if empty else str(classes[second]),
				"second_confidence": 0.0 if empty else round(float(proba[i, second]), 4),
				"needs_human": bool(reasons),
				"review_reasons": tuple(reasons),
				"suggested_action": action,
				"safe_to_auto_apply": safe,
				"promised_date": fields.promised_date,
				"payment_date": fields.payment_date,
				"return_date": fields.return_date,
				"snooze_until": snooze,
				"amount": fields.amount,
				"currency": fields.currency,
				"reason": fields.reason,
				"dispute_reason_code": DISPUTE_REASON_CODE.get(fields.reason) if fields.reason else None,
				"document": fields.document,
				"reference": fields.reference,
				"invoices": fields.invoices,
			}
		)
	out = pd.DataFrame.from_records(records, columns=list(RESULT_COLUMNS))
	for col in _DATE_COLUMNS:
		out[col] = pd.to_datetime(out[col].astype(object).where(out[col].notna(), None)).astype(
			"datetime64[ns]"
		)
	out["amount"] = out["amount"].astype(float)
	return out


# ----------------------------------------------------------------------------------------- evaluate

EXTRACTED_FIELDS: tuple[str, ...] = (
	"promised_date",
	"payment_date",
	"return_date",
	"amount",
	"currency",
	"reference",
	"reason",
	"document",
	"invoices",
)


def _same(field: str, got: object, want: object) -> bool:
	if field in ("promised_date", "payment_date", "return_date"):
		return (got.isoformat() if got else None) == want
	if field == "amount":
		return (got is None and want is None) or (
			got is not None and want is not None and abs(got - want) < 0.005
		)
	if field == "invoices":
		return sorted(got) == sorted(want)
	return got == want


def extraction_accuracy(
	corpus: pd.DataFrame | None = None, dayfirst: bool = True
) -> dict[str, dict[str, float]]:
	"""Per field, the share of corpus records (that state the field) whose rules read it right, with the
	true intent given: ``{field: {"accuracy": …, "n": …}}``."""
	corpus = load_corpus() if corpus is None else corpus
	hits: dict[str, list[bool]] = {f: [] for f in EXTRACTED_FIELDS}
	for rec in corpus.itertuples(index=False):
		fields = extract_fields(strip_reply(rec.text), rec.intent, rec.received, dayfirst=dayfirst)
		for field, want in rec.expect.items():
			if field in hits:
				hits[field].append(_same(field, getattr(fields, field), want))
	return {f: {"accuracy": round(float(np.mean(v)), 4), "n": len(v)} for f, v in hits.items() if v}


def evaluate(
	seed: int = 0,
	test_size: float = 0.25,
	threshold: float = DEFAULT_THRESHOLD,
	corpus: pd.DataFrame | None = None,
) -> dict:
	"""Train on part of the corpus, test on the rest; per-class and macro F1 and more, as a dict.

	The split is stratified by intent and grouped by template (every rendering of a template lands on the
	same side), with ``StratifiedGroupKFold(round(1 / test_size), shuffle=True, random_state=seed)``; the
	first fold is held out. Keys: ``macro_f1``, ``accuracy``, ``per_class`` ({intent: precision, recall,
	f1, support}), ``n_train``, ``n_test``, ``seed``, ``threshold``, ``coverage`` (share of test replies
	acted on without a person: confidence ≥ threshold and intent not other), ``accuracy_when_confident``
	(intent accuracy on those), ``train_seconds`` and ``extraction`` (:func:`extraction_accuracy` on the
	whole corpus; the rules are not trained).
	"""
	corpus = load_corpus() if corpus is None else corpus
	splitter = StratifiedGroupKFold(n_splits=max(2, round(1 / test_size)), shuffle=True, random_state=seed)
	train_idx, test_idx = next(splitter.split(corpus["text"], corpus["intent"], corpus["group"]))
	start = time.perf_counter()
	model = train(corpus.iloc[train_idx], seed=seed)
	seconds = time.perf_counter() - start
	test = corpus.iloc[test_idx]
	proba = model.predict_proba(
		[model_text(t, r) for t, r in zip(test["text"], test["received"], strict=True)]
	)
	pred = np.asarray(model.classes_)[proba.argmax(axis=1)]
	truth = test["intent"].to_numpy()
	precision, recall, f1, support = precision_recall_fscore_support(
		truth, pred, labels=list(INTENTS), zero_division=0
	)
	confident = (proba.max(axis=1) >= threshold) & (pred != "other")
	return {
		"macro_f1": round(float(np.mean(f1)), 4),
		"accuracy": round(float(accuracy_score(truth, pred)), 4),
		"per_class": {
			intent: {
				"precision": round(float(precision[k]), 4),
				"recall": round(float(recall[k]), 4),
				"f1": round(float(f1[k]), 4),
				"support": int(support[k]),
			}
			for k, intent in enumerate(INTENTS)
		},
		"n_train": len(train_idx),
		"n_test": len(test_idx),
		"seed": seed,
		"threshold": threshold,
		"coverage": round(float(confident.mean()), 4),
		"accuracy_when_confident": round(float((pred[confident] == truth[confident]).mean()), 4)
		if confident.any()
		else None,
		"train_seconds": round(seconds, 3),
		"extraction": extraction_accuracy(corpus),
	}
