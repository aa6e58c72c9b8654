"""From a site's logged touches and what followed them to the response model's touch table, and from a fitted
model to each customer's profile (best channel, best hour, evidence).

:func:`touch_outcomes` labels each touch with the first thing the customer did after it, within
``horizon_days``: a payment, a promise to pay, a dispute (first of them wins; a payment and a promise on the
same day count as a payment), else silence. Everything is one sort-and-merge per event kind (``merge_asof``),
so half a million touches label in seconds.

:func:`customer_profiles` scores every customer with every allowed channel × candidate hour (the step kind
``first_overdue`` and the customer's own segment) and keeps the best, with the evidence in words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimar_erp.engine.response.model import ResponseModel
from optimar_erp.engine.response.policy import candidate_hours

EVENT_KINDS: tuple[str, ...] = ("payment", "promise", "dispute")
"""Event kinds in the order that breaks a tie on the same day."""


def touch_outcomes(touches: pd.DataFrame, events: pd.DataFrame, horizon_days: int = 7) -> pd.DataFrame:
	"""The touch table with ``outcome`` and ``days_to_outcome``.

	``touches``: customer, sent_at (datetime) and any other columns (kept). ``events``: customer, kind
	(payment, promise, dispute), at (datetime). An event counts for a touch when it comes after the touch
	and within ``horizon_days``; the first such event is the outcome (and a later touch does not steal it:
	each touch is labelled on its own)."""
	if horizon_days <= 0:
		raise ValueError("horizon_days must be positive")
	for col in ("customer", "sent_at"):
		if col not in touches.columns:
			raise ValueError(f"touches table lacks column {col}")
	for col in ("customer", "kind", "at"):
		if col not in events.columns:
			raise ValueError(f"events table lacks column {col}")
	bad = sorted(set(events["kind"].astype(str)) - set(EVENT_KINDS))
	if bad:
		raise ValueError(f"events.kind: unknown value(s) {', '.join(bad)}")
	t = touches.reset_index(drop=True).copy()
	t["sent_at"] = pd.to_datetime(t["sent_at"])
	t["customer"] = t["customer"].astype(str)
	t["_row"] = np.arange(len(t))
	best_days = np.full(len(t), np.inf)
	best_kind = np.full(len(t), "silence", dtype=object)
	left = t[["_row", "customer", "sent_at"]].sort_values("sent_at")
	for rank, kind in enumerate(EVENT_KINDS):
		ev = events[events["kind"].astype(str) == kind][["customer", "at"]].copy()
		if ev.empty:
			continue
		ev["customer"] = ev["customer"].astype(str)
		ev["at"] = pd.to_datetime(ev["at"])
		ev = ev.dropna().sort_values("at")
		m = pd.merge_asof(
			left,
			ev.rename(columns={"at": "event_at"}),
			left_on="sent_at",
			right_on="event_at",
			by="customer",
			direction="forward",
			allow_exact_matches=False,
		)
		days = ((m["event_at"] - m["sent_at"]).dt.total_seconds() / 86400).to_numpy()
		rows = m["_row"].to_numpy()
		# a small per-kind bump breaks a tie in EVENT_KINDS order without moving whole days
		ok = ~np.isnan(days) & (days <= horizon_days) & (days + rank * 1e-6 < best_days[rows])
		best_days[rows[ok]] = days[ok] + rank * 1e-6
		best_kind[rows[ok]] = kind
	t["outcome"] = best_kind
	t["days_to_outcome"] = np.where(np.isinf(best_days), np.nan, np.round(best_days, 2))
	return t.drop(columns="_row")


PROFILE_COLUMNS: tuple[str, ...] = (
	"customer",
	"best_channel",
	"best_hour",
	"best_tone",
	"chance",
	"touches",
	"evidence",
)


def customer_profiles(
	model: ResponseModel,
	customers: pd.DataFrame,
	hours: list[int],
	weekday: int = 1,
) -> pd.DataFrame:
	"""One row per customer (``PROFILE_COLUMNS``): the channel, local hour and tone the model gives the best
	chance of payment or promise within its horizon for a first overdue reminder sent on ``weekday``
	(0 = Monday), among the customer's ``channels`` (comma-separated; the channels in ``customers``'
	column, e.g. those it can be reached on) and the ``hours`` allowed; ``tones`` likewise (empty: the
	default tone ""). ``customers``: customer, channels, optional segment and tones."""
	if "customer" not in customers.columns or "channels" not in customers.columns:
		raise ValueError("customers table needs customer and channels columns")
	if not hours:
		raise ValueError("no allowed hour to send in")
	cand = candidate_hours(hours)
	rows = []
	tones_col = customers["tones"] if "tones" in customers.columns else pd.Series("", index=customers.index)
	combos: dict[tuple, list[int]] = {}
	for i, (chs, tns) in enumerate(zip(customers["channels"], tones_col, strict=True)):
		ch = tuple(sorted({c.strip() for c in str(chs or "").split(",") if c.strip()}))
		tn = tuple(sorted({t.strip() for t in str(tns or "").split(",") if t.strip()})) or ("",)
		combos.setdefault((ch, tn), []).append(i)
	evidence = model.evidence_table if model.evidence_table is not None else pd.DataFrame()
	counts = evidence.groupby("customer")["touches"].sum() if len(evidence) else pd.Series(dtype=int)
	texts = evidence_texts(evidence)
	for (ch, tn), idx in combos.items():
		part = customers.iloc[idx]
		if not ch:
			for c in part["customer"]:
				rows.append((c, "", -1, "", np.nan, int(counts.get(c, 0)), ""))
			continue
		grid = pd.DataFrame(
			[(c, t, h) for c in ch for t in tn for h in cand], columns=["channel", "tone", "hour"]
		)
		ctx = pd.DataFrame(
			{
				"customer": part["customer"].astype(str).to_numpy(),
				"segment": part["segment"].fillna("").astype(str).to_numpy() if "segment" in part else "",
				"step": "first_overdue",
				"weekday": weekday,
				"touches_7d": 0,
				"days_overdue": 1,
			}
		)
		scores = model.score(ctx, grid)
		best = scores.argmax(axis=1)
		chosen = grid.iloc[best].reset_index(drop=True)
		names = ctx["customer"]
		rows.extend(
			zip(
				names,
				chosen["channel"],
				chosen["hour"].astype(int),
				chosen["tone"],
				scores[np.arange(len(best)), best].astype(float),
				names.map(counts).fillna(0).astype(int),
				names.map(texts).fillna(""),
				strict=True,
			)
		)
	return pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))


def evidence_texts(evidence: pd.DataFrame) -> pd.Series:
	"""Per customer, :meth:`ResponseModel.evidence`'s sentences joined by "; " (all customers at once)."""
	if evidence is None or not len(evidence):
		return pd.Series(dtype=object)
	ev = evidence.assign(rate=evidence["successes"] / evidence["touches"]).sort_values(
		["customer", "rate", "touches"], ascending=[True, False, False], kind="stable"
	)
	text = (
		"answered "
		+ ev["successes"].astype(int).astype(str)
		+ " of "
		+ ev["touches"].astype(int).astype(str)
		+ " "
		+ ev["channel"].astype(str)
		+ " reminders"
	)
	days = ev["days"].map(lambda d: f" (paid or promised after {d:g} days, median)" if d == d else "")
	text = text + days.where(ev["successes"] > 0, "")
	return text.groupby(ev["customer"], sort=False).agg("; ".join)
