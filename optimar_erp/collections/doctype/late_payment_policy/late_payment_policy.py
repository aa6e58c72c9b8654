# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from optimar_erp.dunning.interest import InterestPolicyError, to_engine
from optimar_erp.engine import interest as engine

SCOPE_FIELD = {"Company": None, "Customer Group": "customer_group", "Customer": "customer"}


class LatePaymentPolicy(Document):
	def validate(self):
		self.apply_preset()
		self.validate_scope()
		self.validate_income_account()
		self.validate_rates()
		try:
			engine.validate(to_engine(self))
		except engine.InterestError as e:
			raise InterestPolicyError(str(e)) from e

	def apply_preset(self):
		"""A preset chosen (or changed) fills method, rate source, multiplier, margin and bands as its law
		sets them; the fields may be raised afterwards (a higher margin), never below the law's."""
		if not self.preset or self.preset == engine.PRESET_NONE:
			return
		law = engine.preset(self.preset)
		if self.is_new() or self.has_value_changed("preset"):
			self.method = law.method
			self.rate_source = law.rate_source
			self.multiplier = law.multiplier
			self.margin = max(flt(self.margin), law.margin)
			if not self.fee_bands:
				for band in law.fee_bands:
					self.append("fee_bands", {"debt_below": band.below or 0, "fee": band.fee})
		if self.method != law.method or self.rate_source != law.rate_source:
			raise InterestPolicyError(
				_(
					"The {0} preset is {1} interest on a reference rate: choose the preset None to change it."
				).format(self.preset, _(law.method))
			)
		if flt(self.margin) < law.margin or flt(self.multiplier) < law.multiplier:
			raise InterestPolicyError(
				_("The {0} preset charges at least {1} × the reference rate + {2} points.").format(
					self.preset, law.multiplier, law.margin
				)
			)

	def validate_scope(self):
		field = SCOPE_FIELD.get(self.applies_to)
		if self.applies_to not in SCOPE_FIELD:
			raise InterestPolicyError(_("Applies To must be Company, Customer Group or Customer."))
		if field and not self.get(field):
			raise InterestPolicyError(_("Choose the {0} this policy applies to.").format(_(self.applies_to)))
		for other in ("customer_group", "customer"):
			if other != field:
				self.set(other, None)
		filters = {
			"company": self.company,
			"applies_to": self.applies_to,
			"enabled": 1,
			"name": ("!=", self.name),
		}
		if field:
			filters[field] = self.get(field)
		if self.enabled and frappe.db.exists("Late Payment Policy", filters):
			raise InterestPolicyError(
				_("{0} already has an enabled policy for {1}.").format(
					self.company, self.get(field) if field else _("the whole company")
				)
			)

	def validate_income_account(self):
		account = frappe.db.get_value(
			"Account", self.income_account, ["company", "root_type", "is_group", "disabled"], as_dict=True
		)
		if not account or account.company != self.company:
			raise InterestPolicyError(
				_("Account {0} does not belong to {1}.").format(self.income_account, self.company)
			)
		if account.root_type != "Income" or account.is_group or account.disabled:
			raise InterestPolicyError(
				_("Account {0} must be an enabled Income ledger (not a group).").format(self.income_account)
			)

	def validate_rates(self):
		if self.rate_source == engine.REFERENCE and not self.reference_rate:
			raise InterestPolicyError(_("Choose the Reference Rate this policy follows."))
