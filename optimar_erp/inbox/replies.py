"""Customers' replies: link each received email to its customer and invoices, classify it, and turn it
into a *Collections Inbox Item* — the decision it needs, ready to accept, edit or dismiss.

Flow: a received Communication (Frappe's email pull, or one created by hand) → ``after_insert`` hook
(:func:`on_communication`) finds the customer (the invoice the reply is threaded to — a reply to a
reminder keeps the reminder's reference —, a Customer reference, or the sender's Contact) and queues
:func:`process` after the commit → the engine classifies and extracts (:mod:`optimar_erp.engine.inbox`)
→ one inbox item per reply (its proposal: promised date and amount, dispute reason, remittance, requested
document, return date) → safe actions are applied at once when the settings allow it (out of office →
dunning snoozed until the return date; an invoice copy or statement → sent back in the same thread),
everything else waits for a person. Low confidence is always "needs review", never a wrong action.
"""

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_days, get_datetime, getdate, now_datetime, strip_html_tags, today

from optimar_erp.api import create_dispute, create_promise
from optimar_erp.cash.matching import allocate_best, unallocated_receipts
from optimar_erp.queries.customers import customers_of
from optimar_erp.queries.invoices import customers_invoices, invoice_field, open_invoices_of

INTENT_LABELS = {
	"promise_to_pay": "Promise to Pay",
	"dispute": "Dispute",
	"payment_made": "Payment Made",
	"document_request": "Document Request",
	"out_of_office": "Out of Office",
	"other": "Other",
}
ACTION_LABELS = {
	"draft_promise": "Draft Promise",
	"draft_dispute": "Draft Dispute",
	"send_document": "Send Document",
	"snooze_until": "Snooze Dunning",
	"match_payment": "Match Payment",
	"human_review": "Human Review",
}
MAX_SNOOZE_DAYS = 60
MAX_MANUAL_SNOOZE_DAYS = 90
"""The longest snooze a person may set (the worklist's cap too)."""
AUTO_SNOOZES_PER_30_DAYS = 1
"""An out-of-office reply is easy to send (or to forge): it snoozes a customer by itself once a month at
most; a second one goes to a person."""
AUTO_DOCUMENT_EMAILS_PER_DAY = 3
"""Document requests answered by themselves per customer and day; more go to a person."""

MAX_CONTENT_CHARS = 1_000_000
"""Of a received email's content, at most this much (HTML included) is read."""


def settings():
	return frappe.get_cached_doc("Collections Settings")


# ------------------------------------------------------------------------------------------- the hook
def on_communication(doc, method=None):
	"""A received email from a customer: queue its classification (once, after the commit)."""
	if doc.sent_or_received != "Received" or doc.communication_type != "Communication":
		return
	if not settings().get("inbox_enabled"):
		return
	if not customer_of(doc):
		return
	frappe.enqueue(
		"optimar_erp.inbox.replies.process",
		queue="short",
		enqueue_after_commit=True,
		job_id=f"optimar-inbox-{doc.name}",
		deduplicate=True,
		communication=doc.name,
	)


def customer_of(doc) -> tuple[str, str | None] | None:
	"""(customer, invoice) the reply belongs to, or None when it is not from a customer."""
	if doc.reference_doctype == "Sales Invoice" and doc.reference_name:
		customer = invoice_field(doc.reference_name, "customer")
		if customer:
			return customer, doc.reference_name
	if doc.reference_doctype == "Customer" and doc.reference_name:
		return doc.reference_name, None
	sender = (doc.sender or "").strip().lower()
	if not sender:
		return None
	contact = frappe.qb.DocType("Contact")
	email = frappe.qb.DocType("Contact Email")
	link = frappe.qb.DocType("Dynamic Link")
	rows = (
		frappe.qb.from_(email)
		.join(contact)
		.on(contact.name == email.parent)
		.join(link)
		.on((link.parent == contact.name) & (link.parenttype == "Contact"))
		.select(link.link_name)
		.where((email.email_id == sender) & (link.link_doctype == "Customer"))
		.limit(2)
		.run()
	)
	if len({r[0] for r in rows}) == 1:
		return rows[0][0], None
	customer = frappe.db.get_value("Customer", {"email_id": sender}, "name")
	return (customer, None) if customer else None


# ------------------------------------------------------------------------------------------- processing
def process(communication: str) -> str | None:
	"""Classify one received Communication and create its inbox item (idempotent); returns its name."""
	existing = frappe.db.get_value("Collections Inbox Item", {"communication": communication})
	if existing:
		return existing
	from optimar_erp.engine.inbox import classify, strip_reply
	from optimar_erp.engine.inbox.classifier import MAX_REPLY_CHARS

	doc = frappe.get_doc("Communication", communication)
	found = customer_of(doc)
	if not found:
		return None
	customer, invoice = found
	conf = settings()
	received = getdate(doc.communication_date or doc.creation)
	content = (doc.content or "")[:MAX_CONTENT_CHARS]
	text = strip_html_tags(content) if "<" in content else content
	body = "\n".join(
		filter(None, [doc.subject if not (doc.subject or "").lower().startswith("re:") else "", text])
	)
	row = classify(
		[{"text": body, "received": received}],
		threshold=(conf.get("inbox_review_below") or 60) / 100,
		auto_threshold=(conf.get("inbox_auto_apply_above") or 85) / 100,
	).iloc[0]
	mentioned = customers_invoices(customer, list(row["invoices"] or ()))
	invoice = invoice or (mentioned[0] if mentioned else None)
	currency = invoice_field(invoice, "currency") if invoice else None
	item = frappe.get_doc(
		{
			"doctype": "Collections Inbox Item",
			"status": "Needs Review",
			"communication": communication,
			"sender": doc.sender,
			"received_on": doc.communication_date or doc.creation,
			"subject": (doc.subject or "")[:140],
			"excerpt": strip_reply(text[:MAX_REPLY_CHARS])[:2000],
			"customer": customer,
			"sales_invoice": invoice,
			"invoices": ", ".join(mentioned),
			"company": invoice_field(invoice, "company") if invoice else None,
			"intent": INTENT_LABELS[row["intent"]],
			"confidence": round(100 * float(row["confidence"]), 1),
			"suggested_action": ACTION_LABELS.get(row["suggested_action"], "Human Review"),
			"review_reasons": "; ".join(row["review_reasons"] or ()),
			"promised_date": _date(row["promised_date"]),
			"payment_date": _date(row["payment_date"]),
			"return_date": _date(row["return_date"]),
			"amount": None if pd.isna(row["amount"]) else float(row["amount"]),
			"currency": _currency(row["currency"]) or currency,
			"reason_code": row["dispute_reason_code"] or None,
			"document": row["document"] or None,
			"reference": row["reference"] or None,
		}
	)
	if row["needs_human"]:
		item.suggested_action = "Human Review" if row["intent"] == "other" else item.suggested_action
	try:
		frappe.db.savepoint("optimar_inbox_item")
		item.insert(ignore_permissions=True)
	except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
		# the hook and the hourly re-processing met on the same email: the first one acts, once
		frappe.db.rollback(save_point="optimar_inbox_item")
		return frappe.db.get_value("Collections Inbox Item", {"communication": communication})
	_log(item, _("Reply classified as {0} ({1}%)").format(_(item.intent), item.confidence))
	if row["intent"] == "payment_made":
		_suggest_payment(item)
	if conf.get("inbox_auto_apply") and row["safe_to_auto_apply"] and not row["needs_human"]:
		apply_safe_action(item)
	return item.name


def _date(value):
	return None if value is None or pd.isna(value) else getdate(value)


def _currency(code) -> str | None:
	if not code or pd.isna(code):
		return None
	return code if frappe.db.exists("Currency", code) else None


def _log(item, subject: str, activity_type: str = "Inbox") -> None:
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": activity_type,
			"status": "Done",
			"customer": item.customer,
			"sales_invoice": item.sales_invoice,
			"company": item.company,
			"channel": "Email",
			"subject": subject,
			"reference_doctype": "Collections Inbox Item",
			"reference_name": item.name,
			"communication": item.communication,
		}
	).insert(ignore_permissions=True)


def _suggest_payment(item) -> None:
	"""A remittance advice: the customer's unallocated Payment Entry it most likely describes."""
	receipts = unallocated_receipts(customers=[item.customer])
	if receipts.empty:
		return
	amount = item.amount or 0
	same = receipts[(receipts["amount"] - amount).abs() < 0.01] if amount else receipts.iloc[0:0]
	if item.reference:
		by_ref = receipts[receipts["remarks"].str.contains(item.reference, regex=False)]
		same = by_ref if len(by_ref) else same
	if len(same) == 1:
		item.db_set("payment_entry", same.iloc[0]["receipt"])


# ------------------------------------------------------------------------------------------- actions
def apply_safe_action(item) -> bool:
	"""Apply a safe action without a person (settings allow it): snooze or send a document."""
	if item.intent == "Out of Office" and item.return_date:
		until = getdate(item.return_date)
		if not getdate(today()) < until <= getdate(add_days(today(), MAX_SNOOZE_DAYS)):
			return False
		if _auto_applied(item.customer, "Out of Office", days=30) >= AUTO_SNOOZES_PER_30_DAYS:
			return False
		snooze_customer(item.customer, until)
	elif item.intent == "Document Request" and item.document in ("invoice_copy", "statement"):
		if _auto_applied(item.customer, "Document Request", days=1) >= AUTO_DOCUMENT_EMAILS_PER_DAY:
			return False
		if not send_document(item):
			return False
	else:
		return False
	item.db_set({"status": "Auto-Applied", "handled_on": now_datetime(), "handled_by": "Administrator"})
	_log(item, _("Applied automatically: {0}").format(_(item.suggested_action)))
	return True


def _auto_applied(customer: str, intent: str, days: int) -> int:
	"""Inbox items of this customer and intent applied without a person in the last ``days`` days."""
	return frappe.db.count(
		"Collections Inbox Item",
		{
			"customer": customer,
			"intent": intent,
			"status": "Auto-Applied",
			"handled_on": (">=", add_days(now_datetime(), -days)),
		},
	)


def snooze_customer(customer: str, until) -> None:
	"""Pause reminders (and the worklist) for this customer until ``until``."""
	frappe.db.set_value("Customer", customer, "collections_snoozed_until", getdate(until))


def _contact_address(customer: str, sender: str | None) -> str | None:
	"""The sender's address when it is one of the customer's on file (its own, or a reachable contact's);
	None otherwise: a forwarded reminder or a spoofed sender gets no documents."""
	from email.utils import parseaddr

	address = parseaddr(sender or "")[1].strip().lower()
	if not address:
		return None
	found = customers_of([customer], with_addresses=True)
	if found.empty:
		return None
	on_file = {found["email"].iloc[0].lower(), *(a.lower() for a in found["emails"].iloc[0])}
	return address if address in on_file else None


def send_document(item) -> bool:
	"""Reply in the same thread with the invoice copy (or the open invoices for a statement), only to an
	address the customer has on file."""
	invoices = [item.sales_invoice] if item.sales_invoice else []
	if item.document == "statement" or not invoices:
		invoices = open_invoices_of(item.customer, limit=20)
	recipient = _contact_address(item.customer, item.sender)
	if not invoices or not recipient:
		return False
	attachments = [
		frappe.attach_print("Sales Invoice", name, file_name=name, print_format=None) for name in invoices
	]
	frappe.sendmail(
		recipients=[recipient],
		subject=_("Re: {0}").format(item.subject or _("Your request")),
		message=_("Please find attached the documents you asked for: {0}.").format(", ".join(invoices)),
		attachments=attachments,
		reference_doctype="Sales Invoice" if item.sales_invoice else "Customer",
		reference_name=item.sales_invoice or item.customer,
		in_reply_to=item.communication,
	)
	return True


@frappe.whitelist()
def accept(name: str, values: str | dict | None = None) -> str | None:
	"""Accept an inbox item's proposal (optionally edited): create the promise or dispute, snooze, send
	the document or allocate the matched payment. Returns the created document's name."""
	import json

	item = frappe.get_doc("Collections Inbox Item", name)
	item.check_permission("write")
	if item.status not in ("Needs Review",):
		frappe.throw(_("This reply was already handled ({0}).").format(_(item.status)))
	if isinstance(values, str):
		values = json.loads(values or "{}")
	editable = ("promised_date", "amount", "reason_code", "return_date", "sales_invoice", "document")
	for key, value in (values or {}).items():
		if key in editable:
			item.set(key, value)
	created = (None, None)
	if item.intent == "Promise to Pay":
		created = ("Promise To Pay", _accept_promise(item))
	elif item.intent == "Dispute":
		created = ("Dispute", _accept_dispute(item))
	elif item.intent == "Out of Office":
		if not item.return_date or getdate(item.return_date) <= getdate(today()):
			frappe.throw(_("Set the date the customer is back (after today)."))
		if getdate(item.return_date) > getdate(add_days(today(), MAX_MANUAL_SNOOZE_DAYS)):
			frappe.throw(_("Snooze for at most {0} days.").format(MAX_MANUAL_SNOOZE_DAYS))
		snooze_customer(item.customer, item.return_date)
	elif item.intent == "Document Request":
		if not send_document(item):
			frappe.throw(
				_(
					"Nothing sent: the customer has no open invoice, or the sender is not one of its addresses on file."
				)
			)
	elif item.intent == "Payment Made" and item.payment_entry:
		created = ("Payment Entry", allocate_best(item.payment_entry))
	item.status = "Accepted"
	item.result_doctype, item.result_name = created
	item.handled_by, item.handled_on = frappe.session.user, now_datetime()
	item.save()
	_log(item, _("Accepted: {0}").format(_(item.suggested_action or item.intent)))
	return item.result_name


def _accept_promise(item) -> str:
	if not item.promised_date or not item.amount:
		frappe.throw(_("Set the promised date and amount first."), title=_("Incomplete Promise"))
	invoices = [item.sales_invoice] if item.sales_invoice else []
	return create_promise(
		customer=item.customer,
		promised_amount=item.amount,
		promised_date=str(item.promised_date),
		invoices=invoices,
		channel="Email",
		notes=_("From the customer's email: {0}").format(item.excerpt[:300] if item.excerpt else ""),
		source="Inbox",
	)


def _accept_dispute(item) -> str:
	if not item.sales_invoice:
		frappe.throw(_("Choose the invoice the dispute is about."), title=_("Incomplete Dispute"))
	return create_dispute(
		sales_invoice=item.sales_invoice,
		reason_code=item.reason_code or "Other",
		description=item.excerpt or item.subject or _("Disputed by email"),
		disputed_amount=item.amount or None,
		source="Inbox",
	)


@frappe.whitelist()
def dismiss(name: str, note: str | None = None) -> None:
	item = frappe.get_doc("Collections Inbox Item", name)
	item.check_permission("write")
	if item.status != "Needs Review":
		frappe.throw(_("This reply was already handled ({0}).").format(_(item.status)))
	item.status = "Dismissed"
	item.handled_by, item.handled_on = frappe.session.user, now_datetime()
	item.save()
	_log(item, _("Dismissed: {0}").format(note or _(item.intent)))


def reprocess_recent(days: int = 2) -> int:
	"""Classify received customer emails of the last days that have no inbox item (missed jobs)."""
	names = frappe.get_all(
		"Communication",
		filters={
			"sent_or_received": "Received",
			"communication_type": "Communication",
			"creation": (">=", add_days(get_datetime(), -days)),
		},
		pluck="name",
	)
	done = 0
	for name in names:
		if not frappe.db.exists("Collections Inbox Item", {"communication": name}) and process(name):
			done += 1
	return done
