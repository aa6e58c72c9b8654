"""Payment-risk models: P(paid late), days to settle, explanations and the customer risk score.

:class:`RiskModel` bundles

- a **late-payment classifier**: ``HistGradientBoostingClassifier`` on the leak-free features of
  :mod:`~optimar_erp.engine.risk.features` plus the identity of the customers with the most history
  (a native categorical column: the :data:`top <RiskModel>` customers with enough labelled invoices;
  everyone else is "missing" and is described by the features only), calibrated with
  ``CalibratedClassifierCV`` on time-ordered folds (each fold's calibrator is fitted on invoices posted
  after those its model was trained on, as in real use);
- a **days-to-settle regressor**: ``HistGradientBoostingRegressor`` with absolute-error loss, trained
  on days late (settled − due, robust to the wide spread of payment terms); predicted days to settle =
  terms + predicted days late, and predicted pay date = posting date + predicted days;
- an **explanation model**: a standardised logistic regression on a few readable features (see
  :mod:`~optimar_erp.engine.risk.explain`).

**Model choice by the book's own validation** (:func:`choose_late_model`, :func:`choose_days_model`):
on the same time-ordered folds of the training invoices, the boosted classifier (each fold's model is
the one the calibration trained on the earlier rows) is compared with a regularised logistic regression
on the features (:class:`LogitModel`) and with their blend (a weighted mean of both probabilities,
the weight chosen the same way); the one with the best mean held-out AUC scores (a Brier score more
than :data:`BRIER_SLACK` worse than another's rules it out), but the logistic regression is kept unless
the winner's AUC gain over it is at least :data:`NOISE_SE` standard errors (DeLong's, paired, per fold). For days to settle, the boosted regressor, the customer's mean and median days to
settle (over its invoices settled before the posting date) and the blend of boosted and median are
compared by their held-out mean absolute error. A small book (a few thousand invoices) usually keeps a
simple model; a large one the boosted. Which was kept and why is in ``metrics_["late_model"]`` and
``metrics_["days_model"]``.

Labels, as known on the ``as_of`` date given to :meth:`RiskModel.fit`: late = settled after the due
date, also when an invoice is still unsettled on ``as_of`` while its due date has passed (it can only
be paid late now). The classifier learns only from invoices due by ``as_of``: among those not yet due,
only the ones already paid (early payers) have a label, a sample biased towards "on time". The
regressor learns from invoices settled by ``as_of``.

Cold start: a customer without settled history has NaN history features and ``n_hist = 0``; the
features are imputed with global priors learned at fit time (the training late rate for late rates,
the training mean for the others), so a new customer gets the population's risk adjusted for what is
known about the invoice itself; that estimate is then shrunk towards the late rate of the training's
cold-start invoices (see :meth:`RiskModel.predict_proba`).

**Expected payment date, score and band** (:mod:`~optimar_erp.engine.risk.bands`, where the
thresholds live): an open invoice not yet overdue is expected on the model's predicted pay date; one
already overdue on the median days late of the customer's invoices paid later than it already is. The
expected days late (payment date − due date) give each invoice a 0-100 score and a band (Low under 7
days late, Medium under 21, High under 60, Critical from 60); :func:`customer_scores` weighs the
open invoices' scores by their outstanding amounts.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence

import joblib
import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, mean_absolute_error, roc_auc_score
from threadpoolctl import threadpool_limits

from optimar_erp.engine.risk.bands import BANDS, band_of, overdue_days_late, score_of_days_late
from optimar_erp.engine.risk.explain import (
	EXPLAIN_FEATURES,
	TODAY_FEATURES,
	join_factors,
	plain_money,
	top_factors,
)
from optimar_erp.engine.risk.features import (
	DEFAULT_CATEGORICALS,
	RATE_FEATURES,
	build_features,
	late_labels,
	learn_categories,
)

COLD_START_PSEUDO_ROWS = 500
"""Weight, in invoices, of the cold-start prior in :meth:`RiskModel.predict_proba`."""

CUSTOMER_CODE = "customer_code"
"""Column of the raw features holding the customer's code among the individually learned customers."""

FEW_FOLDS_ABOVE = 50_000
"""Above this many labelled invoices the default calibration uses 3 folds instead of 5 (training time)."""

MIN_TRAIN_ROWS = 30
"""Fewest labelled invoices :meth:`RiskModel.fit` accepts."""

LATE_CANDIDATES: tuple[str, ...] = ("boosted", "logistic", "blend")
"""The late-payment models :func:`choose_late_model` compares (the first wins ties)."""

DAYS_CANDIDATES: tuple[str, ...] = ("boosted", "customer_mean", "customer_median", "blend")
"""The days-to-settle estimates :func:`choose_days_model` compares (the first wins ties)."""

BRIER_SLACK = 0.01
"""A late-payment candidate whose mean held-out Brier score is this much above the best one's is not
chosen, whatever its AUC (probabilities are shown to people and drive the expected late amounts)."""

BLEND_WEIGHTS: tuple[float, ...] = (0.25, 0.5, 0.75)
"""Shares of the boosted probability tried for the blend (the rest is the logistic regression's)."""

SIMPLE_MODEL_ROWS = 50_000
"""The logistic regression, and the boosted regressor a days-to-settle fold compares, learn from at most
this many of the latest rows (more does not change them much and costs training time on a large book)."""

NOISE_SE = 2.0
"""A late-payment candidate more complex than the logistic regression is kept only when its mean AUC gain
over it on the folds is at least this many standard errors: about 95 % confidence that the gain is real,
which the best of four candidates picked on the same folds (boosted and three blends) needs, as its
gain there is the largest of four noisy ones."""

MIN_FOLD_ROWS = 20
"""A validation fold with fewer invoices (or with a single class) does not count in the choice."""


def classification_metrics(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict:
	"""AUC, Brier score, accuracy and F1 (at ``threshold``) of late probabilities ``p`` for labels ``y``."""
	y = np.asarray(y, dtype=int)
	p = np.asarray(p, dtype=float)
	pred = (p >= threshold).astype(int)
	return {
		"auc": float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None,
		"brier": float(brier_score_loss(y, p)),
		"accuracy": float(accuracy_score(y, pred)),
		"f1": float(f1_score(y, pred, zero_division=0)),
	}


def _days(a: pd.Series, b: pd.Series) -> np.ndarray:
	"""(a − b) in whole days as floats."""
	return ((a - b).dt.days).to_numpy(dtype=float)


class RiskModel:
	"""Late-payment probability, days to settle and risk factors for invoices (see the module docstring).

	Parameters: ``calibration`` "isotonic" or "sigmoid"; ``cv_folds`` time-ordered calibration folds
	(None: 5, or 3 above :data:`FEW_FOLDS_ABOVE` labelled invoices, where each fold is large anyway);
	``max_iter``/``learning_rate``/``max_leaf_nodes``/``min_samples_leaf`` (None: 1% of the training
	rows, 20-200) of both boosted models;
	``n_threads`` caps the threads the models use (1 keeps a shared machine responsive; None = all);
	``categoricals`` fields one-hot encoded when they vary (country, channel, currency);
	``top_customers`` / ``min_customer_invoices``: how many customers (with at least that many labelled
	invoices) the models learn individually (0: none).
	"""

	def __init__(
		self,
		*,
		calibration: str = "isotonic",
		cv_folds: int | None = None,
		max_iter: int = 120,
		learning_rate: float = 0.1,
		max_leaf_nodes: int = 31,
		min_samples_leaf: int | None = None,
		l2_regularization: float = 1.0,
		n_threads: int | None = 1,
		random_state: int = 0,
		categoricals: Sequence[str] = DEFAULT_CATEGORICALS,
		top_customers: int = 200,
		min_customer_invoices: int = 20,
	):
		self.calibration = calibration
		self.cv_folds = cv_folds
		self.max_iter = max_iter
		self.learning_rate = learning_rate
		self.max_leaf_nodes = max_leaf_nodes
		self.min_samples_leaf = min_samples_leaf
		self.l2_regularization = l2_regularization
		self.n_threads = n_threads
		self.random_state = random_state
		self.categoricals = tuple(categoricals)
		self.top_customers = top_customers
		self.min_customer_invoices = min_customer_invoices
		self.customer_codes_: dict[str, int] = {}
		self.categories_: dict[str, list[str]] = {}
		self.columns_: list[str] = []
		self.priors_: dict[str, float] = {}
		self.metrics_: dict = {}
		self.as_of_: pd.Timestamp | None = None
		self.classifier_ = None
		self.regressor_ = None
		self.explainer_ = None
		self.explain_stats_: dict[str, np.ndarray] = {}
		self.logit_: LogitModel | None = None
		self.late_model_ = "boosted"
		self.days_model_ = "boosted"
		self.scorer = "model"

	# ----------------------------------------------------------------- training
	def _boost_params(self, n_rows: int) -> dict:
		"""Parameters of both boosted models; ``min_samples_leaf`` None = n_rows / 100 within [20, 200]."""
		leaf = self.min_samples_leaf or int(np.clip(n_rows // 100, 20, 200))
		return {
			"max_iter": self.max_iter,
			"learning_rate": self.learning_rate,
			"max_leaf_nodes": self.max_leaf_nodes,
			"min_samples_leaf": leaf,
			"l2_regularization": self.l2_regularization,
			"early_stopping": False,
			"random_state": self.random_state,
		}

	def fit(self, invoices: pd.DataFrame, as_of: pd.Timestamp | str | None = None) -> RiskModel:
		"""Learn from ``invoices`` (engine schema) as known at the end of ``as_of`` (default: latest date).

		Settlements after ``as_of`` are ignored. Returns ``self``; ``metrics_`` holds the training
		figures (rows, late rate, fit seconds).
		"""
		started = time.perf_counter()
		if as_of is None:
			as_of = pd.concat([invoices["posting_date"], invoices["settled_date"]]).max()
		as_of = pd.Timestamp(as_of)
		inv = invoices[invoices["posting_date"] <= as_of]
		settled = inv["settled_date"].where(inv["settled_date"] <= as_of)
		labels = late_labels(inv, as_of)
		known = labels.notna()
		known &= inv["due_date"] <= as_of  # not yet due: only the early payers have a label (biased)
		y = labels[known].to_numpy(dtype=int)
		if known.sum() < MIN_TRAIN_ROWS or len(np.unique(y)) < 2:
			raise ValueError(
				f"not enough history to learn from: {int(known.sum())} invoices with a known outcome "
				f"(need {MIN_TRAIN_ROWS}, both on-time and late ones)"
			)
		self.as_of_ = as_of
		self.categories_ = learn_categories(inv, self.categoricals)
		self.customer_codes_ = self._learn_customer_codes(inv["customer"][known])
		feats = self._features(inv, inv, as_of)
		self.columns_ = [c for c in feats.columns if c != CUSTOMER_CODE]
		order = np.argsort(inv["posting_date"].to_numpy()[known.to_numpy()], kind="stable")
		X_raw = feats[known.to_numpy()].iloc[order]
		y = y[order]
		self.priors_ = self._learn_priors(X_raw, y)
		cold = X_raw["n_hist"].to_numpy() == 0
		X = self._impute(X_raw)
		with threadpool_limits(limits=self.n_threads):
			base = HistGradientBoostingClassifier(
				loss="log_loss", categorical_features=self._categorical_mask(), **self._boost_params(len(X))
			)
			n_folds = self.cv_folds or (3 if len(X) > FEW_FOLDS_ABOVE else 5)
			folds = _time_folds(len(X), n_folds)
			M = self._matrix(X_raw)
			self.classifier_ = CalibratedClassifierCV(base, method=self.calibration, cv=folds)
			self.classifier_.fit(M, y)
			self.logit_ = LogitModel().fit(
				X.to_numpy(dtype=float)[-SIMPLE_MODEL_ROWS:], y[-SIMPLE_MODEL_ROWS:]
			)
			boosted_oof = [
				c.estimator.predict_proba(M[val])[:, 1]
				for c, (_, val) in zip(self.classifier_.calibrated_classifiers_, folds, strict=True)
			]
			late_choice = choose_late_model(X.to_numpy(dtype=float), y, folds, boosted_oof)
			self.late_model_ = late_choice["chosen"]
			reg_rows = settled.notna().to_numpy()
			post = inv["posting_date"][reg_rows]
			reg_order = np.argsort(post.to_numpy(), kind="stable")
			X_reg_raw = feats[reg_rows].iloc[reg_order]
			X_reg = self._impute(X_reg_raw).to_numpy()
			target = _days(settled[reg_rows], inv["due_date"][reg_rows])[reg_order]
			to_settle = _days(settled[reg_rows], post)[reg_order]
			params = self._boost_params(len(target))
			self.regressor_ = HistGradientBoostingRegressor(loss="absolute_error", **params)
			self.regressor_.fit(X_reg, target)
			days_choice = choose_days_model(
				X_reg_raw,
				X_reg,
				target,
				to_settle,
				lambda: HistGradientBoostingRegressor(loss="absolute_error", **params),
				n_folds=1 if len(target) > FEW_FOLDS_ABOVE else 2,
			)
			self.days_model_ = days_choice["chosen"]
			self._fit_explainer(X_raw, X, y)
		self.metrics_ = {
			"as_of": as_of.date().isoformat(),
			"n_train": len(y),
			"n_train_regression": int(reg_rows.sum()),
			"late_rate_train": float(y.mean()),
			"late_rate_cold_start": float(y[cold].mean()) if cold.any() else None,
			"n_cold_start": int(cold.sum()),
			"late_model": late_choice,
			"days_model": days_choice,
			"fit_seconds": round(time.perf_counter() - started, 2),
		}
		return self

	def _learn_priors(self, X: pd.DataFrame, y: np.ndarray) -> dict[str, float]:
		"""Global values for missing features: the training late rate for rates, column means otherwise."""
		priors = X.mean(numeric_only=True).fillna(0.0).to_dict()
		for col in RATE_FEATURES:
			priors[col] = float(y.mean())
		return {k: float(v) for k, v in priors.items()}

	def _learn_customer_codes(self, customers: pd.Series) -> dict[str, int]:
		"""Integer codes of the customers the models learn individually: the ``top_customers`` with the
		most labelled invoices, each with at least ``min_customer_invoices`` of them."""
		if not self.top_customers:
			return {}
		counts = customers.astype(str).value_counts()
		keep = counts[counts >= self.min_customer_invoices].index[: self.top_customers]
		return {c: i for i, c in enumerate(sorted(keep))}

	def _features(self, history: pd.DataFrame, queries: pd.DataFrame, as_of=None) -> pd.DataFrame:
		"""Raw features of ``queries`` against ``history`` plus the customer's code (NaN when unknown)."""
		feats = build_features(history, queries, as_of=as_of, categories=self.categories_)
		codes = getattr(self, "customer_codes_", {})
		feats[CUSTOMER_CODE] = queries["customer"].astype(str).map(codes).to_numpy(dtype=float)
		return feats

	def _categorical_mask(self) -> np.ndarray | None:
		"""The customer code is the last, categorical, column of :meth:`_matrix` (None without codes)."""
		if not getattr(self, "customer_codes_", {}):
			return None
		return np.r_[np.zeros(len(self.columns_), dtype=bool), True]

	def _matrix(self, X_raw: pd.DataFrame) -> np.ndarray:
		"""The models' input: imputed features, then the customer code (missing stays NaN)."""
		X = self._impute(X_raw).to_numpy()
		if self._categorical_mask() is None:
			return X
		code = X_raw[CUSTOMER_CODE] if CUSTOMER_CODE in X_raw else pd.Series(np.nan, index=X_raw.index)
		return np.column_stack([X, code.to_numpy(dtype=float)])

	def _impute(self, X: pd.DataFrame) -> pd.DataFrame:
		"""Features in training column order with NaN replaced by the priors."""
		return X.reindex(columns=self.columns_).fillna(self.priors_).fillna(0.0)

	def _explain_matrix(self, X_raw: pd.DataFrame, X: pd.DataFrame) -> pd.DataFrame:
		"""The explanation features: imputed values plus the ``no_history`` flag."""
		E = X.reindex(columns=[c for c in EXPLAIN_FEATURES if c != "no_history"]).copy()
		E.insert(0, "no_history", (X_raw["n_hist"].to_numpy() == 0).astype(float))
		return E

	def _fit_explainer(self, X_raw: pd.DataFrame, X: pd.DataFrame, y: np.ndarray) -> None:
		"""Standardised logistic regression on the readable features (values clipped to 1st-99th pct)."""
		E = self._explain_matrix(X_raw, X).to_numpy(dtype=float)
		lo, hi = np.nanpercentile(E, 1, axis=0), np.nanpercentile(E, 99, axis=0)
		Ec = np.clip(E, lo, hi)
		mean, std = Ec.mean(axis=0), Ec.std(axis=0)
		std[std == 0] = 1.0
		self.explain_stats_ = {"lo": lo, "hi": hi, "mean": mean, "std": std}
		self.explainer_ = LogisticRegression(C=1.0, max_iter=500)
		self.explainer_.fit((Ec - mean) / std, y)

	def contributions(self, X_raw: pd.DataFrame) -> pd.DataFrame:
		"""Each explained feature's log-odds contribution for each row (see :mod:`.explain`)."""
		X = self._impute(X_raw)
		E = self._explain_matrix(X_raw, X)
		s = self.explain_stats_
		z = (np.clip(E.to_numpy(dtype=float), s["lo"], s["hi"]) - s["mean"]) / s["std"]
		return pd.DataFrame(z * self.explainer_.coef_[0], index=E.index, columns=E.columns)

	# ----------------------------------------------------------------- scoring
	def features(
		self, invoices: pd.DataFrame, history: pd.DataFrame | None = None, as_of=None
	) -> pd.DataFrame:
		"""Raw (not imputed) features of ``invoices`` against ``history`` (default: the invoices)."""
		self._check_fitted()
		history = invoices if history is None else history
		return self._features(history, invoices, as_of)

	def use_baseline(self) -> RiskModel:
		"""Score with the baseline instead of the boosted models (a site where they were not better on
		the holdout, see :func:`.backtest.beats_baseline`): P(late) = the customer's late rate over its
		invoices settled before the posting date, days to settle = its mean days to settle (the training
		figures without history). Expected pay dates, bands and factors work as before. Returns self."""
		self.scorer = "baseline"
		return self

	@property
	def uses_baseline(self) -> bool:
		return getattr(self, "scorer", "model") == "baseline"

	def predict_proba(self, X_raw: pd.DataFrame) -> np.ndarray:
		"""Calibrated P(paid late) for a raw features table.

		The model chosen at fit time (see :func:`choose_late_model`): the boosted classifier, the
		logistic regression or their blend. For a customer without settled history the boosted model's
		estimate is shrunk towards the late rate of the training's cold-start invoices, weighted as
		:data:`COLD_START_PSEUDO_ROWS` invoices against the number of cold-start invoices the model
		learned from (those are few, and often all from the first months of a book, so the boosted model
		alone can drift far from what new customers do; the logistic regression, a smooth function of the
		features, does not).
		With :meth:`use_baseline`: the customer's late rate (the training late rate without history).
		"""
		if self.uses_baseline:
			return X_raw["late_rate"].fillna(self.metrics_["late_rate_train"]).to_numpy(dtype=float)
		chosen = getattr(self, "late_model_", "boosted")
		if chosen == "logistic":
			return self.logistic_proba(X_raw)
		with threadpool_limits(limits=self.n_threads):
			p = self.classifier_.predict_proba(self._matrix(X_raw))[:, 1]
		prior = self.metrics_.get("late_rate_cold_start")
		if prior is None:
			prior = self.metrics_.get("late_rate_train", float(p.mean()) if len(p) else 0.5)
		n_cold = self.metrics_.get("n_cold_start", 0)
		w = n_cold / (n_cold + COLD_START_PSEUDO_ROWS)
		cold = X_raw["n_hist"].to_numpy() == 0
		p = np.where(cold, w * p + (1 - w) * prior, p)
		if chosen == "blend":
			share = self.metrics_.get("late_model", {}).get("blend_weight", 0.5)
			return share * p + (1 - share) * self.logistic_proba(X_raw)
		return p

	def logistic_proba(self, X_raw: pd.DataFrame) -> np.ndarray:
		"""P(late) of the logistic regression alone (the simple model the choice compares against)."""
		self._check_fitted()
		return self.logit_.predict_proba(self._impute(X_raw).to_numpy(dtype=float))

	def predict_days(self, X_raw: pd.DataFrame) -> np.ndarray:
		"""Predicted days from posting to settlement (terms + predicted days late, at least 0); with
		:meth:`use_baseline` the customer's mean days to settle (the training mean without history)."""
		if self.uses_baseline:
			prior = self.priors_.get("days_to_settle_mean", 0.0)
			return np.clip(X_raw["days_to_settle_mean"].fillna(prior).to_numpy(dtype=float), 0, None)
		chosen = getattr(self, "days_model_", "boosted")
		if chosen in ("customer_mean", "customer_median"):
			return _customer_days(X_raw, chosen, self.priors_)
		with threadpool_limits(limits=self.n_threads):
			late = self.regressor_.predict(self._impute(X_raw).to_numpy())
		boosted = np.clip(X_raw["terms_days"].to_numpy(dtype=float) + late, 0, None)
		if chosen == "blend":
			return (boosted + _customer_days(X_raw, "customer_median", self.priors_)) / 2
		return boosted

	def predict(
		self,
		invoices_open: pd.DataFrame,
		history: pd.DataFrame | None = None,
		as_of: pd.Timestamp | str | None = None,
		*,
		explain: int = 3,
		money=plain_money,
	) -> pd.DataFrame:
		"""Score invoices: probability of late payment, days to settle, pay date and risk factors.

		``invoices_open``: the invoices to score (engine schema; usually the open ones). ``history``: the
		invoice table the customers' behaviour is read from (default: ``invoices_open``); it may contain
		``invoices_open``. ``as_of`` (default: the latest date in ``history``): settlements after it are
		ignored, and an unsettled invoice's predicted pay date is not before the day after it.

		The probability and days use what was known on the invoice's posting date (like the training
		rows); an invoice already overdue on ``as_of`` is expected on the median days late of the
		customer's invoices paid later than it already is (see :mod:`.bands`).
		Returns one row per invoice (same index): invoice, customer, late_probability, predicted_days,
		predicted_pay_date (the expected payment date), days_overdue (on ``as_of``; 0 when not due),
		expected_days_late, pay_date_basis (a key of :data:`.bands.BASIS`), risk_score (0-100) and
		risk_band of the invoice, factor_1..factor_k (sentences) and risk_factors (the sentences joined
		with "; "); ``explain=0`` skips the factors. The factors of an invoice still open on ``as_of``
		are that day's facts (see :mod:`.explain`), amounts written by ``money``.
		"""
		self._check_fitted()
		history = invoices_open if history is None else history
		if as_of is None:
			as_of = pd.concat([history["posting_date"], history["settled_date"]]).max()
		as_of = pd.Timestamp(as_of)
		X_raw = self._features(history, invoices_open, as_of)
		p = self.predict_proba(X_raw)
		days = self.predict_days(X_raw)
		post, due = invoices_open["posting_date"], invoices_open["due_date"]
		pay = post + pd.to_timedelta(np.round(days), unit="D")
		settled = invoices_open["settled_date"].where(invoices_open["settled_date"] <= as_of)
		still_open = settled.isna()
		overdue = np.clip(_days(pd.Series(as_of, index=post.index), due), 0, None)
		overdue = np.where(still_open, overdue, 0.0)
		basis = np.full(len(post), "model", dtype=object)
		late_now = overdue > 0
		if late_now.any():  # the posting-date prediction is stale: it is late whatever it said
			cond, how = overdue_days_late(
				history, invoices_open["customer"][late_now], overdue[late_now], as_of
			)
			pay[late_now] = due[late_now] + pd.to_timedelta(cond, unit="D")
			basis[late_now] = how
		floor = as_of + pd.Timedelta(days=1)
		pay = pay.where(~still_open | (pay >= floor), floor)
		days_late = _days(pay, due)
		score = score_of_days_late(days_late)
		out = pd.DataFrame(
			{
				"invoice": invoices_open["invoice"].to_numpy() if "invoice" in invoices_open else None,
				"customer": invoices_open["customer"].to_numpy(),
				"late_probability": p,
				"predicted_days": days,
				"predicted_pay_date": pay.to_numpy(),
				"days_overdue": overdue,
				"expected_days_late": days_late,
				"pay_date_basis": basis,
				"risk_score": score,
				"risk_band": band_of(score),
			},
			index=invoices_open.index,
		)
		if explain:
			X_why = self._today_view(history, invoices_open, X_raw, as_of, still_open.to_numpy())
			_, sentences = top_factors(self.contributions(X_why), X_why, top=explain, money=money)
			out = pd.concat([out, sentences], axis=1)
			out["risk_factors"] = join_factors(sentences)
		return out

	def _today_view(
		self, history: pd.DataFrame, queries: pd.DataFrame, X_raw: pd.DataFrame, as_of, open_mask: np.ndarray
	) -> pd.DataFrame:
		"""The features the factors of open invoices quote: the customer's history as known on ``as_of``
		and its open / overdue invoices with their balances on ``as_of`` (this invoice is among the overdue
		but not among the "other" open ones); the invoice's own features as posted."""
		if not open_mask.any():
			return X_raw
		X = X_raw.copy()
		q = queries[open_mask].assign(posting_date=as_of + pd.Timedelta(days=1))
		today = build_features(history, q, as_of=as_of, categories=self.categories_)
		cols = [c for c in TODAY_FEATURES if c in today and c in X]
		X.loc[open_mask, cols] = today[cols].to_numpy()
		h = history[history["posting_date"] <= as_of]
		unsettled = ~(h["settled_date"] <= as_of)
		balance = h["outstanding"] if "outstanding" in h else h["grand_total"].where(unsettled, 0.0)
		balance = balance.where(unsettled, 0.0).astype(float)
		is_open = balance > 0.005
		overdue = is_open & (h["due_date"] < as_of)
		per = pd.DataFrame(
			{
				"customer": h["customer"].astype(str),
				"open": is_open.astype(float),
				"open_amount": balance.where(is_open, 0.0),
				"overdue": overdue.astype(float),
				"overdue_amount": balance.where(overdue, 0.0),
				"days": (as_of - h["due_date"]).dt.days.where(overdue, 0).astype(float),
			}
		).groupby("customer")
		g = per[["open", "open_amount", "overdue", "overdue_amount"]].sum().join(per["days"].max())
		cust = queries["customer"][open_mask].astype(str)
		own = queries["outstanding"] if "outstanding" in queries else queries["grand_total"]
		own = own[open_mask].astype(float).to_numpy()
		row = g.reindex(cust).fillna(0.0)
		X.loc[open_mask, "open_count"] = np.clip(row["open"].to_numpy() - 1, 0, None)
		X.loc[open_mask, "open_amount"] = np.clip(row["open_amount"].to_numpy() - own, 0, None)
		X.loc[open_mask, "overdue_count"] = row["overdue"].to_numpy()
		X.loc[open_mask, "overdue_amount"] = row["overdue_amount"].to_numpy()
		X.loc[open_mask, "max_days_overdue"] = row["days"].to_numpy()
		return X

	def evaluate(self, invoices: pd.DataFrame, history: pd.DataFrame | None = None) -> dict:
		"""Metrics on settled ``invoices`` (features against ``history``): classification + MAE in days."""
		test = invoices[invoices["settled_date"].notna()]
		X_raw = self.features(test, history)
		y = (test["settled_date"] > test["due_date"]).to_numpy(dtype=int)
		p = self.predict_proba(X_raw)
		out = classification_metrics(y, p)
		actual = _days(test["settled_date"], test["posting_date"])
		out["mae_days_to_settle"] = float(mean_absolute_error(actual, self.predict_days(X_raw)))
		out["mean_probability"] = float(p.mean())
		out["late_rate"] = float(y.mean())
		out["n"] = len(y)
		return out

	# ----------------------------------------------------------------- persistence
	def to_bytes(self) -> bytes:
		"""The fitted model as bytes (joblib pickle; load only bytes you produced yourself)."""
		buf = io.BytesIO()
		joblib.dump(self, buf, compress=3)
		return buf.getvalue()

	@classmethod
	def from_bytes(cls, data: bytes) -> RiskModel:
		"""A model saved with :meth:`to_bytes`."""
		model = joblib.load(io.BytesIO(data))
		if not isinstance(model, cls):
			raise TypeError(f"expected a RiskModel, got {type(model).__name__}")
		return model

	def _check_fitted(self) -> None:
		if self.classifier_ is None:
			raise RuntimeError("the RiskModel is not fitted yet: call fit(invoices) first")


class LogitModel:
	"""Regularised (L2) logistic regression on imputed features, each clipped to its 1st-99th
	percentile of the training rows and standardised: the simple model for small books."""

	def __init__(self, C: float = 0.1):
		self.C = C
		self.lo_ = self.hi_ = self.mean_ = self.std_ = None
		self.model_: LogisticRegression | None = None

	def _scaled(self, X: np.ndarray) -> np.ndarray:
		return (np.clip(X, self.lo_, self.hi_) - self.mean_) / self.std_

	def fit(self, X: np.ndarray, y: np.ndarray) -> LogitModel:
		X = np.asarray(X, dtype=float)
		self.lo_, self.hi_ = np.percentile(X, 1, axis=0), np.percentile(X, 99, axis=0)
		Xc = np.clip(X, self.lo_, self.hi_)
		self.mean_, self.std_ = Xc.mean(axis=0), Xc.std(axis=0)
		self.std_[self.std_ == 0] = 1.0
		self.model_ = LogisticRegression(C=self.C, max_iter=1000)
		self.model_.fit(self._scaled(X), y)
		return self

	def predict_proba(self, X: np.ndarray) -> np.ndarray:
		"""P(class 1) for each row."""
		return self.model_.predict_proba(self._scaled(np.asarray(X, dtype=float)))[:, 1]


def _usable(y: np.ndarray) -> bool:
	return len(y) >= MIN_FOLD_ROWS and 0 < int(np.sum(y)) < len(y)


def auc_covariance(y: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
	"""AUCs of the rows of ``scores`` (k × n) for labels ``y`` and DeLong's estimate of their covariance
	(k × k), from the placement values of each positive among the negatives and back (DeLong, DeLong and
	Clarke-Pearson 1988, ranked as in Sun and Xu 2014). Ties count one half; a class with a single
	member adds no spread (its variance is unknown, not infinite)."""
	y = np.asarray(y, dtype=int)
	scores = np.atleast_2d(np.asarray(scores, dtype=float))
	pos, neg = scores[:, y == 1], scores[:, y == 0]
	m, n = pos.shape[1], neg.shape[1]
	rank_pos = rankdata(pos, axis=1)
	rank_neg = rankdata(neg, axis=1)
	rank_all = rankdata(np.hstack([pos, neg]), axis=1)
	aucs = (rank_all[:, :m].sum(axis=1) - m * (m + 1) / 2) / (m * n)
	v_pos = (rank_all[:, :m] - rank_pos) / n  # share of negatives each positive is ranked above
	v_neg = 1 - (rank_all[:, m:] - rank_neg) / m  # share of positives each negative is ranked below
	k = len(scores)
	spread_pos = np.atleast_2d(np.cov(v_pos)) if m > 1 else np.zeros((k, k))  # one case: no spread known
	spread_neg = np.atleast_2d(np.cov(v_neg)) if n > 1 else np.zeros((k, k))
	return aucs, spread_pos / m + spread_neg / n


def choose_late_model(
	X: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], boosted: list[np.ndarray]
) -> dict:
	"""Compare :data:`LATE_CANDIDATES` on time-ordered ``folds`` of the training rows (in time order).

	``boosted[i]`` are the boosted classifier's probabilities for fold i's held-out rows from the model
	trained on that fold's earlier rows; the logistic regression is trained the same way here (on the
	latest :data:`SIMPLE_MODEL_ROWS` of them), and the
	blend is ``w × boosted + (1 − w) × logistic`` with the share ``w`` of :data:`BLEND_WEIGHTS` the folds
	prefer (returned as blend_weight). The candidate with the best mean AUC is chosen among those whose
	mean Brier score is within :data:`BRIER_SLACK` of the best (ties: the earlier in the list), unless
	its mean AUC gain over the logistic regression is less than :data:`NOISE_SE` standard errors
	(DeLong's, per fold, of the paired difference; :func:`auc_covariance`): a gain the folds cannot
	tell from noise does not pay for the more complex model, so the logistic regression is kept.
	Returns chosen, why (a sentence), folds (how many counted), blend_weight, gain (the best
	candidate's mean AUC gain over the logistic regression) and gain_se, and per candidate its mean auc
	and brier.
	"""
	weights = {"boosted": 1.0, "logistic": 0.0} | {f"blend {w:g}": w for w in BLEND_WEIGHTS}
	scores: dict[str, dict[str, list[float]]] = {c: {"auc": [], "brier": []} for c in weights}
	held_out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
	for (train, val), p_boost in zip(folds, boosted, strict=True):
		if not (_usable(y[val]) and _usable(y[train])):
			continue
		recent = train[-SIMPLE_MODEL_ROWS:]
		p_logit = LogitModel().fit(X[recent], y[recent]).predict_proba(X[val])
		held_out.append((y[val], np.asarray(p_boost, dtype=float), p_logit))
		for name, w in weights.items():
			p = w * p_boost + (1 - w) * p_logit
			scores[name]["auc"].append(float(roc_auc_score(y[val], p)))
			scores[name]["brier"].append(float(brier_score_loss(y[val], p)))
	n = len(held_out)
	if not n:
		return {
			"chosen": "boosted",
			"why": "too few invoices to compare models: boosted by default",
			"folds": 0,
			"blend_weight": 0.5,
		}
	mean_all = {c: {k: round(float(np.mean(v)), 4) for k, v in scores[c].items()} for c in weights}
	blend = max(
		(f"blend {w:g}" for w in BLEND_WEIGHTS), key=lambda c: (mean_all[c]["auc"], -mean_all[c]["brier"])
	)
	mean = {"boosted": mean_all["boosted"], "logistic": mean_all["logistic"], "blend": mean_all[blend]}
	best_brier = min(m["brier"] for m in mean.values())
	allowed = [c for c in LATE_CANDIDATES if mean[c]["brier"] <= best_brier + BRIER_SLACK]
	best = max(allowed, key=lambda c: (mean[c]["auc"], -LATE_CANDIDATES.index(c)))
	share = {"boosted": 1.0, "logistic": 0.0, "blend": weights[blend]}[best]
	gains, variances = [], []
	for y_val, p_boost, p_logit in held_out:
		aucs, cov = auc_covariance(y_val, np.vstack([share * p_boost + (1 - share) * p_logit, p_logit]))
		gains.append(aucs[0] - aucs[1])
		variances.append(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0))
	gain, gain_se = float(np.mean(gains)), float(np.sqrt(np.sum(variances)) / n)
	label = f"blend ({weights[blend]:.0%} boosted)" if best == "blend" else best
	if best != "logistic" and "logistic" in allowed and gain < NOISE_SE * gain_se:
		chosen = "logistic"
		why = (
			f"logistic: the {label} model's mean AUC gain over it on {n} time-ordered fold(s) of the "
			f"training invoices ({gain:+.4f}) is less than {NOISE_SE:g} standard errors ({gain_se:.4f} each) "
			f"from nothing, so the simpler model is kept (AUC {mean['logistic']['auc']:.3f}, Brier "
			f"{mean['logistic']['brier']:.3f}; {best} {mean[best]['auc']:.3f})"
		)
	else:
		chosen = best
		others = ", ".join(f"{c} {mean[c]['auc']:.3f}" for c in LATE_CANDIDATES if c != chosen)
		why = (
			f"{label}: best mean AUC on {n} time-ordered fold(s) of the training invoices "
			f"({mean[chosen]['auc']:.3f}, Brier {mean[chosen]['brier']:.3f}; {others}"
			+ (f"; gain over logistic {gain:+.4f} ± {gain_se:.4f})" if chosen != "logistic" else ")")
		)
	return {
		"chosen": chosen,
		"why": why,
		"folds": n,
		"blend_weight": weights[blend],
		"gain": round(gain, 4),
		"gain_se": round(gain_se, 4),
		**mean,
	}


def _customer_days(X_raw: pd.DataFrame, which: str, priors: dict) -> np.ndarray:
	"""The customer's mean or median days to settle (``which`` "customer_mean" / "customer_median"),
	the training prior without history."""
	col = "days_to_settle_mean" if which == "customer_mean" else "days_to_settle_median"
	prior = priors.get(col, priors.get("days_to_settle_mean", 0.0))
	values = X_raw[col] if col in X_raw else pd.Series(np.nan, index=X_raw.index)
	return np.clip(values.fillna(prior).to_numpy(dtype=float), 0, None)


def choose_days_model(
	X_raw: pd.DataFrame,
	X: np.ndarray,
	days_late: np.ndarray,
	days_to_settle: np.ndarray,
	make_regressor,
	n_folds: int = 2,
) -> dict:
	"""Compare :data:`DAYS_CANDIDATES` for days to settle on ``n_folds`` time-ordered folds of the
	settled training rows (in time order): the boosted regressor of days late (a fresh
	``make_regressor()`` per fold, trained on the earlier rows, at most the latest
	:data:`SIMPLE_MODEL_ROWS`), the customer's mean and median days to
	settle (priors from the earlier rows) and the mean of boosted and median. The lowest mean absolute
	error wins (ties: the earlier in the list). Returns chosen, why, folds and each candidate's mae."""
	errors: dict[str, list[float]] = {c: [] for c in DAYS_CANDIDATES}
	terms = X_raw["terms_days"].to_numpy(dtype=float)
	for train, val in _time_folds(len(days_late), n_folds):
		if len(val) < MIN_FOLD_ROWS or len(train) < MIN_FOLD_ROWS:
			continue
		priors = {
			c: float(np.nanmean(X_raw[c].to_numpy(dtype=float)[train]))
			if np.isfinite(X_raw[c].to_numpy(dtype=float)[train]).any()
			else float(np.mean(days_to_settle[train]))
			for c in ("days_to_settle_mean", "days_to_settle_median")
			if c in X_raw
		}
		recent = train[-SIMPLE_MODEL_ROWS:]
		reg = make_regressor().fit(X[recent], days_late[recent])
		boosted = np.clip(terms[val] + reg.predict(X[val]), 0, None)
		part = X_raw.iloc[val]
		mean_days = _customer_days(part, "customer_mean", priors)
		median_days = _customer_days(part, "customer_median", priors)
		actual = days_to_settle[val]
		for name, pred in (
			("boosted", boosted),
			("customer_mean", mean_days),
			("customer_median", median_days),
			("blend", (boosted + median_days) / 2),
		):
			errors[name].append(float(mean_absolute_error(actual, pred)))
	n = len(errors["boosted"])
	if not n:
		return {
			"chosen": "boosted",
			"why": "too few settled invoices to compare: boosted by default",
			"folds": 0,
			"mae": {},
		}
	mae = {c: round(float(np.mean(v)), 3) for c, v in errors.items()}
	chosen = min(DAYS_CANDIDATES, key=lambda c: (mae[c], DAYS_CANDIDATES.index(c)))
	others = ", ".join(f"{c} {mae[c]:.2f}" for c in DAYS_CANDIDATES if c != chosen)
	why = (
		f"{chosen}: lowest mean absolute error on {n} time-ordered fold(s) of the settled training "
		f"invoices ({mae[chosen]:.2f} days; {others})"
	)
	return {"chosen": chosen, "why": why, "folds": n, "mae": mae}


def _time_folds(n: int, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
	"""``k`` expanding-window folds over rows in time order: train on the first part, calibrate on the next.

	Fold i trains on rows [0, cut_i) and calibrates on [cut_i, cut_{i+1}); the cuts split the last
	half of the rows into ``k`` equal parts, so every model sees at least half of the history.
	"""
	k = max(1, int(k))
	cuts = np.linspace(n // 2, n, k + 1).astype(int)
	idx = np.arange(n)
	return [(idx[: cuts[i]], idx[cuts[i] : cuts[i + 1]]) for i in range(k)]


def customer_scores(predictions: pd.DataFrame, invoices_open: pd.DataFrame) -> pd.DataFrame:
	"""Risk score (0-100) and band per customer from :meth:`RiskModel.predict` output.

	``score = Σ outstanding_i × score_i ÷ Σ outstanding_i`` over the customer's open invoices, with
	``score_i`` the invoice's score of its expected days late (:func:`.bands.score_of_days_late`);
	weights fall back to ``grand_total`` when no outstanding amount is given. Returns customer, score,
	band, open_invoices, open_amount, expected_late_amount (Σ outstanding × late probability) and
	critical_amount (Σ outstanding of its Critical invoices), sorted by score.
	"""
	weight = invoices_open["outstanding"] if "outstanding" in invoices_open else invoices_open["grand_total"]
	weight = weight.reindex(predictions.index).fillna(0.0).to_numpy(dtype=float)
	s = invoice_scores(predictions)
	p = predictions["late_probability"].to_numpy(dtype=float)
	df = pd.DataFrame(
		{
			"customer": predictions["customer"].to_numpy(),
			"w": weight,
			"ws": weight * s,
			"wp": weight * p,
			"wc": np.where(band_of(s) == BANDS[-1][1], weight, 0.0),
			"s": s,
			"one": 1,
		}
	)
	g = df.groupby("customer", sort=False).agg(
		open_invoices=("one", "sum"),
		open_amount=("w", "sum"),
		weighted=("ws", "sum"),
		expected_late_amount=("wp", "sum"),
		critical_amount=("wc", "sum"),
		s=("s", "mean"),
	)
	score = np.where(
		g["open_amount"] > 0, g["weighted"] / g["open_amount"].where(g["open_amount"] > 0, 1), g["s"]
	)
	out = pd.DataFrame(
		{
			"customer": g.index,
			"score": np.round(score, 1),
			"band": band_of(np.round(score, 1)),
			"open_invoices": g["open_invoices"].to_numpy(),
			"open_amount": g["open_amount"].to_numpy(),
			"expected_late_amount": g["expected_late_amount"].to_numpy(),
			"critical_amount": g["critical_amount"].to_numpy(),
		}
	)
	return out.sort_values(["score", "open_amount"], ascending=False, kind="stable").reset_index(drop=True)


def invoice_scores(predictions: pd.DataFrame) -> np.ndarray:
	"""Each scored invoice's 0-100 score: ``risk_score``, else the score of ``expected_days_late``, else
	of ``days_overdue`` (a prediction table made without expected days late)."""
	if "risk_score" in predictions:
		return predictions["risk_score"].to_numpy(dtype=float)
	col = "expected_days_late" if "expected_days_late" in predictions else "days_overdue"
	return score_of_days_late(predictions[col])
