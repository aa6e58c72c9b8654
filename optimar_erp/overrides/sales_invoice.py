from optimar_erp.dunning.state import refresh_collection_state


def on_submit(doc, method=None):
	refresh_collection_state(_affected(doc))


def on_cancel(doc, method=None):
	refresh_collection_state(_affected(doc))


def _affected(doc) -> list[str]:
	"""A credit note changes the invoice it returns against; an invoice changes itself."""
	if doc.is_return:
		return [doc.return_against] if doc.return_against and not doc.update_outstanding_for_self else []
	return [doc.name]
