"""Cash application: receipts matched to open invoices, with confidence and reasons."""

import time

import pandas as pd
import pytest

from optimar_erp.benchmarks.engine_cash import run
from optimar_erp.engine.cash.application import SUGGESTION_COLUMNS, match_receipts

INVOICES = pd.DataFrame(
	[
		("ACC-SINV-2026-00012", "C1", "2026-10-01", "2026-10-31", 45000.0, "4500012345"),
		("ACC-SINV-2026-00013", "C1", "2026-10-05", "2026-11-04", 12500.0, ""),
		("ACC-SINV-2026-00014", "C1", "2026-10-09", "2026-11-08", 7500.0, ""),
		("ACC-SINV-2026-00015", "C2", "2026-10-09", "2026-11-08", 20000.0, ""),
		("ACC-SINV-2026-00016", "C1", "2026-10-20", "2026-11-19", 3000.0, ""),
		("ACC-SINV-2026-00017", "C3", "2026-10-20", "2026-11-19", 12500.0, ""),
		("ACC-SINV-2026-00018", "C4", "2026-10-20", "2026-11-19", 5000.0, ""),
		("ACC-SINV-2026-00019", "C4", "2026-10-25", "2026-11-24", 5000.0, ""),
		("ACC-SINV-2026-00020", "C1", "2026-09-01", "2026-10-01", 0.0, ""),  # paid: not open
	],
	columns=["invoice", "customer", "posting_date", "due_date", "outstanding", "po_no"],
)


def receipts(*rows):
	return pd.DataFrame(
		[(f"R{i}", *row) for i, row in enumerate(rows, start=1)],
		columns=["receipt", "customer", "amount", "date", "remarks"],
	)


def top(out, receipt="R1"):
	return out[(out["receipt"] == receipt) & (out["rank"] == 1)].iloc[0]


def test_exact_single_invoice_amount():
	out = match_receipts(receipts(("C1", 7500, "2026-11-10", "NEFT CR")), INVOICES)
	assert list(out.columns) == list(SUGGESTION_COLUMNS)
	best = top(out)
	assert best["invoices"] == ("ACC-SINV-2026-00014",) and best["allocations"] == (7500.0,)
	assert best["method"] == "exact_amount" and best["unallocated"] == 0
	assert best["confidence"] >= 0.9 and best["auto_allocate"]
	assert "same customer" in best["reasons"]


def test_combination_of_invoices_of_the_customer():
	out = match_receipts(
		receipts(("C1", 20000, "2026-11-10", "payment"), ("C1", 23000, "2026-11-10", "")), INVOICES
	)
	two, three = top(out, "R1"), top(out, "R2")
	assert two["method"] == "combination" and set(two["invoices"]) == {
		"ACC-SINV-2026-00013",
		"ACC-SINV-2026-00014",
	}
	assert sum(two["allocations"]) == 20000 and two["unallocated"] == 0
	assert three["method"] == "combination" and len(three["invoices"]) == 3
	assert set(three["invoices"]) == {"ACC-SINV-2026-00013", "ACC-SINV-2026-00014", "ACC-SINV-2026-00016"}
	assert not two["auto_allocate"] and not three["auto_allocate"]  # a combination is for a person to confirm
	assert two["confidence"] > three["confidence"]


def test_combination_of_four_only_when_allowed():
	rows = receipts(("C1", 68000, "2026-11-10", ""))  # 45000 + 12500 + 7500 + 3000
	assert top(match_receipts(rows, INVOICES))["method"] == "oldest_first"
	best = top(match_receipts(rows, INVOICES, max_combination=4))
	assert best["method"] == "combination" and len(best["invoices"]) == 4


@pytest.mark.parametrize(
	"remarks",
	[
		"NEFT/HDFC/ACC-SINV-2026-00012/ACME",
		"payment for SINV 2026 12",
		"inv sinv-2026-0012",
		"SINV202600012",
		"against 2026/00012",
		"PO 4500012345",
	],
)
def test_reference_in_remarks_is_matched_fuzzily(remarks):
	out = match_receipts(receipts(("", 45000, "2026-11-02", remarks)), INVOICES)
	best = top(out)
	assert best["invoices"] == ("ACC-SINV-2026-00012",) and best["method"] == "reference"
	assert best["auto_allocate"] and best["confidence"] >= 0.9
	assert "remarks quote ACC-SINV-2026-00012" in best["reasons"]


def test_reference_typo_resolved_within_the_customer():
	# "00041" is one swap away from "00014"; only C1's invoices are considered
	out = match_receipts(receipts(("C1", 7000, "2026-11-10", "part payment inv 2026-041")), INVOICES)
	best = top(out)
	assert best["invoices"] == ("ACC-SINV-2026-00014",) and best["allocations"] == (7000.0,)
	assert "resemble" in best["reasons"] and "part payment" in best["reasons"] and not best["auto_allocate"]


def test_part_payment_and_overpayment_with_reference():
	out = match_receipts(
		receipts(
			("C1", 10000, "2026-11-10", "ACC-SINV-2026-00012"),
			("C1", 46000, "2026-11-10", "ACC-SINV-2026-00012"),
		),
		INVOICES,
	)
	part, over = top(out, "R1"), top(out, "R2")
	assert part["invoices"] == ("ACC-SINV-2026-00012",) and part["allocations"] == (10000.0,)
	assert "part payment" in part["reasons"] and not part["auto_allocate"]
	assert (
		over["allocations"] == (45000.0,) and over["unallocated"] == 1000 and "unallocated" in over["reasons"]
	)


def test_several_quoted_invoices_paid_together():
	out = match_receipts(receipts(("", 20000, "2026-11-10", "inv SINV-2026-13 & SINV-2026-14")), INVOICES)
	best = top(out)
	assert set(best["invoices"]) == {"ACC-SINV-2026-00013", "ACC-SINV-2026-00014"} and best["auto_allocate"]


def test_no_match():
	out = match_receipts(receipts(("", 555.55, "2026-11-10", "misc")), INVOICES)
	assert len(out) == 1
	best = top(out)
	assert best["method"] == "no_match" and best["invoices"] == () and best["confidence"] == 0
	assert best["unallocated"] == 555.55 and not best["auto_allocate"]


def test_wrong_customer_is_penalised():
	# C2 has no 12,500 invoice: the two that exist belong to C1 and C3
	out = match_receipts(receipts(("C2", 12500, "2026-11-10", "")), INVOICES)
	others = out[out["method"] == "exact_amount"]
	assert len(others) == 2 and (others["confidence"] < 0.3).all()
	assert others["reasons"].str.contains("belongs to").all() and not out["auto_allocate"].any()
	# the same amount for the right customer is confident
	assert top(match_receipts(receipts(("C3", 12500, "2026-11-10", "")), INVOICES))["confidence"] >= 0.9
	# a quoted invoice of another customer loses confidence and is not auto-allocated
	quoted = top(match_receipts(receipts(("C1", 20000, "2026-11-10", "ACC-SINV-2026-00015")), INVOICES))
	assert quoted["invoices"] == ("ACC-SINV-2026-00015",) and quoted["confidence"] < 0.8
	assert "belongs to C2" in quoted["reasons"] and not quoted["auto_allocate"]


def test_ties_are_not_auto_allocated():
	out = match_receipts(receipts(("C4", 5000, "2026-11-10", "")), INVOICES)
	assert len(out) == 2 and not out["auto_allocate"].any()
	assert out["confidence"].max() <= 0.5 and out["reasons"].str.contains("one of 2").all()
	blank = match_receipts(receipts(("", 5000, "2026-11-10", "")), INVOICES)
	assert not blank["auto_allocate"].any() and blank["reasons"].str.contains("no customer").all()


def test_one_invoice_is_not_auto_allocated_to_two_receipts():
	out = match_receipts(
		receipts(("C1", 7500, "2026-11-10", ""), ("C1", 7500, "2026-11-11", "INV 2026-14")), INVOICES
	)
	assert not out["auto_allocate"].any()
	assert top(out, "R1")["reasons"].endswith("also the best match of receipt(s) R2")


def test_currency_must_agree():
	inv = INVOICES.assign(currency=["INR"] * 8 + ["INR"])
	rec = receipts(("C1", 7500, "2026-11-10", "")).assign(currency="USD")
	assert top(match_receipts(rec, inv))["method"] == "no_match"


def test_input_errors():
	rec = receipts(("C1", 100, "2026-11-10", ""))
	with pytest.raises(ValueError, match="missing required column.*outstanding"):
		match_receipts(rec, INVOICES.drop(columns="outstanding"))
	with pytest.raises(ValueError, match="duplicate receipt"):
		match_receipts(pd.concat([rec, rec]), INVOICES)
	with pytest.raises(ValueError, match="amount must be > 0"):
		match_receipts(receipts(("C1", 0, "2026-11-10", "")), INVOICES)
	with pytest.raises(ValueError, match=r"receipts.amount must be numbers \(row\(s\) 0\)"):
		match_receipts(receipts(("C1", "lots", "2026-11-10", "")), INVOICES)
	with pytest.raises(ValueError, match="max_combination"):
		match_receipts(rec, INVOICES, max_combination=5)
	assert match_receipts(rec.iloc[:0], INVOICES).empty
	assert top(match_receipts(rec, INVOICES.iloc[:0]))["method"] == "no_match"


def test_bench_small_scale():
	start = time.perf_counter()
	figures = run(n_receipts=600, n_invoices=6000, seed=3)
	assert time.perf_counter() - start < 20
	assert figures["receipts"] == 600
	assert figures["by_kind"]["reference"]["top1_accuracy"] >= 0.9
	assert figures["by_kind"]["combination"]["top1_accuracy"] >= 0.8
	assert figures["by_kind"]["unmatched"]["no_match_or_low_confidence"] >= 0.95
	assert figures["auto_precision"] >= 0.98
