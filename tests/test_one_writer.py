"""One writer of an invoice's collection state: only ``optimar_erp/dunning/state.py`` stores
``collection_state`` (from :func:`optimar_erp.engine.sequences.collection_states`); everything else that
changes what the state depends on calls its ``refresh_collection_state``.

Static (``ast``, no frappe): a write is ``<query>.set(<table>.collection_state, …)`` (``frappe.qb.update``),
or ``collection_state`` named as a field of ``set_value`` / ``db_set`` / ``set`` (a string argument or a
dict key). The Frappe tests, patches, benchmarks, the demo and tools are not scanned (they set up or
inspect states; they are not the app's runtime)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "optimar_erp"
WRITER = "optimar_erp/dunning/state.py"
FIELD = "collection_state"
NOT_SCANNED = ("optimar_erp/tests/", "optimar_erp/patches/", "optimar_erp/benchmarks/", "optimar_erp/tools/")
WRITE_CALLS = frozenset({"set", "set_value", "db_set"})


def _names_the_field(node: ast.AST) -> bool:
	if isinstance(node, ast.Attribute):
		return node.attr == FIELD
	if isinstance(node, ast.Constant):
		return node.value == FIELD
	if isinstance(node, ast.Dict):
		return any(isinstance(k, ast.Constant) and k.value == FIELD for k in node.keys)
	return False


def writes(source: str) -> list[int]:
	"""Lines of ``source`` that store ``collection_state``."""
	return [
		node.lineno
		for node in ast.walk(ast.parse(source))
		if isinstance(node, ast.Call)
		and isinstance(node.func, ast.Attribute)
		and node.func.attr in WRITE_CALLS
		and any(_names_the_field(arg) for arg in node.args[:3])
	]


def test_only_the_state_module_writes_the_collection_state():
	found = []
	for path in sorted(PACKAGE.rglob("*.py")):
		rel = path.relative_to(ROOT).as_posix()
		if (
			rel.startswith(NOT_SCANNED)
			or path.name.startswith("test_")
			or rel in (WRITER, "optimar_erp/demo.py")
		):
			continue
		found += [f"{rel}:{line}" for line in writes(path.read_text(encoding="utf-8"))]
	assert not found, "collection_state written outside dunning/state.py:\n" + "\n".join(found)
	assert writes((ROOT / WRITER).read_text(encoding="utf-8")), "the writer itself is seen"


def test_the_scanner_sees_every_kind_of_write():
	assert writes("frappe.qb.update(si).set(si.collection_state, 'Reminding').run()") == [1]
	assert writes("frappe.db.set_value('Sales Invoice', n, 'collection_state', 'Paid')") == [1]
	assert writes("frappe.db.set_value('Sales Invoice', n, {'collection_state': 'Paid'})") == [1]
	assert writes("doc.db_set('collection_state', 'Paid')") == [1]
	assert writes("frappe.qb.from_(si).select(si.collection_state).run()") == []
	assert writes("frappe.qb.update(si).set(si.last_reminder_step, s).run()") == []
