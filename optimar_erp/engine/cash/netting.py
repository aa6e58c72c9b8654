"""AR/AP netting: set off what a business partner owes us against what we owe it.

When a customer is also a supplier, the smaller of the two open balances can be settled by a netting
entry (ERPNext: a Journal Entry against both parties) instead of two bank transfers. :func:`suggest_netting`
is pure: the Frappe layer passes the open sales and purchase invoices and the customer↔supplier mapping,
and shows what comes back for approval.

Inputs
------
``receivables`` — open sales invoices: ``customer``, ``invoice``, ``due_date``, ``outstanding`` (required);
``posting_date`` (tie-break), ``company`` and ``currency`` (default ""). ``payables`` — open purchase
invoices: ``supplier``, ``invoice``, ``due_date``, ``outstanding`` (required), and the same optional
columns. ``parties`` — ``customer``, ``supplier``: the pairs that are the same business partner. A
customer or supplier may appear in one pair only (otherwise it is ambiguous which balance to net);
documents of unmapped parties are ignored, as are rows with ``outstanding`` below 0.005. A missing
column, an unreadable cell or a party mapped twice raises :class:`ValueError` naming it.

Rules
-----
1. Balances are compared per pair, company and currency (never across companies or currencies).
   With ``as_of``, only documents due on or before it count (net what is due, leave the rest).
2. The netting amount is ``min(receivable, payable)``; pairs whose amount is below ``min_amount`` are
   not suggested.
3. On each side the amount is allocated to the documents oldest first (due date, then posting date,
   then invoice id): each document takes what is left, up to its outstanding.

Output
------
:class:`NettingSuggestion` with two tables:

- ``pairs`` (:data:`PAIR_COLUMNS`): ``customer``, ``supplier``, ``company``, ``currency``,
  ``receivable``, ``payable`` (open totals counted), ``net_amount``, ``receivable_after``,
  ``payable_after``, ``documents`` (number of documents touched); largest ``net_amount`` first;
- ``allocations`` (:data:`ALLOCATION_COLUMNS`): one row per document touched: ``customer``,
  ``supplier``, ``company``, ``currency``, ``side`` (``receivable``/``payable``), ``invoice``,
  ``due_date`` (midnight ``datetime64``), ``outstanding``, ``allocated`` (> 0), ``remaining``.
  The allocations of each side of a pair add up to its ``net_amount``.

Pure pandas/numpy: nothing here imports frappe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimar_erp.engine.tables import dates, floats, name_list, table, text

PAIR_COLUMNS: tuple[str, ...] = (
	"customer",
	"supplier",
	"company",
	"currency",
	"receivable",
	"payable",
	"net_amount",
	"receivable_after",
	"payable_after",
	"documents",
)
ALLOCATION_COLUMNS: tuple[str, ...] = (
	"customer",
	"supplier",
	"company",
	"currency",
	"side",
	"invoice",
	"due_date",
	"outstanding",
	"allocated",
	"remaining",
)
_OPTIONAL: dict[str, object] = {"posting_date": None, "company": "", "currency": ""}
_KEYS = ["customer", "supplier", "company", "currency"]


@dataclass(frozen=True)
class NettingSuggestion:
	"""What :func:`suggest_netting` returns: the pairs to net and the documents each side settles."""

	pairs: pd.DataFrame
	allocations: pd.DataFrame


def _side(df: pd.DataFrame | None, name: str, party: str, as_of: dt.date | None) -> pd.DataFrame:
	"""One side's open documents, checked and cleaned: party, invoice, company, currency, due, post,
	outstanding (rows below 0.005, or due after ``as_of``, dropped)."""
	out = table(df, name, (party, "invoice", "due_date", "outstanding"), _OPTIONAL, may_be_empty=True)
	for col in (party, "invoice", "company", "currency"):
		out[col] = text(out[col])
	out["outstanding"] = floats(out["outstanding"], f"{name}.outstanding")
	if len(out):
		out["due"] = dates(out["due_date"], f"{name}.due_date", required=True)
		posted = dates(out["posting_date"], f"{name}.posting_date")
		out["post"] = np.where(np.isnat(posted), out["due"].to_numpy(), posted)
	else:
		out["due"] = out["post"] = np.array([], "datetime64[D]")
	keep = out["outstanding"] >= 0.005
	if as_of is not None:
		keep &= out["due"] <= np.datetime64(as_of, "D")
	return out.loc[keep, [party, "invoice", "company", "currency", "due", "post", "outstanding"]]


def _allocate(docs: pd.DataFrame, net: pd.Series, side: str) -> pd.DataFrame:
	"""Allocate each group's ``net`` to its documents oldest first (vectorised with cumulative sums)."""
	docs = docs.sort_values([*_KEYS, "due", "post", "invoice"], kind="stable")
	amount = docs.set_index(_KEYS).index.map(net).to_numpy(dtype=float)
	before = (
		docs.groupby(_KEYS, sort=False)["outstanding"].cumsum().to_numpy() - docs["outstanding"].to_numpy()
	)
	allocated = np.clip(amount - before, 0.0, docs["outstanding"].to_numpy()).round(2)
	out = docs.assign(side=side, allocated=allocated, remaining=(docs["outstanding"] - allocated).round(2))
	out = out[out["allocated"] >= 0.005]
	return out.rename(columns={"due": "due_date"})


def suggest_netting(
	receivables: pd.DataFrame | None,
	payables: pd.DataFrame | None,
	parties: pd.DataFrame | None,
	*,
	as_of: dt.date | None = None,
	min_amount: float = 0.01,
) -> NettingSuggestion:
	"""Suggest, per customer↔supplier pair (and company, currency), how much to net and which documents
	it settles: ``min(receivable, payable)``, allocated oldest first on each side (see the module
	docstring). Deterministic; reads no clock."""
	if isinstance(as_of, dt.datetime):
		as_of = as_of.date()
	pairs = table(parties, "parties", ("customer", "supplier"), may_be_empty=True)
	pairs = pairs.assign(customer=text(pairs["customer"]), supplier=text(pairs["supplier"]))
	pairs = pairs[(pairs["customer"] != "") & (pairs["supplier"] != "")].drop_duplicates(
		["customer", "supplier"]
	)
	for col in ("customer", "supplier"):
		twice = pairs[col][pairs[col].duplicated()]
		if len(twice):
			raise ValueError(f"parties: {col}(s) mapped more than once: {name_list(twice)}")
	ar = _side(receivables, "receivables", "customer", as_of).merge(pairs, on="customer")
	ap = _side(payables, "payables", "supplier", as_of).merge(pairs, on="supplier")
	rec_total = ar.groupby(_KEYS)["outstanding"].sum().rename("receivable")
	pay_total = ap.groupby(_KEYS)["outstanding"].sum().rename("payable")
	both = pd.concat([rec_total, pay_total], axis=1, join="inner")
	both["net_amount"] = np.minimum(both["receivable"], both["payable"]).round(2)
	both = both[both["net_amount"] >= max(min_amount, 0.005)]
	net = both["net_amount"]
	alloc = pd.concat([_allocate(ar, net, "receivable"), _allocate(ap, net, "payable")], ignore_index=True)
	alloc["due_date"] = pd.to_datetime(alloc["due_date"]).astype("datetime64[ns]")
	alloc = alloc.sort_values([*_KEYS, "side", "due_date", "invoice"], kind="stable").reset_index(drop=True)
	both["receivable_after"] = (both["receivable"] - both["net_amount"]).round(2)
	both["payable_after"] = (both["payable"] - both["net_amount"]).round(2)
	both["documents"] = alloc.groupby(_KEYS).size().reindex(both.index, fill_value=0).astype("int64")
	both = both.reset_index().sort_values(["net_amount", *_KEYS], ascending=[False, True, True, True, True])
	both[["receivable", "payable"]] = both[["receivable", "payable"]].round(2)
	return NettingSuggestion(
		pairs=both.reset_index(drop=True)[list(PAIR_COLUMNS)],
		allocations=alloc[list(ALLOCATION_COLUMNS)],
	)
