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
from frappe.utils import add_days, getdate, today

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.engine.worklist import build_worklist
from optimar_erp.queries import open_invoices
from optimar_erp.queries.customers import worklist_customers
from optimar_erp.queries.disputes import open_disputes_table
from optimar_erp.queries.invoices import first_due_open_invoice
from optimar_erp.queries.promises import open_promises_table
from optimar_erp.queries.responses import profiles_of

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
	cust = worklist_customers(customers, day)
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
	if frappe.db.get_single_value("Collections Settings", "learning_enabled"):
		cust = with_learned(cust)
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


def with_learned(cust: pd.DataFrame) -> pd.DataFrame:
	"""The customers with what the response model learned of them (``learned_channel``, ``learned_reason``)
	for the next action and its reason."""
	prof = profiles_of(list(cust["customer"])).set_index("customer")
	if prof.empty:
		return cust
	cust = cust.copy()
	cust["learned_channel"] = cust["customer"].map(prof["best_channel"]).fillna("")
	reason = []
	for customer in cust["customer"]:
		if customer not in prof.index or not prof.at[customer, "best_channel"]:
			reason.append("")
			continue
		p = prof.loc[customer]
		text = _("learned: best by {0} at {1}").format(_(p.best_channel), p.best_time or "-")
		if p.evidence:
			text += " (" + p.evidence.split("; ")[0] + ")"
		if p.payment_run_days:
			text += ", " + _("pays on {0}").format(p.payment_run_days)
		reason.append(text)
	cust["learned_reason"] = reason
	return cust


def _open_invoices(company, collector) -> pd.DataFrame:
	"""Open invoices (outstanding > 0, credit notes left out) of ``company`` (every company: None) with the
	fields the ranking needs, from the cached tables of today's open invoices (:mod:`.open_invoices`)."""
	columns = ["invoice", "customer", "company", "currency", "due_date", "outstanding", "late_probability"]
	frames = []
	for name in [company] if company else frappe.get_all("Company", pluck="name"):
		table = open_invoices.table(name)
		frame = table[(table["is_return"] == 0) & (table["outstanding"] > AMOUNT_TOLERANCE)]
		frames.append(frame.assign(company=name, late_probability=frame["late_probability"] / 100)[columns])
	if not frames:
		return pd.DataFrame(columns=columns)
	frame = pd.concat(frames, ignore_index=True)
	if collector:
		c = frappe.qb.DocType("Customer")
		mine = frappe.qb.from_(c).select(c.name).where(c.collector == collector).run(pluck=True)
		frame = frame[frame["customer"].isin(mine)].reset_index(drop=True)
	return frame


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
	company = first_due_open_invoice(customer, "company")
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
	return first_due_open_invoice(customer, ["name", "outstanding_amount"], invoices_only=True)
