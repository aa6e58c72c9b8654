# Copyright (c) 2026, OptimAR ERP contributors
# For license information, please see license.txt

import re

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import add_to_date, get_datetime, now_datetime

from optimar_erp.portal.links import MAX_DAYS

HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")
FIXED_AFTER_INSERT = ("customer", "token_hash", "expires_on", "source", "collection_activity", "created_by")


class PortalAccessLink(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		collection_activity: DF.Link | None
		created_by: DF.Link | None
		customer: DF.Link
		customer_name: DF.Data | None
		expires_on: DF.Datetime
		last_ip: DF.Data | None
		last_used_on: DF.Datetime | None
		revoked: DF.Check
		revoked_by: DF.Link | None
		revoked_on: DF.Datetime | None
		source: DF.Literal["Desk", "Reminder"]
		token_hash: DF.Data | None
		use_count: DF.Int

	# end: auto-generated types
	def validate(self):
		self.validate_token_hash()
		self.validate_expiry()
		self.validate_unchanged()

	def validate_token_hash(self):
		if not HASH_PATTERN.match(self.token_hash or ""):
			frappe.throw(_("A portal link stores the SHA-256 hash of its token, never the token."))

	def validate_expiry(self):
		if not self.is_new():
			return
		expires = get_datetime(self.expires_on)
		if expires <= now_datetime() or expires > add_to_date(now_datetime(), days=MAX_DAYS, minutes=1):
			frappe.throw(_("A portal link expires between now and {0} days from now.").format(MAX_DAYS))

	def validate_unchanged(self):
		previous = self.get_doc_before_save()
		if not previous:
			return
		changed = [field for field in FIXED_AFTER_INSERT if str(previous.get(field)) != str(self.get(field))]
		if changed:
			frappe.throw(
				_("A portal link cannot be changed once issued ({0}); revoke it and issue a new one.").format(
					", ".join(_(self.meta.get_label(field)) for field in changed)
				)
			)
		if previous.revoked and not self.revoked:
			frappe.throw(_("A revoked portal link cannot be reinstated; issue a new one."))

	@property
	def status(self) -> str:
		if self.revoked:
			return "Revoked"
		return "Expired" if get_datetime(self.expires_on) <= now_datetime() else "Active"

	def revoke(self) -> None:
		if self.revoked:
			return
		self.revoked = 1
		self.revoked_on = now_datetime()
		self.revoked_by = frappe.session.user
		self.save(ignore_permissions=True)
