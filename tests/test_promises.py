"""Promise-to-pay evaluation: hand-computed examples, one rule each."""

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.promises import RESULT_COLUMNS, evaluate_promises, pauses_dunning

D = dt.date
TODAY = D(2024, 6, 15)
PROMISED = D(2024, 6, 10)
RECORDED = D(2024, 6, 1)
NAT = pd.NaT


def promise(
	pid: str = "P1",
	customer: str = "C1",
	invoices: object = ("I1",),
	amount: float = 100.0,
	date: dt.date = PROMISED,
	recorded: dt.date = RECORDED,
	cancelled: bool = False,
) -> dict:
	return {
		"promise": pid,
		"customer": customer,
		"invoices": invoices,
		"promised_amount": amount,
		"promised_date": date,
		"recorded_on": recorded,
		"cancelled": cancelled,
	}


def promises(*rows: dict) -> pd.DataFrame:
	return pd.DataFrame(list(rows) or [promise()])


def pays(*rows: tuple) -> pd.DataFrame:
	"""Rows of (invoice, date, amount[, customer]); customer defaults to C1."""
	return pd.DataFrame(
		[
			{"customer": r[3] if len(r) > 3 else "C1", "invoice": r[0], "date": r[1], "amount": r[2]}
			for r in rows
		],
		columns=["customer", "invoice", "date", "amount"],
	)


def plan(*rows: tuple) -> pd.DataFrame:
	"""Rows of (promise, due_date, amount)."""
	return pd.DataFrame(rows, columns=["promise", "due_date", "amount"])


def evaluate(pro=None, payments=None, instalments=None, today=TODAY, grace=0) -> pd.DataFrame:
	return evaluate_promises(pro if pro is not None else promises(), instalments, payments, today, grace)


def row(result: pd.DataFrame, pid: str = "P1") -> dict:
	return result.set_index("promise").loc[pid].to_dict()


def ts(day: dt.date) -> pd.Timestamp:
	return pd.Timestamp(day)


# ------------------------------------------------------------------------------------ single promise


def test_kept_on_time():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 8), 100.0))))
	assert r["status"] == "Kept"
	assert r["paid_amount"] == 100.0
	assert r["due_amount"] == 100.0
	assert pd.isna(r["next_due_date"])
	assert r["deadline"] == ts(D(2024, 6, 10))
	assert pd.isna(r["broken_on"])
	assert (r["instalments_met"], r["instalments_total"]) == (1, 1)


def test_kept_as_soon_as_paid_before_the_date():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 3), 100.0)), today=D(2024, 6, 5)))
	assert r["status"] == "Kept"
	assert r["due_amount"] == 0.0
	assert r["next_due_date"] == ts(D(2024, 6, 10))


def test_kept_late_within_grace():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 13), 100.0)), grace=3))
	assert r["status"] == "Kept"
	assert r["deadline"] == ts(D(2024, 6, 13))
	assert pd.isna(r["broken_on"])


def test_paid_in_full_one_day_after_grace_is_broken():
	"""Nothing had been paid by the deadline: broken on the day after it, even though the money came."""
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 14), 100.0)), grace=3))
	assert r["status"] == "Broken"
	assert r["broken_on"] == ts(D(2024, 6, 14))
	assert r["paid_amount"] == 100.0
	assert r["instalments_met"] == 0


def test_part_paid_on_time_rest_after_grace_is_partially_kept():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 12), 30.0), ("I1", D(2024, 6, 14), 70.0)), grace=3))
	assert r["status"] == "Partially Kept"
	assert r["paid_amount"] == 100.0
	assert r["broken_on"] == ts(D(2024, 6, 14))


def test_nothing_paid_is_broken():
	r = row(evaluate(payments=None))
	assert r["status"] == "Broken"
	assert r["paid_amount"] == 0.0
	assert r["due_amount"] == 100.0
	assert r["broken_on"] == ts(D(2024, 6, 11))


def test_partial_payment_after_deadline_passed_is_partially_kept():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 9), 40.0))))
	assert r["status"] == "Partially Kept"
	assert r["paid_amount"] == 40.0
	assert r["broken_on"] == ts(D(2024, 6, 11))


def test_partial_payment_before_the_deadline_stays_open():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 9), 40.0)), today=D(2024, 6, 10)))
	assert r["status"] == "Open"
	assert r["paid_amount"] == 40.0
	assert r["due_amount"] == 0.0
	assert r["next_due_date"] == ts(D(2024, 6, 10))


def test_within_tolerance_counts_as_paid():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 9), 99.996))))
	assert r["status"] == "Kept"


def test_several_invoices_payments_on_any_of_them_count():
	pro = promises(promise(invoices=("I1", "I2", "I3"), amount=300.0))
	pay = pays(
		("I1", D(2024, 6, 2), 100.0),
		("I3", D(2024, 6, 9), 200.0),
		("I4", D(2024, 6, 9), 500.0),  # not covered
		("", D(2024, 6, 9), 500.0),  # unallocated: only on-account promises count it
	)
	r = row(evaluate(pro, pay))
	assert r["status"] == "Kept"
	assert r["paid_amount"] == 300.0


def test_payments_before_recorded_on_are_ignored():
	pay = pays(("I1", D(2024, 5, 31), 100.0), ("I1", D(2024, 6, 1), 25.0))
	r = row(evaluate(payments=pay))
	assert r["status"] == "Partially Kept"
	assert r["paid_amount"] == 25.0  # the payment on recorded_on itself counts


def test_payments_after_today_are_ignored():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 9), 40.0), ("I1", D(2024, 6, 16), 60.0))))
	assert r["paid_amount"] == 40.0


def test_overpayment_is_capped():
	r = row(evaluate(payments=pays(("I1", D(2024, 6, 5), 80.0), ("I1", D(2024, 6, 6), 70.0))))
	assert r["status"] == "Kept"
	assert r["paid_amount"] == 100.0


def test_cancelled_keeps_its_figures_but_never_breaks():
	r = row(evaluate(promises(promise(cancelled=True)), pays(("I1", D(2024, 6, 5), 40.0))))
	assert r["status"] == "Cancelled"
	assert r["paid_amount"] == 40.0
	assert pd.isna(r["broken_on"]) and pd.isna(r["next_due_date"])


def test_cancelled_accepts_text_and_numbers():
	pro = promises(promise("P1", cancelled="Yes"), promise("P2", cancelled=0))
	pro["cancelled"] = ["Yes", "0"]
	out = evaluate(pro, today=D(2024, 6, 1)).set_index("promise")["status"].to_dict()
	assert out == {"P1": "Cancelled", "P2": "Open"}


# -------------------------------------------------------------------------------------- on account


@pytest.mark.parametrize("empty", [(), [], "", None, float("nan")])
def test_on_account_counts_every_payment_of_the_customer(empty):
	pro = promises(promise(invoices=empty, amount=150.0))
	pay = pays(
		("I1", D(2024, 6, 2), 50.0),
		("", D(2024, 6, 3), 60.0),
		("I9", D(2024, 6, 4), 40.0),
		("I7", D(2024, 6, 4), 999.0, "C2"),  # another customer
	)
	r = row(evaluate(pro, pay))
	assert r["status"] == "Kept"
	assert r["paid_amount"] == 150.0
	assert r["invoices"] == ()


def test_invoices_as_comma_separated_text_or_json():
	pro = promises(
		promise("P1", invoices="I1, I2", amount=50.0),
		promise("P2", invoices='["I3", "I4"]', amount=50.0),
	)
	pay = pays(("I2", D(2024, 6, 2), 50.0), ("I4", D(2024, 6, 2), 50.0))
	out = evaluate(pro, pay).set_index("promise")
	assert out["status"].to_dict() == {"P1": "Kept", "P2": "Kept"}
	assert out.loc["P1", "invoices"] == ("I1", "I2")
	assert out.loc["P2", "invoices"] == ("I3", "I4")


# -------------------------------------------------------------------------------------- instalments


PLAN = plan(("P1", D(2024, 6, 5), 100.0), ("P1", D(2024, 6, 12), 200.0))
PLAN_PROMISE = promises(promise(amount=300.0, date=D(2024, 6, 12)))


def test_first_instalment_met_second_missed_is_partially_kept():
	r = row(evaluate(PLAN_PROMISE, pays(("I1", D(2024, 6, 4), 100.0)), PLAN))
	assert r["status"] == "Partially Kept"
	assert (r["instalments_met"], r["instalments_total"]) == (1, 2)
	assert r["due_amount"] == 300.0
	assert r["broken_on"] == ts(D(2024, 6, 13))
	assert r["deadline"] == ts(D(2024, 6, 12))
	assert pd.isna(r["next_due_date"])


def test_all_instalments_met_is_kept():
	pay = pays(("I1", D(2024, 6, 4), 100.0), ("I1", D(2024, 6, 11), 200.0))
	r = row(evaluate(PLAN_PROMISE, pay, PLAN))
	assert r["status"] == "Kept"
	assert (r["instalments_met"], r["instalments_total"]) == (2, 2)


def test_future_instalment_stays_open():
	pay = pays(("I1", D(2024, 6, 4), 100.0))
	r = row(evaluate(PLAN_PROMISE, pay, PLAN, today=D(2024, 6, 8)))
	assert r["status"] == "Open"
	assert r["due_amount"] == 100.0
	assert r["next_due_date"] == ts(D(2024, 6, 12))
	assert (r["instalments_met"], r["instalments_total"]) == (1, 2)


def test_paying_ahead_covers_later_instalments():
	r = row(evaluate(PLAN_PROMISE, pays(("I1", D(2024, 6, 4), 300.0)), PLAN, today=D(2024, 6, 8)))
	assert r["status"] == "Kept"
	assert r["instalments_met"] == 2


def test_shortfall_made_up_later_still_breaks_at_the_first_deadline():
	"""50 of 100 by 5 June misses instalment 1; 250 more by 12 June meets the cumulative 300."""
	pay = pays(("I1", D(2024, 6, 5), 50.0), ("I1", D(2024, 6, 12), 250.0))
	r = row(evaluate(PLAN_PROMISE, pay, PLAN))
	assert r["status"] == "Partially Kept"
	assert r["instalments_met"] == 1
	assert r["broken_on"] == ts(D(2024, 6, 6))
	assert r["paid_amount"] == 300.0


def test_first_instalment_missed_with_nothing_paid_is_broken():
	r = row(evaluate(PLAN_PROMISE, pays(("I1", D(2024, 6, 10), 300.0)), PLAN))
	assert r["status"] == "Broken"
	assert r["broken_on"] == ts(D(2024, 6, 6))
	assert r["instalments_met"] == 1


def test_instalments_with_grace_and_unsorted_rows():
	unsorted = plan(("P1", D(2024, 6, 12), 200.0), ("P1", D(2024, 6, 5), 100.0))
	pay = pays(("I1", D(2024, 6, 7), 100.0))
	r = row(evaluate(PLAN_PROMISE, pay, unsorted, today=D(2024, 6, 8), grace=2))
	assert r["status"] == "Open"
	assert r["deadline"] == ts(D(2024, 6, 14))
	assert r["due_amount"] == 100.0


def test_promises_with_and_without_plans_together():
	pro = promises(promise("P1", amount=300.0), promise("P2", invoices=("I2",)))
	pay = pays(("I1", D(2024, 6, 4), 100.0), ("I2", D(2024, 6, 4), 100.0))
	out = evaluate(pro, pay, PLAN).set_index("promise")
	assert out["status"].to_dict() == {"P1": "Partially Kept", "P2": "Kept"}
	assert out["instalments_total"].to_dict() == {"P1": 2, "P2": 1}


# ------------------------------------------------------------------------------------- today / time


def test_today_on_the_deadline_is_still_open():
	r = row(evaluate(today=D(2024, 6, 10)))
	assert r["status"] == "Open"
	assert r["due_amount"] == 0.0
	assert r["next_due_date"] == ts(D(2024, 6, 10))


def test_today_the_day_after_the_deadline_is_broken():
	r = row(evaluate(today=D(2024, 6, 11)))
	assert r["status"] == "Broken"
	assert r["broken_on"] == ts(D(2024, 6, 11))


def test_grace_moves_the_deadline():
	assert row(evaluate(today=D(2024, 6, 13), grace=3))["status"] == "Open"
	assert row(evaluate(today=D(2024, 6, 14), grace=3))["status"] == "Broken"


def test_only_the_given_today_is_used_no_time_zone_conversion():
	"""The shell passes today in the company's zone; a datetime counts as its own calendar date."""
	late_evening = dt.datetime(2024, 6, 10, 23, 30, tzinfo=ZoneInfo("Asia/Kolkata"))  # 18:00 UTC
	early_morning = dt.datetime(2024, 6, 11, 0, 30, tzinfo=ZoneInfo("America/New_York"))  # 04:30 UTC
	assert row(evaluate(today=late_evening))["status"] == "Open"
	assert row(evaluate(today=early_morning))["status"] == "Broken"
	assert row(evaluate(today=pd.Timestamp("2024-06-10")))["status"] == "Open"


# -------------------------------------------------------------------------------- output and helper


def test_output_columns_types_and_order():
	pro = promises(promise("P2"), promise("P1"))
	out = evaluate(pro, pays(("I1", D(2024, 6, 5), 100.0)))
	assert tuple(out.columns) == RESULT_COLUMNS
	assert list(out["promise"]) == ["P2", "P1"]
	assert out["instalments_met"].dtype == np.int64
	for col in ("next_due_date", "deadline", "broken_on"):
		assert out[col].dtype == "datetime64[ns]"


def test_empty_promises_give_an_empty_table():
	for empty in (None, pd.DataFrame()):
		out = evaluate_promises(empty, None, None, TODAY)
		assert tuple(out.columns) == RESULT_COLUMNS and len(out) == 0


def test_payments_may_be_an_empty_table():
	assert row(evaluate(payments=pd.DataFrame()))["status"] == "Broken"


def test_pauses_dunning_lists_invoices_of_open_promises_only():
	pro = promises(
		promise("P1", invoices=("I1", "I2"), date=D(2024, 6, 20)),
		promise("P2", invoices=("I3",), date=D(2024, 6, 10)),  # broken
		promise("P3", invoices=("I4",), date=D(2024, 6, 20), cancelled=True),
		promise("P4", customer="C2", invoices=(), date=D(2024, 6, 20)),  # on account: pauses nothing
		promise("P5", invoices=("I5",), date=D(2024, 6, 20)),  # kept
	)
	out = evaluate(pro, pays(("I5", D(2024, 6, 5), 100.0)))
	assert out.set_index("promise")["status"].to_dict() == {
		"P1": "Open",
		"P2": "Broken",
		"P3": "Cancelled",
		"P4": "Open",
		"P5": "Kept",
	}
	assert pauses_dunning(out) == {"I1", "I2"}


def test_many_promises_together_equal_each_alone():
	rng = np.random.default_rng(7)
	n = 60
	pro = pd.DataFrame(
		[
			promise(
				f"P{i}",
				customer=f"C{i % 7}",
				invoices=() if i % 9 == 0 else (f"I{i}", f"I{i + 1}"),
				amount=float(rng.integers(50, 500)),
				date=D(2024, 6, 1) + dt.timedelta(days=int(rng.integers(0, 20))),
				recorded=D(2024, 5, 20) + dt.timedelta(days=int(rng.integers(0, 10))),
			)
			for i in range(n)
		]
	)
	pay = pays(
		*[
			(
				"" if k % 11 == 0 else f"I{rng.integers(0, n + 1)}",
				D(2024, 5, 20) + dt.timedelta(days=int(rng.integers(0, 30))),
				float(rng.integers(10, 200)),
				f"C{rng.integers(0, 7)}",
			)
			for k in range(200)
		]
	)
	together = evaluate(pro, pay, grace=2).set_index("promise")
	for i in range(n):
		alone = evaluate(pro.iloc[[i]], pay, grace=2).set_index("promise")
		pd.testing.assert_frame_equal(together.iloc[[i]], alone)
	assert set(together["status"]) >= {"Kept", "Broken", "Partially Kept", "Open"}


# --------------------------------------------------------------------------------------- validation


def test_missing_column_is_named():
	with pytest.raises(ValueError, match="recorded_on"):
		evaluate(promises().drop(columns=["recorded_on"]))
	with pytest.raises(ValueError, match="amount"):
		evaluate(payments=pays(("I1", D(2024, 6, 5), 10.0)).drop(columns=["amount"]))
	with pytest.raises(ValueError, match="due_date"):
		evaluate(instalments=PLAN.drop(columns=["due_date"]))


def test_instalments_must_add_up_to_the_promised_amount():
	with pytest.raises(ValueError, match="P1"):
		evaluate(promises(promise(amount=250.0)), instalments=PLAN)
	# within 0.01 is accepted
	evaluate(promises(promise(amount=300.009)), instalments=PLAN)


def test_instalments_of_an_unknown_promise():
	with pytest.raises(ValueError, match="P9"):
		evaluate(instalments=plan(("P9", D(2024, 6, 5), 100.0)))


@pytest.mark.parametrize(
	"bad, match",
	[
		({"amount": 0.0}, "promised_amount"),
		({"amount": -5.0}, "promised_amount"),
		({"recorded": None}, "recorded_on"),
		({"date": None}, "promised_date"),
		({"pid": ""}, "promise id"),
	],
)
def test_bad_promise_rows(bad, match):
	with pytest.raises(ValueError, match=match):
		evaluate(promises(promise(**bad)))


def test_duplicate_promise_ids():
	with pytest.raises(ValueError, match="duplicate.*P1"):
		evaluate(promises(promise(), promise()))


def test_payment_amount_must_be_positive():
	with pytest.raises(ValueError, match="payments"):
		evaluate(payments=pays(("I1", D(2024, 6, 5), 0.0)))


@pytest.mark.parametrize("grace", [-1, 1.5, "x"])
def test_bad_grace_days(grace):
	with pytest.raises(ValueError, match="grace_days"):
		evaluate(grace=grace)
