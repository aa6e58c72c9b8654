# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from optimar_erp.constants import CHEQUE_CLEARED, CHEQUE_PENDING, PROMISE_OPEN
from optimar_erp.dunning.cheques import ChequeError
from optimar_erp.queries.invoices import submitted_invoice_customer
from optimar_erp.queries.promises import promise_fields


class PostDatedCheque(Document):
	def validate(self):
		self.guard_status()
		self.set_from_promise()
		self.cheque_no = (self.cheque_no or "").strip()
		if flt(self.amount) <= 0:
			raise ChequeError(_("The cheque's amount must be more than zero."))
		if not self.cheque_no:
			raise ChequeError(_("Enter the cheque number."))
		self.validate_invoices()
		if frappe.db.exists(
			"Post Dated Cheque",
			{
				"customer": self.customer,
				"cheque_no": self.cheque_no,
				"status": ("in", (CHEQUE_PENDING, CHEQUE_CLEARED)),
				"name": ("!=", self.name),
			},
		):
			raise ChequeError(
				_("Cheque {0} of {1} is already recorded.").format(self.cheque_no, self.customer)
			)

	def guard_status(self):
		"""The status follows the bank: cleared by a Payment Entry, bounced by Mark Bounced or a cancelled
		Payment Entry. Nobody sets it by hand."""
		if self.is_new():
			self.status = CHEQUE_PENDING
		elif self.has_value_changed("status"):
			raise ChequeError(_("A cheque's status changes with its Payment Entry or Mark Bounced only."))

	def set_from_promise(self):
		promise = promise_fields(self.promise_to_pay, ["customer", "company", "currency", "status"])
		if not promise:
			raise ChequeError(_("Promise to Pay {0} does not exist.").format(self.promise_to_pay))
		if self.is_new() and promise.status != PROMISE_OPEN:
			raise ChequeError(
				_("Promise {0} is {1}: a cheque goes on an open promise.").format(
					self.promise_to_pay, _(promise.status)
				)
			)
		self.customer, self.company, self.currency = promise.customer, promise.company, promise.currency

	def validate_invoices(self):
		for row in self.invoices:
			customer = submitted_invoice_customer(row.sales_invoice)
			if customer != self.customer:
				raise ChequeError(
					_("Row {0}: {1} is not a submitted invoice of {2}.").format(
						row.idx, row.sales_invoice, self.customer
					)
				)
