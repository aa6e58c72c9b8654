"""Cash-in forecast by week from predicted pay dates and promises, and its back-test."""

import datetime as dt

import pandas as pd
import pytest

from optimar_erp.engine.forecast import cash_forecast, forecast_backtest, week_start

TODAY = dt.date(2026, 11, 25)  # a Wednesday; week 0 starts Monday 23rd


def test_week_start():
	assert week_start(TODAY) == dt.date(2026, 11, 23)


def test_invoices_in_the_week_of_their_predicted_date():
	inv = pd.DataFrame(
		{
			"customer": ["A", "B", "C", "D"],
			"outstanding": [100.0, 200.0, 300.0, 400.0],
			"predicted_pay_date": [
				TODAY - dt.timedelta(days=10),  # overdue prediction: expected now (week 0)
				TODAY + dt.timedelta(days=7),  # week 1
				TODAY + dt.timedelta(days=200),  # later
				None,
			],
			"due_date": [None, None, None, TODAY + dt.timedelta(days=14)],  # no prediction: the due date
		}
	)
	f = cash_forecast(inv, None, TODAY, weeks=4).set_index("week")
	assert f.loc["0", "expected"] == 100 and f.loc["1", "expected"] == 200 and f.loc["2", "expected"] == 400
	assert f.loc["later", "expected"] == 300
	assert f.loc["later", "cumulative"] == 1000
	assert f.loc["doubtful", "expected"] == 0 and pd.isna(f.loc["doubtful", "cumulative"])
	assert f.loc["0", "week_start"] == dt.date(2026, 11, 23)


def test_promise_replaces_invoice_timing_without_double_counting():
	inv = pd.DataFrame(
		{
			"customer": ["A", "A"],
			"outstanding": [1000.0, 500.0],
			"predicted_pay_date": [TODAY + dt.timedelta(days=30), TODAY + dt.timedelta(days=60)],
		}
	)
	pro = pd.DataFrame(
		{"customer": ["A"], "promised_date": [TODAY + dt.timedelta(days=2)], "amount": [1200.0]}
	)
	f = cash_forecast(inv, pro, TODAY, weeks=13).set_index("week")
	assert f.loc["0", "from_promises"] == 1200
	assert f["from_invoices"].sum() == pytest.approx(300)  # 1,500 open − 1,200 promised
	assert f["expected"].sum() == pytest.approx(1500)


def test_long_overdue_balances_are_not_expected_unless_promised():
	"""More than 90 days past due: not in any week, shown apart; a promise still brings it in."""
	inv = pd.DataFrame(
		{
			"customer": ["A", "B", "B", "C"],
			"outstanding": [926.24, 500.0, 250.0, 80.5],
			"predicted_pay_date": [TODAY + dt.timedelta(days=8)] * 4,  # even with a predicted date
			"due_date": [
				TODAY - dt.timedelta(days=91),  # doubtful
				TODAY - dt.timedelta(days=200),  # doubtful, but B promised 300
				TODAY - dt.timedelta(days=10),
				TODAY - dt.timedelta(days=90),  # exactly 90: still expected
			],
		}
	)
	pro = pd.DataFrame(
		{"customer": ["B"], "promised_date": [TODAY + dt.timedelta(days=1)], "amount": [300.0]}
	)
	f = cash_forecast(inv, pro, TODAY, weeks=4).set_index("week")
	assert f.loc["doubtful", "expected"] == pytest.approx(926.24 + 200.0)  # B's oldest less the promise
	assert f.loc["doubtful", "week_start"] is None
	assert f.loc["0", "from_promises"] == 300
	assert f.loc["1", "from_invoices"] == pytest.approx(250.0 + 80.5)
	assert f.loc["later", "cumulative"] == pytest.approx(630.5)  # the cash that can be planned on
	assert f["expected"].sum() == pytest.approx(926.24 + 750.0 + 80.5)  # everything owed, to the cent
	every = cash_forecast(inv, pro, TODAY, weeks=4, doubtful_days=None).set_index("week")
	assert every.loc["doubtful", "expected"] == 0 and every.loc["later", "cumulative"] == pytest.approx(
		1756.74
	)
	with pytest.raises(ValueError, match="doubtful_days"):
		cash_forecast(inv, pro, TODAY, doubtful_days=-1)


def test_backtest_against_actual_cash():
	monday = week_start(TODAY)
	w1 = monday - dt.timedelta(days=14)  # two weeks ago
	inv = pd.DataFrame(
		{
			"invoice": ["X", "Y"],
			"posting_date": [w1 - dt.timedelta(days=30)] * 2,
			"predicted_pay_date": [w1 + dt.timedelta(days=2), w1 + dt.timedelta(days=9)],
		}
	)
	ev = pd.DataFrame(
		{
			"invoice": ["X", "Y", "X", "Y"],
			"date": [w1 - dt.timedelta(days=30)] * 2 + [w1 + dt.timedelta(days=3), w1 + dt.timedelta(days=4)],
			"amount": [100.0, 50.0, -100.0, -50.0],
		}
	)
	bt = forecast_backtest(inv, ev, TODAY, weeks=2)
	assert bt["week_start"].tolist() == [w1, w1 + dt.timedelta(days=7)]
	assert bt.loc[0, "forecast"] == 100 and bt.loc[0, "actual"] == 150 and bt.loc[0, "error"] == -50
	assert bt.loc[1, "forecast"] == 0 and bt.loc[1, "actual"] == 0


def test_bad_input():
	with pytest.raises(ValueError, match="weeks"):
		cash_forecast(pd.DataFrame(), None, TODAY, weeks=0)
	with pytest.raises(ValueError, match="missing required column"):
		cash_forecast(pd.DataFrame({"customer": ["A"]}), None, TODAY)
