"""Set-based reads that turn a site's books into the engine's tables.

Everything here is a handful of ``frappe.qb`` queries over Sales Invoice and Payment Ledger Entry; no
document is loaded one by one. The engine never sees frappe: it gets plain DataFrames.

Large results travel through :func:`optimar_erp.queries.frames.fetch_frame`: the database packs the rows into one text value and
pandas parses it in C, instead of the driver decoding every field of every row in Python (5-10x faster
on 100,000+ rows). The whole book's ledger is read as its rows in one pass and grouped in pandas: a
``GROUP BY`` over the wide invoice-name keys makes the database build large temporary tables (on a
515,000-row ledger, 20-40 s through the driver before, about 5 s now, identical values).
"""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Max, Sum
from frappe.utils import getdate, today

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.queries.frames import fetch_frame, group_in_memory, latest_modified

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

INVOICE_INDEX = "against_voucher_no"
"""ERPNext's index on the Payment Ledger's invoice column."""


def _ple_where(query, ple, company: str, as_of=None):
	query = (
		query.where(ple.company == company)
		.where(ple.party_type == "Customer")
		.where(ple.account_type == "Receivable")
		.where(ple.against_voucher_type == "Sales Invoice")
		.where(ple.delinked == 0)
	)
	return query if as_of is None else query.where(ple.posting_date <= as_of)


def get_invoices(company: str, as_of=None, customers: list[str] | None = None) -> pd.DataFrame:
	"""The engine's invoice table for ``company`` as it stood at the end of ``as_of``.

	Amounts are in company currency and come from the Payment Ledger, the same source as ERPNext's
	Accounts Receivable report: ``grand_total`` is what the invoice put on the receivable,
	``outstanding`` is what is left after every payment and credit note dated up to ``as_of``.
	Credit notes that keep their own outstanding are not invoices here. ``customers`` limits the
	table to those customers.
	"""
	as_of = getdate(as_of or today())
	if customers is None:  # the whole book: one pass over the ledger rows, grouped in pandas
		return tables_at(read_book(company, as_of), as_of, with_events=False)[0]
	# some customers: grouped by the database (their rows only, through the party index)
	ple = frappe.qb.DocType("Payment Ledger Entry")
	si = frappe.qb.DocType("Sales Invoice")
	per_invoice = _ple_where(frappe.qb.from_(ple), ple, company, as_of)
	per_invoice = per_invoice.where(ple.party.isin(list(customers) or [""]))
	per_invoice = per_invoice.groupby(ple.against_voucher_no).select(
		ple.against_voucher_no.as_("invoice"),
		Sum(Case().when(ple.voucher_no == ple.against_voucher_no, ple.amount).else_(0)).as_("grand_total"),
		Sum(ple.amount).as_("outstanding"),
		Max(ple.posting_date).as_("last_movement"),
	)
	with group_in_memory():
		frame = _grouped_invoices(per_invoice, si)
	frame["outstanding"] = frame["outstanding"].astype(float).round(2)
	frame["grand_total"] = frame["grand_total"].astype(float).round(2)
	settled = frame["outstanding"].abs() < AMOUNT_TOLERANCE
	frame["settled_date"] = frame["last_movement"].where(settled)
	return frame.drop(columns="last_movement")[INVOICE_COLUMNS]


def get_credit_notes(company: str, as_of=None) -> pd.DataFrame:
	"""Credit notes (returns) of ``company`` that keep their own outstanding, with their balance at the end
	of ``as_of`` where it is not zero (negative: owed to the customer), from the Payment Ledger as ERPNext's
	Accounts Receivable report shows them: invoice, customer, customer_name, company, currency,
	posting_date, due_date (datetime64) and outstanding. Grouped by the database: they are few."""
	as_of = getdate(as_of or today())
	ple = frappe.qb.DocType("Payment Ledger Entry")
	si = frappe.qb.DocType("Sales Invoice")
	returns = frappe.qb.from_(si).select(si.name).where((si.company == company) & (si.is_return == 1))
	per_note = (
		_ple_where(frappe.qb.from_(ple), ple, company, as_of)
		.where(ple.against_voucher_no.isin(returns))
		.groupby(ple.against_voucher_no)
		.select(ple.against_voucher_no.as_("invoice"), Sum(ple.amount).as_("outstanding"))
	)
	frame = fetch_frame(
		frappe.qb.from_(per_note).join(si).on(si.name == per_note.invoice),
		{"invoice": per_note.invoice, **_fixed_fields(si), "outstanding": per_note.outstanding},
		numbers=("outstanding",),
		datetimes=("posting_date", "due_date"),
	)
	frame["outstanding"] = frame["outstanding"].round(2)
	return frame[frame["outstanding"].abs() >= AMOUNT_TOLERANCE].sort_values("invoice", ignore_index=True)


def _fixed_fields(si) -> dict:
	"""The Sales Invoice fields of the engine's invoice table that submission fixes."""
	return {
		"customer": si.customer,
		"customer_name": si.customer_name,
		"company": si.company,
		"currency": si.currency,
		"posting_date": si.posting_date,
		"due_date": si.due_date,
	}


def _grouped_invoices(per_invoice, si) -> pd.DataFrame:
	return fetch_frame(
		frappe.qb.from_(per_invoice).join(si).on(si.name == per_invoice.invoice).where(si.is_return == 0),
		{
			"invoice": per_invoice.invoice,
			**_fixed_fields(si),
			"grand_total": per_invoice.grand_total,
			"outstanding": per_invoice.outstanding,
			"last_movement": per_invoice.last_movement,
		},
		numbers=("grand_total", "outstanding"),
		dates=("posting_date", "due_date", "last_movement"),
	)


def _movements(company: str, as_of=None, names: list[str] | None = None) -> pd.DataFrame:
	"""The receivable ledger rows themselves (invoice, customer, date, amount as exact text, ``own``: 1 for
	the invoice's own posting), in one pass without a GROUP BY over wide keys; rows against credit notes
	too (the caller keeps the invoices it wants). ``as_of`` None: every date; ``names``: only the rows
	against these invoices (through the index on the invoice)."""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	query = frappe.qb.from_(ple)
	if names is not None and frappe.db.has_index("tabPayment Ledger Entry", INVOICE_INDEX):
		# beyond 200 values MariaDB estimates an IN list from the index statistics, which on a large ledger
		# say "scan the table" (0.6 s for 2,000 invoices on a million rows instead of 0.015 s)
		query = query.force_index(INVOICE_INDEX)
	query = _ple_where(query, ple, company, as_of)
	if names is not None:
		query = query.where(ple.against_voucher_no.isin(list(names) or [""]))
	fields = {
		"invoice": ple.against_voucher_no,
		"customer": ple.party,
		"date": ple.posting_date,
		"amount": ple.amount,
		"own": Case().when(ple.voucher_no == ple.against_voucher_no, 1).else_(0),
	}
	return fetch_frame(query, fields, ints=("own",))


def _exact_sum(amounts) -> float:
	"""The sum of decimal texts as the database's DECIMAL sum gives it, then as a float."""
	return float(sum(map(Decimal, amounts)))


def _net_per_day(raw: pd.DataFrame) -> pd.DataFrame:
	"""Movements netted per invoice, customer and day (the events table), sorted by these keys; ``own``:
	the part of the day's amount that the invoice itself put on the receivable."""
	keys = ["invoice", "customer", "date"]
	several = raw.duplicated(keys, keep=False)
	single = raw.loc[~several, keys].assign(amount=raw["amount"][~several].astype(float))
	single["own"] = single["amount"].where(raw["own"][~several] == 1, 0.0)
	multi = raw[several]
	multi = multi.assign(own=multi["amount"].where(multi["own"] == 1, "0"))
	# a day with several entries: summed exactly (as the database's DECIMAL sum would), then to float
	netted = multi.groupby(keys, as_index=False, sort=False).agg(
		amount=("amount", _exact_sum), own=("own", _exact_sum)
	)
	frame = pd.concat([single, netted], ignore_index=True).sort_values(keys, ignore_index=True)
	frame["amount"] = frame["amount"].astype(float)
	return frame


def _as_dates(values: pd.Series) -> pd.Series:
	parsed = pd.to_datetime(values, format="%Y-%m-%d") if values.dtype == object else values
	return pd.Series(parsed.dt.date, index=values.index, dtype=object)


def get_events(company: str, as_of=None) -> pd.DataFrame:
	"""Receivable movements per invoice and day: + when invoiced, - for payments and credit notes."""
	as_of = getdate(as_of or today())
	return tables_at(read_book(company, as_of), as_of)[1]


def get_ledger(company: str, as_of=None, pandas_dates: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""``(get_invoices(company, as_of), get_events(company, as_of))`` from a single pass over the Payment
	Ledger plus one read of the Sales Invoices' fixed fields: the same values, about half the time.
	``pandas_dates``: the date columns as datetime64 (NaT when missing) instead of ``datetime.date``."""
	as_of = getdate(as_of or today())
	return tables_at(read_book(company, as_of), as_of, pandas_dates=pandas_dates)


@dataclass
class NettedLedger:
	"""A company's receivable ledger in the form every date's tables are cut from (:func:`tables_at`).

	``invoices``: the fixed fields of every (non-return) Sales Invoice with a ledger row — ``invoice``
	(unique, sorted), customer, customer_name, company, currency, posting_date and due_date (datetime64).
	``events``: the movements netted per invoice, customer and day — ``code`` (the invoice's row in
	``invoices``), ``customer`` (categorical), ``date`` (datetime64), ``amount`` and ``own`` (the part
	the invoice itself put on the receivable) —, sorted by invoice, customer and date.
	"""

	invoices: pd.DataFrame
	events: pd.DataFrame


def read_book(company: str, as_of=None, names: list[str] | None = None) -> NettedLedger:
	"""The company's :class:`NettedLedger` from the Payment Ledger rows dated up to ``as_of`` (None: all of
	them), or only of the invoices ``names``. One read of the Sales Invoices' fixed fields and one pass over the
	ledger rows (indexed by invoice for ``names``)."""
	si = frappe.qb.DocType("Sales Invoice")
	query = frappe.qb.from_(si).where((si.company == company) & (si.is_return == 0))
	if names is not None:
		query = query.where(si.name.isin(list(names) or [""]))
	fixed = fetch_frame(
		query, {"invoice": si.name, **_fixed_fields(si)}, datetimes=("posting_date", "due_date")
	)
	raw = _movements(company, as_of, names=names)
	raw = raw[raw["invoice"].isin(fixed["invoice"])].reset_index(drop=True)  # as a join on Sales Invoice
	netted = _net_per_day(raw)
	invoices = fixed[fixed["invoice"].isin(netted["invoice"])].sort_values("invoice", ignore_index=True)
	events = pd.DataFrame(
		{
			"code": pd.Index(invoices["invoice"]).get_indexer(netted["invoice"]),
			"customer": pd.Categorical(netted["customer"], categories=sorted(set(netted["customer"]))),
			"date": pd.to_datetime(netted["date"], format="%Y-%m-%d"),
			"amount": netted["amount"].astype(float),
			"own": netted["own"].astype(float),
		}
	)
	return NettedLedger(invoices, events)


def tables_at(
	book: NettedLedger,
	as_of=None,
	with_events: bool = True,
	pandas_dates: bool = False,
	categorical: bool = False,
):
	"""``(invoices, events)`` in the engine's schema at the end of ``as_of`` (None: every date of the
	book), cut from ``book``: an invoice is in the table once it has a movement by then; ``grand_total``
	is what it put on the receivable by then, ``outstanding`` what is left, ``settled_date`` its last
	movement when nothing is left. ``with_events`` False: ``(invoices, None)``. ``categorical``: the
	events' invoice and customer columns as categoricals (the engine matches them by their categories,
	several times faster on a large book; the values are the same)."""
	events = book.events
	if as_of is not None and len(events):
		cut = np.datetime64(getdate(as_of), "ns")
		if events["date"].to_numpy().max() > cut:
			events = events[events["date"].to_numpy() <= cut]
	code = events["code"].to_numpy()
	n = len(book.invoices)
	present = np.bincount(code, minlength=n) > 0
	invoices = book.invoices[present].reset_index(drop=True)
	invoices["grand_total"] = np.bincount(code, weights=events["own"].to_numpy(), minlength=n)[present].round(
		2
	)
	invoices["outstanding"] = np.bincount(code, weights=events["amount"].to_numpy(), minlength=n)[
		present
	].round(2)
	last = events.groupby("code", sort=True)["date"].max()
	settled = np.abs(invoices["outstanding"].to_numpy()) < AMOUNT_TOLERANCE
	invoices["settled_date"] = pd.Series(last.to_numpy(), index=invoices.index).where(settled)
	if not pandas_dates:
		for col in ("posting_date", "due_date", "settled_date"):
			invoices[col] = _as_dates(invoices[col]).where(invoices[col].notna())
	if not with_events:
		return invoices[INVOICE_COLUMNS], None
	if categorical:  # categories: the invoices of the table, in its order
		row = np.cumsum(present) - 1  # the book's invoice → its row in the table
		invoice = pd.Categorical.from_codes(row[code], categories=invoices["invoice"])
		customer = events["customer"].array
	else:
		invoice = book.invoices["invoice"].to_numpy()[code]
		customer = np.asarray(events["customer"], dtype=object)
	table = pd.DataFrame(
		{
			"invoice": invoice,
			"customer": customer,
			"date": events["date"].to_numpy() if pandas_dates else _as_dates(events["date"]).to_numpy(),
			"amount": events["amount"].to_numpy(),
		}
	)
	return invoices[INVOICE_COLUMNS], table[EVENT_COLUMNS]


def ledger_version(company: str) -> str:
	"""A fingerprint of the Payment Ledger that changes with every posting and cancellation, of any company
	(ERPNext delinks a cancelled voucher's rows by updating them): the latest ``modified``, read from its
	index. Rows ERPNext deletes are those of deleted cancelled vouchers (delinked already, they count for
	nothing) or come back as new rows (a reposting), so a deletion alone never changes a figure."""
	return str(latest_modified("Payment Ledger Entry"))


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


def _receipts(company: str, start, end, query, ple):
	"""``query`` on the company's customer receipts (Payment and Journal Entries) dated ``start``–``end``."""
	return (
		query.where((ple.company == company) & (ple.party_type == "Customer") & (ple.delinked == 0))
		.where(ple.voucher_type.isin(("Payment Entry", "Journal Entry")) & (ple.amount < 0))
		.where((ple.posting_date >= start) & (ple.posting_date <= end))
	)


def payments_between(company: str, start, end) -> pd.DataFrame:
	"""The company's customer receipts dated ``start``–``end`` from the Payment Ledger: customer, date,
	amount (negative, as the ledger has it)."""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	return fetch_frame(
		_receipts(company, start, end, frappe.qb.from_(ple), ple),
		{"customer": ple.party, "date": ple.posting_date, "amount": ple.amount},
		numbers=("amount",),
		dates=("date",),
	)


def cash_received(company: str, start, end) -> float:
	"""The cash the company's customers paid from ``start`` to ``end`` (positive)."""
	ple = frappe.qb.DocType("Payment Ledger Entry")
	total = _receipts(company, start, end, frappe.qb.from_(ple), ple).select(Sum(ple.amount)).run()[0][0]
	return -float(total or 0)
