"""Set-based reads for the reports, the workspace cards and the worklist.

Every figure comes from the engine (:mod:`optimar_erp.engine.analytics`, ``forecast``, ``kpis``) fed by
these queries: the Payment Ledger through :mod:`optimar_erp.queries.ledger` (the same source as ERPNext's Accounts
Receivable report and the standalone ``optimar analyse``), and a few grouped queries on the app's own
doctypes. Nothing loads documents one by one.
"""

import pandas as pd

import frappe
from frappe.utils import add_months, getdate, today

from optimar_erp.engine.analytics import monthly_metrics, summary
from optimar_erp.queries import ledger_store, open_invoices
from optimar_erp.queries.ledger import ledger_version, tables_at

CACHE_PREFIX = "optimar:derived:"
CACHE_SECONDS = 24 * 3600
LOCK_SECONDS = 120


def cached(kind: str, company: str, parts: tuple, build):
	"""``build()``'s result for this company and ``parts``, computed once per version of the company's
	Payment Ledger and kept in the site's cache: a second open is a cache read, and any new posting,
	cancellation or deletion in the ledger makes the next open compute afresh. Only for figures derived
	from the ledger (and Sales Invoice fields fixed at submission), never for risk or collection fields."""
	version = ledger_version(company)
	key = f"{CACHE_PREFIX}{kind}:{company}:{':'.join(str(p) for p in parts)}"

	def hit():
		found = frappe.cache.get_value(key, expires=True)  # expires: no request-local copy (keeps misses)
		return found if found and found[0] == version else None

	if found := hit():
		return found[1]
	# one computation at a time per key: the workspace's cards ask together; the others wait for it
	with ledger_store.site_lock(f"{key}:lock", LOCK_SECONDS) as locked:
		if locked and (found := hit()):
			return found[1]
		value = build()
		frappe.cache.set_value(key, (version, value), expires_in_sec=CACHE_SECONDS)
		return value


def ledger_summary(company: str) -> dict:
	"""The engine's summary of the company's Payment Ledger today (the workspace cards' overdue, DSO and
	CEI), computed once per ledger version."""
	day = getdate(today())
	return cached("summary", company, (day,), lambda: _summary(company, day))


def _summary(company: str, day) -> dict:
	invoices, events = ledger(company, day)
	return summary(invoices, day, events=events) if len(invoices) else {}


TREND_MONTHS = 12


def monthly_figures(company: str, end=None, months: int = TREND_MONTHS) -> pd.DataFrame | None:
	"""The engine's monthly metrics (DSO, CEI, collections …) of the ``months`` calendar months up to
	``end`` (today by default), computed once per ledger version; None when the company has no invoices.
	What the DSO and CEI Trend report shows."""
	end = getdate(end or today())
	start = getdate(add_months(end, -(months - 1))).replace(day=1)
	return cached("monthly_metrics", company, (start, end), lambda: _monthly(company, start, end))


def _monthly(company: str, start, end):
	invoices, events = ledger(company, end)
	if invoices.empty:
		return None
	return monthly_metrics(invoices, start, end, events=events)


def warm_cache(company: str | None = None) -> None:
	"""Bring the stored book and the cached open invoices of ``company`` (or of every company) up to date
	and compute what the workspace cards and the DSO trend show by default, unless the cache already
	holds them for the current ledger: a scheduled call keeps the first open after a posting (or after
	the nightly scoring) fast, and costs a few indexed aggregates when nothing changed."""
	for name in [company] if company else frappe.get_all("Company", pluck="name"):
		ledger_store.refresh(name)
		open_invoices.table(name)
		ledger_summary(name)
		monthly_figures(name)


def clear_cache() -> None:
	"""Forget every cached ledger figure of this site (the next open computes them afresh)."""
	frappe.cache.delete_keys(CACHE_PREFIX)


def ledger(company: str, as_of=None) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""(invoices, events) of ``company`` at the end of ``as_of``, in the engine's schema: the values of
	:func:`optimar_erp.queries.ledger.get_ledger`, cut from the company's stored book (:mod:`.ledger_store`)."""
	book = ledger_store.book(company)
	return tables_at(book, getdate(as_of or today()), pandas_dates=True, categorical=True)


def open_invoices_today(company: str) -> pd.DataFrame | None:
	"""Today's open invoices and the credit notes that keep their own outstanding (negative), as ERPNext
	keeps them on Sales Invoice (``outstanding_amount`` in step with the Payment Ledger) and its Accounts
	Receivable report lists them, with their risk fields: from the site cache brought up to date
	(:mod:`.open_invoices`) instead of the whole ledger. None when some of them is in another currency
	than the company's (then the ledger's amounts are needed)."""
	frame = open_invoices.get(company)
	return None if frame is None else frame.drop(columns="is_return")
