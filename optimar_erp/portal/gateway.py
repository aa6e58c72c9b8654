"""Pay online through Frappe's ``payments`` app: one open ERPNext Payment Request per invoice and amount,
the gateway's URL for it, and the Payment Entry when the gateway says the customer paid.

Invariants:
- An invoice has at most one open (Requested or Initiated) Payment Request of ours per gateway account.
  One for the invoice's current outstanding is reused: every reminder and every Pay click gets its URL.
  One for another amount (the invoice was part paid since) is cancelled and replaced, unless the gateway
  already took money through it.
- The invoice's row is locked before the requests are read, so two Pay clicks at once make one request.
- A gateway's "paid" is applied only when the gateway's own record of the payment, for this very request,
  is for the request's amount and currency: the payments app takes the amount (Stripe) and the payment id
  (Razorpay) from the customer's browser, which is untrusted input.
- Without the ``payments`` app, or without a Payment Gateway Account for the invoice's company and
  currency, there is no online payment: reminders carry the customer's page, the portal bank and UPI details.
"""

from contextlib import contextmanager

import frappe
from frappe import _
from frappe.integrations.utils import make_get_request
from frappe.utils import flt

from erpnext.accounts.doctype.payment_request.payment_request import make_payment_request

from optimar_erp.constants import AMOUNT_TOLERANCE, GATEWAY_PAID_STATUSES, PAYMENT_REQUEST_PARTLY_PAID
from optimar_erp.exceptions import OnlinePaymentUnavailable, PaymentInProgress
from optimar_erp.queries import payment_requests as requests_q

RAZORPAY_PAYMENTS = "https://api.razorpay.com/v1/payments/{0}"
"""Razorpay's API for one payment (the payments app's own endpoint)."""


def payment_url(invoice: str) -> str:
	"""The gateway's URL to pay ``invoice``'s outstanding: that of the open Payment Request for it, or of
	a new one. Raises :class:`OnlinePaymentUnavailable` when no gateway serves the invoice and
	:class:`PaymentInProgress` when the gateway is still finishing a payment of a former amount."""
	row = requests_q.lock_invoice(invoice)
	account = row and gateway_account(row.currency, row.company)
	if not account:
		frappe.throw(
			_("Online payment is not available. Please pay by UPI or bank transfer."),
			OnlinePaymentUnavailable,
		)
	amount = _request_amount(row)
	if amount <= AMOUNT_TOLERANCE:
		frappe.throw(_("Invoice {0} has nothing left to pay.").format(invoice), OnlinePaymentUnavailable)
	stale = []
	for request in requests_q.open_requests([invoice], lock=True):
		if request.payment_gateway_account == account and _asks_outstanding(request, row):
			return _url(request)
		stale.append(request.name)
	if requests_q.being_paid(stale):
		frappe.throw(
			_(
				"A payment of invoice {0} is being processed by the gateway. Please try again in a few minutes."
			).format(invoice),
			PaymentInProgress,
		)
	for name in stale:
		_cancel(name)
	return _new_request(row, account).payment_url


def gateway_account(currency: str, company: str | None = None) -> str | None:
	"""The Payment Gateway Account that serves ``currency`` for ``company``: the default first, skipping
	those whose gateway refuses the currency (enabling a gateway makes ERPNext add an account in the
	company's currency, which Razorpay, rupees only, cannot take)."""
	accounts = requests_q.gateway_accounts(currency, company)
	if not accounts:
		return None
	from payments.utils import get_payment_gateway_controller  # the payments app is optional

	for row in accounts:
		try:
			get_payment_gateway_controller(row.payment_gateway).validate_transaction_currency(currency)
		except frappe.ValidationError:
			frappe.clear_last_message()
			continue
		return row.name
	return None


def payment_urls(invoices: list[str]) -> dict[str, str]:
	"""``payment_url`` of each invoice a gateway serves (the others are left out), for a reminder being
	sent. A failure leaves no trace: its invoice goes without a gateway link and the error is logged."""
	urls = {}
	for invoice in invoices:
		frappe.db.savepoint("optimar_payment_url")
		try:
			urls[invoice] = payment_url(invoice)
		except OnlinePaymentUnavailable:
			frappe.db.rollback(save_point="optimar_payment_url")
		except Exception:
			frappe.db.rollback(save_point="optimar_payment_url")
			frappe.log_error(
				_("Payment link for {0}").format(invoice),
				reference_doctype="Sales Invoice",
				reference_name=invoice,
			)
	return urls


def on_payment_authorized(doc, status: str | None = None) -> None:
	"""The gateway says ``doc`` (a Payment Request of a sales invoice) was paid: make its Payment Entry,
	which stops the invoice's reminders as any payment does. Refused (logged, nothing written) when the
	gateway's record of the payment does not match the request."""
	if status not in GATEWAY_PAID_STATUSES or doc.reference_doctype != "Sales Invoice":
		return
	if doc.docstatus != 1 or doc.status == "Paid" or flt(doc.outstanding_amount) <= AMOUNT_TOLERANCE:
		return
	problem = _unconfirmed(doc)
	if problem:
		frappe.log_error(
			_("Gateway payment not applied to {0}").format(doc.name),
			problem,
			reference_doctype="Payment Request",
			reference_name=doc.name,
		)
		return
	# the callback runs in the customer's request (a guest's, or a website user's); the entry is the
	# gateway's, checked above
	with _as_administrator():
		doc.set_as_paid()


@contextmanager
def _as_administrator():
	"""Run as Administrator, then give the request back its user, session and form exactly."""
	session, form = frappe._dict(frappe.local.session), frappe.local.form_dict
	frappe.set_user("Administrator")
	try:
		yield
	finally:
		frappe.set_user(session.user)
		frappe.local.session.update(session)
		frappe.local.form_dict = form


def asked(doc) -> float:
	"""What a Payment Request asks now, in its currency: all of it, or the rest once ERPNext matched a
	payment to it ("Partially Paid", in the invoice's own currency)."""
	if doc.status == PAYMENT_REQUEST_PARTLY_PAID:
		return flt(doc.outstanding_amount)
	return flt(doc.grand_total)


def _asks_outstanding(request, row) -> bool:
	if request.status == PAYMENT_REQUEST_PARTLY_PAID:
		# its outstanding is in the party account's currency, as the invoice's
		return request.currency == row.party_account_currency and (
			abs(flt(request.outstanding_amount) - flt(row.outstanding_amount)) <= AMOUNT_TOLERANCE
		)
	return abs(flt(request.grand_total) - _request_amount(row)) <= AMOUNT_TOLERANCE


def _url(request) -> str:
	"""The gateway's URL for what ``request`` asks now. ERPNext's, stored on it, while it asks all of
	it; once part paid, one for the rest (the gateway charges what the URL asks)."""
	if request.status != PAYMENT_REQUEST_PARTLY_PAID:
		return request.payment_url or _store_url(request.name)
	doc = frappe.get_doc("Payment Request", request.name)
	doc.grand_total = asked(doc)  # in memory only: ERPNext's URL is made for the request's grand total
	return doc.get_payment_url()


def _request_amount(row) -> float:
	"""What a Payment Request for the invoice asks, in the invoice's currency (as ERPNext computes it)."""
	outstanding = flt(row.outstanding_amount)
	if row.party_account_currency != row.currency and flt(row.conversion_rate):
		outstanding = outstanding / flt(row.conversion_rate)
	return flt(outstanding, 2)


def _new_request(row, account: str):
	request = make_payment_request(
		dt="Sales Invoice",
		dn=row.name,
		party_type="Customer",
		party=row.customer,
		payment_gateway_account=account,
		submit_doc=1,
		mute_email=1,
		return_doc=1,
		# the gateway's receipt goes to the customer (ERPNext's default: the invoice's owner, a user)
		recipient_id=row.contact_email or frappe.db.get_value("Customer", row.customer, "email_id") or None,
	)
	# ERPNext's own step when it mails a request: the gateway's URL stored on it, the request "Initiated"
	request.set_payment_request_url()
	return request


def _store_url(name: str) -> str:
	request = frappe.get_doc("Payment Request", name)
	request.set_payment_request_url()
	return request.payment_url


def _cancel(name: str) -> None:
	request = frappe.get_doc("Payment Request", name)
	request.flags.ignore_permissions = True
	# a part-paid request stays linked from the payment ERPNext matched to it, which keeps its own record
	request.ignore_linked_doctypes = ("Payment Entry", "Integration Request")
	request.cancel()


def _unconfirmed(doc) -> str | None:
	"""Why the gateway's record does not confirm a payment of ``doc`` in full, or None when it does."""
	payments = requests_q.gateway_payments(doc.name)
	if not payments:
		return _("No gateway payment is recorded for this request.")
	record = payments[0]
	data = frappe.parse_json(record.data or "{}") or {}
	if record.service == "Razorpay":
		paid, currency, problem = _razorpay_payment(doc.name, data)
		if problem:
			return problem
	else:
		paid, currency = flt(data.get("amount")), str(data.get("currency") or "")
	if currency.upper() != (doc.currency or "").upper() or abs(paid - asked(doc)) > AMOUNT_TOLERANCE:
		return _("The gateway took {0} {1}; the request is for {2} {3}.").format(
			paid, currency, asked(doc), doc.currency
		)
	return None


def _razorpay_payment(request: str, data: dict) -> tuple[float, str, str | None]:
	"""Amount, currency and a problem of the Razorpay payment named in ``data``, as Razorpay's API
	reports it. Its id comes from the customer's browser: it must be Razorpay's, paid, and not already
	used for another request."""
	payment_id = str(data.get("razorpay_payment_id") or "")
	if not payment_id:
		return 0.0, "", _("The gateway named no payment.")
	if requests_q.payment_used_elsewhere(payment_id, request):
		return 0.0, "", _("Razorpay payment {0} already paid another request.").format(payment_id)
	settings = frappe.get_single("Razorpay Settings")
	try:
		payment = make_get_request(
			RAZORPAY_PAYMENTS.format(payment_id),
			auth=(settings.api_key, settings.get_password(fieldname="api_secret", raise_exception=False)),
		)
	except Exception as e:
		return 0.0, "", _("Razorpay did not confirm payment {0}: {1}").format(payment_id, e)
	if payment.get("status") not in ("authorized", "captured"):
		return 0.0, "", _("Razorpay payment {0} is {1}.").format(payment_id, payment.get("status"))
	return flt(payment.get("amount")) / 100, str(payment.get("currency") or ""), None
