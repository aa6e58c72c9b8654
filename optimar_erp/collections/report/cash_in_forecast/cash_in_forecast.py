# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import datetime as dt
import json

import pandas as pd

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import add_days, getdate, today

from optimar_erp.data import fetch_frame
from optimar_erp.engine.forecast import cash_forecast, week_start
from optimar_erp.reporting.sources import default_company, open_promises

BACKTEST_WEEKS = 8


def execute(filters: dict | None = None):
	"""Expected cash-in for the next 13 weeks from each open invoice's predicted pay date and the open
	promises (the engine's forecast), and, for the past weeks, the forecast made then against the cash
	actually received (from the forecasts the nightly scoring keeps on each Risk Model)."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	day = getdate(today())
	currency = frappe.get_cached_value("Company", company, "default_currency")
	future = cash_forecast(_open_invoices(company), open_promises(company), day)
	past = backtest(company, day)
	data = [
		{
			"kind": _("Forecast"),
			"week_start": r.week_start if r.week != "later" else None,
			"week": _("Later") if r.week == "later" else _("Week {0}").format(int(r.week) + 1),
			"from_invoices": r.from_invoices,
			"from_promises": r.from_promises,
			"expected": r.expected,
			"cumulative": r.cumulative,
			"actual": None,
			"currency": currency,
		}
		for r in future.itertuples(index=False)
	]
	data += [
		{
			"kind": _("Back-test"),
			"week_start": r["week_start"],
			"week": _("Past"),
			"expected": r["forecast"],
			"actual": r["actual"],
			"error_pct": r["abs_pct_error"],
			"currency": currency,
		}
		for r in past
	]
	weeks = [r for r in past if r["forecast"] is not None] + [
		{"week_start": r.week_start, "forecast": r.expected, "actual": None}
		for r in future.itertuples(index=False)
		if r.week != "later"
	]
	chart = {
		"data": {
			"labels": [frappe.format(w["week_start"], "Date") for w in weeks],
			"datasets": [
				{"name": _("Forecast"), "values": [w["forecast"] or 0 for w in weeks]},
				{"name": _("Collected"), "values": [w["actual"] or 0 for w in weeks]},
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"colors": ["#2563eb", "#16a34a"],
	}
	message = None
	if not past:
		message = _(
			"The back-test fills in week by week: each night's forecast is kept on its Risk Model and compared "
			"with the cash received once the week is over."
		)
	return columns(), data, message, chart


def _open_invoices(company: str) -> pd.DataFrame:
	si = frappe.qb.DocType("Sales Invoice")
	frame = fetch_frame(
		frappe.qb.from_(si)
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0))
		.where(si.outstanding_amount > 0.005),
		{
			"customer": si.customer,
			"outstanding": si.outstanding_amount,
			"predicted_pay_date": si.predicted_pay_date,
			"due_date": si.due_date,
		},
		numbers=("outstanding",),
		dates=("predicted_pay_date", "due_date"),
	)
	frame["outstanding"] = frame["outstanding"].astype(float)
	return frame


def backtest(company: str, day: dt.date) -> list[dict]:
	"""For each of the last complete weeks: the forecast for that week made on the latest night before it
	started, and the cash received in it (payments in the Payment Ledger)."""
	first = week_start(day) - dt.timedelta(days=7 * BACKTEST_WEEKS)
	snapshots = frappe.get_all(
		"Risk Model",
		filters={"company": company, "forecast_json": ("is", "set"), "creation": (">=", add_days(first, -7))},
		pluck="forecast_json",
	)
	made = []
	for raw in snapshots:
		snap = json.loads(raw)
		made.append((getdate(snap["made_on"]), {w["week_start"]: w["expected"] for w in snap["weeks"]}))
	made.sort(key=lambda m: m[0])
	rows = []
	for w in range(BACKTEST_WEEKS):
		ws = first + dt.timedelta(days=7 * w)
		before = [m for m in made if m[0] <= ws and str(ws) in m[1]]
		if not before:
			continue
		forecast = float(before[-1][1][str(ws)])
		actual = _cash_in(company, ws, ws + dt.timedelta(days=6))
		rows.append(
			{
				"week_start": ws,
				"forecast": round(forecast, 2),
				"actual": round(actual, 2),
				"abs_pct_error": round(abs(forecast - actual) / actual * 100, 1) if actual else None,
			}
		)
	return rows


def _cash_in(company: str, start, end) -> float:
	ple = frappe.qb.DocType("Payment Ledger Entry")
	total = (
		frappe.qb.from_(ple)
		.select(Sum(ple.amount))
		.where((ple.company == company) & (ple.party_type == "Customer") & (ple.delinked == 0))
		.where(ple.voucher_type.isin(("Payment Entry", "Journal Entry")) & (ple.amount < 0))
		.where((ple.posting_date >= start) & (ple.posting_date <= end))
		.run()[0][0]
	)
	return -float(total or 0)


def columns() -> list[dict]:
	cur = {"fieldtype": "Currency", "options": "currency", "width": 130}
	return [
		{"fieldname": "kind", "label": _("Kind"), "fieldtype": "Data", "width": 90},
		{"fieldname": "week", "label": _("Week"), "fieldtype": "Data", "width": 80},
		{"fieldname": "week_start", "label": _("Week Of"), "fieldtype": "Date", "width": 100},
		{"fieldname": "from_invoices", "label": _("From Predicted Pay Dates"), **cur},
		{"fieldname": "from_promises", "label": _("From Promises"), **cur},
		{"fieldname": "expected", "label": _("Expected"), **cur},
		{"fieldname": "cumulative", "label": _("Cumulative"), **cur},
		{"fieldname": "actual", "label": _("Collected"), **cur},
		{"fieldname": "error_pct", "label": _("Error %"), "fieldtype": "Percent", "width": 80},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
