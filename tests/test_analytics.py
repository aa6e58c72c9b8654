"""Aging, DSO, CEI, ADD: hand-computed examples and properties."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.analytics import (
	DEFAULT_BUCKETS,
	add,
	aging,
	aging_of_balances,
	best_possible_dso,
	bucket_labels,
	cei,
	dso_countback,
	dso_standard,
	events_from_invoices,
	monthly_metrics,
	outstanding_at,
	summary,
)
from optimar_erp.engine.schema import validate_invoices

AS_OF = dt.date(2024, 3, 31)


@pytest.fixture
def book() -> pd.DataFrame:
	"""Five invoices worked by hand (balances at 2024-03-31 in brackets).

	A  X  posted 01-10 due 02-09  1000, settled 02-20             [0]
	B  X  posted 02-15 due 03-16   500, open                      [500, 15 days overdue → 1-30]
	C  Y  posted 03-05 due 04-04   300, open                      [300, not due]
	D  Y  posted 2023-11-01 due 2023-12-01  200, open             [200, 121 days → 120+]
	E  Z  posted 01-20 due 02-19   400, 300 paid, open            [100, 41 days → 31-60]
	"""
	return validate_invoices(
		pd.DataFrame(
			{
				"invoice": ["A", "B", "C", "D", "E"],
				"customer": ["X", "X", "Y", "Y", "Z"],
				"customer_name": ["Xeno Ltd", "Xeno Ltd", "Ypsilon", "Ypsilon", "Zeta"],
				"posting_date": ["2024-01-10", "2024-02-15", "2024-03-05", "2023-11-01", "2024-01-20"],
				"due_date": ["2024-02-09", "2024-03-16", "2024-04-04", "2023-12-01", "2024-02-19"],
				"grand_total": [1000.0, 500.0, 300.0, 200.0, 400.0],
				"outstanding": [0.0, 500.0, 300.0, 200.0, 100.0],
				"settled_date": ["2024-02-20", None, None, None, None],
			}
		)
	)


def ledger_events(book: pd.DataFrame) -> pd.DataFrame:
	"""The exact movements: like the derived ones, but E's 300 was paid on 2024-02-01."""
	ev = events_from_invoices(book, AS_OF)
	ev.loc[(ev["invoice"] == "E") & (ev["amount"] < 0), "date"] = pd.Timestamp("2024-02-01")
	return ev


# ------------------------------------------------------------------------------------------ formulas


def test_dso_standard_and_bpdso():
	assert dso_standard(100.0, 200.0, 30) == 15.0
	assert dso_standard(100.0, 0.0, 30) is None
	assert best_possible_dso(50.0, 200.0, 90) == 22.5
	assert best_possible_dso(50.0, 0.0, 90) is None


def test_add():
	assert add(40.0, 25.0) == 15.0
	assert add(None, 25.0) is None and add(40.0, None) is None


def test_cei_examples():
	# (1000 + 500 − 600) / (1000 + 500 − 200) × 100 = 900 / 1300 × 100
	assert cei(1000.0, 500.0, 600.0, 200.0) == pytest.approx(69.2307692)
	assert cei(100.0, 0.0, 0.0, 0.0) == 100.0  # everything collected
	assert cei(0.0, 0.0, 0.0, 0.0) is None
	assert cei(100.0, 0.0, 50.0, 100.0) is None  # all of it still current: nothing could be collected


def test_countback_worked_by_hand():
	# AR 150: the newest month (100 sold over 31 days) is used up whole, then 50 of the 100 sold in the
	# 30-day month before: 31 + 30 × 50/100 = 46 days.
	assert dso_countback(150.0, [(100.0, 31), (100.0, 30)]) == pytest.approx(46.0)
	# AR 1100 over March 300 (31 d), Feb 500 (29 d), Jan 1400 (31 d): 31 + 29 + 31 × 300/1400
	assert dso_countback(1100.0, [(300.0, 31), (500.0, 29), (1400.0, 31)]) == pytest.approx(
		60 + 31 * 300 / 1400
	)
	# AR within the newest month
	assert dso_countback(50.0, [(100.0, 30)]) == pytest.approx(15.0)
	# a month without sales counts whole
	assert dso_countback(120.0, [(100.0, 31), (0.0, 30), (40.0, 31)]) == pytest.approx(31 + 30 + 31 * 20 / 40)


def test_countback_edges():
	assert dso_countback(0.0, [(100.0, 31)]) == 0.0
	assert dso_countback(-10.0, [(100.0, 31)]) == 0.0
	assert dso_countback(500.0, [(100.0, 31), (100.0, 30)]) == 61.0  # sales run out: all days counted
	assert dso_countback(500.0, []) == 0.0


def test_countback_ignores_seasonal_spike_unlike_standard():
	"""A quarter-end spike in sales barely moves countback but halves the standard DSO."""
	steady = [(100.0, 30)] * 6
	spike = [(300.0, 30)] + [(100.0, 30)] * 5
	ar = 150.0
	assert dso_countback(ar, steady) == pytest.approx(45.0)
	assert dso_countback(ar, spike) == pytest.approx(15.0)
	assert dso_standard(ar, 100.0, 30) == 45.0 and dso_standard(ar, 300.0, 30) == 15.0


# ------------------------------------------------------------------------------------------ buckets


def test_bucket_labels():
	assert bucket_labels() == ["Not Due", "1-30", "31-60", "61-90", "91-120", "120+"]
	assert bucket_labels((15, 45)) == ["Not Due", "1-15", "16-45", "45+"]
	for bad in [(), (0, 30), (30, 30), (60, 30), (-5,)]:
		with pytest.raises(ValueError):
			bucket_labels(bad)


def _one_per_day(days_overdue: list[int], as_of: dt.date) -> pd.DataFrame:
	post = pd.Timestamp(as_of) - pd.Timedelta(days=400)
	return validate_invoices(
		pd.DataFrame(
			{
				"invoice": [f"I{d}" for d in days_overdue],
				"customer": "C",
				"posting_date": post,
				"due_date": [pd.Timestamp(as_of) - pd.Timedelta(days=d) for d in days_overdue],
				"grand_total": 10.0,
				"outstanding": 10.0,
				"settled_date": None,
			}
		)
	)


def test_aging_bucket_boundaries():
	days = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 365]
	expected = [
		"Not Due",
		"Not Due",
		"1-30",
		"1-30",
		"31-60",
		"31-60",
		"61-90",
		"61-90",
		"91-120",
		"91-120",
		"120+",
		"120+",
	]
	res = aging(_one_per_day(days, AS_OF), AS_OF)
	got = res.by_invoice.set_index("invoice")
	assert [got.loc[f"I{d}", "bucket"] for d in days] == expected
	assert [got.loc[f"I{d}", "days_overdue"] for d in days] == days
	assert res.totals["Not Due"] == 20.0 and res.totals["120+"] == 20.0 and res.totals["overdue"] == 100.0


def test_configurable_buckets():
	res = aging(_one_per_day([0, 15, 16, 45, 46], AS_OF), AS_OF, buckets=(15, 45))
	assert res.labels == ["Not Due", "1-15", "16-45", "45+"]
	assert {k: res.totals[k] for k in res.labels} == {
		"Not Due": 10.0,
		"1-15": 10.0,
		"16-45": 20.0,
		"45+": 10.0,
	}
	assert list(res.by_customer.columns[2:6]) == res.labels


# ------------------------------------------------------------------------------------- book examples


def test_events_from_invoices(book):
	ev = events_from_invoices(book)  # snapshot = latest posting/settled date = 2024-03-05
	assert list(ev.columns) == ["invoice", "customer", "date", "amount"]
	assert len(ev) == 5 + 2  # five postings; A settled, E part-paid
	pay = ev[ev["amount"] < 0].set_index("invoice")
	assert pay.loc["A", "amount"] == -1000.0 and pay.loc["A", "date"] == pd.Timestamp("2024-02-20")
	assert pay.loc["E", "amount"] == -300.0 and pay.loc["E", "date"] == pd.Timestamp("2024-03-05")
	assert events_from_invoices(book, AS_OF).set_index("invoice").loc["E"]["date"].max() == pd.Timestamp(
		AS_OF
	)
	# per invoice, the events add up to the outstanding amount
	assert ev.groupby("invoice")["amount"].sum().to_dict() == pytest.approx(
		book.set_index("invoice")["outstanding"].to_dict()
	)


def test_outstanding_at(book):
	assert outstanding_at(book, AS_OF).to_dict() == {"A": 0.0, "B": 500.0, "C": 300.0, "D": 200.0, "E": 100.0}
	# before A was settled and C posted; E's part-payment is dated at the snapshot (03-05) without a ledger
	assert outstanding_at(book, "2024-02-19").to_dict() == {"A": 1000.0, "B": 500.0, "D": 200.0, "E": 400.0}
	assert outstanding_at(book, "2024-02-19", events=ledger_events(book))["E"] == 100.0
	assert outstanding_at(book, "2023-10-31").empty


def test_aging_by_invoice_and_customer(book):
	res = aging(book, AS_OF)
	by_inv = res.by_invoice.set_index("invoice")
	assert set(by_inv.index) == {"B", "C", "D", "E"}  # A has no balance
	assert by_inv.loc["B", "days_overdue"] == 15 and by_inv.loc["B", "bucket"] == "1-30"
	assert by_inv.loc["C", "days_overdue"] == -4 and by_inv.loc["C", "bucket"] == "Not Due"
	assert by_inv.loc["D", "days_overdue"] == 121 and by_inv.loc["D", "bucket"] == "120+"
	assert by_inv.loc["E", "days_overdue"] == 41 and by_inv.loc["E", "bucket"] == "31-60"
	assert res.totals == {
		"Not Due": 300.0,
		"1-30": 500.0,
		"31-60": 100.0,
		"61-90": 0.0,
		"91-120": 0.0,
		"120+": 200.0,
		"total": 1100.0,
		"overdue": 800.0,
	}
	cust = res.by_customer.set_index("customer")
	assert list(cust.index) == ["X", "Y", "Z"]  # by overdue: 500, 200, 100
	assert (
		cust.loc["Y", "Not Due"] == 300.0
		and cust.loc["Y", "120+"] == 200.0
		and cust.loc["Y", "total"] == 500.0
	)
	assert cust.loc["Y", "oldest_days_overdue"] == 121 and cust.loc["Y", "open_invoices"] == 2
	assert cust.loc["X", "customer_name"] == "Xeno Ltd"
	assert cust["total"].sum() == pytest.approx(res.totals["total"])


def test_aging_of_balances_equals_the_replayed_aging(book):
	"""Today's open invoices with their balances: the same aging as replaying the movements."""
	replayed = aging(book, AS_OF, events=ledger_events(book))
	open_rows = book[book["outstanding"].abs() > 0].drop(columns=["grand_total", "settled_date"])
	direct = aging_of_balances(open_rows, AS_OF)
	pd.testing.assert_frame_equal(direct.by_invoice, replayed.by_invoice)
	pd.testing.assert_frame_equal(direct.by_customer, replayed.by_customer)
	assert direct.totals == replayed.totals and direct.labels == replayed.labels
	invoices_only = aging_of_balances(open_rows, AS_OF, customers=False)
	pd.testing.assert_frame_equal(invoices_only.by_invoice, replayed.by_invoice)
	assert invoices_only.by_customer.empty and invoices_only.totals == replayed.totals


def test_aging_of_balances_leaves_out_later_invoices_and_keeps_balances(book):
	"""An invoice posted after the day is left out; a part-paid one counts with its balance even when
	another invoice of the table is posted later (the replay of a bare table would date the payment
	at the latest posting and count the whole invoice)."""
	later = book.iloc[[1]].assign(invoice="F", posting_date=pd.Timestamp("2024-04-10"), outstanding=70.0)
	table = pd.concat([book[book["outstanding"].abs() > 0], later], ignore_index=True)
	res = aging_of_balances(table, AS_OF)
	by_inv = res.by_invoice.set_index("invoice")["outstanding"].to_dict()
	assert by_inv == {"B": 500.0, "C": 300.0, "D": 200.0, "E": 100.0}
	assert res.totals["total"] == 1100.0


def test_summary_worked_by_hand(book):
	s = summary(book, AS_OF)
	assert s["total_ar"] == 1100.0 and s["overdue"] == 800.0 and s["not_due"] == 300.0
	assert s["overdue_pct"] == 72.7
	assert s["open_invoices"] == 4 and s["open_customers"] == 3
	assert s["overdue_invoices"] == 3 and s["overdue_customers"] == 3
	# 90-day window 2024-01-02..03-31 holds A, B, C, E: 2200 of sales
	assert s["credit_sales_window"] == 2200.0
	assert s["dso_standard"] == 45.0  # 1100 / 2200 × 90
	assert s["bpdso"] == 12.3  # 300 / 2200 × 90 = 12.27
	assert s["add"] == 32.7  # 45 − 12.27
	assert s["dso_countback"] == round(60 + 31 * 300 / 1400, 1)  # 66.6
	# March: opening 1100 (B, D, E), sales 300, closing 1100, current 300 → 300 / 1100
	assert s["cei_month"] == "2024-03" and s["cei"] == 27.3
	assert [c["customer"] for c in s["top_overdue"]] == ["X", "Y", "Z"]
	assert s["top_overdue"][1]["buckets"]["120+"] == 200.0
	assert s["currency"] is None and s["currencies"] == []


def test_summary_with_exact_ledger(book):
	s = summary(book, AS_OF, events=ledger_events(book))
	assert s["total_ar"] == 1100.0  # same balances at as_of
	assert s["cei"] == 0.0  # opening 800 + 300 − 1100 = 0 collected in March


def test_summary_last_full_month_and_currency(book):
	s = summary(book.assign(currency="EUR"), "2024-03-30")
	assert s["cei_month"] == "2024-02" and s["currency"] == "EUR"
	# February: opening 1600, sales 500, closing 1100, current 500 → 1000 / 1600
	assert s["cei"] == 62.5


def test_monthly_metrics_worked_by_hand(book):
	m = monthly_metrics(book, "2024-01-01", AS_OF).set_index("month")
	assert list(m.index) == ["2024-01", "2024-02", "2024-03"]
	assert m["days"].tolist() == [31, 29, 31]
	assert m["credit_sales"].tolist() == [1400.0, 500.0, 300.0]
	assert m["collected"].tolist() == [0.0, 1000.0, 300.0]
	assert m["opening_ar"].tolist() == [200.0, 1600.0, 1100.0]
	assert m["closing_ar"].tolist() == [1600.0, 1100.0, 1100.0]
	assert m["closing_current_ar"].tolist() == [1400.0, 500.0, 300.0]
	assert m["dso_standard"].tolist() == pytest.approx([1600 / 1400 * 31, 1100 / 500 * 29, 1100 / 300 * 31])
	assert m["bpdso"].tolist() == pytest.approx([31.0, 29.0, 31.0])
	assert m["add"].tolist() == pytest.approx(
		[1600 / 1400 * 31 - 31, 1100 / 500 * 29 - 29, 1100 / 300 * 31 - 31]
	)
	assert m["cei"].tolist() == pytest.approx([0.0, 62.5, 300 / 1100 * 100])
	# Jan: 1600 over Jan 1400 (31 d), Dec 0 (31 d), Nov 200 (30 d) → 31 + 31 + 30
	assert m["dso_countback"].tolist() == pytest.approx([92.0, 29 + 31 * 600 / 1400, 60 + 31 * 300 / 1400])
	# the flows reconcile: opening + sales − collected = closing
	assert np.allclose(m["opening_ar"] + m["credit_sales"] - m["collected"], m["closing_ar"])


def test_monthly_metrics_cut_at_end_and_nan_without_sales(book):
	m = monthly_metrics(book, "2023-12-01", "2024-03-15")
	assert m["month"].tolist() == ["2023-12", "2024-01", "2024-02", "2024-03"]
	assert m["days"].tolist() == [31, 31, 29, 15]
	# December 2023: no sales, so no DSO; D (200, overdue) was collectable and nothing came in → CEI 0
	assert (
		m.loc[0, "credit_sales"] == 0.0 and np.isnan(m.loc[0, "dso_standard"]) and np.isnan(m.loc[0, "bpdso"])
	)
	assert m.loc[0, "cei"] == 0.0
	assert m.loc[0, "dso_countback"] == 61.0  # December (no sales) whole, then all of November: 31 + 30
	assert m.loc[3, "closing_ar"] == 1100.0  # E's part-payment is dated at the snapshot, 03-05
	with pytest.raises(ValueError):
		monthly_metrics(book, "2024-03-01", "2024-02-01")


def test_events_from_table_and_ledger_agree_at_snapshot():
	"""Balances at the snapshot date do not depend on when part-payments happened."""
	from optimar_erp.engine.simulate import simulate_book

	b = simulate_book(seed=11, n_customers=60, months=8, end=dt.date(2025, 3, 31))
	exact = outstanding_at(b.invoices, b.end, b.events())
	derived = outstanding_at(b.invoices, b.end)
	assert exact.to_numpy() == pytest.approx(b.invoices["outstanding"].to_numpy(), abs=0.005)
	assert derived.to_numpy() == pytest.approx(exact.to_numpy(), abs=0.005)
	s_exact, s_derived = summary(b.invoices, b.end, b.events()), summary(b.invoices, b.end)
	for key in ("total_ar", "overdue", "buckets", "dso_standard", "dso_countback", "open_invoices"):
		assert s_exact[key] == s_derived[key], key


def test_categorical_invoice_column_gives_the_same_figures():
	"""Events whose invoice column is categorical (a large ledger read by the Frappe layer) are matched
	through their categories: the same balances, aging, summary and monthly figures; events of invoices
	not in the table, or with a missing invoice, are left out as before."""
	from optimar_erp.engine.simulate import simulate_book

	b = simulate_book(seed=5, n_customers=40, months=6, end=dt.date(2025, 3, 31))
	events = b.events()
	stray = pd.DataFrame(
		{
			"invoice": ["NOT-AN-INVOICE", None],
			"customer": ["C", "C"],
			"date": [b.end, b.end],
			"amount": [5.0, 7.0],
		}
	)
	plain = pd.concat([events, stray], ignore_index=True)
	categorical = plain.assign(invoice=plain["invoice"].astype("category"))
	assert outstanding_at(b.invoices, b.end, categorical).equals(outstanding_at(b.invoices, b.end, plain))
	assert summary(b.invoices, b.end, categorical) == summary(b.invoices, b.end, plain)
	start = dt.date(2024, 11, 1)
	pd.testing.assert_frame_equal(
		monthly_metrics(b.invoices, start, b.end, categorical),
		monthly_metrics(b.invoices, start, b.end, plain),
	)
	# categories that are the table's invoices in its order: codes used as positions
	aligned = events.assign(invoice=pd.Categorical(events["invoice"], categories=b.invoices["invoice"]))
	assert summary(b.invoices, b.end, aligned) == summary(b.invoices, b.end, events)
	pd.testing.assert_frame_equal(
		monthly_metrics(b.invoices, start, b.end, aligned), monthly_metrics(b.invoices, start, b.end, events)
	)


def test_default_buckets_constant():
	assert DEFAULT_BUCKETS == (30, 60, 90, 120)
