# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CollectionsEscalationRule(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		level: DF.Literal[
			"Collector Call", "Account Manager Review", "Collections Manager Approval", "Collections Hold"
		]
		match: DF.Literal["Any", "All"]
		min_broken_promises: DF.Int
		min_days_overdue: DF.Int
		min_overdue_amount: DF.Currency
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		risk_bands: DF.Data | None
	# end: auto-generated types
	pass
