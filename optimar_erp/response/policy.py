"""The learned policy a Dunning Run hands to the engine (:func:`optimar_erp.engine.dunning.decide`), when
learning is on in Collections Settings and the nightly job has learned a model; otherwise None and every
step keeps its fixed channel, time and tone."""

from frappe.utils import cint, flt

from optimar_erp.engine.response.apply import LearnedDunning
from optimar_erp.engine.response.policy import LearnedPolicy
from optimar_erp.response import store
from optimar_erp.response.config import setting, window


def learned_policy(settings) -> LearnedDunning | None:
	"""The run's learned policy (see the module doc)."""
	if not cint(settings.get("learning_enabled")):
		return None
	learned = store.load()
	if not learned:
		return None
	_start, _end, quiet_start, quiet_end = window(settings)
	return LearnedDunning(
		LearnedPolicy(
			learned["model"],
			learned["calendars"],
			epsilon=flt(setting(settings, "learning_exploration")) / 100,
			lead_business_days=cint(setting(settings, "learning_lead_business_days")),
		),
		quiet_start=quiet_start,
		quiet_end=quiet_end,
	)
