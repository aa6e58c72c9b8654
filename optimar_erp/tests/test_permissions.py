import frappe

from optimar_erp.api import record_promise
from optimar_erp.exceptions import HoldReleaseNotPermitted, PromiseChangeNotPermitted, ProviderURLNotAllowed
from optimar_erp.setup.roles import COLLECTIONS_MANAGER, COLLECTOR
from optimar_erp.tests.factories import OptimarTestCase, make_customer, make_invoice


def make_user(email: str, roles: tuple[str, ...]) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"roles": [{"role": role} for role in roles],
			}
		).insert(ignore_permissions=True)
	return email


class TestPermissions(OptimarTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.manager = make_user("optimar.manager@example.com", (COLLECTIONS_MANAGER,))
		cls.collector = make_user("optimar.collector@example.com", (COLLECTOR,))
		cls.outsider = make_user("optimar.outsider@example.com", ("Sales User",))

	def tearDown(self):
		frappe.set_user("Administrator")

	def can(self, user: str, doctype: str, ptype: str) -> bool:
		return bool(frappe.has_permission(doctype, ptype, user=user))

	def test_manager_runs_settings_and_sequences(self):
		self.assertTrue(self.can(self.manager, "Collections Settings", "write"))
		for ptype in ("read", "write", "create", "delete"):
			self.assertTrue(self.can(self.manager, "Dunning Sequence", ptype), ptype)

	def test_collector_reads_but_does_not_configure(self):
		self.assertTrue(self.can(self.collector, "Collections Settings", "read"))
		self.assertFalse(self.can(self.collector, "Collections Settings", "write"))
		self.assertTrue(self.can(self.collector, "Dunning Sequence", "read"))
		for ptype in ("write", "create", "delete"):
			self.assertFalse(self.can(self.collector, "Dunning Sequence", ptype), ptype)

	def test_others_see_nothing(self):
		for doctype in ("Collections Settings", "Dunning Sequence"):
			self.assertFalse(self.can(self.outsider, doctype, "read"), doctype)

	def test_collector_cannot_save_settings(self):
		frappe.set_user(self.collector)
		settings = frappe.get_doc("Collections Settings")
		settings.max_touches_per_week = 5
		with self.assertRaises(frappe.PermissionError):
			settings.save()

	def test_every_app_doctype_grants_the_manager(self):
		for doctype in frappe.get_all("DocType", {"module": "Collections", "istable": 0}, pluck="name"):
			self.assertTrue(self.can(self.manager, doctype, "read"), doctype)

	def test_only_a_collections_manager_lifts_a_hold(self):
		"""Before: any Customer writer (a Sales User) could clear collections_hold."""
		customer = make_customer(f"Held {frappe.generate_hash(length=6)}", collections_hold=1)
		frappe.set_user(self.outsider)
		doc = frappe.get_doc("Customer", customer)
		doc.collections_hold = 0
		with self.assertRaises(HoldReleaseNotPermitted):
			doc.save()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Customer", customer, "collections_hold"), 1)
		frappe.set_user(self.manager)
		doc = frappe.get_doc("Customer", customer)
		doc.collections_hold = 0
		doc.save(ignore_permissions=True)  # the manager's role decides, not Customer write access
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Customer", customer, "collections_hold"), 0)

	def test_a_caller_cannot_label_a_promise_as_the_portals_or_the_inbox(self):
		customer = make_customer(f"Source {frappe.generate_hash(length=6)}")
		invoice = make_invoice(customer, 500, due_in_days=-3)
		name = frappe.call(
			"optimar_erp.api.record_promise",
			customer=customer,
			promised_amount=500,
			promised_date=frappe.utils.add_days(frappe.utils.today(), 4),
			invoices=[invoice],
			source="Portal",
		)
		self.assertEqual(frappe.db.get_value("Promise To Pay", name, "source"), "Collector")

	def test_the_whatsapp_token_goes_only_to_meta_unless_a_system_manager_says_otherwise(self):
		"""Before: any URL; the access token went there as a Bearer header and error bodies were stored
		where Collectors read them."""
		before = frappe.db.get_single_value("Collections Settings", "whatsapp_base_url")
		frappe.set_user(self.manager)
		for url in ("https://attacker.example", "http://graph.facebook.com", "https://x@graph.facebook.com"):
			settings = frappe.get_doc("Collections Settings")
			settings.whatsapp_base_url = url
			with self.subTest(url), self.assertRaises(ProviderURLNotAllowed):
				settings.save()
		settings = frappe.get_doc("Collections Settings")
		settings.whatsapp_base_url = "https://graph.facebook.com"
		settings.save()
		frappe.set_user("Administrator")
		settings.reload()
		settings.whatsapp_base_url = "https://waba.proxy.internal.example"
		settings.save()  # a System Manager may
		frappe.db.set_single_value("Collections Settings", "whatsapp_base_url", before)

	def test_a_change_of_payee_is_announced_to_the_managers(self):
		from unittest.mock import patch

		sent = []
		before = frappe.db.get_single_value("Collections Settings", "upi_id")
		touches = frappe.db.get_single_value("Collections Settings", "max_touches_per_week")
		new_id = f"collections{frappe.generate_hash(length=4)}@okbank"
		frappe.set_user(self.manager)
		with patch(
			"frappe.desk.doctype.notification_log.notification_log.enqueue_create_notification",
			lambda users, doc: sent.append((users, doc)),
		):
			settings = frappe.get_doc("Collections Settings")
			settings.upi_id = new_id
			settings.save()
			settings.max_touches_per_week = (settings.max_touches_per_week or 3) + 1
			settings.save()  # nothing about the payee changed: no announcement
		frappe.set_user("Administrator")
		frappe.db.set_single_value(
			"Collections Settings", {"upi_id": before, "max_touches_per_week": touches}
		)
		self.assertEqual(len(sent), 1)
		users, doc = sent[0]
		self.assertIn(self.manager, users)
		self.assertIn(new_id, doc["subject"])
		self.assertIn(self.manager, doc["subject"])

	def test_a_collector_cannot_rewrite_a_promise(self):
		"""Before: a Collector could move a promise's date or mark it Kept after it was recorded."""
		customer = make_customer(f"Promise Rewrite {frappe.generate_hash(length=6)}")
		invoice = make_invoice(customer, 800, due_in_days=-3)
		name = record_promise(
			customer, 800, frappe.utils.add_days(frappe.utils.today(), 5), invoices=[invoice]
		)
		frappe.set_user(self.collector)
		for field, value in (
			("promised_date", frappe.utils.add_days(frappe.utils.today(), 60)),
			("status", "Kept"),
		):
			promise = frappe.get_doc("Promise To Pay", name)
			promise.set(field, value)
			with self.subTest(field), self.assertRaises(PromiseChangeNotPermitted):
				promise.save(ignore_permissions=True)
		frappe.set_user(self.manager)
		promise = frappe.get_doc("Promise To Pay", name)
		promise.promised_date = frappe.utils.add_days(frappe.utils.today(), 7)
		promise.save(ignore_permissions=True)  # a manager may correct what was recorded
		frappe.set_user("Administrator")
