"""Where Frappe / ERPNext v15 and v16 differ, in one place: the app runs on both majors from one codebase.

The model is Frappe's own guidance for apps spanning two majors: use the new API when it is there, fall
back to the old one otherwise (never a copy of Frappe code that works on one major only), and say for
each helper which major takes which path. Nothing here is imported by the engine (pure Python).

What needed no helper, because one spelling works on both:

- aggregates: ``frappe.qb`` with ``Count``/``Sum`` (v16 refuses SQL functions written as strings in
  ``get_all`` fields, v15 does not know v16's dict syntax for them);
- row limits: ``limit=`` in ``frappe.get_all``/``get_list`` (v15 and v16 both read it; v16 deprecates
  ``limit_page_length`` and v17 removes it).
"""

import frappe

__all__ = [
	"FRAPPE_MAJOR",
	"IntegrationTestCase",
	"PrintPermissionError",
	"end_of_section",
	"no_default_path",
	"number_format_info",
	"pdf_contains_js",
	"pdf_problem",
]

FRAPPE_MAJOR = int(frappe.__version__.split(".")[0])
"""15 or 16 (a development build of Frappe reports its next major)."""

# ---------------------------------------------------------------- tests
try:  # v16: the integration-test base class its test runner gives setup (before_tests, test records)
	from frappe.tests import IntegrationTestCase
except ImportError:  # v15: FrappeTestCase (v16 still has it, deprecated, removed in v17)
	from frappe.tests.utils import FrappeTestCase as IntegrationTestCase

# ---------------------------------------------------------------- number formats
try:  # v16: the formats live in frappe.utils.number_format (get_number_format_info is deprecated)
	from frappe.utils.number_format import NUMBER_FORMAT_MAP

	def number_format_info(number_format: str) -> tuple[str, str, int]:
		"""Decimal separator, thousands separator and precision of a number format such as
		``#.###,##``; ``(".", ",", 2)`` for a format Frappe does not know (as v15 does)."""
		return NUMBER_FORMAT_MAP.get(number_format) or (".", ",", 2)

except ImportError:  # v15
	from frappe.utils.data import get_number_format_info as number_format_info

# ---------------------------------------------------------------- website boot (the portal's renderer)
# Both majors: frappe.website.utils.get_boot_data, called by website_settings.get_website_settings,
# reading the app switcher through the module globals get_apps and get_default_path. v15 calls
# get_default_path(apps), v16 get_default_path(): no_default_path takes either.


def no_default_path(apps=None):
	"""``frappe.apps.get_default_path`` of an empty app list, with v15's signature (``apps``) and v16's
	(none)."""
	return None


# ---------------------------------------------------------------- print permission
PrintPermissionError = frappe.PermissionError if FRAPPE_MAJOR >= 16 else frappe.DoesNotExistError
"""What ``frappe.get_print`` raises for a user without print permission: v15 says the document does not
exist (``DoesNotExistError``), v16 says it is not permitted (``PermissionError``)."""

# ---------------------------------------------------------------- uploaded PDFs
try:  # v16: File refuses a PDF with JavaScript, parsing it with pypdf (a malformed one raises)
	from frappe.utils.pdf import pdf_contains_js
except ImportError:  # v15: File does not look inside a PDF
	pdf_contains_js = None


def pdf_problem(content: bytes) -> str | None:
	"""Why an uploaded PDF cannot be kept, or None: ``"unreadable"`` when pypdf cannot read its document
	catalogue and pages, ``"script"`` when it carries JavaScript. v16 runs Frappe's own check (the one
	its File runs on insert, which raises on a malformed PDF); v15's File has none, the same read with
	pypdf (a dependency of both) stands in for the first part."""
	from io import BytesIO

	from pypdf import PdfReader

	try:
		reader = PdfReader(BytesIO(content))
		if "/Root" not in reader.trailer or not len(reader.pages):
			return "unreadable"
		if pdf_contains_js is not None and pdf_contains_js(content):
			return "script"
	except Exception:
		return "unreadable"
	return None


# ---------------------------------------------------------------- custom fields on ERPNext's forms


def end_of_section(doctype: str, next_section: str) -> str:
	"""The standard field right before ``next_section`` on ``doctype``: where a custom Section Break goes
	to open a section of its own at that place on both majors. v15 puts a custom Section or Column Break
	right after its ``insert_after``; v16 moves it on to the end of its anchor's column or section
	(``Meta.sort_fields``), so an anchor in the middle of a section lands elsewhere there. Anchored on a
	section's last field, both put it at the same place."""
	standard = [df.fieldname for df in frappe.get_meta(doctype).fields if not df.get("is_custom_field")]
	return standard[standard.index(next_section) - 1]
