"""The learned policy inside a dunning run: :class:`LearnedDunning` is handed to
:func:`optimar_erp.engine.dunning.decide` (``policy=``) and changes only the steps that say "learned".

A step opts in per dimension (step columns, all off by default):

- ``learned_channel``: the channel is chosen among the step's ``channels`` (comma-separated; empty = the
  step's own channel) that are enabled for dunning and that the customer can be reached on and consented
  to (an email for Email and Letter, a mobile for SMS, a mobile and the WhatsApp opt-in for WhatsApp, a
  collector for a Call Task). Nothing reachable → the step's own channel (the run's guards then say why).
- ``learned_tone``: the tone among the step's ``tones`` (comma-separated; empty = its own tone).
- ``learned_time``: the local hour among the whole hours inside the send window and outside the quiet
  hours; the reminder waits (``awaiting_send_time``) until that hour of the customer's day. A pre-due or
  first post-due step also waits (``awaiting_payment_run``) until ``lead_business_days`` business days
  before the customer's next payment run when it has a learned calendar — never past the sequence's next
  step.

Everything else — do-not-contact, hold, snooze, send window, minimum gap, weekly cap — is checked by the run
after the choice, exactly as for a fixed step, so the policy cannot break them. Each learned action
carries ``learned`` (True), ``propensity`` (the probability of the choice), ``choice_reason`` and
``send_hour``. The choice is drawn from the reminder's idempotency key: the same reminder gets the same
choice every time an hourly run decides it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from optimar_erp.engine.response.policy import LearnedPolicy, allowed_hours, inside

LEARNED_REASON_CODES: dict[str, bool] = {"awaiting_send_time": True, "awaiting_payment_run": True}
"""Reasons a learned step waits (both transient: a later run sends it)."""
LEARNED_ACTION_COLUMNS: tuple[str, ...] = ("learned", "propensity", "choice_reason", "send_hour")
STEP_FLAGS: tuple[str, ...] = ("learned_channel", "learned_tone", "learned_time")


def _split(value: object) -> tuple[str, ...]:
	if value is None or (isinstance(value, float) and np.isnan(value)):
		return ()
	return tuple(v.strip() for v in str(value).split(",") if v.strip())


@dataclass
class LearnedDunning:
	"""The learned policy with the run's extra settings (see the module doc)."""

	policy: LearnedPolicy
	quiet_start: dt.time | None = None
	quiet_end: dt.time | None = None
	action_columns: tuple[str, ...] = LEARNED_ACTION_COLUMNS

	def apply(
		self,
		units: pd.DataFrame,
		steps: pd.DataFrame,
		touches: pd.DataFrame,
		config,
		segments: pd.Series | None = None,
	) -> tuple[pd.DataFrame, list[tuple[pd.DataFrame, str, pd.Series]]]:
		"""(units to go on with, [(waiting units, reason code, reason)]). ``units`` as decide() builds
		them, with the customer's settings and recipient; ``steps`` prepared."""
		units = units.copy()
		for col in LEARNED_ACTION_COLUMNS:
			units[col] = {"learned": False, "propensity": 1.0, "choice_reason": "", "send_hour": -1}[col]
		flags = steps.set_index("step_id")[[*STEP_FLAGS, "channels", "tones"]]
		info = flags.reindex(units["step_id"]).reset_index(drop=True)
		info.index = units.index
		learned = info[list(STEP_FLAGS)].fillna(False).astype(bool)
		rows = units.index[learned.any(axis=1).to_numpy()]
		if not len(rows):
			return units, []
		u = units.loc[rows]
		zone = u["time_zone"].where(u["time_zone"] != "", config.company_time_zone)
		local_now = {z: config.now.astimezone(ZoneInfo(z)) for z in zone.unique() if _zone_ok(z)}
		ok = zone.map(lambda z: z in local_now).to_numpy()
		u = u[ok]  # an unknown zone: left to the run's guard (invalid_time_zone)
		zone = zone[ok]
		if u.empty:
			return units, []
		info_u = info.loc[u.index]
		learned_u = learned.loc[u.index]
		local_day = zone.map(lambda z: local_now[z].date())
		local_hour = zone.map(lambda z: local_now[z].hour).astype(int)
		quiet_now = zone.map(
			lambda z: (
				self.quiet_start is not None
				and self.quiet_end is not None
				and inside(local_now[z].hour * 60 + local_now[z].minute, self.quiet_start, self.quiet_end)
			)
		).astype(bool)
		waiting: list[tuple[pd.DataFrame, str, pd.Series]] = []

		# 1. payment-run timing (pre-due and first post-due reminders of one invoice)
		kinds = step_kinds(u, steps)
		next_day = _next_step_days(u, steps, config.today)
		due_day = pd.Series(
			[config.today - dt.timedelta(days=int(d)) for d in u["days_overdue"]], index=u.index
		)
		step_day = pd.Series(
			[d + dt.timedelta(days=int(o)) for d, o in zip(due_day, u["offset_days"], strict=True)],
			index=u.index,
		)
		timed = learned_u["learned_time"] & ~u["consolidated"].astype(bool)
		target = pd.Series(step_day.to_numpy(), index=u.index, dtype=object)
		if timed.any():
			idx = u.index[timed.to_numpy()]
			target.loc[idx] = self.policy.timing(
				u.loc[idx, "customer"].tolist(),
				step_day.loc[idx].tolist(),
				next_day.loc[idx].tolist(),
				kinds.loc[idx].tolist(),
			)
		wait_run = np.array([t > config.today for t in target], dtype=bool)
		if wait_run.any():
			w = u[wait_run]
			reason = pd.Series(
				[
					f"Held until {t:%Y-%m-%d}, {self.policy.lead_business_days} business day(s) before the "
					f"customer's payment run ({self.policy.calendars[c].describe()})"
					for t, c in zip(target[wait_run], w["customer"], strict=True)
				],
				index=w.index,
			)
			waiting.append((w, "awaiting_payment_run", reason))
		keep = ~wait_run
		u, info_u, learned_u = u[keep], info_u[keep], learned_u[keep]
		zone, local_day, local_hour, kinds = zone[keep], local_day[keep], local_hour[keep], kinds[keep]
		quiet_now = quiet_now[keep]
		if u.empty:
			return _without(units, waiting), waiting

		# 2. channel, tone and hour
		window_hours = allowed_hours(config.window_start, config.window_end, self.quiet_start, self.quiet_end)
		allowed_ch, allowed_tn = [], []
		for r, i in zip(u.itertuples(index=False), info_u.itertuples(index=False), strict=True):
			allowed_ch.append(_reachable(r, i, config) if i.learned_channel else (r.channel,))
			allowed_tn.append((_split(i.tones) or (r.tone,)) if i.learned_tone else (r.tone,))
		touches_7d = _recent_touches(u["customer"], touches, config.now)
		contexts = pd.DataFrame(
			{
				"customer": u["customer"].to_numpy(),
				"segment": (
					u["customer"].map(segments).fillna("").to_numpy() if segments is not None else ""
				),
				"step": kinds.to_numpy(),
				"weekday": [d.weekday() for d in local_day],
				"touches_7d": touches_7d,
				"days_overdue": u["days_overdue"].to_numpy(),
			}
		)
		defaults = pd.DataFrame(
			{
				"channel": u["channel"].to_numpy(),
				"tone": u["tone"].to_numpy(),
				"hour": local_hour.to_numpy(),
			}
		)
		chosen = pd.DataFrame(index=u.index, columns=["channel", "tone", "hour", "propensity", "reason"])
		# one call per group of reminders that may use the same hours: learned time → the window's
		# hours; fixed time → now (the hour of the customer's clock)
		group = np.where(learned_u["learned_time"].to_numpy(), -1, local_hour.to_numpy())
		keys = u["idempotency_key"].to_numpy()
		for g in np.unique(group):
			pos = np.flatnonzero(group == g)
			hours = window_hours if g == -1 else [int(g)]
			c = self.policy.choose(
				contexts.iloc[pos].reset_index(drop=True),
				[allowed_ch[p] for p in pos],
				[allowed_tn[p] for p in pos],
				hours,
				list(keys[pos]),
				defaults.iloc[pos].reset_index(drop=True),
			).table
			chosen.iloc[pos] = c[["channel", "tone", "hour", "propensity", "reason"]].to_numpy()
		units.loc[u.index, "channel"] = chosen["channel"]
		units.loc[u.index, "tone"] = chosen["tone"]
		units.loc[u.index, "learned"] = True
		units.loc[u.index, "propensity"] = chosen["propensity"].astype(float)
		units.loc[u.index, "choice_reason"] = chosen["reason"]
		units.loc[u.index, "send_hour"] = chosen["hour"].astype(int)
		ch = units.loc[u.index, "channel"]
		units.loc[u.index, "recipient"] = np.select(
			[ch.isin(["Email", "Letter"]), ch.isin(["SMS", "WhatsApp"]), ch == "Call Task"],
			[units.loc[u.index, "email"], units.loc[u.index, "mobile"], units.loc[u.index, "collector"]],
			"",
		)
		# 3. waiting for the chosen hour of the customer's day, and through quiet hours
		hour_now = local_hour.to_numpy()
		later = learned_u["learned_time"].to_numpy() & (chosen["hour"].astype(int).to_numpy() > hour_now)
		later |= quiet_now.to_numpy()
		if later.any():
			w = units.loc[u.index[later]]
			reason = pd.Series(
				[
					(
						f"Quiet hours in {z} ({self.quiet_start:%H:%M}–{self.quiet_end:%H:%M}): {r}"
						if q
						else f"Goes out at {h:02d}:00 in {z} (learned best time): {r}"
					)
					for h, z, r, q in zip(
						chosen["hour"][later],
						zone[later],
						chosen["reason"][later],
						quiet_now[later],
						strict=True,
					)
				],
				index=w.index,
			)
			waiting.append((w, "awaiting_send_time", reason))
		return _without(units, waiting), waiting


def _without(units: pd.DataFrame, waiting: list[tuple[pd.DataFrame, str, pd.Series]]) -> pd.DataFrame:
	"""The units that do not wait."""
	gone = [i for w, _, _ in waiting for i in w.index]
	return units.drop(index=gone)


def _zone_ok(name: str) -> bool:
	try:
		ZoneInfo(str(name))
	except Exception:
		return False
	return True


def _reachable(r, i, config) -> tuple[str, ...]:
	"""The step's channels the customer can be reached on, consented to, and that are enabled."""
	wanted = _split(i.channels) or (r.channel,)
	out = []
	for ch in wanted:
		if ch not in config.enabled_channels:
			continue
		if ch in ("Email", "Letter") and not r.email:
			continue
		if ch == "SMS" and not r.mobile:
			continue
		if ch == "WhatsApp" and not (r.mobile and r.whatsapp_opt_in):
			continue
		if ch == "Call Task" and not r.collector:
			continue
		out.append(ch)
	return tuple(out)


def step_kinds(units: pd.DataFrame, steps: pd.DataFrame) -> pd.Series:
	"""pre_due (offset < 0), first_overdue (the sequence's smallest offset >= 0), final (its largest), else
	overdue."""
	offsets = steps.groupby("sequence")["offset_days"]
	first_post = steps[steps["offset_days"] >= 0].groupby("sequence")["offset_days"].min()
	last = offsets.max()
	off = units["offset_days"].astype(int)
	fp = units["sequence"].map(first_post)
	ls = units["sequence"].map(last)
	kinds = np.select([off < 0, off == fp, off == ls], ["pre_due", "first_overdue", "final"], "overdue")
	return pd.Series(kinds, index=units.index)


def _next_step_days(units: pd.DataFrame, steps: pd.DataFrame, today: dt.date) -> pd.Series:
	"""The day the sequence's next step (larger offset) falls due for the unit's invoice; None for none."""
	by_seq = {s: sorted(set(g["offset_days"].astype(int))) for s, g in steps.groupby("sequence")}
	out = []
	for seq, off, overdue in zip(units["sequence"], units["offset_days"], units["days_overdue"], strict=True):
		later = [o for o in by_seq.get(seq, []) if o > int(off)]
		due = today - dt.timedelta(days=int(overdue))
		out.append(due + dt.timedelta(days=later[0]) if later else None)
	return pd.Series(out, index=units.index, dtype=object)


def _recent_touches(customers: pd.Series, touches: pd.DataFrame, now: dt.datetime) -> np.ndarray:
	since = pd.Timestamp(now) - pd.Timedelta(days=7)
	recent = touches[touches["at"] >= since].groupby("customer")["notice"].nunique()
	return customers.map(recent).fillna(0).astype(int).to_numpy()
