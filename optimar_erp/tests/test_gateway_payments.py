"""Paying online through Frappe's ``payments`` app on a real site, end to end: the reminder carries the
gateway's link, the customer pays it, the gateway's callback makes the Payment Entry and the reminders stop.

Stripe and Razorpay are simulated by a server on 127.0.0.1 that speaks their APIs
(:mod:`optimar_erp.tests.gateway_simulator`); the payments app's own code calls it, unchanged, as it calls
``api.stripe.com`` and ``api.razorpay.com``. Runs where the payments app is installed on the site (the
gateway stage of ``.ci/run``); skipped elsewhere, where the rest of the suite proves the app works without it.
"""

import json
import unittest
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlparse

import frappe
from frappe.utils import flt, get_url

from optimar_erp.collections.doctype.dunning_run.test_dunning_run import new_run
from optimar_erp.dunning.run import execute_run
from optimar_erp.exceptions import PaymentInProgress
from optimar_erp.portal import api, gateway, links
from optimar_erp.queries import payment_requests as requests_q
from optimar_erp.tests import gateway_site
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	at_once,
	default_company,
	make_customer,
	make_invoice,
	make_payment,
	make_rupee_invoice,
)
from optimar_erp.tests.test_portal import random_ip, token_of

test_ignore = ["Company", "Customer"]


def open_requests(invoice: str) -> list[frappe._dict]:
	return frappe.get_all(
		"Payment Request",
		filters={"reference_doctype": "Sales Invoice", "reference_name": invoice, "docstatus": 1},
		fields=["name", "status", "grand_total", "outstanding_amount", "payment_url", "payment_gateway"],
		order_by="creation",
	)


def gateway_entries(invoice: str) -> list[frappe._dict]:
	"""Submitted Payment Entries made from a Payment Request of ``invoice``."""
	return frappe.get_all(
		"Payment Entry Reference",
		filters={"reference_name": invoice, "docstatus": 1, "payment_request": ("is", "set")},
		fields=["parent", "allocated_amount", "payment_request"],
	)


def bank_transfer(invoice: str, amount: float) -> None:
	"""A payment of ``invoice`` that no Payment Request is told of (ERPNext would match it to the open one)."""
	entry = make_payment(invoice, amount, submit=False)
	for row in entry.references:
		row.payment_request = None
	entry.submit()
	frappe.db.commit()


class TestGatewayPayments(CollectionsTestCase):
	SETTINGS = {"email_enabled": 1, "portal_enabled": 1, "portal_links_in_reminders": 1}

	@classmethod
	def setUpClass(cls):
		if not requests_q.has_gateways():
			raise unittest.SkipTest("Frappe's payments app is not installed on this site")
		super().setUpClass()
		cls.company = default_company()
		cls.simulator = gateway_site.simulator().__enter__()
		gateway_site.stripe_gateway(cls.company)
		gateway_site.razorpay_gateway(cls.company)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		gateway_site.remove_gateway_accounts()
		frappe.db.commit()
		cls.simulator.__exit__(None, None, None)
		super().tearDownClass()

	def customer(self, label: str, **fields) -> str:
		email = f"ap-{frappe.scrub(label)}-{self.suffix}@example.com".lower()
		return make_customer(f"Gateway {label} {self.suffix}", email, **fields)

	def rupee_invoice(self, label: str, amount: float) -> tuple[str, str]:
		customer = self.customer(label)
		return customer, make_rupee_invoice(customer, amount, due_in_days=-1, company=self.company)

	# ------------------------------------------------------------------ the customer's side

	@contextmanager
	def as_guest(self, **form):
		from frappe.utils import set_request

		frappe.set_user("Guest")
		set_request(method="POST", path="/api/method/x", query_string=urlencode(form))
		frappe.local.request_ip = random_ip()
		frappe.local.form_dict = frappe._dict(form)
		try:
			yield
		finally:
			frappe.set_user("Administrator")

	def pay(self, invoice: str, customer: str) -> str:
		"""The portal's Pay, through the customer's signed link, as the customer's browser calls it."""
		token = token_of(links.create_portal_link(customer, 14))
		with self.as_guest(invoice=invoice, token=token):
			url = api.pay(invoice, token=token)["url"]
		frappe.db.commit()
		return url

	def opens(self, url: str) -> str:
		"""The gateway's page the link opens, as the customer's browser gets it (a guest)."""
		from frappe.website.serve import get_response

		parsed = urlparse(url)
		frappe.set_user("Guest")
		frappe.utils.set_request(method="GET", path=parsed.path, query_string=parsed.query)
		frappe.local.form_dict = frappe._dict(parse_qsl(parsed.query))
		try:
			response = get_response()
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(response.status_code, 200, url)
		return response.get_data(as_text=True)

	def stripe_checkout(self, url: str, token: str = "tok_visa", **tampered) -> dict:
		"""What Stripe's checkout page does once the card is tokenised: it posts the page's own query
		(its URL) with the token to the payments app."""
		from payments.templates.pages.stripe_checkout import make_payment

		query = dict(parse_qsl(urlparse(url).query))
		self.assertTrue(url.startswith(get_url("/stripe_checkout?")), url)
		with self.as_guest():
			result = make_payment(
				token,
				json.dumps({**query, **tampered}),
				query["reference_doctype"],
				query["reference_docname"],
			)
			# booking the payment ran as Administrator: the customer's request is a guest's again
			self.assertEqual((frappe.session.user, frappe.session.sid), ("Guest", "Guest"))
		frappe.db.commit()
		return result

	def razorpay_checkout(self, url: str, payment_id: str, request: str | None = None) -> dict:
		"""What Razorpay's checkout widget does once the customer paid: it posts the payment's id with the
		page's token to the payments app."""
		from payments.templates.pages.razorpay_checkout import make_payment

		self.assertTrue(url.startswith(get_url("/razorpay_checkout?")), url)
		token = dict(parse_qsl(urlparse(url).query))["token"]
		data = json.loads(frappe.db.get_value("Integration Request", token, "data"))
		with self.as_guest():
			result = make_payment(
				payment_id, "{}", "Payment Request", request or data["reference_docname"], token
			)
		frappe.db.commit()
		return result

	# ------------------------------------------------------------------ the scenarios

	def test_a_reminder_links_the_gateway_and_paying_there_stops_the_reminders(self):
		customer = self.customer("Stripe Reminder")
		invoice = make_invoice(customer, 800, due_in_days=-1)
		frappe.db.commit()

		execute_run(new_run(customer).name)
		requests = open_requests(invoice)
		self.assertEqual(len(requests), 1, "one Payment Request for the reminded invoice")
		url = requests[0].payment_url
		self.assertTrue(url.startswith(get_url("/stripe_checkout?")), url)
		message = frappe.db.get_value(
			"Collection Activity", {"customer": customer, "status": "Sent"}, "message"
		)
		self.assertIn(frappe.utils.escape_html(url), message, "the reminder carries the gateway's link")
		self.assertEqual(
			frappe.get_all("Email Queue", filters={"reference_name": invoice}, pluck="name").__len__(), 1
		)

		page = self.opens(url)
		self.assertIn(
			gateway_site.STRIPE_PUBLISHABLE, page, "Stripe's checkout, with the gateway's publishable key"
		)
		self.assertIn(requests[0].name, page)
		result = self.stripe_checkout(url)
		self.assertEqual(result["status"], "Completed", result)
		charge = self.simulator.stripe_charges[-1]
		self.assertEqual((int(charge["amount"]), charge["currency"]), (80000, "usd"))

		entries = gateway_entries(invoice)
		self.assertEqual(len(entries), 1, "the gateway's payment is a Payment Entry")
		self.assertEqual(
			(flt(entries[0].allocated_amount), entries[0].payment_request), (800, requests[0].name)
		)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 0)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "collection_state"), "Paid")
		self.assertEqual(frappe.db.get_value("Payment Request", requests[0].name, "status"), "Paid")

		execute_run(new_run(customer).name)
		self.assertEqual(
			len(frappe.get_all("Email Queue", filters={"reference_name": invoice}, pluck="name")),
			1,
			"no reminder after the payment",
		)

	def test_pay_twice_reuses_the_request(self):
		customer = self.customer("Pay Twice")
		invoice = make_invoice(customer, 500, due_in_days=-3)
		frappe.db.commit()

		first = self.pay(invoice, customer)
		self.assertEqual(self.pay(invoice, customer), first, "the second Pay reuses the open request")
		self.assertEqual([(r.grand_total, r.status) for r in open_requests(invoice)], [(500, "Initiated")])
		self.assertIn("amount=500.0", first)
		self.assertIn(urlencode({"payer_email": f"ap-pay_twice-{self.suffix}@example.com"}), first)

	def test_two_pays_at_once_make_one_request(self):
		"""Two Pay clicks at once (two web requests, each having read the site first): one request, and
		both get its URL."""
		customer = self.customer("At Once")
		invoice = make_invoice(customer, 640, due_in_days=-3)
		frappe.db.commit()

		def click(ready):
			open_requests(invoice)  # the request's first read fixes its snapshot
			ready()
			url = gateway.payment_url(invoice)
			frappe.db.commit()
			return url

		first, second = at_once(click, click)
		self.assertIsInstance(first, str, first)
		self.assertEqual(first, second)
		self.assertEqual([r.payment_url for r in open_requests(invoice)], [first])

	def test_after_a_part_payment_pay_asks_for_the_rest(self):
		"""ERPNext matches a bank payment of the invoice to its open request ("Partially Paid"): Pay then
		asks the gateway for the rest through the same request, and paying it settles the invoice."""
		customer = self.customer("Part Paid")
		invoice = make_invoice(customer, 500, due_in_days=-3)
		frappe.db.commit()
		self.pay(invoice, customer)
		make_payment(invoice, 200)
		frappe.db.commit()

		url = self.pay(invoice, customer)
		self.assertIn("amount=300.0", url)
		self.assertEqual(
			[(r.grand_total, r.outstanding_amount, r.status) for r in open_requests(invoice)],
			[(500, 300, "Partially Paid")],
		)
		self.assertEqual(self.stripe_checkout(url)["status"], "Completed")
		self.assertEqual(int(self.simulator.stripe_charges[-1]["amount"]), 30000)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 0)
		self.assertEqual(
			frappe.db.get_value("Payment Request", open_requests(invoice)[0].name, "status"), "Paid"
		)

	def test_a_request_for_a_former_amount_is_replaced(self):
		"""A payment the request does not know of (matched to the invoice alone) leaves it asking too much:
		Pay cancels it and makes one for the outstanding."""
		customer = self.customer("Replaced")
		invoice = make_invoice(customer, 500, due_in_days=-3)
		frappe.db.commit()
		first = self.pay(invoice, customer)
		bank_transfer(invoice, 200)

		url = self.pay(invoice, customer)
		self.assertNotEqual(url, first)
		self.assertEqual([(r.grand_total, r.status) for r in open_requests(invoice)], [(300, "Initiated")])
		self.assertEqual(
			frappe.db.count(
				"Payment Request", {"reference_name": invoice, "docstatus": 2, "grand_total": 500}
			),
			1,
			"the request for the former amount is cancelled",
		)
		self.assertEqual(self.stripe_checkout(url)["status"], "Completed")
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 0)

	def test_a_request_being_paid_is_not_replaced(self):
		customer = self.customer("In Flight")
		invoice = make_invoice(customer, 400, due_in_days=-3)
		frappe.db.commit()
		url = self.pay(invoice, customer)
		request = open_requests(invoice)[0].name
		# the gateway took money through it, and its Payment Entry is not made yet
		frappe.get_doc(
			{
				"doctype": "Integration Request",
				"integration_request_service": "Stripe",
				"reference_doctype": "Payment Request",
				"reference_docname": request,
				"status": "Completed",
				"data": json.dumps({"amount": 400, "currency": "USD"}),
			}
		).insert(ignore_permissions=True)
		bank_transfer(invoice, 100)
		with self.assertRaises(PaymentInProgress):
			gateway.payment_url(invoice)
		frappe.db.rollback()
		self.assertEqual([r.payment_url for r in open_requests(invoice)], [url])

	def test_a_tampered_amount_is_not_booked(self):
		"""Stripe's checkout page charges the amount in its URL, which the customer can edit: a charge for
		less than the request makes no Payment Entry, and the request stays open."""
		customer = self.customer("Tampered")
		invoice = make_invoice(customer, 900, due_in_days=-2)
		frappe.db.commit()
		url = self.pay(invoice, customer)
		self.stripe_checkout(url, amount="1.00")
		self.assertEqual(int(self.simulator.stripe_charges[-1]["amount"]), 100)
		self.assertEqual(gateway_entries(invoice), [])
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 900)
		self.assertEqual([r.status for r in open_requests(invoice)], ["Initiated"])
		self.assertTrue(
			frappe.db.exists(
				"Error Log",
				{"reference_doctype": "Payment Request", "reference_name": open_requests(invoice)[0].name},
			)
		)

	def test_a_declined_card_books_nothing(self):
		customer = self.customer("Declined")
		invoice = make_invoice(customer, 300, due_in_days=-2)
		frappe.db.commit()
		url = self.pay(invoice, customer)
		try:
			result = self.stripe_checkout(url, token="tok_chargeDeclined")
		except frappe.ValidationError:
			# payments v15 logs the card error with the traceback as the Error Log's title, which is too
			# long: the customer's request fails and is rolled back, as the web server would
			frappe.db.rollback()
			frappe.set_user("Administrator")
		else:
			self.assertNotEqual(result.get("status"), "Completed")
		self.assertEqual(self.simulator.requests[-1]["path"], "/v1/charges", "the card went to the gateway")
		self.assertEqual(gateway_entries(invoice), [])
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 300)
		self.assertEqual(self.pay(invoice, customer), url, "the customer can try another card")

	def test_razorpay_in_rupees(self):
		customer, invoice = self.rupee_invoice("Razorpay", 5000)
		frappe.db.commit()
		url = self.pay(invoice, customer)
		self.assertEqual(self.pay(invoice, customer), url, "Pay twice: the same request")
		request = open_requests(invoice)[0]
		self.assertEqual((request.payment_gateway, request.grand_total), ("Razorpay", 5000))
		self.assertIn(
			gateway_site.RAZORPAY_KEY, self.opens(url), "Razorpay's checkout, with the gateway's key"
		)

		# a payment of one rupee, passed off as the payment of the request: refused
		cheap = self.simulator.razorpay_checkout(100)
		self.razorpay_checkout(url, cheap)
		self.assertEqual(gateway_entries(invoice), [])

		paid = self.simulator.razorpay_checkout(500000)
		result = self.razorpay_checkout(url, paid)
		self.assertIn("payment-success", result["redirect_to"])
		entries = gateway_entries(invoice)
		self.assertEqual(
			[(flt(e.allocated_amount), e.payment_request) for e in entries], [(5000, request.name)]
		)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "outstanding_amount"), 0)

		# the same payment, replayed for another invoice's request: refused
		other_customer, other = self.rupee_invoice("Razorpay Replay", 5000)
		frappe.db.commit()
		other_url = self.pay(other, other_customer)
		self.razorpay_checkout(other_url, paid)
		self.assertEqual(gateway_entries(other), [])
		self.assertEqual(frappe.db.get_value("Sales Invoice", other, "outstanding_amount"), 5000)
