"""The reply classifier on replies it has never seen: ``python -m optimar_erp.benchmarks.engine_inbox``.

Two splits of the shipped corpus (``optimar_erp/engine/inbox/corpus.jsonl``):

- **by template family**: the templates of a family (``@family`` in the template file: kinds of reply
  added together and written in their own words: short and indirect "it is done" replies, amounts
  without a currency, remittance lists, conditional and indirect document requests …) are held out
  whole, one family at a time, and the classifier is trained on every other record; the held-out
  predictions of all families are pooled for the macro-F1 (over the intents the families have);
- **by template** (the classifier's own :func:`~optimar_erp.engine.inbox.classifier.evaluate`, four
  grouped folds): every rendering of a template on the same side.

For each, the intent's macro-F1 and accuracy, and the amount accuracy: the share of held-out replies
that state an amount whose amount the rules read right, given the intent the classifier found (a reply
classified under an intent that reads no amount gets none) and given the true intent.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedGroupKFold

from optimar_erp.engine.inbox.classifier import _same, load_corpus, model_text, train
from optimar_erp.engine.inbox.extract import extract_fields, strip_reply


def _predict(train_part: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
	model = train(train_part, seed=0)
	texts = [model_text(t, r) for t, r in zip(test["text"], test["received"], strict=True)]
	return model.predict(texts)


def _amount_hits(test: pd.DataFrame, intents: np.ndarray) -> list[tuple[bool, bool]]:
	"""(right with the predicted intent, right with the true intent) for each reply stating an amount."""
	out = []
	for rec, intent in zip(test.itertuples(index=False), intents, strict=True):
		if "amount" not in rec.expect:
			continue
		want = rec.expect["amount"]
		text = strip_reply(rec.text)
		got_pred = extract_fields(text, intent, rec.received).amount
		got_true = extract_fields(text, rec.intent, rec.received).amount
		out.append((_same("amount", got_pred, want), _same("amount", got_true, want)))
	return out


def _figures(truth: np.ndarray, pred: np.ndarray, hits: list[tuple[bool, bool]]) -> dict:
	labels = sorted(set(truth))
	return {
		"n": len(truth),
		"macro_f1": round(float(f1_score(truth, pred, labels=labels, average="macro", zero_division=0)), 4),
		"accuracy": round(float(np.mean(truth == pred)), 4),
		"n_amounts": len(hits),
		"amount_accuracy": round(float(np.mean([h[0] for h in hits])), 4) if hits else None,
		"amount_accuracy_true_intent": round(float(np.mean([h[1] for h in hits])), 4) if hits else None,
	}


def by_family(corpus: pd.DataFrame) -> dict[str, dict]:
	"""Each family held out whole in turn (trained on the rest); per family and ``all`` pooled."""
	out: dict[str, dict] = {}
	truth_all, pred_all, hits_all = [], [], []
	for family in sorted(f for f in corpus["family"].dropna().unique()):
		held = corpus["family"] == family
		test = corpus[held]
		pred = _predict(corpus[~held], test)
		hits = _amount_hits(test, pred)
		truth = test["intent"].to_numpy()
		out[family] = _figures(truth, pred, hits) | {"intent": truth[0]}
		truth_all.append(truth)
		pred_all.append(pred)
		hits_all += hits
	out["all"] = _figures(np.concatenate(truth_all), np.concatenate(pred_all), hits_all)
	return out


def by_template(corpus: pd.DataFrame, folds: int = 4, seed: int = 0) -> dict:
	"""Grouped by template, stratified by intent: every fold held out once, predictions pooled."""
	splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
	truth, pred, hits = [], [], []
	for train_idx, test_idx in splitter.split(corpus["text"], corpus["intent"], corpus["group"]):
		test = corpus.iloc[test_idx]
		p = _predict(corpus.iloc[train_idx], test)
		truth.append(test["intent"].to_numpy())
		pred.append(p)
		hits += _amount_hits(test, p)
	return _figures(np.concatenate(truth), np.concatenate(pred), hits)


def _pct(v: float | None) -> str:
	return "-" if v is None else f"{100 * v:.1f} %"


def table(families: dict[str, dict], templates: dict) -> str:
	"""A Markdown table of both splits."""
	lines = [
		"| held out | intent | replies | macro-F1 | intent accuracy | amounts | amount accuracy "
		"(found intent / true intent) |",
		"|---|---|---|---|---|---|---|",
	]
	for name, f in families.items():
		if name == "all":
			continue
		lines.append(
			f"| family `{name}` | {f['intent']} | {f['n']} | - | {_pct(f['accuracy'])} | {f['n_amounts']} | "
			f"{_pct(f['amount_accuracy'])} / {_pct(f['amount_accuracy_true_intent'])} |"
		)
	a = families["all"]
	lines.append(
		f"| **all families** (pooled) | | {a['n']} | **{a['macro_f1']:.3f}** | {_pct(a['accuracy'])} | "
		f"{a['n_amounts']} | **{_pct(a['amount_accuracy'])}** / {_pct(a['amount_accuracy_true_intent'])} |"
	)
	t = templates
	lines.append(
		f"| every template (4 grouped folds, seed 0) | | {t['n']} | **{t['macro_f1']:.3f}** | "
		f"{_pct(t['accuracy'])} | {t['n_amounts']} | **{_pct(t['amount_accuracy'])}** / "
		f"{_pct(t['amount_accuracy_true_intent'])} |"
	)
	return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
	"""Print the table."""
	argv = sys.argv[1:] if argv is None else argv
	corpus = load_corpus(argv[0] if argv else None)
	print(table(by_family(corpus), by_template(corpus)))
	return 0


if __name__ == "__main__":
	sys.exit(main())
