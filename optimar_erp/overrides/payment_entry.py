from optimar_erp.dunning.state import refresh_collection_state


def on_submit(doc, method=None):
	if doc.party_type != "Customer":
		return
	refresh_collection_state(_invoices(doc))


def on_cancel(doc, method=None):
	if doc.party_type != "Customer":
		return
	refresh_collection_state(_invoices(doc))


def _invoices(doc) -> list[str]:
	return [row.reference_name for row in doc.references if row.reference_doctype == "Sales Invoice"]
