import frappe
from frappe import _


def on_update(doc, method=None):
	"""Putting a customer on collections hold or releasing it is always logged."""
	previous = doc.get_doc_before_save()
	was_held = bool(previous.collections_hold) if previous else False
	if bool(doc.collections_hold) == was_held:
		return
	held = bool(doc.collections_hold)
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Hold" if held else "Hold Released",
			"status": "Done",
			"customer": doc.name,
			"message": (
				_("Placed on collections hold by {0}").format(frappe.session.user)
				if held
				else _("Collections hold released by {0}").format(frappe.session.user)
			),
			"reason": doc.collections_hold_reason,
		}
	).insert(ignore_permissions=True)
