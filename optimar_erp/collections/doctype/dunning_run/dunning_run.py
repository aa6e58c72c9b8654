# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from optimar_erp import constants as c
from optimar_erp.dunning import lease
from optimar_erp.exceptions import DunningRunBusyError
from optimar_erp.queries.invoices import has_submitted_invoice


class DunningRun(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		actions_decided: DF.Int
		already_done: DF.Int
		amended_from: DF.Link | None
		company: DF.Link
		customer: DF.Link | None
		error: DF.SmallText | None
		failed: DF.Int
		finished_at: DF.Datetime | None
		invoices_evaluated: DF.Int
		lease_expires_at: DF.Datetime | None
		run_date: DF.Date
		sent: DF.Int
		skip_reasons: DF.SmallText | None
		skipped: DF.Int
		started_at: DF.Datetime | None
		status: DF.Literal["Draft", "Queued", "Running", "Completed", "Failed", "Cancelled"]
		trigger: DF.Literal["Manual", "Scheduler"]

	# end: auto-generated types
	def validate(self):
		self.validate_date()
		self.validate_customer_company()
		self.status = "Draft"

	def validate_date(self):
		if getdate(self.run_date) > getdate(today()):
			frappe.throw(_("A dunning run cannot be dated in the future ({0}).").format(self.run_date))

	def validate_customer_company(self):
		if self.customer and not has_submitted_invoice(self.customer, self.company):
			frappe.throw(
				_("Customer {0} has no submitted invoice in {1}.").format(
					frappe.bold(self.customer), frappe.bold(self.company)
				)
			)

	def on_submit(self):
		lease.queue(self.name)
		enqueue_run(self.name)

	def on_cancel(self):
		stored = frappe.db.get_value("Dunning Run", self.name, ["status", "lease_expires_at"], as_dict=True)
		self.status, lease_until = stored.status, stored.lease_expires_at
		if self.status in c.RUN_ACTIVE and not lease.lease_expired(stored):
			frappe.throw(
				_("The run is {0} and its worker is alive (lease until {1}): wait for it to finish.").format(
					_(self.status).lower(), lease_until
				),
				DunningRunBusyError,
			)
		# what it had not sent goes back to be decided again by a later run
		lease.release(run_name=self.name)
		self.db_set({"status": c.RUN_CANCELLED, "lease_expires_at": None})


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
	"""Run a submitted run again: anything already handed out is not sent twice. A run whose worker is
	gone (lease expired) is marked Failed first and its unsent reminders released."""
	run = frappe.get_doc("Dunning Run", name)
	run.check_permission("submit")
	if run.docstatus != 1:
		frappe.throw(_("Only a submitted run can be run again."))
	if run.status in c.RUN_ACTIVE:
		if not lease.lease_expired(run):
			frappe.throw(
				_("This run is {0} and its worker is alive (lease until {1}).").format(
					_(run.status).lower(), run.lease_expires_at
				),
				DunningRunBusyError,
			)
		# its worker is gone: what it had not sent stays with the run, which delivers it now
		lease.fail(
			run.name,
			_("Its worker stopped (lease expired); run again by {0}").format(frappe.session.user),
			requeue=True,
		)
	lease.queue(run.name)
	enqueue_run(run.name)
