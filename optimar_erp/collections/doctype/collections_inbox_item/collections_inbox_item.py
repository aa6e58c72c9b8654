# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, getdate, today

from optimar_erp.queries.invoices import invoice_field


class CollectionsInboxItem(Document):
	"""A customer's reply, classified, with the proposal a person accepts, edits or dismisses."""

	def validate(self):
		self.validate_invoice_belongs_to_customer()
		self.validate_proposal()

	def validate_invoice_belongs_to_customer(self):
		if self.sales_invoice and self.customer:
			owner = invoice_field(self.sales_invoice, "customer")
			if owner != self.customer:
				frappe.throw(
					_("Invoice {0} belongs to {1}, not to {2}.").format(
						self.sales_invoice, owner, self.customer
					)
				)

	def validate_proposal(self):
		if self.amount is not None and flt(self.amount) < 0:
			frappe.throw(_("The amount cannot be negative."))
		if self.status == "Needs Review" and self.promised_date and not self.is_new():
			if getdate(self.promised_date) < getdate(today()):
				frappe.throw(_("The promised date {0} is in the past.").format(self.promised_date))
