"""The simulated AR book: determinism, accounting invariants and the behaviour of each archetype."""

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.schema import validate_invoices
from optimar_erp.engine.simulate import ARCHETYPES, Book, is_run_day, run_days, simulate_book

END = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def book() -> Book:
	return simulate_book(seed=7, n_customers=300, months=18, end=END)


def days_late(inv: pd.DataFrame) -> pd.Series:
	return (inv["settled_date"] - inv["due_date"]).dt.days


def test_deterministic_for_a_seed():
	a = simulate_book(seed=3, n_customers=40, months=6, end=END)
	b = simulate_book(seed=3, n_customers=40, months=6, end=END)
	for name in ("customers", "invoices", "payments", "credit_notes"):
		pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
	c = simulate_book(seed=4, n_customers=40, months=6, end=END)
	assert not a.invoices["grand_total"].equals(c.invoices["grand_total"])


def test_shape_and_schema(book):
	assert book.start == dt.date(2024, 1, 1) and book.end == END
	inv = validate_invoices(book.invoices)  # raises if anything is off
	assert len(inv) == len(book.invoices) > 3000
	assert inv["invoice"].iloc[0] == "SIM-INV-00001"
	assert inv["invoice"].is_monotonic_increasing and inv["posting_date"].is_monotonic_increasing
	assert {"payment_terms_days", "archetype"} <= set(book.invoices.columns)
	assert (book.invoices["currency"] == "USD").all() and (book.invoices["company"] == "Demo Company").all()
	assert (inv["posting_date"].dt.dayofweek < 5).all()  # business days
	terms = (inv["due_date"] - inv["posting_date"]).dt.days
	assert (terms == book.invoices["payment_terms_days"]).all()


def test_customers(book):
	c = book.customers
	assert len(c) == 300 and c["customer"].is_unique and c["customer"].iloc[0] == "CUST-0001"
	assert c["customer_name"].is_unique and c["email"].is_unique
	assert c["email"].str.fullmatch(r"ap@[a-z0-9-]+\.example").all()
	assert set(c["customer_group"]) <= {"Commercial", "Government", "Non Profit", "Individual"}
	assert (c["customer_group"] == "Commercial").mean() > 0.7
	assert set(c["territory"]) <= {"United States", "India", "Rest Of The World"}
	assert set(c["payment_terms_days"]) <= {15, 30, 45, 60}
	assert (c["credit_limit"] > 0).all() and (c["typical_amount"] > 0).all()
	counts = c["archetype"].value_counts()
	assert set(counts.index) == set(ARCHETYPES)
	assert counts["on_time"] == 105 and counts["deteriorating"] == 30  # 35% and 10% of 300
	runs = c[c["archetype"] == "payment_run"]
	assert runs["payment_run_rule"].isin(["15,EOM", "FRI", "EOM"]).all()
	assert (c.loc[c["archetype"] != "payment_run", "payment_run_rule"] == "").all()


def test_balances_reconcile(book):
	inv = book.invoices.set_index("invoice")
	paid = book.payments.groupby("invoice")["allocated_amount"].sum().reindex(inv.index, fill_value=0.0)
	credited = book.credit_notes.groupby("invoice")["amount"].sum().reindex(inv.index, fill_value=0.0)
	assert np.allclose(inv["grand_total"] - paid - credited, inv["outstanding"], atol=0.01)
	assert (inv["outstanding"] >= 0).all()
	ev = book.events().groupby("invoice")["amount"].sum().reindex(inv.index)
	assert np.allclose(ev, inv["outstanding"], atol=0.01)


def test_settled_date_is_last_movement(book):
	inv = book.invoices.set_index("invoice")
	moves = pd.concat(
		[
			book.payments[["invoice", "posting_date"]],
			book.credit_notes[["invoice", "posting_date"]],
		]
	)
	last = moves.groupby("invoice")["posting_date"].max().reindex(inv.index)
	settled = inv["settled_date"].notna()
	assert (settled == (inv["outstanding"].abs() < 0.005)).all()
	assert (inv.loc[settled, "settled_date"] == last[settled]).all()
	assert settled.mean() > 0.8 and (~settled).sum() > 100


def test_nothing_after_end_or_before_the_invoice(book):
	end = pd.Timestamp(END)
	assert book.invoices["posting_date"].max() <= end
	assert book.payments["posting_date"].max() <= end and book.credit_notes["posting_date"].max() <= end
	posted = book.invoices.set_index("invoice")["posting_date"]
	assert (book.payments["posting_date"] >= posted.reindex(book.payments["invoice"]).to_numpy()).all()
	assert (
		book.credit_notes["posting_date"] >= posted.reindex(book.credit_notes["invoice"]).to_numpy()
	).all()


def test_payment_documents(book):
	p = book.payments
	assert list(p.columns) == [
		"payment_id",
		"customer",
		"posting_date",
		"amount",
		"reference",
		"invoice",
		"allocated_amount",
	]
	per = p.groupby("payment_id").agg(
		amount=("amount", "first"),
		total=("allocated_amount", "sum"),
		customers=("customer", "nunique"),
		dates=("posting_date", "nunique"),
		rows=("invoice", "size"),
	)
	assert np.allclose(per["amount"], per["total"], atol=0.005)
	assert (per["customers"] == 1).all() and (per["dates"] == 1).all()
	assert (p["allocated_amount"] > 0).all()
	# payment runs bundle invoices: some payments settle several at once
	assert (per["rows"] > 1).sum() > 20
	inv_customer = book.invoices.set_index("invoice")["customer"]
	assert (inv_customer.reindex(p["invoice"]).to_numpy() == p["customer"].to_numpy()).all()


def test_on_time_customers_rarely_late(book):
	inv = book.invoices[(book.invoices["archetype"] == "on_time") & book.invoices["settled_date"].notna()]
	late = days_late(inv)
	assert (late > 0).mean() < 0.15
	assert (late < 0).mean() > 0.3  # some pay early


def test_chronic_late_customers(book):
	inv = book.invoices[
		(book.invoices["archetype"] == "chronic_late") & book.invoices["settled_date"].notna()
	]
	assert 10 <= days_late(inv).mean() <= 20
	assert (days_late(inv) > 0).mean() > 0.9


def test_payment_run_customers_pay_on_run_days(book):
	rules = book.customers.set_index("customer")["payment_run_rule"]
	runs = book.payments[book.payments["customer"].map(rules) != ""]
	assert len(runs) > 100
	for customer, day in zip(runs["customer"], runs["posting_date"], strict=True):
		assert is_run_day(rules[customer], day.date()), (customer, day)


def test_run_days():
	assert run_days("15,EOM", dt.date(2024, 2, 1), dt.date(2024, 3, 31)) == [
		dt.date(2024, 2, 15),
		dt.date(2024, 2, 29),
		dt.date(2024, 3, 15),
		dt.date(2024, 3, 31),
	]
	assert run_days("FRI", dt.date(2024, 6, 1), dt.date(2024, 6, 14)) == [
		dt.date(2024, 6, 7),
		dt.date(2024, 6, 14),
	]
	assert run_days("EOM", dt.date(2024, 1, 1), dt.date(2024, 2, 28)) == [dt.date(2024, 1, 31)]
	with pytest.raises(ValueError):
		run_days("MON", dt.date(2024, 1, 1), dt.date(2024, 1, 31))


def test_deteriorating_customers_get_later(book):
	inv = book.invoices[book.invoices["archetype"] == "deteriorating"]
	late = (inv["settled_date"].fillna(pd.Timestamp(END)) - inv["due_date"]).dt.days
	first = inv["posting_date"] < pd.Timestamp("2024-07-01")
	last = inv["posting_date"] >= pd.Timestamp("2025-01-01")
	assert late[last].mean() > late[first].mean() + 15
	assert late[first].mean() < 10
	# some are still open and far past due at the end
	still_open = inv[
		inv["settled_date"].isna() & (inv["due_date"] < pd.Timestamp(END) - pd.Timedelta(days=30))
	]
	assert len(still_open) > 10


def test_disputers_get_credit_notes(book):
	inv = book.invoices
	old = inv[
		(inv["archetype"] == "disputer") & (inv["posting_date"] < pd.Timestamp(END) - pd.Timedelta(days=60))
	]
	credited = old["invoice"].isin(book.credit_notes["invoice"])
	assert credited.mean() >= 0.2
	cn = book.credit_notes.merge(
		inv[["invoice", "grand_total", "posting_date"]], on="invoice", suffixes=("", "_inv")
	)
	share = cn["amount"] / cn["grand_total"]
	assert share.between(0.049, 0.401).all()
	weeks = (cn["posting_date"] - cn["posting_date_inv"]).dt.days
	assert weeks.between(12, 45).all()  # 2-6 weeks, shifted off weekends
	assert set(inv.loc[inv["archetype"] != "disputer", "invoice"]).isdisjoint(book.credit_notes["invoice"])
	assert inv["disputed"].sum() >= 1 and (inv.loc[inv["disputed"], "archetype"] == "disputer").all()


def test_partial_payers_pay_in_instalments(book):
	inv = book.invoices[
		(book.invoices["archetype"] == "partial_payer") & book.invoices["settled_date"].notna()
	]
	n_payments = book.payments.groupby("invoice").size().reindex(inv["invoice"])
	assert (n_payments >= 2).mean() > 0.6
	multi = inv[(n_payments >= 2).to_numpy()]
	assert (multi["settled_date"] > multi["due_date"]).all()  # the last instalment is late


def test_seasonal_volume(book):
	month = book.invoices["posting_date"].dt.month
	per_month = book.invoices.groupby(book.invoices["posting_date"].dt.to_period("M")).size()
	busy = per_month[[p.month in (3, 9, 10, 11) for p in per_month.index]].mean()
	quiet = per_month[[p.month in (1, 8) for p in per_month.index]].mean()
	assert busy > quiet * 1.2
	assert month.nunique() == 12


def test_large_book_is_fast():
	t0 = time.perf_counter()
	big = simulate_book(seed=1, n_customers=1000, months=24, end=END)
	assert time.perf_counter() - t0 < 5.0
	assert len(big.invoices) > 20_000


def test_the_readmes_quick_demo_book_is_big_enough_to_train_the_risk_model():
	"""README: ``demo.setup --kwargs "{'customers': 50, 'months': 9}"`` must end with scored invoices, so
	its book needs the model's minimum of 300 invoices with a known outcome (6 months gave only 213)."""
	from optimar_erp.engine.risk import late_labels

	minimum = 300
	for end in (dt.date(2026, 1, 15), dt.date(2026, 6, 15), dt.date(2026, 12, 4)):
		book = simulate_book(seed=7, n_customers=50, months=9, end=end)
		invoices = book.invoices.copy()
		for col in ("posting_date", "due_date", "settled_date"):
			invoices[col] = pd.to_datetime(invoices[col])
		known = int(late_labels(invoices, pd.Timestamp(end)).notna().sum())
		assert known >= minimum, (end, known)
