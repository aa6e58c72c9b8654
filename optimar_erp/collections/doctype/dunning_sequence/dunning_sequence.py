# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

MIN_OFFSET_DAYS = -90
MAX_OFFSET_DAYS = 365


class DunningSequence(Document):
	def validate(self):
		self.validate_steps_present()
		self.validate_offsets()
		self.sort_steps()

	def validate_steps_present(self):
		if not self.steps:
			frappe.throw(_("Add at least one step to the sequence."), title=_("Steps"))

	def validate_offsets(self):
		seen = set()
		for step in self.steps:
			if not MIN_OFFSET_DAYS <= step.offset_days <= MAX_OFFSET_DAYS:
				frappe.throw(
					_("Row {0}: the offset must be between {1} and {2} days, not {3}.").format(
						step.idx, MIN_OFFSET_DAYS, MAX_OFFSET_DAYS, step.offset_days
					),
					title=_("Steps"),
				)
			key = (step.offset_days, step.channel)
			if key in seen:
				frappe.throw(
					_("Row {0}: another step already sends by {1} at offset {2}.").format(
						step.idx, _(step.channel), step.offset_days
					),
					title=_("Steps"),
				)
			seen.add(key)

	def sort_steps(self):
		self.steps.sort(key=lambda step: (step.offset_days, step.idx))
		for idx, step in enumerate(self.steps, start=1):
			step.idx = idx
