"""Hand a reminder to a channel through Frappe's and ERPNext's own machinery.

Each ``send_*`` returns a reference (Communication name, provider message id, ToDo name) or raises
``ChannelError`` with a message worth recording on the activity (nothing was sent: it may be tried again),
or ``OutcomeUnknown`` when the request left but no answer came (the provider may have sent it: a person
checks; none of these providers takes an idempotency key for a message).
"""

import requests

import frappe
from frappe import _
from frappe.utils import getdate

from optimar_erp.queries.users import collections_managers

PROVIDER_TIMEOUT = (5, 20)
"""Seconds to connect, then to wait for the answer, on every provider call."""


class ChannelError(Exception):
	"""The channel refused or failed and nothing was sent; the message says why (recorded on the
	activity)."""


class OutcomeUnknown(ChannelError):
	"""The request reached the provider but no answer came: it may or may not have been sent."""


def reminder_mailbox(company: str | None = None) -> frappe._dict:
	"""The mailbox reminders are sent from and answered to: Collections Settings' *Reminder Email
	Account*, else the site's default outgoing account; never the user who started the run (replies are
	what the inbox works on, so they must reach accounts receivable). ``sender`` carries the company's
	name as display name. ChannelError when there is no enabled outgoing account."""
	from email.utils import formataddr

	name = frappe.db.get_single_value(
		"Collections Settings", "reminder_email_account"
	) or frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1})
	account = name and frappe.db.get_value(
		"Email Account", name, ["name", "email_id", "enable_outgoing", "email_account_name"], as_dict=True
	)
	if not account or not account.enable_outgoing or not account.email_id:
		raise ChannelError(
			_("No outgoing email account: set the Reminder Email Account in Collections Settings")
		)
	display = company or account.email_account_name
	return frappe._dict(
		name=account.name, email_id=account.email_id, sender=formataddr((display, account.email_id))
	)


def invoice_pdfs(invoices: list[str], language: str | None = None) -> tuple[list[dict], list[str]]:
	"""The invoices' PDFs in their default print format (with letterhead), rendered now, and the names of
	those that could not be rendered (logged): a PDF that fails never holds up the reminder or, as a
	PDF left to the Email Queue would, every other email behind it."""
	print_format = frappe.get_meta("Sales Invoice").default_print_format or "Standard"
	pdfs, failed = [], []
	for name in invoices:
		try:
			pdfs.append(frappe.attach_print("Sales Invoice", name, print_format=print_format, lang=language))
		except Exception:
			frappe.log_error(
				f"Reminder PDF of {name} could not be rendered; sent without it",
				reference_doctype="Sales Invoice",
				reference_name=name,
			)
			failed.append(name)
	return pdfs, failed


def send_email(
	recipient: str,
	subject: str,
	message: str,
	invoices: list[str],
	customer: str,
	attach_pdf: bool,
	language: str | None = None,
	company: str | None = None,
	download_link: str | None = None,
) -> str:
	"""Queue an email (Frappe Email Queue) from the collections mailbox, as a Communication in the
	invoice's (or, for a notice covering several invoices, the customer's) timeline, with the invoices'
	PDFs. No unsubscribe footer: a dunning notice is not a newsletter, and a customer stops reminders
	by asking (do-not-contact), which the message offers in words. A PDF that cannot be rendered is left
	out and the message points to ``download_link`` (the customer's portal page) instead."""
	from frappe.core.doctype.communication.email import make

	mailbox = reminder_mailbox(company)
	reference = ("Sales Invoice", invoices[0]) if len(invoices) == 1 else ("Customer", customer)
	attachments, failed = invoice_pdfs(invoices, language) if attach_pdf else ([], [])
	if failed:
		note = _("The PDF of {0} could not be attached.").format(", ".join(failed))
		if download_link:
			note += " " + _("You can download it from your account page: {0}").format(download_link)
		message += f"<p>{frappe.utils.escape_html(note)}</p>"
	communication = make(
		doctype=reference[0],
		name=reference[1],
		content=message,
		subject=subject,
		sender=mailbox.sender,
		recipients=[recipient],
		send_email=False,
		communication_type="Automated Message",
	)["name"]
	frappe.sendmail(
		recipients=[recipient],
		sender=mailbox.sender,
		reply_to=mailbox.email_id,
		subject=subject,
		message=message,
		reference_doctype=reference[0],
		reference_name=reference[1],
		communication=communication,
		message_id=frappe.db.get_value("Communication", communication, "message_id"),
		attachments=attachments or None,
		add_unsubscribe_link=0,
		delayed=True,
	)
	return communication


def send_sms(recipient: str, text: str) -> str:
	"""Send through the provider chosen in Collections Settings (default: Frappe's SMS Settings)."""
	settings = frappe.get_cached_doc("Collections Settings")
	if settings.sms_provider == "Twilio":
		url = f"https://api.twilio.com/2010-04-01/Accounts/{settings.twilio_account_sid}/Messages.json"
		return _post(
			url,
			data={"To": recipient, "From": settings.twilio_from_number, "Body": text},
			auth=(settings.twilio_account_sid, settings.get_password("twilio_auth_token")),
		).get("sid", "")
	if settings.sms_provider == "MSG91":
		return _post(
			"https://control.msg91.com/api/v5/flow/",
			json={"sender": settings.sms_sender_id, "mobiles": recipient, "message": text},
			headers={"authkey": settings.get_password("msg91_auth_key")},
		).get("request_id", "")

	return _send_via_sms_settings(recipient, text)


def _send_via_sms_settings(recipient: str, text: str) -> str:
	"""Frappe's SMS Settings gateway, called as ``send_via_gateway`` calls it but with a timeout, and a
	refusal raised instead of passed over in silence."""
	from frappe.core.doctype.sms_settings.sms_settings import create_sms_log, get_headers

	settings = frappe.get_doc("SMS Settings")
	if not settings.sms_gateway_url:
		raise ChannelError(_("SMS Settings has no gateway URL"))
	headers = get_headers(settings)
	params = {settings.message_parameter: text, settings.receiver_parameter: recipient}
	params.update({row.parameter: row.value for row in settings.get("parameters") if not row.header})
	if headers.get("Content-Type") == "application/json":
		body = {"json": params}
	else:
		body = {"data": params} if settings.use_post else {"params": params}
	response = _request(
		"post" if settings.use_post else "get", settings.sms_gateway_url, headers=headers, **body
	)
	if not 200 <= response.status_code < 300:
		raise ChannelError(_("SMS gateway answered {0}").format(response.status_code))
	try:  # the message has left: a failure to log it must not make it look unsent
		create_sms_log(
			{**params, "message": frappe.safe_encode(text), "receiver_list": [recipient]}, [recipient]
		)
	except Exception:
		frappe.log_error(title=_("SMS sent but not logged"))
	return recipient


def send_whatsapp(recipient: str, template: str, language: str, parameters: list[str]) -> str:
	"""A pre-approved template message through the WhatsApp Business Cloud API."""
	settings = frappe.get_cached_doc("Collections Settings")
	if not template:
		raise ChannelError(_("The step names no WhatsApp template"))
	url = "{}/{}/{}/messages".format(
		(settings.whatsapp_base_url or "https://graph.facebook.com").rstrip("/"),
		settings.whatsapp_api_version or "v21.0",
		settings.whatsapp_phone_number_id,
	)
	payload = {
		"messaging_product": "whatsapp",
		"to": "".join(ch for ch in recipient if ch.isdigit()),
		"type": "template",
		"template": {
			"name": template,
			"language": {"code": language or "en"},
			"components": [
				{"type": "body", "parameters": [{"type": "text", "text": str(p)} for p in parameters]}
			],
		},
	}
	response = _post(
		url,
		json=payload,
		headers={"Authorization": f"Bearer {settings.get_password('whatsapp_access_token')}"},
	)
	try:
		return response["messages"][0]["id"]
	except (KeyError, IndexError, TypeError) as e:
		raise OutcomeUnknown(_("WhatsApp accepted the request but returned no message id")) from e


def create_call_task(collector: str, reference: tuple[str, str], description: str, date) -> str:
	"""A ToDo assigned to the collector on the invoice (or customer), with what the call is about."""
	from frappe.desk.form.assign_to import add

	add(
		{
			"assign_to": [collector],
			"doctype": reference[0],
			"name": reference[1],
			"description": description,
			"date": date,
			"priority": "High",
		},
		ignore_permissions=True,
	)
	return frappe.db.get_value(
		"ToDo",
		{
			"reference_type": reference[0],
			"reference_name": reference[1],
			"allocated_to": collector,
			"status": "Open",
		},
		"name",
		order_by="creation desc",
	)


def ask_a_person(row, reason: str) -> str | None:
	"""A ToDo on the reminder for its customer's collector (or the first Collections Manager): it failed
	for good, or nobody knows whether it arrived."""
	assignee = frappe.db.get_value("Customer", row.customer, "collector") or first_manager()
	if not assignee:
		frappe.log_error(title=_("Nobody to tell about reminder {0}").format(row.name), message=reason)
		return None
	description = _("Reminder {0} to {1} ({2}) needs a person: {3}").format(
		row.name, row.customer, row.recipient or row.channel, reason
	)
	return create_call_task(assignee, ("Collection Activity", row.name), description, getdate())


def alert_managers(customer: str, subject: str) -> bool:
	"""A Desk alert on the Customer to every Collections Manager; False when there is none."""
	from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

	managers = collections_managers()
	if managers:
		enqueue_create_notification(
			managers,
			{"type": "Alert", "document_type": "Customer", "document_name": customer, "subject": subject},
		)
	return bool(managers)


def first_manager() -> str | None:
	users = collections_managers()
	return users[0] if users else None


def _request(method: str, url: str, **kwargs) -> requests.Response:
	"""One provider call with a timeout. Not connected → ChannelError (nothing left); connected but no
	answer → OutcomeUnknown."""
	try:
		return requests.request(method, url, timeout=PROVIDER_TIMEOUT, **kwargs)
	except requests.ConnectionError as e:  # ConnectTimeout included: the request never left
		raise ChannelError(_("{0} is unreachable").format(_host(url))) from e
	except requests.Timeout as e:
		raise OutcomeUnknown(_("{0} did not answer in time").format(_host(url))) from e
	except requests.RequestException as e:
		raise OutcomeUnknown(
			_("{0}: the request broke off ({1})").format(_host(url), type(e).__name__)
		) from e


def _host(url: str) -> str:
	from urllib.parse import urlsplit

	return urlsplit(url).hostname or url


def _post(url: str, **kwargs) -> dict:
	response = _request("post", url, **kwargs)
	if response.status_code >= 400:
		# the body may echo what was sent (tokens, numbers): only the status is kept
		raise ChannelError(_("{0} answered {1}").format(_host(url), response.status_code))
	try:
		return response.json()
	except ValueError:
		return {}
