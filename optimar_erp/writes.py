"""Set-based writes the app's jobs share (one module, below every caller)."""

import frappe

UPDATE_CHUNK = 2000


def bulk_update(doctype: str, names: list[str], values: dict[str, list]) -> None:
	"""Set per-row values of a few computed fields on many rows, in chunks of one statement each.

	``UPDATE tab… t JOIN (SELECT %s AS name, %s AS f … UNION ALL SELECT …) v ON v.name = t.name SET …``:
	one indexed join per chunk, where a ``CASE name WHEN …`` per field (what ``frappe.qb`` can express)
	costs rows × rows comparisons (30 s instead of 3 s for 100,000 invoices). Values are always bound
	parameters; field names come from the app's code and are checked against the doctype. Touches
	neither ``modified`` nor the documents' hooks: these are computed, read-only fields.
	"""
	fields = list(values)
	meta = frappe.get_meta(doctype)
	unknown = [f for f in fields if not meta.has_field(f) or not f.replace("_", "").isalnum()]
	if unknown:
		raise ValueError(f"{doctype} has no field(s) {', '.join(unknown)}")
	first = "SELECT %s AS `name`, " + ", ".join(f"%s AS `{f}`" for f in fields)
	other = " UNION ALL SELECT " + ", ".join(["%s"] * (len(fields) + 1))
	sets = ", ".join(f"t.`{f}` = v.`{f}`" for f in fields)
	for start in range(0, len(names), UPDATE_CHUNK):
		chunk = names[start : start + UPDATE_CHUNK]
		params = []
		for i, name in enumerate(chunk, start):
			params.append(name)
			params.extend(values[f][i] for f in fields)
		derived = first + other * (len(chunk) - 1)
		frappe.db.sql(
			f"UPDATE `tab{doctype}` t JOIN ({derived}) v ON v.`name` = t.`name` SET {sets}",  # nosemgrep
			params,
		)
