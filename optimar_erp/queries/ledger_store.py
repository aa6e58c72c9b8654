"""Each company's receivable ledger kept ready for the reports, brought up to date from what changed.

Reading a whole Payment Ledger (a million rows) and netting it takes seconds; the reports and the
workspace cards need it after every posting. So the :class:`optimar_erp.queries.ledger.NettedLedger` of
each company is kept in a file of the site, with the point of the ledger it reflects (the latest ``modified`` and the
number of rows), and an open after new postings re-reads only the invoices whose ledger rows were
inserted or changed (cancellations delink rows by updating them) since then, through the index on
``modified``, and splices them in. When rows were deleted (noticed at the next change: the row count
does not add up; ERPNext deletes only rows that count for nothing or that a reposting writes anew), when
the file is missing, unreadable or of another format, or when too much changed, it is read afresh.

The request that finds new rows does not write the file back: the background refresh queued after a
posting (and every 15 minutes, :func:`optimar_erp.queries.figures.warm_cache`) does, and once a day
it also reads the whole book afresh, for changes that leave ``modified`` alone (a renamed customer).
"""

import contextlib
import hashlib
import os
import pickle
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

import frappe
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import now_datetime

from optimar_erp.queries.frames import latest_modified, modified_since
from optimar_erp.queries.ledger import NettedLedger, read_book

FORMAT = 1
"""The file's layout; a file of another format is read afresh."""
MAX_CHANGED = 20_000
"""More ledger rows changed than this: the whole book is read afresh instead."""
REBUILD_AFTER = timedelta(hours=24)
LOCK_SECONDS = 300


@dataclass
class Stored:
	book: NettedLedger
	modified: datetime | None
	"""The latest ``modified`` of the Payment Ledger when the book was read (None: it was empty)."""
	rows: int
	"""The number of Payment Ledger rows (of every company) then."""
	built: datetime
	"""When the whole book was last read afresh."""


def book(company: str) -> NettedLedger:
	"""The company's book as of now: from the file, with what changed since spliced in."""
	return _current(company, save=False)[0]


def refresh(company: str, rebuild_after: timedelta = REBUILD_AFTER) -> str:
	"""Bring the company's file up to date (read afresh when older than ``rebuild_after``); returns what
	was done: "unchanged", "updated" or "rebuilt"."""
	return _current(company, save=True, rebuild_after=rebuild_after)[1]


def forget(company: str | None = None) -> None:
	"""Delete the file of ``company`` (every company: None); the next open reads the book afresh."""
	where = folder()
	if not os.path.isdir(where):
		return
	names = [_file(company)] if company else [os.path.join(where, f) for f in os.listdir(where)]
	for path in names:
		with contextlib.suppress(FileNotFoundError):
			os.remove(path)


def _current(company: str, save: bool, rebuild_after: timedelta | None = None) -> tuple[NettedLedger, str]:
	stale = _too_old(stored := _load(company), rebuild_after)
	if stored and not stale and (found := _brought_up_to_date(company, stored, save)):
		return found
	with site_lock(f"optimar:ledger-store:{company}", LOCK_SECONDS):  # one full read at a time per company
		if not stale and (stored := _load(company)) and (found := _brought_up_to_date(company, stored, save)):
			return found
		# the point before reading: a posting during the read is read again next time
		latest, rows = latest_modified("Payment Ledger Entry"), _rows()
		fresh = Stored(read_book(company), latest, rows, now_datetime())
		_save(company, fresh)
		return fresh.book, "rebuilt"


def _too_old(stored: "Stored | None", rebuild_after: timedelta | None) -> bool:
	return bool(stored and rebuild_after is not None and now_datetime() - stored.built > rebuild_after)


def _brought_up_to_date(company: str, stored: Stored, save: bool) -> tuple[NettedLedger, str] | None:
	"""The stored book brought up to date, and what was done; None when it must be read afresh. Only a
	refresh that saves (the background job) counts the rows for deletions (a count costs a scan of the
	ledger's smallest index); an open that finds new rows splices them in and leaves the rest to it."""
	latest = latest_modified("Payment Ledger Entry")
	if stored.modified == latest:
		return stored.book, "unchanged"
	if updated := _updated(company, stored, latest, count=save):
		if save:
			_save(company, updated)
		return updated.book, "updated"
	return None


def _rows() -> int:
	ple = frappe.qb.DocType("Payment Ledger Entry")
	return int(frappe.qb.from_(ple).select(Count("*")).run()[0][0])


def _updated(company: str, stored: Stored, latest: datetime | None, count: bool) -> Stored | None:
	"""``stored`` with the invoices whose ledger rows changed since its point read again; None when it
	cannot be done that way (too many changes, an empty book before, or — checked when ``count`` — rows
	deleted)."""
	if stored.modified is None or latest is None or latest < stored.modified:
		return None  # empty before, or the ledger went back (rows deleted): read afresh
	since = modified_since("Payment Ledger Entry", stored.modified, MAX_CHANGED)
	if since is None:
		return None
	ple = frappe.qb.DocType("Payment Ledger Entry")
	rows = stored.rows
	if count:
		new_rows = since.select(Sum(Case().when(ple.creation > stored.modified, 1).else_(0))).run()[0][0]
		rows = _rows()
		if stored.rows + int(new_rows or 0) != rows:
			return None  # some row was deleted: read afresh
	changed = [
		r[0]
		for r in since.select(ple.against_voucher_no)
		.distinct()
		.where((ple.company == company) & (ple.against_voucher_type == "Sales Invoice"))
		.run()
	]
	if changed:
		spliced = splice(stored.book, read_book(company, names=changed), changed)
	else:
		spliced = stored.book
	return Stored(spliced, latest, rows, stored.built)


def splice(book: NettedLedger, part: NettedLedger, names: list[str]) -> NettedLedger:
	"""``book`` with the invoices ``names`` replaced by what ``part`` (read for those names) holds of
	them: the same book as one read afresh. The untouched invoices and their movements keep their order;
	the new ones are merged in by binary search, so the cost grows with the book only linearly."""
	old, new = book.invoices, part.invoices  # both sorted by invoice
	kept = ~old["invoice"].isin(names).to_numpy()
	n_kept = int(kept.sum())
	at = np.searchsorted(old["invoice"].to_numpy()[kept], new["invoice"].to_numpy())
	kept_final = np.arange(n_kept) + np.searchsorted(at, np.arange(n_kept), side="right")
	new_final = at + np.arange(len(at))
	order = np.empty(n_kept + len(at), dtype=np.int64)  # final row → row of the concatenation
	order[kept_final] = np.arange(n_kept)
	order[new_final] = n_kept + np.arange(len(at))
	invoices = pd.concat([old[kept], new], ignore_index=True).iloc[order].reset_index(drop=True)
	old_code = np.full(len(old), -1, dtype=np.int64)
	old_code[kept] = kept_final

	stay = book.events[kept[book.events["code"].to_numpy()]]
	customers = book.events["customer"].cat.categories
	if not part.events["customer"].cat.categories.isin(customers).all():
		customers = pd.Index(sorted(set(customers) | set(part.events["customer"].cat.categories)))
	events = pd.concat(
		[
			stay.assign(
				code=old_code[stay["code"].to_numpy()],
				customer=stay["customer"].cat.set_categories(customers),
			),
			part.events.assign(
				code=new_final[part.events["code"].to_numpy()],
				customer=part.events["customer"].cat.set_categories(customers),
			),
		],
		ignore_index=True,
	)
	# by invoice (stable: each invoice's rows come from one side, already by customer and date); the two
	# sorted runs make it a merge
	order = np.argsort(events["code"].to_numpy(), kind="stable")
	return NettedLedger(invoices, events.iloc[order].reset_index(drop=True))


# ------------------------------------------------------------------------------------------- the file


def folder() -> str:
	return frappe.get_site_path("optimar_ledger")


def _file(company: str) -> str:
	digest = hashlib.sha1(company.encode()).hexdigest()[:16]
	return os.path.join(folder(), f"{digest}.pickle")


def _load(company: str) -> Stored | None:
	try:
		with open(_file(company), "rb") as f:
			content = pickle.load(f)
	except FileNotFoundError:
		return None
	except Exception:  # a torn or foreign file (another pandas, another layout): read afresh
		return None
	if not isinstance(content, dict) or content.get("format") != FORMAT or content.get("company") != company:
		return None
	return content["stored"]


def _save(company: str, stored: Stored) -> None:
	"""Write the file, unless this transaction has written something: its rows may still be rolled back,
	and a book holding them must not outlive it."""
	if frappe.db.transaction_writes:
		return
	os.makedirs(folder(), exist_ok=True)
	path = _file(company)
	temporary = f"{path}.{os.getpid()}.{time.monotonic_ns()}"
	with open(temporary, "wb") as f:
		pickle.dump({"format": FORMAT, "company": company, "stored": stored}, f, protocol=5)
	os.replace(temporary, path)  # readers see the old file or the new one, never half of one


@contextlib.contextmanager
def site_lock(name: str, seconds: int):
	"""Hold the site-wide lock ``name`` (waiting for it at most ``seconds``, held at most as long); yields
	whether it was got, so a caller that waited can look again for what the holder made."""
	lock = frappe.cache.lock(frappe.cache.make_key(name), timeout=seconds)
	locked = lock.acquire(blocking_timeout=seconds)
	try:
		yield locked
	finally:
		if locked:
			with contextlib.suppress(Exception):  # expired meanwhile: nothing to release
				lock.release()
