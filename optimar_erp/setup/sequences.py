"""The dunning sequences OptimAR ships; created at install when missing, never overwritten."""

import frappe
from frappe.query_builder.functions import Coalesce

from optimar_erp.constants import WORDED_CHANNELS
from optimar_erp.dunning.messages import default_message, default_subject

STANDARD_B2B = "Standard B2B"
GENTLE = "Gentle"

SEQUENCES = [
	{
		"sequence_name": STANDARD_B2B,
		"priority": 10,
		"consolidate": 0,
		"description": "Polite before the due date, firmer after it; a collector call at +15 days, "
		"manager review and collections hold at +30.",
		"steps": [
			{"offset_days": -5, "channel": "Email", "tone": "Polite"},
			{
				"offset_days": 0,
				"channel": "Email",
				"tone": "Friendly",
				"subject": "Due today: {{ total_outstanding }}",
			},
			{"offset_days": 1, "channel": "Email", "tone": "Friendly"},
			{"offset_days": 7, "channel": "Email", "tone": "Firm", "min_gap_days": 3},
			{
				"offset_days": 15,
				"channel": "Email",
				"tone": "Urgent",
				"min_gap_days": 3,
				"escalation_action": "Assign Collector ToDo",
			},
			{
				"offset_days": 30,
				"channel": "Email",
				"tone": "Final",
				"min_gap_days": 5,
				"escalation_action": "Collections Hold",
			},
		],
	},
	{
		"sequence_name": GENTLE,
		"priority": 20,
		"consolidate": 1,
		"risk_band": "Low",
		"description": "For low-risk customers: one consolidated notice per step, fewer and softer touches.",
		"steps": [
			{"offset_days": -3, "channel": "Email", "tone": "Polite"},
			{"offset_days": 3, "channel": "Email", "tone": "Friendly"},
			{"offset_days": 14, "channel": "Email", "tone": "Firm", "min_gap_days": 5},
			{
				"offset_days": 30,
				"channel": "Email",
				"tone": "Urgent",
				"min_gap_days": 7,
				"escalation_action": "Assign Collector ToDo",
			},
		],
	},
]


def create_standard_sequences() -> None:
	for definition in SEQUENCES:
		if frappe.db.exists("Dunning Sequence", definition["sequence_name"]):
			continue
		steps = [with_shipped_wording(step) for step in definition["steps"]]
		frappe.get_doc({"doctype": "Dunning Sequence", **definition, "steps": steps}).insert(
			ignore_permissions=True
		)
	if not frappe.db.get_single_value("Collections Settings", "default_dunning_sequence"):
		frappe.db.set_single_value("Collections Settings", "default_dunning_sequence", STANDARD_B2B)


def with_shipped_wording(step: dict) -> dict:
	"""The step with the wording a reminder would use written into its subject and message (where it has
	none), so that the editor shows the words that go out and they can be changed in place."""
	if step.get("channel", "Email") not in WORDED_CHANNELS:
		return step
	return {
		**step,
		"subject": step.get("subject") or default_subject(step.get("tone")),
		"message": step.get("message") or default_message(step.get("tone"), step.get("channel", "Email")),
	}


def show_shipped_wording() -> int:
	"""Write the shipped wording into the steps of every sequence that have none (what they send does not
	change); returns how many steps were filled. For sites from before the wording was written out."""
	step = frappe.qb.DocType("Dunning Sequence Step")
	rows = (
		frappe.qb.from_(step)
		.select(step.name, step.tone, step.channel, step.subject, step.message)
		.where(step.parenttype == "Dunning Sequence")
		.where(step.channel.isin(WORDED_CHANNELS))
		.where((Coalesce(step.subject, "") == "") | (Coalesce(step.message, "") == ""))
	).run(as_dict=True)
	for row in rows:
		filled = with_shipped_wording(dict(row))
		frappe.db.set_value(
			"Dunning Sequence Step",
			row.name,
			{"subject": filled["subject"], "message": filled["message"]},
			update_modified=False,
		)
	return len(rows)


def worded_steps() -> list[frappe._dict]:
	"""Every sequence step that sends words (Email, Letter, SMS, WhatsApp): name, tone, channel, message."""
	step = frappe.qb.DocType("Dunning Sequence Step")
	return (
		frappe.qb.from_(step)
		.select(step.name, step.tone, step.channel, step.message)
		.where(step.parenttype == "Dunning Sequence")
		.where(step.channel.isin(WORDED_CHANNELS))
	).run(as_dict=True)
