"""Date columns of accounting exports: the format inferred once per column, then parsed vectorised.

Exports write dates in many styles: ISO (``2026-11-30``, ``2026-11-30 00:00:00``, ``2026-11-30T10:15:00Z``),
numbers with separators (``30/11/2026``, ``11/30/2026``, ``30.11.26``, ``30-11-2026``), month names
(``30-Nov-26``, ``30 Nov 2026``, ``Nov 30, 2026``, ``30 November 2026``), Excel serial day numbers
(``46356``) and compact ``20261130``. :func:`parse_date_columns` reads every date column of a table at
once: each distinct text is parsed a single time (a ledger repeats its dates), with one explicit format
per style, so 10,000 rows of text dates cost about what ISO dates cost.

Day or month first is decided for the whole file, never cell by cell:

- a column with a number above 12 in the first place (``31/01/2026``) is day-first, above 12 in the
  second place (``01/31/2026``) month-first; both in one column is an error naming it;
- a column whose numbers all read either way takes the order the other columns prove, and says so;
- ``order`` ("dayfirst" / "monthfirst") overrides; a column that contradicts it is an error;
- when nothing decides, it is an error asking for ``order``: never a silent guess.

Every decision is described in :attr:`DatePlan.notes` (one sentence per column) for the output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DAYFIRST = "dayfirst"
MONTHFIRST = "monthfirst"
ORDERS = (DAYFIRST, MONTHFIRST)

_TIME_TAIL = re.compile(
	r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|(?:UTC|GMT)?[+-]\d{1,2}:?\d{2}|UTC|GMT)?)$"
)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")
_COMPACT = re.compile(r"^(?:19|20)\d{6}(?:\.0+)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")
SERIAL_RANGE = (20_000, 80_000)
"""Excel serial day numbers taken as dates: 1954-10-03 to 2119-01-10 (other numbers are not dates)."""
EXCEL_EPOCH = pd.Timestamp("1899-12-30")

# Month-name styles, tried on text normalised to single spaces without commas or dots.
_TEXT_FORMATS: tuple[tuple[str, str], ...] = (
	("%d %b %y", "dd-Mon-yy"),
	("%d %b %Y", "dd Mon yyyy"),
	("%d %B %Y", "dd Month yyyy"),
	("%d %B %y", "dd Month yy"),
	("%b %d %Y", "Mon dd, yyyy"),
	("%B %d %Y", "Month dd, yyyy"),
	("%b %d %y", "Mon dd, yy"),
	("%Y %b %d", "yyyy-Mon-dd"),
	("%a %d %b %Y", "Day dd Mon yyyy"),
	("%A %d %B %Y", "Day dd Month yyyy"),
	("%a %b %d %Y", "Day Mon dd yyyy"),
	("%A %b %d %Y", "Day Mon dd yyyy"),
	("%A %B %d %Y", "Day Month dd yyyy"),
)


@dataclass
class DatePlan:
	"""What :func:`parse_date_columns` decided: the order used, one note per column, and errors."""

	order: str | None = None
	notes: list[str] = field(default_factory=list)
	errors: list[str] = field(default_factory=list)
	formats: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Column:
	"""One column's distinct texts and what they say about the day/month order."""

	name: str
	label: str
	codes: np.ndarray
	core: pd.Series  # distinct date texts without a time of day
	numeric: np.ndarray  # which distinct texts are dd/mm or mm/dd numbers
	first: np.ndarray  # their first and second numbers
	second: np.ndarray
	texts: np.ndarray  # the distinct cells, stripped
	day_first_example: str | None = None
	month_first_example: str | None = None

	@property
	def proves(self) -> str | None:
		if self.day_first_example and not self.month_first_example:
			return DAYFIRST
		if self.month_first_example and not self.day_first_example:
			return MONTHFIRST
		return None


def _prepare(name: str, label: str, series: pd.Series) -> _Column:
	"""Factorise a text column and look at its distinct values once."""
	raw_codes, raw = pd.factorize(series)  # a ledger repeats its dates: work on each distinct cell once
	text = pd.Series(raw, dtype=object).astype(str).str.strip()
	blank = (text == "") | text.str.lower().isin(["nan", "nat", "none"])
	text_codes, uniques = pd.factorize(text.where(~blank, None))
	codes = np.where(raw_codes >= 0, np.append(text_codes, -1)[raw_codes], -1)
	core = pd.Series(uniques, dtype=object).astype(str).str.replace(_TIME_TAIL, "", regex=True).str.strip()
	parts = core.str.extract(_NUMERIC)
	numeric = parts[0].notna().to_numpy()
	first = pd.to_numeric(parts[0], errors="coerce").fillna(0).to_numpy()
	second = pd.to_numeric(parts[2], errors="coerce").fillna(0).to_numpy()
	col = _Column(name, label, codes, core, numeric, first, second, np.asarray(uniques, dtype=object))
	day_first = np.flatnonzero(numeric & (first > 12) & (second <= 12))
	month_first = np.flatnonzero(numeric & (second > 12) & (first <= 12))
	if len(day_first):
		col.day_first_example = str(uniques[day_first[0]])
	if len(month_first):
		col.month_first_example = str(uniques[month_first[0]])
	return col


def _two_digit_year(year: pd.Series) -> pd.Series:
	"""Years as four digits: 00-68 → 2000s, 69-99 → 1900s (as ``%y`` reads them)."""
	y = pd.to_numeric(year, errors="coerce")
	return y.where(y >= 100, np.where(y < 69, 2000 + y, 1900 + y))


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
	"""Timestamps from numeric parts (NaT where they make no date, e.g. 31 February)."""
	frame = pd.DataFrame(
		{
			"year": pd.to_numeric(year, errors="coerce"),
			"month": pd.to_numeric(month, errors="coerce"),
			"day": pd.to_numeric(day, errors="coerce"),
		}
	)
	ok = frame.notna().all(axis=1) & frame["month"].between(1, 12) & frame["day"].between(1, 31)
	out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
	if ok.any():
		out[ok] = pd.to_datetime(frame[ok].astype(int), errors="coerce")
	return out


def _parse_uniques(col: _Column, order: str | None) -> tuple[pd.Series, list[str]]:
	"""Parse the column's distinct texts; returns the dates (NaT where unread) and the styles used."""
	core = col.core
	n = len(core)
	out = pd.Series(pd.NaT, index=core.index, dtype="datetime64[ns]")
	styles: list[str] = []
	todo = np.ones(n, dtype=bool)

	iso = core.str.extract(_ISO)
	hit = iso[0].notna().to_numpy()
	if hit.any():
		out[hit] = _from_parts(iso[0][hit], iso[1][hit], iso[2][hit])
		styles.append("yyyy-mm-dd")
		todo &= ~hit

	hit = todo & col.numeric
	if hit.any() and order in ORDERS:
		parts = core[hit].str.extract(_NUMERIC)
		day, month = (parts[0], parts[2]) if order == DAYFIRST else (parts[2], parts[0])
		out[hit] = _from_parts(_two_digit_year(parts[3]), month, day)
		sep = parts[1].iloc[0]
		digits = "yyyy" if parts[3].str.len().max() == 4 else "yy"
		styles.append(sep.join(["dd", "mm", digits] if order == DAYFIRST else ["mm", "dd", digits]))
	todo &= ~col.numeric

	hit = todo & core.str.fullmatch(_COMPACT.pattern, na=False).to_numpy()
	if hit.any():
		out[hit] = pd.to_datetime(core[hit].str.slice(0, 8), format="%Y%m%d", errors="coerce")
		styles.append("yyyymmdd")
		todo &= ~hit

	hit = todo & core.str.fullmatch(_SERIAL.pattern, na=False).to_numpy()
	if hit.any():
		number = pd.to_numeric(core[hit], errors="coerce")
		inside = number.between(*SERIAL_RANGE)
		days = pd.to_timedelta(np.floor(number.where(inside)), unit="D")
		out[hit] = (EXCEL_EPOCH + days).to_numpy()
		styles.append("Excel day numbers")
		todo &= ~hit

	hit = todo & core.str.contains(r"[A-Za-z]", na=False).to_numpy()
	if hit.any():
		text = core[hit].str.replace(r"[,.]", " ", regex=True).str.replace(r"[-/\s]+", " ", regex=True)
		text = text.str.strip()
		left = pd.Series(True, index=text.index)
		for fmt, style in _TEXT_FORMATS:
			if not left.any():
				break
			parsed = pd.to_datetime(text[left], format=fmt, errors="coerce")
			ok = parsed.notna()
			if ok.any():
				idx = ok[ok].index
				out[idx] = parsed[ok]
				left[idx] = False
				styles.append(style)
	return out, styles


def parse_date_columns(
	columns: Mapping[str, pd.Series],
	order: str | None = None,
	labels: Mapping[str, str] | None = None,
	row_numbers: np.ndarray | None = None,
) -> tuple[dict[str, pd.Series], dict[str, np.ndarray], DatePlan]:
	"""Parse every date column of one table with one day/month order (see the module docstring).

	``columns``: field name → cells (text, numbers or datetimes); ``order``: "dayfirst", "monthfirst"
	or None (decide from the columns); ``labels``: how each column is named in messages (e.g.
	``"posting_date ('Invoice Date')"``); ``row_numbers``: the file's row number of each cell, for
	examples. Returns (dates at midnight per column, mask of unreadable non-blank cells per column,
	plan). When ``plan.errors`` is not empty the dates are not to be used.
	"""
	if order not in (None, *ORDERS):
		raise ValueError(f"order must be {DAYFIRST!r}, {MONTHFIRST!r} or None, got {order!r}")
	labels = dict(labels or {})
	plan = DatePlan(order=order)
	parsed: dict[str, pd.Series] = {}
	bad: dict[str, np.ndarray] = {}
	prepared: dict[str, _Column] = {}
	for name, series in columns.items():
		label = labels.get(name, name)
		if pd.api.types.is_datetime64_any_dtype(series):
			values = pd.to_datetime(series)
			if getattr(values.dt, "tz", None) is not None:
				values = values.dt.tz_localize(None)
			parsed[name] = values.astype("datetime64[ns]").dt.normalize()
			bad[name] = np.zeros(len(series), dtype=bool)
			plan.formats[name] = ["typed dates"]
			continue
		prepared[name] = _prepare(name, label, series)

	def row_of(col: _Column, example: str) -> str:
		if row_numbers is None:
			return ""
		code = np.flatnonzero(col.texts == example)
		where = np.flatnonzero(col.codes == code[0]) if len(code) else []
		return f", row {int(row_numbers[where[0]])}" if len(where) else ""

	for col in prepared.values():
		if col.day_first_example and col.month_first_example:
			plan.errors.append(
				f"{col.label} mixes day-first and month-first dates ({col.day_first_example!r}"
				f"{row_of(col, col.day_first_example)} and {col.month_first_example!r}"
				f"{row_of(col, col.month_first_example)}); correct the column or map another one"
			)
	proofs = {c.name: c.proves for c in prepared.values() if c.proves}
	if order:
		for name, proven in proofs.items():
			if proven != order:
				col = prepared[name]
				example = col.day_first_example or col.month_first_example
				plan.errors.append(
					f"--dates {order}: {col.label} has {example!r}{row_of(col, example)}, which only reads "
					f"{'day' if proven == DAYFIRST else 'month'} first"
				)
		chosen, why = order, f"as --dates {order} says"
	elif len(set(proofs.values())) > 1:
		day = [prepared[n].label for n, o in proofs.items() if o == DAYFIRST]
		month = [prepared[n].label for n, o in proofs.items() if o == MONTHFIRST]
		plan.errors.append(
			f"date columns disagree: {', '.join(day)} read(s) day first but {', '.join(month)} month first "
			"(a number above 12 in each); correct the file or say the order with --dates dayfirst|monthfirst"
		)
		chosen, why = None, ""
	elif proofs:
		chosen = next(iter(proofs.values()))
		names = [prepared[n] for n in proofs]
		why = "; ".join(
			f"{c.label} has {c.day_first_example or c.month_first_example!r}{row_of(c, c.day_first_example or c.month_first_example)}"
			for c in names[:2]
		)
	else:
		chosen, why = None, ""
	plan.order = chosen or order

	ambiguous = [c for c in prepared.values() if c.numeric.any() and not c.proves]
	if ambiguous and not plan.order and not plan.errors:
		c = ambiguous[0]
		example = str(c.core[np.flatnonzero(c.numeric)[0]])
		plan.errors.append(
			f"{', '.join(a.label for a in ambiguous)}: every date reads either way (e.g. {example!r}"
			f"{row_of(c, example)}: no number above 12 says which is the day); say the order with "
			"--dates dayfirst or --dates monthfirst"
		)

	for name, col in prepared.items():
		dates_u, styles = _parse_uniques(col, plan.order if not plan.errors else None)
		values = np.append(dates_u.to_numpy().astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
		cells = values[col.codes]  # code -1 (blank) takes the trailing NaT
		parsed[name] = pd.Series(cells, index=columns[name].index).astype("datetime64[ns]").dt.normalize()
		bad[name] = (col.codes >= 0) & parsed[name].isna().to_numpy()
		plan.formats[name] = styles
		if not styles:
			continue
		note = f"{col.label}: {', '.join(styles)}"
		if col.numeric.any() and plan.order and not plan.errors:
			if col.proves:
				example = col.day_first_example or col.month_first_example
				note += f" ({'day' if plan.order == DAYFIRST else 'month'} first: {example!r}{row_of(col, example)})"
			elif order:
				note += f" ({'day' if plan.order == DAYFIRST else 'month'} first, {why})"
			else:
				note += (
					f" ({'day' if plan.order == DAYFIRST else 'month'} first, as the other dates show: {why})"
				)
		plan.notes.append(note)
	return parsed, bad, plan
