"""What a collector sees of the risk (issue 17 item 5): bands that spread, an overdue invoice's expected
payment date instead of a late probability, factors in today's facts with amounts in the currency, and
the baseline used (and said) when the site's model is no better."""

import pandas as pd

import frappe
from frappe.utils import add_days, fmt_money, getdate, today

from optimar_erp.collections.report.ar_aging_with_risk import ar_aging_with_risk
from optimar_erp.demo import setup as demo_setup
from optimar_erp.engine.risk import band_of, score_of_days_late
from optimar_erp.risk import jobs, store
from optimar_erp.tests.factories import CollectionsTestCase, default_company, make_customer, make_invoice

DISPLAY_BOOK = {"customers": 10, "months": 6, "seed": 20261217}


class TestRiskDisplay(CollectionsTestCase):
	SETTINGS = {"risk_scoring_enabled": 1, "risk_min_history": 30, "risk_holdout_days": 60}

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = default_company()
		cls.currency = frappe.get_cached_value("Company", cls.company, "default_currency")
		demo_setup(
			company=cls.company, as_of=str(getdate(add_days(today(), -30)).replace(day=15)), **DISPLAY_BOOK
		)
		# a customer with two invoices overdue today (40 and 10 days) and one not yet due
		cls.customer = make_customer(
			f"Risk Display {frappe.generate_hash(length=8)}"
		)  # its own invoices only
		cls.old = make_invoice(cls.customer, 4321.5, due_in_days=-40, posting_days_ago=70)
		cls.recent = make_invoice(cls.customer, 1000, due_in_days=-10, posting_days_ago=40)
		cls.not_due = make_invoice(cls.customer, 2500, due_in_days=20, posting_days_ago=10)
		frappe.db.commit()
		cls.summary = jobs.train_and_score(company=cls.company)[0]
		frappe.db.commit()

	def _invoice(self, name):
		return frappe.db.get_value(
			"Sales Invoice",
			name,
			["due_date", "predicted_pay_date", "risk_band", "risk_factors", "late_probability"],
			as_dict=True,
		)

	def test_overdue_invoices_are_expected_after_today_and_banded_by_days_late(self):
		tomorrow = getdate(add_days(today(), 1))
		for name, overdue in ((self.old, 40), (self.recent, 10)):
			row = self._invoice(name)
			self.assertGreaterEqual(getdate(row.predicted_pay_date), tomorrow, name)
			days_late = (getdate(row.predicted_pay_date) - getdate(row.due_date)).days
			self.assertGreater(days_late, overdue)
			self.assertEqual(row.risk_band, band_of(score_of_days_late([days_late]))[0])
		self.assertIn(self._invoice(self.old).risk_band, ("High", "Critical"))  # 40 days and counting

	def test_why_quotes_todays_overdue_invoices_in_the_currency(self):
		"""The factors are today's: two invoices overdue (5,321.50), not what was open on posting."""
		money = jobs.money_writer(self.company)
		written = money(pd.Series([5321.5])).iloc[0]
		self.assertEqual(written, fmt_money(5321.5, currency=self.currency))
		name, model = store.active_model(self.company)
		history = jobs.history_frame(self.company, today(), customers=[self.customer])
		open_ = history[history["outstanding"] > 0.005]
		preds = model.predict(open_, history=history, as_of=pd.Timestamp(getdate(today())), money=money)
		feats = model._today_view(
			history,
			open_,
			model.features(open_, history),
			pd.Timestamp(getdate(today())),
			(open_.index == open_.index),
		)
		self.assertEqual(feats["overdue_count"].tolist(), [2.0, 2.0, 2.0])
		self.assertEqual(feats["overdue_amount"].tolist(), [5321.5] * 3)
		self.assertEqual(sorted(feats["open_count"].tolist()), [2.0, 2.0, 2.0])
		stored = [self._invoice(n).risk_factors or "" for n in (self.old, self.recent, self.not_due)]
		self.assertEqual(sorted(stored), sorted(preds["risk_factors"].fillna("").tolist()))
		for text in stored:
			self.assertNotIn("already overdue", text)
			if "overdue (" in text:
				self.assertIn(f"2 invoices overdue ({written} outstanding)", text)

	def test_ar_aging_shows_no_late_probability_for_overdue_rows(self):
		columns, rows, *_ = ar_aging_with_risk.execute({"company": self.company})
		labels = {c["fieldname"]: c["label"] for c in columns}
		self.assertEqual(labels["predicted_pay_date"], "Expected Payment Date")
		overdue = [r for r in rows if r["days_overdue"] > 0 and r["risk_band"]]
		not_due = [r for r in rows if r["days_overdue"] <= 0 and r["risk_band"]]
		self.assertTrue(overdue and not_due)
		self.assertEqual([r["invoice"] for r in overdue if r["late_probability"] is not None], [])
		self.assertTrue(any(r["late_probability"] is not None for r in not_due))

	def test_a_model_no_better_than_the_baseline_scores_with_the_baseline_and_says_so(self):
		name, model = store.active_model(self.company)
		figures = {"auc": 0.922, "brier": 0.097, "baseline": {"auc": 0.920, "brier": 0.094}}
		fallback = model.from_bytes(model.to_bytes())
		message = jobs.choose_scorer(fallback, figures)
		self.assertEqual(
			message,
			"Using the baseline: the trained model was not better on this site's holdout "
			"(AUC 0.922 vs 0.920, Brier 0.097 vs 0.094).",
		)
		self.assertTrue(fallback.uses_baseline)
		self.assertIsNone(jobs.choose_scorer(model, {**figures, "auc": 0.95, "brier": 0.08}))
		self.assertFalse(model.uses_baseline)
		saved = store.save_active(
			self.company, fallback, {"evaluation": figures}, scorer="Baseline", message=message
		)
		try:
			doc = frappe.get_doc("Risk Model", saved)
			self.assertEqual((doc.status, doc.scorer, doc.message), ("Active", "Baseline", message))
			store._loaded.pop(saved, None)
			self.assertTrue(store.load(saved).uses_baseline)  # the choice is in the signed file
			result = jobs.train_and_score(company=self.company, train=False)[0]
			self.assertGreater(result["invoices"], 0)
			history = jobs.history_frame(self.company, today(), customers=[self.customer])
			rate = model.features(history[history["invoice"] == self.not_due], history)["late_rate"].iloc[0]
			if rate != rate:  # no settled invoice yet: the training late rate
				rate = model.metrics_["late_rate_train"]
			self.assertAlmostEqual(self._invoice(self.not_due).late_probability, round(100 * rate, 1), 1)
		finally:
			frappe.db.set_value("Risk Model", saved, "status", "Superseded")
			frappe.db.set_value("Risk Model", name, "status", "Active")
			frappe.db.commit()
