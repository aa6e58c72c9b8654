# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, getdate

from optimar_erp.dunning.interest import InterestPolicyError


class ReferenceInterestRate(Document):
	def validate(self):
		if not self.rates:
			raise InterestPolicyError(_("Enter at least one rate with the date it applies from."))
		seen = set()
		for row in self.rates:
			if flt(row.rate) < 0:
				raise InterestPolicyError(_("Row {0}: a rate cannot be negative.").format(row.idx))
			day = getdate(row.effective_date)
			if day in seen:
				raise InterestPolicyError(
					_("Row {0}: there is already a rate from {1}.").format(row.idx, row.effective_date)
				)
			seen.add(day)
		self.rates.sort(key=lambda r: getdate(r.effective_date))
		for i, row in enumerate(self.rates, 1):
			row.idx = i
