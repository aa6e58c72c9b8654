"""Set-based reads that turn a site's books into the engine's tables.

Everything here is one or two ``frappe.qb`` queries over Sales Invoice and Payment Ledger Entry; no
document is loaded one by one. The engine never sees frappe: it gets plain DataFrames.
"""

import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Max, Sum
from frappe.utils import getdate, today

INVOICE_COLUMNS = [
	"invoice",
	"customer",
	"customer_name",
	"company",
	"currency",
	"posting_date",
	"due_date",
	"grand_total",
	"outstanding",
	"settled_date",
]
EVENT_COLUMNS = ["invoice", "customer", "date", "amount"]


def _receivable_ledger(company: str, as_of):
	"""Payment Ledger Entries that move a customer's receivable against a (non-return) Sales Invoice."""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	si = frappe.qb.DocType("Sales Invoice")
	query = (
		frappe.qb.from_(ple)
		.join(si)
		.on(si.name == ple.against_voucher_no)
		.where(si.is_return == 0)
		.where(ple.company == company)
		.where(ple.party_type == "Customer")
		.where(ple.account_type == "Receivable")
		.where(ple.against_voucher_type == "Sales Invoice")
		.where(ple.delinked == 0)
		.where(ple.posting_date <= as_of)
	)
	return query, ple, si


def get_invoices(company: str, as_of=None, customers: list[str] | None = None) -> pd.DataFrame:
	"""The engine's invoice table for ``company`` as it stood at the end of ``as_of``.

	Amounts are in company currency and come from the Payment Ledger, the same source as ERPNext's
	Accounts Receivable report: ``grand_total`` is what the invoice put on the receivable,
	``outstanding`` is what is left after every payment and credit note dated up to ``as_of``.
	Credit notes that keep their own outstanding are not invoices here. ``customers`` limits the
	table to those customers.
	"""
	as_of = getdate(as_of or today())
	query, ple, si = _receivable_ledger(company, as_of)
	if customers is not None:
		query = query.where(ple.party.isin(list(customers) or [""]))
	rows = (
		query.groupby(ple.against_voucher_no)
		.select(
			ple.against_voucher_no.as_("invoice"),
			si.customer,
			si.customer_name,
			si.company,
			si.currency,
			si.posting_date,
			si.due_date,
			Sum(Case().when(ple.voucher_no == ple.against_voucher_no, ple.amount).else_(0)).as_(
				"grand_total"
			),
			Sum(ple.amount).as_("outstanding"),
			Max(ple.posting_date).as_("last_movement"),
		)
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=[*INVOICE_COLUMNS[:-1], "last_movement"])
	frame["outstanding"] = frame["outstanding"].astype(float).round(2)
	frame["grand_total"] = frame["grand_total"].astype(float).round(2)
	settled = frame["outstanding"].abs() < 0.005
	frame["settled_date"] = frame["last_movement"].where(settled)
	return frame.drop(columns="last_movement")[INVOICE_COLUMNS]


def get_events(company: str, as_of=None) -> pd.DataFrame:
	"""Receivable movements per invoice and day: + when invoiced, - for payments and credit notes."""
	as_of = getdate(as_of or today())
	query, ple, _si = _receivable_ledger(company, as_of)
	rows = (
		query.groupby(ple.against_voucher_no, ple.party, ple.posting_date)
		.select(
			ple.against_voucher_no.as_("invoice"),
			ple.party.as_("customer"),
			ple.posting_date.as_("date"),
			Sum(ple.amount).as_("amount"),
		)
		.run()
	)
	frame = pd.DataFrame(list(rows), columns=EVENT_COLUMNS)
	frame["amount"] = frame["amount"].astype(float)
	return frame
