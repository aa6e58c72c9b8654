import copy

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from optimar_erp.compat import end_of_section
from optimar_erp.setup.custom_fields import CUSTOM_FIELDS, SECTION_ENDS
from optimar_erp.setup.roles import ROLES
from optimar_erp.setup.sequences import create_standard_sequences


def after_install():
	create_roles()
	apply_custom_fields()
	initialise_settings()
	create_standard_sequences()


def create_roles():
	for role in ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def placed_custom_fields() -> dict:
	"""``CUSTOM_FIELDS`` with each section in ``SECTION_ENDS`` anchored on the last field of the section it
	follows on this site's ERPNext (``amended_from`` on v15, ``has_subcontracted`` on v16)."""
	fields = copy.deepcopy(CUSTOM_FIELDS)
	for (doctype, fieldname), next_section in SECTION_ENDS.items():
		for field in fields[doctype]:
			if field["fieldname"] == fieldname:
				field["insert_after"] = end_of_section(doctype, next_section)
	return fields


def apply_custom_fields():
	"""Create or update the custom fields; safe to run again (the patch does)."""
	create_custom_fields(placed_custom_fields(), update=True)


def initialise_settings(only_missing: bool = False):
	"""Save the settings with their defaults. The sending time zone stays empty: it then follows the
	system time zone (which ERPNext's setup wizard may still change after install).

	``only_missing``: for upgrades, set the defaults of fields that have no stored value yet only."""
	from frappe.utils.data import cast

	settings = frappe.get_single("Collections Settings")
	singles = frappe.qb.DocType("Singles")
	stored = (
		{
			row[0]
			for row in frappe.qb.from_(singles)
			.select(singles.field)
			.where(singles.doctype == "Collections Settings")
			.run()
		}
		if only_missing
		else set()
	)
	for df in settings.meta.fields:
		if only_missing and df.fieldname in stored:
			continue
		# Frappe has already stored the current time in every Time field, whatever the default says;
		# installing starts from a clean slate (uninstalling removes the values), so defaults win.
		if df.default is not None:
			settings.set(df.fieldname, cast(df.fieldtype, df.default))
	settings.save(ignore_permissions=True)
