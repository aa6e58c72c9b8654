"""Reads of Customers: contact details, guards and sequence rules, and the people who act on them."""

import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce, Count, Max, Min, Sum
from frappe.utils import add_days, getdate, today

from optimar_erp.constants import BROKEN_PROMISE_LOOKBACK_DAYS, HUMAN_TOUCH_TYPES, PROMISE_BROKEN_STATUSES
from optimar_erp.queries.frames import fetch_frame
from optimar_erp.queries.invoices import is_open
from optimar_erp.queries.promises import broken_promise_counts


def customers_of(names: list[str], with_addresses: bool = False) -> pd.DataFrame:
	"""Contact details, guards and sequence rules for the given customers, in two queries. With
	``with_addresses``, also ``emails`` and ``mobiles``: every address the customer may be reached at
	(its own and its contacts', without unsubscribed emails), for the send-time re-check."""
	columns = [
		"customer",
		"customer_name",
		"customer_group",
		"territory",
		"language",
		"do_not_contact",
		"on_hold",
		"snoozed",
		"collector",
		"risk_band",
		"own_sequence",
		"email",
		"mobile",
		"whatsapp_opt_in",
	]
	if not names:
		return pd.DataFrame(columns=[*columns, "time_zone"])
	c = frappe.qb.DocType("Customer")
	rows = (
		frappe.qb.from_(c)
		.select(
			c.name,
			c.customer_name,
			c.customer_group,
			c.territory,
			c.language,
			Coalesce(c.do_not_contact, 0),
			Coalesce(c.collections_hold, 0),
			Case().when(c.collections_snoozed_until > today(), 1).else_(0),
			Coalesce(c.collector, ""),
			Coalesce(c.risk_band, ""),
			Coalesce(c.dunning_sequence, ""),
			Coalesce(c.email_id, ""),
			Coalesce(c.mobile_no, ""),
			Coalesce(c.whatsapp_opt_in, 0),
		)
		.where(c.name.isin(names))
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=columns)
	frame = _fill_from_contacts(frame, with_addresses)
	frame["do_not_contact"] = frame["do_not_contact"].astype(bool)
	frame["on_hold"] = frame["on_hold"].astype(bool)
	frame["snoozed"] = frame["snoozed"].astype(bool)
	frame["whatsapp_opt_in"] = frame["whatsapp_opt_in"].astype(bool)
	frame["time_zone"] = ""
	return frame


def _fill_from_contacts(frame: pd.DataFrame, with_addresses: bool = False) -> pd.DataFrame:
	"""Customers without an email or mobile on the Customer take their primary contact's; a contact
	that unsubscribed stops email."""
	contact = frappe.qb.DocType("Contact")
	link = frappe.qb.DocType("Dynamic Link")
	rows = (
		frappe.qb.from_(contact)
		.join(link)
		.on((link.parent == contact.name) & (link.parenttype == "Contact"))
		.select(
			link.link_name,
			Coalesce(contact.email_id, ""),
			Coalesce(contact.mobile_no, ""),
			contact.unsubscribed,
			contact.is_primary_contact,
		)
		.where(link.link_doctype == "Customer")
		.where(link.link_name.isin(list(frame["customer"])))
		.orderby(contact.is_primary_contact, order=frappe.qb.desc)
		.run()
	)
	contacts = pd.DataFrame(
		list(rows), columns=["customer", "c_email", "c_mobile", "unsubscribed", "primary"]
	)
	if with_addresses:
		reachable = contacts[~contacts["unsubscribed"].fillna(0).astype(bool)]
		frame["emails"] = frame["customer"].map(reachable.groupby("customer")["c_email"].agg(tuple))
		frame["mobiles"] = frame["customer"].map(contacts.groupby("customer")["c_mobile"].agg(tuple))
		for col in ("emails", "mobiles"):
			frame[col] = frame[col].map(lambda v: v if isinstance(v, tuple) else ())
	contacts = contacts.drop_duplicates("customer")
	merged = frame.merge(contacts, on="customer", how="left")
	merged["email"] = merged["email"].where(merged["email"] != "", merged["c_email"].fillna(""))
	merged["mobile"] = merged["mobile"].where(merged["mobile"] != "", merged["c_mobile"].fillna(""))
	merged.loc[merged["unsubscribed"].fillna(0).astype(bool), "email"] = ""
	return merged.drop(columns=["c_email", "c_mobile", "unsubscribed", "primary"])


def customer_positions(company: str | None = None) -> pd.DataFrame:
	"""Per customer with overdue invoices: oldest days overdue, overdue amount, broken promises in the
	lookback, risk band, current escalation level, hold."""
	si = frappe.qb.DocType("Sales Invoice")
	c = frappe.qb.DocType("Customer")
	query = (
		frappe.qb.from_(si)
		.join(c)
		.on(c.name == si.customer)
		.select(
			si.customer,
			Min(si.due_date),
			Sum(si.outstanding_amount),
			Max(c.risk_band),
			Max(c.escalation_level),
			Max(c.collections_hold),
		)
		.where((si.docstatus == 1) & (si.is_return == 0) & is_open(si))
		.where(si.due_date < today())
		.groupby(si.customer)
	)
	if company:
		query = query.where(si.company == company)
	frame = pd.DataFrame(
		list(query.run()),
		columns=["customer", "oldest_due", "overdue_amount", "risk_band", "current_level", "on_hold"],
	)
	today_ts = pd.Timestamp(getdate(today()))
	frame["max_days_overdue"] = (today_ts - pd.to_datetime(frame["oldest_due"])).dt.days.astype(int)
	frame["overdue_amount"] = frame["overdue_amount"].astype(float)
	frame["risk_band"] = frame["risk_band"].fillna("")
	frame["current_level"] = frame["current_level"].fillna("")
	frame["on_hold"] = frame["on_hold"].fillna(0).astype(bool)
	broken = broken_promise_counts(list(frame["customer"]), add_days(today(), -BROKEN_PROMISE_LOOKBACK_DAYS))
	frame["broken_promises"] = frame["customer"].map(broken).fillna(0).astype(int)
	return frame.drop(columns="oldest_due")


def worklist_customers(customers: list[str], day) -> pd.DataFrame:
	"""The worklist's facts about these customers: their collections fields, whether a person touched them
	since ``day`` began, their last email reminder in the week before and their broken promises in the
	lookback."""
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


def customers_overdue() -> list[tuple]:
	"""(customer, email_id, collector, overdue invoices) of every enabled customer with an overdue open
	invoice, by name."""
	si = frappe.qb.DocType("Sales Invoice")
	customer = frappe.qb.DocType("Customer")
	return (
		frappe.qb.from_(si)
		.join(customer)
		.on(customer.name == si.customer)
		.select(customer.name, customer.email_id, customer.collector, Count(si.name))
		.where((si.docstatus == 1) & is_open(si) & (si.due_date < today()))
		.where(customer.disabled == 0)
		.groupby(customer.name, customer.email_id, customer.collector)
		.orderby(customer.name)
	).run()
