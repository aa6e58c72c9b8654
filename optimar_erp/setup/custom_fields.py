"""Custom fields that OptimAR adds to ERPNext's own doctypes.

Defined once here; applied by ``after_install`` and the ``sync_custom_fields`` patch and removed by
``before_uninstall``. Computed fields are read-only and never copied to amendments or duplicates.
"""

RISK_BANDS = ("Low", "Medium", "High", "Critical")
COLLECTION_STATES = ("Not Due", "Reminding", "Promised", "Disputed", "Escalated", "Paid", "Written Off")
CHANNELS = ("Email", "SMS", "WhatsApp", "Phone", "Letter", "Portal")
ESCALATION_LEVELS = (
	"Collector Call",
	"Account Manager Review",
	"Collections Manager Approval",
	"Collections Hold",
)


def _computed(field: dict) -> dict:
	"""A field the app computes: read-only, editable after submit by the app, never copied."""
	return {"read_only": 1, "no_copy": 1, "allow_on_submit": 1, "print_hide": 1, **field}


SECTION_ENDS = {("Sales Invoice", "collections_section"): "accounting_dimensions_section"}
"""Custom sections that open right before one of ERPNext's own (here: the Collections section closes the
Sales Invoice's first section, before Accounting Dimensions). Frappe v16 moves a custom Section Break
anchored mid-section to the end of that section, v15 does not: ``setup.install.placed_custom_fields``
anchors them on the section's last field, which both majors treat alike."""

CUSTOM_FIELDS = {
	"Customer": [
		{
			"fieldname": "collections_tab",
			"label": "Collections",
			"fieldtype": "Tab Break",
			"insert_after": "default_commission_rate",
		},
		{
			"fieldname": "collector",
			"label": "Collector",
			"fieldtype": "Link",
			"options": "User",
			"insert_after": "collections_tab",
			"in_standard_filter": 1,
			"description": "The person who works this customer's overdue invoices",
		},
		{
			"fieldname": "preferred_channel",
			"label": "Preferred Channel",
			"fieldtype": "Select",
			"options": "\n" + "\n".join(CHANNELS),
			"insert_after": "collector",
		},
		{
			"fieldname": "dunning_sequence",
			"label": "Dunning Sequence",
			"fieldtype": "Link",
			"options": "Dunning Sequence",
			"insert_after": "preferred_channel",
			"description": "Overrides the sequence chosen by the sequences' rules",
		},
		{
			"fieldname": "do_not_contact",
			"label": "Do Not Contact",
			"fieldtype": "Check",
			"insert_after": "dunning_sequence",
			"description": "No reminder is sent to this customer on any channel",
		},
		{
			"fieldname": "whatsapp_opt_in",
			"label": "WhatsApp Opt-In",
			"fieldtype": "Check",
			"insert_after": "do_not_contact",
			"description": "The customer agreed to receive WhatsApp messages (required by WhatsApp Business)",
		},
		{
			"fieldname": "collections_snoozed_until",
			"label": "Snoozed Until",
			"fieldtype": "Date",
			"insert_after": "whatsapp_opt_in",
			"no_copy": 1,
			"description": "Off the collections worklist until this date",
		},
		{
			"fieldname": "collections_column_break",
			"fieldtype": "Column Break",
			"insert_after": "collections_snoozed_until",
		},
		_computed(
			{
				"fieldname": "risk_score",
				"label": "Risk Score",
				"fieldtype": "Int",
				"insert_after": "collections_column_break",
				"description": "0 (safe) to 100 (very likely to pay late), from the risk model",
			}
		),
		_computed(
			{
				"fieldname": "risk_band",
				"label": "Risk Band",
				"fieldtype": "Select",
				"options": "\n" + "\n".join(RISK_BANDS),
				"insert_after": "risk_score",
				"in_list_view": 1,
				"in_standard_filter": 1,
			}
		),
		_computed(
			{
				"fieldname": "escalation_level",
				"label": "Escalation Level",
				"fieldtype": "Select",
				"options": "\n" + "\n".join(ESCALATION_LEVELS),
				"insert_after": "risk_band",
				"in_standard_filter": 1,
			}
		),
		{
			"fieldname": "collections_hold",
			"label": "Collections Hold",
			"fieldtype": "Check",
			"insert_after": "escalation_level",
			"no_copy": 1,
			"in_standard_filter": 1,
			"description": "New Sales Orders and Sales Invoices are blocked while the customer is on hold",
		},
		{
			"fieldname": "collections_hold_reason",
			"label": "Hold Reason",
			"fieldtype": "Small Text",
			"insert_after": "collections_hold",
			"no_copy": 1,
			"depends_on": "collections_hold",
			"mandatory_depends_on": "collections_hold",
		},
		_computed(
			{
				"fieldname": "risk_factors",
				"label": "Risk Factors",
				"fieldtype": "Small Text",
				"insert_after": "collections_hold_reason",
			}
		),
		_computed(
			{
				"fieldname": "risk_scored_on",
				"label": "Risk Scored On",
				"fieldtype": "Date",
				"insert_after": "risk_factors",
			}
		),
		{
			"fieldname": "credit_advice_section",
			"label": "Credit Advice",
			"fieldtype": "Section Break",
			"insert_after": "risk_scored_on",
			"depends_on": "eval:doc.credit_advice",
		},
		_computed(
			{
				"fieldname": "recommended_credit_limit",
				"label": "Recommended Credit Limit",
				"fieldtype": "Currency",
				"insert_after": "credit_advice_section",
				"description": "From the customer's billing, payment speed and risk; never applied automatically",
			}
		),
		_computed(
			{
				"fieldname": "credit_advice_company",
				"label": "Advice for Company",
				"fieldtype": "Link",
				"options": "Company",
				"insert_after": "recommended_credit_limit",
			}
		),
		{
			"fieldname": "credit_advice_column_break",
			"fieldtype": "Column Break",
			"insert_after": "credit_advice_company",
		},
		_computed(
			{
				"fieldname": "credit_advice",
				"label": "Reasoning",
				"fieldtype": "Small Text",
				"insert_after": "credit_advice_column_break",
			}
		),
	],
	"Sales Invoice": [
		{
			"fieldname": "collections_section",
			"label": "Collections",
			"fieldtype": "Section Break",
			"insert_after": "amended_from",  # on ERPNext v15; see SECTION_ENDS
			"collapsible": 1,
			"depends_on": "eval:doc.docstatus == 1",
		},
		_computed(
			{
				"fieldname": "collection_state",
				"label": "Collection State",
				"fieldtype": "Select",
				"options": "\n" + "\n".join(COLLECTION_STATES),
				"insert_after": "collections_section",
				"in_list_view": 1,
				"in_standard_filter": 1,
			}
		),
		_computed(
			{
				"fieldname": "last_reminder_step",
				"label": "Last Reminder Step",
				"fieldtype": "Data",
				"insert_after": "collection_state",
			}
		),
		_computed(
			{
				"fieldname": "last_reminder_date",
				"label": "Last Reminder Date",
				"fieldtype": "Date",
				"insert_after": "last_reminder_step",
			}
		),
		{
			"fieldname": "collections_column_break",
			"fieldtype": "Column Break",
			"insert_after": "last_reminder_date",
		},
		_computed(
			{
				"fieldname": "risk_band",
				"label": "Risk Band",
				"fieldtype": "Select",
				"options": "\n" + "\n".join(RISK_BANDS),
				"insert_after": "collections_column_break",
				"in_list_view": 1,
				"in_standard_filter": 1,
			}
		),
		_computed(
			{
				"fieldname": "late_probability",
				"label": "Late Probability",
				"fieldtype": "Percent",
				"insert_after": "risk_band",
			}
		),
		_computed(
			{
				"fieldname": "risk_factors",
				"label": "Risk Factors",
				"fieldtype": "Small Text",
				"insert_after": "late_probability",
			}
		),
		_computed(
			{
				"fieldname": "predicted_pay_date",
				"label": "Expected Payment Date",
				"fieldtype": "Date",
				"insert_after": "due_date",
				"depends_on": "eval:doc.docstatus == 1 && doc.predicted_pay_date",
				"description": "When this invoice is expected to be paid: the risk model's prediction; once "
				"overdue, the customer's invoices paid later than it already is",
			}
		),
	],
	"Company": [
		{
			"fieldname": "optimar_msme_category",
			"label": "MSME Category (India)",
			"fieldtype": "Select",
			"options": "\nMicro\nSmall\nMedium",
			"insert_after": "tax_id",
			"description": "Micro and small enterprises are paid within 45 days under the MSMED Act and "
			"Section 43B(h); reminders and the MSME Payment Deadlines report cite it",
		},
		{
			"fieldname": "optimar_udyam_number",
			"label": "Udyam Registration Number",
			"fieldtype": "Data",
			"insert_after": "optimar_msme_category",
			"depends_on": "optimar_msme_category",
		},
	],
}
