from optimar_erp.inbox.replies import on_communication


def after_insert(doc, method=None):
	"""A received customer email is queued for classification (:func:`optimar_erp.inbox.replies.on_communication`)."""
	on_communication(doc, method)
