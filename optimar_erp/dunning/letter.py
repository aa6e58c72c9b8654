"""The dunning letter a collector prints and posts: a Collection Activity of the Letter channel printed with
the "Reminder Letter" print format (Collection Activity → Print), on the company's letterhead.

The wording is the reminder the run rendered and stored on the activity (the step's template, with its
invoices, amounts and credits in the customer's formats), so the letter says what the run decided, word for
word; this module only lays it out with both addresses, the date and where to pay. It writes nothing.
"""

import frappe
from frappe import _
from frappe.utils import formatdate, getdate
from frappe.utils.html_utils import sanitize_html

from optimar_erp.queries.portal import letterhead


def optimar_reminder_letter(activity: str) -> dict:
	"""The pieces of the letter for the print format (a Jinja method): ``company``, ``customer_name``,
	``letterhead`` (logo, both addresses, the bank to pay into), ``date``, ``subject`` and ``body``
	(the stored reminder, sanitised: a template cannot put script into a printed page)."""
	doc = frappe.get_doc("Collection Activity", activity)
	doc.check_permission("read")
	if doc.channel != "Letter":
		frappe.throw(
			_("{0} is not a letter: only reminders of the Letter channel print as a dunning letter.").format(
				activity
			)
		)
	return {
		"company": doc.company,
		"customer": doc.customer,
		"customer_name": frappe.db.get_value("Customer", doc.customer, "customer_name") or doc.customer,
		"letterhead": letterhead(doc.company, doc.customer),
		"date": formatdate(getdate(doc.creation)),
		"subject": doc.subject or "",
		"body": sanitize_html(doc.message or ""),
	}
