"""Hand a reminder to a channel through Frappe's and ERPNext's own machinery.

Each ``send_*`` returns a reference (Communication name, provider message id, ToDo name) or raises
``ChannelError`` with a message worth recording on the activity.
"""

import json

import requests

import frappe
from frappe import _

WHATSAPP_TIMEOUT = 15


class ChannelError(Exception):
	"""The channel refused or failed; the message says why (recorded on the activity)."""


def send_email(
	recipient: str,
	subject: str,
	message: str,
	invoices: list[str],
	customer: str,
	attach_pdf: bool,
	language: str | None = None,
) -> str:
	"""Queue an email (Frappe Email Queue) as a Communication in the invoice's (or, for a notice
	covering several invoices, the customer's) timeline, with the invoice PDF(s) attached."""
	from frappe.core.doctype.communication.email import make

	print_format = frappe.get_meta("Sales Invoice").default_print_format or "Standard"
	single = len(invoices) == 1
	reference = ("Sales Invoice", invoices[0]) if single else ("Customer", customer)
	attachments = None
	if attach_pdf and not single:
		# a notice about several invoices carries each one's PDF, rendered now
		attachments = [
			frappe.attach_print("Sales Invoice", name, print_format=print_format, lang=language)
			for name in invoices
		]
	result = make(
		doctype=reference[0],
		name=reference[1],
		content=message,
		subject=subject,
		recipients=[recipient],
		send_email=True,
		# a single invoice's PDF is rendered by the Email Queue when it sends
		print_format=print_format if attach_pdf and single else None,
		print_language=language,
		attachments=attachments,
		communication_type="Automated Message",
	)
	return result["name"]


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

	from frappe.core.doctype.sms_settings.sms_settings import send_via_gateway

	# as frappe's own send_sms passes it: the SMS Log decodes the message from bytes
	arg = {"receiver_list": [recipient], "message": frappe.safe_encode(text), "success_msg": False}
	try:
		send_via_gateway(arg)
	except Exception as e:
		raise ChannelError(_("SMS gateway: {0}").format(e)) from e
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
		raise ChannelError(
			_("WhatsApp answered without a message id: {0}").format(json.dumps(response))
		) from e


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


def _post(url: str, **kwargs) -> dict:
	try:
		response = requests.post(url, timeout=WHATSAPP_TIMEOUT, **kwargs)
	except requests.RequestException as e:
		raise ChannelError(_("{0} is unreachable: {1}").format(url, e)) from e
	if response.status_code >= 400:
		raise ChannelError(_("{0} answered {1}: {2}").format(url, response.status_code, response.text[:500]))
	try:
		return response.json()
	except ValueError:
		return {}
