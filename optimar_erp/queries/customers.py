"""Reads of Customers: contact details, guards and sequence rules, and the people who act on them."""

import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce
from frappe.utils import today


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
