import frappe

from optimar_erp.setup.roles import COLLECTIONS_MANAGER, COLLECTOR
from optimar_erp.tests.factories import OptimarTestCase


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
		from optimar_erp.overrides.customer import HoldReleaseNotPermitted
		from optimar_erp.tests.factories import make_customer

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
		from optimar_erp.tests.factories import make_customer, make_invoice

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
