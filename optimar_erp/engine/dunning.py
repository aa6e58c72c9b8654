"""Dunning decisions: which reminders a run hands out now, and why the others wait.

:func:`decide` is pure and deterministic: it reads plain tables describing today's state and returns a
:class:`Decision`. The Frappe layer reads these tables from the site, calls it, writes one Collection
Activity per action under its idempotency key (a unique index), then sends. Two concurrent runs compute
the same keys, so the index lets only one of them hand a reminder out.

Inputs
------
Missing optional columns take the default shown; a missing required column raises :class:`ValueError`
naming it. Empty cells in optional columns take the default too. ``activities``, ``promises`` and
``disputes`` may be ``None`` or a table with no rows (any columns).

``invoices`` — the open book, one row per invoice:

==================  ==========  =========  ==========================================================
column              type        required   meaning
==================  ==========  =========  ==========================================================
``invoice``         str         yes        unique invoice id
``customer``        str         yes        customer id
``due_date``        date        yes        payment due date
``outstanding``     float       yes        amount still owed; below 0.005 = paid / fully credited
``grand_total``     float       yes        invoiced amount
``sequence``        str         yes        dunning sequence of the invoice; empty/None = no dunning
``currency``        str         no ("")    currency the outstanding is owed in (party account
                                           currency); a consolidated notice never mixes two
``disputed``        bool        no (False) a dispute is open on the invoice (pauses it)
==================  ==========  =========  ==========================================================

``steps`` — the steps of every dunning sequence, one row per step:

==================  ==========  =========  ==========================================================
``sequence``        str         yes        sequence the step belongs to
``step_id``         str         yes        unique over the whole table, e.g. ``"Standard B2B:+7"``
``offset_days``     int         yes        days from the due date (negative = before it); several
                                           steps of a sequence may share one (on different channels)
``channel``         str         yes        ``Email``, ``SMS``, ``WhatsApp``, ``Call Task`` or ``Letter``
``tone``            str         no ("")    message tone, passed through to the action
``min_gap_days``    int         no (0)     the step waits until the customer's latest touch is at
                                           least this many days old (>= 0)
``escalation``      str         no ("")    ``""``, ``ToDo``, ``Notify Manager`` or ``Hold``, passed
                                           through (the shell carries it out)
``consolidate``     bool        no (False) sequence-level flag (the same on every row of a sequence):
                                           one notice per customer and step listing all its invoices
==================  ==========  =========  ==========================================================

``activities`` — what earlier runs already handed out (Collection Activity):

===================  ==========  =========  =========================================================
``idempotency_key``  str         yes        key of the activity (see *Keys*)
``customer``         str         yes        customer contacted
``step_id``          str         yes        step it carried out
``channel``          str         yes        channel used (``Call Task`` never counts as a touch)
``status``           str         yes        ``Queued``, ``Sending``, ``Sent``, ``Failed``, ``Unknown``
                                            or ``Skipped``
``at``               datetime    yes        when; naive values are taken as UTC
``invoice``          str         no ("")    invoice of a per-invoice activity; empty for a notice
``invoices``         list/str    no (())    invoices a consolidated notice covered: a list/tuple,
                                            a comma-separated string or a JSON list
``notice``           str         no ("")    the message it went out in (grouped emails share one);
                                            empty = its own
===================  ==========  =========  =========================================================

Queued, Sending, Sent, Failed and Unknown rows all mean "this step was handed out for these invoices"
(the shell retries a Failed one itself and hands an Unknown one to a person; neither is decided again).
Skipped rows are not done. Touches (for the weekly cap and the minimum gap) are Queued, Sending, Sent and
Unknown rows on any channel but ``Call Task``.

``customers`` — one row per customer (a customer absent from it gets every default):

===================  ==========  =========  =========================================================
``customer``         str         yes        customer id
``do_not_contact``   bool        no (False) never contact (all channels, calls included)
``on_hold``          bool        no (False) collections are on hold for the customer
``snoozed``          bool        no (False) the customer asked us to wait (out of office, snoozed)
``email``            str         no ("")    recipient of Email and Letter
``mobile``           str         no ("")    recipient of SMS and WhatsApp
``whatsapp_opt_in``  bool        no (False) the contact opted in to WhatsApp
``collector``        str         no ("")    user who gets Call Tasks
``time_zone``        str         no ("")    IANA zone; empty = ``config.company_time_zone``
===================  ==========  =========  =========================================================

``promises`` — ``invoice``, ``promised_date`` (date), ``status`` (``Open`` or anything else): an Open
promise with ``promised_date + grace_days >= today`` pauses its invoice.

``disputes`` — ``invoice``, ``status`` (``Open``, ``Under Review``, ``Resolved``, ``Closed``): an Open or
Under Review dispute pauses its invoice.

``credits`` (optional) — ``customer``, ``currency``, ``credit`` (> 0): payments and credit notes the customer
holds that no invoice has absorbed yet. When they reach everything the customer has open in that currency
(within 0.005), the customer owes nothing net and its invoices in that currency are skipped
(``credit_on_account``, transient: it clears once accounts match the money, or a new invoice exceeds it).

Output
------
:class:`Decision` with two tables and the number of evaluated invoices:

- ``actions`` (:data:`ACTION_COLUMNS`): ``idempotency_key``, ``customer``, ``invoices`` (sorted tuple),
  ``step_id``, ``sequence``, ``channel``, ``tone``, ``escalation``, ``offset_days``, ``days_overdue``
  (largest over its invoices), ``amount`` (their outstanding, summed), ``currency`` (the one currency
  they are owed in), ``consolidated`` (bool), ``recipient`` (email for Email/Letter, mobile for
  SMS/WhatsApp, collector for Call Task), ``notice`` (the message it goes out in: its own key, or the
  customer's grouped email, rule 8).
- ``skipped`` (:data:`SKIPPED_COLUMNS`): ``customer``, ``invoices``, ``step_id``, ``sequence``,
  ``channel``, ``offset_days``, ``reason_code`` (see :data:`REASON_CODES`), ``reason`` (a sentence) and
  ``transient`` (True when the condition clears by itself and a later run will retry).

Rules
-----
1. An invoice is *evaluated* when it owes at least 0.005 and has a sequence. Paused invoices (disputed,
   or under an open promise) get no reminder.
2. ``days_overdue = today − due_date``. The due step is the step of the invoice's sequence with the
   largest ``offset_days <= days_overdue`` — only that one, no retroactive catch-up (when several steps
   share that offset, e.g. an Email and a Call Task, each of them is due). A step is not done again once
   handed out, and nothing is done when a step with a larger offset in the same sequence was.
3. Keys: ``f"{invoice}|{step_id}"`` per invoice; ``f"{customer}|{step_id}|{currency}|{today:%Y-%m-%d}"``
   for a consolidated notice (its ``invoices`` then mark each invoice done for the step). A key that exists
   only as a Skipped activity is decided again under the same key: the shell updates that row.
4. Guards, first match wins: ``do_not_contact``, ``on_hold``, ``snoozed`` (transient),
   ``channel_disabled``, ``no_recipient``,
   ``invalid_time_zone`` (never transient), then ``consolidated_today`` (a notice with today's key
   already exists; the rest goes tomorrow), ``outside_window``, ``min_gap``, ``weekly_cap`` (transient).
5. Send window ``[window_start, window_end)`` in the customer's local time (``window_start >
   window_end`` spans midnight). Call Tasks ignore it.
6. Weekly cap: Queued/Sent touches since ``now − 7 days`` plus the messages this run already decided,
   taken per customer in priority order (days overdue, then amount, largest first). Call Tasks neither
   count nor are capped.
7. Minimum gap: the customer's latest Queued/Sent touch in ``activities`` must be at least
   ``min_gap_days`` old (touches decided in this same run are bounded by the cap, not the gap).
8. A consolidating sequence gives one action per customer, step and currency (amounts in different
   currencies are never added up); otherwise one per invoice. With ``group_emails`` every Email action
   of a customer and currency also carries the notice ``customer|Email|currency|date``: the shell sends
   them as one email (each action keeps its own step and key, so each step is done once), and the weekly
   cap (rule 6) and the touches of ``activities`` (their optional ``notice`` column) count a notice once.
9. Actions (and skipped rows) are ordered by customer, step offset descending, then first invoice.

``skipped`` also lists paused invoices whose due step is still to go (``disputed``; ``promise_to_pay``,
transient since the promise lapses by itself) and evaluated invoices whose sequence has no steps
(``unknown_sequence``). Invoices with no due step yet, or whose due step is done, are not listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from optimar_erp.constants import AMOUNT_TOLERANCE, DISPUTE_OPEN_STATUSES
from optimar_erp.engine.tables import TRUE_WORDS, dates, flag, invoice_names, name_list, table, text

CHANNELS: tuple[str, ...] = ("Email", "SMS", "WhatsApp", "Call Task", "Letter")
"""Channels a step may use."""
CALL_TASK = "Call Task"
ESCALATIONS: tuple[str, ...] = ("", "ToDo", "Notify Manager", "Hold")
"""Escalations a step may carry."""
DONE_STATUSES: tuple[str, ...] = ("Queued", "Sending", "Sent", "Failed", "Unknown")
"""Activity statuses meaning "this step was handed out" (``Unknown``: the provider may have sent it)."""
TOUCH_STATUSES: tuple[str, ...] = ("Queued", "Sending", "Sent", "Unknown")
"""Activity statuses that count as a touch (cap and minimum gap), on channels other than Call Task."""
PAUSING_DISPUTES: tuple[str, ...] = DISPUTE_OPEN_STATUSES
CAP_WINDOW = pd.Timedelta(days=7)

INVOICE_REQUIRED = ("invoice", "customer", "due_date", "outstanding", "grand_total", "sequence")
INVOICE_OPTIONAL: dict[str, object] = {"currency": "", "disputed": False}
STEP_REQUIRED = ("sequence", "step_id", "offset_days", "channel")
STEP_OPTIONAL: dict[str, object] = {"tone": "", "min_gap_days": 0, "escalation": "", "consolidate": False}
LEARNED_STEP_OPTIONAL: dict[str, object] = {
	"learned_channel": False,
	"learned_tone": False,
	"learned_time": False,
	"channels": "",
	"tones": "",
}
"""Step columns read only when :func:`decide` is given a learned ``policy`` (see
:mod:`optimar_erp.engine.response.apply`): which dimensions the model chooses, and among what."""
CREDIT_REQUIRED = ("customer", "currency", "credit")
ACTIVITY_REQUIRED = ("idempotency_key", "customer", "step_id", "channel", "status", "at")
ACTIVITY_OPTIONAL: dict[str, object] = {"invoice": "", "invoices": (), "notice": ""}
CUSTOMER_REQUIRED = ("customer",)
CUSTOMER_OPTIONAL: dict[str, object] = {
	"do_not_contact": False,
	"on_hold": False,
	"snoozed": False,
	"email": "",
	"mobile": "",
	"whatsapp_opt_in": False,
	"collector": "",
	"time_zone": "",
}
PROMISE_REQUIRED = ("invoice", "promised_date", "status")
DISPUTE_REQUIRED = ("invoice", "status")

ACTION_COLUMNS: tuple[str, ...] = (
	"idempotency_key",
	"customer",
	"invoices",
	"step_id",
	"sequence",
	"channel",
	"tone",
	"escalation",
	"offset_days",
	"days_overdue",
	"amount",
	"currency",
	"consolidated",
	"recipient",
	"notice",
)
"""Columns of :attr:`Decision.actions`."""
SKIPPED_COLUMNS: tuple[str, ...] = (
	"customer",
	"invoices",
	"step_id",
	"sequence",
	"channel",
	"offset_days",
	"reason_code",
	"reason",
	"transient",
)
"""Columns of :attr:`Decision.skipped`."""

REASON_CODES: dict[str, bool] = {
	"unknown_sequence": False,
	"disputed": False,
	"promise_to_pay": True,
	"credit_on_account": True,
	"do_not_contact": False,
	"on_hold": False,
	"snoozed": True,
	"channel_disabled": False,
	"no_recipient": False,
	"invalid_time_zone": False,
	"consolidated_today": True,
	"outside_window": True,
	"min_gap": True,
	"weekly_cap": True,
}
"""Every reason code → whether it is transient (clears by itself on a later run)."""

_TRUE = TRUE_WORDS | {"1.0"}
"""Text the dunning flag columns read as True: the shared words plus "1.0" (how a float 1 reads as text)."""


# ------------------------------------------------------------------------------------------- config


@dataclass(frozen=True)
class DunningConfig:
	"""Settings of one dunning run."""

	today: dt.date
	"""The run's date (company calendar): days overdue and consolidated keys use it."""
	now: dt.datetime
	"""The run's instant, timezone-aware (converted to UTC): send window, cap and gap use it."""
	company_time_zone: str
	"""IANA zone used for customers without one."""
	window_start: dt.time = dt.time(8, 0)
	window_end: dt.time = dt.time(19, 0)
	max_touches_per_7_days: int = 3
	enabled_channels: frozenset[str] = field(default_factory=lambda: frozenset({"Email", "Call Task"}))
	grace_days: int = 0
	"""Days after a promised date during which the promise still pauses reminders."""
	group_emails: bool = False
	"""One email per customer and currency per run: the Email actions due for a customer (any step) share
	a ``notice`` and go out as one message, which counts as one touch."""

	def __post_init__(self) -> None:
		today = self.today.date() if isinstance(self.today, dt.datetime) else self.today
		if not isinstance(today, dt.date):
			raise ValueError(f"today must be a date, got {self.today!r}")
		object.__setattr__(self, "today", today)
		if not isinstance(self.now, dt.datetime) or self.now.utcoffset() is None:
			raise ValueError(f"now must be a timezone-aware datetime, got {self.now!r}")
		object.__setattr__(self, "now", self.now.astimezone(dt.timezone.utc))
		_zone(self.company_time_zone, "company_time_zone")
		if self.window_start == self.window_end:
			raise ValueError("window_start and window_end must differ")
		channels = frozenset(self.enabled_channels)
		unknown = sorted(channels - set(CHANNELS))
		if unknown:
			raise ValueError(f"enabled_channels: unknown channel(s) {', '.join(unknown)}")
		object.__setattr__(self, "enabled_channels", channels)
		if self.max_touches_per_7_days < 0 or self.grace_days < 0:
			raise ValueError("max_touches_per_7_days and grace_days must be >= 0")


def _zone(name: str, what: str) -> ZoneInfo:
	"""The zone called ``name`` or ValueError."""
	try:
		return ZoneInfo(str(name))
	except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
		raise ValueError(f"{what}: unknown time zone {name!r}") from exc


# ------------------------------------------------------------------------------------------- result


@dataclass
class Decision:
	"""What a dunning run does now (:attr:`actions`) and what it leaves (:attr:`skipped`)."""

	actions: pd.DataFrame
	"""One row per message or task: see :data:`ACTION_COLUMNS`; ``invoices`` is a sorted tuple,
	``days_overdue`` the largest over them, ``amount`` their outstanding summed, ``currency`` the one
	currency they are owed in, ``recipient`` the email (Email/Letter), mobile (SMS/WhatsApp)
	or collector (Call Task)."""
	skipped: pd.DataFrame
	"""One row per reminder that is due but not handed out: see :data:`SKIPPED_COLUMNS`."""
	evaluated: int = 0
	"""Invoices evaluated: owing at least 0.005 and with a sequence."""

	def summary(self) -> dict[str, object]:
		"""Counts: evaluated invoices, actions (by channel), skipped (by reason code)."""
		return {
			"evaluated_invoices": int(self.evaluated),
			"actions": len(self.actions),
			"actions_by_channel": {
				k: int(v) for k, v in self.actions["channel"].value_counts().sort_index().items()
			},
			"skipped": len(self.skipped),
			"skipped_by_reason": {
				k: int(v) for k, v in self.skipped["reason_code"].value_counts().sort_index().items()
			},
		}


# ------------------------------------------------------------------------------------ normalisation


def _ints(series: pd.Series, name: str) -> pd.Series:
	"""Whole numbers, or ValueError naming the column."""
	values = pd.to_numeric(series, errors="coerce")
	if values.isna().any() or (values != values.round()).any():
		raise ValueError(f"{name} must be whole numbers")
	return values.astype("int64")


def _prepare_invoices(invoices: pd.DataFrame) -> pd.DataFrame:
	inv = table(invoices, "invoices", INVOICE_REQUIRED, INVOICE_OPTIONAL)
	for col in ("invoice", "customer", "sequence", "currency"):
		inv[col] = text(inv[col])
	dup = inv["invoice"][inv["invoice"].duplicated()]
	if len(dup):
		raise ValueError(f"invoices: duplicate invoice id(s): {name_list(dup)}")
	for col in ("outstanding", "grand_total"):
		inv[col] = pd.to_numeric(inv[col], errors="coerce").fillna(0.0).astype(float)
	inv["disputed"] = flag(inv["disputed"], true_words=_TRUE)
	inv["due_day"] = dates(inv["due_date"], "invoices.due_date")
	return inv


def _prepare_steps(steps: pd.DataFrame) -> pd.DataFrame:
	stp = table(steps, "steps", STEP_REQUIRED, STEP_OPTIONAL)
	for col in ("sequence", "step_id", "channel", "tone", "escalation"):
		stp[col] = text(stp[col])
	stp["offset_days"] = _ints(stp["offset_days"], "steps.offset_days")
	stp["min_gap_days"] = _ints(stp["min_gap_days"].fillna(0), "steps.min_gap_days")
	stp["consolidate"] = flag(stp["consolidate"], true_words=_TRUE)
	problems = []
	if (stp["step_id"] == "").any() or (stp["sequence"] == "").any():
		problems.append("sequence and step_id may not be empty")
	dup = stp["step_id"][stp["step_id"].duplicated()]
	if len(dup):
		problems.append(f"duplicate step_id(s): {', '.join(sorted(set(dup)))}")
	bad = sorted(set(stp["channel"]) - set(CHANNELS))
	if bad:
		problems.append(f"unknown channel(s): {', '.join(bad)} (use {', '.join(CHANNELS)})")
	bad = sorted(set(stp["escalation"]) - set(ESCALATIONS))
	if bad:
		problems.append(
			f"unknown escalation(s): {', '.join(bad)} (use {', '.join(ESCALATIONS[1:])} or empty)"
		)
	if (stp["min_gap_days"] < 0).any():
		problems.append("min_gap_days must be >= 0")
	mixed = stp.groupby("sequence")["consolidate"].nunique()
	if (mixed > 1).any():
		problems.append(f"consolidate differs between the steps of: {', '.join(mixed.index[mixed > 1])}")
	if problems:
		raise ValueError("steps: " + "; ".join(problems))
	return stp


def _prepare_activities(activities: pd.DataFrame | None) -> pd.DataFrame:
	act = table(activities, "activities", ACTIVITY_REQUIRED, ACTIVITY_OPTIONAL, may_be_empty=True)
	for col in ("idempotency_key", "customer", "invoice", "step_id", "channel", "status", "notice"):
		act[col] = text(act[col])
	# activities sent as one message share a notice; one sent alone is its own
	act["notice"] = act["notice"].where(act["notice"] != "", act["idempotency_key"])
	act["at"] = pd.to_datetime(act["at"], utc=True) if len(act) else pd.Series(dtype="datetime64[ns, UTC]")
	return act


def _prepare_customers(customers: pd.DataFrame) -> pd.DataFrame:
	cus = table(customers, "customers", CUSTOMER_REQUIRED, CUSTOMER_OPTIONAL)
	for col in ("customer", "email", "mobile", "collector", "time_zone"):
		cus[col] = text(cus[col])
	for col in ("do_not_contact", "on_hold", "snoozed", "whatsapp_opt_in"):
		cus[col] = flag(cus[col], true_words=_TRUE)
	dup = cus["customer"][cus["customer"].duplicated()]
	if len(dup):
		raise ValueError(f"customers: duplicate customer(s): {name_list(dup)}")
	return cus[["customer", *CUSTOMER_OPTIONAL]]


# ------------------------------------------------------------------------------------------- engine


def _handed_out(act: pd.DataFrame, stp: pd.DataFrame) -> pd.DataFrame:
	"""invoice, step_id, sequence, offset_days: every step already handed out for an invoice (through the
	activity's ``invoice`` or its ``invoices`` list), once each."""
	done = act[act["status"].isin(DONE_STATUSES)]
	direct = done.loc[done["invoice"] != "", ["invoice", "step_id"]]
	cells = done["invoices"]
	try:  # fast path: a cell is empty when falsy ("", (), [], None)
		has = cells.notna().to_numpy() & cells.to_numpy().astype(bool)
	except ValueError:  # some cell is an array, whose truth is ambiguous
		has = cells.map(lambda v: bool(invoice_names(v))).to_numpy(bool)
	filled = done[has]
	listed = filled[["step_id"]].assign(invoice=filled["invoices"].map(invoice_names)).explode("invoice")
	pairs = pd.concat(
		[direct, listed.loc[listed["invoice"].notna(), ["invoice", "step_id"]]], ignore_index=True
	).drop_duplicates()
	return pairs.merge(stp[["step_id", "sequence", "offset_days"]], on="step_id")


def _skips(frame: pd.DataFrame, code: str, reason: pd.Series | str) -> pd.DataFrame:
	"""Skipped rows for the units in ``frame`` (which has the unit columns)."""
	out = frame[
		["customer", "invoices", "step_id", "sequence", "channel", "offset_days", "first_invoice"]
	].copy()
	out["reason_code"] = code
	out["reason"] = reason
	out["transient"] = REASON_CODES[code]
	return out


def _single_units(rows: pd.DataFrame) -> pd.DataFrame:
	"""Invoice rows as one-invoice units."""
	out = rows.copy()
	out["invoices"] = [(v,) for v in out["invoice"]]
	out["first_invoice"] = out["invoice"]
	out["amount"] = out["outstanding"]
	return out


def _invoice_units(live: pd.DataFrame, today: dt.date) -> pd.DataFrame:
	"""Actionable invoice rows grouped into units: one per invoice, or one per customer and step when the
	sequence consolidates."""
	cons = live["consolidate"].to_numpy(bool)
	single = _single_units(live[~cons])
	single["idempotency_key"] = single["invoice"] + "|" + single["step_id"]
	single["consolidated"] = False
	grouped = live[cons].sort_values(["customer", "step_id", "currency", "invoice"], kind="stable")
	if len(grouped):
		keys = ["customer", "step_id", "currency"]
		g = grouped.groupby(keys, sort=False)  # groups are contiguous and already in sorted order
		merged = g.agg(
			first_invoice=("invoice", "first"),
			days_overdue=("days_overdue", "max"),
			amount=("outstanding", "sum"),
			sequence=("sequence", "first"),
			channel=("channel", "first"),
			tone=("tone", "first"),
			escalation=("escalation", "first"),
			offset_days=("offset_days", "first"),
			min_gap_days=("min_gap_days", "first"),
		).reset_index()
		bounds = np.cumsum(g.size().to_numpy())[:-1]
		merged["invoices"] = [tuple(part) for part in np.split(grouped["invoice"].to_numpy(), bounds)]
		merged["idempotency_key"] = (
			merged["customer"]
			+ "|"
			+ merged["step_id"]
			+ "|"
			+ merged["currency"]
			+ "|"
			+ f"{today:%Y-%m-%d}"
		)
		merged["consolidated"] = True
	else:
		merged = single.iloc[0:0]
	cols = [
		"idempotency_key",
		"customer",
		"invoices",
		"first_invoice",
		"step_id",
		"sequence",
		"channel",
		"tone",
		"escalation",
		"offset_days",
		"min_gap_days",
		"days_overdue",
		"amount",
		"currency",
		"consolidated",
	]
	return pd.concat([single[cols], merged[cols]], ignore_index=True)


def _local_clock(zones: pd.Series, now: dt.datetime) -> tuple[pd.Series, pd.Series]:
	"""(local time as "HH:MM", minutes since local midnight or NaN for an unknown zone) per row, each zone
	computed once."""
	clock: dict[str, str] = {}
	minutes: dict[str, float] = {}
	for name in zones.unique():
		try:
			local = now.astimezone(ZoneInfo(name))
		except (ZoneInfoNotFoundError, ValueError, TypeError):
			clock[name], minutes[name] = "", np.nan
			continue
		clock[name] = f"{local:%H:%M}"
		minutes[name] = local.hour * 60 + local.minute + local.second / 60
	return zones.map(clock), zones.map(minutes).astype(float)


def _in_window(minutes: np.ndarray, start: dt.time, end: dt.time) -> np.ndarray:
	"""True where a local time (minutes since midnight) lies in [start, end); start > end spans midnight."""
	lo = start.hour * 60 + start.minute + start.second / 60
	hi = end.hour * 60 + end.minute + end.second / 60
	if lo < hi:
		return (minutes >= lo) & (minutes < hi)
	return (minutes >= lo) | (minutes < hi)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
	"""Rule 9 order: customer, step offset descending, first invoice."""
	return frame.sort_values(
		["customer", "offset_days", "first_invoice", "step_id"],
		ascending=[True, False, True, True],
		kind="stable",
	).reset_index(drop=True)


def _reason_text(code: str, units: pd.DataFrame, config: DunningConfig) -> pd.Series | str:
	"""The human sentence for units skipped with a customer-level ``code`` (``units`` is not empty)."""
	channel = units["channel"]
	if code == "channel_disabled":
		return "Channel " + channel + " is not enabled for dunning"
	if code == "no_recipient":
		return pd.Series(
			np.select(
				[channel.isin(["Email", "Letter"]), channel == "SMS", channel == "WhatsApp"],
				[
					"Customer has no email address",
					"Customer has no mobile number",
					"Customer has no mobile number or has not opted in to WhatsApp",
				],
				"Customer has no collector assigned",
			),
			index=units.index,
		)
	if code == "invalid_time_zone":
		return "Unknown time zone " + units["zone"]
	if code == "outside_window":
		window = f"{config.window_start:%H:%M}–{config.window_end:%H:%M}"
		return f"Outside the send window {window}: it is " + units["clock"] + " in " + units["zone"]
	if code == "min_gap":
		return (
			"Customer was last contacted less than "
			+ units["min_gap_days"].astype(str)
			+ " day(s) ago, at "
			+ units["last_touch"].dt.strftime("%Y-%m-%d %H:%M UTC")
		)
	if code == "weekly_cap":
		return f"Customer already has {config.max_touches_per_7_days} touch(es) in the last 7 days"
	return {
		"do_not_contact": "Customer is marked do-not-contact",
		"on_hold": "Customer is on hold",
		"snoozed": "Customer asked us to wait (out of office or snoozed)",
		"consolidated_today": (
			"A consolidated notice for this step already went out today; these invoices follow tomorrow"
		),
	}[code]


def _open_invoices(inv: pd.DataFrame, today: np.datetime64) -> pd.DataFrame:
	"""Rule 1: the evaluated invoices (owing at least 0.005, with a sequence) with their ``days_overdue``;
	ValueError when one has no due date."""
	open_ = inv[(inv["outstanding"] >= AMOUNT_TOLERANCE) & (inv["sequence"] != "")].copy()
	if open_["due_day"].isna().any():
		bad = open_.loc[pd.isna(open_["due_day"]), "invoice"]
		raise ValueError(f"invoices: due_date is empty for {', '.join(sorted(bad)[:10])}")
	open_["days_overdue"] = (today - open_["due_day"].to_numpy().astype("datetime64[D]")).astype("int64")
	return open_


_STEP_COLUMNS = [
	"sequence",
	"offset_days",
	"step_id",
	"channel",
	"tone",
	"min_gap_days",
	"escalation",
	"consolidate",
]


def _due_steps(open_: pd.DataFrame, stp: pd.DataFrame) -> pd.DataFrame:
	"""Rule 2: one row per invoice and due step: the step(s) of its sequence with the largest
	``offset_days <= days_overdue`` (several when steps share that offset, say an email and a call task).
	Invoices with no step due yet are left out."""
	offsets = stp[["sequence", "offset_days"]].drop_duplicates().sort_values("offset_days", kind="stable")
	due = pd.merge_asof(
		open_.sort_values("days_overdue", kind="stable"),
		offsets,
		left_on="days_overdue",
		right_on="offset_days",
		by="sequence",
		direction="backward",
	)
	due = due[due["offset_days"].notna()].astype({"offset_days": "int64"})
	due = due.merge(stp[_STEP_COLUMNS], on=["sequence", "offset_days"])
	due["min_gap_days"] = due["min_gap_days"].astype("int64")
	due["consolidate"] = due["consolidate"].astype(bool)
	return due


def _not_done(due: pd.DataFrame, act: pd.DataFrame, stp: pd.DataFrame) -> pd.DataFrame:
	"""The due rows whose step was not handed out yet, neither itself (by invoice, by a notice's invoice
	list, or by key) nor any step with a later offset in the same sequence."""
	handed = _handed_out(act, stp)
	latest = handed.groupby(["invoice", "sequence"])["offset_days"].max().rename("done_offset")
	due = due.join(latest, on=["invoice", "sequence"])
	done_keys = set(act.loc[act["status"].isin(DONE_STATUSES), "idempotency_key"])
	done_pairs = set(handed["invoice"] + "|" + handed["step_id"]) | done_keys
	done = (due["done_offset"] > due["offset_days"]).to_numpy() | (
		due["invoice"] + "|" + due["step_id"]
	).isin(done_pairs).to_numpy()
	return due[~done]


def _promised_until(pro: pd.DataFrame, config: DunningConfig, today: np.datetime64) -> pd.Series:
	"""Invoice → the latest promised date of its Open promises still live today (date + grace days)."""
	if not len(pro):
		return pd.Series(dtype="datetime64[ns]")
	promise_day = dates(pro["promised_date"], "promises.promised_date")
	live_promise = (text(pro["status"]) == "Open").to_numpy() & (
		promise_day + np.timedelta64(config.grace_days, "D") >= today
	)
	return (
		pd.Series(promise_day[live_promise], index=text(pro["invoice"])[live_promise]).groupby(level=0).max()
	)


def _paused(
	due: pd.DataFrame, pro: pd.DataFrame, dis: pd.DataFrame, config: DunningConfig, today: np.datetime64
) -> tuple[np.ndarray, list[pd.DataFrame]]:
	"""(mask of the due rows paused, their skipped rows): disputed (flag or an Open / Under Review
	dispute) first, then under a live open promise."""
	open_disputes = set(text(dis["invoice"])[text(dis["status"]).isin(PAUSING_DISPUTES)])
	disputed = due["disputed"].to_numpy() | due["invoice"].isin(open_disputes).to_numpy()
	promised_until = due["invoice"].map(_promised_until(pro, config, today))
	promised = promised_until.notna().to_numpy() & ~disputed
	until_text = pd.to_datetime(promised_until[promised]).dt.strftime("%Y-%m-%d").to_numpy()
	skipped = [
		_skips(_single_units(due[disputed]), "disputed", "Invoice is under dispute"),
		_skips(
			_single_units(due[promised]),
			"promise_to_pay",
			"Invoice is covered by an open promise to pay dated " + until_text,
		),
	]
	return disputed | promised, skipped


def _covered_by_credit(due: pd.DataFrame, open_: pd.DataFrame, credits: pd.DataFrame) -> np.ndarray:
	"""Mask of the due rows whose customer holds, in the invoice's currency, unmatched payments and
	credits at least equal to everything open in that currency: the customer owes nothing net, so
	nothing is asked for until accounts match the money to the invoices."""
	if credits.empty or due.empty:
		return np.zeros(len(due), bool)
	held = (
		credits.assign(
			customer=text(credits["customer"]),
			currency=text(credits["currency"]),
			credit=pd.to_numeric(credits["credit"], errors="coerce").fillna(0.0),
		)
		.groupby(["customer", "currency"])["credit"]
		.sum()
	)
	owed = open_.groupby(["customer", "currency"])["outstanding"].sum()
	net = owed.sub(held.reindex(owed.index).fillna(0.0))
	covered = set(net.index[net <= AMOUNT_TOLERANCE])
	return np.fromiter(
		((c, cur) in covered for c, cur in zip(due["customer"], due["currency"], strict=True)), bool, len(due)
	)


def _with_customers(units: pd.DataFrame, cus: pd.DataFrame) -> pd.DataFrame:
	"""The units with their customer's settings (defaults for a customer not in ``cus``) and the
	``recipient`` of their channel."""
	units = units.merge(cus, on="customer", how="left")
	for col, default in CUSTOMER_OPTIONAL.items():
		units[col] = units[col].where(units[col].notna(), default)
		if isinstance(default, bool):
			units[col] = units[col].astype(bool)
	channel = units["channel"]
	units["recipient"] = np.select(
		[channel.isin(["Email", "Letter"]), channel.isin(["SMS", "WhatsApp"]), channel == CALL_TASK],
		[units["email"], units["mobile"], units["collector"]],
		"",
	)
	return units


def _notices(units: pd.DataFrame, config: DunningConfig) -> pd.Series:
	"""Each unit's message: with ``group_emails``, ``customer|Email|currency|date`` for Email units (one
	email per customer and currency per run); otherwise, and for other channels, its own key."""
	own = units["idempotency_key"]
	if not config.group_emails or units.empty:
		return own.copy()
	grouped = units["customer"] + "|Email|" + units["currency"] + "|" + f"{config.today:%Y-%m-%d}"
	return grouped.where(units["channel"] == "Email", own)


def _touches(act: pd.DataFrame) -> pd.DataFrame:
	"""Activities that count as a touch: Queued/Sending/Sent/Unknown, not a Call Task, with a customer."""
	return act[act["status"].isin(TOUCH_STATUSES) & (act["channel"] != CALL_TASK) & (act["customer"] != "")]


def _guard(units: pd.DataFrame, act: pd.DataFrame, touches: pd.DataFrame, config: DunningConfig) -> None:
	"""Rule 4 but the weekly cap: set (in place) ``code`` to the first guard that holds each unit back
	("" for none), and ``zone``, ``clock`` and ``last_touch`` for the reason sentences."""
	now = pd.Timestamp(config.now)
	channel = units["channel"]
	call = (channel == CALL_TASK).to_numpy()
	zone = units["time_zone"].where(units["time_zone"] != "", config.company_time_zone)
	clock, minutes = _local_clock(zone, config.now)
	zone_ok = minutes.notna().to_numpy()
	in_window = _in_window(minutes.to_numpy(), config.window_start, config.window_end)
	last_touch = units["customer"].map(touches.groupby("customer")["at"].max())
	gap = pd.to_timedelta(units["min_gap_days"], unit="D")
	too_soon = ((units["min_gap_days"] > 0) & last_touch.notna() & (now - last_touch < gap)).to_numpy()
	existing = set(act.loc[act["status"] != "Skipped", "idempotency_key"])
	no_recipient = (units["recipient"] == "").to_numpy() | (
		(channel == "WhatsApp") & ~units["whatsapp_opt_in"]
	).to_numpy()
	checks = [
		("do_not_contact", units["do_not_contact"].to_numpy()),
		("on_hold", units["on_hold"].to_numpy()),
		("snoozed", units["snoozed"].to_numpy()),
		("channel_disabled", ~channel.isin(config.enabled_channels).to_numpy()),
		("no_recipient", no_recipient),
		("invalid_time_zone", ~call & ~zone_ok),
		(
			"consolidated_today",
			units["consolidated"].to_numpy() & units["idempotency_key"].isin(existing).to_numpy(),
		),
		("outside_window", ~call & ~in_window),
		("min_gap", too_soon),
	]
	units["code"] = np.select([m for _, m in checks], [c for c, _ in checks], "")
	units["zone"], units["clock"], units["last_touch"] = zone, clock, last_touch


def _weekly_cap(units: pd.DataFrame, touches: pd.DataFrame, config: DunningConfig) -> None:
	"""Rule 6: set (in place) ``code`` to ``weekly_cap`` on the messages (not Call Tasks) no guard held back
	beyond the customer's allowance: its touches of the last 7 days plus this run's, in priority order."""
	now = pd.Timestamp(config.now)
	recent = touches[touches["at"] >= now - CAP_WINDOW].groupby("customer")["notice"].nunique()
	call = (units["channel"] == CALL_TASK).to_numpy()
	candidates = units[(units["code"] == "") & ~call].sort_values(
		["customer", "days_overdue", "amount", "offset_days", "first_invoice", "step_id"],
		ascending=[True, False, False, False, True, True],
		kind="stable",
	)
	# a message is a notice: the actions grouped into one email take one place in the allowance
	rank = candidates.groupby("customer")["notice"].transform(lambda s: pd.factorize(s)[0])
	prior = candidates["customer"].map(recent).fillna(0).astype("int64")
	capped = candidates.index[(prior + rank >= config.max_touches_per_7_days).to_numpy()]
	units.loc[capped, "code"] = "weekly_cap"


def _decision(
	units: pd.DataFrame, skipped: list[pd.DataFrame], evaluated: int, config: DunningConfig
) -> Decision:
	"""The :class:`Decision`: units without a code are actions; the others join ``skipped`` with their
	reason; both in rule 9 order with their columns typed."""
	skipped = list(skipped)
	for reason_code in REASON_CODES:
		hit = units[units["code"] == reason_code]
		if len(hit):
			skipped.append(_skips(hit, reason_code, _reason_text(reason_code, hit, config)))
	actions = _sorted(units[units["code"] == ""])
	actions["days_overdue"] = actions["days_overdue"].astype("int64")
	actions["offset_days"] = actions["offset_days"].astype("int64")
	actions["amount"] = actions["amount"].astype(float)
	actions["consolidated"] = actions["consolidated"].astype(bool)
	skipped_df = _sorted(pd.concat([s for s in skipped if len(s)] or [skipped[0]], ignore_index=True))
	skipped_df["offset_days"] = skipped_df["offset_days"].astype("int64")
	skipped_df["transient"] = skipped_df["transient"].astype(bool)
	return Decision(
		actions=actions[list(ACTION_COLUMNS)].reset_index(drop=True),
		skipped=skipped_df[list(SKIPPED_COLUMNS)].reset_index(drop=True),
		evaluated=evaluated,
	)


def decide(
	invoices: pd.DataFrame,
	steps: pd.DataFrame,
	activities: pd.DataFrame | None,
	customers: pd.DataFrame,
	promises: pd.DataFrame | None,
	disputes: pd.DataFrame | None,
	config: DunningConfig,
	credits: pd.DataFrame | None = None,
	policy=None,
) -> Decision:
	"""The reminders a dunning run hands out now, and the due ones it holds back (see the module doc).

	``policy`` (optional, a :class:`optimar_erp.engine.response.apply.LearnedDunning`): steps that say
	"learned" get their channel, tone and hour from it before the guards run; their actions carry four
	more columns (``learned``, ``propensity``, ``choice_reason``, ``send_hour``) and reminders waiting for
	their hour or the customer's payment run are skipped as ``awaiting_send_time`` /
	``awaiting_payment_run`` (transient). Without it nothing changes."""
	if not isinstance(config, DunningConfig):
		raise ValueError("config must be a DunningConfig")
	inv = _prepare_invoices(invoices)
	stp = _prepare_steps(steps)
	act = _prepare_activities(activities)
	cus = _prepare_customers(customers)
	pro = table(promises, "promises", PROMISE_REQUIRED, may_be_empty=True)
	dis = table(disputes, "disputes", DISPUTE_REQUIRED, may_be_empty=True)
	today = np.datetime64(config.today, "D")

	open_ = _open_invoices(inv, today)
	known = open_["sequence"].isin(set(stp["sequence"]))
	unknown = _single_units(open_[~known].assign(step_id="", channel="", offset_days=0))
	skipped = [
		_skips(unknown, "unknown_sequence", "Dunning sequence " + unknown["sequence"] + " has no steps")
	]

	due = _not_done(_due_steps(open_[known], stp), act, stp)
	paused, paused_rows = _paused(due, pro, dis, config, today)
	skipped += paused_rows
	covered = _covered_by_credit(due, open_, table(credits, "credits", CREDIT_REQUIRED, may_be_empty=True))
	covered &= ~paused
	skipped.append(
		_skips(
			_single_units(due[covered]),
			"credit_on_account",
			"Payments and credits not yet matched to invoices cover everything the customer owes",
		)
	)
	paused = paused | covered

	# Rule 8: units (one invoice, or a customer's consolidated notice), then the guards of rules 4-7.
	units = _with_customers(_invoice_units(due[~paused], config.today), cus)
	touches = _touches(act)
	if policy is not None:
		units, skipped = _learned(policy, units, steps, stp, touches, customers, config, skipped)
	units["notice"] = _notices(units, config)
	_guard(units, act, touches, config)
	_weekly_cap(units, touches, config)
	decision = _decision(units, skipped, len(open_), config)
	if policy is not None:
		learned_cols = list(policy_columns(policy))
		extra = _sorted(units[units["code"] == ""])[learned_cols].reset_index(drop=True)
		decision.actions = pd.concat([decision.actions, extra], axis=1)
	return decision


def policy_columns(policy) -> tuple[str, ...]:
	"""The extra action columns a learned policy adds."""
	return tuple(policy.action_columns)


def _learned(policy, units, steps, stp, touches, customers, config, skipped):
	"""Apply a learned policy to the units (see :func:`decide`): the units that go on, and ``skipped``
	with the ones that wait."""
	flags = table(steps, "steps", STEP_REQUIRED, LEARNED_STEP_OPTIONAL)
	stp = stp.copy()
	for col in ("learned_channel", "learned_tone", "learned_time"):
		stp[col] = flag(flags[col], true_words=_TRUE).to_numpy()
	for col in ("channels", "tones"):
		stp[col] = text(flags[col]).to_numpy()
	listed = {c.strip() for cell in stp["channels"] for c in cell.split(",") if c.strip()}
	if listed - set(CHANNELS):
		raise ValueError(f"steps.channels: unknown channel(s) {', '.join(sorted(listed - set(CHANNELS)))}")
	segments = None
	if "segment" in customers.columns:
		segments = pd.Series(
			text(customers["segment"]).to_numpy(), index=text(customers["customer"]).to_numpy()
		)
	units, waiting = policy.apply(units, stp, touches, config, segments)
	skipped = list(skipped)
	for frame, code, reason in waiting:
		rows = frame[
			["customer", "invoices", "step_id", "sequence", "channel", "offset_days", "first_invoice"]
		].copy()
		rows["reason_code"] = code
		rows["reason"] = reason
		rows["transient"] = True
		skipped.append(rows)
	return units, skipped


# ----------------------------------------------------------------------------------- send-time recheck

RECHECK_COLUMNS: tuple[str, ...] = ("name", "send", "invoices", "reason_code", "reason")
"""Columns of :func:`recheck`'s result."""
RECHECK_REASONS: dict[str, str] = {
	"engine_off": "Automated dunning was turned off before it went out",
	"channel_disabled": "Channel {channel} was disabled before it went out",
	"do_not_contact": "Customer was marked do-not-contact before it went out",
	"on_hold": "Customer was put on hold before it went out",
	"snoozed": "Customer asked us to wait before it went out",
	"no_recipient": "The recipient has no address or withdrew the opt-in before it went out",
	"recipient_changed": "{recipient} is no longer a contact of the customer",
	"foreign_invoice": "{invoices} not an open invoice of this customer",
	"disputed": "A dispute was opened on {invoices} before it went out",
	"promise_to_pay": "A promise to pay covers {invoices}",
	"paid": "Paid before the reminder went out",
	"invalid_time_zone": "Unknown time zone {zone}",
	"outside_window": "Outside the send window {window}: it is {clock} in {zone}",
}
"""Every reason :func:`recheck` holds a claimed reminder back for, first match wins, as a sentence."""


def _addresses(value: object, digits: bool) -> frozenset[str]:
	"""The addresses in a cell (tuple, list or comma-separated text), normalised for comparison."""
	return frozenset(a for a in (_address(v, digits) for v in invoice_names(value)) if a)


def _address(value: object, digits: bool) -> str:
	raw = str(value or "").strip()
	return "".join(ch for ch in raw if ch.isdigit()) if digits else raw.lower()


def recheck(
	claimed: pd.DataFrame,
	invoices: pd.DataFrame,
	customers: pd.DataFrame,
	promises: pd.DataFrame | None,
	disputes: pd.DataFrame | None,
	config: DunningConfig,
	engine_enabled: bool = True,
) -> pd.DataFrame:
	"""Whether each claimed reminder may still go out *now*, and for which of its invoices.

	Run right before a send (first try and every retry): anything that changed since the reminder was
	decided and would have stopped it holds it back. ``claimed`` has ``name``, ``customer``, ``invoices``
	(tuple, list or comma-separated), ``channel`` and ``recipient``. ``invoices`` has the claimed invoices
	as they are now: ``invoice``, ``customer``, ``outstanding`` (an invoice missing from it was cancelled).
	``customers`` is the table :func:`decide` takes, plus optional ``emails`` and ``mobiles``: every
	address the customer may be reached at now; without them only ``email`` / ``mobile`` count.
	``promises`` and ``disputes`` as for :func:`decide`.

	Returns one row per claimed reminder (:data:`RECHECK_COLUMNS`): ``send``; ``invoices``, those still
	owing at least 0.005 (a paid invoice leaves a notice, the rest still goes); ``reason_code`` (a key of
	:data:`RECHECK_REASONS`, first match wins) and ``reason`` when it is held back.
	"""
	if not isinstance(config, DunningConfig):
		raise ValueError("config must be a DunningConfig")
	rows = table(claimed, "claimed", ("name", "customer", "invoices", "channel", "recipient"))
	cus = _prepare_customers(customers).set_index("customer")
	extra = table(customers, "customers", CUSTOMER_REQUIRED, {"emails": (), "mobiles": ()})
	extra = extra.drop_duplicates("customer").set_index(text(extra["customer"]))
	inv = table(invoices, "invoices", ("invoice", "customer", "outstanding"), may_be_empty=True)
	owner = dict(zip(text(inv["invoice"]), text(inv["customer"]), strict=True))
	owing = dict(
		zip(
			text(inv["invoice"]),
			pd.to_numeric(inv["outstanding"], errors="coerce").fillna(0.0) >= AMOUNT_TOLERANCE,
			strict=True,
		)
	)
	dis = table(disputes, "disputes", DISPUTE_REQUIRED, may_be_empty=True)
	disputed = set(text(dis["invoice"])[text(dis["status"]).isin(PAUSING_DISPUTES)])
	pro = table(promises, "promises", PROMISE_REQUIRED, may_be_empty=True)
	promised: set[str] = set()
	if len(pro):
		day = dates(pro["promised_date"], "promises.promised_date")
		live = (text(pro["status"]) == "Open").to_numpy() & (
			day + np.timedelta64(config.grace_days, "D") >= np.datetime64(config.today, "D")
		)
		promised = set(text(pro["invoice"])[live])

	zones = text(rows["customer"]).map(cus["time_zone"]).fillna("")
	zones = zones.where(zones != "", config.company_time_zone)
	clock, minutes = _local_clock(zones, config.now)
	in_window = _in_window(minutes.to_numpy(), config.window_start, config.window_end)
	window = f"{config.window_start:%H:%M}–{config.window_end:%H:%M}"

	out = []
	for i, row in enumerate(rows.itertuples(index=False)):
		customer, channel = str(row.customer), str(row.channel)
		names = invoice_names(row.invoices)
		known = customer in cus.index
		c = cus.loc[customer] if known else pd.Series(CUSTOMER_OPTIONAL)
		foreign = [n for n in names if owner.get(n) != customer]
		hit = [n for n in names if n in disputed]
		covered = [n for n in names if n in promised]
		still = tuple(n for n in names if owing.get(n, False) and n not in foreign)
		digits = channel in ("SMS", "WhatsApp")
		if channel == CALL_TASK:
			valid = _addresses((c["collector"],), digits=False)
		else:
			listed = extra.at[customer, "mobiles" if digits else "emails"] if customer in extra.index else ()
			current = c["mobile"] if digits else c["email"]
			valid = _addresses((current, *invoice_names(listed)), digits)
		checks = [
			("engine_off", not engine_enabled),
			("channel_disabled", channel not in config.enabled_channels),
			("do_not_contact", bool(c["do_not_contact"])),
			("on_hold", bool(c["on_hold"])),
			("snoozed", bool(c["snoozed"])),
			("no_recipient", not valid or (channel == "WhatsApp" and not bool(c["whatsapp_opt_in"]))),
			("recipient_changed", _address(row.recipient, digits) not in valid),
			("foreign_invoice", bool(foreign)),
			("disputed", bool(hit)),
			("promise_to_pay", bool(covered)),
			("paid", not still),
			("invalid_time_zone", channel != CALL_TASK and np.isnan(minutes.iloc[i])),
			("outside_window", channel != CALL_TASK and not in_window[i]),
		]
		code = next((name for name, failed in checks if failed), "")
		reason = (
			RECHECK_REASONS[code].format(
				channel=channel,
				recipient=row.recipient or "The recipient",
				invoices=", ".join(foreign or hit or covered),
				zone=zones.iloc[i],
				clock=clock.iloc[i],
				window=window,
			)
			if code
			else ""
		)
		out.append((row.name, not code, still, code, reason))
	return pd.DataFrame(out, columns=list(RECHECK_COLUMNS))
