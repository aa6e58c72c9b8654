"""Late-payment interest and fees: worked examples from each law's text, computed by hand (the arithmetic
is in the comments), then one rule each."""

import datetime as dt

import pytest

from optimar_erp.engine.interest import (
	COMPOUND,
	FIXED,
	PRESET_EU,
	PRESET_MSMED,
	PRESET_NONE,
	PRESET_UK,
	SIMPLE,
	FeeBand,
	InterestError,
	InterestPolicy,
	accrued,
	fee_for,
	interest_due,
	preset,
)

D = dt.date
ECB = [(D(2025, 7, 1), 2.15), (D(2026, 1, 1), 2.15), (D(2026, 7, 1), 2.40)]
"""ECB main refinancing rate on the first day of each half-year (the 2026-H2 figure is made up)."""
BOE = [(D(2026, 1, 1), 4.00)]
"""Bank of England base rate in force on 31 December 2025, for 1 January – 30 June 2026 (illustrative)."""
RBI = [(D(2025, 12, 1), 5.75)]
"""RBI Bank Rate (illustrative)."""


# ------------------------------------------------------------------------------- EU, 2011/7/EU


def test_eu_reference_rate_plus_eight_points_simple_and_forty_euros():
	# EUR 10,000 due 31 Jan 2026, still unpaid on 2 Mar 2026. Art. 3(3)(b)/art. 2(6): interest runs from
	# the day after the due date, 1 Feb … 2 Mar = 28 (Feb) + 2 = 30 days, at the reference rate of the
	# first half of 2026 (2.15 %) + 8 points = 10.15 %:
	#   10,000 × 10.15 % × 30 / 365 = 30,450 / 365 = 83.4246… → 83.42
	# Art. 6(1): a fixed EUR 40 per invoice.
	due = interest_due(preset(PRESET_EU), 10000, D(2026, 1, 31), D(2026, 3, 2), ECB)
	assert (due.interest, due.fee, due.days) == (83.42, 40.0, 30)
	assert due.period_from == D(2026, 2, 1) and due.period_to == D(2026, 3, 2)


def test_eu_a_new_half_year_rate_splits_the_period():
	# EUR 5,000 due 15 Jun 2026, unpaid on 15 Jul 2026: 16–30 June = 15 days at 2.15 + 8 = 10.15 %, and
	# 1–15 July = 15 days at the second half-year's 2.40 + 8 = 10.40 %:
	#   5,000 × (10.15 % × 15 + 10.40 % × 15) / 365 = 5,000 × (1.5225 + 1.56) / 100 / 365
	#   = 154.125 / 3.65 = 42.2260… → 42.23
	due = interest_due(preset(PRESET_EU), 5000, D(2026, 6, 15), D(2026, 7, 15), ECB)
	assert due.interest == 42.23
	assert [(s.start, s.end, s.rate, s.days) for s in due.segments] == [
		(D(2026, 6, 16), D(2026, 6, 30), 10.15, 15),
		(D(2026, 7, 1), D(2026, 7, 15), 10.40, 15),
	]


# ---------------------------------------------------------------------- UK, Late Payment Act 1998


def test_uk_base_plus_eight_simple_daily_and_the_seventy_pound_band():
	# GBP 5,000 due 1 Jan 2026, unpaid on 2 Mar 2026: 2–31 Jan 30 days + Feb 28 + 1–2 Mar 2 = 60 days at
	# base 4.00 % + 8 = 12 % (s.4 and the 2002 Rate Order), simple, daily = 5,000 × 12 % / 365 = 1.6438:
	#   5,000 × 0.12 × 60 / 365 = 36,000 / 365 = 98.6301… → 98.63
	# s.5A: a debt of GBP 1,000 or more but under GBP 10,000 → GBP 70.
	due = interest_due(preset(PRESET_UK), 5000, D(2026, 1, 1), D(2026, 3, 2), BOE)
	assert (due.interest, due.fee, due.days) == (98.63, 70.0, 60)


@pytest.mark.parametrize(
	("debt", "fee"),
	[(999.99, 40.0), (1000.0, 70.0), (9999.99, 70.0), (10000.0, 100.0), (250000.0, 100.0)],
)
def test_uk_fixed_sum_by_size_of_debt(debt, fee):
	# s.5A(2): under £1,000 → £40; £1,000 to under £10,000 → £70; £10,000 or more → £100
	assert fee_for(debt, preset(PRESET_UK).fee_bands) == fee


# ---------------------------------------------------------------------- India, MSMED Act s.16


def test_msmed_compound_with_monthly_rests_at_three_times_bank_rate():
	# INR 1,00,000 with appointed day 16 Jan 2026 (agreed date 15 Jan), unpaid on 15 Apr 2026.
	# s.16: 3 × bank rate 5.75 % = 17.25 %, compounded at monthly rests (each 16th):
	#   16 Jan–15 Feb, 31 days: 1,00,000.0000 × 17.25 % × 31/365 = 1,465.0685 → balance 1,01,465.0685
	#   16 Feb–15 Mar, 28 days: 1,01,465.0685 × 17.25 % × 28/365 = 1,342.6747 → balance 1,02,807.7432
	#   16 Mar–15 Apr, 31 days: 1,02,807.7432 × 17.25 % × 31/365 = 1,506.2038 → balance 1,04,313.9470
	#   interest = 4,313.9470 → 4,313.95 (simple would be 1,00,000 × 17.25 % × 90/365 = 4,253.42)
	# s.16 sets no fixed sum.
	due = interest_due(preset(PRESET_MSMED), 100000, D(2026, 1, 15), D(2026, 4, 15), RBI)
	assert (due.interest, due.fee, due.days) == (4313.95, 0.0, 90)
	simple = interest_due(preset(PRESET_MSMED, method=SIMPLE), 100000, D(2026, 1, 15), D(2026, 4, 15), RBI)
	assert simple.interest == 4253.42


def test_msmed_charging_in_two_goes_adds_up_to_charging_once():
	# charged through 15 Feb: 1,465.07; then 16 Feb–15 Apr: 4,313.9470 − 1,465.0685 = 2,848.8785 → 2,848.88
	policy = preset(PRESET_MSMED)
	first = interest_due(policy, 100000, D(2026, 1, 15), D(2026, 2, 15), RBI)
	second = interest_due(policy, 100000, D(2026, 1, 15), D(2026, 4, 15), RBI, charged_through=D(2026, 2, 15))
	assert (first.interest, second.interest) == (1465.07, 2848.88)
	assert second.period_from == D(2026, 2, 16) and second.days == 59


# ------------------------------------------------------------------------------- the rules


def test_none_preset_charges_nothing():
	due = interest_due(preset(PRESET_NONE), 10000, D(2026, 1, 1), D(2026, 6, 1))
	assert (due.interest, due.fee) == (0.0, 0.0)


def test_fixed_rate_ignores_the_reference_table():
	# 12,000 at a fixed 6 % for 73 days: 12,000 × 6 % × 73/365 = 144.00
	policy = InterestPolicy(rate_source=FIXED, fixed_rate=6.0)
	assert interest_due(policy, 12000, D(2026, 3, 1), D(2026, 5, 13), ECB).interest == 144.0


def test_grace_days_delay_the_start_of_interest_and_the_fee():
	policy = preset(PRESET_EU, grace_days=10)
	# due 31 Jan, 10 grace days: nothing through 10 Feb; on 11 Feb one day, 10,000 × 10.15 % / 365 = 2.78
	assert interest_due(policy, 10000, D(2026, 1, 31), D(2026, 2, 10), ECB).fee == 0.0
	due = interest_due(policy, 10000, D(2026, 1, 31), D(2026, 2, 11), ECB)
	assert (due.interest, due.fee, due.days) == (2.78, 40.0, 1)


def test_interest_below_the_minimum_is_not_charged_but_the_fee_is():
	# 1,000 × 10.15 % × 10/365 = 2.78 < minimum 5
	due = interest_due(preset(PRESET_EU, minimum_interest=5), 1000, D(2026, 1, 31), D(2026, 2, 10), ECB)
	assert (due.interest, due.fee) == (0.0, 40.0)


def test_a_charged_period_is_not_charged_again_and_the_settled_fee_not_twice():
	policy = preset(PRESET_EU)
	again = interest_due(policy, 10000, D(2026, 1, 31), D(2026, 3, 2), ECB, D(2026, 3, 2), fee_settled=True)
	assert (again.interest, again.fee, again.days) == (0.0, 0.0, 0)
	# simple interest charged in two goes adds up to the whole (rounding aside)
	one = interest_due(policy, 10000, D(2026, 1, 31), D(2026, 2, 15), ECB).interest
	two = interest_due(policy, 10000, D(2026, 1, 31), D(2026, 3, 2), ECB, D(2026, 2, 15)).interest
	assert abs(one + two - 83.42) <= 0.01


def test_compound_exceeds_simple_only_after_the_first_rest():
	policy = InterestPolicy(method=COMPOUND, fixed_rate=12.0)
	simple = InterestPolicy(method=SIMPLE, fixed_rate=12.0)
	# the first rest ends 28 Feb (1 Feb + one month − 1 day): up to there both are 1,000 × 12 % × 28/365
	assert accrued(policy, 1000, D(2026, 1, 31), D(2026, 2, 28)) == pytest.approx(1000 * 0.12 * 28 / 365)
	assert accrued(simple, 1000, D(2026, 1, 31), D(2026, 2, 28)) == pytest.approx(1000 * 0.12 * 28 / 365)
	assert accrued(policy, 1000, D(2026, 1, 31), D(2026, 5, 31)) > accrued(
		simple, 1000, D(2026, 1, 31), D(2026, 5, 31)
	)


def test_nothing_is_due_on_or_before_the_due_date_or_on_nothing_unpaid():
	assert interest_due(preset(PRESET_EU), 10000, D(2026, 1, 31), D(2026, 1, 31), ECB).interest == 0.0
	assert interest_due(preset(PRESET_EU), 0, D(2026, 1, 31), D(2026, 3, 2), ECB).fee == 0.0


def test_a_day_without_a_reference_rate_is_a_clear_error():
	with pytest.raises(InterestError, match="No reference rate is in force on 2025-12-01"):
		interest_due(preset(PRESET_UK), 5000, D(2025, 11, 30), D(2026, 1, 5), BOE)


@pytest.mark.parametrize(
	("policy", "message"),
	[
		(InterestPolicy(method="Daily"), "Method must be"),
		(InterestPolicy(rate_source="Guess"), "Rate source must be"),
		(InterestPolicy(fixed_rate=-1), "fixed_rate cannot be negative"),
		(InterestPolicy(grace_days=-2), "grace_days cannot be negative"),
		(InterestPolicy(multiplier=0), "multiplier must be more than 0"),
		(InterestPolicy(fee_bands=(FeeBand(None, 1), FeeBand(None, 2))), "Only one fee band"),
		(InterestPolicy(fee_bands=(FeeBand(100, 1), FeeBand(100, 2))), "same upper limit"),
		(InterestPolicy(fee_bands=(FeeBand(100, -1),)), "fee cannot be negative"),
	],
)
def test_a_bad_policy_is_refused_with_its_reason(policy, message):
	with pytest.raises(InterestError, match=message):
		interest_due(policy, 100, D(2026, 1, 1), D(2026, 2, 1))


def test_an_unknown_preset_is_refused():
	with pytest.raises(InterestError, match="Unknown preset"):
		preset("Mars")
