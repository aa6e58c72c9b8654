# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import pytz

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt, get_time, get_time_str

from optimar_erp.dunning.escalation import configured_rules
from optimar_erp.dunning.run import dry_run as run_dry
from optimar_erp.exceptions import ProviderURLNotAllowed
from optimar_erp.queries.users import collections_managers, users_with_role
from optimar_erp.response.config import DEFAULTS as LEARNING_DEFAULTS
from optimar_erp.response.config import is_empty
from optimar_erp.setup import checklist

MAX_TOUCHES_LIMIT = 50
MAX_GRACE_DAYS = 60
WHATSAPP_HOST = "graph.facebook.com"
PAYEE_FIELDS = ("upi_id", "upi_payee_name")
"""Where customers' money goes: a change is announced to every Collections and System Manager."""


class CollectionsSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from optimar_erp.collections.doctype.collections_escalation_rule.collections_escalation_rule import (
			CollectionsEscalationRule,
		)
		from optimar_erp.collections.doctype.dispute_sla.dispute_sla import DisputeSLA

		alert_days_ahead_max: DF.Int
		alert_days_ahead_min: DF.Int
		alert_large_invoice_amount: DF.Currency
		alert_late_probability: DF.Percent
		alert_min_band: DF.Literal["Medium", "High", "Critical"]
		alert_overdue_spike_amount: DF.Currency
		alert_overdue_spike_percent: DF.Percent
		call_tasks_enabled: DF.Check
		cash_auto_allocate: DF.Check
		cash_auto_allocate_above: DF.Percent
		company_time_zone: DF.Autocomplete | None
		credit_advice_months: DF.Int
		default_dunning_sequence: DF.Link | None
		dispute_sla: DF.Table[DisputeSLA]
		dlt_entity_id: DF.Data | None
		email_enabled: DF.Check
		enabled: DF.Check
		escalation_rules: DF.Table[CollectionsEscalationRule]
		group_reminder_emails: DF.Check
		inbox_auto_apply: DF.Check
		inbox_auto_apply_above: DF.Percent
		inbox_enabled: DF.Check
		inbox_review_below: DF.Percent
		max_touches_per_week: DF.Int
		msg91_auth_key: DF.Password | None
		portal_enabled: DF.Check
		portal_link_days: DF.Int
		portal_links_in_reminders: DF.Check
		portal_paid_days: DF.Int
		promise_grace_days: DF.Int
		reminder_email_account: DF.Link | None
		risk_alerts_enabled: DF.Check
		risk_holdout_days: DF.Int
		risk_min_history: DF.Int
		risk_scoring_enabled: DF.Check
		send_window_end: DF.Time
		send_window_start: DF.Time
		sms_enabled: DF.Check
		sms_provider: DF.Literal["Frappe SMS Settings", "Twilio", "MSG91"]
		sms_sender_id: DF.Data | None
		thank_you_on_payment: DF.Check
		twilio_account_sid: DF.Data | None
		twilio_auth_token: DF.Password | None
		twilio_from_number: DF.Data | None
		upi_id: DF.Data | None
		upi_payee_name: DF.Data | None
		whatsapp_access_token: DF.Password | None
		whatsapp_api_version: DF.Data | None
		whatsapp_app_secret: DF.Password | None
		whatsapp_base_url: DF.Data | None
		whatsapp_business_account_id: DF.Data | None
		whatsapp_enabled: DF.Check
		whatsapp_phone_number_id: DF.Data | None
		whatsapp_verify_token: DF.Password | None

	# end: auto-generated types
	def validate(self):
		self.validate_send_window()
		self.validate_touch_cap()
		self.validate_grace_days()
		self.validate_time_zone()
		self.validate_channels()
		self.validate_whatsapp()
		self.validate_whatsapp_url()
		self.validate_sms()
		self.validate_default_sequence()
		self.validate_escalation_rules()
		self.validate_risk_bands()
		self.validate_risk_scoring()
		self.validate_alert_thresholds()
		self.validate_learning()

	def validate_learning(self):
		"""Learned decisions: exploration 0-50 %, lead 0-10 business days, outcome window 1-60 days, at
		least 20 reminders to learn from, quiet hours set as a pair (checked when learning is on)."""
		# settings saved before these fields existed hold them empty: their defaults
		for field, default in LEARNING_DEFAULTS.items():
			if is_empty(field, self.get(field)):
				self.set(field, default)
		if not cint(self.get("learning_enabled")):
			return
		checks = (
			(0 <= flt(self.learning_exploration) <= 50, _("Exploration share must be between 0 and 50 %.")),
			(
				0 <= cint(self.learning_lead_business_days) <= 10,
				_("Business days before the payment run must be between 0 and 10."),
			),
			(1 <= cint(self.learning_outcome_days) <= 60, _("The outcome window must be 1 to 60 days.")),
			(cint(self.learning_min_touches) >= 20, _("Learn from at least 20 reminders.")),
			(
				bool(self.learning_quiet_start) == bool(self.learning_quiet_end),
				_("Set both ends of the quiet hours, or neither."),
			),
		)
		for ok, message in checks:
			if not ok:
				frappe.throw(message, title=_("Learned Decisions"))

	def validate_send_window(self):
		if not (self.send_window_start and self.send_window_end):
			frappe.throw(_("Set both the start and the end of the send window."), title=_("Send Window"))
		if get_time(self.send_window_end) <= get_time(self.send_window_start):
			frappe.throw(
				_("The send window must end after it starts: {0} is not after {1}.").format(
					get_time_str(self.send_window_end), get_time_str(self.send_window_start)
				),
				title=_("Send Window"),
			)

	def validate_touch_cap(self):
		if not 1 <= (self.max_touches_per_week or 0) <= MAX_TOUCHES_LIMIT:
			frappe.throw(
				_("Max touches per customer in 7 days must be between 1 and {0}, not {1}.").format(
					MAX_TOUCHES_LIMIT, self.max_touches_per_week or 0
				),
				title=_("Touch Cap"),
			)

	def validate_grace_days(self):
		if not 0 <= (self.promise_grace_days or 0) <= MAX_GRACE_DAYS:
			frappe.throw(
				_("Promise grace days must be between 0 and {0}, not {1}.").format(
					MAX_GRACE_DAYS, self.promise_grace_days
				),
				title=_("Promise Grace Days"),
			)

	def validate_time_zone(self):
		if self.company_time_zone and self.company_time_zone not in pytz.all_timezones_set:
			frappe.throw(
				_(
					"{0} is not a known time zone. Use a name such as Asia/Kolkata or America/New_York."
				).format(frappe.bold(self.company_time_zone)),
				title=_("Time Zone"),
			)

	def validate_channels(self):
		if self.enabled and not (
			self.email_enabled or self.sms_enabled or self.whatsapp_enabled or self.call_tasks_enabled
		):
			frappe.throw(
				_("The collections engine is enabled but every channel is off. Enable at least one channel."),
				title=_("Channels"),
			)

	def validate_whatsapp(self):
		if not self.whatsapp_enabled:
			return
		missing = [
			_(self.meta.get_label(fieldname))
			for fieldname in ("whatsapp_phone_number_id", "whatsapp_access_token")
			if not self.get(fieldname)
		]
		if missing:
			frappe.throw(
				_("WhatsApp is enabled but these Cloud API settings are missing: {0}.").format(
					", ".join(missing)
				),
				title=_("WhatsApp"),
			)

	def validate_whatsapp_url(self):
		"""The access token is sent to this URL as a Bearer header: Meta's host over HTTPS, or another
		only when a System Manager sets it."""
		from urllib.parse import urlsplit

		if not self.whatsapp_base_url or not self.has_value_changed("whatsapp_base_url"):
			return
		url = urlsplit(self.whatsapp_base_url.strip())
		if url.scheme == "https" and url.hostname == WHATSAPP_HOST and not url.username:
			return
		if "System Manager" in frappe.get_roles():
			return
		frappe.throw(
			_("The WhatsApp URL must be https://{0}; only a System Manager can set another.").format(
				WHATSAPP_HOST
			),
			ProviderURLNotAllowed,
			title=_("WhatsApp"),
		)

	def on_update(self):
		self.announce_payee_change()
		self.warn_setup_gaps()

	def warn_setup_gaps(self):
		"""Turning the engine on names what is still missing (mailbox, managers, addresses, collectors)."""
		if not (self.enabled and self.has_value_changed("enabled")):
			return
		found = checklist.gaps()
		if found:
			frappe.msgprint(
				"<br>".join(frappe.utils.escape_html(g["message"]) for g in found),
				title=_("Automated dunning is on; still missing"),
				indicator="orange",
			)

	def announce_payee_change(self):
		"""Who changed where customers pay, from what to what: every Collections and System Manager is
		told (a Desk alert), since reminders and the portal's QR code carry it at once."""
		changed = [field for field in PAYEE_FIELDS if self.has_value_changed(field)]
		before = self.get_doc_before_save()
		if not changed or before is None:
			return
		from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

		subject = _("{0} changed the payee in Collections Settings: {1}").format(
			frappe.session.user,
			"; ".join(
				f"{self.meta.get_label(field)}: {before.get(field) or '-'} → {self.get(field) or '-'}"
				for field in changed
			),
		)
		users = sorted(set(collections_managers()) | set(users_with_role("System Manager")) - {"Guest"})
		if users:
			enqueue_create_notification(
				users,
				{
					"type": "Alert",
					"document_type": "Collections Settings",
					"document_name": "Collections Settings",
					"subject": subject,
				},
			)

	def validate_sms(self):
		if not self.sms_enabled:
			return
		if self.sms_provider == "Frappe SMS Settings":
			if not frappe.db.get_single_value("SMS Settings", "sms_gateway_url"):
				frappe.throw(
					_("SMS is enabled through Frappe SMS Settings, but no SMS Gateway URL is set there."),
					title=_("SMS"),
				)
			return
		required = {
			"Twilio": ("twilio_account_sid", "twilio_auth_token", "twilio_from_number"),
			"MSG91": ("msg91_auth_key", "sms_sender_id"),
		}.get(self.sms_provider, ())
		missing = [_(self.meta.get_label(fieldname)) for fieldname in required if not self.get(fieldname)]
		if missing:
			frappe.throw(
				_("SMS through {0} needs: {1}.").format(self.sms_provider, ", ".join(missing)), title=_("SMS")
			)

	def validate_default_sequence(self):
		if self.default_dunning_sequence and not frappe.db.get_value(
			"Dunning Sequence", self.default_dunning_sequence, "enabled"
		):
			frappe.throw(
				_("The default dunning sequence {0} is disabled.").format(
					frappe.bold(self.default_dunning_sequence)
				),
				title=_("Default Dunning Sequence"),
			)

	def validate_escalation_rules(self):
		configured_rules(self)

	def validate_risk_bands(self):
		known = {"Low", "Medium", "High", "Critical"}
		for row in self.escalation_rules:
			unknown = [
				b.strip() for b in (row.risk_bands or "").split(",") if b.strip() and b.strip() not in known
			]
			if unknown:
				frappe.throw(
					_(
						"Escalation rule {0}: unknown risk band {1}; use Low, Medium, High or Critical."
					).format(row.idx, ", ".join(unknown)),
					title=_("Escalation Rules"),
				)

	def validate_risk_scoring(self):
		if self.risk_scoring_enabled and (self.risk_min_history or 0) < 30:
			frappe.throw(
				_("The risk model needs at least 30 invoices with a known outcome to train."),
				title=_("Risk Scoring"),
			)
		if (self.credit_advice_months or 0) < 1:
			frappe.throw(_("The credit advice window is at least 1 month."), title=_("Risk Scoring"))

	def validate_alert_thresholds(self):
		if not 0 < (self.alert_late_probability or 0) <= 100:
			frappe.throw(_("Predicted Late Above is a percentage between 1 and 100."), title=_("Risk Alerts"))
		if (self.alert_days_ahead_min or 0) > (self.alert_days_ahead_max or 0):
			frappe.throw(
				_("Warn From Days Before Due ({0}) cannot be more than Warn Until ({1}).").format(
					self.alert_days_ahead_min, self.alert_days_ahead_max
				),
				title=_("Risk Alerts"),
			)
		if (self.alert_overdue_spike_percent or 0) < 0 or (self.alert_overdue_spike_amount or 0) < 0:
			frappe.throw(_("Overdue spike thresholds cannot be negative."), title=_("Risk Alerts"))

	def get_time_zone(self) -> str:
		"""The time zone reminders are scheduled in: this setting, else the system's."""
		from frappe.utils import get_system_timezone

		return self.company_time_zone or get_system_timezone()


@frappe.whitelist()
def dry_run(company: str | None = None) -> dict:
	"""What turning the engine on would send today for ``company`` (default: the user's), nothing sent."""
	frappe.has_permission("Collections Settings", "write", throw=True)
	company = (
		company
		or frappe.defaults.get_user_default("Company")
		or frappe.db.get_single_value("Global Defaults", "default_company")
	)
	if not company or not frappe.db.exists("Company", company):
		frappe.throw(_("Choose a company."))
	return run_dry(company)
