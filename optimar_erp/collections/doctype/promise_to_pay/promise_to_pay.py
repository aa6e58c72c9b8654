# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, fmt_money, getdate, today

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.exceptions import InvalidPromiseError, PromiseChangeNotPermitted
from optimar_erp.queries.invoices import invoices_by_name

COMMITMENT_FIELDS = ("customer", "promised_date", "promised_amount", "source")
"""What the customer committed to, and where it came from: fixed once recorded, except by a manager."""


class PromiseToPay(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from optimar_erp.collections.doctype.promise_to_pay_instalment.promise_to_pay_instalment import (
			PromiseToPayInstalment,
		)
		from optimar_erp.collections.doctype.promise_to_pay_invoice.promise_to_pay_invoice import (
			PromiseToPayInvoice,
		)

		broken_on: DF.Date | None
		channel: DF.Literal["Phone", "Email", "WhatsApp", "Portal", "In Person", "Other"]
		company: DF.Link
		currency: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		deadline: DF.Date | None
		instalments: DF.Table[PromiseToPayInstalment]
		invoices: DF.Table[PromiseToPayInvoice]
		next_due_date: DF.Date | None
		notes: DF.SmallText | None
		paid_amount: DF.Currency
		promised_amount: DF.Currency
		promised_date: DF.Date
		recorded_by: DF.Link | None
		source: DF.Literal["Collector", "Portal", "Inbox"]
		status: DF.Literal["Open", "Kept", "Partially Kept", "Broken", "Cancelled"]

	# end: auto-generated types
	def validate(self):
		self.guard_recorded_promise()
		if self.status == "Cancelled" and not self.is_new():
			return
		self.set_invoice_details()
		self.validate_invoices_belong_to_customer()
		self.validate_amount()
		self.validate_dates()
		self.validate_instalments()

	def guard_recorded_promise(self):
		"""The verdict (Kept, Broken, Partially Kept) is the system's, from the payments; a person may only
		cancel an open promise (``cancel_promise``). What was promised stays as recorded unless a
		Collections Manager corrects it."""
		if self.is_new():
			return
		before = self.get_doc_before_save()
		if before is None:
			return
		if self.status != before.status and not (before.status == "Open" and self.status == "Cancelled"):
			frappe.throw(
				_("A promise's status follows its payments; it can only be cancelled while open."),
				PromiseChangeNotPermitted,
			)
		changed = [field for field in COMMITMENT_FIELDS if self.has_value_changed(field)]
		if changed and not {"Collections Manager", "System Manager"} & set(frappe.get_roles()):
			frappe.throw(
				_("Only a Collections Manager can change what was promised ({0}).").format(
					", ".join(_(self.meta.get_label(field)) for field in changed)
				),
				PromiseChangeNotPermitted,
			)

	def set_invoice_details(self):
		if not self.invoices:
			self.currency = self.currency or frappe.get_cached_value(
				"Company", self.company, "default_currency"
			)
			return
		names = [row.sales_invoice for row in self.invoices]
		if len(set(names)) != len(names):
			frappe.throw(_("An invoice is listed twice."), InvalidPromiseError, title=_("Invoices"))
		details = invoices_by_name(
			names,
			["customer", "company", "currency", "docstatus", "is_return", "due_date", "outstanding_amount"],
		)
		for row in self.invoices:
			invoice = details.get(row.sales_invoice)
			if not invoice or invoice.docstatus != 1 or invoice.is_return:
				frappe.throw(
					_("Row {0}: {1} is not a submitted sales invoice.").format(row.idx, row.sales_invoice),
					InvalidPromiseError,
				)
			if self.is_new():
				row.outstanding = invoice.outstanding_amount
			row.due_date = invoice.due_date
		first = details[names[0]]
		self.company = first.company
		self.currency = first.currency

	def validate_invoices_belong_to_customer(self):
		if not self.invoices:
			return
		owners = {
			name: row.customer
			for name, row in invoices_by_name(
				[row.sales_invoice for row in self.invoices], ["customer"]
			).items()
		}
		for row in self.invoices:
			if owners.get(row.sales_invoice) != self.customer:
				frappe.throw(
					_("Row {0}: invoice {1} belongs to {2}, not to {3}.").format(
						row.idx, row.sales_invoice, owners.get(row.sales_invoice), self.customer
					),
					InvalidPromiseError,
					title=_("Another Customer's Invoice"),
				)

	def validate_amount(self):
		if flt(self.promised_amount) <= 0:
			frappe.throw(
				_("The promised amount must be more than zero."), InvalidPromiseError, title=_("Amount")
			)
		if not self.invoices or not self.is_new():
			return
		outstanding = sum(flt(row.outstanding) for row in self.invoices)
		if flt(self.promised_amount) > outstanding + AMOUNT_TOLERANCE:
			frappe.throw(
				_("The promised amount {0} is more than the {1} outstanding on these invoices.").format(
					fmt_money(self.promised_amount, currency=self.currency),
					fmt_money(outstanding, currency=self.currency),
				),
				InvalidPromiseError,
				title=_("Amount"),
			)

	def validate_dates(self):
		if self.is_new() and getdate(self.promised_date) < getdate(today()):
			frappe.throw(
				_("The promised date {0} is in the past.").format(frappe.format(self.promised_date, "Date")),
				InvalidPromiseError,
				title=_("Date"),
			)

	def validate_instalments(self):
		if not self.instalments:
			return
		self.instalments.sort(key=lambda row: getdate(row.due_date))
		for idx, row in enumerate(self.instalments, start=1):
			row.idx = idx
			if flt(row.amount) <= 0:
				frappe.throw(
					_("Instalment {0}: the amount must be more than zero.").format(idx), InvalidPromiseError
				)
			if self.is_new() and getdate(row.due_date) < getdate(today()):
				frappe.throw(_("Instalment {0}: the date is in the past.").format(idx), InvalidPromiseError)
		total = sum(flt(row.amount) for row in self.instalments)
		if abs(total - flt(self.promised_amount)) > 0.01:
			frappe.throw(
				_("The instalments add up to {0}, not to the promised {1}.").format(
					fmt_money(total, currency=self.currency),
					fmt_money(self.promised_amount, currency=self.currency),
				),
				InvalidPromiseError,
				title=_("Payment Plan"),
			)
		self.promised_date = self.instalments[-1].due_date

	def after_insert(self):
		frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Promise",
				"status": "Done",
				"customer": self.customer,
				"sales_invoice": self.invoices[0].sales_invoice if self.invoices else None,
				"invoices": ", ".join(row.sales_invoice for row in self.invoices),
				"company": self.company,
				"channel": {"Portal": "Portal", "Email": "Email", "WhatsApp": "WhatsApp"}.get(
					self.channel, "Phone"
				),
				"reference_doctype": self.doctype,
				"reference_name": self.name,
				"amount": self.promised_amount,
				"currency": self.currency,
				"message": _("Promised {0} by {1}").format(
					fmt_money(self.promised_amount, currency=self.currency),
					frappe.format(self.promised_date, "Date"),
				),
			}
		).insert(ignore_permissions=True)
		refresh_collection_state([row.sales_invoice for row in self.invoices])


@frappe.whitelist()
def cancel_promise(name: str, reason: str | None = None) -> None:
	promise = frappe.get_doc("Promise To Pay", name)
	promise.check_permission("write")
	if promise.status != "Open":
		frappe.throw(
			_("Only an open promise can be cancelled; this one is {0}.").format(_(promise.status)),
			InvalidPromiseError,
		)
	promise.status = "Cancelled"
	if reason:
		promise.notes = "\n".join(filter(None, [promise.notes, _("Cancelled: {0}").format(reason)]))
	promise.save()
	refresh_collection_state([row.sales_invoice for row in promise.invoices])
