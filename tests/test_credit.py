"""Credit advice: billing × days to pay × band factor, rounded up, with too-little-history flagged."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.risk.credit import CreditConfig, credit_advice, round_up

AS_OF = dt.date(2026, 11, 22)


def _inv(customer, posted_days_ago, amount, paid_after=None, outstanding=0.0, predicted=np.nan):
	posted = pd.Timestamp(AS_OF) - pd.Timedelta(days=posted_days_ago)
	settled = posted + pd.Timedelta(days=paid_after) if paid_after is not None else pd.NaT
	return {
		"customer": customer,
		"posting_date": posted,
		"grand_total": amount,
		"settled_date": settled,
		"outstanding": outstanding,
		"predicted_days": predicted,
	}


def test_round_up_two_significant_figures():
	assert round_up(np.array([16_437.0, 1_000.0, 0.0, 99.1])).tolist() == [17_000.0, 1_000.0, 0.0, 100.0]


def test_steady_customer():
	# 6 invoices of 10,000, the first 160 days ago: 60,000 over 160 days of history
	rows = [_inv("A", 30 * k + 10, 10_000, paid_after=45) for k in range(6) if 30 * k + 10 >= 45]
	rows += [_inv("A", 10, 10_000, outstanding=10_000, predicted=45), _inv("A", 40, 10_000, paid_after=40)]
	out = credit_advice(pd.DataFrame(rows), AS_OF).set_index("customer")
	a = out.loc["A"]
	assert a["status"] == "ok" and a["invoices"] == 6
	assert a["monthly_billing"] == pytest.approx(60_000 / (160 / 30.4375), rel=0.001)
	assert 40 < a["days_to_pay"] < 46
	assert a["recommended_limit"] == round_up(np.array([a["usual_exposure"]]))[0]
	assert a["open_amount"] == 10_000


def test_band_factor_and_slow_unpaid_invoices():
	rows = [_inv(c, d, 5_000, paid_after=30) for c in ("L", "C") for d in (150, 120, 90, 60)]
	rows += [_inv("S", d, 5_000, outstanding=5_000) for d in (150, 120, 90, 60)]  # never paid
	bands = pd.DataFrame({"customer": ["L", "C", "S"], "band": ["Low", "Critical", "Critical"]})
	out = credit_advice(pd.DataFrame(rows), AS_OF, bands).set_index("customer")
	assert out.loc["L", "recommended_limit"] == pytest.approx(
		2.5 * out.loc["C", "recommended_limit"], rel=0.1
	)
	assert out.loc["S", "days_to_pay"] == pytest.approx(105, abs=1)  # ages, not zero days
	assert out.loc["S", "usual_exposure"] > out.loc["C", "usual_exposure"]


def test_not_enough_history():
	rows = [_inv("N", 20, 1_000, paid_after=10), _inv("O", 400, 1_000, paid_after=10)]
	out = credit_advice(pd.DataFrame(rows), AS_OF).set_index("customer")
	assert (out["status"] == "not_enough_history").all()
	assert out["recommended_limit"].isna().all()


def test_settlements_after_as_of_are_not_known():
	rows = [_inv("A", d, 1_000, paid_after=5) for d in (90, 60, 30)]
	rows.append(_inv("A", 2, 1_000, paid_after=10))  # settles 8 days after as_of: still open on as_of
	out = credit_advice(pd.DataFrame(rows), AS_OF).set_index("customer")
	assert out.loc["A", "days_to_pay"] == pytest.approx((5 * 3 + 2) / 4, abs=0.05)


def test_bad_input():
	with pytest.raises(ValueError, match="missing required column"):
		credit_advice(pd.DataFrame({"customer": ["A"]}), AS_OF)
	with pytest.raises(ValueError, match="months"):
		CreditConfig(months=0)
	with pytest.raises(ValueError, match="band factors"):
		CreditConfig(band_factors={"Low": -1})
