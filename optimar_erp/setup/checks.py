"""What the app leaves on a site: used by the install tests and by .ci/run around uninstall/migrate."""

import os

import frappe

from optimar_erp.response import store as response_store
from optimar_erp.setup.custom_fields import CUSTOM_FIELDS
from optimar_erp.setup.roles import ROLES
from optimar_erp.setup.uninstall import SINGLE_DOCTYPES, app_doctypes

MODULE = "Collections"


def footprint() -> dict:
	"""Everything the app owns on the site, with modification stamps (changes if anything is rewritten)."""
	fields = []
	for doctype, defs in CUSTOM_FIELDS.items():
		fields += frappe.get_all(
			"Custom Field",
			filters={"dt": doctype, "fieldname": ("in", [d["fieldname"] for d in defs])},
			fields=["name", "modified"],
			order_by="name",
		)
	return {
		"custom_fields": [[f.name, str(f.modified)] for f in fields],
		"roles": frappe.get_all(
			"Role", filters={"name": ("in", ROLES)}, fields=["name", "modified"], as_list=True
		),
		"doctypes": frappe.get_all(
			"DocType", filters={"module": MODULE}, fields=["name", "modified"], order_by="name", as_list=True
		),
		"patches": frappe.get_all(
			"Patch Log", filters={"patch": ("like", "optimar_erp.%")}, pluck="patch", order_by="patch"
		),
	}


def leftovers() -> dict:
	"""What is still on the site of the app; empty lists everywhere after a clean uninstall."""
	columns = {}
	for doctype, defs in CUSTOM_FIELDS.items():
		table_columns = set(frappe.db.get_table_columns(doctype))
		columns[doctype] = sorted(d["fieldname"] for d in defs if d["fieldname"] in table_columns)
	found = footprint()
	return {
		"custom_fields": found["custom_fields"],
		"roles": found["roles"],
		"doctypes": found["doctypes"],
		"module_def": frappe.get_all("Module Def", filters={"name": MODULE}, pluck="name"),
		"columns": [f"{dt}.{c}" for dt, cols in columns.items() for c in cols],
		"single_values": _single_values(),
		"passwords": _passwords(),
		"files": frappe.get_all("File", filters={"attached_to_doctype": ("in", app_doctypes())}, pluck="name")
		+ [p for p in (response_store.path(),) if os.path.exists(p)],
	}


def assert_uninstalled() -> str:
	"""For .ci/run after ``uninstall-app``: fail loudly if anything of the app is left.

	Call it from a plain ``frappe.init``/``frappe.connect`` script: ``bench execute`` refuses methods
	of an app that is not installed."""
	left = {key: value for key, value in leftovers().items() if value}
	if left:
		raise AssertionError(f"optimar_erp left these behind after uninstall: {left}")
	return "clean"


def _passwords() -> list[str]:
	auth = frappe.qb.Table("__Auth")
	rows = frappe.qb.from_(auth).select(auth.doctype, auth.name).where(auth.doctype.isin(app_doctypes()))
	return [f"{doctype} {name}" for doctype, name in rows.distinct().run()]


def _single_values() -> list[str]:
	singles = frappe.qb.DocType("Singles")
	rows = (
		frappe.qb.from_(singles)
		.select(singles.doctype, singles.field)
		.where(singles.doctype.isin(SINGLE_DOCTYPES))
	)
	return [f"{doctype}.{field}" for doctype, field in rows.run()]
