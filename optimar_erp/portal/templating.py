"""Compile the portal page's templates once per worker process instead of on every request.

The portal's own markup (``templates/portal/customer_portal.html``: 200 and more invoice rows) is
rendered by :func:`render_portal` in a plain Jinja environment of this process: it is our file, not a
template a user can edit, so it needs none of the sandbox's per-attribute checks (which took half of its
render time), and every value it prints was escaped by ``optimar_erp.portal.view``.

Frappe builds a new Jinja environment for every request, so each page view compiles base.html,
web.html, the navbar and footer templates and the page again: most of the time of a 200-invoice page.
Jinja's bytecode cache keeps the compiled code of file templates; entries are keyed by template name and
checked against the source's checksum, so an edited template is compiled again. Only the environment of
the request that renders the portal page uses it.
"""

import os

import jinja2

import frappe


class ProcessBytecodeCache(jinja2.BytecodeCache):
	"""Compiled file templates in this process's memory (a handful of templates, a few hundred KB)."""

	def __init__(self):
		self.store: dict[str, bytes] = {}

	def load_bytecode(self, bucket) -> None:
		code = self.store.get(bucket.key)
		if code is not None:
			bucket.bytecode_from_string(code)

	def dump_bytecode(self, bucket) -> None:
		self.store[bucket.key] = bucket.bytecode_to_string()

	def clear(self) -> None:
		self.store.clear()


BYTECODE_CACHE = ProcessBytecodeCache()


def use_compiled_templates() -> None:
	"""Let this request's Jinja environment reuse the templates compiled by earlier requests."""
	environment = frappe.get_jenv()
	if environment.bytecode_cache is None:
		environment.bytecode_cache = BYTECODE_CACHE


PORTAL_TEMPLATE = "portal/customer_portal.html"
_PORTAL_ENV = jinja2.Environment(
	loader=jinja2.FileSystemLoader(os.path.join(os.path.dirname(__file__), "..", "templates")),
	autoescape=False,  # like Frappe's environment: the template escapes what it prints (``| e``, view.py)
	auto_reload=True,  # an edited template is compiled again
	undefined=jinja2.Undefined,
)
_PORTAL_ENV.globals["_"] = frappe._


def render_portal(context: dict) -> str:
	"""The portal page's body for ``context`` (see ``optimar_erp.portal.view.page_context``)."""
	return _PORTAL_ENV.get_template(PORTAL_TEMPLATE).render(context)
