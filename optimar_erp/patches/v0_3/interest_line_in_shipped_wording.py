"""Steps still sending the shipped wording get its new optional line on late-payment interest and fees
(shown only when a Late Payment Policy puts a figure on the reminder). A step whose wording was edited is
left as its author wrote it."""

import frappe

from optimar_erp.dunning.messages import INTEREST_LINE, INTEREST_SMS, default_message
from optimar_erp.setup.sequences import worded_steps


def execute():
	for row in worded_steps():
		new = default_message(row.tone, row.channel)
		old = new.replace(INTEREST_LINE, "").replace(INTEREST_SMS, "")
		if row.message == old:
			frappe.db.set_value("Dunning Sequence Step", row.name, "message", new, update_modified=False)
