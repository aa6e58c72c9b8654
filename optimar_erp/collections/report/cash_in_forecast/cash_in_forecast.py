# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import datetime as dt
import json

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from optimar_erp.collections.report.presentation import SKIP_TOTAL_ROW, short_date
from optimar_erp.engine.forecast import DOUBTFUL_DAYS, cash_forecast, week_start
from optimar_erp.queries.companies import default_company
from optimar_erp.queries.invoices import open_invoices_with_predictions
from optimar_erp.queries.ledger import cash_received
from optimar_erp.queries.promises import open_promises

BACKTEST_WEEKS = 8


def execute(filters: dict | None = None):
	"""Cash collected in each of the last 8 weeks against the forecast made then (from the forecasts the
	nightly scoring keeps on each Risk Model), this week so far, and the expected cash-in for the next 13
	weeks from each open invoice's predicted pay date and the open promises (the engine's forecast), with
	what is not expected at all (more than 90 days past due, unpromised) shown apart."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	day = getdate(today())
	currency = frappe.get_cached_value("Company", company, "default_currency")
	future = cash_forecast(open_invoices_with_predictions(company), open_promises(company), day)
	past = backtest(company, day)
	monday = week_start(day)
	so_far = round(cash_received(company, monday, day), 2)
	data = [
		{
			"period": "past",
			"week": _("Past"),
			"week_start": r["week_start"],
			"expected": r["forecast"],
			"actual": r["actual"],
			"error_pct": r["abs_pct_error"],
			"currency": currency,
		}
		for r in past
	]
	for r in future.itertuples(index=False):
		row = {
			"week_start": r.week_start,
			"from_invoices": r.from_invoices,
			"from_promises": r.from_promises,
			"expected": r.expected,
			"cumulative": None if pd.isna(r.cumulative) else r.cumulative,
			"currency": currency,
		}
		if r.week == "0":
			row.update(period="current", week=_("This Week (to date)"), actual=so_far)
		elif r.week == "later":
			row.update(period="later", week=_("Later"))
		elif r.week == "doubtful":
			row.update(period="doubtful", week=_("Not Expected ({0}+ Days Overdue)").format(DOUBTFUL_DAYS))
		else:
			row.update(period="future", week=_("Week {0}").format(int(r.week) + 1))
		data.append(row)
	weekly = [r for r in data if r["period"] in ("past", "current", "future")]
	chart = {
		"data": {
			"labels": [
				_("This Week") if r["period"] == "current" else short_date(r["week_start"]) for r in weekly
			],
			"datasets": [
				{"name": _("Collected"), "values": [r.get("actual") or 0 for r in weekly]},
				{"name": _("Forecast"), "values": [r.get("expected") or 0 for r in weekly]},
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
		"options": "currency",
		"currency": currency,
		"colors": ["#16a34a", "#2563eb"],
	}
	by_period = {r["period"]: r for r in data if r["period"] in ("later", "doubtful")}
	summary = [
		{
			"value": round(sum(r["expected"] for r in data if r["period"] in ("current", "future")), 2),
			"label": _("Expected in 13 Weeks"),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Blue",
		},
		{
			"value": by_period["later"]["expected"],
			"label": _("Expected Later"),
			"datatype": "Currency",
			"currency": currency,
		},
		{
			"value": by_period["doubtful"]["expected"],
			"label": _("Not Expected ({0}+ Days Overdue)").format(DOUBTFUL_DAYS),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Red" if by_period["doubtful"]["expected"] else "Green",
		},
		{
			"value": round(sum(r["actual"] or 0 for r in data if r["period"] == "past"), 2),
			"label": _("Collected in the Last {0} Weeks").format(BACKTEST_WEEKS),
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Green",
		},
	]
	notes = [
		_(
			"Not expected: what invoices more than {0} days past due still owe and no open promise covers "
			"(past 90 days IFRS 9 presumes a receivable in default); it is left out of the weeks and the "
			"cumulative."
		).format(DOUBTFUL_DAYS)
	]
	if not any(r["expected"] is not None for r in data if r["period"] == "past"):
		notes.append(
			_(
				"The forecast of past weeks fills in week by week: each night's forecast is kept on its Risk "
				"Model and compared with the cash received once the week is over."
			)
		)
	return columns(), data, " ".join(notes), chart, summary, SKIP_TOTAL_ROW


def backtest(company: str, day: dt.date) -> list[dict]:
	"""For each of the last complete weeks: the cash received in it (payments in the Payment Ledger) and
	the forecast for that week made on the latest night before it started (None when no forecast was
	kept then)."""
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
		forecast = float(before[-1][1][str(ws)]) if before else None
		actual = cash_received(company, ws, ws + dt.timedelta(days=6))
		rows.append(
			{
				"week_start": ws,
				"forecast": None if forecast is None else round(forecast, 2),
				"actual": round(actual, 2),
				"abs_pct_error": round(abs(forecast - actual) / actual * 100, 1)
				if actual and forecast is not None
				else None,
			}
		)
	return rows


def columns() -> list[dict]:
	cur = {"fieldtype": "Currency", "options": "currency", "width": 140}
	return [
		{"fieldname": "week", "label": _("Week"), "fieldtype": "Data", "width": 230},
		{"fieldname": "week_start", "label": _("Week Of"), "fieldtype": "Date", "width": 110},
		{"fieldname": "actual", "label": _("Collected"), **cur},
		{"fieldname": "expected", "label": _("Forecast"), **cur},
		{"fieldname": "error_pct", "label": _("Forecast Error %"), "fieldtype": "Percent", "width": 140},
		{"fieldname": "from_invoices", "label": _("From Pay Dates"), **cur},
		{"fieldname": "from_promises", "label": _("From Promises"), **cur},
		{"fieldname": "cumulative", "label": _("Cumulative Forecast"), **cur, "width": 170},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
