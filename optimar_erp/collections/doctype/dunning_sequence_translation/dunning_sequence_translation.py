# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DunningSequenceTranslation(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		channel: DF.Literal["Email", "SMS", "WhatsApp", "Call Task", "Letter"]
		language: DF.Link
		message: DF.Code | None
		offset_days: DF.Int
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		subject: DF.Data | None
	# end: auto-generated types
	pass
