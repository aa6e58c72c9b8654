"""Cash application: which open invoices does each receipt pay? Ranked suggestions with reasons.

:func:`match_receipts` is pure and deterministic: the Frappe layer passes the unallocated receipts
(Payment Entries, bank statement lines) and the open invoices as plain tables and shows (or, when
``auto_allocate`` is True, applies) what comes back. Nothing here reads a clock or the database.

Inputs
------
Missing optional columns take the default shown; a missing required column raises :class:`ValueError`
naming it, as does a cell that cannot be read (with its row numbers) or a duplicate id.

``receipts`` — money received and not yet allocated:

=============  ======  =========  ====================================================================
column         type    required   meaning
=============  ======  =========  ====================================================================
``receipt``    str     yes        unique receipt id
``amount``     float   yes        amount received, > 0
``date``       date    yes        day the money arrived
``customer``   str     no ("")    customer the receipt is booked to; "" = not known (bank line)
``remarks``    str     no ("")    remarks / narration / reference text of the payment
``currency``   str     no ("")    currency; when both sides have one they must be equal
=============  ======  =========  ====================================================================

``invoices`` — open invoices (rows with ``outstanding`` below 0.005 are ignored):

=================  ======  =========  ================================================================
``invoice``        str     yes        unique invoice id (ERPNext: Sales Invoice name)
``customer``       str     yes        customer id
``posting_date``   date    yes        day the invoice was issued
``due_date``       date    yes        day it is due
``outstanding``    float   yes        amount still open
``po_no``          str     no ("")    the customer's purchase order number
``reference``      str     no ("")    any other reference the customer may quote
``currency``       str     no ("")    invoice currency
=================  ======  =========  ================================================================

How candidates are found
------------------------
1. **References in the remarks.** Invoice names, PO numbers and references are cut into letter and
   digit tokens (``ACC-SINV-2026-00012`` → ``ACC SINV 2026 12``: separators and leading zeros do not
   matter) and indexed by their tails: a tail with letters (``SINV 2026 12``, or letters followed by
   the digits run together: ``SINV202600012``) is a *strong* match, a tail of digit groups
   (``2026-00012``) *medium*, the last number alone (``#12``, ``inv 12``) *weak*, and a number one digit
   away from an invoice's last number (a typo or two swapped digits) *fuzzy*. Weak and fuzzy matches
   count only for the receipt's own customer (or, with no customer, an invoice whose outstanding equals
   the amount). The remarks are cut the same way and every run of 1–4 tokens is looked up.
2. **Exact amount**: open invoices whose outstanding equals the amount (within ``tolerance``), the
   receipt's customer first; other customers' invoices are offered with a heavy penalty.
3. **Combinations**: 2 to ``max_combination`` (at most 4) open invoices of the receipt's customer (given,
   or known from a strong reference) that add up to the amount, searched among the ``combo_pool``
   invoices (not larger than the amount) whose due dates are nearest the receipt date.
4. **Oldest first**: for a known customer when nothing adds up, the open invoices by due date until the
   amount is used up (a low-confidence fallback, as a collector would do by hand).

Confidence
----------
Each suggestion starts from its method's base and is adjusted (then clipped to 0–1):

====================================================  ==============================================
reference, amount exactly the referenced invoices     0.97 strong, 0.92 medium, 0.85 weak/fuzzy
reference, part payment of the referenced invoices    0.80 strong, 0.70 medium, 0.50 weak/fuzzy
reference, amount larger (the rest unallocated)       0.75 strong, 0.65 medium, 0.45 weak/fuzzy
reference + an exact invoice for the remainder        0.85 strong, 0.75 medium
exact amount, same customer                           0.80 (+0.05 when no other open invoice of the
                                                      customer has that amount)
exact amount, receipt without customer                0.60
exact amount, another customer                        0.15
combination of 2 / 3 / 4 invoices                     0.70 / 0.60 / 0.50
oldest first (exact at an invoice boundary)           0.30 (0.50)
====================================================  ==============================================

Adjustments: +0.05 when an invoice falls due within 30 days of the receipt; −0.15 when an invoice was
posted after the receipt date; −0.35 for a reference to another customer's invoice; −0.10 for a
suggestion that is not a reference match when the receipt has no customer. Ties split the confidence:
with *n* equally good exact-amount invoices or *n* combinations of the same size, each gets 1/*n* of it.

When a reference match and an amount match propose the same allocation they are merged (reasons of
both) and get :data:`CORROBORATION` more.

``auto_allocate`` is True for the top suggestion only when its confidence is at least
``auto_threshold`` (default 0.9), the runner-up is at least :data:`AUTO_MARGIN` lower and no other
receipt's auto-allocated top suggestion takes the same invoice — in practice a reference match whose
amount fits, or a unique exact amount of the same customer falling due near the receipt.

Output
------
One row per suggestion (:data:`SUGGESTION_COLUMNS`), at most ``max_suggestions`` per receipt, ranked
1, 2, … by confidence; a receipt with no candidate gets one row with ``method`` ``no_match``, no
invoices and confidence 0. ``invoices`` and ``allocations`` are tuples (same order, allocations add up
to ``allocated``), ``unallocated`` = amount − allocated, ``reasons`` is a ``"; "``-joined sentence list.

Performance: the invoices are indexed once (amount in cents, name tokens, customer); each receipt then
costs a few dictionary look-ups and, for combinations, small numpy searches over at most ``combo_pool``
invoices. ``python -m optimar_erp.benchmarks.engine_cash`` matches 10,000 receipts against 100,000 open
invoices.

Pure pandas/numpy: nothing here imports frappe.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimar_erp.engine.tables import dates, floats, name_list, row_numbers, table, text

RECEIPT_REQUIRED = ("receipt", "amount", "date")
RECEIPT_OPTIONAL: dict[str, object] = {"customer": "", "remarks": "", "currency": ""}
INVOICE_REQUIRED = ("invoice", "customer", "posting_date", "due_date", "outstanding")
INVOICE_OPTIONAL: dict[str, object] = {"po_no": "", "reference": "", "currency": ""}

SUGGESTION_COLUMNS: tuple[str, ...] = (
	"receipt",
	"rank",
	"customer",
	"invoices",
	"allocations",
	"allocated",
	"unallocated",
	"method",
	"confidence",
	"auto_allocate",
	"reasons",
)
"""Columns of the table :func:`match_receipts` returns."""

METHODS: tuple[str, ...] = ("reference", "exact_amount", "combination", "oldest_first", "no_match")
"""Every ``method`` a suggestion can have."""

AUTO_THRESHOLD = 0.9
"""Default confidence a top suggestion needs for ``auto_allocate``."""
AUTO_MARGIN = 0.15
"""How far below the top suggestion the runner-up must be for ``auto_allocate``."""
MAX_COMBINATION = 4
"""The largest number of invoices a combination may have."""
NEAR_DUE_DAYS = 30
CORROBORATION = 0.05
"""Added when a reference match and an amount match suggest the same allocation."""

_STRONG, _MEDIUM, _WEAK, _FUZZY = 3, 2, 1, 0
_STRENGTH_WORD = {_STRONG: "strong", _MEDIUM: "medium", _WEAK: "weak", _FUZZY: "fuzzy"}
_TOKEN = re.compile(r"[A-Za-z]+|\d+")
_LAST_NUMBER = re.compile(r"(\d+)\D*$")
_DATES = re.compile(r"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b")
"""Dates in remarks, dropped before matching (``2026-12-05`` is not invoice 2026-00012)."""
_EPOCH = np.datetime64("1970-01-01", "D")


# ------------------------------------------------------------------------------------------ tokens


def _norm(raw: list[str]) -> list[str]:
	"""Tokens normalised: numbers without leading zeros (letters are already upper-case)."""
	return [t if t[0] > "9" else (t.lstrip("0") or "0") for t in raw]


def _tokens(value: str) -> tuple[list[str], list[str]]:
	"""(normalised tokens, raw tokens): letters upper-cased, numbers without leading zeros."""
	raw = _TOKEN.findall(value.upper())
	return _norm(raw), raw


def _compact(norm: list[str], raw: list[str]) -> str | None:
	"""Letters followed by all digits run together: ``SINV 2026 00012`` → ``SINV|202600012``."""
	letters = [t for t in norm if t[0] > "9"]
	digits = "".join(t for t in raw if t[0] <= "9")
	if not letters or not digits:
		return None
	letters.append(digits.lstrip("0") or "0")
	return "|".join(letters)


def _index_keys(
	values: list[str], rows: list[int], is_name: bool, via_po: int
) -> tuple[list[str], list[int]]:
	"""Index keys of invoice names (``is_name``) or PO numbers / references: (keys, codes), where a code is
	``row * 8 + strength * 2 + via_po`` (:func:`_references` is the look-up side).

	A name ``ACC-SINV-2026-00012`` gives ``ACC|SINV|2026|12``, ``SINV|2026|12`` (strong, they hold
	letters), ``2026|12`` (medium), and the compact forms ``ACC|SINV|202600012``, ``SINV|202600012``
	(strong). A single-token name counts when it is a number of 4+ digits. A PO number or reference is
	always strong: every tail of 2+ tokens, a single token of 5+ digits or 6+ letters, and all its digits
	run together (5+ digits)."""
	keys: list[str] = []
	codes: list[int] = []
	add_key, add_code = keys.append, codes.append
	medium = _MEDIUM * 2 + via_po if is_name else _STRONG * 2 + via_po
	strong = _STRONG * 2 + via_po
	for row, value in zip(rows, values, strict=True):
		raw = _TOKEN.findall(value.upper())
		n = len(raw)
		if n == 0:
			continue
		norm = _norm(raw)
		base = row * 8
		if n == 1:
			token = raw[0]
			numeric = token[0] <= "9"
			if (numeric and len(token) >= (4 if is_name else 5)) or (
				not is_name and not numeric and len(token) >= 6
			):
				add_key(norm[0])
				add_code(base + strong)
			continue
		last_alpha = -1
		for i in range(n - 1, -1, -1):
			if norm[i][0] > "9":
				last_alpha = i
				break
		for i in range(n - 1):
			add_key("|".join(norm[i:]))
			if i <= last_alpha:
				add_code(base + strong)
				letters = [t for t in norm[i:] if t[0] > "9"]
				digits = "".join(t for t in raw[i:] if t[0] <= "9")
				if digits:
					letters.append(digits.lstrip("0") or "0")
					add_key("|".join(letters))
					add_code(base + strong)
			else:
				add_code(base + medium)
		if not is_name:
			joined = "".join(t for t in raw if t[0] <= "9").lstrip("0")
			if len(joined) >= 5:
				add_key(joined)
				add_code(base + strong)
	return keys, codes


def _one_digit_away(token: str) -> set[str]:
	"""Numbers one substitution, adjacent swap, deletion or insertion away from ``token``."""
	out: set[str] = set()
	digits = "0123456789"
	for i in range(len(token)):
		out.update(token[:i] + d + token[i + 1 :] for d in digits)
		out.add(token[:i] + token[i + 1 :])
		if i + 1 < len(token):
			out.add(token[:i] + token[i + 1] + token[i] + token[i + 2 :])
	for i in range(len(token) + 1):
		out.update(token[:i] + d + token[i:] for d in digits)
	out.discard(token)
	return {t.lstrip("0") or "0" for t in out if t}


# ----------------------------------------------------------------------------------------- prepare


def _days(series: pd.Series, name: str) -> np.ndarray:
	return (dates(series, name, required=True) - _EPOCH).astype("int64")


def _prepare_receipts(receipts: pd.DataFrame) -> pd.DataFrame:
	rec = table(receipts, "receipts", RECEIPT_REQUIRED, RECEIPT_OPTIONAL, may_be_empty=True)
	for col in ("receipt", "customer", "remarks", "currency"):
		rec[col] = text(rec[col])
	rec["amount"] = floats(rec["amount"], "receipts.amount")
	if (rec["receipt"] == "").any():
		raise ValueError(f"receipts: receipt id is empty in row(s) {row_numbers(rec['receipt'] == '')}")
	dup = rec["receipt"][rec["receipt"].duplicated()]
	if len(dup):
		raise ValueError(f"receipts: duplicate receipt id(s): {name_list(dup)}")
	if (rec["amount"] <= 0).any():
		raise ValueError(f"receipts.amount must be > 0 (row(s) {row_numbers(rec['amount'] <= 0)})")
	rec["day"] = _days(rec["date"], "receipts.date") if len(rec) else np.array([], "int64")
	return rec


def _prepare_invoices(invoices: pd.DataFrame) -> pd.DataFrame:
	inv = table(invoices, "invoices", INVOICE_REQUIRED, INVOICE_OPTIONAL, may_be_empty=True)
	for col in ("invoice", "customer", "po_no", "reference", "currency"):
		inv[col] = text(inv[col])
	inv["outstanding"] = floats(inv["outstanding"], "invoices.outstanding")
	if (inv["invoice"] == "").any():
		raise ValueError(f"invoices: invoice id is empty in row(s) {row_numbers(inv['invoice'] == '')}")
	dup = inv["invoice"][inv["invoice"].duplicated()]
	if len(dup):
		raise ValueError(f"invoices: duplicate invoice id(s): {name_list(dup)}")
	if len(inv):
		inv["post_day"] = _days(inv["posting_date"], "invoices.posting_date")
		inv["due_day"] = _days(inv["due_date"], "invoices.due_date")
	else:
		inv["post_day"] = inv["due_day"] = np.array([], "int64")
	inv = inv[inv["outstanding"] >= 0.005].sort_values(["due_day", "post_day", "invoice"], kind="stable")
	return inv.reset_index(drop=True)


@dataclass
class _Index:
	"""The open invoices, as arrays and look-up tables (row = position in the sorted invoice table)."""

	name: np.ndarray
	customer: np.ndarray
	currency: np.ndarray
	cents: np.ndarray
	outstanding: np.ndarray
	due: np.ndarray
	post: np.ndarray
	by_cents: dict[int, list[int]]
	by_customer: dict[str, np.ndarray]
	key_position: dict[str, int]
	key_codes: np.ndarray
	"""codes ``row * 8 + strength * 2 + (1 if from the PO/reference else 0)``, grouped by key: those of
	key ``k`` are ``key_codes[key_starts[p]:key_starts[p + 1]]`` with ``p = key_position[k]``"""
	key_starts: np.ndarray
	last_number: dict[str, list[int]]
	"""an invoice's last number (no leading zeros) → rows"""
	customer_number: dict[tuple[str, str], list[int]]
	"""(customer, last number) → rows"""


def _build_index(inv: pd.DataFrame) -> _Index:
	cents = np.rint(inv["outstanding"].to_numpy() * 100).astype("int64")
	by_cents: dict[int, list[int]] = defaultdict(list)
	for row, c in enumerate(cents.tolist()):
		by_cents[c].append(row)
	customer = inv["customer"].to_numpy(dtype=object)
	codes, uniques = pd.factorize(inv["customer"], sort=False)
	order = np.argsort(codes, kind="stable")  # rows stay in due-date order within a customer
	bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
	by_customer = {uniques[k]: order[bounds[k] : bounds[k + 1]] for k in range(len(uniques))}
	all_keys, all_codes = _index_keys(inv["invoice"].tolist(), list(range(len(inv))), True, 0)
	for col in ("po_no", "reference"):
		filled = np.flatnonzero((inv[col] != "").to_numpy()).tolist()
		if filled:
			extra_keys, extra_codes = _index_keys(inv[col].to_numpy()[filled].tolist(), filled, False, 1)
			all_keys += extra_keys
			all_codes += extra_codes
	all_codes = np.asarray(all_codes, dtype=np.int64)
	key_ids, unique_keys = pd.factorize(np.asarray(all_keys, dtype=object))
	order = np.argsort(key_ids, kind="stable")
	starts = np.searchsorted(key_ids[order], np.arange(len(unique_keys) + 1))
	last_number: dict[str, list[int]] = defaultdict(list)
	customer_number: dict[tuple[str, str], list[int]] = defaultdict(list)
	for row, (name, owner) in enumerate(zip(inv["invoice"].tolist(), customer.tolist(), strict=True)):
		m = _LAST_NUMBER.search(name)
		if m:
			number = m.group(1).lstrip("0") or "0"
			last_number[number].append(row)
			customer_number[(owner, number)].append(row)
	return _Index(
		name=inv["invoice"].to_numpy(dtype=object),
		customer=customer,
		currency=inv["currency"].to_numpy(dtype=object),
		cents=cents,
		outstanding=inv["outstanding"].to_numpy(dtype=float),
		due=inv["due_day"].to_numpy(dtype="int64"),
		post=inv["post_day"].to_numpy(dtype="int64"),
		by_cents=dict(by_cents),
		by_customer=by_customer,
		key_position=dict(zip(unique_keys.tolist(), range(len(unique_keys)), strict=True)),
		key_codes=all_codes[order],
		key_starts=starts,
		last_number=dict(last_number),
		customer_number=dict(customer_number),
	)


# ------------------------------------------------------------------------------------------ match


@dataclass
class _Suggestion:
	rows: tuple[int, ...]
	alloc: tuple[float, ...]
	method: str
	confidence: float
	reasons: list[str]


def _money(x: float) -> str:
	return f"{x:,.2f}"


def _references(
	remarks: str, idx: _Index, customer: str, amount_cents: int, tol: int
) -> dict[int, tuple[int, str, bool]]:
	"""Invoice rows the remarks point to: row → (strength, quoted text, via PO/reference)."""
	found: dict[int, tuple[int, str, bool]] = {}
	if not remarks:
		return found
	norm, raw = _tokens(_DATES.sub(" ", remarks))

	def note(row: int, strength: int, quoted: str, via_po: bool) -> None:
		if row not in found or found[row][0] < strength:
			found[row] = (strength, quoted, via_po)

	n = len(norm)
	for end in range(1, n + 1):
		for length in range(1, min(4, end) + 1):
			window, window_raw = norm[end - length : end], raw[end - length : end]
			quoted = " ".join(window_raw)
			candidates = {"|".join(window)}
			compact = _compact(window, window_raw) if length > 1 else None
			if compact:
				candidates.add(compact)
			if length == 1 and window[0].isalpha():
				candidates.add(window[0])
			for key in candidates:
				p = idx.key_position.get(key)
				if p is None:
					continue
				hits = idx.key_codes[idx.key_starts[p] : idx.key_starts[p + 1]].tolist()
				if len(hits) > 3:  # a key shared by many invoices (a PO billed in parts, a short number)
					hits = [h for h in hits if customer and idx.customer[h >> 3] == customer][:20]
				for code in hits:
					note(code >> 3, (code >> 1) & 3, quoted, bool(code & 1))
	weak_rows: list[tuple[int, str]] = []
	for tok_norm, tok_raw in zip(norm, raw, strict=True):
		if tok_norm.isdigit():
			hits = idx.last_number.get(tok_norm)
			if hits is not None:
				weak_rows.extend((row, tok_raw) for row in hits[:50])
	for row, quoted in weak_rows:
		if (customer and idx.customer[row] == customer) or (
			not customer and abs(int(idx.cents[row]) - amount_cents) <= tol
		):
			note(row, _WEAK, quoted, False)
	if customer and not any(s >= _MEDIUM for s, _, _ in found.values()):
		own = idx.customer_number
		for tok_norm, tok_raw in zip(norm, raw, strict=True):
			if tok_norm.isdigit() and len(tok_raw) >= 3 and (customer, tok_norm) not in own:
				for variant in _one_digit_away(tok_norm):
					for row in own.get((customer, variant), ()):
						note(row, _FUZZY, tok_raw, False)
	return found


@functools.lru_cache(maxsize=64)
def _upper(n: int) -> np.ndarray:
	"""The n × n mask of pairs i < j."""
	mask = np.triu(np.ones((n, n), dtype=bool), 1)
	mask.setflags(write=False)
	return mask


def _combinations(cents: np.ndarray, target: int, tol: int, max_k: int, limit: int) -> list[tuple[int, ...]]:
	"""Index tuples (ascending) of 2..max_k entries of ``cents`` adding up to ``target`` ± ``tol``;
	the smallest size that has any, at most ``limit`` of them."""
	n = len(cents)
	if n < 2:
		return []
	pair = cents[:, None] + cents[None, :]
	upper = _upper(n)
	hits = np.argwhere((np.abs(pair - target) <= tol) & upper)
	if len(hits):
		return [tuple(int(i) for i in h) for h in hits[:limit]]
	if max_k < 3 or n < 3:
		return []
	out: list[tuple[int, ...]] = []
	for i in range(n - 2):
		sub = pair[i + 1 :, i + 1 :]
		found = np.argwhere((np.abs(sub - (target - cents[i])) <= tol) & upper[i + 1 :, i + 1 :])
		out.extend((i, int(j) + i + 1, int(k) + i + 1) for j, k in found)
		if len(out) >= limit:
			return out[:limit]
	if out or max_k < 4 or n < 4:
		return out
	ii, jj = np.nonzero(upper)
	sums = pair[ii, jj]
	order = np.argsort(sums, kind="stable")
	ss, si, sj = sums[order], ii[order], jj[order]
	lo = np.searchsorted(ss, target - sums - tol, "left")
	hi = np.searchsorted(ss, target - sums + tol, "right")
	for p in np.flatnonzero(hi > lo):
		a, b = int(ii[p]), int(jj[p])
		for q in range(lo[p], hi[p]):
			c, d = int(si[q]), int(sj[q])
			if b < c:  # a < b < c < d: each set once
				out.append((a, b, c, d))
				if len(out) >= limit:
					return out
	return out


def _fifo(rows: np.ndarray, idx: _Index, amount: float) -> tuple[list[int], list[float], bool]:
	"""Oldest due first until ``amount`` is used up: (rows, allocations, ends exactly on an invoice)."""
	used, alloc, left = [], [], amount
	for row in rows:
		if left < 0.005:
			break
		take = min(left, float(idx.outstanding[row]))
		used.append(int(row))
		alloc.append(round(take, 2))
		left -= take
	exact = left < 0.005 and bool(alloc) and abs(alloc[-1] - idx.outstanding[used[-1]]) < 0.005
	return used, alloc, exact


def _fits(idx: _Index, currency: str, row: int) -> bool:
	"""True when invoice ``row`` may take money in ``currency``: either side without one always fits."""
	return not currency or not idx.currency[row] or idx.currency[row] == currency


def _rows_suggestion(
	idx: _Index, rows: list[int], method: str, confidence: float, reasons: list[str]
) -> _Suggestion:
	"""A suggestion allocating to each of ``rows`` its whole outstanding."""
	return _Suggestion(
		tuple(rows), tuple(float(idx.outstanding[x]) for x in rows), method, confidence, reasons
	)


def _quoted(refs: dict[int, tuple[int, str, bool]], ref_rows: list[int], idx: _Index) -> str:
	"""The reason sentence naming (at most five of) the referenced invoices and what the remarks quoted."""
	return "; ".join(
		f"remarks {'quote' if refs[row][0] >= _MEDIUM else 'resemble'} {idx.name[row]} ('{refs[row][1]}'"
		f"{', its PO/reference' if refs[row][2] else ''})"
		for row in ref_rows[:5]
	)


def _part_payment(
	ref_rows: list[int],
	idx: _Index,
	amount: float,
	target: int,
	tol: int,
	max_k: int,
	strength: int,
	quoted: str,
) -> list[_Suggestion]:
	"""Less than the referenced invoices owe: a unique subset of them adding up to the amount (if any),
	then the referenced invoices oldest due first until the amount is used up."""
	strong, medium = strength == _STRONG, strength == _MEDIUM
	out: list[_Suggestion] = []
	exact_subset = None
	if 2 <= len(ref_rows) <= 8:
		subsets = _combinations(idx.cents[ref_rows], target, tol, min(max_k, len(ref_rows)), 2)
		if len(subsets) == 1:
			exact_subset = [ref_rows[i] for i in subsets[0]]
	if exact_subset:
		base = 0.93 if strong else 0.88 if medium else 0.8
		reason = f"{len(exact_subset)} of the quoted invoices add up to {_money(amount)}"
		out.append(_rows_suggestion(idx, exact_subset, "reference", base, [quoted, reason]))
	used, alloc, _ = _fifo(np.asarray(ref_rows), idx, amount)
	base = 0.8 if strong else 0.7 if medium else 0.5
	total = int(idx.cents[ref_rows].sum())
	word = _STRENGTH_WORD[strength]
	reason = f"part payment: {_money(amount)} of {_money(total / 100)} outstanding ({word} match)"
	out.append(_Suggestion(tuple(used), tuple(alloc), "reference", base, [quoted, reason]))
	return out


def _overpayment(
	refs: dict[int, tuple[int, str, bool]],
	ref_rows: list[int],
	ref_customer: str,
	idx: _Index,
	currency: str,
	amount: float,
	target: int,
	tol: int,
	strength: int,
	quoted: str,
) -> list[_Suggestion]:
	"""More than the referenced invoices owe: (strong or medium references only) they plus one invoice of
	the same customer owing exactly the remainder, then the referenced invoices alone."""
	strong, medium = strength == _STRONG, strength == _MEDIUM
	total = int(idx.cents[ref_rows].sum())
	remainder = target - total
	owner = ref_customer or idx.customer[ref_rows[0]]
	extra = [
		row
		for c in range(remainder - tol, remainder + tol + 1)
		for row in idx.by_cents.get(c, ())
		if idx.customer[row] == owner and row not in refs and _fits(idx, currency, row)
	]
	out: list[_Suggestion] = []
	if len(extra) >= 1 and strength >= _MEDIUM:
		rows = sorted([*ref_rows, extra[0]], key=lambda x: (idx.due[x], x))
		reason = f"the remaining {_money(remainder / 100)} equals the outstanding of {idx.name[extra[0]]}" + (
			f" (one of {len(extra)} such invoices)" if len(extra) > 1 else ""
		)
		out.append(
			_rows_suggestion(
				idx, rows, "reference", (0.85 if strong else 0.75) / len(extra), [quoted, reason]
			)
		)
	base = 0.75 if strong else 0.65 if medium else 0.45
	reason = f"leaves {_money(amount - total / 100)} unallocated ({_STRENGTH_WORD[strength]} match)"
	out.append(_rows_suggestion(idx, ref_rows, "reference", base, [quoted, reason]))
	return out


def _reference_suggestions(
	r, idx: _Index, target: int, tol: int, max_k: int
) -> tuple[list[_Suggestion], str]:
	"""Method 1, references in the remarks: (suggestions, the customer they point to).

	Only the rows of the strongest strength found are used. The customer is the receipt's own, or, for a
	receipt without one, the single owner of those rows ("" when none or several). Every suggestion loses
	0.35 when a referenced invoice belongs to another customer than the receipt's."""
	amount, customer, currency = float(r.amount), r.customer, r.currency
	found = _references(r.remarks, idx, customer, target, tol)
	refs = {row: v for row, v in found.items() if _fits(idx, currency, row)}
	best_strength = max((s for s, _, _ in refs.values()), default=None)
	if best_strength is None:
		return [], customer
	ref_rows = sorted(
		(row for row, v in refs.items() if v[0] == best_strength), key=lambda x: (idx.due[x], x)
	)
	ref_customer = customer
	if not customer:
		owners = {idx.customer[row] for row in ref_rows}
		ref_customer = owners.pop() if len(owners) == 1 else ""
	quoted = _quoted(refs, ref_rows, idx)
	total = int(idx.cents[ref_rows].sum())
	if abs(total - target) <= tol:
		base = 0.97 if best_strength == _STRONG else 0.92 if best_strength == _MEDIUM else 0.85
		word = _STRENGTH_WORD[best_strength]
		reason = f"amount {_money(amount)} equals their outstanding ({word} match)"
		out = [_rows_suggestion(idx, ref_rows, "reference", base, [quoted, reason])]
	elif target < total:
		out = _part_payment(ref_rows, idx, amount, target, tol, max_k, best_strength, quoted)
	else:
		out = _overpayment(
			refs, ref_rows, ref_customer, idx, currency, amount, target, tol, best_strength, quoted
		)
	if customer and any(idx.customer[row] != customer for row in ref_rows):
		others = sorted({idx.customer[row] for row in ref_rows if idx.customer[row] != customer})
		for s in out:
			s.confidence -= 0.35
			s.reasons.append(f"the quoted invoice belongs to {', '.join(others)}, the receipt to {customer}")
	return out, ref_customer


def _exact_amount_suggestions(r, idx: _Index, target: int, tol: int) -> tuple[list[_Suggestion], bool]:
	"""Method 2, open invoices owing exactly the amount: (suggestions, whether any is the receipt's own
	customer's). The customer's own invoices come alone when there are any; otherwise the (at most five)
	others due nearest the receipt, heavily penalised when the receipt has another customer."""
	amount, customer, day = float(r.amount), r.customer, int(r.day)
	exact_rows = [
		row
		for c in range(target - tol, target + tol + 1)
		for row in idx.by_cents.get(c, ())
		if _fits(idx, r.currency, row)
	]
	own = [row for row in exact_rows if customer and idx.customer[row] == customer]
	out: list[_Suggestion] = []
	if own:
		unique = len(own) == 1
		for row in own:
			reason = f"amount {_money(amount)} equals the outstanding of {idx.name[row]}, same customer"
			s = _rows_suggestion(idx, [row], "exact_amount", (0.85 if unique else 0.8) / len(own), [reason])
			if not unique:
				s.reasons.append(f"one of {len(own)} open invoices of {customer} with this amount")
			out.append(s)
		return out, True
	for row in sorted(exact_rows, key=lambda x: (abs(idx.due[x] - day), x))[:5]:
		if customer:
			reasons = [
				f"amount {_money(amount)} equals the outstanding of {idx.name[row]}",
				f"but it belongs to {idx.customer[row]}, the receipt to {customer}",
			]
			s = _rows_suggestion(idx, [row], "exact_amount", 0.15 / len(exact_rows), reasons)
		else:
			reason = (
				f"amount {_money(amount)} equals the outstanding of {idx.name[row]} ({idx.customer[row]})"
			)
			s = _rows_suggestion(idx, [row], "exact_amount", 0.6 / len(exact_rows), [reason])
			if len(exact_rows) > 1:
				s.reasons.append(f"one of {len(exact_rows)} open invoices with this amount")
		out.append(s)
	return out, False


def _combination_suggestions(
	r, idx: _Index, pool_customer: str, target: int, tol: int, max_k: int, combo_pool: int
) -> list[_Suggestion]:
	"""Methods 3 and 4 for ``pool_customer``: combinations of its open invoices adding up to the amount,
	searched among the ``combo_pool`` (not larger than the amount) due nearest the receipt; when there is
	none, its open invoices oldest due first. Empty when it has no open invoice in the currency."""
	amount, day, currency = float(r.amount), int(r.day), r.currency
	rows = idx.by_customer.get(pool_customer, np.array([], "int64"))
	rows = rows[[_fits(idx, currency, int(x)) for x in rows]] if currency else rows
	if not len(rows):
		return []
	pool = rows[idx.cents[rows] <= target + tol]
	if len(pool) > combo_pool:
		pool = pool[np.argsort(np.abs(idx.due[pool] - day), kind="stable")[:combo_pool]]
		pool = np.sort(pool)
	combos = _combinations(idx.cents[pool], target, tol, max_k, 6) if max_k >= 2 else []
	out: list[_Suggestion] = []
	for combo in combos:
		chosen = [int(pool[i]) for i in combo]
		k = len(chosen)
		reasons = [f"{k} open invoices of {pool_customer} add up to {_money(amount)}"] + (
			[f"one of {len(combos)} such combinations"] if len(combos) > 1 else []
		)
		out.append(
			_rows_suggestion(idx, chosen, "combination", {2: 0.7, 3: 0.6}.get(k, 0.5) / len(combos), reasons)
		)
	if not combos:
		used, alloc, exact = _fifo(rows, idx, amount)
		left = amount - sum(alloc)
		reasons = [f"no invoice or combination matches; oldest open invoices of {pool_customer} first"]
		if left >= 0.005:
			reasons.append(f"leaves {_money(left)} unallocated")
		out.append(_Suggestion(tuple(used), tuple(alloc), "oldest_first", 0.5 if exact else 0.3, reasons))
	return out


def _adjust(out: list[_Suggestion], idx: _Index, day: int, customer: str) -> None:
	"""Apply the confidence adjustments (in place; see the module docstring) and clip to 0–1."""
	for s in out:
		due = idx.due[list(s.rows)]
		if np.min(np.abs(due - day)) <= NEAR_DUE_DAYS:
			s.confidence += 0.05
			s.reasons.append(f"due within {NEAR_DUE_DAYS} days of the receipt")
		if (idx.post[list(s.rows)] > day).any():
			s.confidence -= 0.15
			s.reasons.append("an invoice was posted after the receipt date")
		if not customer and s.method != "reference":
			s.confidence -= 0.1
			s.reasons.append("the receipt has no customer")
		s.confidence = float(min(1.0, max(0.0, s.confidence)))


def _suggest(r, idx: _Index, tol: int, max_k: int, combo_pool: int) -> list[_Suggestion]:
	"""Every candidate suggestion for one receipt (before ranking): references, exact amounts, then, for
	a known customer when neither gave an exact allocation, combinations or oldest first."""
	target = int(round(float(r.amount) * 100))
	out, ref_customer = _reference_suggestions(r, idx, target, tol, max_k)
	exact, own = _exact_amount_suggestions(r, idx, target, tol)
	out += exact
	pool_customer = r.customer or ref_customer
	exact_found = own or any(abs(sum(s.alloc) * 100 - target) <= tol and s.confidence >= 0.5 for s in out)
	if pool_customer and not exact_found:
		out += _combination_suggestions(r, idx, pool_customer, target, tol, max_k, combo_pool)
	_adjust(out, idx, int(r.day), r.customer)
	return out


def _one_receipt_per_invoice(out: pd.DataFrame) -> None:
	"""Withdraw ``auto_allocate`` (in place) from receipts whose top suggestion shares an invoice with
	another receipt's auto-allocated top suggestion: which one it belongs to is a person's call."""
	auto = out.index[out["auto_allocate"].to_numpy(dtype=bool)]
	claims: dict[str, list[int]] = defaultdict(list)
	for i in auto:
		for name in out.at[i, "invoices"]:
			claims[name].append(i)
	for name, owners in claims.items():
		if len(owners) > 1:
			for i in owners:
				others = ", ".join(out.loc[[j for j in owners if j != i], "receipt"])
				out.at[i, "auto_allocate"] = False
				out.at[i, "reasons"] += f"; {name} is also the best match of receipt(s) {others}"


def match_receipts(
	receipts: pd.DataFrame,
	invoices: pd.DataFrame,
	*,
	tolerance: float = 0.01,
	max_combination: int = 3,
	combo_pool: int = 40,
	max_suggestions: int = 3,
	auto_threshold: float = AUTO_THRESHOLD,
) -> pd.DataFrame:
	"""Ranked invoice suggestions for every receipt (see the module docstring for the rules).

	``tolerance``: how far (in currency units) a sum may be from the amount and still be exact;
	``max_combination``: the largest combination searched (2–4); ``combo_pool``: how many of the
	customer's invoices a combination is searched among; ``max_suggestions``: rows kept per receipt.
	"""
	if not 1 <= max_combination <= MAX_COMBINATION:
		raise ValueError(f"max_combination must be between 1 and {MAX_COMBINATION}")
	if max_suggestions < 1 or combo_pool < 2 or tolerance < 0:
		raise ValueError("max_suggestions must be >= 1, combo_pool >= 2 and tolerance >= 0")
	rec = _prepare_receipts(receipts)
	inv = _prepare_invoices(invoices)
	idx = _build_index(inv)
	tol = int(round(tolerance * 100))
	rows: list[tuple] = []
	for r in rec.itertuples(index=False):
		found = _suggest(r, idx, tol, max_combination, combo_pool)
		best: dict[tuple[int, ...], _Suggestion] = {}
		for s in found:
			key = tuple(sorted(s.rows))
			if key not in best:
				best[key] = s
			elif tuple(best[key].alloc) == tuple(s.alloc) or sorted(best[key].alloc) == sorted(s.alloc):
				# two methods agree on the same allocation: keep the stronger, note the other, add a little
				keep, other = (best[key], s) if best[key].confidence >= s.confidence else (s, best[key])
				keep.reasons.extend(x for x in other.reasons if x not in keep.reasons)
				keep.confidence = min(1.0, keep.confidence + CORROBORATION)
				best[key] = keep
			elif best[key].confidence < s.confidence:
				best[key] = s
		ranked = sorted(
			best.values(),
			key=lambda s: (-s.confidence, len(s.rows), int(idx.due[list(s.rows)].min()), s.rows),
		)[:max_suggestions]
		if not ranked:
			rows.append(
				(
					r.receipt,
					1,
					"",
					(),
					(),
					0.0,
					float(r.amount),
					"no_match",
					0.0,
					False,
					"no open invoice matches the amount, the customer or the remarks",
				)
			)
			continue
		top, second = ranked[0], (ranked[1] if len(ranked) > 1 else None)
		auto = top.confidence >= auto_threshold and (
			second is None or second.confidence <= top.confidence - AUTO_MARGIN
		)
		for rank, s in enumerate(ranked, start=1):
			allocated = round(sum(s.alloc), 2)
			owners = sorted({idx.customer[x] for x in s.rows})
			rows.append(
				(
					r.receipt,
					rank,
					", ".join(owners),
					tuple(idx.name[x] for x in s.rows),
					tuple(round(a, 2) for a in s.alloc),
					allocated,
					round(float(r.amount) - allocated, 2),
					s.method,
					round(s.confidence, 3),
					bool(auto and rank == 1),
					"; ".join(s.reasons),
				)
			)
	out = pd.DataFrame.from_records(rows, columns=list(SUGGESTION_COLUMNS))
	_one_receipt_per_invoice(out)
	return out.astype(
		{
			"rank": "int64",
			"allocated": float,
			"unallocated": float,
			"confidence": float,
			"auto_allocate": bool,
		}
	)
