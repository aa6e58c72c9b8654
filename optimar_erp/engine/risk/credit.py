"""Credit advice: a recommended credit limit per customer from its billing, its payment speed and its risk.

The reasoning, for each customer with at least ``min_invoices`` invoices posted in the last ``months``
months before ``as_of``:

1. **Monthly billing** = what was invoiced in the window ÷ the window's length in months (or ÷ the months
   since the customer's first invoice, when that is shorter).
2. **Days to pay** = the amount-weighted mean number of days from posting to settlement of those invoices;
   an invoice still open counts with the larger of its age so far and the model's predicted days to settle
   (``predicted_days`` when given), so a customer that simply has not paid yet does not look fast.
3. **Usual exposure** = monthly billing × days to pay ÷ 30: what the customer normally owes at any time when
   it pays the way it does.
4. **Recommended limit** = usual exposure × the band factor (Low 1.25 — room to grow, Medium 1.0, High 0.75,
   Critical 0.5), rounded up to two significant figures.

Customers with too little history get ``status = "not_enough_history"`` and no figure. Nothing here changes
a limit: the shell shows the advice beside ERPNext's credit limit and a user decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimar_erp.engine.tables import dates, floats, table, text

BAND_FACTORS = {"Low": 1.25, "Medium": 1.0, "High": 0.75, "Critical": 0.5}
ADVICE_COLUMNS = [
	"customer",
	"status",
	"invoices",
	"monthly_billing",
	"days_to_pay",
	"usual_exposure",
	"band",
	"band_factor",
	"recommended_limit",
	"open_amount",
]


@dataclass(frozen=True)
class CreditConfig:
	"""Window, minimum history and band factors of :func:`credit_advice`."""

	months: int = 6
	min_invoices: int = 3
	band_factors: dict = field(default_factory=lambda: dict(BAND_FACTORS))

	def __post_init__(self):
		if self.months < 1:
			raise ValueError("months must be at least 1")
		if self.min_invoices < 1:
			raise ValueError("min_invoices must be at least 1")
		bad = [b for b, f in self.band_factors.items() if not isinstance(f, int | float) or f <= 0]
		if bad:
			raise ValueError(f"band factors must be positive numbers: {', '.join(bad)}")


def round_up(values: np.ndarray, significant: int = 2) -> np.ndarray:
	"""Each positive value rounded up to ``significant`` significant figures (16,437 → 17,000)."""
	v = np.asarray(values, dtype=float)
	out = np.zeros_like(v)
	pos = v > 0
	scale = 10.0 ** (np.floor(np.log10(v[pos])) - (significant - 1))
	out[pos] = np.ceil(np.round(v[pos] / scale, 9)) * scale
	return out


def credit_advice(
	invoices: pd.DataFrame,
	as_of: dt.date,
	bands: pd.DataFrame | None = None,
	config: CreditConfig = CreditConfig(),
) -> pd.DataFrame:
	"""Recommended credit limit per customer (see the module docstring for the reasoning).

	``invoices``: the engine's invoice table (customer, posting_date, grand_total, settled_date; optional
	outstanding, predicted_days). ``bands``: customer → band (optional; a customer without a band uses
	factor 1). Returns one row per customer: customer, status ("ok" or "not_enough_history"), invoices,
	monthly_billing, days_to_pay, usual_exposure, band, band_factor, recommended_limit, open_amount.
	"""
	inv = table(
		invoices,
		"invoices",
		("customer", "posting_date", "grand_total", "settled_date"),
		{"outstanding": 0.0, "predicted_days": np.nan},
	)
	end = np.datetime64(as_of, "D")
	start = np.datetime64((pd.Timestamp(as_of) - pd.DateOffset(months=config.months)).date(), "D")
	posted = dates(inv["posting_date"], "posting_date", required=True)
	settled = dates(inv["settled_date"], "settled_date")
	settled = np.where(settled <= end, settled, np.datetime64("NaT"))
	amount = floats(inv["grand_total"], "grand_total")
	outstanding = floats(inv["outstanding"], "outstanding", 0.0)
	predicted = pd.to_numeric(inv["predicted_days"], errors="coerce").to_numpy(dtype=float)
	customer = text(inv["customer"])

	first = pd.Series(posted, index=inv.index).groupby(customer).transform("min").to_numpy()
	in_window = (posted > start) & (posted <= end)
	age = (end - posted).astype(int).astype(float)
	unsettled = np.isnat(settled)
	actual = np.where(unsettled, 0, (settled - posted).astype("timedelta64[D]").astype(np.int64)).astype(
		float
	)
	days = np.where(unsettled, np.fmax(age, np.nan_to_num(predicted, nan=0.0)), actual)
	frame = pd.DataFrame(
		{
			"customer": customer,
			"n": in_window.astype(int),
			"billed": np.where(in_window, amount, 0.0),
			"weighted_days": np.where(in_window, amount * days, 0.0),
			"open": np.where(posted <= end, outstanding, 0.0),
			"first": first,
		}
	)
	g = frame.groupby("customer", sort=True).agg(
		invoices=("n", "sum"),
		billed=("billed", "sum"),
		weighted_days=("weighted_days", "sum"),
		open_amount=("open", "sum"),
		first=("first", "min"),
	)
	months_known = np.clip(
		(end - g["first"].to_numpy().astype("datetime64[D]")).astype(int) / 30.4375, 1.0, config.months
	)
	monthly = g["billed"].to_numpy() / months_known
	days_to_pay = np.divide(
		g["weighted_days"].to_numpy(),
		g["billed"].to_numpy(),
		out=np.full(len(g), np.nan),
		where=g["billed"].to_numpy() > 0,
	)
	band_map = {}
	if bands is not None and len(bands):
		b = table(bands, "bands", ("customer", "band"))
		band_map = dict(zip(text(b["customer"]), text(b["band"]), strict=True))
	band = np.array([band_map.get(c, "") for c in g.index], dtype=object)
	factor = np.array([float(config.band_factors.get(x, 1.0)) for x in band])
	exposure = monthly * np.nan_to_num(days_to_pay) / 30.0
	ok = (g["invoices"].to_numpy() >= config.min_invoices) & (g["billed"].to_numpy() > 0)
	out = pd.DataFrame(
		{
			"customer": g.index,
			"status": np.where(ok, "ok", "not_enough_history"),
			"invoices": g["invoices"].to_numpy(dtype=int),
			"monthly_billing": np.round(monthly, 2),
			"days_to_pay": np.round(days_to_pay, 1),
			"usual_exposure": np.round(exposure, 2),
			"band": band,
			"band_factor": factor,
			"recommended_limit": np.where(ok, round_up(exposure * factor), np.nan),
			"open_amount": np.round(g["open_amount"].to_numpy(), 2),
		}
	)
	return out[ADVICE_COLUMNS].reset_index(drop=True)
