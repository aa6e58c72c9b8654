# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from optimar_erp.dunning.channels import reminder_mailbox
from optimar_erp.dunning.messages import describe_step, template_error
from optimar_erp.dunning.run import preview as render_preview

MIN_OFFSET_DAYS = -90
MAX_OFFSET_DAYS = 365


class DunningSequence(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from optimar_erp.collections.doctype.dunning_sequence_step.dunning_sequence_step import (
			DunningSequenceStep,
		)
		from optimar_erp.collections.doctype.dunning_sequence_translation.dunning_sequence_translation import (
			DunningSequenceTranslation,
		)

		company: DF.Link | None
		consolidate: DF.Check
		customer_group: DF.Link | None
		description: DF.SmallText | None
		enabled: DF.Check
		min_outstanding: DF.Currency
		priority: DF.Int
		risk_band: DF.Literal["", "Low", "Medium", "High", "Critical"]
		sequence_name: DF.Data
		steps: DF.Table[DunningSequenceStep]
		territory: DF.Link | None
		translations: DF.Table[DunningSequenceTranslation]

	# end: auto-generated types
	def validate(self):
		self.validate_steps_present()
		self.validate_offsets()
		self.validate_templates()
		self.validate_translations()
		self.validate_learned_choices()
		self.sort_steps()

	def validate_steps_present(self):
		if not self.steps:
			frappe.throw(_("Add at least one step to the sequence."), title=_("Steps"))

	def validate_offsets(self):
		seen = set()
		for step in self.steps:
			if not MIN_OFFSET_DAYS <= step.offset_days <= MAX_OFFSET_DAYS:
				frappe.throw(
					_("Row {0}: the offset must be between {1} and {2} days, not {3}.").format(
						step.idx, MIN_OFFSET_DAYS, MAX_OFFSET_DAYS, step.offset_days
					),
					title=_("Steps"),
				)
			if step.offset_days in seen:
				frappe.throw(
					_("Row {0}: another step already goes out at offset {1}; use one step per day.").format(
						step.idx, step.offset_days
					),
					title=_("Steps"),
				)
			seen.add(step.offset_days)

	def validate_templates(self):
		for step in self.steps:
			for fieldname in ("subject", "message"):
				if error := template_error(step.get(fieldname)):
					frappe.throw(
						_("Step {0}: the {1} template does not render: {2}").format(
							describe_step(step), _(step.meta.get_label(fieldname)).lower(), error
						),
						title=_("Template Error"),
					)

	def validate_learned_choices(self):
		"""A learned step's channels and tones are known ones, and WhatsApp among them has its template."""
		step_meta = frappe.get_meta("Dunning Sequence Step")
		channels = set(step_meta.get_options("channel").split("\n"))
		tones = set(step_meta.get_options("tone").split("\n"))
		for step in self.steps:
			for fieldname, known in (("channels", channels), ("tones", tones)):
				listed = [v.strip() for v in (step.get(fieldname) or "").split(",") if v.strip()]
				unknown = [v for v in listed if v not in known]
				if unknown:
					frappe.throw(
						_("Step {0}: {1} is not one of {2}.").format(
							describe_step(step), ", ".join(unknown), ", ".join(sorted(known))
						),
						title=_("Learned Choices"),
					)
			listed = [v.strip() for v in (step.get("channels") or "").split(",")]
			if step.get("learned_channel") and "WhatsApp" in listed and not step.whatsapp_template:
				frappe.throw(
					_("Step {0}: the model may choose WhatsApp: name its WhatsApp template.").format(
						describe_step(step)
					),
					title=_("Learned Choices"),
				)

	def validate_translations(self):
		steps = {(step.offset_days, step.channel) for step in self.steps}
		for row in self.translations:
			if (row.offset_days, row.channel) not in steps:
				frappe.throw(
					_("Translation row {0}: no step sends by {1} at offset {2}.").format(
						row.idx, _(row.channel), row.offset_days
					),
					title=_("Translations"),
				)
			for fieldname in ("subject", "message"):
				if error := template_error(row.get(fieldname)):
					frappe.throw(
						_("Translation row {0} ({1}): the {2} template does not render: {3}").format(
							row.idx, row.language, fieldname, error
						),
						title=_("Template Error"),
					)

	def sort_steps(self):
		self.steps.sort(key=lambda step: (step.offset_days, step.idx))
		for idx, step in enumerate(self.steps, start=1):
			step.idx = idx


@frappe.whitelist()
def preview(sequence: str, customer: str) -> list[dict]:
	"""What this sequence would send to the customer today, rendered (nothing is sent)."""
	frappe.has_permission("Dunning Sequence", "read", sequence, throw=True)
	frappe.has_permission("Customer", "read", customer, throw=True)
	from frappe.utils.html_utils import sanitize_html

	# the Desk shows the body as HTML: scripts, handlers and frames a template wrote are removed
	return [
		{**message, "body": sanitize_html(message["body"])} if message.get("body") else message
		for message in render_preview(sequence, customer)
	]


@frappe.whitelist(methods=["POST"])
def send_test(sequence: str, customer: str) -> str:
	"""Email what this sequence would send the customer today to yourself (never to the customer), from
	the collections mailbox, marked as a test; returns the address it went to."""
	frappe.has_permission("Dunning Sequence", "read", sequence, throw=True)
	frappe.has_permission("Customer", "read", customer, throw=True)
	me = frappe.db.get_value("User", frappe.session.user, "email")
	if not me or frappe.session.user == "Guest":
		frappe.throw(_("Your user has no email address to send the test to."))
	emails = [m for m in render_preview(sequence, customer) if m.get("channel") == "Email" and m.get("body")]
	if not emails:
		frappe.throw(_("This sequence sends {0} no email today: nothing to test.").format(customer))
	mailbox = reminder_mailbox()
	for message in emails:
		frappe.sendmail(
			recipients=[me],
			sender=mailbox.sender,
			reply_to=mailbox.email_id,
			subject=_("[Test] {0}").format(message["subject"]),
			message=message["body"],
			add_unsubscribe_link=0,
			delayed=True,
		)
	return me
