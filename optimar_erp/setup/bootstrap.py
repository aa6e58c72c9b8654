"""Bring a bare ERPNext site to the state tests and the demo need.

The app's test classes (``optimar_erp.tests.factories.OptimarTestCase``) and ``demo.setup`` call
``ensure_erpnext_setup``, so both work on a site whose setup wizard never ran. It is deliberately no
``before_tests`` hook: Frappe runs those for every app's tests on a site, and calendar fiscal years made
here would keep ERPNext's own test fiscal years from being created.
"""

import frappe
from frappe.utils import add_months, add_years, getdate, today

import erpnext

DEMO_ITEM = "OPT-SERVICES"


def ensure_erpnext_setup(history_months: int = 24) -> str:
	"""Complete ERPNext's setup if the site has no company; return the default company.

	Also makes sure fiscal years cover ``history_months`` back and a year ahead, and that the service
	item the demo and tests invoice exists.
	"""
	if not frappe.db.a_row_exists("Company"):
		from erpnext.setup.utils import before_tests as complete_erpnext_setup

		complete_erpnext_setup()

	company = erpnext.get_default_company() or frappe.get_all("Company", pluck="name", limit=1)[0]
	ensure_fiscal_years(add_months(today(), -history_months), add_months(today(), 12))
	ensure_service_item()
	return company


def ensure_fiscal_years(from_date, to_date) -> None:
	"""Create calendar-aligned fiscal years, shaped like the existing ones, covering the range."""
	from_date, to_date = getdate(from_date), getdate(to_date)
	years = frappe.get_all(
		"Fiscal Year",
		fields=["year_start_date", "year_end_date"],
		filters={"disabled": 0},
		order_by="year_start_date",
	)
	if not years:
		start = getdate(f"{from_date.year}-01-01")
	else:
		start = years[0].year_start_date
		while start > from_date:
			start = add_years(start, -1)

	while start <= to_date:
		end = add_years(start, 1)
		end = getdate(frappe.utils.add_days(end, -1))
		if not frappe.db.exists(
			"Fiscal Year", {"year_start_date": ("<=", end), "year_end_date": (">=", start)}
		):
			name = str(start.year) if start.month == 1 else f"{start.year}-{end.year}"
			frappe.get_doc(
				{
					"doctype": "Fiscal Year",
					"year": name,
					"year_start_date": start,
					"year_end_date": end,
				}
			).insert(ignore_permissions=True)
		start = add_years(start, 1)


def ensure_service_item() -> str:
	if not frappe.db.exists("Item", DEMO_ITEM):
		item_group = (
			"Services"
			if frappe.db.exists("Item Group", "Services")
			else frappe.db.get_value("Item Group", {"is_group": 0}, "name")
		)
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": DEMO_ITEM,
				"item_name": "Professional Services",
				"item_group": item_group,
				"stock_uom": "Nos",
				"is_stock_item": 0,
				"is_sales_item": 1,
				"include_item_in_manufacturing": 0,
				"description": "Services invoiced by the OptimAR demo and tests",
			}
		).insert(ignore_permissions=True)
	return DEMO_ITEM
