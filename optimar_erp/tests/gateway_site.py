"""Online payment set up on a site with Frappe's ``payments`` app, as a user does it: Stripe Settings and
Razorpay Settings saved (each save checks its keys against the gateway's API, here the simulator on
127.0.0.1) and a Payment Gateway Account per gateway and currency.

Used by ``test_gateway_payments.py`` and, through :func:`prepare`, by ``.ci/run``'s gateway stage before
the browser check ``browser_tests/test_gateway_pay.py``
(``bench --site SITE execute optimar_erp.tests.gateway_site.prepare``). Idempotent: it reuses what a
former run made."""

import frappe

from optimar_erp.tests.factories import default_company
from optimar_erp.tests.gateway_simulator import GatewaySimulator

STRIPE_GATEWAY = "Optimar Tests"
STRIPE_PUBLISHABLE = "pk_test_optimar"
STRIPE_SECRET = "sk_test_optimar"
RAZORPAY_KEY, RAZORPAY_SECRET = "rzp_test_optimar", "rzp_secret_optimar"
GATEWAYS = (f"Stripe-{STRIPE_GATEWAY}", "Razorpay")
"""The Payment Gateways these make (ERPNext's names for them)."""


def simulator() -> GatewaySimulator:
	return GatewaySimulator(
		stripe_secret=STRIPE_SECRET, razorpay_key=RAZORPAY_KEY, razorpay_secret=RAZORPAY_SECRET
	)


def bank_account(company: str, currency: str) -> str:
	name = f"Gateway {currency} (tests)"
	existing = frappe.db.get_value("Account", {"company": company, "account_name": name})
	if existing:
		return existing
	parent = frappe.db.get_value(
		"Account", {"company": company, "account_type": "Bank", "is_group": 0}, "parent_account"
	)
	return (
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": name,
				"parent_account": parent,
				"account_type": "Bank",
				"account_currency": currency,
				"company": company,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def gateway_account(company: str, gateway: str, currency: str) -> str:
	"""The gateway's account for ``currency`` (enabling a gateway makes ERPNext add one in the company's
	currency; one in another currency is added here, as a user would)."""
	return frappe.db.get_value(
		"Payment Gateway Account", {"payment_gateway": gateway, "currency": currency}
	) or (
		frappe.get_doc(
			{
				"doctype": "Payment Gateway Account",
				"payment_gateway": gateway,
				"payment_account": bank_account(company, currency),
				"payment_channel": "Email",
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def stripe_gateway(company: str) -> str:
	"""Stripe Settings as a user fills them in: saving checks the keys against Stripe's API."""
	if not frappe.db.exists("Stripe Settings", STRIPE_GATEWAY):
		frappe.get_doc(
			{
				"doctype": "Stripe Settings",
				"gateway_name": STRIPE_GATEWAY,
				"publishable_key": STRIPE_PUBLISHABLE,
				"secret_key": STRIPE_SECRET,
			}
		).insert(ignore_permissions=True)
	return gateway_account(company, f"Stripe-{STRIPE_GATEWAY}", "USD")


def razorpay_gateway(company: str) -> str:
	settings = frappe.get_single("Razorpay Settings")
	settings.update({"api_key": RAZORPAY_KEY, "api_secret": RAZORPAY_SECRET})
	settings.save(ignore_permissions=True)
	return gateway_account(company, "Razorpay", "INR")


def remove_gateway_accounts() -> None:
	"""The site keeps no online payment of these gateways (for tests that check the app without it)."""
	for name in frappe.get_all(
		"Payment Gateway Account", filters={"payment_gateway": ("in", GATEWAYS)}, pluck="name"
	):
		frappe.delete_doc("Payment Gateway Account", name, force=True, ignore_permissions=True)


def prepare() -> dict:
	"""Stripe (USD) and Razorpay (INR) on the site's default company, saved against the simulator."""
	company = default_company()
	with simulator():
		accounts = {"USD": stripe_gateway(company), "INR": razorpay_gateway(company)}
	frappe.db.commit()
	return accounts
