# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today


class DunningRun(Document):
	def validate(self):
		self.validate_date()
		self.validate_customer_company()
		self.status = "Draft"

	def validate_date(self):
		if getdate(self.run_date) > getdate(today()):
			frappe.throw(_("A dunning run cannot be dated in the future ({0}).").format(self.run_date))

	def validate_customer_company(self):
		if self.customer and not frappe.db.exists(
			"Sales Invoice", {"customer": self.customer, "company": self.company, "docstatus": 1}
		):
			frappe.throw(
				_("Customer {0} has no submitted invoice in {1}.").format(
					frappe.bold(self.customer), frappe.bold(self.company)
				)
			)

	def on_submit(self):
		self.db_set("status", "Queued")
		enqueue_run(self.name)

	def on_cancel(self):
		if self.status in ("Queued", "Running"):
			frappe.throw(_("Wait for the run to finish before cancelling it."))


def enqueue_run(name: str) -> None:
	frappe.enqueue(
		"optimar_erp.dunning.run.execute_run",
		queue="long",
		timeout=3600,
		run_name=name,
		job_id=f"optimar-dunning-run::{name}",
		deduplicate=True,
		enqueue_after_commit=True,
	)


@frappe.whitelist()
def rerun(name: str) -> None:
	"""Run a submitted run again: anything already handed out is not sent twice."""
	run = frappe.get_doc("Dunning Run", name)
	run.check_permission("submit")
	if run.docstatus != 1:
		frappe.throw(_("Only a submitted run can be run again."))
	if run.status in ("Queued", "Running"):
		frappe.throw(_("This run is already {0}.").format(_(run.status).lower()))
	run.db_set("status", "Queued")
	enqueue_run(run.name)
