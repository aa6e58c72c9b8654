"""The portal's documents in the Customer's Connections."""

from frappe import _


def customer(data: dict) -> dict:
	data.setdefault("transactions", []).append(
		{"label": _("Customer Portal"), "items": ["Balance Confirmation", "Portal Access Link"]}
	)
	return data
