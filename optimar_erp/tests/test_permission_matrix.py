"""Who can do what: every doctype of the app and every whitelisted method has its row here.

A new doctype or whitelisted method fails :meth:`test_every_doctype_has_its_row` /
:meth:`test_every_whitelisted_method_has_its_row` until its row is written, so a boundary is never added
without deciding who may cross it. The README's "Who can do what" table says the same in words.
"""

import ast
from pathlib import Path

import frappe
from frappe.handler import is_whitelisted

from optimar_erp.portal import access
from optimar_erp.setup.roles import COLLECTIONS_MANAGER, COLLECTOR
from optimar_erp.tests.factories import OptimarTestCase, make_customer, make_invoice
from optimar_erp.tests.test_permissions import make_user

PTYPES = {"r": "read", "w": "write", "c": "create", "d": "delete", "s": "submit", "x": "cancel"}
LINKED_WEBSITE_USER = "Website User of a customer"
"""A website user on a Customer's Portal Users: the portal opens for that customer; the Desk does not."""
ROLES = (
	"Guest",
	"Website User",
	LINKED_WEBSITE_USER,
	"Sales User",
	"Accounts User",
	COLLECTOR,
	COLLECTIONS_MANAGER,
	"Accounts Manager",
	"System Manager",
)
SM = "System Manager"

DOCTYPES: dict[str, dict[str, str]] = {
	# role → the permissions it has (r read, w write, c create, d delete, s submit, x cancel);
	# a role not named has none (Guest, both website users, Sales User and Accounts User: none at all)
	"Balance Confirmation": {COLLECTIONS_MANAGER: "r", COLLECTOR: "r", "Accounts Manager": "r", SM: "rd"},
	"Collection Activity": {
		COLLECTIONS_MANAGER: "rwcd",
		COLLECTOR: "rwc",
		"Accounts Manager": "r",
		SM: "rwcd",
	},
	"Collections Inbox Item": {COLLECTIONS_MANAGER: "rwd", COLLECTOR: "rw", SM: "rwcd"},
	"Collections Settings": {COLLECTIONS_MANAGER: "rwc", COLLECTOR: "r", SM: "rwc"},
	"Customer Risk Score": {COLLECTIONS_MANAGER: "r", COLLECTOR: "r", "Accounts Manager": "r", SM: "rd"},
	"Customer Response Profile": {
		COLLECTIONS_MANAGER: "r",
		COLLECTOR: "r",
		"Accounts Manager": "r",
		SM: "rd",
	},
	"Dispute": {COLLECTIONS_MANAGER: "rwcd", COLLECTOR: "rwc", "Accounts Manager": "rw", SM: "rwcd"},
	"Dunning Run": {COLLECTIONS_MANAGER: "rwcdsx", COLLECTOR: "r", SM: "rwcdsx"},
	"Dunning Sequence": {COLLECTIONS_MANAGER: "rwcd", COLLECTOR: "r", "Accounts Manager": "r", SM: "rwcd"},
	"Late Payment Policy": {COLLECTIONS_MANAGER: "rwcd", COLLECTOR: "r", "Accounts Manager": "r", SM: "rwcd"},
	"Portal Access Link": {
		COLLECTIONS_MANAGER: "rwcd",
		COLLECTOR: "rwc",
		"Accounts Manager": "r",
		SM: "rwcd",
	},
	"Post Dated Cheque": {COLLECTIONS_MANAGER: "rwcd", COLLECTOR: "rwc", "Accounts Manager": "r", SM: "rwcd"},
	"Promise To Pay": {COLLECTIONS_MANAGER: "rwcd", COLLECTOR: "rwc", "Accounts Manager": "r", SM: "rwcd"},
	"Reference Interest Rate": {
		COLLECTIONS_MANAGER: "rwcd",
		COLLECTOR: "r",
		"Accounts Manager": "r",
		SM: "rwcd",
	},
	"Risk Model": {COLLECTIONS_MANAGER: "rw", COLLECTOR: "r", "Accounts Manager": "r", SM: "rwcd"},
}

GUEST = "guest: a signed link or a linked website user, checked inside (portal.access.resolve)"
DESK = "Desk users only, with the permission checked inside"
WHITELISTED: dict[str, str] = {
	"optimar_erp.api.collections_summary": DESK,
	"optimar_erp.api.log_call": DESK,
	"optimar_erp.api.raise_dispute": DESK,
	"optimar_erp.api.record_promise": DESK,
	"optimar_erp.api.risk_trend": DESK,
	"optimar_erp.cash.matching.allocate_suggestion": DESK,
	"optimar_erp.cash.netting.create_netting_entry": DESK,
	"optimar_erp.collections.doctype.dunning_run.dunning_run.rerun": DESK,
	"optimar_erp.collections.doctype.collections_settings.collections_settings.dry_run": DESK,
	"optimar_erp.collections.doctype.dunning_sequence.dunning_sequence.preview": DESK,
	"optimar_erp.collections.doctype.dunning_sequence.dunning_sequence.send_test": DESK,
	"optimar_erp.collections.doctype.promise_to_pay.promise_to_pay.cancel_promise": DESK,
	"optimar_erp.dunning.cheques.mark_bounced": DESK,
	"optimar_erp.dunning.interest.charge": DESK,
	"optimar_erp.dunning.interest.preview": DESK,
	"optimar_erp.dunning.interest.waive": DESK,
	"optimar_erp.inbox.replies.accept": DESK,
	"optimar_erp.inbox.replies.dismiss": DESK,
	"optimar_erp.portal.api.balance": GUEST,
	"optimar_erp.portal.api.confirm_balance": GUEST,
	"optimar_erp.portal.api.dispute": GUEST,
	"optimar_erp.portal.api.invoice_pdf": GUEST,
	"optimar_erp.portal.api.pay": GUEST,
	"optimar_erp.portal.api.promise": GUEST,
	"optimar_erp.portal.api.statement_pdf": GUEST,
	"optimar_erp.portal.api.upi": GUEST,
	"optimar_erp.portal.links.create_portal_link": DESK,
	"optimar_erp.portal.links.revoke_portal_link": DESK,
	"optimar_erp.cards.broken_this_month": DESK,
	"optimar_erp.cards.cei": DESK,
	"optimar_erp.cards.disputed": DESK,
	"optimar_erp.cards.dso": DESK,
	"optimar_erp.cards.predicted_late": DESK,
	"optimar_erp.cards.promised_this_week": DESK,
	"optimar_erp.cards.total_overdue": DESK,
	"optimar_erp.worklist.oldest_open_invoice": DESK,
	"optimar_erp.worklist.send_next_reminder": DESK,
	"optimar_erp.worklist.snooze": DESK,
	"optimar_erp.risk.credit.apply_credit_limit": DESK,
	"optimar_erp.risk.jobs.train_now": DESK,
	"optimar_erp.setup.checklist.check_setup": DESK,
}

DESK_CALLS: dict[str, dict] = {
	# a Website User calling a Desk method is refused before anything is read or written
	"optimar_erp.api.collections_summary": {"customer": "{customer}"},
	"optimar_erp.api.log_call": {"customer": "{customer}", "outcome": "Reached - Will Pay"},
	"optimar_erp.api.raise_dispute": {
		"sales_invoice": "{invoice}",
		"reason_code": "Pricing",
		"description": "x",
	},
	"optimar_erp.api.record_promise": {
		"customer": "{customer}",
		"promised_amount": 10,
		"promised_date": "2099-01-01",
	},
	"optimar_erp.api.risk_trend": {"customer": "{customer}"},
	"optimar_erp.portal.links.create_portal_link": {"customer": "{customer}"},
	"optimar_erp.worklist.snooze": {"customer": "{customer}", "until": "2099-01-01"},
	"optimar_erp.worklist.send_next_reminder": {"customer": "{customer}"},
	"optimar_erp.collections.doctype.dunning_sequence.dunning_sequence.preview": {
		"sequence": "Standard B2B",
		"customer": "{customer}",
	},
	"optimar_erp.risk.jobs.train_now": {},
	"optimar_erp.dunning.interest.charge": {"invoices": "{invoice}"},
	"optimar_erp.dunning.cheques.mark_bounced": {"cheque": "PDC-00001", "reason": "x"},
	"optimar_erp.dunning.interest.waive": {"invoices": "{invoice}", "reason": "x"},
	"optimar_erp.dunning.interest.preview": {"invoice": "{invoice}"},
	"optimar_erp.setup.checklist.check_setup": {},
	"optimar_erp.collections.doctype.collections_settings.collections_settings.dry_run": {},
	"optimar_erp.collections.doctype.dunning_sequence.dunning_sequence.send_test": {
		"sequence": "Standard B2B",
		"customer": "{customer}",
	},
}


def _whitelisted_in_source() -> dict[str, bool]:
	"""Every function of the app decorated with ``frappe.whitelist``, with whether Guests may call it."""
	root = Path(frappe.get_app_path("optimar_erp"))
	found = {}
	for path in root.rglob("*.py"):
		if "tests" in path.parts:
			continue
		module = "optimar_erp." + ".".join(path.relative_to(root).with_suffix("").parts)
		for node in ast.walk(ast.parse(path.read_text())):
			if not isinstance(node, ast.FunctionDef):
				continue
			for decorator in node.decorator_list:
				call = decorator if isinstance(decorator, ast.Call) else None
				target = call.func if call else decorator
				if ast.unparse(target) == "frappe.whitelist":
					guest = any(
						k.arg == "allow_guest" and ast.literal_eval(k.value)
						for k in (call.keywords if call else [])
					)
					found[f"{module}.{node.name}"] = guest
	return found


class TestPermissionMatrix(OptimarTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		suffix = frappe.generate_hash(length=6)
		cls.users = {
			"Guest": "Guest",
			"Website User": cls._website_user(f"matrix.website.{suffix}@example.com"),
			LINKED_WEBSITE_USER: cls._website_user(f"matrix.portal.{suffix}@example.com"),
			"Sales User": make_user(f"matrix.sales.{suffix}@example.com", ("Sales User",)),
			COLLECTOR: make_user(f"matrix.collector.{suffix}@example.com", (COLLECTOR,)),
			COLLECTIONS_MANAGER: make_user(f"matrix.manager.{suffix}@example.com", (COLLECTIONS_MANAGER,)),
			"Accounts User": make_user(f"matrix.accountsuser.{suffix}@example.com", ("Accounts User",)),
			"Accounts Manager": make_user(f"matrix.accounts.{suffix}@example.com", ("Accounts Manager",)),
			SM: make_user(f"matrix.system.{suffix}@example.com", (SM,)),
		}
		cls.customer = make_customer(f"Matrix Portal {suffix}")
		customer = frappe.get_doc("Customer", cls.customer)
		customer.append("portal_users", {"user": cls.users[LINKED_WEBSITE_USER]})
		customer.save(ignore_permissions=True)
		frappe.db.commit()

	@staticmethod
	def _website_user(email: str) -> str:
		frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Matrix", "user_type": "Website User"}
		).insert(ignore_permissions=True)
		return email

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_every_doctype_has_its_row(self):
		doctypes = set(frappe.get_all("DocType", {"module": "Collections", "istable": 0}, pluck="name"))
		self.assertEqual(doctypes, set(DOCTYPES))

	def test_doctype_permissions_are_the_matrix(self):
		for doctype, granted in DOCTYPES.items():
			for role in ROLES:
				user = self.users[role]
				have = {
					letter
					for letter, ptype in PTYPES.items()
					if frappe.has_permission(doctype, ptype, user=user)
				}
				with self.subTest(doctype=doctype, role=role):
					self.assertEqual("".join(sorted(have)), "".join(sorted(granted.get(role, ""))))

	def test_every_whitelisted_method_has_its_row(self):
		found = _whitelisted_in_source()
		self.assertEqual(set(found), set(WHITELISTED))
		for method, guest in found.items():
			with self.subTest(method):
				self.assertEqual(guest, WHITELISTED[method] == GUEST)

	def test_guests_reach_only_the_portal_methods(self):
		frappe.set_user("Guest")
		for method, rule in WHITELISTED.items():
			fn = frappe.get_attr(method)
			with self.subTest(method):
				if rule == GUEST:
					is_whitelisted(fn)
				else:
					with self.assertRaises(frappe.PermissionError):
						is_whitelisted(fn)

	def test_website_users_are_refused_every_desk_method(self):
		customer = make_customer(f"Matrix {frappe.generate_hash(length=6)}")
		invoice = make_invoice(customer, 100, due_in_days=-3)
		frappe.db.commit()
		for user_role in ("Website User", LINKED_WEBSITE_USER):
			for method, kwargs in DESK_CALLS.items():
				args = {
					k: v.format(customer=customer, invoice=invoice) if isinstance(v, str) else v
					for k, v in kwargs.items()
				}
				frappe.set_user(self.users[user_role])
				# frappe.only_for lets everything through while frappe.flags.in_test is set: check as in
				# production
				frappe.flags.in_test = False
				try:
					with self.subTest(method, user=user_role), self.assertRaises(frappe.PermissionError):
						frappe.call(method, **args)
				finally:
					frappe.flags.in_test = True
					frappe.set_user("Administrator")
		frappe.db.rollback()

	def test_the_portal_opens_only_for_the_customers_own_website_user(self):
		"""The portal methods (row GUEST) act in a customer's name: without a signed link only a website
		user staff linked to the customer gets through, and only to that customer. A Desk role grants
		nothing there, not even a System Manager's."""
		for role in ROLES:
			frappe.set_user(self.users[role])
			try:
				with self.subTest(role=role):
					if role == LINKED_WEBSITE_USER:
						self.assertEqual(access.resolve().customer, self.customer)
						with self.assertRaises(access.PortalAccessDenied):
							access.resolve(customer=make_customer(f"Matrix Other {role}"))
					else:
						with self.assertRaises(access.PortalAccessDenied):
							access.resolve(customer=self.customer)
			finally:
				frappe.set_user("Administrator")
