# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CustomerRiskScore(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		band: DF.Literal["", "Low", "Medium", "High", "Critical"]
		company: DF.Link | None
		customer: DF.Link
		date: DF.Date | None
		expected_late_amount: DF.Currency
		open_amount: DF.Currency
		open_invoices: DF.Int
		overdue_amount: DF.Currency
		risk_model: DF.Link | None
		score: DF.Float
		top_factors: DF.SmallText | None
	# end: auto-generated types
	"""A customer's score on a day; rows are written in bulk by the nightly scoring."""
