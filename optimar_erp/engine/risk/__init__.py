"""Payment-risk scoring: leak-free behaviour features, calibrated late-payment and days-to-settle models,
factor explanations in words, a customer score, and a temporal backtest against a naive baseline.

Typical use::

	model = RiskModel().fit(invoices)                      # as known on the latest date in the table
	scored = model.predict(open_invoices, history=invoices)  # P(late), expected pay date, band, factors
	scores = customer_scores(scored, open_invoices)          # 0-100 score and band per customer
	figures = backtest(invoices, "2019-07-18")               # model vs baseline on later invoices

(``backtest`` from :mod:`optimar_erp.engine.risk.backtest`: the package's ``backtest`` is that module.)
"""

import importlib

from optimar_erp.engine.risk.bands import (
	BAND_NAMES,
	BANDS,
	BASIS,
	band_of,
	overdue_days_late,
	score_of_days_late,
)
from optimar_erp.engine.risk.explain import EXPLAIN_FEATURES, describe, join_factors, top_factors
from optimar_erp.engine.risk.features import build_features, late_labels, learn_categories

_LAZY = {
	"AUC_MARGIN": "backtest",
	"beats_baseline": "backtest",
	"RiskModel": "model",
	"classification_metrics": "model",
	"customer_scores": "model",
	"invoice_scores": "model",
}
"""Names of the modules that import scikit-learn (2 s and ~90 MB), loaded on first use: the features,
bands and explanations (and the alerts and credit advice beside them) are pandas alone, so a web request
or worker that needs only those never loads the model's libraries."""


def __getattr__(name: str):
	if name not in _LAZY:
		raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
	value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
	globals()[name] = value
	return value


__all__ = [
	"AUC_MARGIN",
	"BANDS",
	"BAND_NAMES",
	"BASIS",
	"EXPLAIN_FEATURES",
	"RiskModel",
	"beats_baseline",
	"band_of",
	"build_features",
	"classification_metrics",
	"customer_scores",
	"invoice_scores",
	"describe",
	"join_factors",
	"late_labels",
	"learn_categories",
	"overdue_days_late",
	"score_of_days_late",
	"top_factors",
]
