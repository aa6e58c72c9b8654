# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.utils import fmt_money

from optimar_erp.collections.report.presentation import SKIP_TOTAL_ROW, customer_columns
from optimar_erp.worklist import worklist

MONEY = ("value_at_risk", "overdue_amount", "open_amount", "promised_amount", "disputed_amount")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	rows = worklist(
		company=filters.get("company"),
		collector=filters.get("collector"),
		risk_band=filters.get("risk_band"),
		bucket=filters.get("bucket"),
	)
	data = rows.to_dict("records") if len(rows) else []
	for rank, row in enumerate(data, 1):
		row["rank"] = rank
		for money in MONEY:  # sums of floats: to the cent, as shown and exported
			if money in row:
				row[money] = round(float(row[money] or 0), 2)
	message = None
	if data:
		message = _(
			"{0} customers to work today, {1} at risk in total. Ranked by value at risk: outstanding × late probability × urgency."
		).format(len(data), fmt_money(sum(r["value_at_risk"] for r in data), 2, data[0].get("currency")))
	return columns(), data, message, None, None, SKIP_TOTAL_ROW


def columns() -> list[dict]:
	return [
		{"fieldname": "rank", "label": _("#"), "fieldtype": "Int", "width": 50},
		*customer_columns(),
		{"fieldname": "action", "label": _("Next Action"), "fieldtype": "Data", "width": 130},
		{"fieldname": "actions", "label": _("Do It"), "fieldtype": "Data", "width": 400},
		{"fieldname": "reason", "label": _("Why"), "fieldtype": "Data", "width": 330},
		{
			"fieldname": "value_at_risk",
			"label": _("Value at Risk"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 140,
		},
		{
			"fieldname": "overdue_amount",
			"label": _("Overdue"),
			"fieldtype": "Currency",
			"options": "currency",
			"width": 140,
		},
		{"fieldname": "max_days_overdue", "label": _("Oldest (Days)"), "fieldtype": "Int", "width": 120},
		{"fieldname": "risk_band", "label": _("Risk"), "fieldtype": "Data", "width": 90},
		{"fieldname": "bucket", "label": _("Bucket"), "fieldtype": "Data", "width": 80},
		{"fieldname": "open_invoices", "label": _("Open Invoices"), "fieldtype": "Int", "width": 120},
		{
			"fieldname": "collector",
			"label": _("Collector"),
			"fieldtype": "Link",
			"options": "User",
			"width": 170,
		},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
	]
