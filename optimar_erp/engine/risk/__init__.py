"""Payment-risk scoring: leak-free behaviour features, calibrated late-payment and days-to-settle models,
factor explanations in words, a customer score, and a temporal backtest against a naive baseline.

Typical use::

	model = RiskModel().fit(invoices)                      # as known on the latest date in the table
	scored = model.predict(open_invoices, history=invoices)  # P(late), days to settle, risk factors
	scores = customer_scores(scored, open_invoices)          # 0-100 score and band per customer
	figures = backtest(invoices, "2019-07-18")               # model vs baseline on later invoices
"""

from optimar_erp.engine.risk.backtest import backtest
from optimar_erp.engine.risk.explain import EXPLAIN_FEATURES, describe, join_factors, top_factors
from optimar_erp.engine.risk.features import build_features, late_labels, learn_categories
from optimar_erp.engine.risk.model import (
	BANDS,
	RiskModel,
	band_of,
	classification_metrics,
	customer_scores,
	lateness,
	overdue_severity,
)

__all__ = [
	"BANDS",
	"EXPLAIN_FEATURES",
	"RiskModel",
	"backtest",
	"band_of",
	"build_features",
	"classification_metrics",
	"customer_scores",
	"describe",
	"join_factors",
	"late_labels",
	"lateness",
	"learn_categories",
	"overdue_severity",
	"top_factors",
]
