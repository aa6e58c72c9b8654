"""What a site still lacks before automated dunning can do its job: each gap named with what to do.

Read on the Collections Settings form (button "Check Set-up") and when the engine is turned on, so that
nothing fails silently later (reminders with no mailbox, escalations for nobody, a customer nobody can
reach). Gaps warn; they never block saving.
"""

import frappe
from frappe import _
from frappe.utils import cint

from optimar_erp.queries.customers import customers_overdue
from optimar_erp.queries.users import collections_managers


def gaps() -> list[dict]:
	"""``[{"key", "severity" ("error" | "warning"), "message"}]``: empty when the set-up is complete."""
	settings = frappe.get_cached_doc("Collections Settings")
	found = []

	def gap(key: str, severity: str, message: str) -> None:
		found.append({"key": key, "severity": severity, "message": message})

	if cint(settings.email_enabled):
		account = settings.reminder_email_account or frappe.db.get_value(
			"Email Account", {"default_outgoing": 1, "enable_outgoing": 1}
		)
		if not account or not frappe.db.get_value("Email Account", account, "enable_outgoing"):
			gap(
				"mailbox",
				"error",
				_("No outgoing email account: reminders cannot be sent. Set the Reminder Email Account."),
			)
		elif not settings.reminder_email_account:
			gap(
				"mailbox",
				"warning",
				_(
					"Reminders go from the default outgoing account {0}; set a Reminder Email Account so "
					"that customers' replies reach accounts receivable."
				).format(account),
			)
		if not cint(frappe.db.get_default("disable_standard_email_footer")):
			gap(
				"footer",
				"warning",
				_(
					'Every reminder ends with "Sent via ERPNext": turn on Disable Standard Email Footer in '
					"System Settings."
				),
			)
	if not settings.company_time_zone:
		gap(
			"time_zone",
			"warning",
			_("No company time zone: the send window is read in the system time zone."),
		)
	if not collections_managers():
		gap(
			"managers",
			"error",
			_("Nobody has the Collections Manager role: escalations and alerts would reach nobody."),
		)
	unreachable, uncollected = _customers_with_overdue_gaps()
	if unreachable:
		gap(
			"no_email",
			"warning",
			_("{0} customers with overdue invoices have no email address (e.g. {1}).").format(
				len(unreachable), ", ".join(unreachable[:3])
			),
		)
	if uncollected:
		gap(
			"no_collector",
			"warning",
			_(
				"{0} customers with overdue invoices have no collector: their calls and escalations go to "
				"the Collections Managers (e.g. {1})."
			).format(len(uncollected), ", ".join(uncollected[:3])),
		)
	return found


def _customers_with_overdue_gaps() -> tuple[list[str], list[str]]:
	"""(customers with an overdue invoice and no email anywhere, those without a collector)."""
	rows = customers_overdue()
	with_contact_email = set(_customers_with_contact_email([r[0] for r in rows]))
	unreachable = [r[0] for r in rows if not r[1] and r[0] not in with_contact_email]
	uncollected = [r[0] for r in rows if not r[2]]
	return unreachable, uncollected


def _customers_with_contact_email(customers: list[str]) -> list[str]:
	if not customers:
		return []
	link = frappe.qb.DocType("Dynamic Link")
	contact = frappe.qb.DocType("Contact")
	return (
		frappe.qb.from_(link)
		.join(contact)
		.on(contact.name == link.parent)
		.select(link.link_name)
		.distinct()
		.where((link.parenttype == "Contact") & (link.link_doctype == "Customer"))
		.where(link.link_name.isin(customers) & (contact.email_id != "") & contact.email_id.isnotnull())
	).run(pluck=True)


@frappe.whitelist()
def check_setup() -> list[dict]:
	"""The gaps, for the Collections Settings form (read permission on the settings)."""
	frappe.has_permission("Collections Settings", "read", throw=True)
	return gaps()
