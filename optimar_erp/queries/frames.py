"""Generic helpers of the read side: one packed read of a query into a DataFrame, and what changed since a
point (through the index Frappe keeps on ``modified``)."""

import csv
import io
from contextlib import contextmanager
from datetime import datetime, timedelta

import pandas as pd

import frappe
from frappe.query_builder.functions import Max
from frappe.query_builder.utils import NamedParameterWrapper
from frappe.utils import get_datetime

FIELD_SEP, ROW_SEP, NULL = "\x1f", "\x1e", "\x15"


PACK_LIMIT = 200 * 1024 * 1024  # bytes of one packed result (the server's max_allowed_packet is above)


MODIFIED_MARGIN = timedelta(minutes=10)
"""How long before a cached point rows modified are read again (see :func:`modified_since`)."""


GROUP_MEMORY = 256 * 1024 * 1024  # in-memory temporary tables for the ledger's GROUP BY (this session only)


def fetch_frame(
	query,
	fields: dict,
	numbers: tuple[str, ...] = (),
	dates: tuple[str, ...] = (),
	datetimes: tuple[str, ...] = (),
	ints: tuple[str, ...] = (),
) -> pd.DataFrame:
	"""Run ``query`` (a ``frappe.qb`` query without its select list) selecting ``fields`` (column name →
	term) and return a DataFrame with these columns, rows in the order the database reads them (an
	``ORDER BY`` inside ``query`` is not guaranteed to survive: sort the frame if order matters).

	The rows come back packed in one text value (``GROUP_CONCAT`` of ``CONCAT_WS``) that pandas parses in
	C. Column kinds: ``numbers`` → float (NULL → NaN), ``ints`` → int, ``dates`` → ``datetime.date``
	(NULL → None), ``datetimes`` → Timestamp (NULL → NaT); the others stay text (NULL → None), so the
	frame holds what the driver would have returned, with decimals as floats. Falls back to reading row
	by row if the packed result would be too large or some text holds one of the separator characters
	(the row and field counts are checked against ``COUNT(*)``).
	"""
	names = list(fields)
	inner = query.select(*[term.as_(f"c{i}") for i, term in enumerate(fields.values())])
	wrapper = NamedParameterWrapper()
	sql = inner.get_sql(param_wrapper=wrapper)
	params = wrapper.get_parameters()
	packed = ", ".join(f"IFNULL(`c{i}`, '{NULL}')" for i in range(len(names)))
	frappe.db.sql(f"SET SESSION group_concat_max_len = {PACK_LIMIT}")
	count, blob = frappe.db.sql(
		f"SELECT COUNT(*), GROUP_CONCAT(CONCAT_WS('{FIELD_SEP}', {packed}) SEPARATOR '{ROW_SEP}') "
		f"FROM ({sql}) packed",
		params,
	)[0]
	if blob is None:
		frame = pd.DataFrame({name: pd.Series(dtype=object) for name in names})
	elif (
		len(blob.encode()) >= PACK_LIMIT  # cut by GROUP_CONCAT
		or blob.count(ROW_SEP) != count - 1  # a separator inside some text
		or blob.count(FIELD_SEP) != count * (len(names) - 1)
	):  # read it row by row instead
		rows = frappe.db.sql(sql, params)
		frame = pd.DataFrame(
			[[None if v is None else str(v) for v in row] for row in rows], columns=names, dtype=object
		)
	else:  # NULLs become NaN in the C parser
		frame = pd.read_csv(
			io.StringIO(blob),
			sep=FIELD_SEP,
			lineterminator=ROW_SEP,
			header=None,
			names=names,
			dtype=str,
			keep_default_na=False,
			na_values=[NULL],
			na_filter=NULL in blob,
			skip_blank_lines=False,
			quoting=csv.QUOTE_NONE,
			engine="c",
		)
	for name in names:
		col = frame[name]
		if name in numbers:  # str → float as Python parses it (correctly rounded, like float(Decimal))
			frame[name] = col.astype(float)
		elif name in ints:
			frame[name] = col.astype(int)
		elif name in dates:
			parsed = pd.to_datetime(col, format="%Y-%m-%d", errors="raise")
			frame[name] = pd.Series(parsed.dt.date, index=frame.index, dtype=object).where(
				parsed.notna(), None
			)
		elif name in datetimes:
			frame[name] = pd.to_datetime(col, format="ISO8601", errors="raise")
		elif (null := col.isna()).any():
			frame[name] = col.astype(object).where(~null, None)
	return frame


@contextmanager
def group_in_memory():
	"""Let a GROUP BY over many invoices stay in memory (the server default, 16 MB, spills them to disk,
	several times slower); this session only, back to the server's defaults afterwards."""
	frappe.db.sql(f"SET SESSION tmp_table_size = {GROUP_MEMORY}, max_heap_table_size = {GROUP_MEMORY}")
	try:
		yield
	finally:
		frappe.db.sql("SET SESSION tmp_table_size = DEFAULT, max_heap_table_size = DEFAULT")


def latest_modified(doctype: str) -> datetime | None:
	"""The latest ``modified`` of ``doctype``'s rows (None: no rows), from the index Frappe keeps on it."""
	table = frappe.qb.DocType(doctype)
	latest = frappe.qb.from_(table).select(Max(table.modified)).run()[0][0]
	return get_datetime(latest) if latest else None


def modified_since(doctype: str, point: datetime, limit: int, margin: timedelta = MODIFIED_MARGIN):
	"""A query (without its select list) on ``doctype``'s rows modified after ``point`` − ``margin``: a
	transaction that wrote them before ``point`` but committed after it is still seen. Only those after
	``point`` when more than ``limit`` were modified in the margin (a bulk write just before it); None
	when even those are more than ``limit``. Through the index on ``modified``, counting no further."""
	table = frappe.qb.DocType(doctype)
	for since in (point - margin, point):
		query = frappe.qb.from_(table).where(table.modified > since)
		if not query.select(table.name).limit(1).offset(limit).run():
			return query
	return None
