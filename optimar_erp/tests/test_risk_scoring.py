"""Risk scoring on a real site: nightly training and scoring, history, alerts once, credit advice."""

import json

import frappe
from frappe.query_builder.functions import Sum
from frappe.utils import add_days, getdate, today

from optimar_erp.demo import setup as demo_setup
from optimar_erp.engine.risk import band_of, score_of_days_late
from optimar_erp.risk import jobs, store
from optimar_erp.risk.credit import apply_credit_limit
from optimar_erp.tests.factories import CollectionsTestCase, default_company, make_customer, make_invoice

ALERTS_USER = "risk-alerts-collector@optimar.test"
RISK_BOOK = {"customers": 10, "months": 6, "seed": 20261204}
"""Its own book, big enough to train on (about 60 invoices with a known outcome) whatever other tests did
or did not leave on the site."""


def _collector() -> str:
	if not frappe.db.exists("User", ALERTS_USER):
		user = frappe.get_doc(
			{"doctype": "User", "email": ALERTS_USER, "first_name": "Risk", "send_welcome_email": 0}
		)
		user.append("roles", {"role": "Collector"})
		user.insert(ignore_permissions=True)
	return ALERTS_USER


class TestRiskScoring(CollectionsTestCase):
	SETTINGS = {
		"risk_scoring_enabled": 1,
		"risk_min_history": 30,
		"risk_holdout_days": 60,
		"risk_alerts_enabled": 1,
		"alert_overdue_spike_percent": 50,
		"alert_overdue_spike_amount": 1000,
	}

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = default_company()
		as_of = getdate(add_days(today(), -30)).replace(day=15)
		demo_setup(company=cls.company, as_of=str(as_of), **RISK_BOOK)
		# a customer whose first invoice fell overdue three days ago: 0 → 5,000 overdue this week (its band
		# starts at Critical so that only the spike can alert)
		cls.spiking = make_customer(f"Risk Spike {cls.suffix}", collector=_collector(), risk_band="Critical")
		cls.spike_invoice = make_invoice(cls.spiking, 5000, due_in_days=-3, posting_days_ago=33)
		# and one whose only invoice is 45 days overdue: expected later still, so High or Critical
		cls.lapsed = make_customer(f"Risk Lapsed {cls.suffix}", collector=_collector(), risk_band="Low")
		cls.lapsed_invoice = make_invoice(cls.lapsed, 5000, due_in_days=-45, posting_days_ago=75)
		frappe.db.commit()
		cls.summary = jobs.train_and_score(company=cls.company)[0]
		frappe.db.commit()

	def test_trains_an_active_model_with_held_out_figures(self):
		name = self.summary["trained"]
		model = frappe.get_doc("Risk Model", name)
		self.assertEqual(model.status, "Active")
		self.assertGreaterEqual(model.n_train, 30)
		self.assertTrue(model.model_file)
		self.assertEqual(frappe.db.count("Risk Model", {"company": self.company, "status": "Active"}), 1)
		loaded = store.load(name)
		self.assertEqual(loaded.metrics_["n_train"], model.n_train)
		self.assertGreater(model.invoices_scored, 0)
		# the models the training kept on the site's own history, and why, are on the record
		training = json.loads(model.metrics_json)["training"]
		late, days = training["late_model"], training["days_model"]
		self.assertEqual((late["chosen"], days["chosen"]), (loaded.late_model_, loaded.days_model_))
		self.assertIn(late["chosen"], ("boosted", "logistic", "blend"))
		self.assertTrue(late["why"].startswith(("boosted", "logistic", "blend", "too few")))
		self.assertIn("mae", days)
		self.assertIn(
			f"{late['chosen']} for the late probability, {days['chosen'].replace('_', ' ')} for days to settle",
			model.message,
		)

	def test_a_model_file_the_job_did_not_write_is_never_unpickled(self):
		"""The attack: a manager uploads a pickle and repoints Risk Model.model_file at it; workers would
		run its code when they load the model."""
		import pickle

		name = self.summary["trained"]
		marker = f"/tmp/optimar-pwned-{self.suffix}"

		class Payload:
			def __reduce__(self):
				return (open, (marker, "w"))

		evil = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": f"evil-{self.suffix}.joblib",
				"is_private": 1,
				"content": pickle.dumps(Payload()),
				"attached_to_doctype": "Risk Model",
				"attached_to_name": name,
			}
		).insert(ignore_permissions=True)
		good_url = frappe.db.get_value("Risk Model", name, "model_file")
		frappe.db.set_value("Risk Model", name, "model_file", evil.file_url)
		store._loaded.pop(name, None)
		try:
			with self.assertRaises(store.ModelIntegrityError):
				store.load(name)
			self.assertIsNone(store.active_model(self.company), "an unsigned model is not used")
			import os

			self.assertFalse(os.path.exists(marker), "the pickle must never be loaded")
			# a signed file whose bytes changed is refused as well
			with open(frappe.get_doc("File", {"file_url": good_url}).get_full_path(), "rb") as f:
				signed = f.read()
			with self.assertRaises(store.ModelIntegrityError):
				store.verified(signed[:-1] + bytes([signed[-1] ^ 1]))
			self.assertTrue(signed.endswith(store.verified(signed)))
		finally:
			frappe.db.set_value("Risk Model", name, "model_file", good_url)
			store._loaded.pop(name, None)
		self.assertEqual(
			store.load(name).metrics_["n_train"], frappe.db.get_value("Risk Model", name, "n_train")
		)

	def test_open_invoices_get_probability_pay_date_and_band(self):
		si = frappe.qb.DocType("Sales Invoice")
		rows = (
			frappe.qb.from_(si)
			.select(
				si.name,
				si.posting_date,
				si.late_probability,
				si.predicted_pay_date,
				si.risk_band,
				si.risk_factors,
			)
			.where((si.company == self.company) & (si.docstatus == 1) & (si.is_return == 0))
			.where(si.outstanding_amount > 0.005)
			.run(as_dict=True)
		)
		# every invoice scored by the nightly run (plus any scored on submit since)
		self.assertGreaterEqual(len(rows), self.summary["invoices"])
		tomorrow = getdate(add_days(today(), 1))
		rows = [
			r for r in rows if getdate(r.posting_date) <= getdate(today())
		]  # not other tests' future ones
		for row in rows:
			self.assertTrue(0 <= row.late_probability <= 100, row.name)
			self.assertGreaterEqual(getdate(row.predicted_pay_date), tomorrow, row.name)
			self.assertIn(row.risk_band, ("Low", "Medium", "High", "Critical"), row.name)
		# factors in words where something stands out (an unremarkable invoice may have none)
		with_factors = [r for r in rows if r.risk_factors]
		self.assertGreater(len(with_factors), len(rows) // 2)

	def test_customers_get_score_band_and_a_history_row_per_day(self):
		customer = frappe.db.get_value(
			"Customer", self.spiking, ["risk_score", "risk_band", "risk_scored_on"], as_dict=True
		)
		# all it owes is one invoice 3 days overdue: its score is that invoice's score, the score of the
		# days late it is expected to be paid (later than it already is)
		invoice = frappe.db.get_value(
			"Sales Invoice", self.spike_invoice, ["due_date", "predicted_pay_date", "risk_band"], as_dict=True
		)
		days_late = (getdate(invoice.predicted_pay_date) - getdate(invoice.due_date)).days
		self.assertGreater(days_late, 3)
		self.assertAlmostEqual(customer.risk_score, float(score_of_days_late([days_late])[0]), delta=1)
		self.assertEqual(customer.risk_band, band_of([customer.risk_score])[0])
		self.assertEqual(invoice.risk_band, band_of(score_of_days_late([days_late]))[0])
		lapsed = frappe.db.get_value("Customer", self.lapsed, ["risk_score", "risk_band"], as_dict=True)
		self.assertIn(lapsed.risk_band, ("High", "Critical"))  # 45 days overdue and counting
		self.assertGreater(lapsed.risk_score, customer.risk_score)
		self.assertEqual(getdate(customer.risk_scored_on), getdate(today()))
		rows = frappe.get_all(
			"Customer Risk Score",
			{"customer": self.spiking, "date": today()},
			["score", "band", "overdue_amount"],
		)
		self.assertEqual(len(rows), 1)
		self.assertEqual(rows[0].overdue_amount, 5000)
		self.assertEqual(
			frappe.db.count("Customer Risk Score", {"company": self.company, "date": today()}),
			self.summary["customers"],
		)

	def test_alerts_fire_once(self):
		alerts = frappe.get_all(
			"Collection Activity",
			{"customer": self.spiking, "activity_type": "Risk Alert"},
			["alert_reason", "subject"],
		)
		self.assertEqual(sorted(a.alert_reason for a in alerts), ["Overdue Spike"])
		lapsed = frappe.get_all(
			"Collection Activity",
			{"customer": self.lapsed, "activity_type": "Risk Alert"},
			pluck="alert_reason",
		)
		self.assertEqual(lapsed, ["Band Worsened"])
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": ALERTS_USER, "document_type": "Customer", "document_name": self.spiking},
			)
		)
		# the same night again, and a day later (the cooldown is a week): nothing new
		frappe.db.set_value("Customer", self.lapsed, "risk_band", "Medium")
		again = jobs.train_and_score(company=self.company, train=False)[0]
		self.assertEqual(
			frappe.db.count(
				"Collection Activity",
				{"customer": ("in", [self.spiking, self.lapsed]), "activity_type": "Risk Alert"},
			),
			2,
		)
		self.assertEqual(again["trained"], None)
		# a re-run the same day replaces the day's history rows rather than adding to them
		self.assertEqual(
			frappe.db.count("Customer Risk Score", {"customer": self.spiking, "date": today()}), 1
		)

	def test_not_enough_history_keeps_the_active_model(self):
		frappe.db.set_single_value("Collections Settings", "risk_min_history", 10_000_000)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			result = jobs.train_and_score(company=self.company)[0]
		finally:
			frappe.db.set_single_value("Collections Settings", "risk_min_history", 30)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")
		self.assertEqual(frappe.db.get_value("Risk Model", result["trained"], "status"), "Not Enough History")
		self.assertEqual(store.active_model_name(self.company), self.summary["trained"])
		self.assertGreater(result["invoices"], 0)  # still scored with the active model

	def test_new_invoice_is_scored_on_submit(self):
		customer = make_customer(f"Risk New {self.suffix}")
		name = make_invoice(customer, 1234, due_in_days=30, posting_days_ago=0)
		preds = jobs.score_invoices([name])
		self.assertEqual(list(preds["invoice"]), [name])
		values = frappe.db.get_value(
			"Sales Invoice", name, ["late_probability", "predicted_pay_date", "risk_band"], as_dict=True
		)
		self.assertTrue(values.risk_band)
		self.assertGreater(getdate(values.predicted_pay_date), getdate(today()))
		self.assertAlmostEqual(values.late_probability, round(100 * preds["late_probability"].iloc[0], 1), 1)

	def test_credit_advice_is_shown_and_applied_only_by_a_user(self):
		advised = frappe.get_all(
			"Customer",
			{"recommended_credit_limit": (">", 0), "credit_advice_company": self.company},
			["name", "recommended_credit_limit", "credit_advice"],
		)
		self.assertTrue(advised, "no customer got a credit advice")
		# ERPNext refuses a limit below what the customer owes: take one the advice covers
		invoice = frappe.qb.DocType("Sales Invoice")
		owed = dict(
			frappe.qb.from_(invoice)
			.select(invoice.customer, Sum(invoice.outstanding_amount))
			.where((invoice.docstatus == 1) & (invoice.company == self.company))
			.groupby(invoice.customer)
			.run()
		)
		customer = next(c for c in advised if c.recommended_credit_limit >= (owed.get(c.name) or 0))
		# start from no limit for this company (an earlier run of the suite may have applied one)
		frappe.db.delete("Customer Credit Limit", {"parent": customer.name, "company": self.company})
		self.assertIn("Recommended limit", customer.credit_advice)
		with self.assertRaises(frappe.ValidationError):
			apply_credit_limit(customer.name, self.company, 0)
		apply_credit_limit(customer.name, self.company, customer.recommended_credit_limit)
		limit = frappe.db.get_value(
			"Customer Credit Limit", {"parent": customer.name, "company": self.company}, "credit_limit"
		)
		self.assertEqual(limit, customer.recommended_credit_limit)
		self.assertTrue(
			frappe.db.exists(
				"Collection Activity", {"customer": customer.name, "activity_type": "Note", "amount": limit}
			)
		)

	def test_bad_alert_settings_are_refused(self):
		settings = frappe.get_single("Collections Settings")
		settings.alert_days_ahead_min, settings.alert_days_ahead_max = 30, 10
		with self.assertRaisesRegex(frappe.ValidationError, "cannot be more than"):
			settings.save()
