# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document


class RiskModel(Document):
	"""One nightly training of the late-payment model: figures, file and what it scored.

	Written by :mod:`optimar_erp.risk_scoring`; users only read it (and may queue a new training)."""

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
