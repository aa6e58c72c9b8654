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

import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from optimar_erp.constants import AMOUNT_TOLERANCE

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
		"bill_no",
		"inv_no",
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
	),
	"customer_name": ("customer_name", "name_customer", "party_name", "client_name", "debtor_name"),
	"posting_date": (
		"posting_date",
		"invoice_date",
		"document_date",
		"doc_date",
		"bill_date",
		"issue_date",
		"date",
	),
	"due_date": ("due_date", "due_in_date", "payment_due_date", "due_on", "due"),
	"grand_total": (
		"grand_total",
		"invoiced_amount",
		"invoice_amount",
		"total_open_amount",
		"amount",
		"invoice_total",
		"total",
		"rounded_total",
	),
	"outstanding": (
		"outstanding",
		"outstanding_amount",
		"balance",
		"balance_due",
		"amount_due",
		"open_amount",
	),
	"settled_date": (
		"settled_date",
		"clear_date",
		"cleared_date",
		"paid_date",
		"payment_date",
		"settlement_date",
		"date_paid",
	),
	"company": ("company",),
	"currency": ("currency", "invoice_currency", "currency_code"),
	"disputed": ("disputed", "in_dispute", "dispute"),
	"country": ("country",),
	"channel": ("channel",),
}

_PANDAS_2 = int(pd.__version__.split(".")[0]) >= 2
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


def _parse_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
	"""Parse a column of dates; returns (dates at midnight, mask of non-blank cells that did not parse).

	Accepts datetime values, ISO-8601 text (``2024-03-31``, ``2024-03-31 00:00:00``), compact
	``YYYYMMDD`` numbers (``20240331`` or ``20240331.0``) and, as a fallback, any format pandas
	recognises (month-first when ambiguous).
	"""
	blank = _is_blank(series)
	if pd.api.types.is_datetime64_any_dtype(series):
		parsed = pd.to_datetime(series)
	else:
		text = series.astype(str).str.strip()
		text = text.where(~blank, None)
		compact = text.str.fullmatch(r"\d{8}(\.0+)?", na=False)
		if compact.any():
			text = text.where(~compact, text.str.slice(0, 8))
		if _PANDAS_2:
			parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
		else:  # pandas 1.x has no "ISO8601" format but infers ISO text quickly
			parsed = pd.to_datetime(text, errors="coerce")
		if compact.any():
			parsed = parsed.where(
				~compact, pd.to_datetime(text.where(compact), format="%Y%m%d", errors="coerce")
			)
		retry = parsed.isna().to_numpy() & ~blank
		if retry.any():
			again = pd.Series(
				[_parse_one_date(v) for v in text[retry]], index=text.index[retry], dtype="datetime64[ns]"
			)
			parsed = parsed.astype("datetime64[ns]")
			parsed[retry] = again
	if getattr(parsed.dt, "tz", None) is not None:
		parsed = parsed.dt.tz_localize(None)
	parsed = parsed.astype("datetime64[ns]").dt.normalize()
	bad = parsed.isna().to_numpy() & ~blank
	return parsed, bad


def _parse_one_date(value: object) -> pd.Timestamp:
	"""Parse one date in any format pandas knows; NaT when it cannot."""
	try:
		return pd.Timestamp(pd.to_datetime(value))
	except (TypeError, ValueError, OverflowError):
		return pd.NaT


def _parse_amounts(series: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
	"""Parse a column of amounts; returns (floats, blank mask, mask of non-blank cells that are not numbers).

	Text may carry thousands separators, spaces and a leading currency symbol (``"$1,234.50"``).
	"""
	blank = _is_blank(series)
	if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
		values = series.astype(float)
	else:
		text = series.astype(str).str.strip().str.replace(r"[,\s$€£₹]", "", regex=True)
		values = pd.to_numeric(text.where(~blank, None), errors="coerce").astype(float)
	bad = values.isna().to_numpy() & ~blank
	return values, blank, bad


def _row_labels(df: pd.DataFrame) -> list[str]:
	"""How each row is named in messages: its line number in the file and its invoice id when known."""
	ids = df["invoice"].astype(str).str.strip().tolist() if "invoice" in df else [""] * len(df)
	labels = []
	for i, inv in enumerate(ids):
		line = i + 2
		labels.append(
			f"row {line} (invoice {inv})" if inv and inv.lower() not in ("nan", "none") else f"row {line}"
		)
	return labels


def validate_invoices(df: pd.DataFrame, *, repair_dates: bool = False) -> pd.DataFrame:
	"""Check an invoice table and return its normalised copy, or raise :class:`SchemaError`.

	The copy has a fresh 0..n-1 index, the engine fields first (in :data:`FIELDS` order, optional
	ones filled with their defaults) and any extra columns after them. Nothing is returned when any
	row is invalid: every problem is collected and raised at once.

	``repair_dates`` is for exports whose posting dates are estimated: a posting date later than the
	due date or the settled date is moved back to the earlier of the two instead of being an error.
	Each repair is described in ``result.attrs["repairs"]`` (a list of messages).
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
	labels = _row_labels(src)
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

	for col in DATE_COLUMNS:
		parsed, bad = _parse_dates(src[col])
		out[col] = parsed
		flag(bad, lambda i, c=col: f"{c}: cannot read {str(src[c][i]).strip()!r} as a date")
		if col != "settled_date":
			blank = parsed.isna().to_numpy() & ~bad
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


def _read_table(path: Path) -> pd.DataFrame:
	"""Read a CSV or Excel file with every cell as text (so ids keep their leading zeros)."""
	suffix = path.suffix.lower()
	if suffix in (".xlsx", ".xlsm"):
		_check_workbook(path)
	if suffix in (".xlsx", ".xlsm", ".xls"):
		try:
			return pd.read_excel(path, dtype=str, engine="openpyxl" if suffix != ".xls" else None)
		except ImportError as exc:
			raise SchemaError(
				[f"{path.name}: cannot read {suffix} files here ({exc}); save it as .xlsx or .csv"]
			) from exc
		except Exception as exc:  # any reader failure is a problem with the user's file
			raise SchemaError([f"{path.name}: cannot read the spreadsheet: {exc}"]) from exc
	text, encoding = decode_text(path.read_bytes())
	first_line = text.splitlines()[0] if text.strip() else ""
	sep = max((",", ";", "\t", "|"), key=first_line.count)
	try:
		return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
	except pd.errors.EmptyDataError as exc:
		raise SchemaError([f"{path.name}: the file is empty"]) from exc
	except pd.errors.ParserError as exc:
		raise SchemaError([f"{path.name}: cannot read it as CSV ({encoding}): {exc}"]) from exc


def read_ledger(
	path: str | Path, mapping: Mapping[str, str] | None = None, *, repair_dates: bool = False
) -> pd.DataFrame:
	"""Read an AR export (.csv, .xlsx, .xls) into a validated invoice table.

	Steps: apply the explicit ``mapping`` (source header → field), recognise the remaining headers
	by their common names (:data:`HEADER_ALIASES`), derive what can be derived, then
	:func:`validate_invoices`. Derivations: a missing ``outstanding`` is 0 for settled invoices and
	``grand_total`` otherwise; a missing ``settled_date`` is empty for every invoice (an open-items
	export); a missing ``customer`` is taken from ``customer_name``. ``repair_dates`` is passed to
	:func:`validate_invoices`. Raises :class:`SchemaError`.
	"""
	path = Path(path)
	if not path.exists():
		raise SchemaError([f"{path}: no such file"])
	if path.is_dir():
		raise SchemaError([f"{path}: is a folder, not a file"])
	df = _read_table(path)
	df.columns = [str(c).strip() for c in df.columns]
	if mapping:
		df = apply_mapping(df, mapping)
	guessed = recognise_headers(df.columns, taken=set(mapping.values()) if mapping else ())
	df = df.rename(columns=guessed)
	if "customer" not in df.columns and "customer_name" in df.columns:
		df["customer"] = df["customer_name"]
	if "outstanding" not in df.columns and {"grand_total", "settled_date"} <= set(df.columns):
		settled = ~pd.Series(_is_blank(df["settled_date"]), index=df.index)
		df["outstanding"] = df["grand_total"].where(~settled, "0")
	if "settled_date" not in df.columns and "outstanding" in df.columns:
		df["settled_date"] = ""
	missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
	if missing:
		raise SchemaError(
			[
				f"{path.name}: missing required column(s): {', '.join(missing)} "
				f"(the file has: {', '.join(map(str, df.columns))}); name them with --map 'Your Header=field'"
			]
		)
	return validate_invoices(df, repair_dates=repair_dates)
