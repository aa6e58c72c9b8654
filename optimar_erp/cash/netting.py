"""AR/AP netting on a site: customers that are also suppliers, and the Journal Entry that sets off what
each side owes before anyone chases or pays.

Pairs come from ERPNext's *Party Link* (Customer ↔ Supplier). Open Sales and Purchase Invoices go to the
engine (:func:`optimar_erp.engine.cash.netting.suggest_netting`), which allocates the smaller balance oldest
first on both sides. A person creates the netting entry: a **draft** Journal Entry against both parties'
invoices, to be checked and submitted in the Desk.
"""

import pandas as pd

import frappe
from frappe import _
from frappe.utils import flt, today

from optimar_erp.engine.cash.netting import suggest_netting
from optimar_erp.queries.invoices import invoice_field, open_documents


def party_pairs() -> pd.DataFrame:
	link = frappe.qb.DocType("Party Link")
	rows = (
		frappe.qb.from_(link)
		.select(link.primary_role, link.primary_party, link.secondary_role, link.secondary_party)
		.run()
	)
	pairs = []
	for primary_role, primary, secondary_role, secondary in rows:
		if {primary_role, secondary_role} != {"Customer", "Supplier"}:
			continue
		customer, supplier = (primary, secondary) if primary_role == "Customer" else (secondary, primary)
		pairs.append((customer, supplier))
	return pd.DataFrame(pairs, columns=["customer", "supplier"]).drop_duplicates()


def netting(company: str):
	"""The engine's suggestion for the company (``pairs`` and ``allocations`` tables), or None."""
	pairs = party_pairs()
	if pairs.empty:
		return None
	receivables = open_documents("Sales Invoice", "customer", list(pairs["customer"]), company)
	payables = open_documents("Purchase Invoice", "supplier", list(pairs["supplier"]), company)
	if receivables.empty or payables.empty:
		return None
	return suggest_netting(receivables, payables, pairs)


@frappe.whitelist()
def create_netting_entry(company: str, customer: str, supplier: str) -> str:
	"""A draft Journal Entry setting off the pair's suggested amounts, invoice by invoice."""
	if not frappe.has_permission("Journal Entry", "create"):
		frappe.throw(_("Not permitted to create Journal Entries"), frappe.PermissionError)
	result = netting(company)
	if result is None:
		frappe.throw(_("Nothing to net for {0}.").format(company))
	rows = result.allocations[
		(result.allocations["customer"] == customer) & (result.allocations["supplier"] == supplier)
	]
	if rows.empty:
		frappe.throw(_("{0} and {1} have nothing to net.").format(customer, supplier))
	accounts = []
	for r in rows.itertuples(index=False):
		if r.side == "receivable":
			account = invoice_field(r.invoice, "debit_to")
			accounts.append(
				{
					"account": account,
					"party_type": "Customer",
					"party": customer,
					"credit_in_account_currency": flt(r.allocated, 2),
					"reference_type": "Sales Invoice",
					"reference_name": r.invoice,
				}
			)
		else:
			account = frappe.db.get_value("Purchase Invoice", r.invoice, "credit_to")
			accounts.append(
				{
					"account": account,
					"party_type": "Supplier",
					"party": supplier,
					"debit_in_account_currency": flt(r.allocated, 2),
					"reference_type": "Purchase Invoice",
					"reference_name": r.invoice,
				}
			)
	je = frappe.get_doc(
		{
			"doctype": "Journal Entry",
			"voucher_type": "Journal Entry",
			"company": company,
			"posting_date": today(),
			"user_remark": _(
				"Netting of receivables of {0} against payables to {1} (OptimAR suggestion)"
			).format(customer, supplier),
			"accounts": accounts,
		}
	)
	je.insert()
	return je.name
