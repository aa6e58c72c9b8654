# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document


class RiskModel(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		accuracy: DF.Percent
		alerts_raised: DF.Int
		as_of: DF.Date | None
		auc: DF.Float
		baseline_auc: DF.Float
		baseline_brier: DF.Float
		baseline_mae_days: DF.Float
		brier: DF.Float
		company: DF.Link
		customers_scored: DF.Int
		f1: DF.Float
		fit_seconds: DF.Float
		forecast_json: DF.Code | None
		holdout_from: DF.Date | None
		invoices_scored: DF.Int
		late_rate_test: DF.Percent
		late_rate_train: DF.Percent
		mae_days: DF.Float
		message: DF.SmallText | None
		metrics_json: DF.Code | None
		model_file: DF.Attach | None
		n_customers: DF.Int
		n_test: DF.Int
		n_train: DF.Int
		score_seconds: DF.Float
		scorer: DF.Literal["Model", "Baseline"]
		status: DF.Literal["Active", "Superseded", "Not Enough History", "Failed"]
		trained_on: DF.Datetime | None
	# end: auto-generated types
	"""One nightly training of the late-payment model: figures, file and what it scored.

	Written by :mod:`optimar_erp.risk`; users only read it (and may queue a new training)."""

	def validate(self):
		self.validate_metrics_json()

	def validate_metrics_json(self):
		if self.metrics_json:
			try:
				json.loads(self.metrics_json)
			except ValueError:
				frappe.throw(_("Metrics must be valid JSON."))

	def on_trash(self):
		if self.status == "Active":
			frappe.throw(_("The active model cannot be deleted; train a new one first."))
