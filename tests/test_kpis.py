"""Promise adherence, dispute aging, collector productivity and the MSME 45-day view."""

import datetime as dt

import pandas as pd
import pytest

from optimar_erp.engine.kpis import collector_productivity, dispute_aging, msme_due, promise_adherence

TODAY = dt.date(2026, 11, 23)


def test_promise_adherence_by_month():
	pro = pd.DataFrame(
		{
			"promised_date": ["2026-10-05", "2026-10-20", "2026-11-02", "2026-11-30", "2026-11-03"],
			"promised_amount": [100, 200, 300, 400, 50],
			"paid_amount": [100, 50, 0, 0, 0],
			"status": ["Kept", "Partially Kept", "Broken", "Open", "Cancelled"],
		}
	)
	a = promise_adherence(pro, TODAY).set_index("month")
	assert a.loc["2026-10", "promises"] == 2 and a.loc["2026-10", "adherence_pct"] == 50.0
	assert a.loc["2026-11", "broken"] == 1 and a.loc["2026-11", "promises"] == 1  # the future one waits
	assert a.loc["2026-11", "adherence_pct"] == 0.0
	assert a.loc["2026-11", "not_yet_due"] == 1 and a.loc["2026-11", "not_yet_due_amount"] == 400
	assert a.loc["2026-11", "promised"] == 300  # the open one is not in the adherence


def test_open_promises_not_due_yet_are_listed_in_their_month():
	"""A book whose only promise is open and due next month still shows it (not an empty report)."""
	pro = pd.DataFrame(
		{
			"promised_date": ["2026-12-04", "2026-12-10", "2026-11-20"],
			"promised_amount": [926.24, 100.0, 50.0],
			"paid_amount": [0.0, 0.0, 0.0],
			"status": ["Open", "Cancelled", "Open"],
		}
	)
	a = promise_adherence(pro, TODAY).set_index("month")
	assert list(a.index) == ["2026-11", "2026-12"]
	assert a.loc["2026-12", "not_yet_due"] == 1 and a.loc["2026-12", "not_yet_due_amount"] == 926.24
	assert a.loc["2026-12", "promises"] == 0 and pd.isna(a.loc["2026-12", "adherence_pct"])
	assert a.loc["2026-11", "pending"] == 1 and a.loc["2026-11", "not_yet_due"] == 0


def test_dispute_aging_and_sla():
	d = pd.DataFrame(
		{
			"raised_on": [TODAY - dt.timedelta(days=n) for n in (2, 10, 40, 100, 5)],
			"amount": [10, 20, 30, 40, 50],
			"sla_due_date": [TODAY + dt.timedelta(days=5), TODAY - dt.timedelta(days=1), None, TODAY, None],
			"status": ["Open", "Under Review", "Open", "Open", "Resolved"],
		}
	)
	g = dispute_aging(d, TODAY).set_index("bucket")
	assert g["disputes"].sum() == 4 and g["amount"].sum() == 100
	assert g["sla_breached"].sum() == 1


def test_collector_productivity_attributes_payments_to_the_latest_touch():
	touches = pd.DataFrame(
		{
			"collector": ["ann", "bob", "ann"],
			"customer": ["A", "A", "B"],
			"date": ["2026-11-01", "2026-11-05", "2026-11-02"],
			"kind": ["Call", "Reminder", "Call"],
		}
	)
	promises = pd.DataFrame(
		{"collector": ["ann"], "customer": ["B"], "date": ["2026-11-02"], "amount": [500]}
	)
	payments = pd.DataFrame(
		{
			"customer": ["A", "B", "B"],
			"date": ["2026-11-06", "2026-11-10", "2026-12-30"],
			"amount": [1000, 300, 999],
		}
	)
	p = collector_productivity(touches, promises, payments, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
	p = p.set_index("collector")
	assert p.loc["bob", "collected_after_touch"] == 1000  # bob touched A last before it paid
	assert p.loc["ann", "collected_after_touch"] == 300  # the December payment is past 14 days
	assert p.loc["ann", "touches"] == 2 and p.loc["ann", "calls"] == 2 and p.loc["ann", "promises"] == 1


def test_msme_45_day_limit():
	inv = pd.DataFrame(
		{
			"invoice": ["a", "b", "c"],
			"customer": ["X", "X", "Y"],
			"posting_date": [TODAY - dt.timedelta(days=50), TODAY - dt.timedelta(days=40), TODAY],
			"due_date": [TODAY + dt.timedelta(days=10), TODAY + dt.timedelta(days=20), TODAY],
			"outstanding": [1, 2, 3],
		}
	)
	m = msme_due(inv, TODAY).set_index("invoice")
	assert (
		m.loc["a", "days_left"] == -5 and m.loc["a", "status"] == "Past 45-day limit"
	)  # 60-day terms capped
	assert m.loc["b", "days_left"] == 5 and m.loc["b", "status"] == "Due in 7 days"
	assert m.loc["c", "days_left"] == 15  # no agreed terms: 15 days


def test_bad_input():
	with pytest.raises(ValueError, match="missing required column"):
		promise_adherence(pd.DataFrame({"x": [1]}), TODAY)
