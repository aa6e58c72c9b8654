# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CustomerRiskScore(Document):
	"""A customer's score on a day; rows are written in bulk by the nightly scoring."""
