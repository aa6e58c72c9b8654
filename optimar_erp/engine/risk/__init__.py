"""Payment-risk scoring: leak-free behaviour features, calibrated late-payment and days-to-settle models,
factor explanations in words, a customer score, and a temporal backtest against a naive baseline.

Typical use::

	model = RiskModel().fit(invoices)                      # as known on the latest date in the table
	scored = model.predict(open_invoices, history=invoices)  # P(late), expected pay date, band, factors
	scores = customer_scores(scored, open_invoices)          # 0-100 score and band per customer
	figures = backtest(invoices, "2019-07-18")               # model vs baseline on later invoices
"""

from optimar_erp.engine.risk.backtest import AUC_MARGIN, backtest, beats_baseline
from optimar_erp.engine.risk.bands import BAND_NAMES, BASIS, overdue_days_late, score_of_days_late
from optimar_erp.engine.risk.explain import EXPLAIN_FEATURES, describe, join_factors, top_factors
from optimar_erp.engine.risk.features import build_features, late_labels, learn_categories
from optimar_erp.engine.risk.model import (
	BANDS,
	RiskModel,
	band_of,
	classification_metrics,
	customer_scores,
	invoice_scores,
)

__all__ = [
	"AUC_MARGIN",
	"BANDS",
	"BAND_NAMES",
	"BASIS",
	"EXPLAIN_FEATURES",
	"RiskModel",
	"backtest",
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
