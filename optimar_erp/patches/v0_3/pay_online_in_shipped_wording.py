"""Steps still sending the shipped wording get its links to pay online (the gateway's page beside each
amount; in SMS and WhatsApp when the reminder is about one invoice). A step whose wording was edited is
left as its author wrote it."""

import frappe

from optimar_erp.dunning.messages import PAY_ONLINE_CELL, PAY_SMS, default_message
from optimar_erp.setup.sequences import worded_steps

SMS_LINK_BEFORE = "{% if payment_link %} Pay: {{ payment_link }}{% endif %}"
"""The shipped SMS and WhatsApp link these steps were installed with."""


def execute():
	for row in worded_steps():
		new = default_message(row.tone, row.channel)
		old = new.replace(PAY_ONLINE_CELL, "").replace(PAY_SMS, SMS_LINK_BEFORE)
		if row.message == old and old != new:
			frappe.db.set_value("Dunning Sequence Step", row.name, "message", new, update_modified=False)
