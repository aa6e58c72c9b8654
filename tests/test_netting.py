"""AR/AP netting suggestions."""

import datetime as dt

import pandas as pd
import pytest

from optimar_erp.engine.cash.netting import ALLOCATION_COLUMNS, PAIR_COLUMNS, suggest_netting

AR = pd.DataFrame(
	[
		("C1", "SI-1", "2026-01-10", 100.0),
		("C1", "SI-2", "2026-02-10", 300.0),
		("C2", "SI-3", "2026-01-01", 50.0),
		("C9", "SI-9", "2026-01-01", 50.0),  # not mapped to a supplier
	],
	columns=["customer", "invoice", "due_date", "outstanding"],
)
AP = pd.DataFrame(
	[
		("S1", "PI-1", "2026-01-20", 250.0),
		("S1", "PI-2", "2026-03-01", 30.0),
		("S2", "PI-3", "2026-01-05", 80.0),
	],
	columns=["supplier", "invoice", "due_date", "outstanding"],
)
PARTIES = pd.DataFrame([("C1", "S1"), ("C2", "S2")], columns=["customer", "supplier"])


def test_net_is_the_smaller_balance_allocated_oldest_first():
	result = suggest_netting(AR, AP, PARTIES)
	pairs = result.pairs.set_index("customer")
	assert list(result.pairs.columns) == list(PAIR_COLUMNS)
	assert list(result.allocations.columns) == list(ALLOCATION_COLUMNS)
	assert pairs.loc["C1", ["receivable", "payable", "net_amount"]].tolist() == [400.0, 280.0, 280.0]
	assert pairs.loc["C1", ["receivable_after", "payable_after"]].tolist() == [120.0, 0.0]
	assert pairs.loc["C2", ["receivable", "payable", "net_amount", "payable_after"]].tolist() == [
		50.0,
		80.0,
		50.0,
		30.0,
	]
	assert list(result.pairs["customer"]) == ["C1", "C2"]  # largest net first
	alloc = result.allocations.set_index("invoice")
	assert alloc.loc["SI-1", "allocated"] == 100 and alloc.loc["SI-2", "allocated"] == 180
	assert alloc.loc["SI-2", "remaining"] == 120
	assert alloc.loc["PI-1", "allocated"] == 250 and alloc.loc["PI-2", "allocated"] == 30
	assert alloc.loc["PI-3", ["allocated", "remaining"]].tolist() == [50.0, 30.0]
	assert "SI-9" not in alloc.index
	sums = result.allocations.groupby(["customer", "side"])["allocated"].sum()
	assert sums[("C1", "receivable")] == sums[("C1", "payable")] == 280
	assert pairs.loc["C1", "documents"] == 4


def test_as_of_counts_only_documents_due():
	result = suggest_netting(AR, AP, PARTIES, as_of=dt.date(2026, 1, 31))
	pairs = result.pairs.set_index("customer")
	assert pairs.loc["C1", ["receivable", "payable", "net_amount"]].tolist() == [100.0, 250.0, 100.0]
	assert set(result.allocations["invoice"]) == {"SI-1", "PI-1", "SI-3", "PI-3"}


def test_companies_and_currencies_are_never_mixed():
	ar = AR.assign(currency=["INR", "USD", "INR", "INR"])
	ap = AP.assign(currency=["INR", "INR", "INR"])
	pairs = suggest_netting(ar, ap, PARTIES).pairs
	c1 = pairs[pairs["customer"] == "C1"]
	assert c1[["currency", "net_amount"]].values.tolist() == [["INR", 100.0]]
	ap_other_company = AP.assign(company=["B", "B", "A"])
	ar_company = AR.assign(company="A")
	pairs = suggest_netting(ar_company, ap_other_company, PARTIES).pairs
	assert list(pairs["customer"]) == ["C2"]


def test_ties_in_due_date_break_on_posting_date():
	ar = pd.DataFrame(
		[
			("C1", "SI-B", "2026-01-10", "2025-12-01", 100.0),
			("C1", "SI-A", "2026-01-10", "2025-12-05", 100.0),
		],
		columns=["customer", "invoice", "due_date", "posting_date", "outstanding"],
	)
	ap = pd.DataFrame(
		[("S1", "PI-1", "2026-01-20", 150.0)], columns=["supplier", "invoice", "due_date", "outstanding"]
	)
	alloc = suggest_netting(ar, ap, PARTIES).allocations.set_index("invoice")
	assert alloc.loc["SI-B", "allocated"] == 100 and alloc.loc["SI-A", "allocated"] == 50


def test_nothing_to_net():
	assert suggest_netting(AR, AP.iloc[:0], PARTIES).pairs.empty
	assert suggest_netting(None, None, None).allocations.empty
	small = suggest_netting(AR, AP.assign(outstanding=0.004), PARTIES)
	assert small.pairs.empty and small.allocations.empty


def test_input_errors():
	with pytest.raises(ValueError, match="customer.*mapped more than once: C1"):
		suggest_netting(AR, AP, pd.DataFrame([("C1", "S1"), ("C1", "S2")], columns=["customer", "supplier"]))
	with pytest.raises(ValueError, match="payables table is missing required column.*supplier"):
		suggest_netting(AR, AP.rename(columns={"supplier": "party"}), PARTIES)
	with pytest.raises(ValueError, match="receivables.outstanding must be numbers"):
		suggest_netting(AR.assign(outstanding="x"), AP, PARTIES)
