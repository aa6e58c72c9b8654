from optimar_erp.portal import gateway


def on_payment_authorized(doc, method=None, status=None):
	"""The payments app's callback once a gateway took the customer's money for ``doc``."""
	if doc.reference_doctype != "Sales Invoice":
		return
	gateway.on_payment_authorized(doc, status)
