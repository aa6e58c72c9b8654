"""Honest evaluation of the learned policy, printed by ``python -m optimar_erp.benchmarks.engine_learning``.

1. **Simulated truth** (:func:`compare_policies`): for each world seed, the customers of
   :func:`~optimar_erp.engine.simulate.response_world` are reminded for ``history_months`` by the fixed
   sequence exploring ``history_epsilon`` of its decisions (what a site logs once exploration is on); the
   response model and the payment-run calendars learn from that log only. Then the next ``eval_months``
   are played three times on a run seed the model never saw — fixed sequence, uniform random choice,
   learned policy — with common random numbers (same invoices, same luck). Reported per policy: share of
   the invoiced amount collected within 14 days of the due date, and DSO as the amount-weighted days from
   posting to payment (the average receivable ÷ daily sales of a steady book; an invoice unpaid at the end
   counts up to the end); differences learned − fixed with 95 % intervals from a bootstrap over customers.
2. **Off-policy evaluation** (:func:`off_policy_check`): on touches logged under the exploring fixed
   sequence (a seed the model never saw), IPS and doubly-robust estimates of the learned and the fixed
   policies' success rate per reminder, beside the simulated truth for the same contexts.
3. **Payment-run days on real data** (:func:`run_day_accuracy`): calendars learned before a cutoff; for
   customers with one, how often later payments fall on a predicted run day, against the share of days that
   are run days (what guessing would hit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimar_erp.engine.response.calendar import learn_calendars
from optimar_erp.engine.response.model import ResponseModel, prepare_touches
from optimar_erp.engine.response.ope import Estimate, doubly_robust, ips
from optimar_erp.engine.response.policy import FixedPolicy, LearnedPolicy, RandomPolicy
from optimar_erp.engine.simulate import (
	SIM_FIXED_HOUR,
	SIM_STEPS,
	SIM_TONES,
	ResponseBehaviour,
	response_world,
	simulate_responses,
	true_response,
)

HISTORY_START = dt.date(2025, 1, 6)
SIM_HOURS = tuple(range(8, 19))
TAIL_DAYS = 120


@dataclass
class Learned:
	"""What a site learned from its history: the model, the calendars and the policy using them."""

	model: ResponseModel
	calendars: dict
	policy: LearnedPolicy


def learn(touches: pd.DataFrame, invoices: pd.DataFrame, epsilon: float = 0.05, lead: int = 3) -> Learned:
	model = ResponseModel.fit(touches)
	calendars = learn_calendars(invoices)
	return Learned(model, calendars, LearnedPolicy(model, calendars, epsilon, lead))


def customer_sums(invoices: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
	"""Per customer: amount, amount collected within 14 days of the due date, amount × days to pay."""
	settled = invoices["settled_date"].fillna(end).clip(upper=end)
	amount = invoices["grand_total"].to_numpy()
	within = (settled <= invoices["due_date"] + pd.Timedelta(days=14)).to_numpy()
	days = (settled - invoices["posting_date"]).dt.days.to_numpy()
	frame = pd.DataFrame(
		{
			"customer": invoices["customer"].to_numpy(),
			"amount": amount,
			"collected_14": amount * within,
			"amount_days": amount * days,
		}
	)
	return frame.groupby("customer").sum()


def _rates(sums: pd.DataFrame) -> tuple[float, float]:
	a = sums["amount"].sum()
	return float(sums["collected_14"].sum() / a), float(sums["amount_days"].sum() / a)


@dataclass
class Comparison:
	"""Per policy: collected within 14 days (share) and DSO (days), pooled over seeds; differences
	learned − fixed and learned − random with 95 % bootstrap intervals; touches sent; guard violations."""

	rates: dict[str, tuple[float, float]]
	diffs: dict[str, dict[str, Estimate]]
	touches: dict[str, int]
	violations: int
	seeds: tuple[int, ...]


def _bootstrap_diff(blocks: list[tuple[pd.DataFrame, pd.DataFrame]], rng: np.random.Generator, b: int = 1000):
	"""(collected-14 difference, DSO difference) estimates, customers resampled within each seed."""
	amt, c_a, c_b, d_a, d_b = [], [], [], [], []
	for base, other in blocks:
		base = base.reindex(other.index.union(base.index)).fillna(0)
		other = other.reindex(base.index).fillna(0)
		amt.append(base["amount"].to_numpy())
		c_a.append(other["collected_14"].to_numpy())
		c_b.append(base["collected_14"].to_numpy())
		d_a.append(other["amount_days"].to_numpy())
		d_b.append(base["amount_days"].to_numpy())

	def stat(idx_list):
		A = sum(a[i].sum() for a, i in zip(amt, idx_list, strict=True))
		dc = sum((x[i] - y[i]).sum() for x, y, i in zip(c_a, c_b, idx_list, strict=True)) / A
		dd = sum((x[i] - y[i]).sum() for x, y, i in zip(d_a, d_b, idx_list, strict=True)) / A
		return dc, dd

	point = stat([np.arange(len(a)) for a in amt])
	draws = np.array([stat([rng.integers(0, len(a), len(a)) for a in amt]) for _ in range(b)])
	lo, hi = np.percentile(draws, [2.5, 97.5], axis=0)
	n = int(sum(len(a) for a in amt))
	return Estimate(point[0], lo[0], hi[0], n), Estimate(point[1], lo[1], hi[1], n)


def compare_policies(
	seeds: tuple[int, ...] = (101, 102, 103),
	n_customers: int = 400,
	history_months: int = 9,
	eval_months: int = 6,
	behaviour: ResponseBehaviour | None = None,
	history_epsilon: float = 0.3,
	epsilon: float = 0.05,
	bootstrap: int = 1000,
) -> Comparison:
	"""Learned vs fixed vs random on held-out periods and run seeds (see the module doc)."""
	behaviour = behaviour if behaviour is not None else ResponseBehaviour()
	sums: dict[str, list[pd.DataFrame]] = {"fixed": [], "random": [], "learned": []}
	touches = dict.fromkeys(sums, 0)
	violations = 0
	eval_start = HISTORY_START + dt.timedelta(days=int(history_months * 30.44))
	for seed in seeds:
		world = response_world(seed, n_customers, behaviour)
		hist = simulate_responses(
			world, FixedPolicy(history_epsilon), HISTORY_START, history_months, seed=seed * 1000 + 1
		)
		learned = learn(hist.touches, hist.invoices, epsilon)
		policies = {"fixed": FixedPolicy(), "random": RandomPolicy(), "learned": learned.policy}
		for name, policy in policies.items():
			run = simulate_responses(world, policy, eval_start, eval_months, seed=seed * 1000 + 2)
			end = run.invoices["due_date"].max() + pd.Timedelta(days=TAIL_DAYS)
			sums[name].append(customer_sums(run.invoices, end))
			touches[name] += len(run.touches)
			violations += len(run.violations)
	rates = {name: _rates(pd.concat(frames)) for name, frames in sums.items()}
	rng = np.random.default_rng(0)
	diffs = {}
	for other in ("fixed", "random"):
		c14, dso = _bootstrap_diff(list(zip(sums[other], sums["learned"], strict=True)), rng, bootstrap)
		diffs[other] = {"collected_14": c14, "dso": dso}
	return Comparison(rates, diffs, touches, violations, tuple(seeds))


# ----------------------------------------------------------------------------------- off-policy check


@dataclass
class OffPolicy:
	"""Per target policy: IPS and DR estimates and the simulated truth on the same logged contexts."""

	estimates: dict[str, dict[str, Estimate]]
	truth: dict[str, float]
	logged: int


def _grid_index(grid: pd.DataFrame, touches: pd.DataFrame) -> np.ndarray:
	index = {(c, t, int(h)): i for i, (c, t, h) in enumerate(grid.itertuples(index=False))}
	hours = pd.to_datetime(touches["sent_at"]).dt.hour
	return np.array(
		[
			index.get((c, t, int(h)), -1)
			for c, t, h in zip(touches["channel"], touches["tone"], hours, strict=True)
		]
	)


def off_policy_check(
	seed: int = 201,
	n_customers: int = 400,
	history_months: int = 9,
	log_months: int = 6,
	behaviour: ResponseBehaviour | None = None,
	logging_epsilon: float = 0.3,
	epsilon: float = 0.05,
) -> OffPolicy:
	"""Learn on a history, log ``log_months`` more under the exploring fixed sequence (another run seed),
	then estimate the learned and the fixed policies' success rate per reminder on that log."""
	behaviour = behaviour if behaviour is not None else ResponseBehaviour()
	world = response_world(seed, n_customers, behaviour)
	hist = simulate_responses(
		world, FixedPolicy(logging_epsilon), HISTORY_START, history_months, seed=seed * 1000 + 1
	)
	learned = learn(hist.touches, hist.invoices, epsilon)
	log_start = HISTORY_START + dt.timedelta(days=int(history_months * 30.44))
	log = simulate_responses(world, FixedPolicy(logging_epsilon), log_start, log_months, seed=seed * 1000 + 3)
	t = prepare_touches(log.touches)
	w = world.set_index("customer").loc[t["customer"]].reset_index()
	allowed = [
		tuple(ch for ch, ok in (("Email", True), ("SMS", m), ("WhatsApp", o)) if ok)
		for m, o in zip(w["has_mobile"], w["whatsapp_opt_in"], strict=True)
	]
	tones = [SIM_TONES] * len(t)
	step_tone = {kind: tone for _, kind, tone in SIM_STEPS}
	defaults = pd.DataFrame(
		{"channel": "Email", "tone": t["step"].map(step_tone).to_numpy(), "hour": SIM_FIXED_HOUR}
	)
	contexts = t[["customer", "segment", "step", "weekday", "touches_7d", "days_overdue"]].reset_index(
		drop=True
	)
	grid = FixedPolicy().grid([("Email", "SMS", "WhatsApp")], [SIM_TONES], list(SIM_HOURS), defaults)
	logged = _grid_index(grid, t)
	if (logged < 0).any():
		raise ValueError("a logged touch is outside the evaluation grid")
	reward = t["success"].to_numpy().astype(float)
	mu = t["propensity"].to_numpy()
	q = learned.model.score(contexts, grid)
	truth_ctx = contexts.assign(run_factor=log.truth["run_factor"].to_numpy())
	p_true = true_response(w, truth_ctx, grid) * log.truth["answer_ok"].to_numpy()[:, None]
	p_true = np.where(log.truth["pending_ok"].to_numpy()[:, None], 1.0, p_true)
	estimates, truth = {}, {}
	for name, policy in (("learned", learned.policy), ("fixed", FixedPolicy())):
		_, pi, _, _ = policy.distribution(contexts, allowed, tones, list(SIM_HOURS), defaults, grid=grid)
		estimates[name] = {"ips": ips(reward, mu, logged, pi), "dr": doubly_robust(reward, mu, logged, pi, q)}
		truth[name] = float((pi * p_true).sum(axis=1).mean())
	return OffPolicy(estimates, truth, len(t))


# ------------------------------------------------------------------------------- run days, real data


@dataclass
class RunDayAccuracy:
	customers: int
	payments: int
	exact: float
	within_one_day: float
	chance: float


def run_day_accuracy(invoices: pd.DataFrame, cutoff: pd.Timestamp | str) -> RunDayAccuracy:
	"""Calendars learned from settlements up to ``cutoff``; for the customers that have one, the share of
	their later settlements on a predicted run day (exactly, and within one day), and the share of the
	calendar days in the test period that are run days for them (what a guess would hit)."""
	cutoff = pd.Timestamp(cutoff)
	calendars = {c: cal for c, cal in learn_calendars(invoices, cutoff).items() if cal.known}
	later = invoices[
		(pd.to_datetime(invoices["settled_date"]) > cutoff) & invoices["customer"].isin(calendars)
	]
	if later.empty:
		return RunDayAccuracy(len(calendars), 0, float("nan"), float("nan"), float("nan"))
	days = pd.to_datetime(later["settled_date"]).dt.date
	exact, near = [], []
	for c, d in zip(later["customer"], days, strict=True):
		cal = calendars[c]
		exact.append(cal.is_run_day(d))
		near.append(any(cal.is_run_day(d + dt.timedelta(days=k)) for k in (-1, 0, 1)))
	span = pd.date_range(cutoff + pd.Timedelta(days=1), pd.to_datetime(later["settled_date"]).max()).date
	chance = np.mean(
		[np.mean([calendars[c].is_run_day(d) for d in span]) for c in later["customer"].unique()]
	)
	return RunDayAccuracy(
		len(set(later["customer"])), len(later), float(np.mean(exact)), float(np.mean(near)), float(chance)
	)
