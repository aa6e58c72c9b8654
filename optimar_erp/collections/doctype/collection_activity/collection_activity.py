# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class CollectionActivity(Document):
	def validate(self):
		self.validate_invoice_customer()
		self.set_company()

	def validate_invoice_customer(self):
		if not self.sales_invoice:
			return
		customer = frappe.db.get_value("Sales Invoice", self.sales_invoice, "customer")
		if customer != self.customer:
			frappe.throw(
				_("Invoice {0} belongs to {1}, not to {2}.").format(
					frappe.bold(self.sales_invoice), frappe.bold(customer), frappe.bold(self.customer)
				)
			)

	def set_company(self):
		if self.sales_invoice and not self.company:
			self.company = frappe.db.get_value("Sales Invoice", self.sales_invoice, "company")
