"""The invoice table: the one shape every part of the engine reads.

One row per customer invoice (credit notes and payments are not rows here; they are *events*, see
:mod:`optimar_erp.engine.analytics`).

==================  ==========  =========  ==========================================================
column              type        required   meaning
==================  ==========  =========  ==========================================================
``invoice``         str         yes        unique invoice id (ERPNext: Sales Invoice name)
``customer``        str         yes        customer id (ERPNext: Customer name)
``posting_date``    date        yes        date the invoice was issued
``due_date``        date        yes        date payment is due; never before ``posting_date``
``grand_total``     float       yes        invoiced amount, >= 0, in the invoice currency
``outstanding``     float       yes        amount still owed when the table was taken,
                                           0 <= outstanding <= grand_total (+0.005 rounding)
``settled_date``    date/empty  yes        date the balance reached 0; empty = not settled
``company``         str         no ("")    selling company
``currency``        str         no ("")    invoice currency code (USD, EUR, ...)
``disputed``        bool        no (False) an open dispute is raised on the invoice
``country``         str         no ("")    customer's country
``channel``         str         no ("")    preferred reminder channel
``customer_name``   str         no (=id)   customer's display name
==================  ==========  =========  ==========================================================

Other columns are kept untouched after these. :func:`validate_invoices` turns any table of that shape
into the normalised form (dates as midnight ``datetime64[ns]``, floats, bools, stripped strings) or
raises :class:`SchemaError` listing every problem with the row and column it sits in.
:func:`read_ledger` reads a CSV/Excel export, recognising common header names.

Row numbers in messages are the line numbers a user sees in the file: the header is row 1, so the
first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.engine.dates import parse_date_columns

REQUIRED_COLUMNS: tuple[str, ...] = (
	"invoice",
	"customer",
	"posting_date",
	"due_date",
	"grand_total",
	"outstanding",
	"settled_date",
)
"""Columns every invoice table must have."""

OPTIONAL_DEFAULTS: dict[str, object] = {
	"company": "",
	"currency": "",
	"disputed": False,
	"country": "",
	"channel": "",
	"customer_name": None,  # None: defaults to the customer id
}
"""Optional columns and the value a missing column (or an empty cell) takes."""

FIELDS: tuple[str, ...] = REQUIRED_COLUMNS + tuple(OPTIONAL_DEFAULTS)
"""Every engine field, in the order :func:`validate_invoices` returns them."""

DATE_COLUMNS = ("posting_date", "due_date", "settled_date")

MAX_LISTED_ERRORS = 20

# Header aliases, compared after lower-casing and dropping everything but letters and digits.
# Order matters: an earlier alias wins when a file has several candidate columns.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
	"invoice": (
		"invoice",
		"invoice_no",
		"invoice_number",
		"invoice_id",
		"voucher_no",
		"voucher_number",
		"sales_invoice",
		"doc_id",
		"document_number",
		"document_no",
		"documentno",  # SAP FBL5N
		"doc_no",
		"bill_no",
		"inv_no",
		"num",  # QuickBooks
		"transaction_no",
		"transaction",  # Zoho Books "Transaction#"
		"ref_no",  # Tally "Ref. No."
		"reference_no",
		"bill_ref",
		"ar_id",
		"number",  # Odoo
	),
	"customer": (
		"customer",
		"party",
		"cust_number",
		"customer_id",
		"customer_code",
		"customer_number",
		"client",
		"client_id",
		"debtor",
		"account",  # SAP FBL5N: the customer account
		"contact",  # Xero
		"partner",  # Odoo
	),
	"customer_name": (
		"customer_name",
		"name_customer",
		"party_name",
		"partys_name",  # Tally "Party's Name"
		"client_name",
		"debtor_name",
		"contact_name",
		"partner_name",
		"customer_full_name",
		"vendor_name",
		"name",
	),
	"posting_date": (
		"posting_date",
		"invoice_date",
		"pstng_date",  # SAP
		"document_date",
		"doc_date",
		"invoice_bill_date",  # Odoo "Invoice/Bill Date"
		"bill_date",
		"issue_date",
		"transaction_date",
		"txn_date",
		"date",
	),
	"due_date": (
		"due_date",
		"due_in_date",
		"payment_due_date",
		"net_due_date",
		"net_due_dt",  # SAP "Net due dt"
		"due_on",
		"due",
	),
	"grand_total": (
		"grand_total",
		"invoiced_amount",
		"invoice_amount",
		"total_open_amount",
		"amount_in_local_cur",  # SAP "Amount in local cur."
		"amount_in_lc",
		"amount_in_doc_curr",
		"original_amount",
		"opening_amount",  # Tally bills: the bill's amount
		"bill_amount",
		"total_signed",  # Odoo
		"invoice_total",
		"amount",
		"total",
		"rounded_total",
	),
	"outstanding": (
		"outstanding",
		"outstanding_amount",
		"balance",
		"balance_due",
		"open_balance",  # QuickBooks
		"amount_due",
		"amount_due_signed",  # Odoo
		"due_as_of_now",
		"pending_amount",  # Tally
		"pending",
		"open_amount",
		"amount_residual",
		"residual",
	),
	"settled_date": (
		"settled_date",
		"clear_date",
		"cleared_date",
		"clearing_date",
		"clearing",  # SAP FBL5N
		"paid_date",
		"payment_date",
		"received_date",
		"date_received",
		"settlement_date",
		"date_paid",
		"fully_paid_on",
	),
	"company": ("company", "company_code"),
	"currency": ("currency", "invoice_currency", "currency_code", "lcurr", "curr"),
	"disputed": ("disputed", "in_dispute", "dispute"),
	"country": ("country",),
	"channel": ("channel",),
}

TYPE_ALIASES: tuple[str, ...] = (
	"transaction_type",
	"voucher_type",
	"document_type",
	"doc_type",
	"type",
	"move_type",
)
"""Headers of a column saying what each row is (QuickBooks "Transaction Type", ERPNext "Voucher Type",
SAP "Type", Zoho "Type"): when it holds invoice rows, only those are read."""
INVOICE_TYPES = frozenset(
	{"invoice", "salesinvoice", "taxinvoice", "customerinvoice", "bill", "sales", "debitnote", "dr", "rv"}
)
"""Row types that are invoices (compared lower-case, letters only; SAP: RV billing document, DR
customer invoice)."""

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}


class SchemaError(ValueError):
	"""An invoice table that cannot be used; ``errors`` lists every problem, one message each."""

	def __init__(self, errors: Iterable[str]):
		self.errors: list[str] = list(errors)
		super().__init__(self._render())

	def _render(self) -> str:
		shown = self.errors[:MAX_LISTED_ERRORS]
		text = "\n".join(f"- {e}" for e in shown)
		if len(self.errors) > MAX_LISTED_ERRORS:
			text += f"\n- and {len(self.errors) - MAX_LISTED_ERRORS} more"
		return f"{len(self.errors)} problem(s) in the invoice table:\n{text}"

	def __str__(self) -> str:
		return self._render()


def _norm_header(name: object) -> str:
	"""A header reduced to lower-case letters and digits, so "Invoice No." == "invoice_no"."""
	return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _is_blank(series: pd.Series) -> np.ndarray:
	"""True where a cell holds nothing (NaN/None/NaT or only whitespace)."""
	blank = series.isna().to_numpy()
	if series.dtype == object:
		text = series.astype(str).str.strip()
		blank |= (text == "").to_numpy() | text.str.lower().isin(["nan", "nat", "none"]).to_numpy()
	return blank


def _parse_amounts(series: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
	"""Parse a column of amounts; returns (floats, blank mask, mask of non-blank cells that are not numbers).

	Text may carry thousands separators, spaces, a currency symbol or code (``"$1,234.50"``, ``"INR 500"``),
	a sign written the accountants' ways (``(120.00)``, ``120.00-``, ``120.00 Cr``; ``Dr`` is positive)
	and, when the whole column writes them so, decimal commas (``1.234,56``).
	"""
	blank = _is_blank(series)
	if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
		values = series.astype(float)
	else:
		values = pd.to_numeric(series.where(~blank, None), errors="coerce").astype(float)
		if not (values.isna().to_numpy() & ~blank).any():  # plain numbers: no cleaning needed
			return values, blank, np.zeros(len(series), dtype=bool)
		text = series.astype(str).str.strip().where(~blank, "")
		credit = text.str.contains(r"(?i)\bcr\.?$|^\(.*\)$|\d-$", regex=True, na=False)
		text = text.str.replace(r"(?i)\b(?:dr|cr)\.?$|[()]|[A-Za-z]{3}\b|[$€£₹¥\s\u00a0']", "", regex=True)
		text = text.str.replace(r"-$", "", regex=True)
		filled = text[text != ""]
		decimal_comma = bool(len(filled)) and bool(
			filled.str.fullmatch(r"-?\d{1,3}(?:\.\d{3})*,\d{1,2}|-?\d+,\d{1,2}").any()
			and not filled.str.contains(r"\d\.\d{1,2}$|,\d{3}(?:[.]|$)", regex=True).any()
		)
		if decimal_comma:
			text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
		else:  # commas only as thousands separators, in groups of three: "1,2,3" is not a number
			grouped = text.str.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d*)?", na=False)
			text = text.where(~text.str.contains(",", regex=False) | grouped, "not a number")
			text = text.str.replace(",", "", regex=False)
		values = pd.to_numeric(text.where(~blank, None), errors="coerce").astype(float)
		values = values.where(~credit.to_numpy(), -values.abs())
	bad = values.isna().to_numpy() & ~blank
	return values, blank, bad


def _row_labels(df: pd.DataFrame, row_numbers: Sequence[int] | None = None) -> list[str]:
	"""How each row is named in messages: its line number in the file and its invoice id when known.

	``row_numbers`` are the rows as the file numbers them; by default the header is row 1."""
	ids = df["invoice"].astype(str).str.strip().tolist() if "invoice" in df else [""] * len(df)
	lines = list(row_numbers) if row_numbers is not None else [i + 2 for i in range(len(df))]
	labels = []
	for line, inv in zip(lines, ids, strict=True):
		labels.append(
			f"row {line} (invoice {inv})" if inv and inv.lower() not in ("nan", "none") else f"row {line}"
		)
	return labels


def validate_invoices(
	df: pd.DataFrame,
	*,
	repair_dates: bool = False,
	dates: str | None = None,
	row_numbers: Sequence[int] | None = None,
	labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
	"""Check an invoice table and return its normalised copy, or raise :class:`SchemaError`.

	The copy has a fresh 0..n-1 index, the engine fields first (in :data:`FIELDS` order, optional
	ones filled with their defaults) and any extra columns after them. Nothing is returned when any
	row is invalid: every problem is collected and raised at once.

	``repair_dates`` is for exports whose posting dates are estimated: a posting date later than the
	due date or the settled date is moved back to the earlier of the two instead of being an error.
	Each repair is described in ``result.attrs["repairs"]`` (a list of messages).

	Dates are read by :func:`optimar_erp.engine.dates.parse_date_columns`: one format per column, one
	day/month order for the table (``dates``: "dayfirst", "monthfirst" or None to decide from the
	columns, an error when nothing decides). What was decided is in ``result.attrs["notes"]``.
	``row_numbers`` (the file's row of each table row) and ``labels`` (field → how to name its column,
	e.g. ``"posting_date ('Invoice Date')"``) only change the messages.
	"""
	if not isinstance(df, pd.DataFrame):
		raise SchemaError([f"expected a table (pandas DataFrame), got {type(df).__name__}"])
	missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
	if missing:
		raise SchemaError(
			[
				"missing required column(s): "
				+ ", ".join(missing)
				+ f" (the table has: {', '.join(map(str, df.columns)) or 'no columns'})"
			]
		)
	src = df.reset_index(drop=True)
	out = pd.DataFrame(index=src.index)
	names = {f: (labels or {}).get(f, f) for f in FIELDS}
	labels = _row_labels(src, row_numbers)
	errors: list[tuple[int, str]] = []  # (row position, message) so messages come out in row order

	def flag(mask: np.ndarray, message) -> None:
		for i in np.flatnonzero(mask):
			errors.append((int(i), f"{labels[i]}: {message(i)}"))

	for col in ("invoice", "customer"):
		blank = _is_blank(src[col])
		text = src[col].astype(str).str.strip()
		text = text.str.replace(r"\.0$", "", regex=True) if src[col].dtype.kind == "f" else text
		out[col] = text.where(~blank, "")
		flag(blank, lambda i, c=col: f"{c} is empty")
	dup = out["invoice"].duplicated(keep="first").to_numpy() & (out["invoice"] != "").to_numpy()
	if dup.any():
		first_line = {}
		for i, inv in enumerate(out["invoice"]):
			first_line.setdefault(inv, i + 2)
		flag(
			dup,
			lambda i: (
				f"invoice: duplicate id {out['invoice'][i]!r} (first on row {first_line[out['invoice'][i]]})"
			),
		)

	parsed, unread, plan = parse_date_columns(
		{c: src[c] for c in DATE_COLUMNS},
		order=dates,
		labels=names,
		row_numbers=np.asarray(row_numbers) if row_numbers is not None else np.arange(len(src)) + 2,
	)
	if plan.errors:
		raise SchemaError(plan.errors)
	for col in DATE_COLUMNS:
		out[col], bad = parsed[col], unread[col]
		flag(bad, lambda i, c=col: f"{c}: cannot read {str(src[c][i]).strip()!r} as a date")
		if col != "settled_date":
			blank = out[col].isna().to_numpy() & ~bad
			flag(blank, lambda i, c=col: f"{c} is empty")

	for col in ("grand_total", "outstanding"):
		values, blank, bad = _parse_amounts(src[col])
		out[col] = values
		flag(bad, lambda i, c=col: f"{c}: {str(src[c][i]).strip()!r} is not a number")
		flag(blank, lambda i, c=col: f"{c} is empty")

	post, due, settled = out["posting_date"], out["due_date"], out["settled_date"]
	repairs: list[str] = []
	if repair_dates:
		earliest = pd.concat([post, due, settled], axis=1).min(axis=1)
		moved = (earliest < post).to_numpy()
		for i in np.flatnonzero(moved):
			repairs.append(
				f"{labels[i]}: posting_date {post[i]:%Y-%m-%d} moved back to {earliest[i]:%Y-%m-%d}"
			)
		out["posting_date"] = post = post.where(~moved, earliest)
	flag(
		(due < post).to_numpy(),
		lambda i: f"due_date {due[i]:%Y-%m-%d} is before posting_date {post[i]:%Y-%m-%d}",
	)
	flag(
		(settled < post).to_numpy(),
		lambda i: f"settled_date {settled[i]:%Y-%m-%d} is before posting_date {post[i]:%Y-%m-%d}",
	)
	total, outst = out["grand_total"], out["outstanding"]
	flag((total < 0).to_numpy(), lambda i: f"grand_total {total[i]:,.2f} is negative")
	flag((outst < -AMOUNT_TOLERANCE).to_numpy(), lambda i: f"outstanding {outst[i]:,.2f} is negative")
	flag(
		(outst > total + AMOUNT_TOLERANCE).to_numpy(),
		lambda i: f"outstanding {outst[i]:,.2f} is above grand_total {total[i]:,.2f}",
	)
	flag(
		(settled.notna() & (outst > AMOUNT_TOLERANCE)).to_numpy(),
		lambda i: f"settled_date is set but outstanding is {outst[i]:,.2f} (a settled invoice owes nothing)",
	)
	out["outstanding"] = outst.clip(lower=0.0, upper=total.clip(lower=0.0))

	for col in OPTIONAL_DEFAULTS:
		if col == "disputed":
			if col in src:
				raw = src[col]
				if pd.api.types.is_bool_dtype(raw):
					out[col] = raw.astype(bool)
				else:
					text = raw.astype(str).str.strip().str.lower().where(~_is_blank(raw), "")
					bad = ~(text.isin(_TRUE) | text.isin(_FALSE)).to_numpy()
					flag(bad, lambda i: f"disputed: {str(raw[i]).strip()!r} is not yes/no/true/false/1/0")
					out[col] = text.isin(_TRUE)
			else:
				out[col] = False
			continue
		if col in src:
			blank = _is_blank(src[col])
			out[col] = src[col].astype(str).str.strip().where(~blank, "")
		else:
			out[col] = ""
		if col == "customer_name":
			out[col] = out[col].where(out[col] != "", out["customer"])

	if errors:
		errors.sort(key=lambda e: e[0])
		raise SchemaError([m for _, m in errors])
	extras = [c for c in src.columns if c not in FIELDS]
	out = pd.concat([out[list(FIELDS)], src[extras]], axis=1)
	out["grand_total"] = out["grand_total"].astype(float)
	out["outstanding"] = out["outstanding"].astype(float)
	out["disputed"] = out["disputed"].astype(bool)
	out.attrs["repairs"] = repairs
	out.attrs["notes"] = list(plan.notes)
	out.attrs["date_order"] = plan.order
	return out


def apply_mapping(df: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
	"""Rename source columns to engine fields, e.g. ``{"Invoice No": "invoice"}``; returns a copy.

	Raises :class:`SchemaError` naming every source column the table lacks, every target that is not
	an engine field, every target given twice and every target that would clash with a column the
	table already has under that name.
	"""
	errors = []
	targets: dict[str, str] = {}
	for source, target in mapping.items():
		if source not in df.columns:
			errors.append(f"--map {source}={target}: the file has no column {source!r}")
		if target not in FIELDS:
			errors.append(f"--map {source}={target}: {target!r} is not a field (fields: {', '.join(FIELDS)})")
		elif target in targets:
			errors.append(f"--map: {target!r} is mapped from both {targets[target]!r} and {source!r}")
		else:
			targets[target] = source
	renamed = set(mapping)
	for target, source in targets.items():
		if target in df.columns and target not in renamed and target != source:
			errors.append(f"--map {source}={target}: the file already has a column named {target!r}")
	if errors:
		raise SchemaError(errors)
	return df.rename(columns=dict(mapping))


def recognise_headers(columns: Iterable[object], taken: Iterable[str] = ()) -> dict[str, str]:
	"""Map source headers to engine fields using :data:`HEADER_ALIASES`, ignoring case and punctuation.

	``taken`` lists fields already present (or mapped) that must not be guessed again. A header that
	already is a field name is left alone. Returns ``{source header: field}``.
	"""
	columns = [str(c) for c in columns]
	claimed = set(taken) | {c for c in columns if c in FIELDS}
	used = {c for c in columns if c in FIELDS}
	by_norm: dict[str, str] = {}
	for c in columns:
		by_norm.setdefault(_norm_header(c), c)
	result: dict[str, str] = {}
	# Exact field names (in any spelling) first, then aliases, so "Customer Name" is customer_name when
	# a "Customer" column is there too.
	for pass_aliases in (False, True):
		for field, aliases in HEADER_ALIASES.items():
			if field in claimed:
				continue
			for alias in aliases if pass_aliases else (field,):
				source = by_norm.get(_norm_header(alias))
				if source is not None and source not in used:
					result[source] = field
					used.add(source)
					claimed.add(field)
					break
	return result


MAX_WORKBOOK_BYTES = 512 * 1024 * 1024
"""The most an .xlsx may unpack to (a zip bomb of a few kilobytes unpacks to gigabytes)."""
DTD_MARKERS: tuple[bytes, ...] = (b"<!DOCTYPE", b"<!ENTITY")


def _check_workbook(path: Path) -> None:
	"""Refuse an .xlsx that no spreadsheet program writes: XML with a document type (entity expansion,
	"billion laughs", external entities) or that unpacks to more than MAX_WORKBOOK_BYTES. openpyxl also
	parses through defusedxml (a dependency), which refuses entities; this check does not rely on it."""
	import zipfile

	try:
		with zipfile.ZipFile(path) as book:
			members = book.infolist()
			if sum(m.file_size for m in members) > MAX_WORKBOOK_BYTES:
				raise SchemaError([f"{path.name}: the workbook unpacks to more than 512 MB; save it as .csv"])
			for member in members:
				if member.filename.endswith((".xml", ".rels", ".vml")):
					if _declares_dtd(book, member):
						raise SchemaError(
							[f"{path.name}: {member.filename} declares a document type; refused for safety"]
						)
	except zipfile.BadZipFile as exc:
		raise SchemaError([f"{path.name}: not an .xlsx workbook ({exc})"]) from exc


def _declares_dtd(book, member) -> bool:
	"""Whether the part has a ``<!DOCTYPE`` or ``<!ENTITY`` anywhere (read in chunks: a long comment
	may push it past any fixed prefix). In XML text a ``<`` is always escaped, so only markup matches."""
	tail = b""
	with book.open(member) as part:
		while chunk := part.read(1 << 20):
			window = tail + chunk
			if any(marker in window for marker in DTD_MARKERS):
				return True
			tail = window[-16:]
	return False


TEXT_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")
"""Tried in this order on the whole file: UTF-8 (with or without a byte-order mark) is the norm; a file
that is not valid UTF-8 is a Windows export (cp1252); latin-1 reads any bytes at all."""


def decode_text(raw: bytes) -> tuple[str, str]:
	"""``raw`` as text and the encoding that read it. The whole file decides: a check of its first
	kilobytes could cut a multi-byte character in two and read a UTF-8 file as cp1252."""
	for encoding in TEXT_ENCODINGS:
		try:
			return raw.decode(encoding), encoding
		except UnicodeDecodeError:
			continue
	raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


HEADER_SEARCH_ROWS = 30
"""How many rows from the top may hold the header (title rows, blank rows, "As of ..." above it)."""
_AS_OF = re.compile(
	r"(?i)(?:\bas\s+(?:of|at|on)|\bkey\s+date|\breport\s+date|\bdate\s+to|\s+to)\s*:?\s*(.+?)\s*$"
)
"""A report date in a title row: "As of November 30, 2026", "As at 30/11/2026", "Key date 30.11.2026",
"1-Apr-2026 to 30-Nov-2026" (the period's end)."""


def _split_csv(text: str, sep: str) -> list[list[str]]:
	"""Rows of a CSV text as lists of cells (rows may have different lengths)."""
	return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))


def _guess_separator(text: str) -> str:
	"""The separator most rows of the first hundred lines agree on (title rows have none)."""
	head = "\n".join(text.splitlines()[:100])
	best, best_score = ",", -1
	for sep in (",", ";", "\t", "|"):
		lengths = [len(r) for r in _split_csv(head, sep) if len(r) > 1]
		if not lengths:
			continue
		common = max(set(lengths), key=lengths.count)
		score = lengths.count(common) * 1000 + common
		if score > best_score:
			best, best_score = sep, score
	return best


def _read_grid(path: Path) -> pd.DataFrame:
	"""A CSV or Excel file as a grid of text cells (no header yet; "" for an empty cell), so ids keep
	their leading zeros and title rows above the header survive for :func:`find_header_row`."""
	suffix = path.suffix.lower()
	if suffix in (".xlsx", ".xlsm"):
		_check_workbook(path)
	if suffix in (".xlsx", ".xlsm", ".xls"):
		try:
			grid = pd.read_excel(
				path, header=None, dtype=str, engine="openpyxl" if suffix != ".xls" else None
			)
		except ImportError as exc:
			raise SchemaError(
				[f"{path.name}: cannot read {suffix} files here ({exc}); save it as .xlsx or .csv"]
			) from exc
		except Exception as exc:  # any reader failure is a problem with the user's file
			raise SchemaError([f"{path.name}: cannot read the spreadsheet: {exc}"]) from exc
		return grid.fillna("").astype(str).apply(lambda c: c.str.strip()).reset_index(drop=True)
	text, encoding = decode_text(path.read_bytes())
	if not text.strip():
		raise SchemaError([f"{path.name}: the file is empty"])
	try:
		rows = _split_csv(text, _guess_separator(text))
	except csv.Error as exc:
		raise SchemaError([f"{path.name}: cannot read it as CSV ({encoding}): {exc}"]) from exc
	width = max(len(r) for r in rows)
	return pd.DataFrame([[c.strip() for c in r] + [""] * (width - len(r)) for r in rows], dtype=object)


def find_header_row(grid: pd.DataFrame, mapping: Mapping[str, str] | None = None) -> int | None:
	"""Index (0-based) of the row among the first :data:`HEADER_SEARCH_ROWS` that names the most
	engine fields (known header names or ``mapping`` sources); None when no row names two."""
	best, best_score = None, 1
	sources = set(mapping or {})
	for i in range(min(len(grid), HEADER_SEARCH_ROWS)):
		cells = [c for c in grid.iloc[i].tolist() if str(c).strip()]
		if len(cells) < 2:
			continue
		score = len(recognise_headers(cells)) + sum(c in sources for c in cells)
		if score > best_score:
			best, best_score = i, score
	return best


def _headers(cells: Sequence[str]) -> list[str]:
	"""Header cells made usable: an empty one is "Column N", a repeated one gets " (2)"."""
	out: list[str] = []
	for i, cell in enumerate(cells):
		name = str(cell).strip() or f"Column {i + 1}"
		base, n = name, 2
		while name in out:
			name, n = f"{base} ({n})", n + 1
		out.append(name)
	return out


def _title_as_of(rows: pd.DataFrame, dates: str | None) -> tuple[pd.Timestamp | None, str]:
	"""The report date a title row states ("As of November 30, 2026", "As at 30/11/2026", or "As of:"
	with the date in the next cell), read with the file's day/month order ``dates``; None if none."""
	for cells in rows.itertuples(index=False):
		cells = [str(c).strip() for c in cells]
		for i, cell in enumerate(cells):
			match = _AS_OF.search(
				cell + (" " + next((c for c in cells[i + 1 :] if c), "") if cell.endswith(":") else "")
			)
			if not match:
				continue
			parsed, _, plan = parse_date_columns({"as_of": pd.Series([match.group(1)])}, order=dates)
			if not plan.errors and pd.notna(parsed["as_of"][0]):
				return parsed["as_of"][0], " ".join(c for c in cells if c)
	return None, ""


def _is_empty(df: pd.DataFrame, col: str) -> np.ndarray:
	"""Blank cells of a column, or all True when the table has no such column."""
	return _is_blank(df[col]) if col in df else np.ones(len(df), dtype=bool)


def read_ledger(
	path: str | Path,
	mapping: Mapping[str, str] | None = None,
	*,
	repair_dates: bool = False,
	dates: str | None = None,
	header_row: int | None = None,
	terms: int | None = None,
) -> pd.DataFrame:
	"""Read an AR export (.csv, .xlsx, .xls) into a validated invoice table.

	Steps:

	1. the header row: ``header_row`` (the file's row number, 1 = first) or the row among the first 30
	   that names the most fields, so title rows ("A/R Aging Detail", "As of 30 Nov 2026", blank rows)
	   are skipped;
	2. the explicit ``mapping`` (source header → field), then common header names of ERPNext,
	   QuickBooks, Xero, Zoho Books, Tally, SAP FBL5N and Odoo exports (:data:`HEADER_ALIASES`);
	3. rows that are not invoices are left out: group and total rows (no invoice id and no amount, or
	   "Total ..."), and, when a type column says so, payments and credit notes;
	4. fill-ins for what the export leaves out: ``customer`` from ``customer_name``; invoice ids from the
	   row number; ``due_date`` = posting date + ``terms`` days (also for empty due dates);
	   ``grand_total`` = ``outstanding``; ``outstanding`` from ``settled_date``; no ``settled_date`` at
	   all: an open-items snapshot (``attrs["open_items"]`` True);
	5. :func:`validate_invoices` (dates read with one order, ``dates``; ``repair_dates``).

	Every step that decided or filled something adds a sentence to ``attrs["notes"]``; a report date
	stated in a title row is ``attrs["title_as_of"]``. Raises :class:`SchemaError`, naming what was
	recognised, what is missing and the option that would help.
	"""
	path = Path(path)
	if not path.exists():
		raise SchemaError([f"{path}: no such file"])
	if path.is_dir():
		raise SchemaError([f"{path}: is a folder, not a file"])
	mapping = dict(mapping or {})
	grid = _read_grid(path)
	if grid.empty:
		raise SchemaError([f"{path.name}: the file is empty"])
	notes: list[str] = []
	if header_row is not None:
		if not 1 <= header_row <= len(grid):
			raise SchemaError([f"--header-row {header_row}: the file has {len(grid)} row(s)"])
		h = header_row - 1
	else:
		found = find_header_row(grid, mapping)
		h = 0 if found is None else found
		if h:
			titles = [" ".join(c for c in row if c) for row in grid.iloc[:h].itertuples(index=False)]
			shown = "; ".join(repr(t) for t in titles if t)[:160]
			notes.append(
				f"header: row {h + 1} (rows above it skipped: {shown or 'blank'}); --header-row N to choose"
			)
	df = grid.iloc[h + 1 :].copy()
	df.columns = _headers(grid.iloc[h].tolist())
	rows = np.arange(h + 2, h + 2 + len(df))
	df = df.reset_index(drop=True)

	if mapping:
		try:
			df = apply_mapping(df, mapping)
		except SchemaError as exc:
			raise SchemaError(
				exc.errors
				+ [
					f"hint: the column names were read from row {h + 1} "
					f"({', '.join(map(repr, df.columns[:8]))}…); --header-row N reads them from row N"
				]
			) from exc
	sources = {target: source for source, target in mapping.items()}
	guessed = recognise_headers(df.columns, taken=set(mapping.values()))
	df = df.rename(columns=guessed)
	sources.update({field: source for source, field in guessed.items()})
	sources.update({c: c for c in df.columns if c in FIELDS and c not in sources})
	labels = {f: (f if src == f else f"{f} ({src!r})") for f, src in sources.items()}

	# 3. rows that are not invoices
	amounts = _is_empty(df, "grand_total") & _is_empty(df, "outstanding")
	no_id = _is_empty(df, "invoice")
	everything_blank = (df == "").all(axis=1).to_numpy()
	total_row = np.zeros(len(df), dtype=bool)
	if no_id.any():  # a total row has no invoice id; only those rows are looked at
		total_row[no_id] = (
			df[no_id].apply(lambda c: c.astype(str).str.match(r"(?i)^\s*(grand\s+)?total\b")).any(axis=1)
		).to_numpy()
	skip = everything_blank | (no_id & amounts) | (no_id & total_row)
	if (skip & ~everything_blank).any():
		notes.append(
			f"skipped {int((skip & ~everything_blank).sum()):,} row(s) without an invoice id and amount, or "
			"that are totals (group headings, subtotals, footers)"
		)
	type_col = next(
		(c for c in df.columns if _norm_header(c) in {_norm_header(a) for a in TYPE_ALIASES}), None
	)
	if type_col is not None:
		kinds = df[type_col].astype(str).str.lower().str.replace(r"[^a-z]", "", regex=True)
		is_invoice = kinds.isin(INVOICE_TYPES).to_numpy()
		other = ~is_invoice & (kinds != "").to_numpy() & ~skip
		if (is_invoice & ~skip).any() and other.any():
			counts = df[type_col][other].value_counts()
			notes.append(
				f"skipped {int(other.sum()):,} row(s) that are not invoices by their {type_col!r}: "
				+ ", ".join(f"{n:,} {k}" for k, n in counts.items())
			)
			skip |= other
	df, rows = df[~skip].reset_index(drop=True), rows[~skip]

	# 4. fill-ins
	if "customer" not in df.columns and "customer_name" in df.columns:
		df["customer"] = df["customer_name"]
		sources["customer"] = sources["customer_name"]
		labels["customer"] = f"customer ({sources['customer_name']!r})"
	if "invoice" not in df.columns and {"customer", "posting_date"} <= set(df.columns):
		df["invoice"] = [f"ROW-{r}" for r in rows]
		notes.append("invoice: the file has no invoice numbers; each row is named by its row (ROW-12 …)")
	if "grand_total" not in df.columns and "outstanding" in df.columns:
		df["grand_total"] = df["outstanding"]
		notes.append(
			f"grand_total: not in the file; each invoice's amount is its open amount {labels['outstanding']}"
			" (credit sales, DSO: open invoices only)"
		)
	if terms is not None and "posting_date" in df.columns:
		posting, _, plan = parse_date_columns({"posting_date": df["posting_date"]}, order=dates)
		filled = posting["posting_date"] + pd.Timedelta(days=terms)
		if "due_date" not in df.columns:
			df["due_date"] = filled.dt.strftime("%Y-%m-%d").where(filled.notna(), "")
			df["posting_date"] = posting["posting_date"]
			notes.append(f"due_date: not in the file; posting date + {terms} days (--terms {terms})")
		else:
			empty = _is_blank(df["due_date"])
			if empty.any():
				due_text = df["due_date"].astype(str)
				due_text[empty] = filled[empty].dt.strftime("%Y-%m-%d")
				df["due_date"] = due_text
				notes.append(
					f"due_date: {int(empty.sum()):,} empty due date(s) set to posting date + {terms} days "
					f"(--terms {terms})"
				)
	if "outstanding" not in df.columns and {"grand_total", "settled_date"} <= set(df.columns):
		settled = ~pd.Series(_is_blank(df["settled_date"]), index=df.index)
		df["outstanding"] = df["grand_total"].where(~settled, "0")
		notes.append(
			f"outstanding: not in the file; invoices with a payment date {labels['settled_date']} are paid, "
			"the others owe their whole amount"
		)
	open_items = "settled_date" not in df.columns
	if open_items and "outstanding" in df.columns:
		df["settled_date"] = ""

	missing = [c for c in REQUIRED_COLUMNS if c not in df.columns and c != "settled_date"]
	if "outstanding" in missing and "grand_total" not in missing:
		missing = [c for c in missing if c != "outstanding"] + ["outstanding (or settled_date)"]
	if missing:
		recognised = ", ".join(f"{sources[f]!r} → {f}" for f in FIELDS if f in sources) or "nothing"
		others = [c for c in df.columns if c not in FIELDS]
		hints = ["name a column with --map 'Your Header=field'"]
		if "due_date" in missing:
			hints.append("without a due-date column give the payment terms with --terms DAYS")
		if h == 0 and header_row is None:
			hints.append("if the header is not on row 1, --header-row N")
		raise SchemaError(
			[
				f"{path.name}: missing field(s): {', '.join(missing)}. Recognised (file header → field): "
				f"{recognised}. Other columns of the file (header on row {h + 1}): "
				f"{', '.join(map(repr, others)) or 'none'}. To fix: {'; '.join(hints)}."
			]
		)
	try:
		inv = validate_invoices(df, repair_dates=repair_dates, dates=dates, row_numbers=rows, labels=labels)
	except SchemaError as exc:
		raise SchemaError(_with_hints(exc.errors)) from exc
	inv.attrs["notes"] = notes + [f"dates: {n}" for n in inv.attrs.get("notes", [])]
	if open_items:
		inv.attrs["notes"].append(
			"payments: the file has no payment dates, so it is read as an open-items snapshot"
		)
	inv.attrs["open_items"] = open_items
	title_as_of, title_text = _title_as_of(grid.iloc[:h], dates or inv.attrs.get("date_order"))
	inv.attrs["title_as_of"] = title_as_of
	inv.attrs["title_as_of_text"] = title_text
	inv.attrs["header_row"] = h + 1
	inv.attrs["sources"] = dict(sources)
	return inv


def _with_hints(errors: list[str]) -> list[str]:
	"""The validator's messages, with the option that helps after them."""
	hints = []
	if any("is before posting_date" in e for e in errors):
		hints.append(
			"due or payment dates before the posting date are common in ledgers whose posting dates are "
			"estimated: --repair-dates moves such a posting date back to the earlier date"
		)
	if any(e.startswith("row") and "due_date is empty" in e for e in errors):
		hints.append("empty due dates: --terms DAYS sets them to the posting date + DAYS")
	if any("cannot read" in e and "as a date" in e for e in errors):
		hints.append("dates that read either way: --dates dayfirst or --dates monthfirst")
	return errors + [f"hint: {h}" for h in hints]
