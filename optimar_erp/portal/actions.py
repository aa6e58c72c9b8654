"""What a customer does from the portal: promise to pay, raise a dispute, answer a balance confirmation.

Promises and disputes are the same documents collectors record from the Desk (``optimar_erp.api``): built
the same way and inserted through the same controllers, which validate them, log the Collection Activity
and refresh the invoices' collection state. The portal adds what a customer-facing form needs first: the
invoices must be the viewer's own open ones, the promised date at most PROMISE_HORIZON_DAYS ahead, an
optional attachment checked for size and type. Then the customer's collector (or, without one, the
Collections Managers) is notified. Inserted with ``ignore_permissions``: the viewer was checked by
``access``, and website users and link holders have no Desk role.
"""

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import add_days, flt, fmt_money, getdate, today

from optimar_erp.compat import pdf_problem
from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.portal import access
from optimar_erp.portal.client import client_address
from optimar_erp.queries.portal import lock_open_claims
from optimar_erp.queries.users import collections_managers
from optimar_erp.writes import restart_on_write_conflict

PROMISE_HORIZON_DAYS = 90
MAX_ATTACHMENT_MB = 5
MAX_ATTACHMENT_BYTES = MAX_ATTACHMENT_MB * 1024 * 1024
ATTACHMENT_SIGNATURES = {
	"pdf": (b"%PDF-",),
	"png": (b"\x89PNG\r\n\x1a\n",),
	"jpg": (b"\xff\xd8\xff",),
	"jpeg": (b"\xff\xd8\xff",),
}
NOTE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Attachment:
	filename: str
	content: bytes


def check_attachment(attachment: Attachment | None) -> Attachment | None:
	"""The attachment if it is a PDF, PNG or JPEG (by extension and content) of at most 5 MB; a PDF must
	also be readable and free of scripts (:func:`optimar_erp.compat.pdf_problem`: Frappe v16's File
	parses every uploaded PDF and would otherwise fail with an unhandled error)."""
	if attachment is None or (not attachment.filename and not attachment.content):
		return None
	from werkzeug.utils import secure_filename

	filename = secure_filename(attachment.filename or "") or "attachment"
	extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
	if extension not in ATTACHMENT_SIGNATURES or not attachment.content.startswith(
		ATTACHMENT_SIGNATURES[extension]
	):
		frappe.throw(_("The attachment must be a PDF, PNG or JPEG file."), title=_("Attachment"))
	if len(attachment.content) > MAX_ATTACHMENT_BYTES:
		frappe.throw(
			_("The attachment is larger than {0} MB.").format(MAX_ATTACHMENT_MB), title=_("Attachment")
		)
	if extension == "pdf":
		problem = pdf_problem(attachment.content)
		if problem == "unreadable":
			frappe.throw(
				_("The PDF cannot be read. Save the document as a PDF again and attach that file."),
				title=_("Attachment"),
			)
		if problem == "script":
			frappe.throw(
				_("The PDF contains scripts and cannot be accepted. Attach a PDF without them."),
				title=_("Attachment"),
			)
	return Attachment(filename, attachment.content)


def amount_of(value, label: str) -> float:
	try:
		amount = flt(value, 2) if value not in (None, "") else 0
	except (TypeError, ValueError):
		amount = 0
	if amount <= 0:
		frappe.throw(_("{0}: enter an amount greater than zero.").format(label), title=_("Amount"))
	return amount


def _note(value) -> str | None:
	text = (value or "").strip() if isinstance(value, str) else ""
	if len(text) > NOTE_MAX_LENGTH:
		frappe.throw(_("The note is longer than {0} characters.").format(NOTE_MAX_LENGTH), title=_("Note"))
	return text or None


def _check_amount_within(amount: float, outstanding: float, currency: str) -> None:
	if amount > flt(outstanding, 2) + AMOUNT_TOLERANCE:
		frappe.throw(
			_("The amount {0} is more than the {1} outstanding.").format(
				fmt_money(amount, currency=currency), fmt_money(outstanding, currency=currency)
			),
			title=_("Amount"),
		)


def promise_window() -> tuple:
	return getdate(today()), getdate(add_days(today(), PROMISE_HORIZON_DAYS))


@restart_on_write_conflict
def record_promise(
	viewer: access.Viewer,
	invoices,
	amount,
	promised_date,
	note: str | None = None,
	attachment: Attachment | None = None,
) -> str:
	"""A Promise To Pay (source Portal) for the viewer's open ``invoices``; returns its name. Restarted
	from its first read when a concurrent request's promise conflicts with this one's snapshot."""
	attachment = check_attachment(attachment)
	rows = access.own_open_invoices(viewer, invoices)
	if len({(row.company, row.currency) for row in rows.values()}) > 1:
		frappe.throw(_("Choose invoices of one company and one currency."), title=_("Invoices"))
	promised, disputed = lock_open_claims(list(rows))
	for name in rows:
		if name in disputed:
			frappe.throw(_("Invoice {0} is disputed; we will be in touch about it.").format(name))
		if name in promised:
			frappe.throw(_("Invoice {0} already has a promise to pay.").format(name))
	currency = next(iter(rows.values())).currency
	amount = amount_of(amount, _("Amount"))
	_check_amount_within(amount, sum(flt(row.outstanding_amount) for row in rows.values()), currency)
	date = _date_in_window(promised_date)
	promise = frappe.get_doc(
		{
			"doctype": "Promise To Pay",
			"customer": viewer.customer,
			"company": next(iter(rows.values())).company,
			"promised_amount": amount,
			"promised_date": date,
			"channel": "Portal",
			"source": "Portal",
			"notes": _note(note),
			"invoices": [{"sales_invoice": name} for name in rows],
		}
	)
	promise.insert(ignore_permissions=True)
	attach(attachment, promise)
	notify_collector(
		viewer.customer,
		promise,
		_("{0} promised to pay {1} by {2} on the portal").format(
			viewer.customer, fmt_money(amount, currency=currency), frappe.format(date, "Date")
		),
	)
	return promise.name


def _date_in_window(value):
	try:
		date = getdate(value) if value else None
	except Exception:
		date = None
	first, last = promise_window()
	if not date or not first <= date <= last:
		frappe.throw(
			_("Choose a payment date from {0} to {1}.").format(
				frappe.format(first, "Date"), frappe.format(last, "Date")
			),
			title=_("Date"),
		)
	return date


def dispute_reasons() -> list[str]:
	return [r for r in (frappe.get_meta("Dispute").get_options("reason_code") or "").split("\n") if r]


@restart_on_write_conflict
def raise_dispute(
	viewer: access.Viewer,
	invoice: str,
	reason: str,
	amount,
	note: str | None,
	attachment: Attachment | None = None,
) -> str:
	"""A Dispute (source Portal) on one of the viewer's open invoices; returns its name."""
	attachment = check_attachment(attachment)
	row = access.own_open_invoices(viewer, [invoice])[invoice]
	if reason not in dispute_reasons():
		frappe.throw(_("Choose the reason for the dispute."), title=_("Reason"))
	description = _note(note)
	if not description:
		frappe.throw(_("Tell us what is wrong with the invoice."), title=_("Description"))
	amount = amount_of(amount, _("Disputed amount"))
	_check_amount_within(amount, row.outstanding_amount, row.currency)
	if invoice in lock_open_claims([invoice])[1]:
		frappe.throw(_("Invoice {0} already has an open dispute; we are looking into it.").format(invoice))
	collector = frappe.db.get_value("Customer", viewer.customer, "collector")
	dispute = frappe.get_doc(
		{
			"doctype": "Dispute",
			"sales_invoice": invoice,
			"reason_code": reason,
			"description": description,
			"disputed_amount": amount,
			"source": "Portal",
			"dispute_owner": collector,
		}
	)
	dispute.insert(ignore_permissions=True)
	activity = frappe.qb.DocType("Collection Activity")
	(
		frappe.qb.update(activity)
		.set(activity.channel, "Portal")
		.where((activity.reference_doctype == "Dispute") & (activity.reference_name == dispute.name))
	).run()
	attach(attachment, dispute)
	notify_collector(
		viewer.customer,
		dispute,
		_("{0} disputed {1} on the portal: {2}").format(viewer.customer, invoice, _(reason)),
	)
	return dispute.name


def confirm_balance(
	viewer: access.Viewer,
	company: str | None,
	as_of_date,
	response: str,
	difference_amount=None,
	note: str | None = None,
) -> str:
	"""A Balance Confirmation of the viewer's account with ``company``; the balance is computed by the
	document itself from the ledger. Returns its name."""
	company = access.own_company(viewer, company)
	if response not in ("Confirmed", "Disputed"):
		frappe.throw(_("Say whether the balance is right."), title=_("Response"))
	try:
		as_of = getdate(as_of_date) if as_of_date else None
	except Exception:
		as_of = None
	if not as_of:
		frappe.throw(_("Enter the date of the balance."), title=_("Date"))
	confirmation = frappe.get_doc(
		{
			"doctype": "Balance Confirmation",
			"customer": viewer.customer,
			"company": company,
			"as_of_date": as_of,
			"response": response,
			"difference_amount": flt(difference_amount, 2) if response == "Disputed" else 0,
			"note": _note(note),
			"confirmed_by": viewer.signature,
			"user": None if viewer.user == "Guest" else viewer.user,
			"ip_address": (client_address() or "")[:140] or None,
			"portal_access_link": viewer.link,
		}
	)
	confirmation.insert(ignore_permissions=True)
	subject = (
		_("{0} confirmed a balance of {1} as of {2}")
		if response == "Confirmed"
		else _("{0} disputes the balance of {1} as of {2}")
	)
	notify_collector(
		viewer.customer,
		confirmation,
		subject.format(
			viewer.customer,
			fmt_money(confirmation.balance, currency=confirmation.currency),
			frappe.format(confirmation.as_of_date, "Date"),
		),
	)
	return confirmation.name


def attach(attachment: Attachment | None, doc) -> str | None:
	"""Store the (checked) attachment as a private file of ``doc``."""
	if not attachment:
		return None
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": attachment.filename,
			"attached_to_doctype": doc.doctype,
			"attached_to_name": doc.name,
			"is_private": 1,
			"content": attachment.content,
		}
	)
	file.insert(ignore_permissions=True)
	return file.name


def notify_collector(customer: str, doc, subject: str) -> list[str]:
	"""Alert the customer's collector (else the Collections Managers) in the Desk; returns who."""
	from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

	collector = frappe.db.get_value("Customer", customer, "collector")
	users = [collector] if collector else collections_managers()
	users = [u for u in users if u and frappe.db.get_value("User", u, "enabled")]
	if users:
		enqueue_create_notification(
			users,
			{
				"type": "Alert",
				"document_type": doc.doctype,
				"document_name": doc.name,
				"subject": subject,
				"from_user": "Administrator",
			},
		)
	return users
