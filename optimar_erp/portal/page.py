"""The page renderer of /customer-portal: Frappe's TemplatePage (same www/ files, same base templates,
same get_context) minus what costs time on this page and buys nothing.

Registered with the ``page_renderer`` hook, so the website router asks it first; it answers only for
/customer-portal. Compared with the stock renderer it

- skips the Desk's app switcher in the boot data (``apps_data``) when it would be empty anyway: Frappe
  computes it by checking every Workspace's permissions, and for a guest (a signed link) it rebuilds
  the guest's whole permission map once per workspace, twice per request: about a second of CPU per
  page view (the signed-link page took 1.1-2.9 s, almost all of it there). When no installed app
  would be offered to the viewer (ERPNext offers itself to Desk users only: not to a website user or a
  guest), the data is the same, only computed without the workspace walk; otherwise Frappe's own
  ``get_apps`` runs as before. Nothing is cached;
- renders the page template through the Jinja loader (compiled once per worker, ``templating``) instead
  of compiling its source from a string on every request;
- gzips the HTML when the client accepts it (with Frappe's 300 KB icon sprite, a page is ~700 KB).
"""

import gzip
import types

import frappe
from frappe.website.doctype.website_settings import website_settings
from frappe.website.page_renderers.template_page import TemplatePage
from frappe.website.utils import get_boot_data

from optimar_erp.compat import no_default_path
from optimar_erp.portal import links, templating

GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 1  # nginx's default: 700 KB -> 135 KB in ~7 ms (level 5: 116 KB in ~13 ms)


def _with_globals(function, **names):
	"""A copy of ``function`` that looks these module-level names up in ``names``: the same code, and
	nothing patched in Frappe. None when the function does not use them (Frappe changed it): callers
	then use Frappe's function as it is."""
	if not set(names) <= set(function.__code__.co_names):
		return None
	return types.FunctionType(
		function.__code__,
		{**function.__globals__, **names},
		function.__name__,
		function.__defaults__,
		function.__closure__,
	)


def app_screen_is_empty() -> bool:
	"""True when Frappe's ``get_apps`` would return no app for this user: every app offering itself on
	the apps screen has a ``has_permission`` check, and each says no (ERPNext does for website users and
	guests). ``get_apps`` appends an app only after that check passes."""
	for app in frappe.get_installed_apps():
		if app == "frappe":
			continue
		for detail in frappe.get_hooks("add_to_apps_screen", app_name=app) or []:
			check = detail.get("has_permission")
			if not check or frappe.get_attr(check)():
				return False
	return True


_boot_without_apps = _with_globals(get_boot_data, get_apps=list, get_default_path=no_default_path)


def boot_data() -> dict:
	"""Frappe's website boot data (``frappe.website.utils.get_boot_data``), without the workspace walk
	when the viewer has no app to see: the result is the same."""
	if _boot_without_apps and app_screen_is_empty():
		return _boot_without_apps()
	return get_boot_data()


_settings_with_light_boot = _with_globals(website_settings.get_website_settings, get_boot_data=boot_data)


def get_website_settings(context=None) -> dict:
	"""Frappe's ``get_website_settings``, with :func:`boot_data` for its boot data."""
	return (_settings_with_light_boot or website_settings.get_website_settings)(context)


class CustomerPortalPage(TemplatePage):
	"""/customer-portal only; every other path goes on to Frappe's own renderers untouched."""

	def __init__(self, path, http_status_code=None):
		# The router builds every custom renderer for every website request: look for template files
		# only for this page.
		super(TemplatePage, self).__init__(path=path, http_status_code=http_status_code)
		if self.path == links.PAGE_ROUTE:
			self.set_template_path()

	def can_render(self):
		return self.path == links.PAGE_ROUTE and super().can_render()

	def init_context(self):
		self.context = frappe._dict()
		self.context.update(get_website_settings())
		self.context.update(frappe.local.conf.get("website_context") or {})

	def render_template(self):
		templating.use_compiled_templates()
		return frappe.get_jenv().get_template(f"{self.app}/{self.template_path}").render(self.context)

	def build_response(self, data, http_status_code=None, headers=None):
		response = super().build_response(data, http_status_code, headers)
		return gzip_response(response)


def gzip_response(response):
	"""Compress an HTML response for a client that accepts gzip (no proxy in front does it for
	``bench serve``; behind nginx the body is then sent as it is)."""
	request = getattr(frappe.local, "request", None)
	response.vary.add("Accept-Encoding")
	if (
		request is None
		or "gzip" not in (request.headers.get("Accept-Encoding") or "").lower()
		or response.headers.get("Content-Encoding")
		or response.direct_passthrough
	):
		return response
	body = response.get_data()
	if len(body) < GZIP_MIN_BYTES:
		return response
	response.set_data(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
	response.headers["Content-Encoding"] = "gzip"
	return response
