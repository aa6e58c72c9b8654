"""Before the unique index on Collections Inbox Item.communication: keep the oldest item of each email,
and drop the plain index of that name (Frappe adds the unique one with ``IF NOT EXISTS``, which a plain
index of the same name would silently satisfy)."""

import frappe


def execute():
	if not frappe.db.table_exists("Collections Inbox Item"):
		return
	item = frappe.qb.DocType("Collections Inbox Item")
	twice = (
		frappe.qb.from_(item)
		.select(item.communication)
		.where(item.communication.isnotnull())
		.groupby(item.communication)
		.having(frappe.query_builder.functions.Count("*") > 1)
		.run(pluck=True)
	)
	for communication in twice:
		names = frappe.get_all(
			"Collections Inbox Item",
			filters={"communication": communication},
			order_by="creation asc",
			pluck="name",
		)
		for name in names[1:]:
			frappe.delete_doc("Collections Inbox Item", name, ignore_permissions=True, force=True)
	plain = frappe.db.get_column_index("tabCollections Inbox Item", "communication", unique=False)
	if plain and plain.Key_name == "communication":
		frappe.db.sql_ddl(f"alter table `tabCollections Inbox Item` drop index `{plain.Key_name}`")
