from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.overrides.payment_entry import reevaluate_promises


def on_submit(doc, method=None):
	reevaluate_promises(_invoices(doc))
	refresh_collection_state(_invoices(doc))


def on_cancel(doc, method=None):
	reevaluate_promises(_invoices(doc))
	refresh_collection_state(_invoices(doc))


def _invoices(doc) -> list[str]:
	return [row.reference_name for row in doc.accounts if row.reference_type == "Sales Invoice"]
