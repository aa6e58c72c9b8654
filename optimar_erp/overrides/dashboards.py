from frappe import _


def sales_invoice(data: dict) -> dict:
	"""Collection Activities (reminders, calls, escalations) in the invoice's Connections."""
	data.setdefault("transactions", []).append(
		{"label": _("Collections"), "items": ["Collection Activity", "Dispute"]}
	)
	return data


def customer(data: dict) -> dict:
	data.setdefault("transactions", []).append(
		{
			"label": _("Collections"),
			"items": ["Collection Activity", "Promise To Pay", "Dispute", "Dunning Run"],
		}
	)
	return data
