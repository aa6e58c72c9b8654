# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

from frappe.model.document import Document


class CustomerResponseProfile(Document):
	"""One row per customer, written in bulk by the nightly learning job
	(:mod:`optimar_erp.response.jobs`); read-only in the Desk."""
