# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_days, flt, fmt_money, getdate, today

from optimar_erp.constants import AMOUNT_TOLERANCE, DISPUTE_OPEN_STATUSES
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.exceptions import InvalidDisputeError
from optimar_erp.queries.disputes import breached_unnotified, open_dispute_on, open_disputes_on
from optimar_erp.queries.invoices import invoice_field
from optimar_erp.queries.users import collections_managers

DEFAULT_SLA_DAYS = 10
OPEN = DISPUTE_OPEN_STATUSES
TRANSITIONS = {
	"Open": {"Open", "Under Review", "Resolved"},
	"Under Review": {"Under Review", "Resolved", "Open"},
	"Resolved": {"Resolved", "Closed", "Under Review"},
	"Closed": {"Closed"},
}


class Dispute(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		company: DF.Link | None
		credit_note: DF.Link | None
		currency: DF.Link | None
		customer: DF.Link | None
		description: DF.Text
		dispute_owner: DF.Link | None
		disputed_amount: DF.Currency
		reason_code: DF.Literal[
			"Pricing", "Quantity", "Quality", "Missing PO", "Duplicate Billing", "Delivery / POD", "Other"
		]
		resolution: DF.Literal["", "Credit Note Issued", "Rejected", "Write-off"]
		resolution_notes: DF.SmallText | None
		resolved_on: DF.Date | None
		sales_invoice: DF.Link
		sla_breach_notified: DF.Check
		sla_due_date: DF.Date | None
		source: DF.Literal["Collector", "Portal", "Inbox"]
		status: DF.Literal["Open", "Under Review", "Resolved", "Closed"]

	# end: auto-generated types
	def validate(self):
		self.validate_invoice()
		self.validate_amount()
		self.validate_transition()
		self.validate_resolution()
		self.set_sla_due_date()

	def validate_invoice(self):
		invoice = invoice_field(
			self.sales_invoice, ["docstatus", "is_return", "customer", "outstanding_amount"], as_dict=True
		)
		if not invoice or invoice.docstatus != 1 or invoice.is_return:
			frappe.throw(
				_("{0} is not a submitted sales invoice.").format(self.sales_invoice), InvalidDisputeError
			)
		self.customer = invoice.customer
		if self.is_new() and open_dispute_on(self.sales_invoice, other_than=self.name):
			frappe.throw(
				_("Invoice {0} already has an open dispute.").format(self.sales_invoice), InvalidDisputeError
			)

	def validate_amount(self):
		if flt(self.disputed_amount) <= 0:
			frappe.throw(_("The disputed amount must be more than zero."), InvalidDisputeError)
		if self.is_new():
			outstanding = flt(invoice_field(self.sales_invoice, "outstanding_amount"))
			if flt(self.disputed_amount) > outstanding + AMOUNT_TOLERANCE:
				frappe.throw(
					_("The disputed amount {0} is more than the {1} outstanding.").format(
						fmt_money(self.disputed_amount, currency=self.currency),
						fmt_money(outstanding, currency=self.currency),
					),
					InvalidDisputeError,
				)

	def validate_transition(self):
		previous = self.get_doc_before_save()
		if previous and self.status not in TRANSITIONS[previous.status]:
			frappe.throw(
				_("A {0} dispute cannot become {1}.").format(_(previous.status), _(self.status)),
				InvalidDisputeError,
			)

	def validate_resolution(self):
		if self.status not in ("Resolved", "Closed"):
			self.resolved_on = None
			return
		if not self.resolution:
			frappe.throw(_("Say how the dispute was resolved."), InvalidDisputeError)
		if self.resolution == "Credit Note Issued":
			note = (
				invoice_field(self.credit_note, ["is_return", "return_against", "docstatus"], as_dict=True)
				if self.credit_note
				else None
			)
			if (
				not note
				or not note.is_return
				or note.return_against != self.sales_invoice
				or note.docstatus != 1
			):
				frappe.throw(
					_("Link the submitted credit note issued against {0}.").format(self.sales_invoice),
					InvalidDisputeError,
				)
		self.resolved_on = self.resolved_on or today()

	def set_sla_due_date(self):
		if self.sla_due_date and not self.has_value_changed("reason_code"):
			return
		days = DEFAULT_SLA_DAYS
		for row in frappe.get_single("Collections Settings").dispute_sla:
			if row.reason_code == self.reason_code:
				days = row.days
		start = getdate(self.creation) if self.creation else getdate(today())
		self.sla_due_date = add_days(start, days)

	def after_insert(self):
		frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Dispute",
				"status": "Done",
				"customer": self.customer,
				"sales_invoice": self.sales_invoice,
				"invoices": self.sales_invoice,
				"company": self.company,
				"reference_doctype": self.doctype,
				"reference_name": self.name,
				"amount": self.disputed_amount,
				"currency": self.currency,
				"message": _("Dispute raised: {0}").format(_(self.reason_code)),
			}
		).insert(ignore_permissions=True)

	def on_update(self):
		refresh_collection_state([self.sales_invoice])


def resolve_by_credit_note(credit_note) -> None:
	"""A submitted credit note against a disputed invoice resolves its open dispute."""
	for name in open_disputes_on(credit_note.return_against):
		dispute = frappe.get_doc("Dispute", name)
		dispute.status = "Resolved"
		dispute.resolution = "Credit Note Issued"
		dispute.credit_note = credit_note.name
		dispute.save(ignore_permissions=True)


def alert_sla_breaches() -> list[str]:
	"""Daily: open disputes past their SLA alert their owner and the Collections Managers, once."""
	from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

	breached = breached_unnotified(today())
	managers = collections_managers()
	for dispute in breached:
		users = sorted({u for u in [dispute.dispute_owner, *managers] if u})
		if users:
			enqueue_create_notification(
				users,
				{
					"type": "Alert",
					"document_type": "Dispute",
					"document_name": dispute.name,
					"subject": _("Dispute {0} on {1} is past its SLA ({2})").format(
						dispute.name, dispute.sales_invoice, dispute.sla_due_date
					),
				},
			)
		frappe.db.set_value("Dispute", dispute.name, "sla_breach_notified", 1, update_modified=False)
	return [d.name for d in breached]
