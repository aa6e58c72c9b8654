"""Set-based reads that give the dunning engine its tables for one company (or one customer), and its
settings (:func:`dunning_config`)."""

import datetime as dt

import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce, Sum
from frappe.utils import cint, get_system_timezone, get_time, getdate, today

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.data import INVOICE_COLUMNS
from optimar_erp.engine.dunning import DunningConfig
from optimar_erp.engine.sequences import SEQUENCE_COLUMNS, assign_sequences


def open_invoices(company: str, customer: str | None = None) -> pd.DataFrame:
	"""Submitted, non-return Sales Invoices with something outstanding, in the currency the customer owes
	them in: ``outstanding_amount`` is in the party account's currency, and so are ``currency`` and
	``grand_total`` here (as ERPNext's Accounts Receivable shows them)."""
	si = frappe.qb.DocType("Sales Invoice")
	query = (
		frappe.qb.from_(si)
		.select(
			si.name.as_("invoice"),
			si.customer,
			si.customer_name,
			si.company,
			owed_currency(si).as_("currency"),
			si.posting_date,
			si.due_date,
			owed_grand_total(si).as_("grand_total"),
			si.outstanding_amount.as_("outstanding"),
		)
		.where(si.docstatus == 1)
		.where(si.is_return == 0)
		.where(si.company == company)
		.where(si.outstanding_amount > 0.005)
	)
	if customer:
		query = query.where(si.customer == customer)
	columns = [c for c in INVOICE_COLUMNS if c != "settled_date"]
	frame = pd.DataFrame(list(query.run()), columns=columns)
	frame["outstanding"] = frame["outstanding"].astype(float)
	frame["grand_total"] = frame["grand_total"].astype(float)
	return frame


def owed_currency(si):
	"""The currency a Sales Invoice is owed in (its party account's), as a query term."""
	return Coalesce(si.party_account_currency, si.currency)


def owed_grand_total(si):
	"""The invoice's grand total in the currency it is owed in, as a query term (``outstanding_amount``
	already is)."""
	return Case().when(owed_currency(si) == si.currency, si.grand_total).else_(si.base_grand_total)


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


def _ancestors(doctype: str) -> dict[str, list[str]]:
	"""Every node of a nested-set tree with its ancestors (itself first)."""
	nodes = frappe.get_all(doctype, fields=["name", "lft", "rgt"], order_by="lft")
	return {
		node.name: [n.name for n in nodes if n.lft <= node.lft and n.rgt >= node.rgt][::-1] for node in nodes
	}


def sequences_and_steps() -> tuple[pd.DataFrame, pd.DataFrame]:
	seq = frappe.qb.DocType("Dunning Sequence")
	step = frappe.qb.DocType("Dunning Sequence Step")
	columns = [*SEQUENCE_COLUMNS, "consolidate"]
	fields = ["name as sequence", *columns[1:]]
	sequences = pd.DataFrame(frappe.get_all("Dunning Sequence", fields=fields, as_list=True), columns=columns)
	rows = (
		frappe.qb.from_(step)
		.join(seq)
		.on(seq.name == step.parent)
		.select(
			step.parent,
			step.idx,
			step.offset_days,
			step.channel,
			step.tone,
			step.min_gap_days,
			Coalesce(step.escalation_action, ""),
			seq.consolidate,
		)
		.where(step.parenttype == "Dunning Sequence")
		.where(seq.enabled == 1)
		.run()
	)
	steps = pd.DataFrame(
		list(rows),
		columns=[
			"sequence",
			"idx",
			"offset_days",
			"channel",
			"tone",
			"min_gap_days",
			"escalation",
			"consolidate",
		],
	)
	steps["step_id"] = step_id(steps["sequence"], steps["offset_days"], steps["channel"])
	steps["consolidate"] = steps["consolidate"].astype(bool)
	return sequences, steps


def step_id(sequence, offset, channel):
	"""The stable id of a step: survives reordering and edits of its wording."""
	sign = offset.map(lambda o: "+" if o > 0 else "")
	return sequence + ":" + sign + offset.astype(str) + ":" + channel


def sequence_per_customer(
	customers: pd.DataFrame, invoices: pd.DataFrame, company: str, sequences
) -> pd.Series:
	groups = _ancestors("Customer Group")
	territories = _ancestors("Territory")
	outstanding = invoices.groupby("customer")["outstanding"].sum()
	table = pd.DataFrame(
		{
			"customer": customers["customer"],
			"company": company,
			"groups": customers["customer_group"].map(lambda g: groups.get(g, [])),
			"territories": customers["territory"].map(lambda t: territories.get(t, [])),
			"risk_band": customers["risk_band"],
			"outstanding": customers["customer"].map(outstanding).fillna(0),
			"own_sequence": customers["own_sequence"],
		}
	)
	default = frappe.db.get_single_value("Collections Settings", "default_dunning_sequence")
	return assign_sequences(table, sequences.fillna(""), default=default)


def activities_of(customers: list[str]) -> pd.DataFrame:
	"""Reminders already handed out (or skipped) for these customers."""
	columns = [
		"idempotency_key",
		"customer",
		"invoice",
		"invoices",
		"step_id",
		"channel",
		"status",
		"at",
		"notice",
	]
	if not customers:
		return pd.DataFrame(columns=columns)
	act = frappe.qb.DocType("Collection Activity")
	rows = (
		frappe.qb.from_(act)
		.select(
			act.idempotency_key,
			act.customer,
			Coalesce(act.sales_invoice, ""),
			Coalesce(act.invoices, ""),
			act.step_id,
			act.channel,
			act.status,
			act.creation,
			Coalesce(act.notice, ""),
		)
		.where(act.activity_type == "Reminder")
		.where(act.customer.isin(customers))
		.where(act.idempotency_key.isnotnull())
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=columns)
	# Frappe stores datetimes in the system time zone; the engine reads naive values as UTC
	zone = get_system_timezone()
	frame["at"] = pd.to_datetime(frame["at"]).dt.tz_localize(
		zone, ambiguous="NaT", nonexistent="shift_forward"
	)
	return frame


def invoice_list(cell: str | None) -> list[str]:
	"""The invoice names of an activity's ``invoices`` cell (comma-separated)."""
	return [name.strip() for name in (cell or "").split(",") if name.strip()]


def invoices_now(invoices: list[str]) -> pd.DataFrame:
	"""invoice, customer, outstanding of these invoices right now, for the last check before a send (a
	cancelled or draft invoice owes nothing; a name that is no invoice is absent)."""
	columns = ["invoice", "customer", "outstanding"]
	if not invoices:
		return pd.DataFrame(columns=columns)
	si = frappe.qb.DocType("Sales Invoice")
	rows = (
		frappe.qb.from_(si)
		.select(si.name, si.customer, Case().when(si.docstatus == 1, si.outstanding_amount).else_(0))
		.where(si.name.isin(invoices))
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=columns)
	frame["outstanding"] = frame["outstanding"].astype(float)
	return frame


def enabled_channels(settings) -> list[str]:
	flags = {
		"Email": settings.email_enabled,
		"Letter": settings.email_enabled,
		"SMS": settings.sms_enabled,
		"WhatsApp": settings.whatsapp_enabled,
		"Call Task": settings.call_tasks_enabled,
	}
	return [channel for channel, on in flags.items() if on]


def dunning_config(settings, run_date, now: dt.datetime | None = None) -> DunningConfig:
	"""The engine's settings for a run (and for the send-time re-check) from Collections Settings."""
	return DunningConfig(
		today=getdate(run_date),
		now=now or dt.datetime.now(dt.timezone.utc),
		company_time_zone=settings.get_time_zone(),
		window_start=get_time(settings.send_window_start),
		window_end=get_time(settings.send_window_end),
		max_touches_per_7_days=cint(settings.max_touches_per_week),
		enabled_channels=frozenset(enabled_channels(settings)),
		grace_days=cint(settings.promise_grace_days),
		group_emails=bool(cint(settings.get("group_reminder_emails"))),
	)


def credits_on_account(company: str | None = None, customers: list[str] | None = None) -> pd.DataFrame:
	"""Money customers have paid or been credited that no invoice has absorbed yet: unallocated payments
	and advances, credit notes not set against an invoice, overpayments. One row per customer, company
	and currency (the party account's) with ``credit`` (> 0) in that currency and ``base_credit`` in the
	company's.

	Read from the Payment Ledger as ERPNext's Accounts Receivable does: the entries of one customer are
	summed per voucher they are set against, and what sums below zero is credit the customer holds.
	``outstanding − credit`` is then the balance ERPNext's Accounts Receivable (Summary) shows."""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	query = (
		frappe.qb.from_(ple)
		.select(
			ple.party.as_("customer"),
			ple.company,
			ple.account_currency.as_("currency"),
			Sum(ple.amount_in_account_currency).as_("amount"),
			Sum(ple.amount).as_("base_amount"),
		)
		.where((ple.party_type == "Customer") & (ple.delinked == 0))
		.groupby(
			ple.party, ple.company, ple.account_currency, ple.against_voucher_type, ple.against_voucher_no
		)
		.having(Sum(ple.amount_in_account_currency) < -AMOUNT_TOLERANCE)
	)
	if company:
		query = query.where(ple.company == company)
	if customers is not None:
		if not customers:
			return pd.DataFrame(columns=["customer", "company", "currency", "credit", "base_credit"])
		query = query.where(ple.party.isin(list(customers)))
	rows = pd.DataFrame(
		list(query.run()), columns=["customer", "company", "currency", "amount", "base_amount"]
	)
	if rows.empty:
		return pd.DataFrame(columns=["customer", "company", "currency", "credit", "base_credit"])
	totals = rows.groupby(["customer", "company", "currency"], as_index=False)[
		["amount", "base_amount"]
	].sum()
	return pd.DataFrame(
		{
			"customer": totals["customer"],
			"company": totals["company"],
			"currency": totals["currency"],
			"credit": -totals["amount"].astype(float),
			"base_credit": -totals["base_amount"].astype(float),
		}
	)
