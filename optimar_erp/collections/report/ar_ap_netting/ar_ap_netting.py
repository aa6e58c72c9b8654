# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _

from optimar_erp.cash.netting import netting
from optimar_erp.collections.report.presentation import SKIP_TOTAL_ROW
from optimar_erp.queries.companies import default_company


def execute(filters: dict | None = None):
	"""Business partners that are both customer and supplier (ERPNext Party Link): what they owe us, what
	we owe them, and the amount a netting entry can set off before anyone chases or pays."""
	filters = frappe._dict(filters or {})
	company = filters.get("company") or default_company()
	result = netting(company)
	if result is None or result.pairs.empty:
		return (
			columns(),
			[],
			_(
				"No customer that is also a supplier (linked with Party Link) has open invoices on both sides."
			),
			None,
			None,
			SKIP_TOTAL_ROW,
		)
	data = [{**r, "actions": "", "company": company} for r in result.pairs.to_dict("records")]
	return columns(), data, None, None, None, SKIP_TOTAL_ROW


def columns() -> list[dict]:
	cur = {"fieldtype": "Currency", "options": "currency", "width": 150}
	return [
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 200,
		},
		{
			"fieldname": "supplier",
			"label": _("Supplier"),
			"fieldtype": "Link",
			"options": "Supplier",
			"width": 200,
		},
		{"fieldname": "receivable", "label": _("They Owe Us"), **cur},
		{"fieldname": "payable", "label": _("We Owe Them"), **cur},
		{"fieldname": "net_amount", "label": _("Can Be Netted"), **cur},
		{"fieldname": "receivable_after", "label": _("Still Owed to Us"), **cur},
		{"fieldname": "payable_after", "label": _("Still Owed by Us"), **cur},
		{"fieldname": "documents", "label": _("Invoices"), "fieldtype": "Int", "width": 90},
		{"fieldname": "actions", "label": _("Do It"), "fieldtype": "Data", "width": 180},
		{
			"fieldname": "currency",
			"label": _("Currency"),
			"fieldtype": "Link",
			"options": "Currency",
			"hidden": 1,
		},
		{
			"fieldname": "company",
			"label": _("Company"),
			"fieldtype": "Link",
			"options": "Company",
			"hidden": 1,
		},
	]
