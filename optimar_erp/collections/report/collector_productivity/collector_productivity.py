# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_days, get_fullname, getdate, today

from optimar_erp.constants import HUMAN_TOUCH_TYPES, SENDING_ACTIVITY_TYPES
from optimar_erp.engine.kpis import collector_productivity
from optimar_erp.queries.activities import touches_between
from optimar_erp.queries.companies import default_company
from optimar_erp.queries.ledger import payments_between
from optimar_erp.queries.promises import promises_recorded

ATTRIBUTION_DAYS = 14
SYSTEM_ACCOUNTS = ("Administrator", "Guest")
"""Who the scheduler, the inbox and the portal act as: what they record is nobody's touch."""


def execute(filters: dict | None = None):
	"""Per collector, by full name: the touches she made herself (calls, notes, promises, disputes logged by
	her: HUMAN_TOUCH_TYPES), customers touched, calls, promises obtained and cash collected from the touched
	customers within 14 days of one of her touches (each payment credited to the latest touch before it).

	What the system sent her customers (reminders, thank-yous) is counted apart, in "Sent by the System":
	it is neither her touch nor credited with the cash that follows it. Activities recorded by the
	scheduler, the inbox or the portal (Administrator, Guest, website users) are nobody's touch."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	end = getdate(filters.get("to_date") or today())
	start = getdate(filters.get("from_date") or add_days(end, -30))
	if start > end:
		frappe.throw(_("From Date must be before To Date."))
	touches = touches_between(company, start, end)
	promises = promises_recorded(company, start, end)
	payments = payments_between(company, start, add_days(end, ATTRIBUTION_DAYS))
	payments["amount"] = -payments["amount"]  # received: positive
	touches["date"] = pd.to_datetime(touches["date"]).dt.normalize()
	promises["date"] = pd.to_datetime(promises["date"]).dt.normalize()
	people = _people({*touches["owner"].dropna(), *promises["collector"].dropna()})
	human = touches[touches["kind"].isin(HUMAN_TOUCH_TYPES) & touches["owner"].isin(people)]
	human = human.assign(collector=human["owner"])
	promises = promises[promises["collector"].isin(people)]
	table = collector_productivity(human, promises, payments, start, end, attribution_days=ATTRIBUTION_DAYS)
	sent = touches[touches["kind"].isin(SENDING_ACTIVITY_TYPES)]
	table = _with_sent_by_system(table, sent.groupby("collector").size())
	currency = frappe.get_cached_value("Company", company, "default_currency")
	data = [
		{**r, "collector_name": get_fullname(r["collector"]), "currency": currency}
		for r in table.to_dict("records")
	]
	chart = {
		"data": {
			"labels": [r["collector_name"] for r in data],
			"datasets": [
				{"name": _("Collected After a Touch"), "values": [r["collected_after_touch"] for r in data]}
			],
		},
		"type": "bar",
		"fieldtype": "Currency",
	}
	return columns(), data, None, chart


def _people(users: set[str]) -> set[str]:
	"""Those of ``users`` who are persons working in the Desk."""
	if not users:
		return set()
	desk = frappe.get_all(
		"User", filters={"name": ("in", list(users)), "user_type": "System User"}, pluck="name"
	)
	return set(desk) - set(SYSTEM_ACCOUNTS)


def _with_sent_by_system(table: pd.DataFrame, sent: pd.Series) -> pd.DataFrame:
	"""``table`` with the messages the system sent each collector's customers, a row for a collector who
	only has those (0 touches)."""
	sent = sent[sent.index.astype(str) != ""].rename("sent_by_system")
	out = table.set_index("collector").join(sent, how="outer")
	counts = ["touches", "customers_touched", "calls", "promises", "sent_by_system"]
	out[counts] = out[counts].fillna(0).astype(int)
	out = out.fillna({"promised_amount": 0.0, "collected_after_touch": 0.0})
	out = out.rename_axis("collector").reset_index()
	return out.sort_values(
		["collected_after_touch", "touches", "collector"], ascending=[False, False, True], kind="stable"
	).reset_index(drop=True)


def columns() -> list[dict]:
	return [
		{"fieldname": "collector_name", "label": _("Collector"), "fieldtype": "Data", "width": 180},
		{"fieldname": "touches", "label": _("Touches"), "fieldtype": "Int", "width": 90},
		{"fieldname": "customers_touched", "label": _("Customers"), "fieldtype": "Int", "width": 90},
		{"fieldname": "calls", "label": _("Calls"), "fieldtype": "Int", "width": 80},
		{"fieldname": "promises", "label": _("Promises"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "promised_amount",
			"label": _("Promised"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 130,
		},
		{
			"fieldname": "collected_after_touch",
			"label": _("Collected After a Touch"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 160,
		},
		{"fieldname": "sent_by_system", "label": _("Sent by the System"), "fieldtype": "Int", "width": 140},
		{"fieldname": "collector", "label": _("User"), "fieldtype": "Link", "options": "User", "width": 200},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
