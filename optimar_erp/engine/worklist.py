"""The collector's daily list: which customers to work today, in what order, why, and how.

:func:`build_worklist` ranks customers by **expected value at risk**::

	value_at_risk = Σ_i outstanding_i × p_i × urgency_i      (over the customer's chaseable invoices)

- ``p_i``: the invoice's probability of being paid late (the risk model's ``late_probability``, 0-1);
  an invoice already past due counts with 1 (it can no longer be paid on time).
- ``urgency_i``: 1 + days overdue ÷ 30, capped at 4 (90+ days), for overdue invoices; 0.5 for invoices
  due within the next 7 days (a pre-due nudge still helps); 0 for the others (nothing to do yet).
- Not chaseable: disputed invoices (the dispute is worked, not the customer) and, while an open promise
  to pay has not passed its date, the promised invoices (their value is counted at 10 % so a large
  promise still shows, below the real work).

A customer drops off today's list when someone already acted on it today (``touched_today``), when it is
snoozed until a later date, or when nothing is chaseable. Each row gets a ``reason`` (the facts, in
words) and a ``next_action``, the first rule that applies:

1. ``wait_for_promise`` — an open promise whose date has not passed covers most of what is due;
2. ``escalate`` — two or more broken promises, or 60+ days overdue on a High/Critical customer, or the
   customer is on collections hold;
3. ``call`` — 30+ days overdue, or Critical band, or do-not-contact for automated messages, or an email
   reminder in the last 3 days (a human voice next);
4. ``whatsapp`` — the customer prefers WhatsApp and opted in (with learning on: the response model's best
   channel for the customer, ``learned_channel``, replaces the preference: WhatsApp only when it is the
   learned best and the customer opted in);
5. ``email`` — send the next reminder now.

With learning on, ``learned_reason`` (the customer's best channel and time and the evidence, in words) is
added to the row's reason, so the collector sees why the model says so.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimar_erp.engine.tables import dates, flag, floats, table, text

ACTIONS = ("wait_for_promise", "escalate", "call", "whatsapp", "email")
URGENCY_CAP = 4.0
PRE_DUE_DAYS = 7
PRE_DUE_URGENCY = 0.5
PROMISED_WEIGHT = 0.1
WORKLIST_COLUMNS = [
	"customer",
	"value_at_risk",
	"overdue_amount",
	"open_amount",
	"max_days_overdue",
	"open_invoices",
	"risk_band",
	"next_action",
	"reason",
	"promised_amount",
	"disputed_amount",
]

CUSTOMER_DEFAULTS = {
	"risk_band": "",
	"preferred_channel": "",
	"whatsapp_opt_in": False,
	"do_not_contact": False,
	"on_hold": False,
	"broken_promises": 0,
	"snoozed_until": None,
	"touched_today": False,
	"last_email_date": None,
	"learned_channel": "",
	"learned_reason": "",
}
INVOICE_DEFAULTS = {"late_probability": np.nan, "disputed": False, "promised_until": None}


def urgency(days_to_due: np.ndarray) -> np.ndarray:
	"""Urgency from days until due (negative: overdue): see the module docstring."""
	d = np.asarray(days_to_due, dtype=float)
	overdue = np.minimum(1.0 + np.maximum(-d, 0) / 30.0, URGENCY_CAP)
	return np.where(d < 0, overdue, np.where(d <= PRE_DUE_DAYS, PRE_DUE_URGENCY, 0.0))


def build_worklist(customers: pd.DataFrame, invoices: pd.DataFrame, today: dt.date) -> pd.DataFrame:
	"""Today's ranked list (see the module docstring). One row per customer with something to do.

	``customers``: customer plus optional risk_band, preferred_channel, whatsapp_opt_in, do_not_contact,
	on_hold, broken_promises, snoozed_until, touched_today, last_email_date.
	``invoices``: open invoices with invoice, customer, due_date, outstanding and optional
	late_probability (0-1), disputed (bool), promised_until (date of the open promise covering it).
	"""
	cust = table(customers, "customers", ("customer",), CUSTOMER_DEFAULTS)
	inv = table(invoices, "invoices", ("invoice", "customer", "due_date", "outstanding"), INVOICE_DEFAULTS)
	day = np.datetime64(today, "D")
	inv["customer"] = text(inv["customer"])
	amount = floats(inv["outstanding"], "outstanding").to_numpy()
	due = dates(inv["due_date"], "due_date", required=True)
	to_due = (due - day).astype(int)
	p = pd.to_numeric(inv["late_probability"], errors="coerce").to_numpy(dtype=float)
	p = np.where(to_due < 0, 1.0, np.nan_to_num(p, nan=0.5))
	disputed = flag(inv["disputed"]).to_numpy()
	promised_until = dates(inv["promised_until"], "promised_until")
	promised = ~np.isnat(promised_until) & (promised_until >= day)
	weight = np.where(disputed, 0.0, np.where(promised, PROMISED_WEIGHT, 1.0))
	frame = pd.DataFrame(
		{
			"customer": inv["customer"],
			"var": amount * p * urgency(to_due) * weight,
			"open": amount,
			"overdue": np.where(to_due < 0, amount, 0.0),
			"days": np.where(to_due < 0, -to_due, 0),
			"promised": np.where(promised & ~disputed, amount, 0.0),
			"disputed": np.where(disputed, amount, 0.0),
			"chaseable_due": np.where(~disputed & ~promised & (to_due <= PRE_DUE_DAYS), amount, 0.0),
			"one": 1,
		}
	)
	g = frame.groupby("customer", sort=False).agg(
		value_at_risk=("var", "sum"),
		open_amount=("open", "sum"),
		overdue_amount=("overdue", "sum"),
		max_days_overdue=("days", "max"),
		promised_amount=("promised", "sum"),
		disputed_amount=("disputed", "sum"),
		chaseable_due=("chaseable_due", "sum"),
		open_invoices=("one", "sum"),
	)
	cust["customer"] = text(cust["customer"])
	cust = cust.drop_duplicates("customer").set_index("customer")
	out = g.join(cust, how="left")
	for col, default in CUSTOMER_DEFAULTS.items():
		out[col] = out[col].where(out[col].notna(), default) if col in out else default
	snoozed = dates(out["snoozed_until"], "snoozed_until")
	keep = (
		(out["value_at_risk"].to_numpy() > 0.005)
		& ~flag(out["touched_today"]).to_numpy()
		& ~(~np.isnat(snoozed) & (snoozed > day))
	)
	out = out[keep].copy()
	out["risk_band"] = text(out["risk_band"])
	out["next_action"] = _next_action(out, day)
	out["reason"] = _reasons(out)
	out = out.reset_index().rename(columns={"index": "customer"})
	out["value_at_risk"] = out["value_at_risk"].round(2)
	out["max_days_overdue"] = out["max_days_overdue"].astype(int)
	out["open_invoices"] = out["open_invoices"].astype(int)
	return out.sort_values(["value_at_risk", "overdue_amount"], ascending=False, kind="stable").reset_index(
		drop=True
	)[WORKLIST_COLUMNS]


def _next_action(out: pd.DataFrame, day: np.datetime64) -> np.ndarray:
	band = text(out["risk_band"]).to_numpy()
	days = out["max_days_overdue"].to_numpy()
	broken = floats(out["broken_promises"], "broken_promises", 0.0).to_numpy()
	last_email = dates(out["last_email_date"], "last_email_date")
	recent_email = ~np.isnat(last_email) & ((day - last_email).astype("timedelta64[D]").astype(int) <= 3)
	promise_covers = out["promised_amount"].to_numpy() >= 0.5 * (
		out["promised_amount"].to_numpy() + out["chaseable_due"].to_numpy()
	)
	promise_covers &= out["promised_amount"].to_numpy() > 0
	high = np.isin(band, ("High", "Critical"))
	conditions = [
		promise_covers,
		(broken >= 2) | ((days >= 60) & high) | flag(out["on_hold"]).to_numpy(),
		(days >= 30) | (band == "Critical") | flag(out["do_not_contact"]).to_numpy() | recent_email,
		(_channel(out) == "WhatsApp") & flag(out["whatsapp_opt_in"]).to_numpy(),
	]
	return np.select(conditions, list(ACTIONS[:4]), default="email")


def _channel(out: pd.DataFrame) -> np.ndarray:
	"""The channel to use: the learned best when there is one, else the customer's preference."""
	learned = text(out["learned_channel"]).to_numpy()
	return np.where(learned != "", learned, text(out["preferred_channel"]).to_numpy())


def _reasons(out: pd.DataFrame) -> list[str]:
	"""The facts behind a row, in words (amounts without currency; the shell formats them)."""
	reasons = []
	for r in out.itertuples():
		parts = []
		if r.overdue_amount > 0:
			parts.append(f"{r.overdue_amount:,.2f} overdue, oldest {r.max_days_overdue} days")
		else:
			parts.append(f"{r.open_amount:,.2f} falling due within {PRE_DUE_DAYS} days")
		if r.risk_band:
			parts.append(f"{r.risk_band} risk")
		if float(r.broken_promises or 0) > 0:
			parts.append(f"{int(r.broken_promises)} broken promise(s)")
		if r.promised_amount > 0:
			parts.append(f"{r.promised_amount:,.2f} promised")
		if r.disputed_amount > 0:
			parts.append(f"{r.disputed_amount:,.2f} disputed")
		if bool(r.on_hold):
			parts.append("on collections hold")
		if r.learned_reason and isinstance(r.learned_reason, str):
			parts.append(r.learned_reason)
		reasons.append("; ".join(parts))
	return reasons
