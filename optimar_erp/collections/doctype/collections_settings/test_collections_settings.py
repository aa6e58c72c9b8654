# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe

from optimar_erp.collections.doctype.dunning_sequence.test_dunning_sequence import make_sequence
from optimar_erp.compat import IntegrationTestCase

# Settings need none of the records behind its links (an Email Account pulls in users, companies and
# fiscal years: on Frappe v16, made when this class starts, after other suites made the real ones).
test_ignore = ["Dunning Sequence", "Email Account"]


class TestCollectionsSettings(IntegrationTestCase):
	def setUp(self):
		self.settings = frappe.get_single("Collections Settings")

	def tearDown(self):
		frappe.db.rollback()

	def assertRejected(self, fragment: str):
		with self.assertRaises(frappe.ValidationError) as caught:
			self.settings.save()
		self.assertIn(fragment, str(caught.exception))

	def test_defaults_save(self):
		self.settings.save()
		self.assertEqual(frappe.db.get_single_value("Collections Settings", "max_touches_per_week"), 3)

	def test_window_must_end_after_it_starts(self):
		self.settings.send_window_start = "19:00:00"
		self.settings.send_window_end = "08:00:00"
		self.assertRejected("must end after it starts")

	def test_window_of_zero_length_is_rejected(self):
		self.settings.send_window_start = self.settings.send_window_end = "10:00:00"
		self.assertRejected("must end after it starts")

	def test_touch_cap_at_least_one(self):
		self.settings.max_touches_per_week = 0
		self.assertRejected("between 1 and")

	def test_grace_days_not_negative(self):
		self.settings.promise_grace_days = -1
		self.assertRejected("grace days")

	def test_unknown_time_zone(self):
		self.settings.company_time_zone = "Mars/Olympus_Mons"
		self.assertRejected("not a known time zone")

	def test_known_time_zone_is_kept(self):
		self.settings.company_time_zone = "Asia/Kolkata"
		self.settings.save()
		self.assertEqual(self.settings.get_time_zone(), "Asia/Kolkata")

	def test_enabled_engine_needs_a_channel(self):
		self.settings.enabled = 1
		for channel in ("email_enabled", "sms_enabled", "whatsapp_enabled", "call_tasks_enabled"):
			self.settings.set(channel, 0)
		self.assertRejected("every channel is off")

	def test_whatsapp_needs_credentials(self):
		self.settings.whatsapp_enabled = 1
		self.settings.whatsapp_phone_number_id = "1234567890"
		self.settings.whatsapp_access_token = None
		with self.assertRaises(frappe.ValidationError):
			self.settings.save()

	def test_whatsapp_token_is_stored_as_a_secret(self):
		self.settings.whatsapp_enabled = 1
		self.settings.whatsapp_phone_number_id = "1234567890"
		self.settings.whatsapp_access_token = "EAAG-secret-token"
		self.settings.save()
		self.assertNotEqual(
			frappe.db.get_single_value("Collections Settings", "whatsapp_access_token"), "EAAG-secret-token"
		)
		self.assertEqual(self.settings.get_password("whatsapp_access_token"), "EAAG-secret-token")

	def test_twilio_needs_its_credentials(self):
		self.settings.sms_enabled = 1
		self.settings.sms_provider = "Twilio"
		self.settings.twilio_account_sid = "AC123"
		self.assertRejected("Twilio")

	def test_frappe_sms_needs_a_gateway(self):
		frappe.db.set_single_value("SMS Settings", "sms_gateway_url", "")
		self.settings.sms_enabled = 1
		self.settings.sms_provider = "Frappe SMS Settings"
		self.assertRejected("SMS Gateway URL")

	def test_default_sequence_must_be_enabled(self):
		sequence = make_sequence("Settings Test Sequence", enabled=0)
		self.settings.default_dunning_sequence = sequence.name
		self.assertRejected("is disabled")

	def test_rejected_save_writes_nothing(self):
		frappe.db.set_single_value("Collections Settings", "max_touches_per_week", 3)
		self.settings.max_touches_per_week = 0
		with self.assertRaises(frappe.ValidationError):
			self.settings.save()
		self.assertEqual(frappe.db.get_single_value("Collections Settings", "max_touches_per_week"), 3)
