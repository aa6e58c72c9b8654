"""Today's open invoices and credit notes with their risk and collection fields, kept in the site cache.

Reading the 100,000 open invoices of a large book from the wide Sales Invoice table takes most of a
second; after a posting only a few of them changed. ERPNext updates an invoice's ``modified`` whenever
its outstanding amount or status changes (payments, credit notes, cancellations, reconciliation), so
the table is cached with the latest ``modified`` of Sales Invoice it reflects, and an open after new
postings re-reads only the invoices modified since (:func:`optimar_erp.queries.frames.modified_since`) and splices them
in. The app's own computed fields (risk band, late probability, predicted pay date, collection state)
are written without touching ``modified``; their writers call :func:`fields_changed` with the invoices
they wrote (logged, and read again at the next open like the modified ones) or, for a bulk write such
as the nightly scoring, without (the whole table is read again). A table is never cached from a
transaction that has written something (its rows may still be rolled back).
"""

import json
from datetime import datetime, timedelta

import pandas as pd

import frappe
from frappe.utils import now_datetime

from optimar_erp.queries.frames import fetch_frame, latest_modified, modified_since
from optimar_erp.queries.invoices import has_balance

KEY = "optimar:open-invoices:"
FORMAT = 2
"""The cached entry's layout; an entry of another layout is read afresh."""
FIELDS_VERSION = "optimar:invoice-fields-version"
FIELDS_LOG = "optimar:invoice-fields-log"
LOG_LIMIT = 50_000
"""Entries in the log of written invoices before it starts afresh (and every table is read again)."""
MAX_CHANGED = 20_000
"""More invoices changed than this: the whole table is read afresh instead."""
CACHE_SECONDS = 24 * 3600
REREAD_AFTER = timedelta(hours=24)
"""A table older than this is read afresh (an invoice changed without touching ``modified`` by someone
else than the app is seen by then)."""


def fields_changed(invoices: list[str] | None = None) -> None:
	"""Called by whoever writes the risk or collection fields of Sales Invoices without touching
	``modified``: the ``invoices`` written are read again at the next open of a cached table; without
	``invoices`` (a bulk write) every table is read afresh. Said now (this transaction's readers) and
	again once the transaction is committed (everyone else's)."""
	names = sorted({name for name in invoices or [] if name})
	if invoices is not None and not names:
		return
	if invoices is None or len(names) > MAX_CHANGED:
		names = None
	_note(names)
	frappe.db.after_commit.add(lambda: _note(names))


def _note(names: list[str] | None) -> None:
	if names is None or frappe.cache.llen(FIELDS_LOG) >= LOG_LIMIT:
		frappe.cache.delete_value(FIELDS_LOG)
		frappe.cache.set_value(FIELDS_VERSION, frappe.generate_hash(length=12))
	if names:
		frappe.cache.rpush(FIELDS_LOG, json.dumps(names))


def _logged_since(position: int) -> list[str] | None:
	"""Invoices written since the log had ``position`` entries; None when the log started afresh since."""
	length = frappe.cache.llen(FIELDS_LOG)
	if length < position:
		return None
	return [name for entry in frappe.cache.lrange(FIELDS_LOG, position, -1) for name in json.loads(entry)]


def get(company: str) -> pd.DataFrame | None:
	""":func:`table` without its currency column; None when an invoice is in another currency than the
	company's (its outstanding amount is then in that currency)."""
	frame = table(company)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	return None if (frame["currency"] != currency).any() else frame.drop(columns="currency")


def table(company: str) -> pd.DataFrame:
	"""Open (outstanding not zero) submitted Sales Invoices of ``company``, credit notes included, with
	currency, invoice, customer, customer_name, posting_date, due_date (datetime64), outstanding,
	is_return and the risk and collection fields."""
	latest, version = (
		latest_modified("Sales Invoice"),
		frappe.cache.get_value(FIELDS_VERSION, expires=True),
	)
	position = frappe.cache.llen(FIELDS_LOG)
	key = f"{KEY}{company}"
	found = frappe.cache.get_value(key, expires=True)
	if not isinstance(found, dict) or found.get("format") != FORMAT:
		found = None  # nothing cached, or by another version of the app
	frame, read_at = None, now_datetime()
	if found and found["version"] == version and found["latest"] is not None and latest is not None:
		if read_at - found["read_at"] < REREAD_AFTER:  # else read afresh, for what bypassed ``modified``
			if (found["latest"], found["position"]) == (latest, position):
				return found["frame"]
			frame, read_at = _updated(company, found, latest), found["read_at"]
	if frame is None:
		frame, read_at = read(company), now_datetime()
	if not frappe.db.transaction_writes:
		frappe.cache.set_value(
			key,
			{
				"format": FORMAT,
				"latest": latest,
				"version": version,
				"position": position,
				"frame": frame,
				"read_at": read_at,
			},
			expires_in_sec=CACHE_SECONDS,
		)
	return frame


def forget(company: str | None = None) -> None:
	"""Drop the cached table of ``company`` (every company: None)."""
	if company:
		frappe.cache.delete_value(f"{KEY}{company}")
	else:
		frappe.cache.delete_keys(KEY)


def _updated(company: str, found: dict, latest: datetime) -> pd.DataFrame | None:
	"""The cached table with the invoices modified or logged since its point read again; None when too
	many were, or the log started afresh."""
	logged = _logged_since(found["position"])
	if latest < found["latest"] or logged is None:
		return None
	since = modified_since("Sales Invoice", found["latest"], MAX_CHANGED)
	if since is None:
		return None
	si = frappe.qb.DocType("Sales Invoice")
	changed = sorted({r[0] for r in since.select(si.name).where(si.company == company).run()} | set(logged))
	if len(changed) > MAX_CHANGED:
		return None
	if not changed:
		return found["frame"]
	frame = found["frame"]
	return pd.concat(
		[frame[~frame["invoice"].isin(changed)], read(company, changed)], ignore_index=True
	).reset_index(drop=True)


def read(company: str, names: list[str] | None = None) -> pd.DataFrame:
	"""The table straight from Sales Invoice (only the invoices ``names``: by their primary key)."""
	si = frappe.qb.DocType("Sales Invoice")
	query = frappe.qb.from_(si).where((si.company == company) & (si.docstatus == 1)).where(has_balance(si))
	if names is not None:
		query = query.where(si.name.isin(list(names) or [""]))
	return fetch_frame(
		query,
		{
			"currency": si.currency,
			"invoice": si.name,
			"customer": si.customer,
			"customer_name": si.customer_name,
			"posting_date": si.posting_date,
			"due_date": si.due_date,
			"outstanding": si.outstanding_amount,
			"is_return": si.is_return,
			"risk_band": si.risk_band,
			"late_probability": si.late_probability,
			"predicted_pay_date": si.predicted_pay_date,
			"collection_state": si.collection_state,
		},
		numbers=("outstanding", "late_probability"),
		ints=("is_return",),
		datetimes=("posting_date", "due_date", "predicted_pay_date"),
	)
