"""How the Collections reports label and total what they show, in ERPNext's idiom.

- One customer column: the ``customer`` Link, plus ``Customer Name`` only when customers are named by
  naming series (Selling Settings), as ERPNext's Accounts Receivable report does; otherwise the ID is the
  name and a second column would repeat it.
- Periods read as people say them ("Nov 2026", "23 Nov"), and a period cut short by the report's date is
  marked "(to date)".
- Totals only where adding up means something: :func:`total_row` adds the columns it is told to (money,
  counts), never days or percentages; the reports return :data:`SKIP_TOTAL_ROW` (ERPNext's
  ``skip_total_row``) since Frappe's ``add_total_row`` sums every numeric column (and averages
  percentages), and a site keeps a Report's ``add_total_row`` across migrations whatever its JSON says.
"""

import calendar
import datetime as dt

import frappe
from frappe import _
from frappe.utils import format_date, getdate

SKIP_TOTAL_ROW = 1
"""The sixth value of a report's ``execute``: no Frappe total row, whatever the Report's setting."""


def names_by_series() -> bool:
	"""Whether customers are named by naming series, so their ID is not their name."""
	return frappe.db.get_single_value("Selling Settings", "cust_master_name") == "Naming Series"


def customer_columns(width: int = 200) -> list[dict]:
	"""The customer Link column, and the name beside it only when the ID is not the name."""
	cols = [
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": width,
		}
	]
	if names_by_series():
		cols.append(
			{"fieldname": "customer_name", "label": _("Customer Name"), "fieldtype": "Data", "width": width}
		)
	return cols


def short_date(day) -> str:
	"""``23 Nov``: a week's label on a chart axis (short enough not to be cut)."""
	return format_date(day, "d MMM")


def is_partial_month(month_start, last_day) -> bool:
	"""Whether the month starting ``month_start`` is covered only up to ``last_day`` (before its end)."""
	start = getdate(month_start)
	return getdate(last_day) < start.replace(day=calendar.monthrange(start.year, start.month)[1])


def month_label(month_start, partial: bool = False) -> str:
	"""``Nov 2026``, or ``Nov 2026 (to date)`` for a month the report covers only up to its date."""
	label = format_date(getdate(month_start), "MMM yyyy")
	return _("{0} (to date)").format(label) if partial else label


def month_start(month: str) -> dt.date:
	"""The first day of a ``YYYY-MM`` month."""
	return dt.date(int(month[:4]), int(month[5:7]), 1)


def total_row(data: list[dict], label_field: str, add: tuple[str, ...], **fields) -> dict:
	"""A bold total row (ERPNext's own idiom, as in Accounts Receivable): the ``add`` columns summed to
	the cent, ``label_field`` saying "Total", every other column blank unless given in ``fields``."""
	row = {label_field: _("Total"), "bold": 1}
	for field in add:
		total = sum(r.get(field) or 0 for r in data)
		row[field] = round(total, 2) if isinstance(total, float) else total
	row.update(fields)
	return row
