"""Normalisation helpers shared by the engine's table-driven modules (dunning, promises, escalation).

Each engine entry point takes plain pandas tables read by the Frappe layer and cleans them the same way:
check the required columns and fill in the optional ones (:func:`table`), then turn each column into
stripped text (:func:`text`), booleans (:func:`flag`), floats (:func:`floats`) or days (:func:`dates`),
raising :class:`ValueError` with the column name and the offending rows (:func:`row_numbers`) when a cell
cannot be read. :func:`invoice_names` reads one ``invoices`` cell (a list, a comma-separated string or a
JSON list).

Pure pandas/numpy: nothing here imports frappe.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import pandas as pd

TRUE_WORDS: frozenset[str] = frozenset({"1", "true", "yes", "y", "t", "on"})
"""Text (lower-cased, stripped) that :func:`flag` reads as True; anything else is False."""


def table(
	df: pd.DataFrame | None,
	name: str,
	required: tuple[str, ...],
	optional: dict[str, object] | None = None,
	may_be_empty: bool = False,
) -> pd.DataFrame:
	"""A copy of ``df`` (index reset) with the ``required`` columns checked and the ``optional`` ones filled
	in with their default (a tuple default is repeated per row, so each cell holds the tuple).

	With ``may_be_empty``, ``None`` or a table with no rows gives an empty table with every column (object
	dtype), whatever columns it had; without it ``None`` raises. ``name`` labels the errors.
	"""
	optional = optional or {}
	columns = list(required) + list(optional)
	if df is None or (may_be_empty and isinstance(df, pd.DataFrame) and len(df) == 0):
		if not may_be_empty:
			raise ValueError(f"{name}: a table is required")
		return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
	if not isinstance(df, pd.DataFrame):
		raise ValueError(f"{name}: expected a pandas DataFrame, got {type(df).__name__}")
	missing = [c for c in required if c not in df.columns]
	if missing:
		raise ValueError(f"{name} table is missing required column(s): {', '.join(missing)}")
	out = df.reset_index(drop=True).copy()
	for col, default in optional.items():
		if col not in out.columns:
			out[col] = [default] * len(out) if isinstance(default, tuple) else default
	return out


def text(series: pd.Series) -> pd.Series:
	"""Strings, stripped; blanks (None/NaN) become "". Each distinct value is converted once."""
	codes, uniques = pd.factorize(series, use_na_sentinel=True)
	clean = np.array([str(v).strip() for v in uniques] + [""], dtype=object)
	return pd.Series(clean[codes], index=series.index, dtype=object)


def flag(series: pd.Series, true_words: Iterable[str] = TRUE_WORDS) -> pd.Series:
	"""Booleans from bools, numbers (non-zero = True) or text (``true_words``, case-insensitive = True);
	blanks (None/NaN/"") are False."""
	if pd.api.types.is_bool_dtype(series):
		return series.astype(bool)
	if pd.api.types.is_numeric_dtype(series):
		return series.fillna(0).astype(float) != 0
	return text(series).str.lower().isin(true_words)


def floats(series: pd.Series, name: str, blank: float | None = None) -> pd.Series:
	"""The column as floats, or ValueError naming it (``name``) and the rows that are not numbers.

	``blank=None``: every cell must be a number (an empty cell is an error); otherwise empty cells
	(None/NaN/whitespace) take ``blank``.
	"""
	values = pd.to_numeric(series, errors="coerce")
	bad = values.isna()
	if blank is not None:
		bad = bad & series.notna() & (series.astype(str).str.strip() != "")
	if bad.any():
		raise ValueError(f"{name} must be numbers (row(s) {row_numbers(bad)})")
	if blank is not None:
		values = values.fillna(blank)
	return values.astype(float)


def dates(series: pd.Series, name: str, required: bool = False) -> np.ndarray:
	"""A date column as numpy ``datetime64[D]`` (timezone dropped, no conversion). Empty cells stay NaT,
	or raise ValueError naming the column and rows when ``required``."""
	try:
		parsed = pd.to_datetime(series)
	except (TypeError, ValueError) as exc:
		raise ValueError(f"{name}: cannot read the dates ({exc})") from exc
	if getattr(parsed.dt, "tz", None) is not None:
		parsed = parsed.dt.tz_localize(None)
	if required and parsed.isna().any():
		raise ValueError(f"{name} is empty in row(s) {row_numbers(parsed.isna())}")
	return parsed.to_numpy().astype("datetime64[D]")


def row_numbers(mask: pd.Series | np.ndarray) -> str:
	"""The positions where ``mask`` is True, comma-joined for messages (at most 10)."""
	return ", ".join(str(i) for i in np.flatnonzero(np.asarray(mask))[:10])


def name_list(names: Iterable[str]) -> str:
	"""The distinct ``names``, sorted and comma-joined for messages (at most 10)."""
	return ", ".join(sorted(set(names))[:10])


def invoice_names(value: object) -> tuple[str, ...]:
	"""The invoice names in one ``invoices`` cell, in order, stripped, without blanks or duplicates.

	A cell may be a list/tuple (or any iterable), a comma-separated string or a JSON list; ``None``/NaN
	is empty, and any other single value counts as one name.
	"""
	if value is None:
		return ()
	if isinstance(value, str):
		raw = value.strip()
		if raw.startswith("["):
			try:
				value = json.loads(raw)
			except ValueError:
				value = raw.strip("[]").split(",")
		else:
			value = raw.split(",")
	elif isinstance(value, float) and value != value:
		return ()
	try:
		items = [str(v).strip().strip("'\"") for v in value]
	except TypeError:
		items = [str(value).strip()]
	return tuple(dict.fromkeys(v for v in items if v))


FORMULA_TRIGGERS: tuple[str, ...] = (
	"=",
	"+",
	"-",
	"@",
	"\t",
	"\r",
	"\n",
	"\uff1d",
	"\uff0b",
	"\uff0d",
	"\uff20",
)
"""First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"), the
full-width forms included: some spreadsheets fold them to the ASCII ones."""


def spreadsheet_safe(value: object) -> object:
	"""Outside text (a customer's reply, a bank description) as a cell that no spreadsheet evaluates:
	text starting with a formula trigger gets a leading apostrophe; anything else is returned as it is.

	Reports apply it to the columns that carry such text, so that "Export" writes no live formula."""
	if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_TRIGGERS):
		return "'" + value
	return value
