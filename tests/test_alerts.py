"""Risk alerts: each reason fires on its condition only, once per cooldown, with clear errors."""

import datetime as dt

import pandas as pd
import pytest

from optimar_erp.engine.risk.alerts import AlertConfig, detect_alerts

TODAY = dt.date(2026, 11, 22)


def _customers(**cols):
	base = {"customer": ["A", "B", "C"]}
	base.update(cols)
	return pd.DataFrame(base)


def test_band_worsened_only_into_high_or_worse():
	cust = _customers(band_before=["Low", "Medium", "High"], band_now=["Medium", "High", "High"])
	alerts = detect_alerts(cust, None, TODAY)
	assert alerts[["customer", "reason"]].values.tolist() == [["B", "band_worsened"]]
	assert alerts.loc[0, "detail"] == "Medium → High"


def test_first_band_is_not_a_worsening():
	cust = _customers(band_before=["", "", ""], band_now=["Critical", "High", "Low"])
	assert detect_alerts(cust, None, TODAY).empty


def test_overdue_spike_needs_both_percent_and_amount():
	cust = _customers(overdue_before=[0, 10_000, 100], overdue_now=[5_000, 12_000, 900])
	alerts = detect_alerts(cust, None, TODAY, AlertConfig(spike_percent=50, spike_min_amount=1_000))
	# A: 0 → 5,000 is a spike; B grew 20 % only; C grew 800 < 1,000
	assert alerts["customer"].tolist() == ["A"]
	assert alerts.loc[0, "amount"] == 5000.0


def test_second_broken_promise_only_when_one_broke_in_the_window():
	cust = _customers(broken_promises=[2, 3, 1], broken_in_window=[1, 0, 1])
	alerts = detect_alerts(cust, None, TODAY)
	assert alerts[["customer", "reason"]].values.tolist() == [["A", "second_broken_promise"]]


def _invoices():
	return pd.DataFrame(
		{
			"invoice": ["I1", "I2", "I3", "I4", "I5"],
			"customer": ["A", "A", "B", "C", "D"],
			"due_date": [TODAY + dt.timedelta(days=d) for d in (15, 20, 30, 14, 16)],
			"outstanding": [50_000, 80_000, 90_000, 60_000, 70_000],
			"late_probability": [0.8, 0.9, 0.95, 0.3, 0.7],
		}
	)


def test_predicted_late_large_invoice_14_to_21_days_ahead():
	alerts = detect_alerts(_customers(), _invoices(), TODAY, AlertConfig(large_amount=55_000))
	got = alerts[["customer", "invoice"]].values.tolist()
	# A: the largest qualifying invoice (I2); B: due in 30 days; C: unlikely late; D: qualifies
	assert got == [["A", "I2"], ["D", "I5"]]
	assert (alerts["reason"] == "predicted_late_large").all()


def test_large_amount_defaults_to_a_high_quantile_of_open_invoices():
	alerts = detect_alerts(_customers(), _invoices(), TODAY, AlertConfig(large_quantile=0.5))
	# median of open amounts is 70,000: I2 (80,000) and I5 (70,000) qualify
	assert sorted(alerts["invoice"]) == ["I2", "I5"]


def test_cooldown_suppresses_a_repeat_within_the_week_only():
	cust = _customers(band_before=["Low", "Low", "Low"], band_now=["High", "Low", "Critical"])
	recent = pd.DataFrame(
		{
			"customer": ["A", "C"],
			"reason": ["band_worsened", "band_worsened"],
			"date": [TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=7)],
		}
	)
	alerts = detect_alerts(cust, None, TODAY, recent=recent)
	assert alerts["customer"].tolist() == ["C"]  # A alerted 3 days ago; C's alert is a week old


def test_other_reasons_are_not_throttled_by_a_different_reason():
	cust = _customers(overdue_before=[0, 0, 0], overdue_now=[5_000, 0, 0])
	recent = pd.DataFrame({"customer": ["A"], "reason": ["band_worsened"], "date": [TODAY]})
	assert detect_alerts(cust, None, TODAY, recent=recent)["reason"].tolist() == ["overdue_spike"]


def test_sorted_by_severity():
	cust = _customers(
		band_before=["Low", "", ""],
		band_now=["Critical", "", ""],
		overdue_before=[0, 0, 0],
		overdue_now=[0, 9_000, 0],
	)
	alerts = detect_alerts(cust, None, TODAY)
	assert alerts["reason"].tolist() == ["band_worsened", "overdue_spike"]


def test_bad_input_is_named():
	with pytest.raises(ValueError, match="customers table is missing required column"):
		detect_alerts(pd.DataFrame({"x": [1]}), None, TODAY)
	with pytest.raises(ValueError, match="overdue_now must be numbers"):
		detect_alerts(_customers(overdue_before=[0, 0, 0], overdue_now=["x", 1, 2]), None, TODAY)
	with pytest.raises(ValueError, match="min_band"):
		AlertConfig(min_band="Severe")
	with pytest.raises(ValueError, match="ahead_min"):
		AlertConfig(ahead_min=30, ahead_max=20)
