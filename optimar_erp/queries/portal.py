"""What the portal reads: always one customer's documents, in a handful of set-based queries.

Every function takes the customer as its first argument and filters by it; none of them checks who is
asking (``access`` does that before calling them).
"""

import frappe
from frappe.query_builder.functions import Coalesce, Max, Min, Sum
from frappe.utils import add_days, flt, getdate

from optimar_erp.constants import DISPUTE_OPEN_STATUSES, PROMISE_OPEN
from optimar_erp.engine.analytics import DEFAULT_BUCKETS, bucket_index, bucket_labels
from optimar_erp.queries.disputes import open_disputes_table
from optimar_erp.queries.invoices import is_open
from optimar_erp.queries.promises import open_promises_table


def open_invoices(customer: str, names: list[str] | None = None) -> list[frappe._dict]:
	"""The customer's submitted, unpaid sales invoices (not credit notes), oldest due first; only
	``names`` among them when given. ``currency`` is the party account's, which the outstanding amount
	is in; the totals are in ``invoice_currency``."""
	si = frappe.qb.DocType("Sales Invoice")
	query = (
		frappe.qb.from_(si)
		.select(
			si.name,
			si.customer,
			si.company,
			Coalesce(si.party_account_currency, si.currency).as_("currency"),
			si.currency.as_("invoice_currency"),
			si.posting_date,
			si.due_date,
			si.grand_total,
			si.rounded_total,
			si.outstanding_amount,
			si.po_no,
		)
		.where((si.customer == customer) & (si.docstatus == 1) & (si.is_return == 0))
		.where(is_open(si))
		.orderby(si.due_date)
		.orderby(si.name)
	)
	if names is not None:
		if not names:
			return []
		query = query.where(si.name.isin(names))
	return query.run(as_dict=True)


def invoices_of(customer: str, names: list[str]) -> list[frappe._dict]:
	"""Those of ``names`` that are the customer's submitted sales invoices, paid or not."""
	if not names:
		return []
	si = frappe.qb.DocType("Sales Invoice")
	return (
		frappe.qb.from_(si)
		.select(
			si.name,
			si.company,
			Coalesce(si.party_account_currency, si.currency).as_("currency"),
			si.outstanding_amount,
		)
		.where((si.customer == customer) & (si.docstatus == 1) & si.name.isin(names))
		.run(as_dict=True)
	)


def recently_paid(customer: str, days: int, limit: int = 100) -> list[frappe._dict]:
	"""The customer's invoices settled in full within ``days``, with the date of their last payment
	(or credit), newest first."""
	si = frappe.qb.DocType("Sales Invoice")
	ple = frappe.qb.DocType("Payment Ledger Entry")
	paid_on = Max(ple.posting_date)
	return (
		frappe.qb.from_(si)
		.join(ple)
		.on(
			(ple.against_voucher_type == "Sales Invoice")
			& (ple.against_voucher_no == si.name)
			& (ple.voucher_no != si.name)
			& (ple.delinked == 0)
		)
		.select(
			si.name,
			si.company,
			si.currency.as_("invoice_currency"),
			si.posting_date,
			si.due_date,
			si.grand_total,
			si.rounded_total,
			paid_on.as_("paid_on"),
		)
		.where((si.customer == customer) & (si.docstatus == 1) & (si.is_return == 0))
		.where(si.outstanding_amount <= 0)
		.groupby(si.name)
		.having(paid_on >= add_days(getdate(), -days))
		.orderby(paid_on, order=frappe.qb.desc)
		.limit(limit)
		.run(as_dict=True)
	)


def promises_and_disputes(customer: str) -> tuple[dict[str, object], dict[str, str]]:
	"""({invoice: promised date} of open promises, {invoice: status} of open disputes), read through
	the same queries as the dunning engine."""
	promised = {}
	for row in open_promises_table(customers=[customer]).itertuples(index=False):
		promised[row.invoice] = min(promised.get(row.invoice, row.promised_date), row.promised_date)
	disputed = {row.invoice: row.status for row in open_disputes_table(customers=[customer]).itertuples()}
	return promised, disputed


def lock_open_claims(invoices: list[str]) -> tuple[set[str], set[str]]:
	"""Lock ``invoices`` (their Sales Invoice rows, in name order) until the transaction ends, then
	return (those with an open promise, those with an open dispute) as committed now.

	Two portal requests for one invoice queue on its row lock, and the second sees the first's promise
	or dispute: the reads after the lock are locking reads, which see the latest committed rows rather
	than the transaction's older snapshot."""
	names = sorted(set(invoices))
	if not names:
		return set(), set()
	si = frappe.qb.DocType("Sales Invoice")
	frappe.qb.from_(si).select(si.name).where(si.name.isin(names)).orderby(si.name).for_update().run()
	ptp = frappe.qb.DocType("Promise To Pay")
	row = frappe.qb.DocType("Promise To Pay Invoice")
	promised = (
		frappe.qb.from_(row)
		.join(ptp)
		.on(ptp.name == row.parent)
		.select(row.sales_invoice)
		.where((row.parenttype == "Promise To Pay") & row.sales_invoice.isin(names))
		.where(ptp.status == PROMISE_OPEN)
		.for_update()
	).run(pluck=True)
	dispute = frappe.qb.DocType("Dispute")
	disputed = (
		frappe.qb.from_(dispute)
		.select(dispute.sales_invoice)
		.where(dispute.sales_invoice.isin(names) & dispute.status.isin(DISPUTE_OPEN_STATUSES))
		.for_update()
	).run(pluck=True)
	return set(promised), set(disputed)


def aging(rows: list[dict], as_of=None) -> list[dict]:
	"""Outstanding by aging bucket (Not Due, 1-30 … 120+), one entry per currency."""
	labels = bucket_labels(DEFAULT_BUCKETS)
	as_of = getdate(as_of)
	result = {}
	buckets = bucket_index([(as_of - getdate(row["due_date"])).days for row in rows]) if rows else []
	for row, bucket in zip(rows, buckets, strict=True):
		entry = result.setdefault(
			row["currency"], {"currency": row["currency"], "buckets": [0.0] * len(labels), "total": 0.0}
		)
		entry["buckets"][int(bucket)] += flt(row["outstanding_amount"])
		entry["total"] += flt(row["outstanding_amount"])
	for entry in result.values():
		entry["overdue"] = entry["total"] - entry["buckets"][0]
		entry["labels"] = labels
	return sorted(result.values(), key=lambda e: e["currency"])


def companies_of(customer: str) -> list[str]:
	"""The companies the customer has ledger entries with."""
	gle = frappe.qb.DocType("GL Entry")
	rows = (
		frappe.qb.from_(gle)
		.select(gle.company)
		.distinct()
		.where((gle.party_type == "Customer") & (gle.party == customer) & (gle.is_cancelled == 0))
		.run()
	)
	return sorted(row[0] for row in rows)


def _party_ledger(customer: str, company: str):
	gle = frappe.qb.DocType("GL Entry")
	query = (
		frappe.qb.from_(gle)
		.where((gle.party_type == "Customer") & (gle.party == customer) & (gle.company == company))
		.where(gle.is_cancelled == 0)
	)
	return gle, query


def party_balance(customer: str, company: str, as_of) -> tuple[float, str]:
	"""(balance, currency) of the customer's account with ``company`` on ``as_of``: invoices minus
	payments, credit notes and advances, from the General Ledger in the party account's currency (in the
	company's currency if the customer has receivable accounts in several currencies)."""
	gle, query = _party_ledger(customer, company)
	rows = (
		query.select(
			gle.account_currency,
			Sum(gle.debit_in_account_currency - gle.credit_in_account_currency),
			Sum(gle.debit - gle.credit),
		)
		.where(gle.posting_date <= getdate(as_of))
		.groupby(gle.account_currency)
		.run()
	)
	company_currency = frappe.get_cached_value("Company", company, "default_currency")
	if len(rows) == 1:
		return flt(rows[0][1], 2), rows[0][0] or company_currency
	return flt(sum(flt(row[2]) for row in rows), 2), company_currency


def statement(customer: str, company: str, from_date, to_date) -> dict:
	"""The statement of account for the period: opening balance, one line per voucher with its running
	balance, closing balance (all in the party account's currency, like :func:`party_balance`)."""
	from_date, to_date = getdate(from_date), getdate(to_date)
	opening, currency = party_balance(customer, company, add_days(from_date, -1))
	gle, query = _party_ledger(customer, company)
	debit = Sum(gle.debit_in_account_currency)
	credit = Sum(gle.credit_in_account_currency)
	rows = (
		query.select(
			gle.posting_date,
			gle.voucher_type,
			gle.voucher_no,
			Coalesce(debit, 0).as_("debit"),
			Coalesce(credit, 0).as_("credit"),
			Min(gle.creation).as_("first_entry"),
		)
		.where((gle.posting_date >= from_date) & (gle.posting_date <= to_date))
		.groupby(gle.posting_date, gle.voucher_type, gle.voucher_no)
		.orderby(gle.posting_date)
		.orderby(Min(gle.creation))
		.run(as_dict=True)
	)
	balance = opening
	lines = []
	for row in rows:
		balance = flt(balance + flt(row.debit) - flt(row.credit), 2)
		lines.append({**row, "balance": balance})
	return {
		"from_date": from_date,
		"to_date": to_date,
		"currency": currency,
		"opening": opening,
		"lines": lines,
		"debits": flt(sum(flt(r.debit) for r in rows), 2),
		"credits": flt(sum(flt(r.credit) for r in rows), 2),
		"closing": balance,
	}


def last_confirmation(customer: str) -> frappe._dict | None:
	rows = frappe.get_all(
		"Balance Confirmation",
		filters={"customer": customer},
		fields=["name", "company", "as_of_date", "balance", "currency", "response", "creation"],
		order_by="creation desc",
		limit=1,
	)
	return rows[0] if rows else None


def letterhead(company: str, customer: str) -> dict:
	"""What a document to the customer carries at its top and bottom: the company's logo (as a data URI:
	a PDF renderer must not fetch anything), its address, the customer's billing address, and where to
	pay (the company's default bank account)."""
	from frappe.contacts.doctype.address.address import get_default_address

	logo = frappe.db.get_value("Company", company, "company_logo")
	return {
		"logo": _data_uri(logo) if logo else "",
		"company_address": _address_lines(get_default_address("Company", company)),
		"customer_address": _address_lines(get_default_address("Customer", customer)),
		"bank": frappe.db.get_value(
			"Bank Account",
			{"company": company, "is_company_account": 1, "disabled": 0},
			["bank", "account_name", "bank_account_no", "iban", "branch_code"],
			as_dict=True,
			order_by="is_default desc, modified desc",
		),
	}


def _address_lines(name: str | None) -> list[str]:
	"""The address as lines, read as the system (the viewer may be a guest with a link): street, city
	with state and postcode, country."""
	if not name:
		return []
	a = frappe.db.get_value(
		"Address",
		name,
		["address_line1", "address_line2", "city", "state", "pincode", "country"],
		as_dict=True,
	)
	if not a:
		return []
	city = " ".join(part for part in (a.city, a.state, a.pincode) if part)
	return [line for line in (a.address_line1, a.address_line2, city, a.country) if line]


def _data_uri(file_url: str) -> str:
	"""An image of the site's files as a data URI ("" if it is not there)."""
	import base64
	import mimetypes

	name = frappe.db.get_value("File", {"file_url": file_url}, "name")
	if not name:
		return ""
	try:
		content = frappe.get_doc("File", name).get_content()
	except Exception:
		return ""
	if isinstance(content, str):
		content = content.encode()
	kind = mimetypes.guess_type(file_url)[0] or "image/png"
	if not kind.startswith("image/"):
		return ""
	return f"data:{kind};base64,{base64.b64encode(content).decode()}"
