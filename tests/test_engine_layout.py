"""Only runtime code in the engine: benchmarks live in optimar_erp/benchmarks (pure ones named
engine_<feature>.py), data-making tools in optimar_erp/tools, and the engine imports neither."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "optimar_erp"
ENGINE_FILES = sorted((PACKAGE / "engine").rglob("*.py"))
BENCHMARK_FILES = sorted(p for p in (PACKAGE / "benchmarks").glob("*.py") if p.name != "__init__.py")
NOT_RUNTIME = re.compile(r"bench|build")


def _imports(path: Path) -> set[str]:
	"""Full names of the modules a file imports (absolute imports, anywhere in the file)."""
	names: set[str] = set()
	for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
		if isinstance(node, ast.Import):
			names.update(alias.name for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
			names.add(node.module)
	return names


def _is_script(path: Path) -> bool:
	"""Whether a file has an ``if __name__ == "__main__":`` block."""
	for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
		if isinstance(node, ast.Compare) and getattr(node.left, "id", None) == "__name__":
			if any(isinstance(c, ast.Constant) and c.value == "__main__" for c in node.comparators):
				return True
	return False


def test_no_benchmark_or_builder_module_in_the_engine():
	names = [str(p.relative_to(PACKAGE)) for p in ENGINE_FILES]
	assert "engine/analytics.py" in names
	assert [n for n in names if NOT_RUNTIME.search(Path(n).stem)] == []


def test_no_engine_module_is_a_script():
	"""Benchmarks and builders are run with ``python -m``; runtime modules are only imported."""
	assert [str(p.relative_to(PACKAGE)) for p in ENGINE_FILES if _is_script(p)] == []


def test_the_engine_imports_no_benchmark_or_tool():
	bad = {
		str(p.relative_to(PACKAGE)): sorted(
			m for m in _imports(p) if m.startswith(("optimar_erp.benchmarks", "optimar_erp.tools"))
		)
		for p in ENGINE_FILES
	}
	assert {k: v for k, v in bad.items() if v} == {}


def test_benchmarks_follow_one_naming_pattern():
	"""engine_<feature>.py: pure Python, no frappe; every other benchmark measures the Frappe shell."""
	assert (PACKAGE / "benchmarks" / "__init__.py").exists()
	assert not {m.split(".")[0] for m in _imports(PACKAGE / "benchmarks" / "__init__.py")} & {"frappe"}
	engine = [p for p in BENCHMARK_FILES if p.stem.startswith("engine_")]
	assert {p.stem for p in engine} >= {"engine_analytics", "engine_dunning", "engine_cash", "engine_risk"}
	for path in BENCHMARK_FILES:
		roots = {m.split(".")[0] for m in _imports(path)}
		assert ("frappe" in roots) != path.stem.startswith("engine_"), path.name


def test_layout_checks_see_what_they_look_for(tmp_path):
	"""The checks themselves work."""
	sample = tmp_path / "bench_x.py"
	sample.write_text(
		"import frappe.utils\nfrom optimar_erp.tools import x\nif __name__ == '__main__':\n\tpass\n"
	)
	assert _imports(sample) == {"frappe.utils", "optimar_erp.tools"}
	assert _is_script(sample)
	old_names = ("bench", "cashapp" + "_bench", "bench" + "_dunning", "corpus" + "_build")
	assert all(NOT_RUNTIME.search(n) for n in old_names)
