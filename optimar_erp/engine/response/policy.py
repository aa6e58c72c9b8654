"""The learned reminder policy: for each reminder, which channel, which local hour and which tone.

Compliance comes first and is not the model's business: the caller gives, per reminder, the channels it
may use (the step's allowed channels that are enabled and that the customer consented to and has an
address for), the tones the step allows, and the local hours that are inside the send window and outside
quiet hours (:func:`allowed_hours`). The policy only ranks what is allowed; when nothing is allowed it
falls back to the step's own choice and says so (the caller's guards then hold the reminder back).

Among the allowed actions it takes the one the :class:`~.model.ResponseModel` gives the highest chance of a
payment or promise, except for a share ``epsilon`` of decisions drawn uniformly among the allowed actions
(exploration, so that the model keeps learning about the other channels and the logged data supports
off-policy evaluation). Every decision records its probability (propensity) and its reason.

Randomness is a pure function of each decision's key (:func:`key_uniforms`): the same reminder gets the
same choice when an hourly run decides it again, and a replay gives the same log.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimar_erp.engine.response.calendar import run_timed_day
from optimar_erp.engine.response.model import HOUR_BANDS, ResponseModel, hour_band

DEFAULT_EPSILON = 0.1
"""Share of decisions that explore."""
DEFAULT_LEAD_BUSINESS_DAYS = 3
"""Pre-due and first post-due reminders land this many business days before the customer's next run."""


def key_uniforms(keys: pd.Series | list[str], salt: str = "") -> tuple[np.ndarray, np.ndarray]:
	"""Two uniform numbers in [0, 1) per key, from a hash (deterministic, independent of order)."""
	u1, u2 = [], []
	for key in keys:
		digest = hashlib.blake2b(f"{salt}|{key}".encode(), digest_size=16).digest()
		u1.append(int.from_bytes(digest[:8], "big") / 2**64)
		u2.append(int.from_bytes(digest[8:], "big") / 2**64)
	return np.array(u1), np.array(u2)


def allowed_hours(
	window_start: dt.time,
	window_end: dt.time,
	quiet_start: dt.time | None = None,
	quiet_end: dt.time | None = None,
) -> list[int]:
	"""Local whole hours ``h`` such that the send at ``h:00`` is inside the send window ``[start, end)`` and
	outside the quiet hours ``[quiet_start, quiet_end)`` (either may span midnight)."""
	out = []
	for h in range(24):
		m = h * 60
		if not inside(m, window_start, window_end):
			continue
		if quiet_start is not None and quiet_end is not None and inside(m, quiet_start, quiet_end):
			continue
		out.append(h)
	return out


def inside(minutes: int, start: dt.time, end: dt.time) -> bool:
	"""True when a local time (minutes since midnight) lies in [start, end); start > end spans midnight."""
	lo, hi = start.hour * 60 + start.minute, end.hour * 60 + end.minute
	if lo == hi:
		return False
	return lo <= minutes < hi if lo < hi else (minutes >= lo or minutes < hi)


def candidate_hours(hours: list[int]) -> list[int]:
	"""One representative allowed hour per hour band (the model does not tell hours of a band apart): the
	middle allowed hour of the band."""
	return list(_candidate_hours(tuple(sorted(set(int(h) for h in hours)))))


@functools.lru_cache(maxsize=64)
def _candidate_hours(hours: tuple[int, ...]) -> tuple[int, ...]:
	out = []
	for name, _, _ in HOUR_BANDS:
		in_band = [h for h in hours if hour_band(h) == name]
		if in_band:
			out.append(in_band[len(in_band) // 2])
	return tuple(out)


@dataclass(frozen=True)
class Choices:
	"""What a policy chose, one row per reminder (same order as the contexts)."""

	table: pd.DataFrame
	"""channel, tone, hour, propensity (probability of this choice), explored (not the policy's preferred
	action), expected (the model's chance of payment or promise for the choice; NaN without a model),
	default_expected (the same for the step's fixed choice), reason (a sentence)."""


class GridPolicy:
	"""Shared machinery: the action grid (channel × tone × candidate hour), the allowed mask, a preferred
	action per reminder, and epsilon-uniform exploration among the allowed ones."""

	epsilon: float = 0.0
	name: str = "policy"

	def timing(self, customers, step_days, next_step_days, kinds) -> list:
		"""The day each reminder goes out: the step's own day (a subclass may move it later)."""
		return list(step_days)

	def preferred(self, contexts, grid, mask, defaults) -> tuple[np.ndarray, np.ndarray | None]:
		raise NotImplementedError

	def grid(self, allowed_channels, allowed_tones, hours, defaults) -> pd.DataFrame:
		hour_grid = set(candidate_hours(sorted(set(hours))))
		if defaults is not None:
			hour_grid |= {int(h) for h in defaults["hour"] if int(h) in set(hours)}
		channels = sorted({c for cs in allowed_channels for c in cs})
		tones = sorted({t for ts in allowed_tones for t in ts})
		return pd.DataFrame(
			[(c, t, h) for c in channels for t in tones for h in sorted(hour_grid)],
			columns=["channel", "tone", "hour"],
		)

	def distribution(
		self, contexts, allowed_channels, allowed_tones, hours, defaults=None, grid=None
	) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray | None]:
		"""(grid, probabilities n × grid, preferred index per row, model scores or None). Rows with nothing
		allowed have all-zero probabilities."""
		n = len(contexts)
		if len(allowed_channels) != n or len(allowed_tones) != n:
			raise ValueError("one allowed channel list and tone list per context")
		if grid is None:
			grid = self.grid(allowed_channels, allowed_tones, hours, defaults)
		ch = grid["channel"].to_numpy()
		tn = grid["tone"].to_numpy()
		hr_ok = grid["hour"].isin(set(hours)).to_numpy()
		combos: dict[tuple, int] = {}
		codes = np.array(
			[
				combos.setdefault((tuple(cs), tuple(ts)), len(combos))
				for cs, ts in zip(allowed_channels, allowed_tones, strict=True)
			],
			dtype=np.int64,
		)
		combo_mask = np.zeros((max(len(combos), 1), len(grid)), dtype=bool)
		for (cs, ts), j in combos.items():
			combo_mask[j] = np.isin(ch, cs) & np.isin(tn, ts) & hr_ok
		mask = combo_mask[codes] if n else np.zeros((0, len(grid)), dtype=bool)
		k = mask.sum(axis=1)
		pref, scores = self.preferred(contexts, grid, mask, defaults)
		eps = self.epsilon
		probs = eps * mask / np.maximum(k, 1)[:, None]
		rows = np.flatnonzero(k > 0)
		probs[rows, pref[rows]] += 1 - eps
		return grid, probs, pref, scores

	def choose(
		self, contexts, allowed_channels, allowed_tones, hours, keys, defaults=None, explain: bool = True
	) -> Choices:
		"""Draw one action per reminder from :meth:`distribution` with the reminder's key (see the module
		doc); record probability and reason (``explain`` False leaves the reasons empty, for simulations).
		A reminder with nothing allowed keeps ``defaults``."""
		n = len(contexts)
		if len(keys) != n:
			raise ValueError("one key per context")
		channel = np.full(n, "", dtype=object)
		tone = np.full(n, "", dtype=object)
		hour = np.full(n, -1, dtype=np.int64)
		propensity = np.ones(n)
		explored = np.zeros(n, dtype=bool)
		expected = np.full(n, np.nan)
		default_expected = np.full(n, np.nan)
		reason = np.full(n, "", dtype=object)
		if n:
			grid, probs, pref, scores = self.distribution(
				contexts, allowed_channels, allowed_tones, hours, defaults
			)
			u, _ = key_uniforms(list(keys), self.name)
			has = probs.sum(axis=1) > 0
			cum = np.cumsum(probs, axis=1)
			total = np.maximum(cum[:, -1], 1e-12) if len(grid) else np.ones(n)
			pick = np.minimum((cum <= (u * total)[:, None]).sum(axis=1), max(len(grid) - 1, 0))
			rows = np.flatnonzero(has)
			pr = pick[rows]
			channel[rows] = grid["channel"].to_numpy()[pr]
			tone[rows] = grid["tone"].to_numpy()[pr]
			hour[rows] = grid["hour"].to_numpy()[pr]
			propensity[rows] = probs[rows, pr]
			explored[rows] = pr != pref[rows]
			if scores is not None:
				expected[rows] = scores[rows, pr]
				if defaults is not None and explain:
					default_expected = _default_scores(self.model, contexts, defaults.reset_index(drop=True))
			none = np.flatnonzero(~has)
			if len(none):
				if defaults is None:
					raise ValueError("a reminder has nothing allowed and no default to fall back to")
				d = defaults.reset_index(drop=True)
				channel[none] = d["channel"].to_numpy()[none]
				tone[none] = d["tone"].to_numpy()[none]
				hour[none] = d["hour"].to_numpy().astype(np.int64)[none]
				reason[none] = "Nothing the step allows is available for this customer: the step's own choice"
		out = pd.DataFrame(
			{
				"channel": channel,
				"tone": tone,
				"hour": hour,
				"propensity": propensity,
				"explored": explored,
				"expected": expected,
				"default_expected": default_expected,
				"reason": reason,
			}
		)
		if explain and n:
			mask = reason == ""
			out.loc[mask, "reason"] = self.reasons(out[mask]).to_numpy()
		return Choices(out)

	def reasons(self, out: pd.DataFrame) -> pd.Series:
		return _what(out) + f": {self.name}; probability " + out["propensity"].map(lambda p: f"{p:.3f}")


def _what(out: pd.DataFrame) -> pd.Series:
	when = out["hour"].astype(int).map(lambda h: f"{h:02d}:00")
	tone = out["tone"].where(out["tone"] != "", "default")
	return out["channel"] + " at " + when + " local, " + tone + " tone"


def _default_scores(model: ResponseModel, contexts: pd.DataFrame, defaults: pd.DataFrame) -> np.ndarray:
	"""Each context scored with its own default action (one model call per distinct action)."""
	ctx = contexts.reset_index(drop=True)
	out = np.full(len(ctx), np.nan)
	keys = (
		defaults["channel"].astype(str)
		+ "|"
		+ defaults["tone"].astype(str)
		+ "|"
		+ defaults["hour"].astype(str)
	)
	for _, idx in keys.groupby(keys).groups.items():
		idx = np.asarray(idx)
		out[idx] = model.score(ctx.iloc[idx], defaults.iloc[idx[:1]][["channel", "tone", "hour"]])[:, 0]
	return out


def _default_index(grid: pd.DataFrame, mask: np.ndarray, defaults: pd.DataFrame | None) -> np.ndarray:
	"""The grid position of each row's default action; the first allowed one when it is not allowed."""
	first_allowed = mask.argmax(axis=1) if mask.shape[1] else np.zeros(len(mask), dtype=np.int64)
	if defaults is None or not mask.shape[1]:
		return first_allowed
	index = {(c, t, int(h)): i for i, (c, t, h) in enumerate(grid.itertuples(index=False))}
	d = defaults.reset_index(drop=True)
	pos = np.array(
		[index.get((c, t, int(h)), -1) for c, t, h in zip(d["channel"], d["tone"], d["hour"], strict=True)]
	)
	ok = (pos >= 0) & mask[np.arange(len(pos)), np.maximum(pos, 0)]
	return np.where(ok, pos, first_allowed)


class FixedPolicy(GridPolicy):
	"""The sequence's own channel, tone and hour; with ``epsilon`` > 0 a share of decisions explores (how
	a site logs data the response model can learn channel, tone and hour effects from)."""

	def __init__(self, epsilon: float = 0.0):
		if not 0 <= epsilon <= 1:
			raise ValueError("epsilon must be between 0 and 1")
		self.epsilon = epsilon
		self.name = (
			"the step's fixed choice" if not epsilon else f"the step's fixed choice, exploring {epsilon:.0%}"
		)
		self.model = None

	def preferred(self, contexts, grid, mask, defaults):
		return _default_index(grid, mask, defaults), None


class RandomPolicy(FixedPolicy):
	"""Uniform among the allowed actions (a baseline)."""

	def __init__(self):
		super().__init__(1.0)
		self.name = "random among the allowed choices"


class LearnedPolicy(GridPolicy):
	"""The response model's best allowed action, ``epsilon`` exploration; pre-due and first post-due
	reminders timed to land ``lead_business_days`` before the customer's next payment run."""

	def __init__(
		self,
		model: ResponseModel,
		calendars: dict | None = None,
		epsilon: float = DEFAULT_EPSILON,
		lead_business_days: int = DEFAULT_LEAD_BUSINESS_DAYS,
		timed_kinds: tuple[str, ...] = ("pre_due", "first_overdue"),
	):
		if not 0 <= epsilon <= 1:
			raise ValueError("epsilon must be between 0 and 1")
		if lead_business_days < 0:
			raise ValueError("lead_business_days must be >= 0")
		self.model = model
		self.calendars = calendars or {}
		self.epsilon = epsilon
		self.lead_business_days = lead_business_days
		self.timed_kinds = timed_kinds
		self.name = "learned"

	def timing(self, customers, step_days, next_step_days, kinds) -> list:
		out = []
		for c, day, nxt, kind in zip(customers, step_days, next_step_days, kinds, strict=True):
			cal = self.calendars.get(c)
			if cal is None or not cal.known or kind not in self.timed_kinds:
				out.append(day)
				continue
			as_int = isinstance(day, (int, np.integer))
			d = dt.date.fromordinal(int(day)) if as_int else day
			n = dt.date.fromordinal(int(nxt)) if (as_int and nxt is not None) else nxt
			target = run_timed_day(cal, d, n, self.lead_business_days)
			out.append(target.toordinal() if as_int else target)
		return out

	def preferred(self, contexts, grid, mask, defaults):
		if not len(grid):
			return np.zeros(len(contexts), dtype=np.int64), np.zeros((len(contexts), 0))
		scores = self.model.score(contexts.reset_index(drop=True), grid)
		return np.where(mask, scores, -np.inf).argmax(axis=1), scores

	def reasons(self, out: pd.DataFrame) -> pd.Series:
		pct = (out["expected"] * 100).round().astype("Int64").astype(str)
		base = (
			_what(out)
			+ ": "
			+ pct
			+ " % chance of payment or promise within "
			+ str(self.model.horizon_days)
			+ " days"
		)
		dflt = (out["default_expected"] * 100).round().astype("Int64").astype(str)
		base = base.where(out["default_expected"].isna(), base + " (the step's fixed choice: " + dflt + " %)")
		explore = f"exploring ({self.epsilon:.0%} of decisions are drawn among the allowed choices): " + base
		return (
			base.where(~out["explored"], explore)
			+ "; probability "
			+ out["propensity"].map(lambda p: f"{p:.3f}")
		)
