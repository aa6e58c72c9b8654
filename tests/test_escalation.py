"""Behaviour-driven escalation: each default rule, any/all, never downwards, holds and reasons."""

import pandas as pd
import pytest

from optimar_erp.engine.escalation import (
	ACTIONS,
	DEFAULT_RULES,
	LEVELS,
	RESULT_COLUMNS,
	EscalationRule,
	decide_escalations,
)

CALL, REVIEW, APPROVAL, HOLD = LEVELS


def customer(
	name: str = "C1",
	days: int = 0,
	amount: float = 0.0,
	broken: int = 0,
	band: str = "Low",
	level: str = "",
	on_hold: bool = False,
) -> dict:
	return {
		"customer": name,
		"max_days_overdue": days,
		"overdue_amount": amount,
		"broken_promises": broken,
		"risk_band": band,
		"current_level": level,
		"on_hold": on_hold,
	}


def decide(*rows: dict, rules=DEFAULT_RULES) -> pd.DataFrame:
	return decide_escalations(pd.DataFrame(list(rows)), rules)


def one(*rows: dict, rules=DEFAULT_RULES) -> dict | None:
	"""The single escalation, or None when there is none."""
	out = decide(*rows, rules=rules)
	assert len(out) <= 1
	return out.iloc[0].to_dict() if len(out) else None


# ------------------------------------------------------------------------------------ default rules


def test_nothing_below_every_threshold():
	assert one(customer(days=14, amount=50_000, band="Medium")) is None


def test_collector_call_on_days_overdue():
	r = one(customer(days=15, amount=200.0))
	assert (r["from_level"], r["to_level"], r["action"]) == ("", CALL, "call_task")
	assert r["triggers"] == ("days_overdue",)
	assert r["reason"] == "15 days overdue"


def test_collector_call_on_one_broken_promise():
	r = one(customer(days=3, broken=1))
	assert r["to_level"] == CALL
	assert r["triggers"] == ("broken_promises",)
	assert r["reason"] == "1 broken promise"


def test_account_manager_review_on_days_or_broken_promises():
	assert one(customer(days=30))["to_level"] == REVIEW
	r = one(customer(days=2, broken=2))
	assert (r["to_level"], r["action"], r["reason"]) == (REVIEW, "review_task", "2 broken promises")


@pytest.mark.parametrize("band", ["High", "Critical"])
def test_account_manager_review_on_amount_in_a_risky_band(band):
	r = one(customer(days=5, amount=10_000.0, band=band))
	assert r["to_level"] == REVIEW
	assert r["triggers"] == ("amount_risk",)
	assert r["reason"] == f"overdue amount 10,000.00 (risk band {band})"


@pytest.mark.parametrize("band, amount", [("Medium", 50_000.0), ("", 50_000.0), ("High", 9_999.99)])
def test_amount_risk_needs_both_band_and_amount(band, amount):
	assert one(customer(days=5, amount=amount, band=band)) is None


def test_collections_manager_approval_on_days_or_broken_promises():
	r = one(customer(days=45, amount=999.0))  # 45 days but under 1,000: not a hold
	assert (r["to_level"], r["action"]) == (APPROVAL, "approval_request")
	assert one(customer(broken=3))["to_level"] == APPROVAL


def test_hold_needs_days_and_amount_together():
	r = one(customer(days=60, amount=1_000.0))
	assert (r["to_level"], r["action"]) == (HOLD, "hold")
	assert r["triggers"] == ("days_overdue", "amount_risk")
	assert r["reason"] == "60 days overdue, overdue amount 1,000.00"
	assert one(customer(days=60, amount=999.99))["to_level"] == APPROVAL
	assert one(customer(days=59, amount=1_000_000.0))["to_level"] == APPROVAL


def test_hold_on_four_broken_promises_second_rule_for_the_level():
	r = one(customer(days=1, amount=10.0, broken=4))
	assert r["to_level"] == HOLD
	assert r["triggers"] == ("broken_promises",)


def test_both_hold_rules_firing_report_every_trigger():
	r = one(customer(days=75, amount=2_500.5, broken=5))
	assert r["triggers"] == ("days_overdue", "broken_promises", "amount_risk")
	assert r["reason"] == "75 days overdue, 5 broken promises, overdue amount 2,500.50"


def test_reason_names_only_the_target_levels_triggers():
	"""62 days and 3 broken promises but only 500 overdue: Approval (45+ days, 3+ broken), not Hold."""
	r = one(customer(days=62, amount=500.0, broken=3))
	assert r["to_level"] == APPROVAL
	assert r["reason"] == "62 days overdue, 3 broken promises"
	assert r["triggers"] == ("days_overdue", "broken_promises")


def test_singular_day():
	rules = (EscalationRule(CALL, min_days_overdue=1),)
	assert one(customer(days=1), rules=rules)["reason"] == "1 day overdue"


# -------------------------------------------------------------------------------------- any / all


def test_match_any_fires_on_one_trigger_all_needs_every_one():
	any_rule = (EscalationRule(REVIEW, min_days_overdue=20, min_overdue_amount=5_000.0),)
	all_rule = (EscalationRule(REVIEW, min_days_overdue=20, min_overdue_amount=5_000.0, match="all"),)
	only_days = customer(days=25, amount=100.0)
	both = customer(days=25, amount=6_000.0)
	assert one(only_days, rules=any_rule)["triggers"] == ("days_overdue",)
	assert one(only_days, rules=all_rule) is None
	assert one(both, rules=any_rule)["triggers"] == ("days_overdue", "amount_risk")
	assert one(both, rules=all_rule)["triggers"] == ("days_overdue", "amount_risk")


def test_risk_bands_restrict_an_any_rule():
	rules = (EscalationRule(CALL, min_days_overdue=5, min_broken_promises=1, risk_bands={"High"}),)
	assert one(customer(days=10, band="High"), rules=rules)["reason"] == "10 days overdue"
	assert one(customer(days=10, broken=2, band="Low"), rules=rules) is None


# ---------------------------------------------------------------------------------- levels / holds


def test_never_goes_down_or_sideways():
	assert one(customer(days=20, level=REVIEW)) is None  # target Call, already at Review
	assert one(customer(days=35, level=REVIEW)) is None  # target Review, already there
	r = one(customer(days=50, level=REVIEW))
	assert (r["from_level"], r["to_level"]) == (REVIEW, APPROVAL)


def test_skips_levels_straight_to_hold():
	r = one(customer(days=90, amount=25_000.0, broken=6, band="Critical"))
	assert (r["from_level"], r["to_level"], r["action"]) == ("", HOLD, "hold")


def test_customer_on_hold_gets_nothing():
	assert one(customer(days=90, amount=25_000.0, on_hold=True)) is None
	# on hold counts as being at Collections Hold, whatever current_level says
	assert one(customer(days=50, level=CALL, on_hold=True)) is None


def test_several_customers_in_input_order():
	out = decide(
		customer("B", days=70, amount=5_000.0),
		customer("A", days=1),
		customer("C", days=16, level=""),
		customer("D", broken=2, level=CALL),
	)
	assert tuple(out.columns) == RESULT_COLUMNS
	assert list(out["customer"]) == ["B", "C", "D"]
	assert list(out["to_level"]) == [HOLD, CALL, REVIEW]
	assert list(out["action"]) == [ACTIONS[HOLD], ACTIONS[CALL], ACTIONS[REVIEW]]


def test_optional_columns_default():
	frame = pd.DataFrame(
		{"customer": ["C1"], "max_days_overdue": [16], "overdue_amount": [10.0], "broken_promises": [0]}
	)
	out = decide_escalations(frame)
	assert list(out["to_level"]) == [CALL]
	assert list(out["from_level"]) == [""]


def test_blank_cells_are_empty_or_zero():
	out = decide(customer(days=16, band=None, level=None, on_hold=None) | {"broken_promises": None})
	assert list(out["to_level"]) == [CALL]


def test_no_rules_no_escalations():
	assert len(decide(customer(days=200, broken=9), rules=())) == 0


# ----------------------------------------------------------------------------------- empty / errors


@pytest.mark.parametrize("empty", [None, pd.DataFrame()])
def test_empty_input_gives_an_empty_table(empty):
	out = decide_escalations(empty)
	assert tuple(out.columns) == RESULT_COLUMNS and len(out) == 0


def test_nobody_to_escalate_gives_an_empty_table():
	out = decide(customer(days=1))
	assert tuple(out.columns) == RESULT_COLUMNS and len(out) == 0


def test_rule_with_bad_level():
	with pytest.raises(ValueError, match="Credit Hold"):
		EscalationRule("Credit Hold", min_days_overdue=10)


@pytest.mark.parametrize(
	"kwargs",
	[
		{"match": "some"},
		{},  # no trigger set
		{"min_days_overdue": "ten"},
		{"min_broken_promises": 0},
		{"min_overdue_amount": -1.0},
	],
)
def test_rule_with_bad_settings(kwargs):
	with pytest.raises(ValueError):
		EscalationRule(CALL, **kwargs)


def test_rule_is_frozen_and_bands_become_a_frozenset():
	rule = EscalationRule(REVIEW, min_overdue_amount=1.0, risk_bands=["High"])
	assert rule.risk_bands == frozenset({"High"})
	assert EscalationRule(REVIEW, min_overdue_amount=1.0, risk_bands="High").risk_bands == {"High"}
	with pytest.raises(AttributeError):
		rule.level = CALL


def test_bad_current_level():
	with pytest.raises(ValueError, match="C1.*Legal"):
		decide(customer(level="Legal"))


def test_missing_column_is_named():
	frame = pd.DataFrame([customer()]).drop(columns=["broken_promises"])
	with pytest.raises(ValueError, match="broken_promises"):
		decide_escalations(frame)


def test_duplicate_customer():
	with pytest.raises(ValueError, match="duplicate"):
		decide(customer("C1"), customer("C1"))


def test_non_numeric_figures():
	with pytest.raises(ValueError, match="max_days_overdue"):
		decide(customer(days="many"))


def test_rules_must_be_rule_objects():
	with pytest.raises(ValueError, match="EscalationRule"):
		decide(customer(), rules=({"level": CALL},))
