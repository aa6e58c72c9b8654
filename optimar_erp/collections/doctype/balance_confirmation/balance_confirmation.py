# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_days, escape_html, flt, fmt_money, getdate, today

from optimar_erp.queries.portal import party_balance

OLDEST_DAYS = 2 * 366


class BalanceConfirmation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		as_of_date: DF.Date
		balance: DF.Currency
		company: DF.Link
		confirmed_by: DF.Data | None
		currency: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		difference_amount: DF.Currency
		ip_address: DF.Data | None
		note: DF.SmallText | None
		portal_access_link: DF.Link | None
		response: DF.Literal["Confirmed", "Disputed"]
		user: DF.Link | None
	# end: auto-generated types
	"""Recorded once, from the portal, and never changed: the balance comes from the ledger, not the
	customer."""

	def validate(self):
		self.validate_unchanged()
		self.validate_as_of_date()
		self.validate_response()
		self.set_balance()

	def validate_unchanged(self):
		if not self.is_new():
			frappe.throw(_("A balance confirmation cannot be changed once recorded."), frappe.PermissionError)

	def validate_as_of_date(self):
		as_of = getdate(self.as_of_date)
		if as_of > getdate(today()):
			frappe.throw(_("The balance date cannot be in the future."), title=_("Date"))
		if as_of < getdate(add_days(today(), -OLDEST_DAYS)):
			frappe.throw(_("The balance date can be at most two years ago."), title=_("Date"))

	def validate_response(self):
		if self.response == "Confirmed":
			self.difference_amount = 0
			return
		if not flt(self.difference_amount, 2):
			frappe.throw(
				_("Enter the difference between your books and this balance."), title=_("Difference")
			)
		if not (self.note or "").strip():
			frappe.throw(_("Tell us what the difference is about."), title=_("Note"))

	def set_balance(self):
		self.balance, self.currency = party_balance(self.customer, self.company, self.as_of_date)

	def after_insert(self):
		message = (
			_("Balance of {0} as of {1} confirmed")
			if self.response == "Confirmed"
			else _("Balance of {0} as of {1} disputed")
		).format(fmt_money(self.balance, currency=self.currency), frappe.format(self.as_of_date, "Date"))
		if self.response == "Disputed":
			message += " " + _("(difference {0}): {1}").format(
				fmt_money(self.difference_amount, currency=self.currency), escape_html(self.note or "")
			)
		frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Note",
				"status": "Done",
				"channel": "Portal",
				"customer": self.customer,
				"company": self.company,
				"reference_doctype": self.doctype,
				"reference_name": self.name,
				"amount": self.balance,
				"currency": self.currency,
				"message": message,
			}
		).insert(ignore_permissions=True)
