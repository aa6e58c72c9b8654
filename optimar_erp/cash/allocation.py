"""What every allocation of a receipt shares, whichever side books it (:mod:`optimar_erp.cash.matching` for
a Payment Entry, :mod:`optimar_erp.cash.bank` for a bank deposit): the checked amounts and the logged
Collection Activity."""

import frappe
from frappe import _
from frappe.utils import flt, fmt_money

from optimar_erp.constants import AMOUNT_TOLERANCE


def checked_allocations(
	receipt: str, invoices: list[str], allocations: list[float], unallocated: float, currency: str | None
) -> list[float]:
	"""The amounts rounded to cents, refused unless each invoice gets a positive amount and together
	they fit in the receipt's ``unallocated`` money."""
	allocations = [flt(a, 2) for a in allocations]
	if not invoices or len(invoices) != len(allocations) or min(allocations) <= 0:
		frappe.throw(_("Give each invoice a positive amount."))
	if sum(allocations) > flt(unallocated) + AMOUNT_TOLERANCE:
		frappe.throw(
			_("{0} has only {1} unallocated.").format(receipt, fmt_money(unallocated, currency=currency))
		)
	return allocations


def log_cash_application(
	customer: str,
	company: str,
	invoices: list[str],
	allocations: list[float],
	currency: str,
	payment_entry: str,
	subject: str,
) -> None:
	"""The "Cash Application" Collection Activity of an allocation (to the Payment Entry that made it)."""
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Cash Application",
			"status": "Done",
			"customer": customer,
			"company": company,
			"sales_invoice": invoices[0],
			"invoices": ", ".join(invoices),
			"amount": sum(allocations),
			"currency": currency,
			"subject": subject,
			"reference_doctype": "Payment Entry",
			"reference_name": payment_entry,
		}
	).insert(ignore_permissions=True)
