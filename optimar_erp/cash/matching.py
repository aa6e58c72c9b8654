"""Cash application on a site: which open invoices does each unallocated receipt pay?

Set-based reads (unallocated Payment Entries, unreconciled Bank Transaction deposits — see
:mod:`optimar_erp.cash.bank` — and open Sales Invoices) → the engine's matcher
(:func:`optimar_erp.engine.cash.application.match_receipts`) → ranked suggestions with a confidence and reasons →
one click allocates through ERPNext's own *Payment Reconciliation* (the same code as its Desk tool), and
the hourly job allocates the certain ones when the settings allow it. Every allocation is logged as a
Collection Activity ("Cash Application"). A bank deposit is allocated by creating the Payment Entry and
reconciling the Bank Transaction with it (:func:`optimar_erp.cash.bank.allocate_bank_transaction`).
"""

import pandas as pd

import frappe
from frappe import _
from frappe.utils import flt

from erpnext.accounts.party import get_party_account

from optimar_erp.cash.allocation import checked_allocations, log_cash_application
from optimar_erp.cash.bank import allocate_bank_transaction, unreconciled_deposits
from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.engine.cash.application import match_receipts
from optimar_erp.queries.invoices import invoices_to_match

RECEIPT_COLUMNS = ["receipt", "customer", "company", "currency", "amount", "date", "remarks"]
PAYMENT_ENTRY = "Payment Entry"


def unallocated_receipts(company: str | None = None, customers: list[str] | None = None) -> pd.DataFrame:
	"""Submitted customer receipts with money not yet allocated to an invoice."""
	pe = frappe.qb.DocType("Payment Entry")
	query = (
		frappe.qb.from_(pe)
		.select(
			pe.name,
			pe.party,
			pe.company,
			pe.paid_from_account_currency,
			pe.unallocated_amount,
			pe.posting_date,
			pe.remarks,
			pe.reference_no,
		)
		.where((pe.docstatus == 1) & (pe.payment_type == "Receive") & (pe.party_type == "Customer"))
		.where(pe.unallocated_amount > AMOUNT_TOLERANCE)
	)
	if company:
		query = query.where(pe.company == company)
	if customers is not None:
		query = query.where(pe.party.isin(customers or [""]))
	rows = query.run()
	frame = pd.DataFrame(
		[(r[0], r[1], r[2], r[3], float(r[4]), r[5], " ".join(filter(None, [r[7], r[6]]))) for r in rows],
		columns=RECEIPT_COLUMNS,
	)
	return frame


def all_receipts(company: str) -> pd.DataFrame:
	"""The company's unallocated Payment Entries and unreconciled bank deposits, with their ``source``
	(and, for bank lines, ``payer_match`` and ``duplicate_of``: see :func:`~optimar_erp.cash.bank.unreconciled_deposits`)."""
	payments = unallocated_receipts(company).assign(source=PAYMENT_ENTRY, payer_match="", duplicate_of="")
	deposits = unreconciled_deposits(company)
	if deposits.empty:
		return payments
	if payments.empty:
		return deposits.reset_index(drop=True)
	return pd.concat([payments, deposits], ignore_index=True)


def suggestions(company: str, receipts: pd.DataFrame | None = None, max_suggestions: int = 3) -> pd.DataFrame:
	"""Ranked suggestions for the company's unallocated receipts (engine output + ``source``, ``amount``,
	``payer``). ``receipt`` is the document's name and ``source`` its doctype (Payment Entry or Bank
	Transaction); a bank line that may be the bank side of an uncleared Payment Entry is never certain."""
	receipts = all_receipts(company) if receipts is None else receipts.copy()
	if receipts.empty:
		return pd.DataFrame()
	if "source" not in receipts:
		receipts["source"] = PAYMENT_ENTRY
	for col in ("payer_match", "duplicate_of"):
		if col not in receipts:
			receipts[col] = ""
	receipts["key"] = receipts["source"] + "\x1f" + receipts["receipt"]
	threshold = (frappe.get_cached_doc("Collections Settings").get("cash_auto_allocate_above") or 95) / 100
	result = match_receipts(
		receipts[["key", "customer", "currency", "amount", "date", "remarks"]].rename(
			columns={"key": "receipt"}
		),
		invoices_to_match(company),
		max_suggestions=max_suggestions,
		auto_threshold=threshold,
	)
	by_key = receipts.set_index("key")
	key = result["receipt"]
	result["receipt"] = key.map(by_key["receipt"])
	result["source"] = key.map(by_key["source"])
	result["amount"] = key.map(by_key["amount"])
	result["payer"] = key.map(by_key["customer"])
	how = key.map(by_key["payer_match"]).fillna("")
	recognised = (how != "") & (how != "party") & (result["payer"] != "")
	result.loc[recognised, "reasons"] = (
		"payer recognised as " + result["payer"] + " by " + how + "; " + result["reasons"]
	)[recognised]
	duplicate = key.map(by_key["duplicate_of"]).fillna("")
	possible = duplicate != ""
	result.loc[possible, "auto_allocate"] = False
	result.loc[possible, "reasons"] = (
		result["reasons"] + "; may be the bank side of " + duplicate + ": reconcile them instead"
	)[possible]
	return result


def allocate(payment_entry: str, invoices: list[str], allocations: list[float]) -> str:
	"""Allocate a receipt to these invoices through ERPNext's Payment Reconciliation; returns its name."""
	pe = frappe.get_doc("Payment Entry", payment_entry)
	pe.check_permission("write")
	if not frappe.has_permission("Payment Reconciliation", "write"):
		frappe.throw(_("Not permitted to reconcile payments"), frappe.PermissionError)
	if pe.docstatus != 1 or pe.payment_type != "Receive" or pe.party_type != "Customer":
		frappe.throw(_("{0} is not a submitted customer receipt.").format(payment_entry))
	allocations = checked_allocations(
		payment_entry, invoices, allocations, pe.unallocated_amount, pe.paid_from_account_currency
	)
	pr = frappe.new_doc("Payment Reconciliation")
	pr.company = pe.company
	pr.party_type = "Customer"
	pr.party = pe.party
	pr.receivable_payable_account = pe.paid_from or get_party_account("Customer", pe.party, pe.company)
	pr.invoice_limit = 10_000
	pr.payment_limit = 10_000
	pr.get_unreconciled_entries()
	payment = next((p for p in pr.payments if p.reference_name == payment_entry), None)
	if not payment:
		frappe.throw(_("{0} has nothing left to reconcile.").format(payment_entry))
	open_rows = {i.invoice_number: i for i in pr.invoices}
	missing = [name for name in invoices if name not in open_rows]
	if missing:
		frappe.throw(_("Not open for {0}: {1}").format(pe.party, ", ".join(missing)))
	for name, amount in zip(invoices, allocations, strict=True):
		if amount > flt(open_rows[name].outstanding_amount) + AMOUNT_TOLERANCE:
			frappe.throw(_("{0} owes less than {1}.").format(name, amount))
	args = frappe._dict(
		payments=[payment.as_dict()],
		invoices=[
			dict(open_rows[name].as_dict(), outstanding_amount=amount)
			for name, amount in zip(invoices, allocations, strict=True)
		],
	)
	pr.allocate_entries(args)
	pr.reconcile()
	log_cash_application(
		pe.party,
		pe.company,
		invoices,
		allocations,
		pe.paid_from_account_currency,
		payment_entry,
		_("{0} allocated to {1}").format(payment_entry, ", ".join(invoices)),
	)
	return payment_entry


def allocate_receipt(source: str, receipt: str, invoices: list[str], allocations: list[float]) -> str:
	"""Allocate a Payment Entry or a bank deposit (``source``) to these invoices; returns the Payment Entry."""
	if source == PAYMENT_ENTRY:
		return allocate(receipt, invoices, allocations)
	if source == "Bank Transaction":
		return allocate_bank_transaction(receipt, invoices, allocations)
	frappe.throw(_("Unknown receipt type {0}").format(source))


@frappe.whitelist()
def allocate_suggestion(
	payment_entry: str, invoices: str | list, allocations: str | list, source: str = PAYMENT_ENTRY
) -> str:
	"""Desk button: allocate as suggested (the lists come as JSON from the report). ``payment_entry`` is
	the receipt's name, a Bank Transaction when ``source`` says so; returns the Payment Entry's name."""
	import json

	if isinstance(invoices, str):
		invoices = json.loads(invoices)
	if isinstance(allocations, str):
		allocations = json.loads(allocations)
	if not isinstance(invoices, list) or not isinstance(allocations, list):
		frappe.throw(_("Invoices and allocations must be lists."))
	return allocate_receipt(source, payment_entry, [str(i) for i in invoices], [flt(a) for a in allocations])


def allocate_best(payment_entry: str) -> str | None:
	"""Allocate a receipt to its best suggestion (used when a person accepts a remittance advice)."""
	company = frappe.db.get_value("Payment Entry", payment_entry, "company")
	receipts = unallocated_receipts(company)
	receipts = receipts[receipts["receipt"] == payment_entry]
	found = suggestions(company, receipts, max_suggestions=1)
	if found.empty or not found.iloc[0]["invoices"]:
		frappe.throw(_("No open invoice matches {0}.").format(payment_entry))
	best = found.iloc[0]
	return allocate(payment_entry, list(best["invoices"]), list(best["allocations"]))


def auto_allocate() -> list[str]:
	"""Hourly: allocate the receipts (Payment Entries and bank deposits) whose best match is certain, when
	the settings allow it; returns the Payment Entries allocated or created."""
	if not frappe.get_cached_doc("Collections Settings").get("cash_auto_allocate"):
		return []
	done = []
	for company in frappe.get_all("Company", pluck="name"):
		# one company's failure (bad data, a deadlock, a bug) is logged and the others go on
		try:
			done.extend(_auto_allocate_company(company))
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=_("Automatic cash application stopped for {0}").format(company))
	return done


def _auto_allocate_company(company: str) -> list[str]:
	done = []
	found = suggestions(company, max_suggestions=2)
	if found.empty:
		return done
	for row in found[(found["rank"] == 1) & found["auto_allocate"]].itertuples(index=False):
		try:
			done.append(allocate_receipt(row.source, row.receipt, list(row.invoices), list(row.allocations)))
			frappe.db.commit()
		except frappe.ValidationError:
			frappe.db.rollback()
			frappe.log_error(title=_("Automatic cash application failed for {0}").format(row.receipt))
	return done
