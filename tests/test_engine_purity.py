"""The engine is the functional core: nothing under optimar_erp/engine may import frappe or erpnext."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "optimar_erp"
FORBIDDEN = ("frappe", "erpnext")


def _imported_roots(path: Path) -> set[str]:
	"""Top-level module names a file imports (any depth in the file, including function bodies)."""
	tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
	roots: set[str] = set()
	for node in ast.walk(tree):
		if isinstance(node, ast.Import):
			roots.update(alias.name.split(".")[0] for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
			roots.add(node.module.split(".")[0])
		elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
			"import_module",
			"__import__",
		):
			if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
				roots.add(node.args[0].value.split(".")[0])
	return roots


ENGINE_FILES = sorted((PACKAGE / "engine").rglob("*.py"))


def test_engine_has_modules():
	names = {p.name for p in ENGINE_FILES}
	assert {"__init__.py", "schema.py", "analytics.py", "simulate.py", "html_report.py"} <= names


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engine_module_does_not_import_frappe(path):
	assert not (_imported_roots(path) & set(FORBIDDEN)), (
		f"{path} imports {_imported_roots(path) & set(FORBIDDEN)}"
	)


@pytest.mark.parametrize("name", ["__init__.py", "cli.py"])
def test_package_entry_points_do_not_import_frappe(name):
	assert not (_imported_roots(PACKAGE / name) & set(FORBIDDEN))


def test_scanner_catches_frappe_imports(tmp_path):
	"""The check itself works: every import form is seen."""
	sample = tmp_path / "bad.py"
	sample.write_text(
		"import os\ndef f():\n\timport frappe.utils\nfrom erpnext.accounts import x\n"
		"import importlib\nimportlib.import_module('frappe')\n"
	)
	assert _imported_roots(sample) >= {"frappe", "erpnext", "os", "importlib"}
