"""The nightly learning job: the site's sent reminders and what followed them → the response model and the
payment-run calendars (engine) → one Customer Response Profile per customer, and the signed model file the
Dunning Run's learned steps use (:mod:`.store`)."""

import datetime as dt

import numpy as np
import pandas as pd

import frappe
from frappe import _
from frappe.utils import cint, flt, get_system_timezone, get_time, now_datetime

from optimar_erp.dunning.inputs import enabled_channels
from optimar_erp.dunning.run import insert_rows
from optimar_erp.engine.response.apply import step_kinds
from optimar_erp.engine.response.calendar import learn_calendars
from optimar_erp.engine.response.history import customer_profiles, touch_outcomes
from optimar_erp.engine.response.model import ResponseModel
from optimar_erp.engine.response.policy import allowed_hours
from optimar_erp.queries.customers import customers_of
from optimar_erp.queries.responses import response_events, sent_reminders, settlements
from optimar_erp.queries.sequences import sequences_and_steps
from optimar_erp.response import store
from optimar_erp.response.config import setting, window
from optimar_erp.writes import STANDARD_COLUMNS

HISTORY_DAYS = 365
"""Reminders (and what followed) of the last year are learned from."""
CALENDAR_DAYS = 730
"""Receipts of the last two years tell the payment-run days."""
PROFILE = "Customer Response Profile"
PROFILE_FIELDS = [
	*STANDARD_COLUMNS,
	"customer",
	"best_channel",
	"best_time",
	"best_tone",
	"chance",
	"payment_run_days",
	"touches",
	"learned_on",
	"evidence",
]


def nightly() -> dict | None:
	"""The scheduler's entry: learn when learning is on (long queue, one at a time)."""
	if not cint(frappe.db.get_single_value("Collections Settings", "learning_enabled")):
		return None
	frappe.enqueue(
		"optimar_erp.response.jobs.learn",
		queue="long",
		timeout=3600,
		job_id="optimar-response-learning",
		deduplicate=True,
	)
	return {"enqueued": True}


def _progress(percent: int, text: str) -> None:
	frappe.publish_progress(percent, title=_("Learning from responses"), description=text)


def learn(now: dt.datetime | None = None) -> dict:
	"""Learn from the site's reminders and store the model and every customer's profile. Returns figures
	(touches, customers, seconds, or why nothing was learned)."""
	started = dt.datetime.now()
	settings = frappe.get_single("Collections Settings")
	now = now or now_datetime()
	horizon = cint(setting(settings, "learning_outcome_days"))
	_progress(5, _("Reading reminders and what followed them"))
	touches = sent_reminders(now - dt.timedelta(days=HISTORY_DAYS))
	events = response_events(now - dt.timedelta(days=HISTORY_DAYS))
	_progress(25, _("Reading payment days"))
	calendars = learn_calendars(settlements(now - dt.timedelta(days=CALENDAR_DAYS)))
	touches = _local(touches, settings.get_time_zone())
	touches["step"] = _kinds(touches)
	labelled = touch_outcomes(touches, events, horizon) if len(touches) else touches
	figures: dict = {"touches": len(labelled), "horizon_days": horizon}
	model = None
	enough = len(labelled) >= cint(setting(settings, "learning_min_touches"))
	if enough and labelled["outcome"].isin(("payment", "promise")).any():
		_progress(40, _("Learning from {0} reminders").format(len(labelled)))
		try:
			model = ResponseModel.fit(labelled, horizon_days=horizon)
		except ValueError as e:
			figures["not_learned"] = str(e)
	else:
		figures["not_learned"] = _("{0} reminders sent, {1} needed, with some answered").format(
			len(labelled), cint(setting(settings, "learning_min_touches"))
		)
	if model is not None:
		store.save({"model": model, "calendars": calendars, "learned_on": now, "figures": figures})
	else:
		store.clear()
	_progress(70, _("Writing customer profiles"))
	figures["customers"] = _write_profiles(model, calendars, labelled, settings, now)
	figures["seconds"] = round((dt.datetime.now() - started).total_seconds(), 2)
	_progress(100, _("Learned"))
	return figures


def _local(touches: pd.DataFrame, zone: str) -> pd.DataFrame:
	"""Send times in the company's time zone (Frappe stores them in the system's)."""
	sent = pd.to_datetime(touches["sent_at"])
	system = get_system_timezone()
	if zone and zone != system and len(sent):
		sent = sent.dt.tz_localize(system, ambiguous="NaT", nonexistent="shift_forward").dt.tz_convert(zone)
		sent = sent.dt.tz_localize(None)
	return touches.assign(sent_at=sent).dropna(subset=["sent_at"])


def _kinds(touches: pd.DataFrame) -> np.ndarray:
	"""The kind of step each reminder was (pre_due, first_overdue, overdue, final), from its step id."""
	_sequences, steps = sequences_and_steps()
	if steps.empty or touches.empty:
		return np.where(touches["days_overdue"] < 0, "pre_due", "overdue") if len(touches) else []
	kind = pd.Series(step_kinds(steps, steps).to_numpy(), index=steps["step_id"].to_numpy())
	kind = kind[~kind.index.duplicated()]
	fallback = np.where(touches["days_overdue"].to_numpy() < 0, "pre_due", "overdue")
	return touches["step_id"].map(kind).fillna(pd.Series(fallback, index=touches.index)).to_numpy()


def _write_profiles(model, calendars, touches, settings, now) -> int:
	"""Replace every Customer Response Profile by this night's (one bulk write)."""
	names = sorted(set(touches["customer"]) | {c for c, cal in calendars.items() if cal.known})
	frappe.db.delete(PROFILE)
	if not names:
		return 0
	rows = pd.DataFrame({"customer": names})
	if model is not None:
		rows = _best(model, names, settings)
	else:
		for col, value in (("best_channel", ""), ("best_hour", -1), ("best_tone", ""), ("chance", np.nan)):
			rows[col] = value
		rows["evidence"] = ""
		rows["touches"] = rows["customer"].map(touches.groupby("customer").size()).fillna(0).astype(int)
	user = frappe.session.user
	out = []
	for r in rows.itertuples(index=False):
		cal = calendars.get(r.customer)
		out.append(
			(
				r.customer,
				now,
				now,
				user,
				user,
				0,
				r.customer,
				r.best_channel or None,
				f"{int(r.best_hour):02d}:00" if r.best_hour >= 0 else None,
				r.best_tone or None,
				None if pd.isna(r.chance) else round(flt(r.chance) * 100, 1),
				_run_days(cal),
				int(r.touches),
				now,
				r.evidence or None,
			)
		)
	insert_rows(PROFILE, PROFILE_FIELDS, out)
	return len(out)


def _run_days(cal) -> str | None:
	if cal is None or not cal.known:
		return None
	return _("{0} ({1:.0%} of {2} payments)").format(cal.describe(), cal.share, cal.settlements)


def _best(model: ResponseModel, names: list[str], settings) -> pd.DataFrame:
	"""Each customer's best channel, hour and tone among the channels enabled that it can be reached on."""
	customers = customers_of(names)
	on = set(enabled_channels(settings))
	channels = []
	for r in customers.itertuples(index=False):
		ok = [
			ch
			for ch, reachable in (
				("Email", bool(r.email)),
				("SMS", bool(r.mobile)),
				("WhatsApp", bool(r.mobile and r.whatsapp_opt_in)),
			)
			if reachable and ch in on
		]
		channels.append(",".join(ok))
	table = pd.DataFrame(
		{
			"customer": customers["customer"],
			"channels": channels,
			"segment": customers["customer_group"].fillna("").astype(str),
		}
	)
	hours = allowed_hours(*window(settings))
	profiles = customer_profiles(model, table, hours or [get_time(settings.send_window_start).hour])
	return (
		profiles.set_index("customer")
		.reindex(names)
		.reset_index()
		.fillna({"best_channel": "", "best_hour": -1, "best_tone": "", "evidence": "", "touches": 0})
	)
