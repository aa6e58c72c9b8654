"""Promise-to-pay evaluation: is each promise kept, broken, partially kept or still open?

:func:`evaluate_promises` is pure and deterministic: the Frappe layer reads the promises, their
instalments and the allocated payments into plain tables, passes ``today`` (already the date in the
company's time zone: nothing here reads a clock) and writes the returned status back. Dunning pauses
the invoices of Open promises (:func:`pauses_dunning`) and resumes once a promise is Broken or
Partially Kept.

Inputs
------
Missing optional columns take the default shown; a missing required column raises :class:`ValueError`
naming it. ``instalments`` and ``payments`` may be ``None`` or a table with no rows (any columns).

``promises`` — one row per promise to pay:

===================  ==========  =========  =========================================================
column               type        required   meaning
===================  ==========  =========  =========================================================
``promise``          str         yes        unique promise id
``customer``         str         yes        customer who made the promise
``invoices``         list/str    yes        invoices it covers: a list/tuple, a comma-separated string
                                            or a JSON list; empty = an amount "on account" (every
                                            payment of the customer counts)
``promised_amount``  float       yes        amount promised, > 0
``promised_date``    date        yes        date it is promised by (the single instalment when the
                                            promise has no rows in ``instalments``)
``recorded_on``      date        yes        day the promise was made; earlier payments do not count
``cancelled``        bool        no (False) the promise was withdrawn
===================  ==========  =========  =========================================================

``instalments`` — a payment plan, for the promises that have one:

===================  ==========  =========  =========================================================
``promise``          str         yes        promise the instalment belongs to (must exist)
``due_date``         date        yes        date the instalment is due
``amount``           float       yes        amount of the instalment, > 0; a promise's instalments
                                            add up to its ``promised_amount`` (± 0.01)
===================  ==========  =========  =========================================================

A promise with no instalment rows is one instalment of ``promised_amount`` on ``promised_date``; with
rows, they replace ``promised_date``.

``payments`` — money received and allocated (credit notes are not payments and are not passed):

===================  ==========  =========  =========================================================
``customer``         str         yes        customer who paid
``invoice``          str         yes        invoice the money was allocated to; empty = unallocated
``date``             date        yes        day of the allocation
``amount``           float       yes        amount allocated, > 0
===================  ==========  =========  =========================================================

Rules
-----
1. A promise counts the payments allocated to its invoices (an on-account promise: every payment of its
   customer, allocated or not) dated on or after ``recorded_on`` and not after ``today``. A payment is
   counted by every promise it matches: overlapping promises are the shell's to avoid.
2. Instalments are taken in date order. Instalment *k* has the deadline ``due_date + grace_days`` and is
   *met* when the payments dated up to its deadline cover the cumulative amount due up to *k*
   (tolerance 0.005): paying ahead counts for later instalments, and a shortfall must be made up by the
   next deadline.
3. A deadline has *passed* when it is before ``today`` (on the deadline day itself the promise is still
   Open). The first passed deadline whose instalment is not met breaks the promise on the day after it.
4. Status, first match wins:

   - ``Cancelled``: the promise is cancelled;
   - ``Kept``: the counted payments reach ``promised_amount`` (− 0.005) and every instalment is met —
     as soon as that happens, even before the deadline;
   - ``Broken``: a deadline passed unmet and nothing (less than 0.005) had been paid towards the promise
     by that first missed deadline;
   - ``Partially Kept``: a deadline passed unmet but something had been paid by then;
   - ``Open``: otherwise.

   Broken and Partially Kept are judged at the first missed deadline, so they do not change when money
   arrives later (``paid_amount`` still shows it). A promise paid in full but late is not Kept.

Output
------
One row per promise, in input order (:data:`RESULT_COLUMNS`): ``promise``, ``customer``, ``invoices``
(tuple, as given, duplicates removed), ``status``, ``paid_amount`` (counted payments up to today, at most
``promised_amount``), ``due_amount`` (instalments whose deadline has passed, summed), ``next_due_date``
(due date of the first instalment whose deadline has not passed, else NaT), ``deadline`` (last due date
+ grace), ``broken_on`` (day after the first missed deadline, else NaT), ``instalments_met`` and
``instalments_total`` (int). Dates are midnight ``datetime64[ns]``. A cancelled promise keeps its
figures but has ``next_due_date`` and ``broken_on`` NaT.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from optimar_erp.constants import (
	AMOUNT_TOLERANCE,
	PROMISE_BROKEN,
	PROMISE_CANCELLED,
	PROMISE_KEPT,
	PROMISE_OPEN,
	PROMISE_PARTIALLY_KEPT,
	PROMISE_STATUSES,
)
from optimar_erp.engine.tables import dates, flag, floats, invoice_names, name_list, row_numbers, table, text

OPEN, KEPT, PARTIALLY_KEPT, BROKEN, CANCELLED = (
	PROMISE_OPEN,
	PROMISE_KEPT,
	PROMISE_PARTIALLY_KEPT,
	PROMISE_BROKEN,
	PROMISE_CANCELLED,
)
STATUSES: tuple[str, ...] = PROMISE_STATUSES
"""Every status :func:`evaluate_promises` returns."""
INSTALMENT_SUM_TOLERANCE = 0.01
"""How far a promise's instalments may add up from its ``promised_amount``."""

PROMISE_REQUIRED = ("promise", "customer", "invoices", "promised_amount", "promised_date", "recorded_on")
PROMISE_OPTIONAL: dict[str, object] = {"cancelled": False}
INSTALMENT_REQUIRED = ("promise", "due_date", "amount")
PAYMENT_REQUIRED = ("customer", "invoice", "date", "amount")

RESULT_COLUMNS: tuple[str, ...] = (
	"promise",
	"customer",
	"invoices",
	"status",
	"paid_amount",
	"due_amount",
	"next_due_date",
	"deadline",
	"broken_on",
	"instalments_met",
	"instalments_total",
)
"""Columns of the table :func:`evaluate_promises` returns."""

_EPOCH = np.datetime64("1970-01-01", "D")


# ------------------------------------------------------------------------------------ normalisation


def _days(series: pd.Series, name: str) -> np.ndarray:
	"""A required date column as whole days since 1970-01-01 (int64); ValueError on empty cells."""
	return (dates(series, name, required=True) - _EPOCH).astype("int64")


def _today(today: dt.date) -> int:
	"""``today`` as days since 1970-01-01. A datetime counts as its own calendar date (no conversion)."""
	if isinstance(today, dt.datetime):
		today = today.date()
	elif not isinstance(today, dt.date):
		try:
			today = pd.Timestamp(today).date()
		except (TypeError, ValueError) as exc:
			raise ValueError(f"today must be a date, got {today!r}") from exc
	return int((np.datetime64(today, "D") - _EPOCH).astype("int64"))


def _prepare_promises(promises: pd.DataFrame | None) -> pd.DataFrame:
	pro = table(promises, "promises", PROMISE_REQUIRED, PROMISE_OPTIONAL, may_be_empty=True)
	pro["promise"] = text(pro["promise"])
	pro["customer"] = text(pro["customer"])
	pro["invoices"] = pd.Series([invoice_names(v) for v in pro["invoices"]], index=pro.index, dtype=object)
	pro["promised_amount"] = floats(pro["promised_amount"], "promises.promised_amount")
	pro["cancelled"] = flag(pro["cancelled"])
	if (pro["promise"] == "").any():
		raise ValueError(f"promises: promise id is empty in row(s) {row_numbers(pro['promise'] == '')}")
	dup = pro["promise"][pro["promise"].duplicated()]
	if len(dup):
		raise ValueError(f"promises: duplicate promise id(s): {name_list(dup)}")
	bad = pro["promise"][pro["promised_amount"] < AMOUNT_TOLERANCE]
	if len(bad):
		raise ValueError(f"promises: promised_amount must be > 0 for {name_list(bad)}")
	pro["promised_day"] = _days(pro["promised_date"], "promises.promised_date")
	pro["recorded_day"] = _days(pro["recorded_on"], "promises.recorded_on")
	return pro


def _prepare_instalments(instalments: pd.DataFrame | None, pro: pd.DataFrame, grace: int) -> pd.DataFrame:
	"""promise, due_day, amount, cum_due, deadline: every instalment (a promise without rows gets one),
	sorted by promise and due day."""
	ins = table(instalments, "instalments", INSTALMENT_REQUIRED, may_be_empty=True)
	ins["promise"] = text(ins["promise"])
	ins["amount"] = floats(ins["amount"], "instalments.amount")
	ins["due_day"] = _days(ins["due_date"], "instalments.due_date") if len(ins) else np.array([], "int64")
	unknown = ins["promise"][~ins["promise"].isin(set(pro["promise"]))]
	if len(unknown):
		raise ValueError(f"instalments: unknown promise(s): {name_list(unknown)}")
	bad = ins["promise"][ins["amount"] < AMOUNT_TOLERANCE]
	if len(bad):
		raise ValueError(f"instalments: amount must be > 0 for promise(s) {name_list(bad)}")
	total = ins.groupby("promise")["amount"].sum()
	promised = pro.set_index("promise")["promised_amount"].reindex(total.index)
	off = total.index[((total - promised).abs() > INSTALMENT_SUM_TOLERANCE).to_numpy()]
	if len(off):
		detail = "; ".join(f"{p}: {total[p]:,.2f} vs {promised[p]:,.2f}" for p in sorted(off)[:10])
		raise ValueError(f"instalments do not add up to promised_amount for promise(s) {detail}")
	single = pro.loc[
		~pro["promise"].isin(set(ins["promise"])), ["promise", "promised_day", "promised_amount"]
	]
	single = single.rename(columns={"promised_day": "due_day", "promised_amount": "amount"})
	out = pd.concat([ins[["promise", "due_day", "amount"]], single], ignore_index=True)
	out = out.astype({"due_day": "int64", "amount": float})
	out = out.sort_values(["promise", "due_day"], kind="stable").reset_index(drop=True)
	out["cum_due"] = out.groupby("promise", sort=False)["amount"].cumsum()
	out["deadline"] = out["due_day"] + grace
	return out


def _prepare_payments(payments: pd.DataFrame | None) -> pd.DataFrame:
	pay = table(payments, "payments", PAYMENT_REQUIRED, may_be_empty=True)
	pay["customer"] = text(pay["customer"])
	pay["invoice"] = text(pay["invoice"])
	pay["amount"] = floats(pay["amount"], "payments.amount")
	pay["day"] = _days(pay["date"], "payments.date") if len(pay) else np.array([], "int64")
	if (pay["amount"] <= 0).any():
		raise ValueError(f"payments: amount must be > 0 (row(s) {row_numbers(pay['amount'] <= 0)})")
	return pay[["customer", "invoice", "day", "amount"]]


# ------------------------------------------------------------------------------------------- engine


def _counted(pro: pd.DataFrame, pay: pd.DataFrame, today: int) -> pd.DataFrame:
	"""promise, day, amount, cum_paid: the payments each promise counts (rule 1), summed per day, in day
	order within each promise."""
	pairs = pro[["promise", "invoices"]].explode("invoices").rename(columns={"invoices": "invoice"})
	pairs = pairs[pairs["invoice"].notna()]
	by_invoice = pairs.merge(pay[pay["invoice"] != ""], on="invoice")
	on_account = pro.loc[pro["invoices"].map(len) == 0, ["promise", "customer"]].merge(pay, on="customer")
	cols = ["promise", "day", "amount"]
	both = pd.concat([by_invoice[cols], on_account[cols]], ignore_index=True)
	recorded = both["promise"].map(pro.set_index("promise")["recorded_day"])
	both = both[(both["day"] >= recorded) & (both["day"] <= today)]
	daily = both.groupby(["promise", "day"], as_index=False)["amount"].sum()
	daily = daily.astype({"day": "int64", "amount": float})
	daily["cum_paid"] = daily.groupby("promise", sort=False)["amount"].cumsum()
	return daily


def _as_dates(days: pd.Series) -> pd.Series:
	"""Days since 1970-01-01 (float, NaN = none) as midnight datetime64[ns] (NaT = none)."""
	values = days.to_numpy(dtype=float)
	out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
	ok = ~np.isnan(values)
	out[ok] = (_EPOCH + values[ok].astype("int64")).astype("datetime64[ns]")
	return pd.Series(out, index=days.index)


def evaluate_promises(
	promises: pd.DataFrame | None,
	instalments: pd.DataFrame | None,
	payments: pd.DataFrame | None,
	today: dt.date,
	grace_days: int = 0,
) -> pd.DataFrame:
	"""The status of every promise to pay on ``today`` (see the module doc for inputs, rules and output)."""
	day = _today(today)
	try:
		ok = not isinstance(grace_days, bool) and float(grace_days).is_integer() and grace_days >= 0
	except (TypeError, ValueError):
		ok = False
	if not ok:
		raise ValueError(f"grace_days must be a whole number >= 0, got {grace_days!r}")
	grace = int(grace_days)
	pro = _prepare_promises(promises)
	if not len(pro):
		return _empty_result()
	ins = _prepare_instalments(instalments, pro, grace)
	daily = _counted(pro, _prepare_payments(payments), day)

	# Rule 2: what had been paid by each instalment's deadline (cumulative, as of that day).
	ins = ins.sort_values("deadline", kind="stable")
	asof = pd.merge_asof(
		ins,
		daily[["promise", "day", "cum_paid"]].sort_values("day", kind="stable"),
		left_on="deadline",
		right_on="day",
		by="promise",
		direction="backward",
	)
	asof["cum_paid"] = asof["cum_paid"].fillna(0.0)
	asof = asof.sort_values(["promise", "due_day"], kind="stable")
	asof["met"] = asof["cum_paid"] >= asof["cum_due"] - AMOUNT_TOLERANCE
	asof["passed"] = asof["deadline"] < day  # rule 3
	missed = asof[asof["passed"] & ~asof["met"]].sort_values(["promise", "deadline"], kind="stable")
	first_missed = missed.groupby("promise", sort=False)[["deadline", "cum_paid"]].first()

	g = asof.groupby("promise", sort=False)
	per = pd.DataFrame(
		{
			"instalments_total": g.size(),
			"instalments_met": g["met"].sum(),
			"due_amount": asof["amount"].where(asof["passed"], 0.0).groupby(asof["promise"]).sum(),
			"next_due": asof["due_day"].where(~asof["passed"]).groupby(asof["promise"]).min(),
			"deadline": g["deadline"].max(),
		}
	)
	idx = pd.Index(pro["promise"])
	per = per.reindex(idx)
	paid = daily.groupby("promise")["amount"].sum().reindex(idx, fill_value=0.0).to_numpy()
	missed_on = first_missed["deadline"].reindex(idx).to_numpy(dtype=float)
	paid_by_miss = first_missed["cum_paid"].reindex(idx).to_numpy(dtype=float)
	promised = pro["promised_amount"].to_numpy()
	cancelled = pro["cancelled"].to_numpy(bool)
	all_met = (per["instalments_met"] == per["instalments_total"]).to_numpy()
	has_miss = ~np.isnan(missed_on)

	status = np.select(
		[
			cancelled,
			(paid >= promised - AMOUNT_TOLERANCE) & all_met,
			has_miss & ~(paid_by_miss >= AMOUNT_TOLERANCE),
			has_miss,
		],
		[CANCELLED, KEPT, BROKEN, PARTIALLY_KEPT],
		OPEN,
	)
	broken_on = np.where(cancelled, np.nan, missed_on + 1)
	next_due = np.where(cancelled, np.nan, per["next_due"].to_numpy(dtype=float))
	out = pd.DataFrame(
		{
			"promise": pro["promise"].to_numpy(),
			"customer": pro["customer"].to_numpy(),
			"invoices": pro["invoices"].to_numpy(),
			"status": status.astype(object),
			"paid_amount": np.minimum(paid, promised),
			"due_amount": per["due_amount"].to_numpy(dtype=float),
			"next_due_date": _as_dates(pd.Series(next_due)),
			"deadline": _as_dates(per["deadline"].reset_index(drop=True).astype(float)),
			"broken_on": _as_dates(pd.Series(broken_on)),
			"instalments_met": per["instalments_met"].to_numpy().astype("int64"),
			"instalments_total": per["instalments_total"].to_numpy().astype("int64"),
		}
	)
	return out[list(RESULT_COLUMNS)]


def _empty_result() -> pd.DataFrame:
	dtypes = {
		"paid_amount": float,
		"due_amount": float,
		"next_due_date": "datetime64[ns]",
		"deadline": "datetime64[ns]",
		"broken_on": "datetime64[ns]",
		"instalments_met": "int64",
		"instalments_total": "int64",
	}
	return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in RESULT_COLUMNS})


def pauses_dunning(result: pd.DataFrame) -> set[str]:
	"""The invoices covered by an Open promise in ``result`` (a table from :func:`evaluate_promises`):
	dunning skips them. On-account promises cover no invoice, so they pause nothing."""
	missing = [c for c in ("status", "invoices") if c not in result.columns]
	if missing:
		raise ValueError(f"result table is missing required column(s): {', '.join(missing)}")
	open_ = result.loc[result["status"] == OPEN, "invoices"]
	return {inv for cell in open_ for inv in invoice_names(cell)}
