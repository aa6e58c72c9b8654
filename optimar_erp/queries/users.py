"""Reads of Users: who holds a role."""

import frappe

from optimar_erp.setup.roles import COLLECTIONS_MANAGER


def collections_managers() -> list[str]:
	"""Enabled users with the Collections Manager role (they get escalations and alerts)."""
	return users_with_role(COLLECTIONS_MANAGER)


def users_with_role(role: str) -> list[str]:
	"""Enabled users with ``role``, by name."""
	has_role = frappe.qb.DocType("Has Role")
	user = frappe.qb.DocType("User")
	rows = (
		frappe.qb.from_(has_role)
		.join(user)
		.on(user.name == has_role.parent)
		.select(has_role.parent)
		.distinct()
		.where((has_role.role == role) & (has_role.parenttype == "User") & (user.enabled == 1))
		.orderby(has_role.parent)
		.run()
	)
	return [row[0] for row in rows]
