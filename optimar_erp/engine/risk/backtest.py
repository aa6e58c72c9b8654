"""Temporal backtest of the risk models against a naive baseline.

Protocol for a ``cutoff`` date (nothing from on or after the cutoff reaches training):

- **train**: invoices posted before the cutoff, as known the day before it: settlements on or after
  the cutoff are hidden. The classifier learns from those whose outcome was known then (settled, or
  unsettled while already past due = late); the days-to-settle model from those settled before it.
- **test**: invoices posted on or after the cutoff that are settled. Their features use only what
  was known on their own posting date (settlements strictly before it), like in production.
- **fallback rule** (:func:`beats_baseline`): a site's model is used only when, on its holdout, its AUC
  is at least :data:`AUC_MARGIN` above the baseline's and its Brier score is not above the baseline's;
  otherwise the baseline scores instead (:meth:`RiskModel.use_baseline
  <optimar_erp.engine.risk.model.RiskModel.use_baseline>`).
- **baseline**: P(late) = the customer's late rate over its invoices settled before the posting date
  (the training late rate for a customer without history); days to settle = the customer's mean days
  to settle over the same history (the training mean without history). The figures also give the
  customer's median days to settle and the regularised logistic regression on the same features
  (:class:`~optimar_erp.engine.risk.model.LogitModel`), the simple models a small book is held to.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error

from optimar_erp.engine.risk.model import RiskModel, classification_metrics

AUC_MARGIN = 0.005
"""How much higher than the baseline's a model's held-out AUC must be for the model to be used."""


def beats_baseline(figures: dict) -> bool | None:
	"""Whether held-out ``figures`` (from :func:`backtest`) show the model better than the baseline: AUC
	at least :data:`AUC_MARGIN` higher and Brier score not higher. None when they cannot tell (no AUC or
	Brier on either side, e.g. a holdout too small to evaluate)."""
	base = figures.get("baseline") or {}
	values = (figures.get("auc"), base.get("auc"), figures.get("brier"), base.get("brier"))
	if any(v is None for v in values):
		return None
	auc, base_auc, brier, base_brier = values
	return auc >= base_auc + AUC_MARGIN and brier <= base_brier


def backtest(df: pd.DataFrame, cutoff: pd.Timestamp | str, **model_params) -> dict:
	"""Train before ``cutoff``, test on later settled invoices; returns a JSON-able dict of figures.

	Keys: cutoff, auc, brier, accuracy, f1, mae_days_to_settle, n_train, n_train_regression, n_test,
	late_rate_test, mean_probability_test, late_rate_train, fit_seconds, predict_seconds, late_model and
	days_model (the models :class:`~optimar_erp.engine.risk.model.RiskModel` chose), ``baseline`` with
	auc, brier, accuracy, f1, mae_days_to_settle (the customer's mean days to settle) and
	mae_days_to_settle_median (its median), and ``logistic`` (the model's logistic regression alone) with
	auc, brier, accuracy, f1. ``model_params`` go to
	:class:`~optimar_erp.engine.risk.model.RiskModel`. Raises ValueError when either side is empty.
	"""
	cutoff = pd.Timestamp(cutoff).normalize()
	as_of = cutoff - pd.Timedelta(days=1)
	train = df[df["posting_date"] < cutoff]
	test = df[(df["posting_date"] >= cutoff) & df["settled_date"].notna()]
	if train.empty or test.empty:
		raise ValueError(
			f"cutoff {cutoff.date()} leaves {len(train)} invoices before it and {len(test)} settled ones "
			"on or after it; pick a date inside the ledger's posting dates"
		)
	model = RiskModel(**model_params).fit(train, as_of=as_of)

	started = time.perf_counter()
	X_raw = model.features(test, df)
	p = model.predict_proba(X_raw)
	days = model.predict_days(X_raw)
	predict_seconds = time.perf_counter() - started
	y = (test["settled_date"] > test["due_date"]).to_numpy(dtype=int)
	actual = (test["settled_date"] - test["posting_date"]).dt.days.to_numpy(dtype=float)

	out: dict = {"cutoff": cutoff.date().isoformat()}
	out.update(classification_metrics(y, p))
	out["mae_days_to_settle"] = float(mean_absolute_error(actual, days))
	out["n_train"] = model.metrics_["n_train"]
	out["n_train_regression"] = model.metrics_["n_train_regression"]
	out["n_test"] = len(test)
	out["late_rate_test"] = float(y.mean())
	out["mean_probability_test"] = float(p.mean())
	out["late_rate_train"] = model.metrics_["late_rate_train"]
	out["fit_seconds"] = model.metrics_["fit_seconds"]
	out["predict_seconds"] = round(predict_seconds, 2)

	prior_rate = model.metrics_["late_rate_train"]
	prior_days = float(model.priors_.get("days_to_settle_mean", np.nanmean(actual)))
	base_p = X_raw["late_rate"].fillna(prior_rate).to_numpy()
	base_days = X_raw["days_to_settle_mean"].fillna(prior_days).to_numpy()
	baseline = classification_metrics(y, base_p)
	baseline["mae_days_to_settle"] = float(mean_absolute_error(actual, base_days))
	prior_median = float(model.priors_.get("days_to_settle_median", prior_days))
	median_days = X_raw["days_to_settle_median"].fillna(prior_median).to_numpy()
	baseline["mae_days_to_settle_median"] = float(mean_absolute_error(actual, median_days))
	logistic = classification_metrics(y, model.logistic_proba(X_raw))
	out["late_model"] = model.late_model_
	out["days_model"] = model.days_model_
	rounded = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}
	return rounded | {
		"baseline": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in baseline.items()},
		"logistic": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in logistic.items()},
	}
