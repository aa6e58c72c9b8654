import frappe

from optimar_erp.dunning import cheques, promises
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.queries.promises import promises_of_invoices


def on_submit(doc, method=None):
	if doc.party_type != "Customer":
		return
	cheques.on_payment_submit(doc)
	reevaluate_promises(_invoices(doc))
	states = refresh_collection_state(_invoices(doc))
	paid = [name for name, state in states.items() if state == "Paid"]
	if paid and frappe.db.get_single_value("Collections Settings", "thank_you_on_payment"):
		frappe.enqueue(
			"optimar_erp.dunning.delivery.send_thank_you",
			invoices=paid,
			enqueue_after_commit=True,
			job_id=f"optimar-thank-you::{doc.name}",
			deduplicate=True,
		)


def on_cancel(doc, method=None):
	if doc.party_type != "Customer":
		return
	refresh_collection_state(_invoices(doc))
	reevaluate_promises(_invoices(doc))
	cheques.on_payment_cancel(doc)


def reevaluate_promises(invoices: list[str]) -> None:
	promises.evaluate(promises_of_invoices(invoices))


def _invoices(doc) -> list[str]:
	return [row.reference_name for row in doc.references if row.reference_doctype == "Sales Invoice"]
