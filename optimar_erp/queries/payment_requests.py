"""What online payment reads: ERPNext's Payment Requests of sales invoices, the gateway payments
(Integration Requests) made through them, and the Payment Gateway Account that serves an invoice."""

import frappe
from frappe.query_builder.functions import Coalesce

from optimar_erp.constants import GATEWAY_PAID_STATUSES, PAYMENT_REQUEST_OPEN_STATUSES


def has_gateways() -> bool:
	"""Frappe's ``payments`` app (which provides the gateways: Stripe, Razorpay, …) is installed."""
	return "payments" in frappe.get_installed_apps()


def gateway_accounts(currency: str, company: str | None = None) -> list[frappe._dict]:
	"""The Payment Gateway Accounts that take ``currency`` into an account of ``company`` (the default one
	first) with their gateway; none without the ``payments`` app. Whether the gateway itself takes the
	currency is its controller's say (:func:`optimar_erp.portal.gateway.gateway_account`)."""
	if not currency or not has_gateways():
		return []
	pga = frappe.qb.DocType("Payment Gateway Account")
	account = frappe.qb.DocType("Account")
	query = (
		frappe.qb.from_(pga)
		.join(account)
		.on(account.name == pga.payment_account)
		.select(pga.name, pga.payment_gateway)
		.where(account.account_currency == currency)
		.orderby(pga.is_default, order=frappe.qb.desc)
		.orderby(pga.creation)
	)
	if company:
		query = query.where(account.company == company)
	return query.run(as_dict=True)


def lock_invoice(invoice: str) -> frappe._dict | None:
	"""The submitted sales invoice, its row locked until the transaction ends (two Pay clicks at once
	wait for each other and so make one request): company, customer, currencies, outstanding and the
	invoice's contact email."""
	si = frappe.qb.DocType("Sales Invoice")
	rows = (
		frappe.qb.from_(si)
		.select(
			si.name,
			si.company,
			si.customer,
			si.currency,
			Coalesce(si.party_account_currency, si.currency).as_("party_account_currency"),
			si.conversion_rate,
			si.outstanding_amount,
			si.contact_email,
			si.docstatus,
		)
		.where(si.name == invoice)
		.for_update()
		.run(as_dict=True)
	)
	return rows[0] if rows and rows[0].docstatus == 1 else None


def open_requests(invoices: list[str], lock: bool = False) -> list[frappe._dict]:
	"""Submitted Payment Requests awaiting payment on these sales invoices, newest first. ``lock``: read
	(and lock) the latest committed rows, not the transaction's snapshot, which may predate a request
	another Pay made while this one waited for the invoice's lock."""
	if not invoices:
		return []
	pr = frappe.qb.DocType("Payment Request")
	query = (
		frappe.qb.from_(pr)
		.select(
			pr.name,
			pr.reference_name.as_("invoice"),
			pr.payment_gateway_account,
			pr.currency,
			pr.grand_total,
			pr.outstanding_amount,
			pr.status,
			pr.payment_url,
		)
		.where(pr.reference_doctype == "Sales Invoice")
		.where(pr.reference_name.isin(invoices))
		.where(pr.docstatus == 1)
		.where(pr.status.isin(PAYMENT_REQUEST_OPEN_STATUSES))
		.where(pr.outstanding_amount > 0)
		.orderby(pr.creation, order=frappe.qb.desc)
	)
	return (query.for_update() if lock else query).run(as_dict=True)


def being_paid(requests: list[str]) -> set[str]:
	"""Those of the Payment Requests a gateway has taken money for (the payment may still be on its way
	to a Payment Entry)."""
	if not requests:
		return set()
	ir = frappe.qb.DocType("Integration Request")
	return set(
		frappe.qb.from_(ir)
		.select(ir.reference_docname)
		.where(ir.reference_doctype == "Payment Request")
		.where(ir.reference_docname.isin(requests))
		.where(ir.status.isin(GATEWAY_PAID_STATUSES))
		.run(pluck=True)
	)


def gateway_payments(request: str) -> list[frappe._dict]:
	"""The gateway's records of payments through one Payment Request (newest first): status, the
	gateway (service) and the data it logged (JSON)."""
	ir = frappe.qb.DocType("Integration Request")
	return (
		frappe.qb.from_(ir)
		.select(ir.name, ir.status, ir.integration_request_service.as_("service"), ir.data)
		.where(ir.reference_doctype == "Payment Request")
		.where(ir.reference_docname == request)
		.where(ir.status.isin(GATEWAY_PAID_STATUSES))
		.orderby(ir.modified, order=frappe.qb.desc)
		.run(as_dict=True)
	)


def payment_used_elsewhere(payment_id: str, request: str) -> bool:
	"""A gateway payment with this id already paid (or is paying) another Payment Request."""
	ir = frappe.qb.DocType("Integration Request")
	return bool(
		frappe.qb.from_(ir)
		.select(ir.name)
		.where(ir.reference_doctype == "Payment Request")
		.where(ir.reference_docname != request)
		.where(ir.status.isin(GATEWAY_PAID_STATUSES))
		.where(ir.data.like(f'%"razorpay_payment_id": "{payment_id}"%'))
		.limit(1)
		.run()
	)
