"""The customer portal on a real site: what a website user and a signed link see and may do, and every
way in that must be refused (other customers' invoices, forged, expired and revoked links, missing CSRF
tokens, too many requests), with nothing leaked and nothing written."""

import base64
import hashlib
import json
import random
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import parse_qs, urlencode, urlparse

import pymysql

import frappe
from frappe.utils import add_days, add_to_date, flt, getdate, now_datetime, today

from optimar_erp.compat import PrintPermissionError
from optimar_erp.dunning import delivery as dunning_delivery
from optimar_erp.portal import access, actions, api, client, gateway, links, page
from optimar_erp.portal.page import CustomerPortalPage
from optimar_erp.queries import portal
from optimar_erp.setup.roles import COLLECTOR
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	at_once,
	make_customer,
	make_invoice,
	make_payment,
	make_rupee_invoice,
)
from optimar_erp.tests.test_permissions import make_user


def _blank_pdf() -> bytes:
	"""A real one-page PDF (Frappe v16's File parses uploaded PDFs)."""
	from io import BytesIO

	from pypdf import PdfWriter

	writer = PdfWriter()
	writer.add_blank_page(width=72, height=72)
	out = BytesIO()
	writer.write(out)
	return out.getvalue()


PDF = _blank_pdf()
BROKEN_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def website_user(email: str) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"user_type": "Website User",
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
	return email


def add_portal_user(customer: str, user: str) -> None:
	doc = frappe.get_doc("Customer", customer)
	doc.append("portal_users", {"user": user})
	doc.save(ignore_permissions=True)


def add_contact(customer: str, user: str) -> str:
	contact = frappe.get_doc(
		{
			"doctype": "Contact",
			"first_name": user.split("@")[0],
			"email_ids": [{"email_id": user, "is_primary": 1}],
			"user": user,
			"links": [{"link_doctype": "Customer", "link_name": customer}],
		}
	).insert(ignore_permissions=True)
	return contact.name


def token_of(url: str) -> str:
	return parse_qs(urlparse(url).query)["token"][0]


def random_ip() -> str:
	"""A fresh client address, so that throttling counters of earlier runs do not interfere."""
	return "10.{}.{}.{}".format(*(random.randint(1, 254) for _i in range(3)))


def count(doctype: str, **filters) -> int:
	return frappe.db.count(doctype, filters)


class TestCustomerPortal(CollectionsTestCase):
	SETTINGS = {
		"portal_enabled": 1,
		"portal_links_in_reminders": 1,
		"portal_link_days": 14,
		"portal_paid_days": 90,
		"upi_id": "",
	}

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		s = cls.suffix
		cls.collector = make_user(f"portal.collector.{s}@example.com", (COLLECTOR,))
		cls.customer = make_customer(f"Portal Buyer {s}", f"ap-{s}@example.com", collector=cls.collector)
		cls.other = make_customer(f"Portal Other {s}", f"other-{s}@example.com")
		cls.user = website_user(f"portal.user.{s}@example.com")
		cls.contact_user = website_user(f"portal.contact.{s}@example.com")
		cls.stranger = website_user(f"portal.stranger.{s}@example.com")
		cls.other_user = website_user(f"portal.otheruser.{s}@example.com")
		add_portal_user(cls.customer, cls.user)
		add_contact(cls.customer, cls.contact_user)
		add_portal_user(cls.other, cls.other_user)
		cls.overdue = make_invoice(cls.customer, 1000, due_in_days=-45, posting_days_ago=75)
		cls.not_due = make_invoice(cls.customer, 500, due_in_days=10, posting_days_ago=5)
		cls.paid = make_invoice(cls.customer, 300, due_in_days=-5, posting_days_ago=35)
		make_payment(cls.paid)
		cls.foreign = make_invoice(cls.other, 777, due_in_days=-10)
		cls.company = frappe.db.get_value("Sales Invoice", cls.overdue, "company")

	def tearDown(self):
		for attr in ("request", "request_ip"):
			if hasattr(frappe.local, attr):
				setattr(frappe.local, attr, None)
		frappe.local.flags.commit = False
		frappe.set_user("Administrator")
		frappe.local.form_dict = frappe._dict()

	# ------------------------------------------------------------------ helpers

	@contextmanager
	def request(
		self, method="GET", path="/api/method/x", user=None, ip=None, headers=None, peer=None, **params
	):
		"""Run as ``user`` inside a werkzeug request from ``ip`` with these form parameters. With ``peer``,
		the request arrives over a connection from that address, and ``request_ip`` is what Frappe makes
		of it (the first X-Forwarded-For entry, else the peer)."""
		from frappe.utils import set_request

		frappe.set_user(user or "Guest")
		set_request(
			method=method,
			path=path,
			query_string=urlencode(params),
			headers=headers or {},
			environ_base={"REMOTE_ADDR": peer} if peer else None,
		)
		if peer:
			forwarded = (headers or {}).get("X-Forwarded-For")
			frappe.local.request_ip = forwarded.split(",")[0].strip() if forwarded else peer
		else:
			frappe.local.request_ip = ip or random_ip()
		frappe.local.form_dict = frappe._dict(params)
		try:
			yield
		finally:
			frappe.set_user("Administrator")

	def render(self, user="Guest", **params) -> tuple[int, str]:
		from frappe.website.serve import get_response

		with self.request("GET", "/customer-portal", user=user, **params):
			response = get_response()
			return response.status_code, response.get_data(as_text=True)

	def viewer(self, user=None, token=None) -> access.Viewer:
		frappe.set_user(user or "Guest")
		try:
			return access.resolve(token=token)
		finally:
			frappe.set_user("Administrator")

	def link(self, customer=None, days=14) -> str:
		return token_of(links.create_portal_link(customer or self.customer, days))

	def assert_nothing_leaked(self, html: str):
		for secret in (self.overdue, self.not_due, self.paid, self.foreign, self.other):
			self.assertNotIn(secret, html)

	# ------------------------------------------------------------------ who sees what

	def test_users_are_linked_through_portal_users_and_contacts_only(self):
		self.assertEqual(access.linked_customers(self.user), [self.customer])
		self.assertEqual(access.linked_customers(self.contact_user), [self.customer])
		self.assertEqual(access.linked_customers(self.stranger), [])
		# a Desk user's read permission on Customer grants nothing in the portal
		self.assertEqual(access.linked_customers(self.collector), [])
		self.assertEqual(access.linked_customers("Guest"), [])

	def test_page_shows_own_invoices_statuses_and_aging(self):
		disputed = make_invoice(self.customer, 120, due_in_days=-2)
		actions.raise_dispute(self.viewer(self.user), disputed, "Pricing", 100, "Wrong unit price")
		status, html = self.render(user=self.user)
		self.assertEqual(status, 200)
		self.assertIn(self.overdue, html)
		self.assertIn(self.not_due, html)
		self.assertIn(self.paid, html, "recently paid invoices are listed")
		self.assertNotIn(self.foreign, html)
		self.assertIn("portal-badge-overdue", html)
		self.assertIn("portal-badge-disputed", html)
		self.assertIn("portal-badge-paid", html)
		self.assertIn("/invoices/" + self.overdue, html, "logged-in users get ERPNext's invoice page to pay")
		self.assertIn(disputed, html)

	def test_aging_buckets(self):
		customer = make_customer(f"Portal Aging {self.suffix}")
		for amount, due_in_days in ((500, 10), (40, 0), (1000, -45), (70, -121), (30, -1)):
			make_invoice(customer, amount, due_in_days=due_in_days, posting_days_ago=150)
		aging = portal.aging(portal.open_invoices(customer), today())
		self.assertEqual(len(aging), 1)
		buckets = dict(zip(aging[0]["labels"], aging[0]["buckets"], strict=True))
		self.assertEqual(
			buckets, {"Not Due": 540, "1-30": 30, "31-60": 1000, "61-90": 0, "91-120": 0, "120+": 70}
		)
		self.assertEqual((aging[0]["total"], aging[0]["overdue"]), (1640, 1100))

	def test_a_contact_a_website_user_makes_or_changes_grants_no_customer(self):
		"""The takeover done live: a portal user of one customer creates a Contact with themself as user
		and a link to another customer (Frappe lets role All create Contacts), then opens that customer."""
		frappe.set_user(self.user)
		try:
			frappe.get_doc(
				{
					"doctype": "Contact",
					"first_name": "Me",
					"user": self.user,
					"links": [{"link_doctype": "Customer", "link_name": self.other}],
				}
			).insert()
		except frappe.PermissionError:
			pass  # refused outright is as good
		frappe.set_user("Administrator")
		self.assertEqual(access.linked_customers(self.user), [self.customer])
		status, html = self.render(user=self.user, customer=self.other)
		self.assertEqual(status, 403)
		self.assert_nothing_leaked(html)
		frappe.set_user(self.user)
		with self.assertRaises(access.PortalAccessDenied):
			access.resolve(customer=self.other)
		frappe.set_user("Administrator")

		# a staff-made Contact that its website user then changes no longer grants anything
		changer = website_user(f"portal.changer.{self.suffix}@example.com")
		contact = frappe.get_doc("Contact", add_contact(self.customer, changer))
		self.assertEqual(access.linked_customers(changer), [self.customer])
		contact.append("links", {"link_doctype": "Customer", "link_name": self.other})
		contact.flags.ignore_permissions = True
		frappe.set_user(changer)
		contact.save()
		frappe.set_user("Administrator")
		self.assertEqual(access.linked_customers(changer), [])

	def test_contact_user_sees_the_page_too(self):
		status, html = self.render(user=self.contact_user)
		self.assertEqual(status, 200)
		self.assertIn(self.overdue, html)

	def test_page_refuses_guests_and_unlinked_users(self):
		status, _html = self.render()
		self.assertIn(status, (301, 302), "a guest without a link is sent to the login page")
		status, html = self.render(user=self.stranger)
		self.assertEqual(status, 403)
		self.assertIn("not linked to a customer", html)
		self.assert_nothing_leaked(html)
		status, html = self.render(user=self.user, customer=self.other)
		self.assertEqual(status, 403, "a user cannot pick a customer they are not linked to")
		self.assert_nothing_leaked(html)

	def test_portal_can_be_switched_off(self):
		frappe.db.set_single_value("Collections Settings", "portal_enabled", 0)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			status, html = self.render(user=self.user)
			self.assertEqual(status, 403)
			self.assert_nothing_leaked(html)
		finally:
			frappe.db.set_single_value("Collections Settings", "portal_enabled", 1)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")

	# ------------------------------------------------------------------ signed links

	def test_signed_link_opens_only_its_customer_and_counts_uses(self):
		url = links.create_portal_link(self.customer, 3)
		self.assertIn("/customer-portal?token=", url)
		token = token_of(url)
		name = frappe.db.get_value("Portal Access Link", {"token_hash": links.token_hash(token)})
		status, html = self.render(token=token)
		self.assertEqual(status, 200)
		self.assertIn(self.overdue, html)
		self.assertNotIn(self.foreign, html)
		self.assertNotIn("/invoices/" + self.overdue, html, "no ERPNext invoice page without a login")
		self.assertIn('name="referrer" content="no-referrer"', html)
		used = frappe.db.get_value("Portal Access Link", name, ["use_count", "last_used_on", "last_ip"])
		self.assertEqual(used[0], 1)
		self.assertTrue(used[1] and used[2])
		# the link is scoped: asking for another customer with it is refused
		status, html = self.render(token=token, customer=self.other)
		self.assertEqual(status, 403)
		self.assert_nothing_leaked(html)

	def test_only_the_token_hash_is_stored(self):
		token = self.link()
		nonce, signature = token.split(".")
		row = frappe.db.get_value(
			"Portal Access Link",
			{"token_hash": hashlib.sha256(token.encode()).hexdigest()},
			"*",
			as_dict=True,
		)
		self.assertTrue(row)
		stored = json.dumps(row, default=str)
		self.assertNotIn(nonce, stored)
		self.assertNotIn(signature, stored)
		self.assertEqual(row.created_by, "Administrator")
		self.assertEqual(getdate(row.expires_on), getdate(add_days(today(), 14)))

	def test_tampered_unknown_expired_and_revoked_links_are_refused(self):
		good = self.link()
		expired = self.link()
		frappe.db.set_value(
			"Portal Access Link",
			{"token_hash": links.token_hash(expired)},
			"expires_on",
			add_to_date(now_datetime(), minutes=-1),
		)
		revoked = self.link()
		links.revoke_portal_link(
			frappe.db.get_value("Portal Access Link", {"token_hash": links.token_hash(revoked)})
		)
		tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
		forged_nonce = ("x" if good[0] != "x" else "y") + good[1:]
		unknown = links.new_token()  # correctly signed, never issued
		for label, token in (
			("tampered signature", tampered),
			("tampered nonce", forged_nonce),
			("unknown", unknown),
			("expired", expired),
			("revoked", revoked),
			("garbage", "not-a-token"),
			("sql", "' OR 1=1 --"),
		):
			with self.subTest(label):
				status, html = self.render(token=token)
				self.assertEqual(status, 403)
				self.assertIn("This link is not valid", html)
				self.assert_nothing_leaked(html)
				before = count("Promise To Pay", customer=self.customer)
				with self.assertRaises(access.PortalAccessDenied):
					api.promise(json.dumps([self.overdue]), 10, add_days(today(), 5), token=token)
				self.assertEqual(count("Promise To Pay", customer=self.customer), before)
		self.assertIsNotNone(links.find_link(good), "the untouched link still works")

	def test_disabled_customer_closes_its_links(self):
		customer = make_customer(f"Portal Disabled {self.suffix}")
		token = self.link(customer)
		self.assertIsNotNone(links.find_link(token))
		frappe.db.set_value("Customer", customer, "disabled", 1)
		self.assertIsNone(links.find_link(token))

	def test_issuing_and_revoking_needs_desk_permissions(self):
		frappe.set_user(self.user)
		try:
			with self.assertRaises(frappe.PermissionError):
				links.create_portal_link(self.customer)
		finally:
			frappe.set_user("Administrator")
		token = self.link()
		name = frappe.db.get_value("Portal Access Link", {"token_hash": links.token_hash(token)})
		frappe.set_user(self.user)
		try:
			with self.assertRaises(frappe.PermissionError):
				links.revoke_portal_link(name)
		finally:
			frappe.set_user("Administrator")
		self.assertIsNotNone(links.find_link(token))
		with self.assertRaises(frappe.ValidationError):
			links.create_portal_link(self.customer, 365)
		doc = frappe.get_doc("Portal Access Link", name)
		doc.revoke()
		doc.reload()
		self.assertEqual((doc.revoked, doc.revoked_by, doc.status), (1, "Administrator", "Revoked"))
		doc.revoked = 0
		with self.assertRaises(frappe.ValidationError):
			doc.save()

	def test_reminders_carry_a_signed_link_for_their_customer(self):
		activity = frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Reminder",
				"status": "Queued",
				"customer": self.customer,
				"sales_invoice": self.overdue,
				"invoices": self.overdue,
				"channel": "Email",
			}
		)
		activity.flags.system_send = True
		activity.insert(ignore_permissions=True)
		row = frappe._dict(
			name=activity.name,
			customer=self.customer,
			company=self.company,
			currency=frappe.db.get_value("Sales Invoice", self.overdue, "currency"),
			channel="Email",
			tone="Firm",
			step_id="Standard B2B:+7:Email",
			dunning_sequence="Standard B2B",
		)
		_step, _customer, context, _subject, body = dunning_delivery.compose(row, [self.overdue])
		self.assertIn("/customer-portal?token=", context["portal_link"])
		self.assertIn(context["portal_link"], body, "the default email links to the portal")
		# "Pay now" is that signed page, which opens for the recipient without a login; never ERPNext's
		# /invoices/NAME, which refuses them
		self.assertEqual(context["payment_link"], context["portal_link"])
		self.assertNotIn("/invoices/", body)
		status, html = self.render(token=token_of(context["payment_link"]))
		self.assertEqual(status, 200)
		self.assertIn(self.overdue, html)
		link = links.find_link(token_of(context["portal_link"]))
		self.assertEqual(link.customer, self.customer)
		self.assertEqual(frappe.db.get_value("Portal Access Link", link.name, "source"), "Reminder")
		# a preview (no activity) issues nothing
		before = count("Portal Access Link", customer=self.customer)
		preview = frappe._dict(row, name=None)
		shown = dunning_delivery.compose(preview, [self.overdue])[2]
		self.assertTrue(shown["portal_link"].endswith("/invoices"))
		self.assertEqual(shown["payment_link"], "", "no Pay button where nobody could pay")
		self.assertEqual(count("Portal Access Link", customer=self.customer), before)
		# links in reminders can be turned off
		frappe.db.set_single_value("Collections Settings", "portal_links_in_reminders", 0)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			self.assertEqual(dunning_delivery.reminder_link(self.customer, activity.name), "")
		finally:
			frappe.db.set_single_value("Collections Settings", "portal_links_in_reminders", 1)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")

	def test_reminders_reuse_the_customers_live_link(self):
		"""One live link per customer across reminders (not one per message); a revoked or half-spent
		link is replaced; the token is kept only encrypted."""
		customer = make_customer(f"Portal Reuse {frappe.generate_hash(length=6)}", "reuse@example.com")

		def reminder_url():
			activity = frappe.get_doc(
				{
					"doctype": "Collection Activity",
					"activity_type": "Reminder",
					"status": "Queued",
					"customer": customer,
					"channel": "Email",
				}
			)
			activity.flags.system_send = True
			activity.insert(ignore_permissions=True)
			return dunning_delivery.reminder_link(customer, activity.name)

		first = reminder_url()
		self.assertIn("/customer-portal?token=", first)
		self.assertEqual(reminder_url(), first)
		self.assertEqual(reminder_url(), first)
		self.assertEqual(count("Portal Access Link", customer=customer), 1)
		name = links.find_link(token_of(first)).name
		stored = frappe.db.sql(
			"select password from `__Auth` where doctype='Portal Access Link' and name=%s", name
		)[0][0]
		self.assertNotIn(token_of(first), stored, "the token is stored encrypted, not as it is")
		# revoked: the next reminder carries a new link, and the revoked one stays dead
		frappe.get_doc("Portal Access Link", name).revoke()
		second = reminder_url()
		self.assertNotEqual(second, first)
		self.assertIsNone(links.find_link(token_of(first)))
		# less than half its validity left: replaced, the old one still opens until it ends
		second_name = links.find_link(token_of(second)).name
		frappe.db.set_value(
			"Portal Access Link", second_name, "expires_on", add_to_date(now_datetime(), days=6)
		)
		third = reminder_url()
		self.assertNotIn(third, (first, second))
		self.assertIsNotNone(links.find_link(token_of(second)))
		self.assertEqual(count("Portal Access Link", customer=customer), 3)
		# links made by hand in the Desk are never handed out in reminders
		links.create_portal_link(customer)
		self.assertEqual(reminder_url(), third)

	# ------------------------------------------------------------------ promise to pay

	def test_promise_from_the_portal_is_a_real_promise(self):
		invoice = make_invoice(self.customer, 1200, due_in_days=-20)
		frappe.set_user(self.user)
		result = api.promise(
			json.dumps([invoice]), "600", str(add_days(today(), 10)), note="Paying half next week"
		)
		frappe.set_user("Administrator")
		promise = frappe.get_doc("Promise To Pay", result["name"])
		self.assertEqual(
			(promise.customer, promise.source, promise.channel, flt(promise.promised_amount)),
			(self.customer, "Portal", "Portal", 600),
		)
		self.assertEqual([row.sales_invoice for row in promise.invoices], [invoice])
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "collection_state"), "Promised")
		self.assertEqual(
			frappe.db.get_value(
				"Collection Activity",
				{"reference_doctype": "Promise To Pay", "reference_name": promise.name},
				["activity_type", "channel"],
			),
			("Promise", "Portal"),
		)
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{
					"for_user": self.collector,
					"document_type": "Promise To Pay",
					"document_name": promise.name,
				},
			),
			"the collector is notified",
		)
		frappe.set_user(self.user)
		with self.assertRaisesRegex(frappe.ValidationError, "already has a promise"):
			api.promise(json.dumps([invoice]), "100", str(add_days(today(), 3)))
		frappe.set_user("Administrator")

	def test_promise_input_is_validated_and_nothing_is_written(self):
		viewer = self.viewer(self.user)
		invoice = make_invoice(self.customer, 500, due_in_days=3)
		soon = add_days(today(), 5)
		cases = [
			("zero amount", dict(amount=0), "greater than zero"),
			("not a number", dict(amount="abc"), "greater than zero"),
			("more than outstanding", dict(amount=501), "more than the"),
			("past date", dict(promised_date=add_days(today(), -1)), "Choose a payment date"),
			("beyond 90 days", dict(promised_date=add_days(today(), 91)), "Choose a payment date"),
			("no date", dict(promised_date=""), "Choose a payment date"),
			(
				"too large",
				dict(attachment=actions.Attachment("big.pdf", PDF + b"0" * (5 * 1024 * 1024))),
				"larger than 5 MB",
			),
			("wrong type", dict(attachment=actions.Attachment("run.exe", b"MZ\x90\x00")), "PDF, PNG or JPEG"),
			("disguised", dict(attachment=actions.Attachment("fake.pdf", b"<script>")), "PDF, PNG or JPEG"),
			("broken pdf", dict(attachment=actions.Attachment("scan.pdf", BROKEN_PDF)), "PDF cannot be read"),
			("no invoices", dict(invoices=[]), "Choose at least one invoice"),
		]
		before = count("Promise To Pay", customer=self.customer)
		files = count("File", attached_to_doctype="Promise To Pay")
		for label, change, message in cases:
			with self.subTest(label):
				args = {"invoices": [invoice], "amount": 100, "promised_date": soon, **change}
				with self.assertRaisesRegex(frappe.ValidationError, message):
					actions.record_promise(viewer, **args)
		self.assertEqual(count("Promise To Pay", customer=self.customer), before)
		self.assertEqual(count("File", attached_to_doctype="Promise To Pay"), files)
		# the last day of the window and an image attachment are fine
		name = actions.record_promise(
			viewer,
			[invoice],
			500,
			add_days(today(), 90),
			attachment=actions.Attachment("remittance.png", PNG),
		)
		self.assertEqual(
			frappe.get_all("File", {"attached_to_name": name}, pluck="is_private"), [1], "a private file"
		)

	# ------------------------------------------------------------------ disputes

	def test_dispute_from_the_portal_with_evidence(self):
		invoice = make_invoice(self.customer, 250, due_in_days=-3)
		frappe.set_user(self.user)
		name = actions.raise_dispute(
			self.viewer(self.user),
			invoice,
			"Quantity",
			"120.50",
			"Only 3 of 5 delivered",
			attachment=actions.Attachment("delivery note.pdf", PDF),
		)
		frappe.set_user("Administrator")
		dispute = frappe.get_doc("Dispute", name)
		self.assertEqual(
			(dispute.customer, dispute.source, dispute.reason_code, flt(dispute.disputed_amount)),
			(self.customer, "Portal", "Quantity", 120.5),
		)
		self.assertEqual(dispute.dispute_owner, self.collector)
		self.assertEqual(frappe.db.get_value("Sales Invoice", invoice, "collection_state"), "Disputed")
		files = frappe.get_all(
			"File", {"attached_to_doctype": "Dispute", "attached_to_name": name}, ["file_name", "is_private"]
		)
		self.assertEqual(len(files), 1)
		self.assertTrue(files[0].is_private and files[0].file_name.endswith(".pdf"))
		self.assertEqual(
			frappe.db.get_value(
				"Collection Activity", {"reference_doctype": "Dispute", "reference_name": name}, "channel"
			),
			"Portal",
		)
		self.assertTrue(
			frappe.db.exists("Notification Log", {"for_user": self.collector, "document_name": name})
		)
		with self.assertRaisesRegex(frappe.ValidationError, "already has an open dispute"):
			actions.raise_dispute(self.viewer(self.user), invoice, "Pricing", 10, "Again")

	def test_dispute_input_is_validated(self):
		viewer = self.viewer(self.user)
		invoice = make_invoice(self.customer, 80, due_in_days=-1)
		for label, args, message in (
			("no reason", ("", 10, "x"), "reason"),
			("unknown reason", ("Because", 10, "x"), "reason"),
			("no description", ("Pricing", 10, "  "), "what is wrong"),
			("too much", ("Pricing", 81, "x"), "more than the"),
			("negative", ("Pricing", -5, "x"), "greater than zero"),
		):
			with self.subTest(label), self.assertRaisesRegex(frappe.ValidationError, message):
				actions.raise_dispute(viewer, invoice, *args)
		files = count("File", attached_to_doctype="Dispute")
		with self.assertRaisesRegex(frappe.ValidationError, "PDF cannot be read"):
			actions.raise_dispute(
				viewer, invoice, "Pricing", 10, "x", attachment=actions.Attachment("scan.pdf", BROKEN_PDF)
			)
		self.assertEqual(count("Dispute", sales_invoice=invoice), 0)
		self.assertEqual(count("File", attached_to_doctype="Dispute"), files)

	# ------------------------------------------------------------------ another customer's documents

	def test_other_customers_invoices_are_refused_everywhere(self):
		promises, disputes = count("Promise To Pay"), count("Dispute")
		for user, token in ((self.user, None), ("Guest", self.link())):
			frappe.set_user(user)
			try:
				calls = {
					"promise": lambda: api.promise(
						json.dumps([self.foreign]), 10, add_days(today(), 5), token=token
					),
					"promise mixed": lambda: api.promise(
						json.dumps([self.overdue, self.foreign]), 10, add_days(today(), 5), token=token
					),
					"dispute": lambda: api.dispute(self.foreign, "Pricing", 10, "x", token=token),
					"pdf": lambda: api.invoice_pdf(self.foreign, token=token),
					"pay": lambda: api.pay(self.foreign, token=token),
					"upi": lambda: api.upi(json.dumps([self.foreign]), token=token),
					"unknown": lambda: api.invoice_pdf("ACC-SINV-DOES-NOT-EXIST", token=token),
					"other customer": lambda: api.balance(token=token, customer=self.other),
				}
				for label, call in calls.items():
					with self.subTest(user=user, call=label):
						frappe.clear_messages()
						with self.assertRaises(access.PortalAccessDenied) as caught:
							call()
						message = str(caught.exception)
						self.assertNotIn(self.other, message)
						self.assertNotIn(self.foreign, message)
						self.assertNotIn("777", message)
			finally:
				frappe.set_user("Administrator")
		self.assertEqual((count("Promise To Pay"), count("Dispute")), (promises, disputes))

	# ------------------------------------------------------------------ balance confirmation

	def test_balance_confirmation_uses_the_ledger_and_is_read_only(self):
		frappe.set_user(self.user)
		result = api.confirm_balance(as_of_date=today(), response="Confirmed")
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Balance Confirmation", result["name"])
		expected, currency = portal.party_balance(self.customer, self.company, today())
		self.assertEqual((flt(doc.balance), doc.currency), (expected, currency))
		self.assertGreaterEqual(flt(doc.balance), 1500, "open invoices less payments")
		self.assertEqual(
			(doc.customer, doc.company, doc.confirmed_by, doc.user),
			(self.customer, self.company, self.user, self.user),
		)
		self.assertTrue(
			frappe.db.exists(
				"Collection Activity",
				{
					"reference_doctype": "Balance Confirmation",
					"reference_name": doc.name,
					"channel": "Portal",
				},
			)
		)
		doc.note = "changed"
		with self.assertRaises(frappe.PermissionError):
			doc.save(ignore_permissions=True)
		# earlier: before the overdue invoice was posted the balance was lower
		early = add_days(today(), -40)
		self.assertLess(portal.party_balance(self.customer, self.company, early)[0], expected)

	def test_balance_needs_a_login_not_a_signed_link(self):
		token = self.link()
		before = frappe.db.count("Balance Confirmation", {"customer": self.customer})
		frappe.set_user("Guest")
		with self.assertRaisesRegex(access.PortalAccessDenied, "log in"):
			api.confirm_balance(
				as_of_date=today(), response="Disputed", difference_amount=-300, note="x", token=token
			)
		status, html = self.render(token=token)
		self.assertEqual(status, 200)
		self.assertIn("portal-confirm-title", html)
		self.assertNotIn('id="portal-confirm-form"', html)
		self.assertIn("/login?redirect-to=/customer-portal", html)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.count("Balance Confirmation", {"customer": self.customer}), before)

	def test_disputed_balance_is_validated(self):
		frappe.set_user(self.user)
		with self.assertRaisesRegex(frappe.ValidationError, "difference"):
			api.confirm_balance(as_of_date=today(), response="Disputed")
		with self.assertRaisesRegex(frappe.ValidationError, "what the difference is about"):
			api.confirm_balance(as_of_date=today(), response="Disputed", difference_amount=-300)
		with self.assertRaisesRegex(frappe.ValidationError, "future"):
			api.confirm_balance(as_of_date=add_days(today(), 1), response="Confirmed")
		with self.assertRaisesRegex(frappe.ValidationError, "whether the balance is right"):
			api.confirm_balance(as_of_date=today(), response="Maybe")
		result = api.confirm_balance(
			as_of_date=today(), response="Disputed", difference_amount=-300, note="We paid INV 12 by cheque"
		)
		user = frappe.session.user
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Balance Confirmation", result["name"])
		self.assertEqual(
			(doc.response, flt(doc.difference_amount), doc.confirmed_by), ("Disputed", -300, user)
		)
		self.assertEqual((doc.user, doc.portal_access_link), (user, None))
		self.assertIn("Balance Confirmation", str(frappe.get_meta("Customer").get_dashboard_data()))

	# ------------------------------------------------------------------ the page's renderer

	def test_the_page_has_its_own_renderer_and_other_pages_keep_frappes(self):
		from frappe.website.path_resolver import PathResolver

		with self.request("GET", "/customer-portal"):
			self.assertIsInstance(PathResolver("customer-portal").resolve()[1], CustomerPortalPage)
			for path in ("me", "login", "customer-portal-x", "invoices"):
				self.assertNotIsInstance(PathResolver(path).resolve()[1], CustomerPortalPage, path)

	def test_boot_data_is_frappes_without_the_workspace_walk(self):
		"""A guest (signed link) and a website user have no Desk app to switch to: the page's boot data
		skips the permission walk over every workspace that finds none, and is the same as Frappe's."""
		from frappe.website.utils import get_boot_data

		for user in ("Guest", self.user, "Administrator"):
			frappe.set_user(user)
			try:
				with self.subTest(user):
					self.assertEqual(page.app_screen_is_empty(), user != "Administrator")
					self.assertEqual(page.boot_data(), get_boot_data())
			finally:
				frappe.set_user("Administrator")

	def test_page_queries_do_not_grow_with_its_invoices(self):
		"""Everything a row shows is read in set-based queries: a customer with eight open invoices (one
		of them promised, one disputed, one paid) costs the page as many SQL statements as a customer
		with one."""

		def statements(token: str) -> int:
			self.render(token=token)  # warm Frappe's caches
			before = frappe.db.sql("SHOW SESSION STATUS LIKE 'Questions'")[0][1]
			status, html = self.render(token=token)
			self.assertEqual(status, 200)
			return int(frappe.db.sql("SHOW SESSION STATUS LIKE 'Questions'")[0][1]) - int(before) - 1

		small = make_customer(f"Portal Small {self.suffix}")
		make_invoice(small, 100, due_in_days=-3)
		large = make_customer(f"Portal Large {self.suffix}")
		invoices = [make_invoice(large, 100 + i, due_in_days=10 - 9 * i) for i in range(9)]
		make_payment(invoices[-1])
		viewer = access.Viewer(large, "Guest", None, (large,))
		actions.raise_dispute(viewer, invoices[0], "Pricing", 50, "Wrong unit price")
		actions.record_promise(viewer, [invoices[1]], 101, add_days(today(), 5))
		self.assertEqual(statements(self.link(large)), statements(self.link(small)))

	def test_page_is_gzipped_for_clients_that_accept_it(self):
		import gzip

		from frappe.website.serve import get_response

		token = self.link()
		with self.request("GET", "/customer-portal", headers={"Accept-Encoding": "gzip, br"}, token=token):
			response = get_response()
		self.assertEqual(response.status_code, 200)
		self.assertEqual(response.headers.get("Content-Encoding"), "gzip")
		self.assertIn("Accept-Encoding", response.headers.get("Vary", ""))
		html = gzip.decompress(response.get_data()).decode()
		self.assertIn(self.overdue, html)
		self.assertLess(len(response.get_data()), len(html) / 3)
		status, plain = self.render(token=token)
		self.assertEqual(status, 200)
		self.assertIn(self.overdue, plain, "no Accept-Encoding: plain HTML")

	# ------------------------------------------------------------------ documents

	def test_invoice_pdf_and_statement(self):
		# the invoice prints for a link holder, who has no print permission of their own (the PDF itself
		# needs the web server for its stylesheet: browser_tests/test_portal.py downloads it)
		token = self.link()
		with self.request(token=token):
			access.own_invoice(access.resolve(token=token), self.paid)
			html = api.invoice_print(self.paid)
			self.assertIn(self.paid, html)
			self.assertFalse(frappe.flags.ignore_print_permissions)
			with self.assertRaises(PrintPermissionError, msg="Frappe's own check still applies"):
				frappe.get_print("Sales Invoice", self.paid)
		with self.request(user=self.user):
			api.statement_pdf(from_date=add_days(today(), -100), to_date=today())
			self.assertTrue(frappe.local.response.filecontent.startswith(b"%PDF"))
		frappe.set_user(self.user)
		for label, (start, end), message in (
			("reversed", (today(), add_days(today(), -1)), "start before it ends"),
			("future", (today(), add_days(today(), 1)), "future"),
			("too long", (add_days(today(), -800), today()), "two years"),
			("missing", ("", today()), "first and the last day"),
		):
			with self.subTest(label), self.assertRaisesRegex(frappe.ValidationError, message):
				api.statement_pdf(from_date=start, to_date=end)
		frappe.set_user("Administrator")
		statement = portal.statement(self.customer, self.company, add_days(today(), -100), today())
		self.assertAlmostEqual(
			statement["opening"] + statement["debits"] - statement["credits"], statement["closing"]
		)
		self.assertEqual(statement["closing"], portal.party_balance(self.customer, self.company, today())[0])
		vouchers = {line["voucher_no"] for line in statement["lines"]}
		self.assertTrue({self.overdue, self.not_due, self.paid} <= vouchers)
		self.assertNotIn(self.foreign, vouchers)

	def test_the_statement_carries_the_companys_letterhead_aging_and_where_to_pay(self):
		"""A branded statement: the company's logo (embedded: the PDF renderer fetches nothing), both
		addresses, the open invoices by age, the bank to pay into; the customer named once."""
		png = base64.b64decode(
			"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
		)
		logo = frappe.get_doc(
			{"doctype": "File", "file_name": f"logo-{self.suffix}.png", "content": png, "is_private": 0}
		).insert(ignore_permissions=True)
		address = frappe.get_doc(
			{
				"doctype": "Address",
				"address_title": self.company,
				"address_line1": "12 Harbour Street",
				"city": "Springfield",
				"country": frappe.db.get_value("Company", self.company, "country"),
				"is_your_company_address": 1,
				"links": [{"link_doctype": "Company", "link_name": self.company}],
			}
		).insert(ignore_permissions=True)
		if not frappe.db.exists("Bank Account", {"company": self.company, "is_company_account": 1}):
			if not frappe.db.exists("Bank", "Harbour Bank"):
				frappe.get_doc({"doctype": "Bank", "bank_name": "Harbour Bank"}).insert(
					ignore_permissions=True
				)
			ledger = frappe.get_doc(
				{
					"doctype": "Account",
					"account_name": f"Harbour {self.suffix}",
					"company": self.company,
					"parent_account": frappe.db.get_value(
						"Account", {"company": self.company, "account_type": "Bank", "is_group": 1}
					)
					or frappe.db.get_value(
						"Account", {"company": self.company, "root_type": "Asset", "is_group": 1}
					),
					"account_type": "Bank",
				}
			).insert(ignore_permissions=True)
			frappe.get_doc(
				{
					"doctype": "Bank Account",
					"account_name": f"Receipts {self.suffix}",
					"bank": "Harbour Bank",
					"company": self.company,
					"is_company_account": 1,
					"is_default": 1,
					"bank_account_no": f"00-{self.suffix}",
					"account": ledger.name,
				}
			).insert(ignore_permissions=True)
		pay_to = portal.letterhead(self.company, self.customer)["bank"]
		company_logo = frappe.db.get_value("Company", self.company, "company_logo")
		frappe.db.set_value("Company", self.company, "company_logo", logo.file_url)
		try:
			html = api.statement_html(self.customer, self.company, add_days(today(), -100), getdate(today()))
		finally:
			frappe.db.set_value("Company", self.company, "company_logo", company_logo)
		self.assertIn("data:image/png;base64,", html)
		self.assertNotIn(logo.file_url, html, "nothing for the renderer to fetch")
		self.assertIn("12 Harbour Street", html)
		self.assertIn("Please pay to", html)
		self.assertIn(pay_to.iban or pay_to.bank_account_no or pay_to.bank, html)
		self.assertIn("Open invoices by days overdue", html)
		self.assertIn(self.overdue, html)
		name = frappe.db.get_value("Customer", self.customer, "customer_name")
		if name == self.customer:
			self.assertNotIn(f"{name} ({name})", html)
		address.delete(ignore_permissions=True)

	def test_the_page_is_the_customers_home_not_erpnexts_portal(self):
		"""The customer sees their supplier's name and their account, not ERPNext's navbar (Projects,
		Timesheets, Newsletter…), its sidebar or its footer."""
		for who in ({"user": self.user}, {"token": self.link()}):
			status, html = self.render(**who) if "user" in who else self.render(token=who["token"])
			with self.subTest(**who):
				self.assertEqual(status, 200)
				self.assertIn("optimar-portal-brand", html)
				self.assertIn(self.company, html)
				self.assertNotIn('class="navbar', html)
				self.assertNotIn('class="web-footer"', html)
				self.assertNotIn("web-sidebar", html)

	def test_payment_options(self):
		viewer = self.viewer(self.user)
		self.assertIsNone(gateway.gateway_account("USD", self.company), "no payments app: no online payment")
		frappe.set_user(self.user)
		with self.assertRaisesRegex(frappe.ValidationError, "Online payment is not available"):
			api.pay(self.overdue)
		with self.assertRaisesRegex(frappe.ValidationError, "UPI payment is available"):
			api.upi(json.dumps([self.overdue]))
		frappe.set_user("Administrator")
		self.assertTrue(viewer.customer)

	def test_upi_for_rupee_invoices(self):
		customer, invoice = self.rupee_customer()
		token = self.link(customer)
		frappe.db.set_single_value(
			"Collections Settings", {"upi_id": "collect@okbank", "upi_payee_name": "Wind Power"}
		)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			status, html = self.render(token=token)
			self.assertEqual(status, 200)
			self.assertIn("portal-upi", html)
			frappe.set_user("Guest")
			result = api.upi(json.dumps([invoice]), token=token)
		finally:
			frappe.set_user("Administrator")
			frappe.db.set_single_value("Collections Settings", {"upi_id": "", "upi_payee_name": ""})
			frappe.clear_document_cache("Collections Settings", "Collections Settings")
		self.assertTrue(result["link"].startswith("upi://pay?pa=collect%40okbank&pn=Wind%20Power&am=5000.00"))
		self.assertIn("cu=INR", result["link"])
		self.assertTrue(base64.b64decode(result["qr"].split(",", 1)[1]).startswith(b"\x89PNG"))
		self.assertEqual(result["invoices"], [invoice])
		# the account is in rupees: balance and statement too
		self.assertEqual(portal.party_balance(customer, self.company, today()), (5000, "INR"))

	def rupee_customer(self) -> tuple[str, str]:
		"""A customer billed in INR through a rupee receivable account of the (USD) test company."""
		customer = make_customer(f"Portal Rupee {self.suffix}")
		return customer, make_rupee_invoice(customer, 5000, due_in_days=-3, company=self.company)

	# ------------------------------------------------------------------ CSRF and rate limits

	def test_logged_in_posts_need_the_csrf_token(self):
		invoice = make_invoice(self.customer, 90, due_in_days=-4)
		before = count("Promise To Pay", customer=self.customer)
		args = dict(invoices=json.dumps([invoice]), amount=10, promised_date=str(add_days(today(), 5)))
		with self.request("POST", "/api/method/optimar_erp.portal.api.promise", user=self.user, **args):
			frappe.local.session.data.csrf_token = "the-session-token"
			with self.assertRaises(frappe.CSRFTokenError):
				api.promise(**args)
		with self.request(
			"POST",
			"/api/method/optimar_erp.portal.api.promise",
			user=self.user,
			headers={"X-Frappe-CSRF-Token": "a-guess"},
			**args,
		):
			frappe.local.session.data.csrf_token = "the-session-token"
			with self.assertRaises(frappe.CSRFTokenError):
				api.promise(**args)
		self.assertEqual(count("Promise To Pay", customer=self.customer), before)
		with self.request(
			"POST",
			"/api/method/optimar_erp.portal.api.promise",
			user=self.user,
			headers={"X-Frappe-CSRF-Token": "the-session-token"},
			**args,
		):
			frappe.local.session.data.csrf_token = "the-session-token"
			self.assertTrue(api.promise(**args)["name"])

	def test_two_requests_cannot_both_promise_or_dispute_one_invoice(self):
		"""Two portal requests at once for one invoice (a double click, two tabs, a script): the checks
		"already promised" / "already disputed" hold under concurrency, so exactly one gets through."""
		customer = make_customer(f"Portal Race {frappe.generate_hash(length=6)}", "race@example.com")
		promised_invoice = make_invoice(customer, 640, due_in_days=-12)
		disputed_invoice = make_invoice(customer, 480, due_in_days=-12)
		frappe.db.commit()
		when = str(add_days(today(), 7))

		def twice(action) -> list:
			def request(ready):
				frappe.set_user("Guest")
				viewer = access.Viewer(customer=customer, user="Guest")
				# both requests have read the site before either writes
				access.own_open_invoices(viewer, [promised_invoice, disputed_invoice])
				ready()
				name = action(viewer)
				frappe.db.commit()
				return name

			return at_once(request, request)

		promises = twice(lambda v: actions.record_promise(v, [promised_invoice], "640", when))
		disputes = twice(
			lambda v: actions.raise_dispute(v, disputed_invoice, "Pricing", "100", "Wrong unit price")
		)
		for outcomes, doctype, filters in (
			(promises, "Promise To Pay", {"customer": customer}),
			(disputes, "Dispute", {"sales_invoice": disputed_invoice}),
		):
			refused = [o for o in outcomes if isinstance(o, frappe.ValidationError)]
			self.assertEqual(len(outcomes), 2)
			self.assertEqual(len(refused), 1, outcomes)
			self.assertIn("already", str(refused[0]))
			self.assertEqual(frappe.db.count(doctype, filters), 1)

	def test_a_write_conflict_restarts_the_whole_request_link_use_included(self):
		"""A request through a link counts the link's use before it records the promise; when the promise's
		locking read meets a concurrent change (MariaDB 11.6+: "Record has changed since last read"), the
		whole request starts again: one promise, the use counted once, no error to the customer."""
		invoice = make_invoice(self.customer, 700, due_in_days=-9)
		token = self.link()
		link = links.find_link(token).name
		frappe.db.commit()
		uses = frappe.db.get_value("Portal Access Link", link, "use_count") or 0
		real, calls = actions.lock_open_claims, {"n": 0}

		def conflicting(invoices):
			calls["n"] += 1
			if calls["n"] == 1:
				raise frappe.QueryDeadlockError(
					pymysql.err.OperationalError(1020, "Record has changed since last read")
				)
			return real(invoices)

		with self.request("POST", user="Guest"), patch.object(actions, "lock_open_claims", conflicting):
			self.assertEqual(frappe.db.transaction_writes, 0)
			result = api.promise(json.dumps([invoice]), "700", str(add_days(today(), 5)), token=token)
		self.assertEqual(calls["n"], 2)
		self.assertEqual(frappe.db.get_value("Promise To Pay", result["name"], "customer"), self.customer)
		self.assertEqual(frappe.db.get_value("Portal Access Link", link, "use_count"), uses + 1)

	def test_endpoints_are_rate_limited(self):
		with self.request("GET", "/api/method/optimar_erp.portal.api.balance", user=self.user):
			frappe.local.form_dict.cmd = "optimar_erp.portal.api.balance"
			for _i in range(api.READS_PER_10_MINUTES):
				api.balance()
			with self.assertRaises(frappe.RateLimitExceededError):
				api.balance()

	def test_forged_x_forwarded_for_escapes_no_limit(self):
		"""Behind the bench's nginx (a trusted proxy on loopback) the client is the address nginx saw, the
		right-most X-Forwarded-For entry; what the client writes left of it (which Frappe takes as
		``request_ip``) changes nothing. Without a trusted proxy in front, the header is ignored."""
		good, real = self.link(), random_ip()

		def via_nginx(**kwargs):
			return self.request(
				peer="127.0.0.1", headers={"X-Forwarded-For": f"{random_ip()}, {real}"}, **kwargs
			)

		for _i in range(access.BAD_TOKENS_PER_HOUR):
			with via_nginx():
				self.assertEqual(client.client_address(), real)
				self.assertNotEqual(frappe.local.request_ip, real, "Frappe believes the forged entry")
				with self.assertRaises(access.PortalAccessDenied):
					access.resolve(token=links.new_token())
		with via_nginx(), self.assertRaises(frappe.TooManyRequestsError):
			access.resolve(token=good)
		with via_nginx(user=self.user):
			for _i in range(api.READS_PER_10_MINUTES):
				api.balance()
		with via_nginx(user=self.user), self.assertRaises(frappe.RateLimitExceededError):
			api.balance()
		# a connection straight from the client: its forged header is not believed
		direct = random_ip()
		with self.request(peer=direct, headers={"X-Forwarded-For": "127.0.0.1, 10.0.0.1"}):
			self.assertEqual(client.client_address(), direct)
		# a proxy elsewhere (say a load balancer on 10.8.0.0/16) counts once the site config trusts it
		with self.request(peer="10.8.0.5", headers={"X-Forwarded-For": f"{direct}, 10.8.0.7"}):
			self.assertEqual(client.client_address(), "10.8.0.5")
			frappe.local.conf.optimar_trusted_proxies = ["127.0.0.1", "10.8.0.0/16"]
			try:
				self.assertEqual(client.client_address(), direct)
			finally:
				del frappe.local.conf["optimar_trusted_proxies"]

	def test_page_views_and_bad_tokens_are_throttled_per_ip(self):
		good = self.link()
		with self.request():
			for _i in range(access.PAGE_VIEWS_PER_MINUTE):
				access.throttle_page()
			with self.assertRaises(frappe.TooManyRequestsError):
				access.throttle_page()
		with self.request():
			for _i in range(access.BAD_TOKENS_PER_HOUR):
				with self.assertRaises(access.PortalAccessDenied):
					access.resolve(token=links.new_token())
			with self.assertRaises(frappe.TooManyRequestsError):
				access.resolve(token=good)
		with self.request():
			self.assertEqual(access.resolve(token=good).customer, self.customer, "other IPs are unaffected")
