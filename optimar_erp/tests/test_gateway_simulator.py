"""The gateway simulator, reached the way the payments app reaches the real gateways: ``requests`` to
``https://api.stripe.com`` and ``https://api.razorpay.com``, and the ``stripe`` library, with TLS
verification on. No Frappe: runs under plain unittest or pytest, and in the app's test runner."""

import os
import unittest
from unittest import mock

import requests

from optimar_erp.tests.gateway_simulator import ENV_KEYS, GatewaySimulator

try:
	import stripe
except ImportError:
	stripe = None

STRIPE = "https://api.stripe.com/v1"
RAZORPAY = "https://api.razorpay.com/v1"
RAZORPAY_AUTH = ("rzp_test_optimar", "rzp_secret_optimar")


class TestGatewaySimulator(unittest.TestCase):
	def setUp(self):
		self.sim = GatewaySimulator()
		self.sim.start()
		self.addCleanup(self.sim.stop)

	def test_stripe_credential_check(self):
		response = requests.get(f"{STRIPE}/charges", headers={"Authorization": "Bearer sk_test_optimar"})
		self.assertEqual(response.status_code, 200)
		self.assertEqual(
			response.json(), {"object": "list", "data": [], "has_more": False, "url": "/v1/charges"}
		)
		wrong = requests.get(f"{STRIPE}/charges", headers={"Authorization": "Bearer sk_test_wrong"})
		self.assertEqual(wrong.status_code, 401)
		self.assertEqual(wrong.json()["error"]["type"], "invalid_request_error")
		self.assertIn("Invalid API Key provided", wrong.json()["error"]["message"])
		self.assertEqual([r["host"] for r in self.sim.requests], ["api.stripe.com"] * 2)

	@unittest.skipIf(stripe is None, "the stripe library is not installed")
	def test_stripe_library_charge(self):
		for name in ("api_key", "default_http_client"):
			self.addCleanup(setattr, stripe, name, getattr(stripe, name))
		stripe.api_key = "sk_test_optimar"
		stripe.default_http_client = stripe.http_client.RequestsClient()
		self.assertEqual(stripe.api_base, "https://api.stripe.com")

		charge = stripe.Charge.create(
			amount=1999, currency="EUR", source="tok_visa", description="INV-1", receipt_email="a@b.c"
		)
		self.assertIs(charge.captured, True)
		self.assertEqual((charge.amount, charge.currency, charge.status), (1999, "eur", "succeeded"))
		self.assertEqual(len(self.sim.stripe_charges), 1)
		self.assertEqual(self.sim.stripe_charges[0]["id"], charge.id)
		self.assertEqual(self.sim.stripe_charges[0]["receipt_email"], "a@b.c")
		self.assertEqual(self.sim.requests[-1]["body"]["amount"], "1999")

		with self.assertRaises(stripe.error.CardError) as declined:
			stripe.Charge.create(amount=500, currency="eur", source="tok_chargeDeclined")
		self.assertEqual(declined.exception.code, "card_declined")
		with self.assertRaises(stripe.error.InvalidRequestError):
			stripe.Charge.create(currency="eur", source="tok_visa")
		self.assertEqual(len(self.sim.stripe_charges), 1)

		listed = requests.get(f"{STRIPE}/charges", headers={"Authorization": "Bearer sk_test_optimar"}).json()
		self.assertEqual([c["id"] for c in listed["data"]], [charge.id])

	def test_razorpay_payments(self):
		self.assertEqual(requests.get(f"{RAZORPAY}/payments", auth=RAZORPAY_AUTH).status_code, 200)
		captured = self.sim.razorpay_checkout(50000, notes={"reference": "INV-1"})
		self.assertRegex(captured, r"^pay_[A-Za-z0-9]{14}$")
		payment = requests.get(f"{RAZORPAY}/payments/{captured}", auth=RAZORPAY_AUTH).json()
		self.assertEqual(
			(payment["status"], payment["amount"], payment["captured"]), ("captured", 50000, True)
		)
		self.assertEqual(payment["notes"], {"reference": "INV-1"})

		authorized = self.sim.razorpay_checkout(25000, status="authorized")
		capture = f"{RAZORPAY}/payments/{authorized}/capture"
		self.assertEqual(requests.post(capture, auth=RAZORPAY_AUTH, data={"amount": 100}).status_code, 400)
		done = requests.post(capture, auth=RAZORPAY_AUTH, data={"amount": 25000})
		self.assertEqual((done.status_code, done.json()["status"]), (200, "captured"))
		self.assertEqual(self.sim.razorpay_payments[authorized]["status"], "captured")
		again = requests.post(capture, auth=RAZORPAY_AUTH, data={"amount": 25000})
		self.assertEqual(again.status_code, 400)
		self.assertEqual(again.json()["error"]["code"], "BAD_REQUEST_ERROR")

		listed = requests.get(f"{RAZORPAY}/payments", auth=RAZORPAY_AUTH).json()
		self.assertEqual((listed["entity"], listed["count"]), ("collection", 2))

		unknown = requests.get(f"{RAZORPAY}/payments/pay_doesnotexist00", auth=RAZORPAY_AUTH)
		self.assertEqual(unknown.status_code, 400)
		self.assertEqual(unknown.json()["error"]["description"], "The id provided does not exist")
		wrong = requests.get(f"{RAZORPAY}/payments/{captured}", auth=("rzp_test_optimar", "nope"))
		self.assertEqual(wrong.status_code, 401)
		self.assertEqual(wrong.json()["error"]["description"], "The api key provided is invalid")

	def test_razorpay_order(self):
		data = {"amount": 50000, "currency": "INR", "receipt": "INV-1"}
		order = requests.post(f"{RAZORPAY}/orders", auth=RAZORPAY_AUTH, data=data).json()
		self.assertRegex(order["id"], r"^order_")
		self.assertEqual((order["amount"], order["receipt"], order["status"]), (50000, "INV-1", "created"))
		as_json = requests.post(f"{RAZORPAY}/orders", auth=RAZORPAY_AUTH, json=data)
		self.assertEqual((as_json.status_code, len(self.sim.razorpay_orders)), (200, 2))

	def test_nothing_leaves_the_machine(self):
		with self.assertRaises(requests.exceptions.ProxyError):
			requests.get("https://example.com/", timeout=10)
		self.assertEqual(
			requests.get(f"{STRIPE}/nowhere", headers={"Authorization": "Bearer x"}).status_code, 401
		)
		self.assertEqual(requests.get(f"{RAZORPAY}/nowhere", auth=RAZORPAY_AUTH).status_code, 404)
		# the TLS is the simulator's: a client trusting only the public CAs refuses it
		with self.assertRaises(requests.exceptions.SSLError):
			requests.get(f"{STRIPE}/charges", verify=requests.certs.where(), timeout=10)


class TestGatewaySimulatorRestores(unittest.TestCase):
	def test_environment_and_stripe_bundle_restored(self):
		with mock.patch.dict(os.environ, {"NO_PROXY": "intranet", "REQUESTS_CA_BUNDLE": "/etc/ca.pem"}):
			for key in ("HTTPS_PROXY", "https_proxy", "no_proxy"):
				os.environ.pop(key, None)
			before = {key: os.environ.get(key) for key in ENV_KEYS}
			bundle = stripe.ca_bundle_path if stripe else None
			with GatewaySimulator() as sim:
				self.assertEqual(os.environ["HTTPS_PROXY"], f"http://127.0.0.1:{sim.port}")
				self.assertEqual(os.environ["REQUESTS_CA_BUNDLE"], sim.ca_file)
				if stripe:
					self.assertEqual(stripe.ca_bundle_path, sim.ca_file)
			self.assertEqual({key: os.environ.get(key) for key in ENV_KEYS}, before)
			self.assertFalse(os.path.exists(sim.ca_file))
			if stripe:
				self.assertEqual(stripe.ca_bundle_path, bundle)
