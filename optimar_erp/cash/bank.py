"""Bank Transactions as receipts in cash application.

An imported bank statement line (a submitted *Bank Transaction* deposit that is not yet reconciled) is
money received that no Payment Entry books yet. :func:`unreconciled_deposits` reads those lines as receipts
for the engine's matcher, with the customer taken from the line's party or, when it has none, recognised
from the payer's account (IBAN / number of a customer Bank Account), the payer's name or the description.
:func:`allocate_bank_transaction` books the chosen allocation the way a person does in ERPNext's *Bank
Reconciliation Tool*: a submitted Payment Entry (Receive, the customer, into the bank account's GL account,
paying the chosen invoices) that is then reconciled with the line by ERPNext's own ``reconcile_vouchers``.
Both happen in one database transaction: on any error nothing is left behind.
"""

import json
import re
from bisect import bisect_left

import pandas as pd

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce
from frappe.utils import flt

from optimar_erp.cash.allocation import checked_allocations, log_cash_application
from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.queries.invoices import invoices_by_name

SOURCE = "Bank Transaction"
BANK_COLUMNS = [
	"receipt",
	"source",
	"customer",
	"company",
	"currency",
	"amount",
	"date",
	"remarks",
	"payer_match",
	"duplicate_of",
]

_TOKEN = re.compile(r"[A-Z0-9]+")
_LEGAL_FORMS = frozenset(
	"AB AG AS BV CO COMPANY CORP CORPORATION GMBH INC KG LIMITED LLC LLP LTD NV OY PLC PTY SA SARL SAS SPA "
	"SRL THE".split()
)
_MIN_NAME = 5
"""shortest customer name (letters and digits, legal form dropped) recognised inside a description"""
_FUZZY_SCORE = 92
_FUZZY_POOL = 2000


def _name_key(value: str | None) -> str:
	"""``"Wind Power, L.L.C."`` → ``"WIND POWER L L C"`` → without legal forms: ``"WIND POWER"``."""
	tokens = _TOKEN.findall((value or "").upper())
	kept = [t for t in tokens if t not in _LEGAL_FORMS and len(t) > 1]
	return " ".join(kept or tokens)


def _account_key(value: str | None) -> str:
	return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


class _Payers:
	"""Customers by normalised name and by their bank account numbers."""

	def __init__(self, customers: list[tuple[str, str]], accounts: list[tuple[str, str, str]]):
		"""``customers``: (name, customer_name); ``accounts``: (customer, IBAN, account number)."""
		by_key: dict[str, set[str]] = {}
		for name, customer_name in customers:
			for key in {_name_key(name), _name_key(customer_name)}:
				if key:
					by_key.setdefault(key, set()).add(name)
		self.by_key = by_key
		self.keys = sorted(by_key)
		by_token: dict[str, list[str]] = {}
		for key in self.keys:
			for token in set(key.split()):
				by_token.setdefault(token, []).append(key)
		self.by_token = by_token
		by_account: dict[str, set[str]] = {}
		for party, iban, number in accounts:
			for key in {_account_key(iban), _account_key(number)}:
				if len(key) >= 5:
					by_account.setdefault(key, set()).add(party)
		self.by_account = by_account

	@classmethod
	def load(cls) -> "_Payers":
		cu = frappe.qb.DocType("Customer")
		ba = frappe.qb.DocType("Bank Account")
		return cls(
			frappe.qb.from_(cu).select(cu.name, cu.customer_name).where(cu.disabled == 0).run(),
			frappe.qb.from_(ba)
			.select(ba.party, ba.iban, ba.bank_account_no)
			.where((ba.party_type == "Customer") & ba.party.isnotnull())
			.run(),
		)

	def _one(self, names: set[str] | None) -> str | None:
		return next(iter(names)) if names and len(names) == 1 else None

	def by_bank_account(self, iban: str | None, number: str | None) -> str | None:
		for key in (_account_key(iban), _account_key(number)):
			if key and (found := self._one(self.by_account.get(key))):
				return found
		return None

	def by_name(self, payer: str | None) -> tuple[str | None, str]:
		"""(customer, how): the normalised name, a bank-truncated prefix of it, or a close spelling."""
		key = _name_key(payer)
		if len(key) < 3:
			return None, ""
		if found := self._one(self.by_key.get(key)):
			return found, "name"
		if len(key) >= 8:  # banks cut long names: "WIND POWER SOLUTIONS INTERNA"
			start = bisect_left(self.keys, key)
			matches = set()
			for k in self.keys[start : start + 3]:
				if k.startswith(key):
					matches |= self.by_key[k]
			if found := self._one(matches):
				return found, "name prefix"
		try:
			from rapidfuzz import fuzz, process
		except ImportError:
			return None, ""
		# only names sharing a not-too-common word with the payer's: a close spelling shares one
		blocks = (self.by_token.get(t, ()) for t in set(key.split()))
		pool = {k for block in blocks if len(block) <= _FUZZY_POOL for k in block}
		if not pool:
			return None, ""
		best = process.extract(key, list(pool), scorer=fuzz.token_sort_ratio, limit=2)
		if best and best[0][1] >= _FUZZY_SCORE and (len(best) == 1 or best[1][1] < _FUZZY_SCORE):
			if found := self._one(self.by_key[best[0][0]]):
				return found, "similar name"
		return None, ""

	def in_text(self, text: str | None) -> str | None:
		"""The one customer whose whole (normalised) name appears in ``text``."""
		tokens = _name_key(text).split()
		found: set[str] = set()
		for length in range(1, 6):
			for i in range(len(tokens) - length + 1):
				key = " ".join(tokens[i : i + length])
				if len(key.replace(" ", "")) >= _MIN_NAME and key in self.by_key:
					found |= self.by_key[key]
		return self._one(found)


def unreconciled_deposits(company: str | None = None) -> pd.DataFrame:
	"""Submitted Bank Transaction deposits not yet reconciled, as receipts (see :data:`BANK_COLUMNS`).

	``customer`` is the line's party when it is a Customer, else the customer recognised from the payer's
	account number, name or the description ("" when none is certain); ``payer_match`` says how.
	``duplicate_of`` names an uncleared Payment Entry into the same bank account with the same amount and
	customer: the line may be that payment's bank side (a person should reconcile the two instead)."""
	bt = frappe.qb.DocType("Bank Transaction")
	ba = frappe.qb.DocType("Bank Account")
	query = (
		frappe.qb.from_(bt)
		.join(ba)
		.on(ba.name == bt.bank_account)
		.select(
			bt.name,
			bt.party_type,
			bt.party,
			Coalesce(bt.company, ba.company).as_("company"),
			bt.currency,
			bt.unallocated_amount,
			bt.date,
			bt.description,
			bt.reference_number,
			bt.bank_party_name,
			bt.bank_party_iban,
			bt.bank_party_account_number,
			ba.account.as_("bank_gl"),
		)
		.where((bt.docstatus == 1) & (bt.deposit > 0) & (bt.unallocated_amount > AMOUNT_TOLERANCE))
		.where(bt.status == "Unreconciled")
		.where(ba.account.isnotnull())
		.where(Coalesce(bt.party_type, "").isin(["", "Customer"]))
	)
	if company:
		query = query.where(Coalesce(bt.company, ba.company) == company)
	rows = query.run(as_dict=True)
	if not rows:
		return pd.DataFrame(columns=BANK_COLUMNS)
	payers = None
	records = []
	for r in rows:
		customer, how = (r.party, "party") if r.party_type == "Customer" and r.party else (None, "")
		if not customer:
			payers = payers or _Payers.load()
			customer = payers.by_bank_account(r.bank_party_iban, r.bank_party_account_number)
			how = "bank account" if customer else ""
		if not customer:
			customer, how = payers.by_name(r.bank_party_name)
		if not customer:
			customer = payers.in_text(r.description)
			how = "description" if customer else ""
		remarks = " ".join(filter(None, [r.reference_number, r.description]))
		records.append(
			(r.name, SOURCE, customer or "", r.company, r.currency, float(r.unallocated_amount), r.date)
			+ (remarks, how, r.bank_gl)
		)
	frame = pd.DataFrame(records, columns=[*BANK_COLUMNS[:-1], "bank_gl"])
	frame["duplicate_of"] = _uncleared_payments(frame)
	return frame.drop(columns=["bank_gl"])


def _uncleared_payments(frame: pd.DataFrame) -> list[str]:
	"""For each line, an uncleared receipt Payment Entry into its bank GL account with the same amount
	(and the same customer when the line has one), not reconciled with any bank line: ``""`` if none."""
	pe = frappe.qb.DocType("Payment Entry")
	btp = frappe.qb.DocType("Bank Transaction Payments")
	linked = frappe.qb.from_(btp).select(btp.payment_entry).where(btp.payment_document == "Payment Entry")
	rows = (
		frappe.qb.from_(pe)
		.select(pe.name, pe.paid_to, pe.received_amount, pe.party)
		.where((pe.docstatus == 1) & (pe.payment_type == "Receive") & pe.clearance_date.isnull())
		.where(pe.paid_to.isin(sorted(set(frame["bank_gl"]))))
		.where(pe.received_amount.isin(sorted({round(a, 2) for a in frame["amount"]})))
		.where(pe.name.notin(linked))
		.run()
	)
	found: dict[tuple[str, int], list[tuple[str, str]]] = {}
	for name, account, amount, party in rows:
		found.setdefault((account, round(flt(amount) * 100)), []).append((name, party))
	out = []
	for r in frame.itertuples(index=False):
		same = found.get((r.bank_gl, round(r.amount * 100)), [])
		same = [name for name, party in same if not r.customer or party == r.customer]
		out.append(same[0] if same else "")
	return out


# ------------------------------------------------------------------------------------------ allocate
def allocate_bank_transaction(bank_transaction: str, invoices: list[str], allocations: list[float]) -> str:
	"""Book a bank deposit against these invoices: a submitted Payment Entry for the deposit's unallocated
	amount (the part not given to an invoice stays unallocated on it, for later) reconciled with the Bank
	Transaction through ERPNext's Bank Reconciliation. Returns the Payment Entry's name."""
	bt = frappe.get_doc("Bank Transaction", bank_transaction)
	bt.check_permission("write")
	for ptype in ("create", "submit"):
		if not frappe.has_permission("Payment Entry", ptype):
			frappe.throw(_("Not permitted to create and submit Payment Entries"), frappe.PermissionError)
	if bt.docstatus != 1 or flt(bt.deposit) <= 0 or flt(bt.unallocated_amount) <= AMOUNT_TOLERANCE:
		frappe.throw(_("{0} is not an unreconciled bank deposit.").format(bank_transaction))
	if bt.party_type and bt.party_type != "Customer":
		frappe.throw(_("{0} is booked to a {1}, not a customer.").format(bank_transaction, _(bt.party_type)))
	deposit = flt(bt.unallocated_amount, 2)
	allocations = checked_allocations(bank_transaction, invoices, allocations, deposit, bt.currency)
	if len(set(invoices)) != len(invoices):
		frappe.throw(_("An invoice is listed twice."))
	bank = frappe.db.get_value("Bank Account", bt.bank_account, ["account", "company"], as_dict=True)
	if not bank or not bank.account:
		frappe.throw(_("Bank Account {0} has no GL account.").format(bt.bank_account))
	company = bt.company or bank.company
	rows = invoices_by_name(
		invoices, ["customer", "company", "docstatus", "is_return", "outstanding_amount", "debit_to"]
	)
	bad = [n for n in invoices if n not in rows or rows[n].docstatus != 1 or rows[n].is_return]
	if bad:
		frappe.throw(_("Not submitted sales invoices: {0}").format(", ".join(bad)))
	customers = {rows[n].customer for n in invoices}
	if len(customers) != 1:
		frappe.throw(
			_("The invoices belong to different customers: {0}").format(", ".join(sorted(customers)))
		)
	customer = customers.pop()
	if bt.party_type == "Customer" and bt.party and bt.party != customer:
		frappe.throw(
			_("{0} was paid by {1}, the invoices are {2}'s.").format(bank_transaction, bt.party, customer)
		)
	if any(rows[n].company != company for n in invoices):
		frappe.throw(_("The invoices are not in {0}, the company of {1}.").format(company, bt.bank_account))
	receivable = {rows[n].debit_to for n in invoices}
	if len(receivable) != 1:
		frappe.throw(_("The invoices use different receivable accounts."))
	receivable = receivable.pop()
	for name, amount in zip(invoices, allocations, strict=True):
		if amount > flt(rows[name].outstanding_amount) + AMOUNT_TOLERANCE:
			frappe.throw(_("{0} owes less than {1}.").format(name, amount))
	bank_currency = frappe.get_cached_value("Account", bank.account, "account_currency")
	party_currency = frappe.get_cached_value("Account", receivable, "account_currency")
	company_currency = frappe.get_cached_value("Company", company, "default_currency")
	if len({bank_currency, party_currency, bt.currency or bank_currency, company_currency}) > 1:
		frappe.throw(
			_("{0} is in {1} and the invoices in {2}: allocate it in the Bank Reconciliation Tool.").format(
				bank_transaction, bt.currency or bank_currency, party_currency
			)
		)

	save_point = "optimar_bank_" + frappe.generate_hash(length=8)
	frappe.db.savepoint(save_point)
	try:
		pe = _payment_entry(bt, company, customer, receivable, bank.account, bank_currency, deposit)
		for name, amount in zip(invoices, allocations, strict=True):
			pe.append(
				"references",
				{"reference_doctype": "Sales Invoice", "reference_name": name, "allocated_amount": amount},
			)
		pe.insert()
		pe.submit()
		from erpnext.accounts.doctype.bank_reconciliation_tool.bank_reconciliation_tool import (
			reconcile_vouchers,
		)

		vouchers = [{"payment_doctype": "Payment Entry", "payment_name": pe.name, "amount": deposit}]
		done = reconcile_vouchers(bank_transaction, json.dumps(vouchers))
		if flt(done.unallocated_amount) > AMOUNT_TOLERANCE:
			frappe.throw(_("{0} could not be reconciled with {1}.").format(bank_transaction, pe.name))
		log_cash_application(
			customer,
			company,
			invoices,
			allocations,
			bank_currency,
			pe.name,
			_("{0} (via {1}) allocated to {2}").format(bank_transaction, pe.name, ", ".join(invoices)),
		)
	except Exception:
		frappe.db.rollback(save_point=save_point)
		raise
	frappe.db.release_savepoint(save_point)
	return pe.name


def _payment_entry(bt, company, customer, receivable, bank_account, currency, amount):
	pe = frappe.new_doc("Payment Entry")
	pe.update(
		{
			"payment_type": "Receive",
			"company": company,
			"posting_date": bt.date,
			"party_type": "Customer",
			"party": customer,
			"paid_from": receivable,
			"paid_from_account_currency": currency,
			"paid_to": bank_account,
			"paid_to_account_currency": currency,
			"bank_account": bt.bank_account,
			"paid_amount": amount,
			"received_amount": amount,
			"source_exchange_rate": 1,
			"target_exchange_rate": 1,
			"reference_no": bt.reference_number or bt.name,
			"reference_date": bt.date,
		}
	)
	return pe
