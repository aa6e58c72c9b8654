"""The dunning engine's settings for a run (:func:`dunning_config`) from Collections Settings, and the invoices
of a reminder's ``invoices`` cell. Its tables are read by :mod:`optimar_erp.queries`."""

import datetime as dt

from frappe.utils import cint, get_time, getdate

from optimar_erp.engine.dunning import DunningConfig


def invoice_list(cell: str | None) -> list[str]:
	"""The invoice names of an activity's ``invoices`` cell (comma-separated)."""
	return [name.strip() for name in (cell or "").split(",") if name.strip()]


def enabled_channels(settings) -> list[str]:
	flags = {
		"Email": settings.email_enabled,
		"Letter": settings.email_enabled,
		"SMS": settings.sms_enabled,
		"WhatsApp": settings.whatsapp_enabled,
		"Call Task": settings.call_tasks_enabled,
	}
	return [channel for channel, on in flags.items() if on]


def dunning_config(settings, run_date, now: dt.datetime | None = None) -> DunningConfig:
	"""The engine's settings for a run (and for the send-time re-check) from Collections Settings."""
	return DunningConfig(
		today=getdate(run_date),
		now=now or dt.datetime.now(dt.timezone.utc),
		company_time_zone=settings.get_time_zone(),
		window_start=get_time(settings.send_window_start),
		window_end=get_time(settings.send_window_end),
		max_touches_per_7_days=cint(settings.max_touches_per_week),
		enabled_channels=frozenset(enabled_channels(settings)),
		grace_days=cint(settings.promise_grace_days),
		group_emails=bool(cint(settings.get("group_reminder_emails"))),
	)
