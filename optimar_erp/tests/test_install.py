from datetime import time

import frappe
from frappe.utils import get_system_timezone, get_time

from optimar_erp.setup.checks import leftovers
from optimar_erp.setup.custom_fields import CUSTOM_FIELDS
from optimar_erp.setup.install import apply_custom_fields, placed_custom_fields
from optimar_erp.setup.roles import ROLES
from optimar_erp.tests.factories import OptimarTestCase


class TestInstall(OptimarTestCase):
	def test_app_is_installed(self):
		self.assertIn("optimar_erp", frappe.get_installed_apps())
		self.assertTrue(frappe.db.exists("Module Def", "Collections"))

	def test_roles_exist_with_desk_access(self):
		for role in ROLES:
			self.assertEqual(frappe.db.get_value("Role", role, "desk_access"), 1, role)

	def test_every_custom_field_is_on_its_doctype(self):
		for doctype, fields in CUSTOM_FIELDS.items():
			meta = frappe.get_meta(doctype)
			columns = set(frappe.db.get_table_columns(doctype))
			for field in fields:
				df = meta.get_field(field["fieldname"])
				self.assertIsNotNone(df, f"{doctype}.{field['fieldname']} missing")
				self.assertEqual(df.fieldtype, field["fieldtype"])
				if field["fieldtype"] not in ("Tab Break", "Section Break", "Column Break"):
					self.assertIn(field["fieldname"], columns)

	def test_fields_sit_where_declared(self):
		for doctype, fields in placed_custom_fields().items():
			order = [df.fieldname for df in frappe.get_meta(doctype).fields]
			for field in fields:
				self.assertEqual(
					order.index(field["fieldname"]) - 1,
					order.index(field["insert_after"]),
					f"{doctype}.{field['fieldname']} is not right after {field['insert_after']}",
				)

	def test_collections_section_closes_the_invoice_first_section(self):
		# on the form: the Collections section holds only its own fields and Accounting Dimensions follows
		# it, on ERPNext v15 and v16 alike (v16 moves a custom Section Break anchored mid-section)
		fields = frappe.get_meta("Sales Invoice").fields
		order = [df.fieldname for df in fields]
		start = order.index("collections_section")
		self.assertIn(order[start - 1], ("amended_from", "has_subcontracted"))
		section = []
		for df in fields[start + 1 :]:
			if df.fieldtype in ("Section Break", "Tab Break"):
				self.assertEqual(df.fieldname, "accounting_dimensions_section")
				break
			section.append(df.fieldname)
		declared = {f["fieldname"] for f in CUSTOM_FIELDS["Sales Invoice"]} - {"predicted_pay_date"}
		self.assertEqual(set(section), declared - {"collections_section"})

	def test_computed_fields_are_read_only_and_not_copied(self):
		meta = frappe.get_meta("Sales Invoice")
		for fieldname in ("collection_state", "risk_band", "late_probability", "predicted_pay_date"):
			df = meta.get_field(fieldname)
			self.assertTrue(df.read_only and df.no_copy and df.allow_on_submit, fieldname)
		self.assertTrue(frappe.get_meta("Customer").get_field("risk_score").read_only)

	def test_useful_fields_show_in_list_views(self):
		list_fields = [df.fieldname for df in frappe.get_meta("Sales Invoice").fields if df.in_list_view]
		self.assertIn("collection_state", list_fields)
		self.assertTrue(frappe.get_meta("Customer").get_field("risk_band").in_list_view)

	def test_select_options_match_the_issue(self):
		meta = frappe.get_meta("Sales Invoice")
		self.assertEqual(
			meta.get_field("collection_state").options.split("\n")[1:],
			["Not Due", "Reminding", "Promised", "Disputed", "Escalated", "Paid", "Written Off"],
		)
		self.assertEqual(
			frappe.get_meta("Customer").get_field("risk_band").options.split("\n")[1:],
			["Low", "Medium", "High", "Critical"],
		)

	def test_reapplying_custom_fields_is_idempotent(self):
		before = frappe.db.count("Custom Field", {"dt": ("in", list(CUSTOM_FIELDS))})
		apply_custom_fields()
		self.assertEqual(frappe.db.count("Custom Field", {"dt": ("in", list(CUSTOM_FIELDS))}), before)

	def test_leftovers_sees_everything_while_installed(self):
		found = leftovers()
		declared = sum(len(fields) for fields in CUSTOM_FIELDS.values())
		self.assertEqual(len(found["custom_fields"]), declared)
		self.assertEqual(sorted(role for role, _modified in found["roles"]), sorted(ROLES))
		self.assertIn("Collections Settings", [name for name, _modified in found["doctypes"]])

	def test_settings_defaults(self):
		settings = frappe.get_single("Collections Settings")
		self.assertEqual(get_time(settings.send_window_start), time(8, 0))
		self.assertEqual(get_time(settings.send_window_end), time(19, 0))
		self.assertEqual(settings.max_touches_per_week, 3)
		self.assertEqual(settings.promise_grace_days, 2)
		self.assertFalse(settings.enabled)
		self.assertEqual(settings.get_time_zone(), settings.company_time_zone or get_system_timezone())
