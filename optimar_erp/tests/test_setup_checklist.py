"""The set-up check names what a site lacks before automated dunning can work, on a real site."""

import frappe

from optimar_erp.setup import checklist
from optimar_erp.tests.factories import CollectionsTestCase, make_customer, make_invoice


class TestSetupChecklist(CollectionsTestCase):
	SETTINGS = {"email_enabled": 1, "reminder_email_account": None}

	def keys(self) -> dict[str, str]:
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		return {g["key"]: g["message"] for g in checklist.gaps()}

	def test_gaps_are_named_with_what_to_do(self):
		s = frappe.generate_hash(length=6)
		silent = make_customer(f"Checklist Silent {s}", None)
		make_invoice(silent, 120, due_in_days=-10)
		reachable = make_customer(
			f"Checklist Reachable {s}", f"ap-{s}@example.com", collector="Administrator"
		)
		make_invoice(reachable, 80, due_in_days=-10)
		found = self.keys()
		self.assertIn("default outgoing account", found["mailbox"])
		self.assertRegex(found["no_email"], r"^\d+ customers with overdue invoices have no email address")
		self.assertIn("go to the Collections Managers", found["no_collector"])
		unreachable, uncollected = checklist._customers_with_overdue_gaps()
		self.assertIn(silent, unreachable)
		self.assertNotIn(reachable, unreachable)
		self.assertIn(silent, uncollected)
		self.assertNotIn(reachable, uncollected)
		# a Reminder Email Account closes that gap; with no outgoing account at all it is an error
		account = frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1})
		frappe.db.set_single_value("Collections Settings", "reminder_email_account", account)
		self.assertNotIn("mailbox", self.keys())
		frappe.db.set_value("Email Account", account, "enable_outgoing", 0)
		try:
			self.assertIn("No outgoing email account", self.keys()["mailbox"])
		finally:
			frappe.db.set_value("Email Account", account, "enable_outgoing", 1)
			frappe.db.set_single_value("Collections Settings", "reminder_email_account", None)

	def test_turning_the_engine_on_says_what_is_missing(self):
		settings = frappe.get_single("Collections Settings")
		settings.enabled = 0
		settings.save(ignore_permissions=True)
		frappe.local.message_log = []
		settings.enabled = 1
		settings.save(ignore_permissions=True)
		said = " ".join(str(m) for m in frappe.local.message_log)
		self.assertIn("still missing", said)
		self.assertIn("outgoing account", said)
		frappe.local.message_log = []
		settings.save(ignore_permissions=True)  # saved again while on: no repeat
		self.assertEqual(frappe.local.message_log, [])

	def test_only_desk_users_with_the_settings_may_ask(self):
		frappe.set_user("Guest")
		try:
			with self.assertRaises(frappe.PermissionError):
				checklist.check_setup()
		finally:
			frappe.set_user("Administrator")
		self.assertIsInstance(checklist.check_setup(), list)
