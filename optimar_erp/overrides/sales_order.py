from optimar_erp.overrides.sales_invoice import enforce_collections_hold


def validate(doc, method=None):
	enforce_collections_hold(doc)
