"""The calls, notes, promises and disputes of a customer in the timelines of its Customer and Sales Invoice
forms: Frappe's ``additional_timeline_content`` hook (frappe.desk.form.load.get_docinfo), the way ERPNext
shows Call Logs there.

Only the activities a person made (:data:`HUMAN_TOUCH_TYPES`): the reminders the dunning run sends are
Communications and show in those timelines already. Shown to whoever reads Collection Activity (and the
form); others see the timeline as before. The text people typed is shown as text, never as markup.
"""

from urllib.parse import quote

import frappe
from frappe import _
from frappe.utils import escape_html, fmt_money, format_date, get_fullname, strip_html

from optimar_erp.constants import HUMAN_TOUCH_TYPES

LIMIT = 50
"""The latest entries a timeline gets (Frappe gives a form's timeline its 20 latest communications)."""
MESSAGE_CHARS = 280
ICONS = {
	"Call": "call",
	"Note": "es-line-chat-alt",
	"Promise": "calendar",
	"Dispute": "es-line-alert-triangle",
}
FIELDS = (
	"name",
	"creation",
	"owner",
	"activity_type",
	"outcome",
	"message",
	"subject",
	"amount",
	"currency",
	"next_action_date",
	"reference_doctype",
	"reference_name",
	"sales_invoice",
	"invoices",
)


def customer(doctype: str, docname: str) -> list[dict]:
	"""The customer's activities."""
	return [_entry(row) for row in _activities({"customer": docname})]


def sales_invoice(doctype: str, docname: str) -> list[dict]:
	"""The activities about the invoice: on it, or on several invoices of which it is one (a promise)."""
	customer = frappe.db.get_value("Sales Invoice", docname, "customer")
	if not customer:
		return []
	rows = _activities(
		{"customer": customer},
		or_filters={"sales_invoice": docname, "invoices": ("like", f"%{docname}%")},
	)
	return [
		_entry(row)
		for row in rows
		if row.sales_invoice == docname or docname in {i.strip() for i in (row.invoices or "").split(",")}
	]


def _activities(filters: dict, or_filters: dict | None = None) -> list:
	if not frappe.has_permission("Collection Activity", "read"):
		return []
	return frappe.get_list(
		"Collection Activity",
		filters={**filters, "activity_type": ("in", HUMAN_TOUCH_TYPES)},
		or_filters=or_filters,
		fields=list(FIELDS),
		order_by="creation desc",
		limit=LIMIT,
	)


def _entry(row) -> dict:
	return {
		"icon": ICONS.get(row.activity_type, "dot-horizontal"),
		"creation": row.creation,
		"content": _content(row),
	}


def _content(row) -> str:
	"""One line: what, by whom, the outcome, what was said, what comes next."""
	what = f'<a href="{_form_url("Collection Activity", row.name)}">{escape_html(_(row.activity_type))}</a>'
	parts = [_("{0} by {1}").format(what, f"<b>{escape_html(get_fullname(row.owner))}</b>")]
	if row.outcome:
		parts.append(escape_html(_(row.outcome)))
	if row.amount and row.activity_type in ("Promise", "Dispute"):
		parts.append(escape_html(fmt_money(row.amount, currency=row.currency)))
	said = " ".join(strip_html(row.message or row.subject or "").split())
	if said:
		if len(said) > MESSAGE_CHARS:
			said = said[: MESSAGE_CHARS - 1] + "…"
		parts.append(f'<span class="text-muted">“{escape_html(said)}”</span>')
	if row.next_action_date:
		parts.append(escape_html(_("next action {0}").format(format_date(row.next_action_date))))
	if row.reference_doctype and row.reference_name:
		url = _form_url(row.reference_doctype, row.reference_name)
		parts.append(f'<a href="{url}">{escape_html(row.reference_name)}</a>')
	return " · ".join(parts)


def _form_url(doctype: str, name: str) -> str:
	return f"/app/{frappe.scrub(doctype).replace('_', '-')}/{quote(str(name), safe='')}"
