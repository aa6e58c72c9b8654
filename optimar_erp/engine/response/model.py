"""The response model: how likely a touch of a given channel, tone, weekday and hour leads a customer to pay
or promise to pay within N days, learned from the site's own touches.

Three levels, each shrunk towards the one above so that a customer with little history gets its segment's
answer, and a segment with little history the site's:

1. **site**: a logistic regression (scikit-learn) on one-hot channel, tone, step, local send weekday, hour
   band, touches in the 7 days before, and how overdue the invoice was;
2. **segment** (e.g. territory or customer group): per segment, and per segment × channel / tone / hour
   band, the observed successes ``O`` of ``n`` touches against the ``E`` the level above expected: the
   rate is shrunk towards the expected one, ``(O + a·E/n) / (n + a)`` (``a`` =
   :attr:`ResponseModel.segment_strength` pseudo-touches), and the log-odds move by its logit minus the
   expected rate's, so strong evidence moves a customer far also where the level above expects little
   (8 answers in 10 where the site expects 1 in 10);
3. **customer**: the same against the segment-level expectation, with ``a`` =
   :attr:`ResponseModel.customer_strength`.

A customer that answered 7 of 9 WhatsApp reminders where the segment expected 3 moves well up for
WhatsApp; one with 1 touch barely moves. Scoring is vectorised: contexts × candidate actions at once.

Touch table (one row per reminder or call: the Collection Activities):

=================  ========  ==========================================================================
``customer``       str       customer touched
``segment``        str       optional ("" = one segment): territory, customer group…
``channel``        str       Email, SMS, WhatsApp, Call Task, Letter
``tone``           str       the step's tone ("" allowed)
``step``           str       optional: kind of step (``pre_due``, ``first_overdue``, ``overdue``, …)
``sent_at``        datetime  local send time (the customer's time zone): weekday and hour are read from it
``touches_7d``     int       optional (0): the customer's touches in the 7 days before this one
``days_overdue``   int       optional (0): days past the due date when sent (negative before)
``outcome``        str       ``payment``, ``promise``, ``reply``, ``dispute`` or ``silence``
``days_to_outcome`` float    days from the touch to the outcome (empty for silence)
=================  ========  ==========================================================================

A touch *succeeds* when its outcome is a payment or a promise within ``horizon_days``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

OUTCOMES: tuple[str, ...] = ("payment", "promise", "reply", "dispute", "silence")
SUCCESS_OUTCOMES: tuple[str, ...] = ("payment", "promise")
HOUR_BANDS: tuple[tuple[str, int, int], ...] = (
	("night", 0, 8),
	("morning", 8, 11),
	("midday", 11, 14),
	("afternoon", 14, 17),
	("evening", 17, 24),
)
"""Hour bands (name, first hour, end hour) the model and the policy reason in."""
REQUIRED = ("customer", "channel", "tone", "sent_at", "outcome")
OPTIONAL: dict[str, object] = {
	"segment": "",
	"step": "",
	"touches_7d": 0,
	"days_overdue": 0,
	"days_to_outcome": np.nan,
}
_DIMS = ("channel", "tone", "hour_band")


def hour_band(hours: np.ndarray | pd.Series | int) -> np.ndarray:
	"""The band name of each local hour."""
	h = np.asarray(hours, dtype=int)
	out = np.full(h.shape, "night", dtype=object)
	for name, lo, hi in HOUR_BANDS:
		out[(h >= lo) & (h < hi)] = name
	return out


def overdue_band(days: np.ndarray | pd.Series) -> np.ndarray:
	d = np.asarray(days, dtype=float)
	return np.select([d < 0, d <= 7, d <= 30], ["pre_due", "0-7", "8-30"], "30+").astype(object)


def fatigue_band(touches: np.ndarray | pd.Series) -> np.ndarray:
	t = np.clip(np.asarray(touches, dtype=float), 0, 3).astype(int)
	return np.array(["0", "1", "2", "3+"], dtype=object)[t]


def prepare_touches(touches: pd.DataFrame, horizon_days: int = 7) -> pd.DataFrame:
	"""The touch table checked and completed: defaults, ``weekday``, ``hour``, ``success``. Raises
	ValueError naming what is wrong (missing column, unknown outcome, unreadable time)."""
	missing = [c for c in REQUIRED if c not in touches.columns]
	if missing:
		raise ValueError(f"touches table lacks column(s): {', '.join(missing)}")
	t = touches.copy()
	for col, default in OPTIONAL.items():
		if col not in t.columns:
			t[col] = default
		t[col] = t[col].where(t[col].notna(), default) if col != "days_to_outcome" else t[col]
	for col in ("customer", "segment", "channel", "tone", "step", "outcome"):
		t[col] = t[col].fillna("").astype(str)
	bad = sorted(set(t["outcome"]) - set(OUTCOMES))
	if bad:
		raise ValueError(f"touches.outcome: unknown value(s) {', '.join(bad)} (known: {', '.join(OUTCOMES)})")
	sent = pd.to_datetime(t["sent_at"], errors="coerce")
	if sent.isna().any():
		row = int(np.flatnonzero(sent.isna().to_numpy())[0])
		raise ValueError(f"touches.sent_at: row {row} is not a date and time")
	t["weekday"] = sent.dt.weekday.to_numpy()
	t["hour"] = sent.dt.hour.to_numpy()
	days = pd.to_numeric(t["days_to_outcome"], errors="coerce")
	t["success"] = t["outcome"].isin(SUCCESS_OUTCOMES).to_numpy() & (days <= horizon_days).to_numpy()
	t["touches_7d"] = pd.to_numeric(t["touches_7d"], errors="coerce").fillna(0)
	t["days_overdue"] = pd.to_numeric(t["days_overdue"], errors="coerce").fillna(0)
	return t


def _site_columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
	"""The site model's categorical features of contexts (and actions, when they carry channel etc.)."""
	return {
		"step": frame["step"].astype(str).to_numpy(dtype=object),
		"weekday": frame["weekday"].astype(int).astype(str).to_numpy(dtype=object),
		"fatigue": fatigue_band(frame["touches_7d"]),
		"overdue": overdue_band(frame["days_overdue"]),
	}


_CONTEXT_FEATURES = ("step", "weekday", "fatigue", "overdue")
_ACTION_FEATURES = ("channel", "tone", "hour_band")


@dataclass
class ResponseModel:
	"""Fitted response model (see the module doc). Build with :meth:`fit`."""

	horizon_days: int = 7
	segment_strength: float = 30.0
	customer_strength: float = 10.0
	vocab: dict[str, list[str]] = field(default_factory=dict)
	coef: dict[str, np.ndarray] = field(default_factory=dict)
	intercept: float = 0.0
	segment_adj: dict[str, pd.DataFrame] = field(default_factory=dict)
	customer_adj: dict[str, pd.DataFrame] = field(default_factory=dict)
	customer_segment: dict[str, str] = field(default_factory=dict)
	evidence_table: pd.DataFrame | None = None
	n_touches: int = 0
	site_rate: float = 0.0

	# ------------------------------------------------------------------------------------------ fitting

	@classmethod
	def fit(
		cls,
		touches: pd.DataFrame,
		horizon_days: int = 7,
		segment_strength: float = 30.0,
		customer_strength: float = 10.0,
	) -> ResponseModel:
		"""Learn from a touch table (see the module doc)."""
		t = prepare_touches(touches, horizon_days)
		if len(t) < 20 or t["success"].nunique() < 2:
			raise ValueError("the response model needs at least 20 touches with both successes and failures")
		from sklearn.linear_model import LogisticRegression  # scoring does not need scikit-learn

		model = cls(horizon_days, segment_strength, customer_strength)
		t["hour_band"] = hour_band(t["hour"])
		cols = {**_site_columns(t), **{f: t[f].to_numpy(dtype=object) for f in _ACTION_FEATURES}}
		blocks, offset = [], 0
		for name, values in cols.items():
			vocab, codes = np.unique(values.astype(str), return_inverse=True)
			model.vocab[name] = list(vocab)
			blocks.append((codes + offset, len(vocab)))
			offset += len(vocab)
		rows = np.repeat(np.arange(len(t)), len(blocks))
		col_idx = np.column_stack([b[0] for b in blocks]).ravel()
		x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, col_idx)), shape=(len(t), offset))
		y = t["success"].to_numpy().astype(int)
		lr = LogisticRegression(C=1.0, max_iter=500)
		lr.fit(x, y)
		model.intercept = float(lr.intercept_[0])
		start = 0
		for name, (_, size) in zip(cols, blocks, strict=True):
			model.coef[name] = lr.coef_[0, start : start + size].copy()
			start += size
		model.n_touches = len(t)
		model.site_rate = float(y.mean())
		base = model._site_logit_rows(t)
		model._fit_levels(t, base, y)
		model._fit_evidence(t)
		return model

	def _lookup_fast(self, name: str, values: np.ndarray) -> np.ndarray:
		vocab = pd.Index(self.vocab[name])
		pos = vocab.get_indexer(pd.Index(np.asarray(values).astype(str)))
		coef = np.append(self.coef[name], 0.0)
		return coef[pos]  # -1 → the appended 0 (unknown value: no effect)

	def _site_logit_rows(self, t: pd.DataFrame) -> np.ndarray:
		cols = {**_site_columns(t), **{f: t[f].to_numpy(dtype=object) for f in _ACTION_FEATURES}}
		return self.intercept + sum(self._lookup_fast(n, v) for n, v in cols.items())

	def _fit_levels(self, t: pd.DataFrame, base: np.ndarray, y: np.ndarray) -> None:
		logit = base.copy()
		for key, strength, store in (
			(t["segment"].to_numpy(dtype=object), self.segment_strength, self.segment_adj),
			(t["customer"].to_numpy(dtype=object), self.customer_strength, self.customer_adj),
		):
			p = _sigmoid(logit)
			frame = pd.DataFrame({"key": key, "o": y, "e": p, "n": 1.0})
			whole = frame.groupby("key")[["o", "e", "n"]].sum()
			adj_all = _shrunk_shift(whole["o"], whole["e"], whole["n"], strength)
			store["all"] = adj_all.to_frame("adj")
			logit = logit + adj_all.reindex(key).to_numpy()
			# one backfitting pass: each dimension against what the level and the dimensions before it
			# already explain (a customer's overall responsiveness is not counted once per dimension)
			for dim in _DIMS:
				values = t[dim].to_numpy(dtype=object)
				frame = pd.DataFrame({"key": key, "v": values, "o": y, "e": _sigmoid(logit), "n": 1.0})
				g = frame.groupby(["key", "v"])[["o", "e", "n"]].sum()
				adj = _shrunk_shift(g["o"], g["e"], g["n"], strength).unstack("v").fillna(0.0)
				store[dim] = adj
				cells = pd.MultiIndex.from_arrays([key, values])
				logit = logit + adj.stack().reindex(cells).fillna(0).to_numpy()
		self.customer_segment = dict(zip(t["customer"], t["segment"], strict=False))

	def _fit_evidence(self, t: pd.DataFrame) -> None:
		days = pd.to_numeric(t["days_to_outcome"], errors="coerce").where(t["success"])
		g = (
			t.assign(days=days)
			.groupby(["customer", "channel"])
			.agg(touches=("success", "size"), successes=("success", "sum"), days=("days", "median"))
		)
		self.evidence_table = g.reset_index()

	# ------------------------------------------------------------------------------------------ scoring

	def score(self, contexts: pd.DataFrame, actions: pd.DataFrame) -> np.ndarray:
		"""P(payment or promise within ``horizon_days``) for every context (rows) and action (columns).

		``contexts``: customer, segment (optional), step, weekday (0-6, local), touches_7d,
		days_overdue. ``actions``: channel, tone, hour (local). Returns an (n contexts × n actions) array.
		"""
		ctx = contexts.copy()
		for col, default in (("segment", ""), ("step", ""), ("touches_7d", 0), ("days_overdue", 0)):
			if col not in ctx.columns:
				ctx[col] = default
		ctx["segment"] = ctx["segment"].fillna("").astype(str)
		known = ctx["customer"].map(self.customer_segment)
		ctx["segment"] = ctx["segment"].where(ctx["segment"] != "", known.fillna(""))
		act = actions.copy()
		act["hour_band"] = hour_band(act["hour"])
		ctx_logit = self.intercept + sum(self._lookup_fast(n, v) for n, v in _site_columns(ctx).items())
		act_logit = sum(self._lookup_fast(n, act[n].to_numpy(dtype=object)) for n in _ACTION_FEATURES)
		logit = ctx_logit[:, None] + np.asarray(act_logit)[None, :]
		for store, key in (
			(self.segment_adj, ctx["segment"].to_numpy(dtype=object)),
			(self.customer_adj, ctx["customer"].astype(str).to_numpy(dtype=object)),
		):
			logit += store["all"]["adj"].reindex(key).fillna(0.0).to_numpy()[:, None]
			for dim in _DIMS:
				table = store[dim]
				rows = table.index.get_indexer(pd.Index(key))
				cols = table.columns.get_indexer(pd.Index(act[dim].astype(str)))
				values = np.vstack([table.to_numpy(), np.zeros((1, table.shape[1]))])
				values = np.hstack([values, np.zeros((values.shape[0], 1))])
				logit += values[rows[:, None], cols[None, :]]
		return _sigmoid(logit)

	def evidence(self, customer: str) -> list[str]:
		"""The customer's record per channel, best first, in words: "answered 7 of 9 WhatsApp reminders
		(paid or promised after 2 days, median)" (answered = payment or promise within the horizon)."""
		if self.evidence_table is None:
			return []
		rows = self.evidence_table[self.evidence_table["customer"] == customer]
		out = []
		rows = rows.assign(rate=rows["successes"] / rows["touches"])
		for r in rows.sort_values(["rate", "touches"], ascending=False).itertuples(index=False):
			text = f"answered {int(r.successes)} of {int(r.touches)} {r.channel} reminders"
			if r.successes and not np.isnan(r.days):
				text += f" (paid or promised after {r.days:g} days, median)"
			out.append(text)
		return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
	return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


_RATE_FLOOR = 1e-4
"""Rates are kept inside [floor, 1 − floor] before taking logits."""


def _shrunk_shift(o: pd.Series, e: pd.Series, n: pd.Series, strength: float) -> pd.Series:
	"""Log-odds shift from the expected rate ``e/n`` to the observed one shrunk towards it with ``strength``
	pseudo-touches (beta-binomial): ``logit((o + a·e/n) / (n + a)) − logit(e/n)``."""
	expected = (e / n).clip(_RATE_FLOOR, 1 - _RATE_FLOOR)
	shrunk = ((o + strength * expected) / (n + strength)).clip(_RATE_FLOOR, 1 - _RATE_FLOOR)
	return np.log(shrunk / (1 - shrunk)) - np.log(expected / (1 - expected))
