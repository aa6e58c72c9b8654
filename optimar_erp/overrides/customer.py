import frappe
from frappe import _

from optimar_erp.exceptions import HoldReleaseNotPermitted
from optimar_erp.setup.roles import COLLECTIONS_MANAGER


def validate(doc, method=None):
	"""A hold stays until someone allowed to decide credit lifts it: a Sales User who may write the
	Customer may not."""
	previous = doc.get_doc_before_save()
	if not previous or not previous.collections_hold or doc.collections_hold:
		return
	roles = set(frappe.get_roles())
	controller = frappe.db.get_single_value("Accounts Settings", "credit_controller")
	if roles & {COLLECTIONS_MANAGER, "System Manager"} or (controller and controller in roles):
		return
	frappe.throw(
		_("Only a Collections Manager or the credit controller can release a collections hold."),
		HoldReleaseNotPermitted,
	)


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
