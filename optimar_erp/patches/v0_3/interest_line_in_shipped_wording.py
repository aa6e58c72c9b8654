"""Steps still sending the shipped wording get its new optional line on late-payment interest and fees
(shown only when a Late Payment Policy puts a figure on the reminder). A step whose wording was edited is
left as its author wrote it."""

import frappe

from optimar_erp.dunning.messages import INTEREST_LINE, INTEREST_SMS, default_message


def execute():
	step = frappe.qb.DocType("Dunning Sequence Step")
	rows = (
		frappe.qb.from_(step)
		.select(step.name, step.tone, step.channel, step.message)
		.where(step.parenttype == "Dunning Sequence")
		.where(step.channel.isin(["Email", "Letter", "SMS", "WhatsApp"]))
	).run(as_dict=True)
	for row in rows:
		new = default_message(row.tone, row.channel)
		old = new.replace(INTEREST_LINE, "").replace(INTEREST_SMS, "")
		if row.message == old:
			frappe.db.set_value("Dunning Sequence Step", row.name, "message", new, update_modified=False)
