"""No import circles among the app's own modules, and hooks.py wires events through its two doors: every
doc event handler is a function of ``optimar_erp.overrides.<doctype>``, every scheduled entry a function of
``optimar_erp.tasks`` (thin functions that call the code doing the work).

Pure stdlib (``ast``): no frappe import, so it runs in the plain venv with the engine tests.

What is scanned: every ``.py`` under ``optimar_erp/``, the Frappe tests and the patches included. A module
that nothing imports (a patch, a test, a report's ``execute`` reached only by dotted path) can never close
a circle, so including them costs nothing; and should some app code ever import one, the circle it makes is
real and is reported.

What is an edge (module A imports module B, both the app's):

- ``import optimar_erp.x.y`` and ``from optimar_erp.x import y``: ``optimar_erp.x.y`` when that is a module
  of the app, else ``optimar_erp.x`` (``y`` is a name defined in it); relative imports are resolved against
  A's package the same way; ``importlib.import_module("optimar_erp...")`` with a literal name counts too.
- Imports at module level *and* inside function bodies: an import moved into a function still runs, and a
  circle hidden that way is still a circle (it only fails later, and only on some call paths).
- Importing ``optimar_erp.a.b`` first runs ``optimar_erp.a``'s ``__init__``: that is an edge to the package
  too, counted only when the ``__init__`` imports something of its own (an empty ``__init__`` leads
  nowhere), and never from a module to a package that contains it (that package is already initialised, or
  being initialised, whenever the module runs: a package ``__init__`` that re-exports its submodules, as
  ``optimar_erp.engine`` does, is not a circle).

Dotted paths in strings (hooks.py, ``frappe.enqueue``, ``frappe.get_attr``) are not imports and are not
followed: they resolve at call time, after every module has loaded.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "optimar_erp"
APP = "optimar_erp"

# in-function imports of the app's own modules (import statements, see _in_function_imports), the Frappe
# tests included: this may only go down. None of them hides a circle (the graph above counts them). The 7
# left are deliberate: scikit-learn (2 s and ~90 MB to import) stays out of the web requests and workers
# that load overrides.sales_invoice, tasks and inbox.replies (risk.jobs, engine.inbox), and out of the
# frappe-free CLI's start; the dunning benchmark loads the test factories only when it needs them. The
# Frappe tests import at module level (issue 16: 27 → 7).
IN_FUNCTION_IMPORT_CAP = 7


def _module_name(path: Path) -> str:
	parts = list(path.relative_to(ROOT).with_suffix("").parts)
	if parts[-1] == "__init__":
		parts.pop()
	return ".".join(parts)


def _modules() -> dict[str, Path]:
	return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _is_package(name: str) -> bool:
	return MODULES[name].name == "__init__.py"


def _resolve(name: str) -> str | None:
	"""The app module that importing ``name`` loads: the longest prefix of it that is a module of the app."""
	parts = name.split(".")
	while parts:
		candidate = ".".join(parts)
		if candidate in MODULES:
			return candidate
		parts.pop()
	return None


def _absolute(module: str, node: ast.ImportFrom) -> str:
	"""The absolute module of a (possibly relative) ``from ... import``."""
	if not node.level:
		return node.module or ""
	base = module.split(".")
	if not _is_package(module):
		base = base[:-1]
	base = base[: len(base) - (node.level - 1)]
	return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, node: ast.AST) -> list[str]:
	"""The app modules one import node names (before package ``__init__`` edges)."""
	found = []
	if isinstance(node, ast.Import):
		found = [_resolve(alias.name) for alias in node.names if alias.name.split(".")[0] == APP]
	elif isinstance(node, ast.ImportFrom):
		source = _absolute(module, node)
		if source.split(".")[0] == APP:
			for alias in node.names:
				sub = f"{source}.{alias.name}"
				found.append(sub if sub in MODULES else _resolve(source))
	elif isinstance(node, ast.Call):
		func = node.func
		name = getattr(func, "attr", None) or getattr(func, "id", None)
		if name in ("import_module", "__import__") and node.args:
			arg = node.args[0]
			if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.startswith(APP):
				found = [_resolve(arg.value)]
	return [t for t in found if t]


def _walk(tree: ast.AST):
	"""Every node with whether it sits inside a function body (or a lambda)."""
	stack = [(tree, False)]
	while stack:
		node, inside = stack.pop()
		yield node, inside
		nested = inside or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
		stack.extend((child, nested) for child in ast.iter_child_nodes(node))


def _parse(path: Path) -> ast.AST:
	return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _has_imports(path: Path) -> bool:
	return any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(_parse(path)))


def _packages_run_by(target: str, importer: str) -> list[str]:
	"""The package ``__init__`` modules that importing ``target`` runs, less those containing ``importer``."""
	parts = target.split(".")
	packages = [".".join(parts[:i]) for i in range(1, len(parts))]
	return [
		p
		for p in packages
		if p in MODULES and not (importer == p or importer.startswith(p + ".")) and _has_imports(MODULES[p])
	]


def import_graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
	graph: dict[str, set[str]] = {}
	for module, path in (modules or MODULES).items():
		edges = graph.setdefault(module, set())
		for node, _inside in _walk(_parse(path)):
			for target in _targets(module, node):
				edges.add(target)
				edges.update(_packages_run_by(target, module))
	return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""Strongly connected components of more than one module, and modules that import themselves (Tarjan)."""
	sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
	index: dict[str, int] = {}
	low: dict[str, int] = {}
	stack: list[str] = []
	on_stack: set[str] = set()
	found: list[list[str]] = []

	def visit(v: str) -> None:
		index[v] = low[v] = len(index)
		stack.append(v)
		on_stack.add(v)
		for w in graph.get(v, ()):
			if w not in index:
				visit(w)
				low[v] = min(low[v], low[w])
			elif w in on_stack:
				low[v] = min(low[v], index[w])
		if low[v] == index[v]:
			component = []
			while True:
				w = stack.pop()
				on_stack.discard(w)
				component.append(w)
				if w == v:
					break
			if len(component) > 1 or v in graph.get(v, ()):
				found.append(sorted(component))

	for v in sorted(graph):
		if v not in index:
			visit(v)
	return sorted(found)


def _in_function_imports() -> list[str]:
	"""``path:line`` of each import statement of an app module that sits inside a function body."""
	found = []
	for module, path in MODULES.items():
		for node, inside in _walk(_parse(path)):
			if inside and isinstance(node, ast.Import | ast.ImportFrom) and _targets(module, node):
				found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
	return sorted(found)


def test_no_import_circles():
	graph = import_graph()
	assert len(graph) > 100, "the scan found the app's modules"
	found = circles(graph)
	detail = "\n".join(
		" <-> ".join(c) + "\n\t" + "\n\t".join(f"{m} -> {sorted(graph[m] & set(c))}" for m in c)
		for c in found
	)
	assert not found, f"{len(found)} import circle(s) among the app's modules:\n{detail}"


def test_in_function_imports_of_the_app_only_go_down():
	found = _in_function_imports()
	assert len(found) <= IN_FUNCTION_IMPORT_CAP, (
		f"{len(found)} in-function imports of the app's own modules (cap {IN_FUNCTION_IMPORT_CAP}): import at "
		"module level instead, and break a circle by moving the shared code down:\n" + "\n".join(found)
	)


def _hook(name: str):
	"""The literal value of a top-level assignment in hooks.py (read with ``ast``: frappe is not needed)."""
	tree = _parse(PACKAGE / "hooks.py")
	for node in tree.body:
		if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
			return ast.literal_eval(node.value)
	return None


def _functions(module: str) -> set[str]:
	return {
		n.name for n in _parse(MODULES[module]).body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
	}


def _split(path: str) -> tuple[str, str]:
	module, _dot, function = path.rpartition(".")
	return module, function


def test_hooks_is_declarative():
	"""hooks.py only assigns literals: no imports, no computation, nothing run when Frappe loads it."""
	wrong = []
	for node in _parse(PACKAGE / "hooks.py").body:
		if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
			continue  # a docstring
		try:
			ok = isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)
			ok = ok and ast.literal_eval(node.value) is not None
		except ValueError:
			ok = False
		if not ok:
			wrong.append(f"hooks.py:{node.lineno}: {ast.unparse(node).splitlines()[0]}")
	assert not wrong, "hooks.py is not purely declarative:\n" + "\n".join(wrong)


def test_doc_events_go_through_overrides():
	doc_events = _hook("doc_events")
	assert doc_events, "hooks.py declares doc_events"
	wrong = []
	for doctype, events in doc_events.items():
		for event, handlers in events.items():
			for handler in [handlers] if isinstance(handlers, str) else handlers:
				module, function = _split(handler)
				expected = f"{APP}.overrides.{doctype.lower().replace(' ', '_')}"
				if module != expected or module not in MODULES or function not in _functions(module):
					wrong.append(f"{doctype} {event}: {handler} (expected a function of {expected})")
	assert not wrong, "doc events not routed through overrides/:\n" + "\n".join(wrong)


def test_scheduled_entries_go_through_tasks():
	def entries(value):
		if isinstance(value, str):
			yield value
		elif isinstance(value, dict):
			for v in value.values():
				yield from entries(v)
		else:
			for v in value:
				yield from entries(v)

	scheduled = list(entries(_hook("scheduler_events") or {}))
	assert scheduled, "hooks.py declares scheduler_events"
	tasks = _functions(f"{APP}.tasks")
	wrong = [e for e in scheduled if _split(e)[0] != f"{APP}.tasks" or _split(e)[1] not in tasks]
	assert not wrong, "scheduled entries not routed through optimar_erp.tasks:\n" + "\n".join(wrong)


# the scanner itself


def _graph_of(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
	for rel, text in files.items():
		(tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
		(tmp_path / rel).write_text(text)
	modules = {}
	for p in sorted(tmp_path.rglob("*.py")):
		parts = list(p.relative_to(tmp_path).with_suffix("").parts)
		if parts[-1] == "__init__":
			parts.pop()
		modules[".".join(parts)] = p
	saved = dict(MODULES)
	MODULES.clear()
	MODULES.update(modules)
	try:
		return import_graph()
	finally:
		MODULES.clear()
		MODULES.update(saved)


def test_scanner_sees_function_level_and_relative_imports(tmp_path):
	graph = _graph_of(
		tmp_path,
		{
			"optimar_erp/__init__.py": "",
			"optimar_erp/a/__init__.py": "",
			"optimar_erp/a/x.py": "def f():\n\tfrom optimar_erp.a import y\n",
			"optimar_erp/a/y.py": "from . import z\nfrom .x import f\n",
			"optimar_erp/a/z.py": "import optimar_erp.b.w\nfrom optimar_erp.a.x import f\n",
			"optimar_erp/b/__init__.py": "from optimar_erp.b.w import g\n",
			"optimar_erp/b/w.py": "import importlib\ng = importlib.import_module('optimar_erp.a.z')\n",
		},
	)
	assert graph["optimar_erp.a.x"] == {"optimar_erp.a.y"}
	assert graph["optimar_erp.a.y"] == {"optimar_erp.a.z", "optimar_erp.a.x"}
	# the package optimar_erp.b has imports of its own: importing b.w runs it; the empty a/__init__ does not count
	assert graph["optimar_erp.a.z"] == {"optimar_erp.b.w", "optimar_erp.b", "optimar_erp.a.x"}
	assert graph["optimar_erp.b.w"] == {"optimar_erp.a.z"}  # its own package is not an edge
	assert circles(graph) == [
		["optimar_erp.a.x", "optimar_erp.a.y", "optimar_erp.a.z", "optimar_erp.b", "optimar_erp.b.w"]
	]
	assert circles({"m": {"m"}, "n": {"m"}}) == [["m"]]  # a self loop
