"""The dunning sequences OptimAR ships; created at install when missing, never overwritten."""

import frappe

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
		frappe.get_doc({"doctype": "Dunning Sequence", **definition}).insert(ignore_permissions=True)
	if not frappe.db.get_single_value("Collections Settings", "default_dunning_sequence"):
		frappe.db.set_single_value("Collections Settings", "default_dunning_sequence", STANDARD_B2B)
