"""Which dunning sequence applies to each customer, and each open invoice's collection state.

Both pure functions of plain tables: the Frappe shell supplies the trees already expanded (a customer's
group and its ancestors), so nothing here needs the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

SEQUENCE_COLUMNS = (
	"sequence",
	"enabled",
	"company",
	"customer_group",
	"territory",
	"risk_band",
	"min_outstanding",
	"priority",
)
CUSTOMER_COLUMNS = (
	"customer",
	"company",
	"groups",
	"territories",
	"risk_band",
	"outstanding",
	"own_sequence",
)

NOT_DUE, REMINDING, PROMISED, DISPUTED, ESCALATED, PAID, WRITTEN_OFF = (
	"Not Due",
	"Reminding",
	"Promised",
	"Disputed",
	"Escalated",
	"Paid",
	"Written Off",
)


def _require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
	missing = [c for c in columns if c not in frame.columns]
	if missing:
		raise ValueError(f"{name} table lacks column(s): {', '.join(missing)}")


def assign_sequences(
	customers: pd.DataFrame, sequences: pd.DataFrame, default: str | None = None
) -> pd.Series:
	"""The sequence for each customer (index: customer; None when nothing applies).

	A customer's own enabled sequence wins. Otherwise the enabled sequence with the highest priority
	whose every set rule matches: company equal, customer group and territory among the customer's
	(``groups`` / ``territories`` hold the customer's node and its ancestors), risk band equal, the
	customer's total outstanding at least ``min_outstanding``. Ties go to the sequence name that sorts
	first. Otherwise ``default``.

	``customers``: customer, company, groups, territories, risk_band, outstanding, own_sequence.
	``sequences``: sequence, enabled, company, customer_group, territory, risk_band, min_outstanding,
	priority (empty strings / NaN for rules not set).
	"""
	_require(customers, CUSTOMER_COLUMNS, "customers")
	_require(sequences, SEQUENCE_COLUMNS, "sequences")
	enabled = sequences[sequences["enabled"].astype(bool)].copy()
	enabled["priority"] = pd.to_numeric(enabled["priority"], errors="coerce").fillna(0)
	enabled = enabled.sort_values(["priority", "sequence"], ascending=[False, True])

	result = pd.Series(
		[default] * len(customers), index=pd.Index(customers["customer"], name="customer"), dtype=object
	)
	chosen = np.zeros(len(customers), dtype=bool)
	company = customers["company"].fillna("").astype(str).to_numpy()
	band = customers["risk_band"].fillna("").astype(str).to_numpy()
	outstanding = pd.to_numeric(customers["outstanding"], errors="coerce").fillna(0).to_numpy()
	groups = [set(g or ()) for g in customers["groups"]]
	territories = [set(t or ()) for t in customers["territories"]]

	for seq in enabled.itertuples(index=False):
		match = ~chosen
		if _set(seq.company):
			match &= company == seq.company
		if _set(seq.risk_band):
			match &= band == seq.risk_band
		if _set(seq.min_outstanding) and float(seq.min_outstanding) > 0:
			match &= outstanding >= float(seq.min_outstanding)
		if _set(seq.customer_group):
			match &= np.array([seq.customer_group in g for g in groups], dtype=bool)
		if _set(seq.territory):
			match &= np.array([seq.territory in t for t in territories], dtype=bool)
		result.iloc[np.flatnonzero(match)] = seq.sequence
		chosen |= match

	own = customers["own_sequence"].fillna("").astype(str).to_numpy()
	own_ok = np.isin(own, enabled["sequence"].to_numpy()) & (own != "")
	result.iloc[np.flatnonzero(own_ok)] = own[own_ok]
	return result


def _set(value) -> bool:
	return value is not None and not (isinstance(value, float) and np.isnan(value)) and value != ""


def collection_states(
	invoices: pd.DataFrame,
	today: dt.date,
	disputed: Iterable[str] = (),
	promised: Iterable[str] = (),
	escalated: Iterable[str] = (),
	reminded: Iterable[str] = (),
	written_off: Iterable[str] = (),
) -> pd.Series:
	"""Each invoice's collection state (index: invoice), first rule that applies:

	Paid (nothing outstanding; Written Off if it was closed by a write-off), Disputed (open dispute),
	Promised (open promise not yet broken), Escalated (escalated or customer on hold), Not Due (due date
	not passed and no reminder yet), else Reminding.

	``invoices``: invoice, due_date, outstanding.
	"""
	_require(invoices, ("invoice", "due_date", "outstanding"), "invoices")
	inv = invoices["invoice"]
	due = pd.to_datetime(invoices["due_date"]).dt.normalize()
	today_ts = pd.Timestamp(today).normalize()
	settled = pd.to_numeric(invoices["outstanding"], errors="coerce").fillna(0).abs() < 0.005
	conditions = [
		(settled & inv.isin(set(written_off))).to_numpy(),
		settled.to_numpy(),
		inv.isin(set(disputed)).to_numpy(),
		inv.isin(set(promised)).to_numpy(),
		inv.isin(set(escalated)).to_numpy(),
		((due >= today_ts) & ~inv.isin(set(reminded))).to_numpy(),
	]
	choices = [WRITTEN_OFF, PAID, DISPUTED, PROMISED, ESCALATED, NOT_DUE]
	states = np.select(conditions, choices, default=REMINDING)
	return pd.Series(states, index=pd.Index(inv, name="invoice"), name="collection_state")
