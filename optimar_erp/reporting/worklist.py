"""The Collections Worklist on a site: set-based reads → engine ranking → rows; and its one-click actions.

Reads (a handful of queries, whatever the size of the book): open Sales Invoices with their risk fields,
the customers' collections fields, open promises and disputes, broken-promise counts, today's activities
and the last email reminder per customer. The engine (:func:`optimar_erp.engine.worklist.build_worklist`)
ranks; acting on a row (a call, a promise, a dispute, a reminder sent now, a snooze) writes a Collection
Activity today, which takes the customer off today's list.
"""

import pandas as pd

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Max
from frappe.utils import add_days, getdate, today

from optimar_erp.dunning.promises import open_disputes_table, open_promises_table
from optimar_erp.engine.worklist import build_worklist

ACTION_LABELS = {
	"wait_for_promise": "Wait for Promise",
	"escalate": "Escalate",
	"call": "Call",
	"whatsapp": "WhatsApp",
	"email": "Email",
}
TOUCH_TYPES = ("Call", "Note", "Promise", "Dispute", "Escalation", "Reminder", "Hold")
BROKEN_LOOKBACK_DAYS = 180


def worklist(
	company: str | None = None,
	collector: str | None = None,
	risk_band: str | None = None,
	bucket: str | None = None,
	as_of=None,
) -> pd.DataFrame:
	"""Today's ranked rows for the filters (collector: that collector's customers only)."""
	day = getdate(as_of or today())
	invoices = _open_invoices(company, collector)
	if invoices.empty:
		return pd.DataFrame()
	customers = sorted(invoices["customer"].unique())
	cust = _customers(customers, day)
	first = invoices.drop_duplicates("customer").set_index("customer")
	cust["company"] = cust["customer"].map(first["company"])
	cust["currency"] = cust["customer"].map(first["currency"])
	promised = open_promises_table(customers=customers)
	if len(promised):
		until = promised.groupby("invoice")["promised_date"].max()
		invoices["promised_until"] = invoices["invoice"].map(until)
	disputed = set(open_disputes_table(customers=customers)["invoice"])
	invoices["disputed"] = invoices["invoice"].isin(disputed)
	rows = build_worklist(cust, invoices, day)
	if rows.empty:
		return rows
	info = cust.set_index("customer")
	for col in ("customer_name", "collector", "company", "currency"):
		rows[col] = rows["customer"].map(info[col])
	rows["bucket"] = pd.cut(
		rows["max_days_overdue"],
		bins=[-1, 0, 30, 60, 90, 10**6],
		labels=["Not Due", "1-30", "31-60", "61-90", "90+"],
	).astype(str)
	if risk_band:
		rows = rows[rows["risk_band"] == risk_band]
	if bucket:
		rows = rows[rows["bucket"] == bucket]
	rows["action"] = rows["next_action"].map(ACTION_LABELS)
	return rows.reset_index(drop=True)


def _open_invoices(company, collector) -> pd.DataFrame:
	si = frappe.qb.DocType("Sales Invoice")
	c = frappe.qb.DocType("Customer")
	query = (
		frappe.qb.from_(si)
		.join(c)
		.on(c.name == si.customer)
		.select(
			si.name,
			si.customer,
			si.company,
			si.currency,
			si.due_date,
			si.outstanding_amount,
			si.late_probability,
		)
		.where((si.docstatus == 1) & (si.is_return == 0) & (si.outstanding_amount > 0.005))
	)
	if company:
		query = query.where(si.company == company)
	if collector:
		query = query.where(c.collector == collector)
	frame = pd.DataFrame(
		list(query.run()),
		columns=["invoice", "customer", "company", "currency", "due_date", "outstanding", "late_probability"],
	)
	frame["outstanding"] = frame["outstanding"].astype(float)
	frame["late_probability"] = frame["late_probability"].astype(float) / 100
	return frame


def _customers(customers: list[str], day) -> pd.DataFrame:
	c = frappe.qb.DocType("Customer")
	rows = (
		frappe.qb.from_(c)
		.select(
			c.name,
			c.customer_name,
			c.collector,
			c.risk_band,
			c.preferred_channel,
			c.whatsapp_opt_in,
			c.do_not_contact,
			c.collections_hold,
			c.collections_snoozed_until,
		)
		.where(c.name.isin(customers))
		.run()
	)
	cust = pd.DataFrame(
		list(rows),
		columns=[
			"customer",
			"customer_name",
			"collector",
			"risk_band",
			"preferred_channel",
			"whatsapp_opt_in",
			"do_not_contact",
			"on_hold",
			"snoozed_until",
		],
	)
	ca = frappe.qb.DocType("Collection Activity")
	touched = {
		r[0]
		for r in frappe.qb.from_(ca)
		.select(ca.customer)
		.distinct()
		.where(ca.customer.isin(customers))
		.where(ca.creation >= day)
		.where(ca.activity_type.isin(TOUCH_TYPES))
		.where(ca.status.isin(("Sent", "Done", "Queued")))
		.run()
	}
	emails = dict(
		frappe.qb.from_(ca)
		.select(ca.customer, Max(ca.creation))
		.where(ca.customer.isin(customers))
		.where((ca.activity_type == "Reminder") & (ca.channel == "Email") & (ca.status == "Sent"))
		.where(ca.creation >= add_days(day, -7))
		.groupby(ca.customer)
		.run()
	)
	ptp = frappe.qb.DocType("Promise To Pay")
	broken = dict(
		frappe.qb.from_(ptp)
		.select(ptp.customer, Count(ptp.name))
		.where(ptp.customer.isin(customers))
		.where(ptp.status.isin(("Broken", "Partially Kept")))
		.where(ptp.broken_on >= add_days(day, -BROKEN_LOOKBACK_DAYS))
		.groupby(ptp.customer)
		.run()
	)
	cust["touched_today"] = cust["customer"].isin(touched)
	cust["last_email_date"] = cust["customer"].map(lambda c: getdate(emails[c]) if c in emails else None)
	cust["broken_promises"] = cust["customer"].map(broken).fillna(0).astype(int)
	return cust


# ------------------------------------------------------------------------------------------- actions
def _check(customer: str) -> None:
	frappe.has_permission("Customer", "read", customer, throw=True)
	if not frappe.has_permission("Collection Activity", "create"):
		frappe.throw(_("Not permitted to log collections activities"), frappe.PermissionError)


@frappe.whitelist()
def snooze(customer: str, until: str, note: str | None = None) -> str:
	"""Take the customer off the worklist until ``until`` (logged)."""
	_check(customer)
	until = getdate(until)
	if until <= getdate(today()):
		frappe.throw(_("Snooze until a date after today."), title=_("Invalid Date"))
	if until > getdate(add_days(today(), 90)):
		frappe.throw(_("Snooze for at most 90 days."), title=_("Invalid Date"))
	frappe.db.set_value("Customer", customer, "collections_snoozed_until", until)
	activity = frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Note",
			"status": "Done",
			"customer": customer,
			"subject": _("Snoozed on the worklist until {0}").format(frappe.format(until, "Date")),
			"message": note,
			"next_action_date": until,
		}
	).insert()
	return activity.name


@frappe.whitelist()
def send_next_reminder(customer: str) -> str:
	"""Start a Dunning Run for this customer now (sends what its sequence has due)."""
	_check(customer)
	if not frappe.has_permission("Dunning Run", "create"):
		frappe.throw(_("Not permitted to start a Dunning Run"), frappe.PermissionError)
	company = frappe.db.get_value(
		"Sales Invoice",
		{"customer": customer, "docstatus": 1, "outstanding_amount": (">", 0)},
		"company",
		order_by="due_date asc",
	)
	if not company:
		frappe.throw(_("{0} has nothing outstanding.").format(customer))
	run = frappe.get_doc(
		{
			"doctype": "Dunning Run",
			"company": company,
			"customer": customer,
			"run_date": today(),
			"trigger": "Manual",
		}
	)
	run.insert()
	run.submit()
	return run.name


@frappe.whitelist()
def oldest_open_invoice(customer: str) -> dict | None:
	"""The customer's oldest open invoice (for "Raise Dispute" from the worklist)."""
	frappe.has_permission("Customer", "read", customer, throw=True)
	return frappe.db.get_value(
		"Sales Invoice",
		{"customer": customer, "docstatus": 1, "is_return": 0, "outstanding_amount": (">", 0)},
		["name", "outstanding_amount"],
		order_by="due_date asc",
		as_dict=True,
	)
