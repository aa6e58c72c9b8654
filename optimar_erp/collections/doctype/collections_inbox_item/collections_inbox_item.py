# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, getdate, today

from optimar_erp.queries.invoices import invoice_field


class CollectionsInboxItem(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		communication: DF.Link | None
		company: DF.Link | None
		confidence: DF.Percent
		currency: DF.Link | None
		customer: DF.Link | None
		document: DF.Data | None
		excerpt: DF.SmallText | None
		handled_by: DF.Link | None
		handled_on: DF.Datetime | None
		intent: DF.Literal[
			"", "Promise to Pay", "Dispute", "Payment Made", "Document Request", "Out of Office", "Other"
		]
		invoices: DF.SmallText | None
		payment_date: DF.Date | None
		payment_entry: DF.Link | None
		promised_date: DF.Date | None
		reason_code: DF.Literal[
			"", "Pricing", "Quantity", "Quality", "Missing PO", "Duplicate Billing", "Delivery / POD", "Other"
		]
		received_on: DF.Datetime | None
		reference: DF.Data | None
		result_doctype: DF.Link | None
		result_name: DF.DynamicLink | None
		return_date: DF.Date | None
		review_reasons: DF.SmallText | None
		sales_invoice: DF.Link | None
		sender: DF.Data | None
		status: DF.Literal["Needs Review", "Auto-Applied", "Accepted", "Dismissed"]
		subject: DF.Data | None
		suggested_action: DF.Literal[
			"",
			"Draft Promise",
			"Draft Dispute",
			"Send Document",
			"Snooze Dunning",
			"Match Payment",
			"Human Review",
		]
	# end: auto-generated types
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
