"""Risk scoring on a site: nightly training and scoring, scoring on submit, alerts and credit advice.

The engine (:mod:`optimar_erp.engine.risk`, :mod:`~optimar_erp.engine.risk.alerts`,
:mod:`~optimar_erp.engine.risk.credit`) decides; this package reads the books with set-based queries, stores
the model in a "Risk Model" record, writes the scores in bulk and sends the alerts.
"""
