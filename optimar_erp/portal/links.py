"""Signed, expiring, revocable links that open one customer's portal page without a password.

A token is ``<nonce>.<signature>``: 32 random bytes and an HMAC-SHA256 of them keyed with the site's
secret (its encryption key), both URL-safe base64. The signature lets a forged or altered token be refused
without reading the database; only the SHA-256 of the whole token is stored (``Portal Access Link``), so
nobody can rebuild a working link from the database. A link opens the page of its customer only, until
it expires or is revoked.

Reminders reuse a customer's live reminder link instead of minting one per message: its token is kept
encrypted with the site's key (``__Auth``, like any Password field), so the database alone still opens
nothing. A link is reused while at least half its validity is left; a revoked or expiring one is replaced.
"""

import base64
import hashlib
import hmac
import re
import secrets

import frappe
from frappe import _
from frappe.utils import add_to_date, cint, get_datetime, get_url, now_datetime
from frappe.utils.password import get_decrypted_password, get_encryption_key, set_encrypted_password

from optimar_erp.portal.client import client_address

PAGE_ROUTE = "customer-portal"
DEFAULT_DAYS = 14
MAX_DAYS = 90
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$")
REUSABLE_TOKEN_FIELD = "token"
"""The ``__Auth`` field under which a reminder link's token is kept (encrypted) for reuse."""


def _b64(raw: bytes) -> str:
	return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(nonce: str) -> str:
	key = get_encryption_key().encode()
	return _b64(hmac.new(key, f"optimar-portal-link:{nonce}".encode(), hashlib.sha256).digest())


def new_token() -> str:
	nonce = _b64(secrets.token_bytes(32))
	return f"{nonce}.{_signature(nonce)}"


def token_hash(token: str) -> str:
	return hashlib.sha256(token.encode()).hexdigest()


def is_well_signed(token) -> bool:
	"""The token has the right shape and was signed with this site's secret (no database read)."""
	if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
		return False
	nonce, _sep, signature = token.partition(".")
	return hmac.compare_digest(signature, _signature(nonce))


def portal_url(token: str | None = None) -> str:
	return get_url(f"/{PAGE_ROUTE}" + (f"?token={token}" if token else ""))


def valid_days(days) -> int:
	days = cint(days)
	if not 1 <= days <= MAX_DAYS:
		frappe.throw(
			_("A portal link is valid for 1 to {0} days, not {1}.").format(MAX_DAYS, days),
			title=_("Portal Link"),
		)
	return days


def issue_link(
	customer: str,
	days: int = DEFAULT_DAYS,
	source: str = "Desk",
	activity: str | None = None,
	reusable: bool = False,
) -> str:
	"""Store a new link for ``customer`` (its hash only; also its encrypted token when ``reusable``) and
	return its URL; no permission check."""
	token = new_token()
	link = frappe.get_doc(
		{
			"doctype": "Portal Access Link",
			"customer": customer,
			"token_hash": token_hash(token),
			"expires_on": add_to_date(now_datetime(), days=valid_days(days)),
			"source": source,
			"collection_activity": activity,
		}
	).insert(ignore_permissions=True)
	if reusable:
		set_encrypted_password(link.doctype, link.name, token, REUSABLE_TOKEN_FIELD)
	return portal_url(token)


def reminder_link(customer: str, activity: str | None = None) -> str:
	"""The customer's live reminder link, else a fresh one; "" when the portal or its links in reminders
	are off."""
	settings = frappe.get_cached_doc("Collections Settings")
	if not (settings.portal_enabled and settings.portal_links_in_reminders):
		return ""
	days = min(max(cint(settings.portal_link_days) or DEFAULT_DAYS, 1), MAX_DAYS)
	token = live_reminder_token(customer, days)
	if token:
		return portal_url(token)
	return issue_link(customer, days, "Reminder", activity, reusable=True)


def live_reminder_token(customer: str, days: int) -> str | None:
	"""The token of the customer's newest reminder link that is neither revoked nor within half of
	``days`` of its end, if it was kept and still hashes to the stored hash."""
	pal = frappe.qb.DocType("Portal Access Link")
	rows = (
		frappe.qb.from_(pal)
		.select(pal.name, pal.token_hash)
		.where(
			(pal.customer == customer)
			& (pal.source == "Reminder")
			& (pal.revoked == 0)
			& (pal.expires_on > add_to_date(now_datetime(), hours=days * 12))
		)
		.orderby(pal.expires_on, order=frappe.qb.desc)
		.limit(1)
	).run(as_dict=True)
	if not rows:
		return None
	try:
		token = get_decrypted_password(
			"Portal Access Link", rows[0].name, REUSABLE_TOKEN_FIELD, raise_exception=False
		)
	except frappe.ValidationError:  # the site's encryption key changed: the old links are dead anyway
		frappe.clear_last_message()
		return None
	if not token or not is_well_signed(token) or token_hash(token) != rows[0].token_hash:
		return None
	return token


def find_link(token) -> frappe._dict | None:
	"""The active link a token opens, or None: malformed, forged, unknown, revoked, expired, or the
	customer is disabled. Callers say the same thing in every case."""
	if not is_well_signed(token):
		return None
	link = frappe.db.get_value(
		"Portal Access Link",
		{"token_hash": token_hash(token)},
		["name", "customer", "expires_on", "revoked"],
		as_dict=True,
	)
	if not link or link.revoked or get_datetime(link.expires_on) <= now_datetime():
		return None
	if frappe.db.get_value("Customer", link.customer, "disabled"):
		return None
	return link


def record_use(name: str) -> None:
	"""Count a use of the link (page opened or something submitted) without touching ``modified``."""
	pal = frappe.qb.DocType("Portal Access Link")
	(
		frappe.qb.update(pal)
		.set(pal.use_count, pal.use_count + 1)
		.set(pal.last_used_on, now_datetime())
		.set(pal.last_ip, (client_address() or "")[:140])
		.where(pal.name == name)
	).run()


@frappe.whitelist()
def create_portal_link(customer: str, days: int = DEFAULT_DAYS) -> str:
	"""A new signed link to ``customer``'s portal page, valid for ``days``; the URL is shown only now."""
	frappe.has_permission("Portal Access Link", "create", throw=True)
	frappe.has_permission("Customer", "read", customer, throw=True)
	if not frappe.db.exists("Customer", customer):
		frappe.throw(_("Customer {0} does not exist.").format(customer), frappe.DoesNotExistError)
	return issue_link(customer, days)


@frappe.whitelist()
def revoke_portal_link(name: str) -> None:
	"""End a link at once; it cannot be reinstated."""
	link = frappe.get_doc("Portal Access Link", name)
	link.check_permission("write")
	link.revoke()


def upi_link(upi_id: str | None, payee: str | None, amount: float, note: str) -> str:
	"""A UPI deep link (NPCI URI spec) for the amount; empty without a UPI id."""
	if not upi_id:
		return ""
	from urllib.parse import quote

	params = {"pa": upi_id, "pn": payee or "", "am": f"{amount:.2f}", "cu": "INR", "tn": note[:80]}
	return "upi://pay?" + "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v)
