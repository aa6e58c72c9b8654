import datetime as dt

import pandas as pd
import pytest

from optimar_erp.engine.sequences import (
	CUSTOMER_COLUMNS,
	SEQUENCE_COLUMNS,
	assign_sequences,
	collection_states,
)


def customers(*rows):
	return pd.DataFrame(rows, columns=list(CUSTOMER_COLUMNS))


def sequences(*rows):
	return pd.DataFrame(rows, columns=list(SEQUENCE_COLUMNS))


SEQS = sequences(
	("Standard B2B", 1, "", "", "", "", 0, 1),
	("Gentle", 1, "", "", "", "Low", 0, 5),
	("Big Accounts", 1, "ACME", "", "", "", 50_000, 10),
	("Government", 1, "", "Government", "", "", 0, 8),
	("India", 1, "", "", "India", "", 0, 3),
	("Old", 0, "", "", "", "", 0, 99),
)


def test_priority_and_rules():
	got = assign_sequences(
		customers(
			("low-risk", "ACME", ["Commercial", "All Customer Groups"], ["United States"], "Low", 100, ""),
			("big", "ACME", ["Commercial"], ["United States"], "Low", 60_000, ""),
			("big-other-co", "Other", ["Commercial"], ["United States"], "High", 60_000, ""),
			("gov", "ACME", ["Government", "All Customer Groups"], ["India"], "High", 10, ""),
			("indian", "ACME", ["Commercial"], ["Maharashtra", "India", "All Territories"], "High", 10, ""),
			("plain", "ACME", ["Commercial"], ["United States"], "", 10, ""),
		),
		SEQS,
	)
	assert got.to_dict() == {
		"low-risk": "Gentle",
		"big": "Big Accounts",
		"big-other-co": "Standard B2B",
		"gov": "Government",
		"indian": "India",
		"plain": "Standard B2B",
	}


def test_own_sequence_wins_unless_disabled():
	got = assign_sequences(
		customers(
			("a", "ACME", [], [], "Low", 0, "Government"),
			("b", "ACME", [], [], "Low", 0, "Old"),
		),
		SEQS,
	)
	assert got.to_dict() == {"a": "Government", "b": "Gentle"}


def test_default_when_nothing_matches():
	only_rules = sequences(("Gentle", 1, "", "", "", "Low", 0, 5))
	got = assign_sequences(customers(("x", "ACME", [], [], "High", 0, "")), only_rules, default="Fallback")
	assert got.to_dict() == {"x": "Fallback"}
	got = assign_sequences(customers(("x", "ACME", [], [], "High", 0, "")), only_rules)
	assert got.to_dict() == {"x": None}


def test_missing_columns_named():
	with pytest.raises(ValueError, match="territories"):
		assign_sequences(pd.DataFrame({"customer": ["a"]}), SEQS)


def test_collection_states():
	inv = pd.DataFrame(
		{
			"invoice": [
				"paid",
				"wo",
				"disp",
				"prom",
				"esc",
				"future",
				"future-reminded",
				"overdue",
				"due-today",
			],
			"due_date": ["2026-01-01"] * 5 + ["2026-02-01", "2026-02-01", "2026-01-10", "2026-01-15"],
			"outstanding": [0, 0, 10, 10, 10, 10, 10, 10, 10],
		}
	)
	got = collection_states(
		inv,
		dt.date(2026, 1, 15),
		disputed={"disp", "paid"},
		promised={"prom", "disp"},
		escalated={"esc"},
		reminded={"future-reminded"},
		written_off={"wo"},
	)
	assert got.to_dict() == {
		"paid": "Paid",
		"wo": "Written Off",
		"disp": "Disputed",
		"prom": "Promised",
		"esc": "Escalated",
		"future": "Not Due",
		"future-reminded": "Reminding",
		"overdue": "Reminding",
		"due-today": "Not Due",
	}
