"""Reads of Sales Invoices: the one open-invoice condition, the dunning engine's open invoices, what an invoice
owes right now, and its risk and collection fields."""

import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce, Sum
from frappe.utils import today

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.queries.frames import fetch_frame
from optimar_erp.queries.ledger import INVOICE_COLUMNS


def is_open(si):
	"""The one open-invoice condition, as a query term on Sales Invoice ``si``: something is still owed on
	it (its outstanding amount is above :data:`~optimar_erp.constants.AMOUNT_TOLERANCE`). Submission,
	returns and company are the caller's conditions."""
	return si.outstanding_amount > AMOUNT_TOLERANCE


def has_balance(si):
	"""Open, or a credit note that keeps its own (negative) outstanding: the Sales Invoices ERPNext's
	Accounts Receivable lists."""
	return (si.outstanding_amount > AMOUNT_TOLERANCE) | (si.outstanding_amount < -AMOUNT_TOLERANCE)


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
		.where(is_open(si))
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


def invoice_risk(names: list[str]) -> pd.DataFrame:
	"""Risk and collection fields of these Sales Invoices (indexed by name)."""
	cols = ["risk_band", "late_probability", "predicted_pay_date", "collection_state"]
	if not names:
		return pd.DataFrame(columns=cols)
	si = frappe.qb.DocType("Sales Invoice")
	rows = []
	for start in range(0, len(names), 20_000):
		chunk = names[start : start + 20_000]
		rows += list(
			frappe.qb.from_(si)
			.select(si.name, si.risk_band, si.late_probability, si.predicted_pay_date, si.collection_state)
			.where(si.name.isin(chunk))
			.run()
		)
	return pd.DataFrame(rows, columns=["invoice", *cols]).set_index("invoice")


def invoice_field(name: str | None, fields: str | list[str], as_dict: bool = False):
	"""``fields`` of the Sales Invoice ``name`` (one value, a tuple, or a dict with ``as_dict``; None when
	there is no such invoice)."""
	return frappe.db.get_value("Sales Invoice", name, fields, as_dict=as_dict)


def invoices_by_name(names: list[str], fields: list[str]) -> dict[str, frappe._dict]:
	"""``fields`` of these Sales Invoices (whatever their status), by name; names that are no invoice are
	absent."""
	if not names:
		return {}
	si = frappe.qb.DocType("Sales Invoice")
	rows = (
		frappe.qb.from_(si)
		.select(si.name, *[si[field] for field in fields if field != "name"])
		.where(si.name.isin(list(names)))
		.run(as_dict=True)
	)
	return {row.name: row for row in rows}


def has_submitted_invoice(customer: str, company: str) -> bool:
	"""Whether ``customer`` has a submitted Sales Invoice in ``company``."""
	return bool(frappe.db.exists("Sales Invoice", {"customer": customer, "company": company, "docstatus": 1}))


def overdue_total(customer: str) -> float:
	"""What the customer owes on submitted invoices past their due date (in the company's currency)."""
	si = frappe.qb.DocType("Sales Invoice")
	return (
		frappe.qb.from_(si)
		.select(Coalesce(Sum(si.outstanding_amount), 0))
		.where((si.customer == customer) & (si.docstatus == 1) & is_open(si))
		.where(si.due_date < today())
		.run()[0][0]
	)


def overdue_by_customer(company: str) -> dict[str, float]:
	"""Each customer's outstanding on the company's invoices past their due date, in the company's
	currency (an invoice billed in another currency on a receivable in the company's currency is owed in
	the company's currency already)."""
	si = frappe.qb.DocType("Sales Invoice")
	currency = frappe.get_cached_value("Company", company, "default_currency")
	base = (
		Case()
		.when(si.party_account_currency == currency, si.outstanding_amount)
		.else_(si.outstanding_amount * si.conversion_rate)
	)
	rows = (
		frappe.qb.from_(si)
		.select(si.customer, Sum(base))
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0) & is_open(si))
		.where(si.due_date < today())
		.groupby(si.customer)
		.run()
	)
	return {customer: float(amount or 0) for customer, amount in rows}


def companies_with_open_invoices(customer: str | None = None) -> list[str]:
	"""The companies with an open submitted invoice (of ``customer``, or of anyone)."""
	filters = {"docstatus": 1, "outstanding_amount": (">", AMOUNT_TOLERANCE)}
	if customer:
		filters["customer"] = customer
	return frappe.get_all("Sales Invoice", filters=filters, pluck="company", distinct=True)


def companies_with_invoices() -> list[str]:
	"""The companies with a submitted Sales Invoice."""
	si = frappe.qb.DocType("Sales Invoice")
	return [r[0] for r in frappe.qb.from_(si).select(si.company).distinct().where(si.docstatus == 1).run()]


def open_invoice_names() -> list[str]:
	"""Every open submitted invoice (returns excluded), by name."""
	si = frappe.qb.DocType("Sales Invoice")
	return [
		r[0]
		for r in frappe.qb.from_(si)
		.select(si.name)
		.where((si.docstatus == 1) & (si.is_return == 0) & is_open(si))
		.run()
	]


def first_due_open_invoice(customer: str, fields, invoices_only: bool = False):
	"""``fields`` of the customer's open submitted invoice that fell due first (a dict when ``fields`` is a
	list); ``invoices_only``: credit notes excluded. None when nothing is open."""
	filters = {"customer": customer, "docstatus": 1, "outstanding_amount": (">", AMOUNT_TOLERANCE)}
	if invoices_only:
		filters["is_return"] = 0
	return frappe.db.get_value(
		"Sales Invoice", filters, fields, order_by="due_date asc", as_dict=isinstance(fields, list)
	)


def open_invoices_of(customer: str, limit: int) -> list[str]:
	"""The customer's open submitted invoices, the earliest due first, at most ``limit``."""
	si = frappe.qb.DocType("Sales Invoice")
	return [
		r[0]
		for r in frappe.qb.from_(si)
		.select(si.name)
		.where((si.customer == customer) & (si.docstatus == 1) & is_open(si))
		.orderby(si.due_date)
		.limit(limit)
		.run()
	]


def customers_invoices(customer: str, names: list[str]) -> list[str]:
	"""Those of ``names`` that are submitted invoices of ``customer``, in the order given."""
	if not names:
		return []
	si = frappe.qb.DocType("Sales Invoice")
	rows = {
		r[0]
		for r in frappe.qb.from_(si)
		.select(si.name)
		.where(si.name.isin(names) & (si.customer == customer) & (si.docstatus == 1))
		.run()
	}
	return [n for n in names if n in rows]


def submitted_invoices(names: list[str]) -> list[tuple]:
	"""(name, company, customer) of those of ``names`` that are submitted invoices (returns excluded)."""
	si = frappe.qb.DocType("Sales Invoice")
	return list(
		frappe.qb.from_(si)
		.select(si.name, si.company, si.customer)
		.where(si.name.isin(list(names) or [""]) & (si.docstatus == 1) & (si.is_return == 0))
		.run()
	)


def invoices_to_match(company: str, customers: list[str] | None = None) -> pd.DataFrame:
	"""The company's open invoices a receipt may pay (cash application): invoice, customer, posting_date,
	due_date, outstanding, po_no, currency; only these customers' when given."""
	si = frappe.qb.DocType("Sales Invoice")
	query = (
		frappe.qb.from_(si)
		.select(
			si.name, si.customer, si.posting_date, si.due_date, si.outstanding_amount, si.po_no, si.currency
		)
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0))
		.where(is_open(si))
	)
	if customers is not None:
		query = query.where(si.customer.isin(customers or [""]))
	frame = pd.DataFrame(
		list(query.run()),
		columns=["invoice", "customer", "posting_date", "due_date", "outstanding", "po_no", "currency"],
	)
	frame["outstanding"] = frame["outstanding"].astype(float)
	frame["po_no"] = frame["po_no"].fillna("")
	return frame


def open_invoices_with_predictions(company: str) -> pd.DataFrame:
	"""The company's open invoices with their predicted pay date (the cash-in forecast): customer,
	outstanding, predicted_pay_date, due_date."""
	si = frappe.qb.DocType("Sales Invoice")
	frame = fetch_frame(
		frappe.qb.from_(si)
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0))
		.where(is_open(si)),
		{
			"customer": si.customer,
			"outstanding": si.outstanding_amount,
			"predicted_pay_date": si.predicted_pay_date,
			"due_date": si.due_date,
		},
		numbers=("outstanding",),
		dates=("predicted_pay_date", "due_date"),
	)
	frame["outstanding"] = frame["outstanding"].astype(float)
	return frame


def open_invoices_for_msme(company: str, customer: str | None = None) -> pd.DataFrame:
	"""The company's open invoices with what the MSME deadline needs: invoice, customer, customer_name,
	posting_date, due_date, outstanding, currency (the party account's)."""
	si = frappe.qb.DocType("Sales Invoice")
	query = (
		frappe.qb.from_(si)
		.select(
			si.name,
			si.customer,
			si.customer_name,
			si.posting_date,
			si.due_date,
			si.outstanding_amount,
			si.party_account_currency,
		)
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0))
		.where(is_open(si))
	)
	if customer:
		query = query.where(si.customer == customer)
	return pd.DataFrame(
		list(query.run()),
		columns=[
			"invoice",
			"customer",
			"customer_name",
			"posting_date",
			"due_date",
			"outstanding",
			"currency",
		],
	)


def predicted_late_total(company: str):
	"""Σ outstanding × late probability of the company's open invoices not yet due (None: none)."""
	si = frappe.qb.DocType("Sales Invoice")
	return (
		frappe.qb.from_(si)
		.select(Sum(si.outstanding_amount * si.late_probability / 100))
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0))
		.where(is_open(si) & (si.due_date >= today()))
		.run()[0][0]
	)


def state_inputs(invoices: list[str]) -> pd.DataFrame:
	"""What an invoice's collection state is computed from: invoice, due_date, outstanding, reminded (its
	last reminder step), write_off, docstatus."""
	si = frappe.qb.DocType("Sales Invoice")
	rows = (
		frappe.qb.from_(si)
		.select(
			si.name,
			si.due_date,
			si.outstanding_amount,
			si.last_reminder_step,
			si.write_off_amount,
			si.docstatus,
		)
		.where(si.name.isin(invoices))
		.run()
	)
	return pd.DataFrame(
		list(rows), columns=["invoice", "due_date", "outstanding", "reminded", "write_off", "docstatus"]
	)


def invoices_on_hold(invoices: list[str]) -> set[str]:
	"""Those of ``invoices`` whose customer is on collections hold."""
	if not invoices:
		return set()
	si = frappe.qb.DocType("Sales Invoice")
	customer = frappe.qb.DocType("Customer")
	rows = (
		frappe.qb.from_(si)
		.join(customer)
		.on(customer.name == si.customer)
		.select(si.name)
		.where(si.name.isin(invoices))
		.where(customer.collections_hold == 1)
		.run()
	)
	return {row[0] for row in rows}


def owed_on(invoices: list[str]) -> list[dict]:
	"""name, posting_date, due_date, grand_total and outstanding of these invoices as the customer owes
	them (in the party account's currency, as ERPNext's Accounts Receivable shows them), the earliest due
	first."""
	si = frappe.qb.DocType("Sales Invoice")
	return (
		frappe.qb.from_(si)
		.select(
			si.name,
			si.posting_date,
			si.due_date,
			owed_grand_total(si).as_("grand_total"),
			si.outstanding_amount.as_("outstanding"),
		)
		.where(si.name.isin(invoices))
		.orderby(si.due_date)
		.run(as_dict=True)
	)


def paid_reminded(invoices: list[str]) -> list:
	"""Those of these submitted invoices that were reminded and are now paid in full: name, customer,
	company, currency, posting_date, due_date, grand_total."""
	return frappe.get_all(
		"Sales Invoice",
		filters={
			"name": ("in", invoices),
			"docstatus": 1,
			"outstanding_amount": ("<=", 0),
			"last_reminder_step": ("is", "set"),
		},
		fields=["name", "customer", "company", "currency", "posting_date", "due_date", "grand_total"],
	)


def open_documents(doctype: str, party_field: str, parties: list[str], company: str) -> pd.DataFrame:
	"""The company's open submitted Sales or Purchase Invoices (``doctype``, returns excluded) of these
	parties: the party, invoice, due_date, posting_date, outstanding, currency, company (AR/AP netting)."""
	inv = frappe.qb.DocType(doctype)
	rows = (
		frappe.qb.from_(inv)
		.select(
			inv[party_field], inv.name, inv.due_date, inv.posting_date, inv.outstanding_amount, inv.currency
		)
		.where((inv.company == company) & (inv.docstatus == 1) & (inv.is_return == 0))
		.where(is_open(inv) & inv[party_field].isin(parties or [""]))
		.run()
	)
	frame = pd.DataFrame(
		list(rows), columns=[party_field, "invoice", "due_date", "posting_date", "outstanding", "currency"]
	)
	frame["outstanding"] = frame["outstanding"].astype(float)
	frame["company"] = company
	return frame


def invoices_for_interest(names: list[str]) -> list[dict]:
	"""What late-payment interest is computed from, for those of ``names`` that are submitted invoices
	(returns excluded): name, customer, company, currency, debit_to, due_date, outstanding_amount,
	party_account_currency."""
	return frappe.get_all(
		"Sales Invoice",
		filters={"name": ("in", names), "docstatus": 1, "is_return": 0},
		fields=[
			"name",
			"customer",
			"company",
			"currency",
			"debit_to",
			"due_date",
			"outstanding_amount",
			"party_account_currency",
		],
	)


def submitted_invoice_customer(name: str) -> str | None:
	"""The customer of the Sales Invoice ``name`` when it is submitted (None otherwise)."""
	return frappe.db.get_value("Sales Invoice", {"name": name, "docstatus": 1}, "customer")
