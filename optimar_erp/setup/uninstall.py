import contextlib
import os

import frappe

from optimar_erp.queries import ledger_store, open_invoices
from optimar_erp.queries.figures import clear_cache
from optimar_erp.response import store as response_store
from optimar_erp.setup.custom_fields import CUSTOM_FIELDS
from optimar_erp.setup.roles import ROLES

SINGLE_DOCTYPES = ("Collections Settings",)


def before_uninstall():
	delete_attached_files()
	delete_custom_fields()
	delete_roles()
	delete_single_values()
	delete_passwords()
	delete_stored_ledgers()


def app_doctypes() -> list[str]:
	"""Every doctype of the app, read from its folders (works before and after the tables are dropped)."""
	import json
	import os

	root = frappe.get_app_path("optimar_erp", "collections", "doctype")
	names = []
	for folder in sorted(os.listdir(root)):
		path = os.path.join(root, folder, folder + ".json")
		if os.path.exists(path):
			with open(path) as f:
				names.append(json.load(f)["name"])
	return names


def delete_stored_ledgers():
	"""The reports' stored books of the companies (files in the site folder) and their cached tables."""
	ledger_store.forget()
	with contextlib.suppress(OSError):
		os.rmdir(ledger_store.folder())
	open_invoices.forget()
	frappe.cache.delete_value([open_invoices.FIELDS_VERSION, open_invoices.FIELDS_LOG])
	clear_cache()
	response_store.clear()  # the learned response model (a file in the site's private folder)


def delete_attached_files():
	"""Files attached to the app's documents (risk model files, dispute evidence) go with them."""
	for name in frappe.get_all("File", filters={"attached_to_doctype": ("in", app_doctypes())}, pluck="name"):
		frappe.delete_doc("File", name, ignore_permissions=True, force=True)


def delete_custom_fields():
	"""Remove the custom fields, their property setters and their columns."""
	for doctype, fields in CUSTOM_FIELDS.items():
		fieldnames = [field["fieldname"] for field in fields]
		for name in frappe.get_all(
			"Custom Field", filters={"dt": doctype, "fieldname": ("in", fieldnames)}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)

		columns = set(frappe.db.get_table_columns(doctype))
		for fieldname in fieldnames:
			if fieldname in columns:
				frappe.db.sql_ddl(f"alter table `tab{doctype}` drop column `{fieldname}`")
		frappe.clear_cache(doctype=doctype)


def delete_roles():
	"""Remove the roles, their assignments to users and any permission rules that name them."""
	for role in ROLES:
		if not frappe.db.exists("Role", role):
			continue
		frappe.db.delete("Has Role", {"role": role})
		frappe.db.delete("Custom DocPerm", {"role": role})
		frappe.delete_doc("Role", role, ignore_permissions=True, force=True)
	frappe.clear_cache()


def delete_passwords():
	"""Encrypted values kept for the app's documents (reminder link tokens, settings' secrets)."""
	frappe.db.delete("__Auth", {"doctype": ("in", app_doctypes())})


def delete_single_values():
	"""Frappe drops the tables of the app's doctypes but keeps the values of single doctypes."""
	for doctype in SINGLE_DOCTYPES:
		frappe.db.delete("Singles", {"doctype": doctype})
