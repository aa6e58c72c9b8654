"""Set-based writes the app's jobs share (one module, below every caller)."""

import functools
import time

from pymysql.constants import ER

import frappe

# The database rolled the statement back and asks for the transaction to be restarted: a deadlock, or
# (MariaDB 11.6+, ``innodb_snapshot_isolation`` on by default) a locking read or conditional write of a
# row another transaction changed since this one's snapshot, "Record has changed since last read".
WRITE_CONFLICT_CODES = frozenset({ER.LOCK_DEADLOCK, ER.CHECKREAD})
RESTART_ATTEMPTS = 3

STANDARD_COLUMNS = ("name", "creation", "modified", "owner", "modified_by", "docstatus")
"""The columns every row written past the ORM fills first, in this order."""

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


def is_write_conflict(error: BaseException) -> bool:
	"""True when ``error`` is a deadlock or a snapshot conflict, however Frappe raised it: Frappe wraps a
	deadlock in ``QueryDeadlockError`` (v16 also a snapshot conflict; v15 raises that one as it came, an
	``OperationalError`` with code 1020)."""
	if isinstance(error, frappe.QueryDeadlockError):
		return True
	seen = 0
	while error is not None and seen < 5:
		args = getattr(error, "args", ())
		if args and isinstance(args[0], int):
			return args[0] in WRITE_CONFLICT_CODES
		error = args[0] if args and isinstance(args[0], BaseException) else error.__cause__
		seen += 1
	return False


def restart_on_write_conflict(fn):
	"""Run ``fn`` in a transaction of its own and run it again from the start (up to ``RESTART_ATTEMPTS``
	times, after a rollback) when the database reports a write conflict: the new attempt reads the rows
	as the other transaction committed them, so its checks see the other's writes instead of failing.

	Only a call that starts with nothing written in the transaction is restarted: a rollback would
	otherwise undo its caller's writes, so then the conflict is raised as it came."""

	@functools.wraps(fn)
	def restarting(*args, **kwargs):
		if frappe.db.transaction_writes:
			return fn(*args, **kwargs)
		for attempt in range(1, RESTART_ATTEMPTS + 1):
			try:
				return fn(*args, **kwargs)
			except Exception as e:
				if attempt == RESTART_ATTEMPTS or not is_write_conflict(e):
					raise
				frappe.db.rollback()
				time.sleep(0.1 * attempt)

	return restarting
