"""The workspace's number cards moved from ``optimar_erp.reporting.cards`` to ``optimar_erp.cards``: point
every stored Number Card at the new module. The cards' JSON (newer) re-syncs them after the patches; this
also reaches a card edited on the site since (newer than its JSON, so not re-synced)."""

import frappe

OLD = "optimar_erp.reporting.cards."
NEW = "optimar_erp.cards."


def execute():
	card = frappe.qb.DocType("Number Card")
	stored = frappe.qb.from_(card).select(card.name, card.method).where(card.method.like(f"{OLD}%")).run()
	for name, method in stored:
		frappe.db.set_value("Number Card", name, "method", NEW + method[len(OLD) :], update_modified=False)
