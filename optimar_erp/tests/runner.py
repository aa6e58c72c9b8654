"""The app's Frappe tests in a chosen order, on a chosen day: proof that no test depends on documents
another test made, on the order tests run in, or on today's date.

	bench --site S execute optimar_erp.tests.runner.run --kwargs "{'reverse': True}"
	bench --site S execute optimar_erp.tests.runner.run --kwargs "{'today': '2027-03-15'}"
	bench --site S execute optimar_erp.tests.runner.date_loop --kwargs "{'year': 2027}"

``reverse`` runs the modules, and the tests inside each class, in reverse order. ``today`` freezes the
clock (Python's, which Frappe, ERPNext and the app read; the clock ticks on from 10:00 that day in the
system time zone) for the whole run. Prints one closing line ``<label>: N passed, N failed`` and exits
non-zero on a failure.
"""

import contextlib
import importlib
import pkgutil
import unittest

import frappe

import optimar_erp

DATE_DEPENDENT = (
	"optimar_erp.collections.doctype.dispute.test_dispute",
	"optimar_erp.collections.doctype.dunning_run.test_dunning_run",
	"optimar_erp.collections.doctype.promise_to_pay.test_promise_to_pay",
	"optimar_erp.tests.test_demo",
	"optimar_erp.tests.test_dunning_faults",
	"optimar_erp.tests.test_escalation_hold",
	"optimar_erp.tests.test_reports",
	"optimar_erp.tests.test_portal",
)
"""The suites whose documents and expectations are placed relative to today."""


def _modules() -> list[str]:
	"""Every test module of the app: the suites in ``tests/`` and the tests beside their doctypes."""
	return sorted(
		info.name
		for info in pkgutil.walk_packages(optimar_erp.__path__, "optimar_erp.")
		if info.name.rsplit(".", 1)[-1].startswith("test_")
	)


def _import_the_app() -> None:
	"""Import every runtime module of the app (and so pandas, numpy, scikit-learn), once."""
	for info in pkgutil.walk_packages(optimar_erp.__path__, "optimar_erp."):
		if not any(part in info.name for part in (".benchmarks", ".tests", ".tools")):
			importlib.import_module(info.name)


@contextlib.contextmanager
def _frozen(today: str | None):
	if not today:
		yield
		return
	import pytz
	from freezegun import freeze_time

	from frappe.utils import get_datetime, get_system_timezone

	zone = pytz.timezone(get_system_timezone())
	instant = zone.localize(get_datetime(f"{today} 10:00:00")).astimezone(pytz.utc)
	with freeze_time(instant, tick=True):
		yield


def run(reverse: bool = False, today: str | None = None, modules: list[str] | tuple | None = None) -> dict:
	"""Run the app's test modules (all, or ``modules``) once; returns and prints the counts."""
	frappe.flags.in_test = True
	frappe.clear_cache()
	names = list(modules or _modules())
	if reverse:
		names.reverse()
	loader = unittest.TestLoader()
	if reverse:
		loader.sortTestMethodsUsing = lambda a, b: (a < b) - (a > b)
	# everything is imported before the clock stops: importing pandas' C extensions under freezegun hangs
	suite = unittest.TestSuite(loader.loadTestsFromModule(importlib.import_module(n)) for n in names)
	_import_the_app()
	with _frozen(today):
		result = unittest.TextTestRunner(verbosity=1).run(suite)
	failed = len(result.failures) + len(result.errors)
	label = "reverse order" if reverse else "order"
	label += f", today {today}" if today else ""
	print(f"{label}: {result.testsRun - failed} passed, {failed} failed")
	if failed:
		raise SystemExit(1)
	return {"ran": result.testsRun, "failed": failed}


def date_loop(year: int = 2027, modules: list[str] | tuple = DATE_DEPENDENT) -> dict:
	"""The date-dependent suites with the clock frozen on the 15th of each month of ``year`` (every
	month runs; exits non-zero at the end if any failed)."""
	results = {}
	for month in range(1, 13):
		day = f"{int(year)}-{month:02d}-15"
		try:
			results[day] = run(today=day, modules=modules)
		except SystemExit:
			results[day] = {"failed": True}
	bad = [day for day, result in results.items() if result.get("failed")]
	print(f"date loop {year}: {12 - len(bad)} months passed, {len(bad)} failed {bad or ''}")
	if bad:
		raise SystemExit(1)
	return results
