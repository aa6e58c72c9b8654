"""Behaviour-driven escalation: which customers move up the collections ladder now, and why.

:func:`decide_escalations` is pure and deterministic: the Frappe shell gathers one row per customer
(how overdue, how much, how many promises broken in the lookback it chose, the risk band, the level the
customer is at now) and carries out what comes back: a call task, a review task, an approval request or a
credit hold.

Levels, lowest first (:data:`LEVELS`): ``Collector Call`` → ``Account Manager Review`` → ``Collections
Manager Approval`` → ``Collections Hold``.

Rules
-----
An :class:`EscalationRule` names a level and sets one or more triggers:

- ``days_overdue``: ``max_days_overdue >= min_days_overdue``;
- ``broken_promises``: ``broken_promises >= min_broken_promises``;
- ``amount_risk``: ``overdue_amount >= min_overdue_amount``.

``risk_bands`` restricts the rule to customers in those bands (empty = any band). With ``match="any"``
the rule fires when any of its set triggers fires; with ``match="all"`` when every one does. Several
rules may name the same level: the level fires when any of them does. See :data:`DEFAULT_RULES`.

Input
-----
``customers`` — one row per customer; a missing required column raises :class:`ValueError` naming it,
a missing optional one (or an empty cell) takes the default:

====================  ======  =========  ==============================================================
column                type    required   meaning
====================  ======  =========  ==============================================================
``customer``          str     yes        unique customer id
``max_days_overdue``  int     yes        days past due of the customer's most overdue open invoice
``overdue_amount``    float   yes        amount overdue in total
``broken_promises``   int     yes        promises broken in the lookback window the shell chose
``risk_band``         str     no ("")    risk band, e.g. ``Low``, ``Medium``, ``High``, ``Critical``
``current_level``     str     no ("")    level the customer is at now; ``""`` = none
``on_hold``           bool    no (False) collections are already on hold for the customer
====================  ======  =========  ==============================================================

Output
------
The target level of a customer is the highest level any of whose rules fires. Only customers whose target
is above where they are now are listed: escalation never goes down by itself, and a customer already
``on_hold`` counts as being at ``Collections Hold`` (whatever ``current_level`` says), so gets nothing.
Columns (:data:`RESULT_COLUMNS`): ``customer``, ``from_level`` (``current_level``), ``to_level``,
``action`` (:data:`ACTIONS` of ``to_level``), ``reason`` (a sentence naming the triggers of the
``to_level`` rules that fired, e.g. ``"62 days overdue, 3 broken promises"``) and ``triggers`` (a tuple
of the codes above, in that order). Rows follow the input order.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from optimar_erp.engine.tables import flag, floats, name_list, table, text

LEVELS: tuple[str, ...] = (
	"Collector Call",
	"Account Manager Review",
	"Collections Manager Approval",
	"Collections Hold",
)
"""Escalation levels, lowest first."""
HOLD = LEVELS[-1]
ACTIONS: dict[str, str] = {
	"Collector Call": "call_task",
	"Account Manager Review": "review_task",
	"Collections Manager Approval": "approval_request",
	"Collections Hold": "hold",
}
"""What the shell does on reaching each level."""
TRIGGERS: tuple[str, ...] = ("days_overdue", "broken_promises", "amount_risk")
"""Trigger codes, in the order ``triggers`` and ``reason`` list them."""
MATCHES: tuple[str, ...] = ("any", "all")

CUSTOMER_REQUIRED = ("customer", "max_days_overdue", "overdue_amount", "broken_promises")
CUSTOMER_OPTIONAL: dict[str, object] = {"risk_band": "", "current_level": "", "on_hold": False}
RESULT_COLUMNS: tuple[str, ...] = ("customer", "from_level", "to_level", "action", "reason", "triggers")
"""Columns of the table :func:`decide_escalations` returns."""


@dataclass(frozen=True)
class EscalationRule:
	"""One way to reach ``level``: the triggers set here (``None`` = not used), combined by ``match``,
	for customers in ``risk_bands`` (empty = any band)."""

	level: str
	min_days_overdue: int | None = None
	min_broken_promises: int | None = None
	min_overdue_amount: float | None = None
	risk_bands: frozenset[str] = field(default_factory=frozenset)
	match: str = "any"

	def __post_init__(self) -> None:
		if self.level not in LEVELS:
			raise ValueError(f"EscalationRule: unknown level {self.level!r} (use {', '.join(LEVELS)})")
		if self.match not in MATCHES:
			raise ValueError(f"EscalationRule: match must be 'any' or 'all', got {self.match!r}")
		bands = self.risk_bands
		if bands is None:
			bands = frozenset()
		elif isinstance(bands, str):
			bands = frozenset({bands})
		object.__setattr__(self, "risk_bands", frozenset(str(b).strip() for b in bands))
		thresholds = (self.min_days_overdue, self.min_broken_promises, self.min_overdue_amount)
		if all(t is None for t in thresholds):
			raise ValueError(
				f"EscalationRule for {self.level}: set at least one of min_days_overdue, "
				"min_broken_promises, min_overdue_amount"
			)
		for name in ("min_days_overdue", "min_broken_promises", "min_overdue_amount"):
			value = getattr(self, name)
			if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
				raise ValueError(f"EscalationRule for {self.level}: {name} must be a number, got {value!r}")
		if self.min_broken_promises is not None and self.min_broken_promises < 1:
			raise ValueError(f"EscalationRule for {self.level}: min_broken_promises must be >= 1")
		if self.min_overdue_amount is not None and self.min_overdue_amount < 0:
			raise ValueError(f"EscalationRule for {self.level}: min_overdue_amount must be >= 0")

	def triggers(self) -> tuple[str, ...]:
		"""The trigger codes this rule sets."""
		thresholds = (self.min_days_overdue, self.min_broken_promises, self.min_overdue_amount)
		return tuple(code for code, t in zip(TRIGGERS, thresholds, strict=True) if t is not None)


DEFAULT_RULES: tuple[EscalationRule, ...] = (
	EscalationRule("Collector Call", min_days_overdue=15, min_broken_promises=1),
	EscalationRule("Account Manager Review", min_days_overdue=30, min_broken_promises=2),
	EscalationRule(
		"Account Manager Review",
		min_overdue_amount=10_000,
		risk_bands=frozenset({"High", "Critical"}),
		match="all",
	),
	EscalationRule("Collections Manager Approval", min_days_overdue=45, min_broken_promises=3),
	EscalationRule("Collections Hold", min_days_overdue=60, min_overdue_amount=1_000, match="all"),
	EscalationRule("Collections Hold", min_broken_promises=4),
)
"""The out-of-the-box ladder:

- Collector Call: 15+ days overdue, or 1+ broken promise;
- Account Manager Review: 30+ days, or 2+ broken promises, or a High/Critical band with 10,000+ overdue;
- Collections Manager Approval: 45+ days, or 3+ broken promises;
- Collections Hold: 60+ days with 1,000+ overdue, or 4+ broken promises.
"""


# ------------------------------------------------------------------------------------ normalisation


def _prepare_customers(customers: pd.DataFrame | None) -> pd.DataFrame:
	cus = table(customers, "customers", CUSTOMER_REQUIRED, CUSTOMER_OPTIONAL, may_be_empty=True)
	for col in ("customer", "risk_band", "current_level"):
		cus[col] = text(cus[col])
	cus["on_hold"] = flag(cus["on_hold"])
	for col in ("max_days_overdue", "overdue_amount", "broken_promises"):
		cus[col] = floats(cus[col], f"customers.{col}", blank=0)
	dup = cus["customer"][cus["customer"].duplicated()]
	if len(dup):
		raise ValueError(f"customers: duplicate customer(s): {name_list(dup)}")
	bad = cus.loc[~cus["current_level"].isin(("", *LEVELS)), ["customer", "current_level"]]
	if len(bad):
		listed = ", ".join(f"{c} ({lvl!r})" for c, lvl in bad.head(10).itertuples(index=False))
		raise ValueError(f"customers: unknown current_level for {listed} (use {', '.join(LEVELS)} or empty)")
	return cus


# ------------------------------------------------------------------------------------------- engine


def _plural(count: pd.Series, one: str, many: str) -> pd.Series:
	"""``"1 broken promise"`` / ``"3 broken promises"`` per row."""
	whole = count.round().astype("int64")
	return whole.astype(str) + " " + pd.Series(np.where(whole == 1, one, many), index=count.index)


def _reasons(rows: pd.DataFrame, hits: np.ndarray, bands: np.ndarray) -> pd.Series:
	"""The sentence per row: the fired triggers' facts, comma-joined. ``hits``: rows × TRIGGERS;
	``bands``: the row's band counted through a rule with ``risk_bands``."""
	amount = "overdue amount " + rows["overdue_amount"].map("{:,.2f}".format)
	amount = amount.where(~bands, amount + " (risk band " + rows["risk_band"] + ")")
	parts = [
		_plural(rows["max_days_overdue"], "day overdue", "days overdue"),
		_plural(rows["broken_promises"], "broken promise", "broken promises"),
		amount,
	]
	sentence = pd.Series("", index=rows.index, dtype=object)
	for k, part in enumerate(parts):
		hit = hits[:, k]
		sep = np.where(sentence != "", ", ", "")
		sentence = sentence.where(~hit, sentence + sep + part)
	return sentence


def decide_escalations(
	customers: pd.DataFrame | None, rules: Iterable[EscalationRule] = DEFAULT_RULES
) -> pd.DataFrame:
	"""The customers to escalate now, with the level, action and reason (see the module doc)."""
	rules = tuple(rules)
	for rule in rules:
		if not isinstance(rule, EscalationRule):
			raise ValueError(f"rules must be EscalationRule objects, got {type(rule).__name__}")
	cus = _prepare_customers(customers)
	n = len(cus)
	if n == 0:
		return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})

	values = {
		"days_overdue": cus["max_days_overdue"].to_numpy(),
		"broken_promises": cus["broken_promises"].to_numpy(),
		"amount_risk": cus["overdue_amount"].to_numpy(),
	}
	band = cus["risk_band"].to_numpy()
	rank = {lvl: i + 1 for i, lvl in enumerate(LEVELS)}
	# Per level: does it fire, which triggers fired, was the amount judged within a risk band.
	fires = np.zeros((len(LEVELS) + 1, n), dtype=bool)
	hits = np.zeros((len(LEVELS) + 1, n, len(TRIGGERS)), dtype=bool)
	banded = np.zeros((len(LEVELS) + 1, n), dtype=bool)
	for rule in rules:
		thresholds = (rule.min_days_overdue, rule.min_broken_promises, rule.min_overdue_amount)
		rule_hits = np.zeros((n, len(TRIGGERS)), dtype=bool)
		for k, (code, threshold) in enumerate(zip(TRIGGERS, thresholds, strict=True)):
			if threshold is not None:
				rule_hits[:, k] = values[code] >= threshold
		used = np.array([t is not None for t in thresholds])
		combine = np.all if rule.match == "all" else np.any
		fired = combine(rule_hits[:, used], axis=1)
		if rule.risk_bands:
			fired &= np.isin(band, list(rule.risk_bands))
		lvl = rank[rule.level]
		fires[lvl] |= fired
		hits[lvl] |= rule_hits & fired[:, None]
		if rule.risk_bands and rule.min_overdue_amount is not None:
			banded[lvl] |= fired
	target = np.zeros(n, dtype="int64")
	for lvl in range(1, len(LEVELS) + 1):
		target = np.where(fires[lvl], lvl, target)

	current = cus["current_level"].map({"": 0, **rank}).to_numpy(dtype="int64")
	current = np.where(cus["on_hold"].to_numpy(bool), rank[HOLD], current)
	up = target > current
	if not up.any():
		return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})

	rows = cus[up]
	pick = target[up]
	row_hits = hits[pick, np.flatnonzero(up)]
	row_banded = banded[pick, np.flatnonzero(up)]
	to_level = np.array(LEVELS, dtype=object)[pick - 1]
	codes = np.array(TRIGGERS, dtype=object)
	out = pd.DataFrame(
		{
			"customer": rows["customer"].to_numpy(),
			"from_level": rows["current_level"].to_numpy(),
			"to_level": to_level,
			"action": [ACTIONS[lvl] for lvl in to_level],
			"reason": _reasons(rows, row_hits, row_banded).to_numpy(),
			"triggers": [tuple(codes[h]) for h in row_hits],
		}
	)
	return out[list(RESULT_COLUMNS)]
