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

from optimar_erp.constants import BROKEN_PROMISE_LOOKBACK_DAYS, HUMAN_TOUCH_TYPES, PROMISE_BROKEN_STATUSES
from optimar_erp.engine.worklist import build_worklist
from optimar_erp.queries import open_invoices
from optimar_erp.queries.disputes import open_disputes_table
from optimar_erp.queries.frames import fetch_frame
from optimar_erp.queries.promises import open_promises_table

ACTION_LABELS = {
	"wait_for_promise": "Wait for Promise",
	"escalate": "Escalate",
	"call": "Call",
	"whatsapp": "WhatsApp",
	"email": "Email",
}


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
	# every open promise and dispute (a few thousand at most), matched to these invoices by name: cheaper
	# than sending the database a list of thousands of customers
	promised = open_promises_table()
	if len(promised):
		until = promised.groupby("invoice")["promised_date"].max()
		invoices["promised_until"] = invoices["invoice"].map(until)
	disputed = set(open_disputes_table()["invoice"])
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
	"""Open invoices (outstanding > 0, credit notes left out) of ``company`` (every company: None) with the
	fields the ranking needs, from the cached tables of today's open invoices (:mod:`.open_invoices`)."""
	columns = ["invoice", "customer", "company", "currency", "due_date", "outstanding", "late_probability"]
	frames = []
	for name in [company] if company else frappe.get_all("Company", pluck="name"):
		table = open_invoices.table(name)
		frame = table[(table["is_return"] == 0) & (table["outstanding"] > 0.005)]
		frames.append(frame.assign(company=name, late_probability=frame["late_probability"] / 100)[columns])
	if not frames:
		return pd.DataFrame(columns=columns)
	frame = pd.concat(frames, ignore_index=True)
	if collector:
		c = frappe.qb.DocType("Customer")
		mine = frappe.qb.from_(c).select(c.name).where(c.collector == collector).run(pluck=True)
		frame = frame[frame["customer"].isin(mine)].reset_index(drop=True)
	return frame


def _customers(customers: list[str], day) -> pd.DataFrame:
	c = frappe.qb.DocType("Customer")
	# all customers in one packed read, then these: a list of thousands of names in SQL costs more
	cust = fetch_frame(
		frappe.qb.from_(c),
		{
			"customer": c.name,
			"customer_name": c.customer_name,
			"collector": c.collector,
			"risk_band": c.risk_band,
			"preferred_channel": c.preferred_channel,
			"whatsapp_opt_in": c.whatsapp_opt_in,
			"do_not_contact": c.do_not_contact,
			"on_hold": c.collections_hold,
			"snoozed_until": c.collections_snoozed_until,
		},
		ints=("whatsapp_opt_in", "do_not_contact", "on_hold"),
		dates=("snoozed_until",),
	)
	cust = cust[cust["customer"].isin(set(customers))].reset_index(drop=True)
	ca = frappe.qb.DocType("Collection Activity")
	touched = {
		r[0]
		for r in frappe.qb.from_(ca)
		.select(ca.customer)
		.distinct()
		.where(ca.creation >= day)
		.where(ca.activity_type.isin(HUMAN_TOUCH_TYPES))
		.where(ca.status.isin(("Sent", "Done", "Queued")))
		.run()
	}
	emails = dict(
		frappe.qb.from_(ca)
		.select(ca.customer, Max(ca.creation))
		.where((ca.activity_type == "Reminder") & (ca.channel == "Email") & (ca.status == "Sent"))
		.where(ca.creation >= add_days(day, -7))
		.groupby(ca.customer)
		.run()
	)
	ptp = frappe.qb.DocType("Promise To Pay")
	broken = dict(
		frappe.qb.from_(ptp)
		.select(ptp.customer, Count(ptp.name))
		.where(ptp.status.isin(PROMISE_BROKEN_STATUSES))
		.where(ptp.broken_on >= add_days(day, -BROKEN_PROMISE_LOOKBACK_DAYS))
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
