# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from optimar_erp.constants import INTEREST_ACTIVITY_TYPES, SENDING_ACTIVITY_TYPES
from optimar_erp.exceptions import SystemActivityError
from optimar_erp.queries.invoices import invoice_field

SYSTEM_FIELDS = (
	"activity_type",
	"status",
	"customer",
	"sales_invoice",
	"invoices",
	"company",
	"channel",
	"dunning_sequence",
	"step_id",
	"dunning_run",
	"idempotency_key",
	"recipient",
	"attempts",
	"next_retry_at",
	"claim_token",
	"communication",
	"provider_message_id",
	"escalation_action",
)
"""What decides whether, what and to whom the system sends: only its own code paths write these on a
reminder or thank-you."""


class CollectionActivity(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		activity_type: DF.Literal[
			"Reminder",
			"Call",
			"Note",
			"Promise",
			"Dispute",
			"Escalation",
			"Hold",
			"Hold Released",
			"Hold Override",
			"Thank You",
			"Risk Alert",
			"Inbox",
			"Cash Application",
		]
		alert_reason: DF.Literal[
			"", "Band Worsened", "Overdue Spike", "Second Broken Promise", "Predicted Late Large Invoice"
		]
		amount: DF.Currency
		attempts: DF.Int
		channel: DF.Literal["", "Email", "SMS", "WhatsApp", "Call Task", "Letter", "Phone", "Portal"]
		claim_token: DF.Data | None
		communication: DF.Link | None
		company: DF.Link | None
		currency: DF.Link | None
		customer: DF.Link
		days_overdue: DF.Int
		dunning_run: DF.Link | None
		dunning_sequence: DF.Link | None
		escalation_action: DF.Data | None
		idempotency_key: DF.Data | None
		invoices: DF.SmallText | None
		message: DF.TextEditor | None
		next_action_date: DF.Date | None
		next_retry_at: DF.Datetime | None
		notice: DF.Data | None
		outcome: DF.Literal[
			"",
			"Reached - Will Pay",
			"Reached - Promise Recorded",
			"Reached - Disputes",
			"Reached - Refused",
			"Left Message",
			"No Answer",
			"Wrong Number",
		]
		provider_message_id: DF.Data | None
		reason: DF.SmallText | None
		recipient: DF.Data | None
		reference_doctype: DF.Link | None
		reference_name: DF.DynamicLink | None
		sales_invoice: DF.Link | None
		status: DF.Literal["Queued", "Sending", "Sent", "Failed", "Unknown", "Skipped", "Done"]
		step_id: DF.Data | None
		subject: DF.Data | None
		todo: DF.Link | None
		tone: DF.Data | None

	# end: auto-generated types
	def validate(self):
		self.guard_sending_activities()
		self.guard_interest_activities()
		self.validate_invoice_customer()
		self.set_company()

	def guard_sending_activities(self):
		"""People log calls and notes; reminders and thank-yous are the system's own (the scheduler sends
		what they say, as Administrator). The system writes them with SQL or with ``flags.system_send``."""
		if self.flags.system_send:
			return
		before = self.get_doc_before_save()
		sending = self.activity_type in SENDING_ACTIVITY_TYPES or (
			before is not None and before.activity_type in SENDING_ACTIVITY_TYPES
		)
		if not sending:
			return
		if self.is_new():
			frappe.throw(
				_("Reminders and thank-you emails are created by the dunning engine only."),
				SystemActivityError,
			)
		changed = [field for field in SYSTEM_FIELDS if self.has_value_changed(field)]
		if changed:
			frappe.throw(
				_("These fields of a reminder are set by the dunning engine only: {0}").format(
					", ".join(changed)
				),
				SystemActivityError,
			)

	def guard_interest_activities(self):
		"""Interest charged or waived is the record Charge and Waive keep: nobody writes or edits one by hand."""
		if self.flags.system_send:
			return
		before = self.get_doc_before_save()
		if self.activity_type in INTEREST_ACTIVITY_TYPES or (
			before is not None and before.activity_type in INTEREST_ACTIVITY_TYPES
		):
			frappe.throw(
				_("Interest is charged or waived from the Sales Invoice (Collections → Interest and Fees)."),
				SystemActivityError,
			)

	def validate_invoice_customer(self):
		if not self.sales_invoice:
			return
		customer = invoice_field(self.sales_invoice, "customer")
		if customer != self.customer:
			frappe.throw(
				_("Invoice {0} belongs to {1}, not to {2}.").format(
					frappe.bold(self.sales_invoice), frappe.bold(customer), frappe.bold(self.customer)
				)
			)

	def set_company(self):
		if self.sales_invoice and not self.company:
			self.company = invoice_field(self.sales_invoice, "company")
