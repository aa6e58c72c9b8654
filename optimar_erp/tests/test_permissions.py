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
