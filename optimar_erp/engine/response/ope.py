"""Off-policy evaluation: what a reminder policy would have achieved, estimated from touches logged under
another policy (with their recorded propensities).

- **IPS** (inverse propensity scoring): the mean of ``π(a|x) / μ(a|x) × r`` over the logged touches.
- **Doubly robust**: the model's expected reward under ``π`` plus the IPS-weighted residual of the logged
  action, ``Σ_a π(a|x) q(x, a) + π(a_i|x) / μ(a_i|x) × (r − q(x, a_i))``: unbiased when the propensities are
  right, and with a lower variance when the model ``q`` is good.

Both come with a normal 95 % interval (mean ± 1.96 standard errors over the touches). The reward is a
touch's success (payment or promise within the horizon); the value is the expected success rate per
reminder when the reminders' contexts are as logged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
	value: float
	low: float
	high: float
	n: int

	def covers(self, x: float) -> bool:
		return self.low <= x <= self.high

	def __str__(self) -> str:
		return f"{self.value:.4f} [{self.low:.4f}, {self.high:.4f}]"


def _mean_ci(terms: np.ndarray) -> Estimate:
	terms = np.asarray(terms, dtype=float)
	n = len(terms)
	if n == 0:
		raise ValueError("no logged touches to evaluate")
	mean = float(terms.mean())
	se = float(terms.std(ddof=1) / np.sqrt(n)) if n > 1 else float("inf")
	return Estimate(mean, mean - Z95 * se, mean + Z95 * se, n)


def _check(reward, logging_propensity, logged_index, target_probs) -> tuple[np.ndarray, ...]:
	r = np.asarray(reward, dtype=float)
	mu = np.asarray(logging_propensity, dtype=float)
	a = np.asarray(logged_index, dtype=np.int64)
	pi = np.asarray(target_probs, dtype=float)
	if not (len(r) == len(mu) == len(a) == len(pi)):
		raise ValueError("reward, propensities, logged actions and target probabilities must align")
	if (mu <= 0).any() or (mu > 1).any():
		raise ValueError("logging propensities must be in (0, 1]")
	if (a < 0).any() or (a >= pi.shape[1]).any():
		raise ValueError("a logged action is not in the action grid")
	return r, mu, a, pi


def ips(reward, logging_propensity, logged_index, target_probs) -> Estimate:
	"""Inverse-propensity estimate of the target policy's mean reward. ``target_probs``: n × actions."""
	r, mu, a, pi = _check(reward, logging_propensity, logged_index, target_probs)
	w = pi[np.arange(len(a)), a] / mu
	return _mean_ci(w * r)


def doubly_robust(reward, logging_propensity, logged_index, target_probs, q_hat) -> Estimate:
	"""Doubly-robust estimate; ``q_hat``: the model's expected reward, n × actions."""
	r, mu, a, pi = _check(reward, logging_propensity, logged_index, target_probs)
	q = np.asarray(q_hat, dtype=float)
	rows = np.arange(len(a))
	w = pi[rows, a] / mu
	return _mean_ci((pi * q).sum(axis=1) + w * (r - q[rows, a]))
