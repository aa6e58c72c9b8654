# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DunningSequenceStep(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		attach_pdf: DF.Check
		channel: DF.Literal["Email", "SMS", "WhatsApp", "Call Task", "Letter"]
		escalation_action: DF.Literal[
			"", "Assign Collector ToDo", "Notify Collections Manager", "Collections Hold"
		]
		include_payment_link: DF.Check
		message: DF.Code | None
		min_gap_days: DF.Int
		offset_days: DF.Int
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		subject: DF.Data | None
		tone: DF.Literal["Polite", "Friendly", "Firm", "Urgent", "Final"]
		whatsapp_template: DF.Data | None
	# end: auto-generated types
	pass
