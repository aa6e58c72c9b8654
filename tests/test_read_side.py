"""One read side: only ``optimar_erp/queries/`` reads the collections data.

A module outside it that reads Sales Invoice, Payment Ledger Entry, Collection Activity, Promise To Pay or
Dispute fails this test: it should call (or add) a function of ``optimar_erp.queries`` instead, so that
every read of these doctypes is set-based, written once (one open-invoice condition, one tolerance) and
found in one place.

What is a read (static, ``ast`` only: no frappe import, so it runs in the plain venv with the engine tests):

- ``frappe.get_all / get_list / db.get_all / db.get_list / db.get_value / db.get_values / get_cached_value /
  db.exists / db.count / get_last_doc`` whose first argument is one of the doctypes (a literal);
- ``frappe.qb.DocType("<doctype>")`` (or ``DocType(...)``) bound to a name that the same function (or
  module) passes to ``from_`` / ``join`` / ``left_join`` / ``inner_join`` / ``right_join``, and
  ``frappe.qb.from_("<doctype>")``, ``frappe.qb.get_query("<doctype>", ...)``;
- ``frappe.db.sql`` / ``frappe.db.multisql`` whose statement (its literal parts) is a ``SELECT`` over
  ``tab<doctype>``.

Not reads, and staying where they are: writes (``insert``, ``db.set_value``, ``qb.update`` — a ``DocType``
only passed to ``update`` is not a read), ``frappe.get_doc`` (loading a document to call its controller),
``frappe.qb.DocType`` of other doctypes.

Outside the read side and not scanned (each reads these doctypes for a reason that is not the app's
runtime):

- ``optimar_erp/tests/`` and the ``test_*.py`` beside the doctypes: the Frappe suite reads what the code
  wrote to assert on it;
- ``optimar_erp/patches/``: a patch is frozen at its version and runs once; it must not depend on the read
  side as it will be later;
- ``optimar_erp/demo.py`` and ``optimar_erp/tools/``: build demo and corpus data on a bench, never run by
  the app itself;
- ``optimar_erp/benchmarks/``: timed harnesses that seed a synthetic book, inspect it and take it out
  again (run by hand with ``bench execute``); their reads measure the app, they are not part of it.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "optimar_erp"
READ_SIDE = "optimar_erp/queries/"
NOT_SCANNED = (
	"optimar_erp/tests/",
	"optimar_erp/patches/",
	"optimar_erp/demo.py",
	"optimar_erp/tools/",
	"optimar_erp/benchmarks/",
)
DOCTYPES = frozenset(
	{"Sales Invoice", "Payment Ledger Entry", "Collection Activity", "Promise To Pay", "Dispute"}
)
READ_CALLS = frozenset(
	{
		"get_all",
		"get_list",
		"get_value",
		"get_values",
		"get_cached_value",
		"exists",
		"count",
		"get_last_doc",
	}
)
FROM_METHODS = frozenset({"from_", "join", "left_join", "inner_join", "right_join"})
SQL_CALLS = frozenset({"sql", "multisql"})

# Files that still read these doctypes themselves, with how many read sites each has: this may only go
# down (a file whose reads move to optimar_erp.queries leaves the list). See the closing note of issue 16.
PENDING: dict[str, int] = {}


def _dotted(node: ast.AST) -> str:
	parts = []
	while isinstance(node, ast.Attribute):
		parts.append(node.attr)
		node = node.value
	if isinstance(node, ast.Name):
		parts.append(node.id)
	return ".".join(reversed(parts))


def _literal(node: ast.Call) -> str | None:
	arg = node.args[0] if node.args else None
	return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _sql_text(node: ast.AST) -> str:
	"""The literal parts of a statement (a string, an f-string, or a concatenation of them)."""
	if isinstance(node, ast.Constant) and isinstance(node.value, str):
		return node.value
	if isinstance(node, ast.JoinedStr):
		return "".join(_sql_text(v) for v in node.values)
	if isinstance(node, ast.BinOp):
		return _sql_text(node.left) + _sql_text(node.right)
	return " "


def _scopes(tree: ast.Module):
	"""The module's own statements and each function: a DocType variable counts as read when its scope
	passes it to ``from_`` or a join (one bound in a function that only updates it is no read)."""
	functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
	yield [n for n in tree.body if not isinstance(n, functions)]
	yield from ([n] for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def read_sites(source: str) -> list[tuple[int, str]]:
	"""(line, what) of every read of the five doctypes in ``source``."""
	tree = ast.parse(source)
	found: set[tuple[int, str]] = set()
	for node in ast.walk(tree):
		if not isinstance(node, ast.Call):
			continue
		name = _dotted(node.func)
		last = name.rsplit(".", 1)[-1]
		doctype = _literal(node)
		if name.startswith("frappe.") and last in READ_CALLS and doctype in DOCTYPES:
			found.add((node.lineno, f"{name}({doctype!r})"))
		elif name in ("frappe.qb.from_", "frappe.qb.get_query") and doctype in DOCTYPES:
			found.add((node.lineno, f"{name}({doctype!r})"))
		elif name.startswith("frappe.db.") and last in SQL_CALLS and node.args:
			text = _sql_text(node.args[0])
			statement = text.strip().lstrip("(").lower()
			for dt in DOCTYPES:
				if f"tab{dt}" in text and statement.startswith(("select", "with")):
					found.add((node.lineno, f"{name}(SELECT … `tab{dt}`)"))
	for scope in _scopes(tree):
		bound: dict[str, list[tuple[int, str]]] = {}
		read_from: set[str] = set()
		for node in (inner for top in scope for inner in ast.walk(top)):
			if (
				isinstance(node, ast.Assign)
				and isinstance(node.value, ast.Call)
				and _dotted(node.value.func).endswith("DocType")
				and _literal(node.value) in DOCTYPES
			):
				for target in node.targets:
					if isinstance(target, ast.Name):
						bound.setdefault(target.id, []).append((node.lineno, _literal(node.value)))
			elif (
				isinstance(node, ast.Call)
				and isinstance(node.func, ast.Attribute)
				and node.func.attr in FROM_METHODS
				and node.args
				and isinstance(node.args[0], ast.Name)
			):
				read_from.add(node.args[0].id)
		for variable in bound.keys() & read_from:
			for line, doctype in bound[variable]:
				found.add((line, f"frappe.qb.DocType({doctype!r}) read"))
	return sorted(found)


def _scanned() -> list[Path]:
	return [
		path
		for path in sorted(PACKAGE.rglob("*.py"))
		if not str(path.relative_to(ROOT)).startswith((READ_SIDE, *NOT_SCANNED))
		and not path.name.startswith("test_")
	]


def reads_outside_the_read_side() -> dict[str, list[tuple[int, str]]]:
	found = {}
	for path in _scanned():
		if sites := read_sites(path.read_text(encoding="utf-8")):
			found[str(path.relative_to(ROOT))] = sites
	return found


def test_only_the_read_side_reads_the_collections_data():
	found = reads_outside_the_read_side()
	grown = {path: sites for path, sites in found.items() if len(sites) > PENDING.get(path, 0)}
	detail = "\n".join(
		f"{path}:{line}: {what}" for path, sites in sorted(grown.items()) for line, what in sites
	)
	assert not grown, (
		f"{sum(len(s) for s in found.values())} reads outside optimar_erp/queries/ "
		f"({len(grown)} file(s) over their allowance): call or add a function of optimar_erp.queries\n"
		+ detail
	)


def test_pending_only_goes_down():
	"""An entry of PENDING above what its file still has (or for a file that no longer reads) is stale:
	lower it, so that a read cannot come back unnoticed."""
	found = reads_outside_the_read_side()
	stale = {path: n for path, n in PENDING.items() if len(found.get(path, ())) < n}
	assert not stale, f"lower PENDING to what is left: {stale}"


def test_the_read_side_reads_and_only_reads():
	"""The read side exists, holds the reads, and neither writes nor exposes whitelisted methods."""
	files = sorted((PACKAGE / "queries").glob("*.py"))
	assert {"invoices.py", "ledger.py", "activities.py", "promises.py", "disputes.py"} <= {
		p.name for p in files
	}
	assert sum(len(read_sites(p.read_text(encoding="utf-8"))) for p in files) > 20
	for path in files:
		tree = ast.parse(path.read_text(encoding="utf-8"))
		for node in ast.walk(tree):
			if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
				decorators = {_dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
				assert "frappe.whitelist" not in decorators, f"{path.name}: {node.name} is whitelisted"
			if isinstance(node, ast.Call):
				name = _dotted(node.func)
				assert name not in (
					"frappe.db.set_value",
					"frappe.db.delete",
					"frappe.qb.update",
					"frappe.qb.into",
					"frappe.db.bulk_insert",
					"frappe.new_doc",
				), f"{path.name}:{node.lineno} writes ({name})"
				assert not (
					isinstance(node.func, ast.Attribute) and node.func.attr in ("insert", "save", "submit")
				), f"{path.name}:{node.lineno} writes (.{node.func.attr})"


def test_scanner_sees_every_kind_of_read():
	"""The check itself works: each form of read is seen, writes and other doctypes are not."""
	sample = """
import frappe
from frappe.query_builder import DocType

def reads(name):
	frappe.get_all("Sales Invoice", filters={"name": name})
	frappe.db.get_value("Dispute", name, "status")
	frappe.db.exists("Promise To Pay", name)
	frappe.db.sql("select name from `tabCollection Activity` where x=%s", name)
	ple = frappe.qb.DocType("Payment Ledger Entry")
	frappe.qb.from_(ple).select(ple.name).run()
	si = DocType("Sales Invoice")
	frappe.qb.from_("Customer").join(si).on(si.customer == "x").run()

def writes(name):
	frappe.db.set_value("Sales Invoice", name, "collection_state", "Open")
	si = frappe.qb.DocType("Sales Invoice")
	frappe.qb.update(si).set(si.collection_state, "Open").run()
	act = frappe.qb.DocType("Collection Activity")
	frappe.qb.update(act).set(act.status, "Sent").run()
	frappe.db.sql("update `tabDispute` set status='Closed'")
	frappe.get_doc("Promise To Pay", name).cancel()
	frappe.get_all("Customer")
	c = frappe.qb.DocType("Customer")
	frappe.qb.from_(c).select(c.name).run()
"""
	sites = read_sites(sample)
	assert [line for line, _ in sites] == [6, 7, 8, 9, 10, 12], sites
