"""Timed runs on large books; none of them is a runtime module of the app.

``engine_<feature>.py``: the functional core on synthetic data, pure Python, nothing imports frappe
(``python -m optimar_erp.benchmarks.engine_<feature> …``): ``engine_analytics`` (validation, aging,
metrics, simulation), ``engine_dunning``, ``engine_cash``, ``engine_risk``.

The other modules measure the Frappe shell on a real site (``bench --site S execute
optimar_erp.benchmarks.<module>.run``). This file imports nothing, so the engine_<feature> modules stay
importable without frappe.
"""
