"""Pay online in headless Chromium, on a site with Frappe's payments app and a Stripe gateway (the gateway
stage of ``.ci/run`` sets it up with ``optimar_erp.tests.gateway_site.prepare`` and runs this with
``OPTIMAR_GATEWAY=1``; skipped elsewhere): the portal's Pay opens Stripe's checkout for the invoice's
Payment Request, and Pay again opens the same request's checkout."""

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import make_portal_account, shot
from playwright.sync_api import expect
from test_portal import row, signed_link

pytestmark = pytest.mark.skipif(
	not os.environ.get("OPTIMAR_GATEWAY"), reason="needs a site with the payments app and a gateway"
)
expect.set_options(timeout=20_000)


def test_pay_twice_opens_the_same_checkout(browser, admin):
	account = make_portal_account(admin, "Gateway Browser", amounts_due=((640, -6),))
	invoice = account.invoices[0]
	link = signed_link(admin, account.customer)
	context = browser.new_context(viewport={"width": 1280, "height": 1000})
	# the checkout loads Stripe.js from Stripe, which this machine does not reach
	context.route(re.compile(r"^https://js\.stripe\.com/"), lambda route: route.abort())
	page = context.new_page()
	page.set_default_timeout(30_000)
	opened = []
	try:
		for attempt in (1, 2):
			page.goto(link)
			with page.expect_navigation(url=re.compile(r"/stripe_checkout\?")) as navigation:
				row(page, invoice).locator(".portal-pay").click()
			assert navigation.value.status == 200
			expect(page.locator("body")).to_contain_text("640")
			opened.append(page.url)
			shot(page, f"gateway-pay-{attempt}")
	finally:
		context.close()
	assert opened[0] == opened[1], "the second Pay opens the same request's checkout"
	query = parse_qs(urlparse(opened[0]).query)
	assert (query["amount"], query["reference_doctype"]) == (["640.0"], ["Payment Request"])
	requests = admin.all(
		"Payment Request",
		[["reference_name", "=", invoice], ["docstatus", "=", 1]],
		["name", "status", "grand_total"],
	)
	assert requests == [{"name": query["reference_docname"][0], "status": "Initiated", "grand_total": 640}]
