"""Late-payment interest and fixed compensation on one invoice: a pure function of the policy, the
reference rates and the dates (nothing here reads a clock or a database).

The law each preset follows
---------------------------
* **EU, Directive 2011/7/EU** (art. 2(6), art. 3(3), art. 4(3), art. 6(1)): statutory interest is the
  reference rate (the ECB's main refinancing rate in force on the first calendar day of the half-year)
  plus at least 8 percentage points, simple, from the day after the due date; plus a fixed sum of at
  least EUR 40 per invoice as compensation for recovery costs.
* **UK, Late Payment of Commercial Debts (Interest) Act 1998** with the 2002 Order (s.4, s.5A and the
  Late Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002): simple interest at the Bank of
  England base rate in force on 31 December / 30 June for the following six months, plus 8 points; a
  fixed sum of GBP 40 for a debt under GBP 1,000, GBP 70 under GBP 10,000 and GBP 100 from GBP 10,000.
* **India, MSMED Act 2006 s.16**: "compound interest with monthly rests ... at three times of the bank
  rate notified by the Reserve Bank", from the appointed day (the day after the agreed date, at most 45
  days after acceptance); no fixed sum.

How a figure is made
--------------------
The annual rate on a day is ``fixed_rate`` (rate source *Fixed*) or ``reference × multiplier + margin``
where ``reference`` is the latest row of the reference-rate table whose effective date is on or before
that day (rate source *Reference*). A rate change inside the period splits it: each day bears the rate
in force on it. Interest accrues on every day ``d`` with ``due_date + grace_days < d <= as_of``, on a
``days_in_year`` basis (365, as the UK Act's daily rate and the usual reading of the Directive):

* *Simple*: ``principal × Σ rate_i × days_i / 100 / days_in_year``.
* *Compound* (monthly rests): the accrual is cut at each monthly anniversary of the day interest starts;
  inside a rest the interest is simple on the balance, and at each rest it is added to the balance (the
  next month bears interest on it). The last, partial month is not capitalised.

Charging a period ``(charged_through, as_of]`` costs ``total(as_of) − total(charged_through)``: the
periods of two charges never overlap, and under compound interest the later period still bears interest
on what was charged before (which stays unpaid in the customer's account). A period whose interest is
below ``minimum_interest`` is shown and charged as 0. The fixed compensation is due once per invoice as
soon as interest accrues, by the band of the debt (the amount unpaid).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace

SIMPLE = "Simple"
COMPOUND = "Compound"
FIXED = "Fixed"
REFERENCE = "Reference"

PRESET_NONE = "None"
PRESET_EU = "EU 2011/7/EU"
PRESET_UK = "UK Late Payment Act"
PRESET_MSMED = "India MSMED s.16"
PRESETS_NAMES: tuple[str, ...] = (PRESET_NONE, PRESET_EU, PRESET_UK, PRESET_MSMED)


class InterestError(ValueError):
	"""A policy or a rate table that cannot give a figure (the message says what is wrong)."""


@dataclass(frozen=True)
class FeeBand:
	"""The fixed compensation for a debt below ``below`` (None: no upper limit)."""

	below: float | None
	fee: float


@dataclass(frozen=True)
class InterestPolicy:
	method: str = SIMPLE
	rate_source: str = FIXED
	fixed_rate: float = 0.0
	"""Percent a year (rate source Fixed)."""
	margin: float = 0.0
	"""Percentage points over the reference rate (rate source Reference)."""
	multiplier: float = 1.0
	"""Times the reference rate (MSMED: 3)."""
	grace_days: int = 0
	minimum_interest: float = 0.0
	fee_bands: tuple[FeeBand, ...] = field(default_factory=tuple)
	days_in_year: int = 365


PRESETS: dict[str, InterestPolicy] = {
	PRESET_NONE: InterestPolicy(),
	PRESET_EU: InterestPolicy(rate_source=REFERENCE, margin=8.0, fee_bands=(FeeBand(None, 40.0),)),
	PRESET_UK: InterestPolicy(
		rate_source=REFERENCE,
		margin=8.0,
		fee_bands=(FeeBand(1000.0, 40.0), FeeBand(10000.0, 70.0), FeeBand(None, 100.0)),
	),
	PRESET_MSMED: InterestPolicy(method=COMPOUND, rate_source=REFERENCE, multiplier=3.0),
}
"""What each law sets; a policy starts from its preset and may charge more (a higher margin), never
needs to charge less."""


def preset(name: str, **overrides) -> InterestPolicy:
	"""The policy of a legal preset, with ``overrides`` (e.g. ``grace_days``)."""
	if name not in PRESETS:
		raise InterestError(f"Unknown preset {name!r}: use one of {', '.join(PRESETS_NAMES)}")
	return replace(PRESETS[name], **overrides)


@dataclass(frozen=True)
class Segment:
	"""Days ``start``..``end`` (both included) at ``rate`` percent a year."""

	start: dt.date
	end: dt.date
	rate: float

	@property
	def days(self) -> int:
		return (self.end - self.start).days + 1


@dataclass(frozen=True)
class InterestDue:
	interest: float
	"""Interest of the period ``(charged_through, as_of]``, rounded to cents (0 below the minimum)."""
	fee: float
	"""Fixed compensation, when due and not yet charged; rounded to cents."""
	days: int
	"""Days of the period that bore interest."""
	segments: tuple[Segment, ...]
	period_from: dt.date | None
	"""First day of the period that bore interest (None: none did)."""
	period_to: dt.date | None


def validate(policy: InterestPolicy) -> None:
	"""Raise :class:`InterestError` naming what is wrong in ``policy``."""
	if policy.method not in (SIMPLE, COMPOUND):
		raise InterestError(f"Method must be {SIMPLE} or {COMPOUND}, not {policy.method!r}")
	if policy.rate_source not in (FIXED, REFERENCE):
		raise InterestError(f"Rate source must be {FIXED} or {REFERENCE}, not {policy.rate_source!r}")
	for name in ("fixed_rate", "margin", "minimum_interest"):
		if getattr(policy, name) < 0:
			raise InterestError(f"{name} cannot be negative")
	if policy.multiplier <= 0:
		raise InterestError("multiplier must be more than 0")
	if policy.grace_days < 0:
		raise InterestError("grace_days cannot be negative")
	if policy.days_in_year not in (360, 365, 366):
		raise InterestError("days_in_year must be 360, 365 or 366")
	seen = []
	for band in policy.fee_bands:
		if band.fee < 0:
			raise InterestError("A fee band's fee cannot be negative")
		if band.below is not None and band.below <= 0:
			raise InterestError("A fee band's upper limit must be more than 0")
		seen.append(band.below)
	if seen.count(None) > 1:
		raise InterestError("Only one fee band can be without an upper limit")
	bounded = [b for b in seen if b is not None]
	if len(set(bounded)) != len(bounded):
		raise InterestError("Two fee bands have the same upper limit")


def fee_for(debt: float, bands: tuple[FeeBand, ...]) -> float:
	"""The fixed compensation of the first band (by upper limit) the debt is below; 0 without bands."""
	ordered = sorted(bands, key=lambda b: (b.below is None, b.below or 0.0))
	for band in ordered:
		if band.below is None or debt < band.below:
			return float(band.fee)
	return 0.0


def _rate_on(policy: InterestPolicy, rates: list[tuple[dt.date, float]], day: dt.date) -> float:
	if policy.rate_source == FIXED:
		return float(policy.fixed_rate)
	in_force = [rate for effective, rate in rates if effective <= day]
	if not in_force:
		raise InterestError(f"No reference rate is in force on {day.isoformat()}: add one effective by then")
	return in_force[-1] * policy.multiplier + policy.margin


def segments(
	policy: InterestPolicy, rates: list[tuple[dt.date, float]], first: dt.date, last: dt.date
) -> list[Segment]:
	"""The days ``first``..``last`` (both included) cut where the annual rate changes."""
	if last < first:
		return []
	rates = sorted(rates)
	cuts = [first] + [effective for effective, _rate in rates if first < effective <= last]
	out: list[Segment] = []
	for i, start in enumerate(cuts):
		end = cuts[i + 1] - dt.timedelta(days=1) if i + 1 < len(cuts) else last
		rate = _rate_on(policy, rates, start)
		if out and out[-1].rate == rate:
			out[-1] = Segment(out[-1].start, end, rate)
		else:
			out.append(Segment(start, end, rate))
	return out


def _add_months(day: dt.date, months: int) -> dt.date:
	month = day.month - 1 + months
	year = day.year + month // 12
	month = month % 12 + 1
	return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _simple(principal: float, parts: list[Segment], basis: int) -> float:
	return principal * sum(s.rate * s.days for s in parts) / 100.0 / basis


def accrued(
	policy: InterestPolicy,
	principal: float,
	due_date: dt.date,
	as_of: dt.date,
	rates: list[tuple[dt.date, float]] | None = None,
) -> float:
	"""Interest accrued from the start of interest up to ``as_of`` (unrounded)."""
	start = due_date + dt.timedelta(days=policy.grace_days + 1)
	if as_of < start or principal <= 0:
		return 0.0
	rates = rates or []
	if policy.method == SIMPLE:
		return _simple(principal, segments(policy, rates, start, as_of), policy.days_in_year)
	balance = principal
	month = 1
	rest_start = start
	while rest_start <= as_of:
		rest_end = min(_add_months(start, month) - dt.timedelta(days=1), as_of)
		balance += _simple(balance, segments(policy, rates, rest_start, rest_end), policy.days_in_year)
		rest_start = rest_end + dt.timedelta(days=1)
		month += 1
	return balance - principal


def interest_due(
	policy: InterestPolicy,
	principal: float,
	due_date: dt.date,
	as_of: dt.date,
	rates: list[tuple[dt.date, float]] | None = None,
	charged_through: dt.date | None = None,
	fee_settled: bool = False,
) -> InterestDue:
	"""Interest on ``principal`` (what is unpaid) for the period after ``charged_through`` (or the start
	of interest) up to ``as_of``, and the fixed compensation unless ``fee_settled`` (already charged or
	waived). ``rates``: (effective date, percent a year) of the policy's reference rate."""
	validate(policy)
	rates = sorted(rates or [])
	start = due_date + dt.timedelta(days=policy.grace_days + 1)
	first = max(start, charged_through + dt.timedelta(days=1)) if charged_through else start
	if as_of < first or principal <= 0:
		return InterestDue(0.0, 0.0, 0, (), None, None)
	parts = tuple(segments(policy, rates, first, as_of))
	before = accrued(policy, principal, due_date, charged_through, rates) if charged_through else 0.0
	amount = accrued(policy, principal, due_date, as_of, rates) - before
	interest = round(amount + 1e-9, 2)
	if interest < policy.minimum_interest:
		interest = 0.0
	fee = 0.0 if fee_settled else round(fee_for(principal, policy.fee_bands), 2)
	return InterestDue(interest, fee, (as_of - first).days + 1, parts, first, as_of)
