"""The learning settings of Collections Settings, with their defaults (settings saved before the fields
existed have them empty)."""

from frappe.utils import get_time

DEFAULTS = {
	"learning_exploration": 10,
	"learning_lead_business_days": 3,
	"learning_outcome_days": 7,
	"learning_min_touches": 50,
}


POSITIVE = ("learning_outcome_days", "learning_min_touches")
"""Settings for which 0 means "not set" (a zero-day window or no reminders to learn from makes no sense)."""


def is_empty(field: str, value) -> bool:
	return value is None or value == "" or (field in POSITIVE and not float(value or 0))


def setting(settings, field: str):
	"""A learning setting, with its default when it is empty."""
	value = settings.get(field)
	return DEFAULTS[field] if is_empty(field, value) else value


def window(settings) -> tuple:
	"""(send window start, end, quiet hours start, end) as times (quiet: None when not set)."""
	quiet = (settings.get("learning_quiet_start"), settings.get("learning_quiet_end"))
	return (
		get_time(settings.send_window_start),
		get_time(settings.send_window_end),
		get_time(quiet[0]) if quiet[0] else None,
		get_time(quiet[1]) if quiet[1] else None,
	)
