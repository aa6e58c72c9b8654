"""Compile the portal page's templates once per worker process instead of on every request.

Frappe builds a new Jinja environment for every request, so each page view compiles base.html,
web.html, the navbar and footer templates and the page again: most of the time of a 200-invoice page.
Jinja's bytecode cache keeps the compiled code of file templates; entries are keyed by template name and
checked against the source's checksum, so an edited template is compiled again. Only the environment of
the request that renders the portal page uses it.
"""

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
