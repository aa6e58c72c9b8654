"""Who is looking at the portal, and what they may touch.

A viewer is one customer, reached either through a signed link (any visitor holding the token, scoped to
that link's customer) or by a logged-in user explicitly linked to the customer *by staff*: as one of the
Customer's portal users, or through a Contact of the user that links to the Customer and that only Desk
users created and last changed. Website users may create and edit Contacts (Frappe lets role All do it and
checks only that a link's target exists), so a Contact one of them made or touched grants nothing. Unlike
ERPNext's ``get_customers_suppliers``, a Desk user's read permission on Customer grants nothing here
either: the portal acts in the customer's name, so only an explicit link counts.

Refusals never say which check failed or whether a document exists. Page views and failed tokens are
throttled per client address (``client``, which trusts X-Forwarded-For only from trusted proxies); the
endpoints are also rate limited (``api``).
"""

import hmac
from dataclasses import dataclass, field

import frappe
from frappe import _

from optimar_erp.exceptions import PortalAccessDenied
from optimar_erp.portal import links
from optimar_erp.portal.client import client_address
from optimar_erp.queries import portal

SIGNED_LINK = "signed link"
PAGE_VIEWS_PER_MINUTE = 120
BAD_TOKENS_PER_HOUR = 20


@dataclass(frozen=True)
class Viewer:
	customer: str
	user: str
	link: str | None = None
	customers: tuple[str, ...] = field(default_factory=tuple)

	@property
	def via_link(self) -> bool:
		return bool(self.link)

	@property
	def signature(self) -> str:
		"""Who answered, as recorded on a Balance Confirmation."""
		return SIGNED_LINK if self.via_link else self.user


def deny(message: str | None = None):
	frappe.throw(message or _("Not found."), PortalAccessDenied, title=_("Not Permitted"))


def invalid_link():
	deny(_("This link is not valid: it may have expired or been revoked. Ask us for a new one."))


def portal_enabled() -> bool:
	return bool(frappe.get_cached_doc("Collections Settings").portal_enabled)


def linked_customers(user: str) -> list[str]:
	"""Enabled customers staff linked the user to (portal user, or a Contact only Desk users made and
	changed), by name."""
	if not user or user == "Guest":
		return []
	portal_user = frappe.qb.DocType("Portal User")
	contact = frappe.qb.DocType("Contact")
	link = frappe.qb.DocType("Dynamic Link")
	names = {
		row[0]
		for row in frappe.qb.from_(portal_user)
		.select(portal_user.parent)
		.where((portal_user.user == user) & (portal_user.parenttype == "Customer"))
		.run()
	}
	creator = frappe.qb.DocType("User").as_("creator")
	editor = frappe.qb.DocType("User").as_("editor")
	names |= {
		row[0]
		for row in frappe.qb.from_(contact)
		.join(link)
		.on((link.parent == contact.name) & (link.parenttype == "Contact"))
		.join(creator)
		.on(creator.name == contact.owner)
		.join(editor)
		.on(editor.name == contact.modified_by)
		.select(link.link_name)
		.where((contact.user == user) & (link.link_doctype == "Customer"))
		# only a Contact that staff made and staff last changed links a login to a customer
		.where((creator.user_type == "System User") & (editor.user_type == "System User"))
		.run()
	}
	if not names:
		return []
	customer = frappe.qb.DocType("Customer")
	return [
		row[0]
		for row in frappe.qb.from_(customer)
		.select(customer.name)
		.where(customer.name.isin(sorted(names)) & (customer.disabled == 0))
		.orderby(customer.customer_name)
		.run()
	]


def resolve(token: str | None = None, customer: str | None = None, write: bool = False) -> Viewer:
	"""The viewer of this request, or PortalAccessDenied. With ``write``, a logged-in session must also
	carry its CSRF token (checked here too, whatever the site's ``ignore_csrf``) and a link's use is
	counted."""
	if not portal_enabled():
		deny(_("The customer portal is not enabled."))
	if write:
		check_csrf()
	if token:
		viewer = _from_link(token, customer)
		if write:
			links.record_use(viewer.link)
		return viewer
	user = frappe.session.user
	if user == "Guest":
		deny(_("Please log in to see your account."))
	customers = linked_customers(user)
	if not customers:
		deny(_("Your login is not linked to a customer account. Please contact us."))
	if customer and customer not in customers:
		deny()
	return Viewer(customer or customers[0], user, None, tuple(customers))


def _from_link(token: str, customer: str | None) -> Viewer:
	if too_many_bad_tokens():
		frappe.throw(
			_("Too many invalid links from your network. Please try again in an hour."),
			frappe.TooManyRequestsError,
		)
	link = links.find_link(token)
	if not link:
		note_bad_token()
		invalid_link()
	if customer and customer != link.customer:
		deny()
	return Viewer(link.customer, frappe.session.user, link.name, (link.customer,))


def own_open_invoices(viewer: Viewer, names: list[str]) -> dict[str, frappe._dict]:
	"""``names`` as the viewer's open invoices, or a refusal that names none of them."""
	names = _names(names)
	rows = {row.name: row for row in portal.open_invoices(viewer.customer, names)}
	if set(names) - set(rows):
		deny(_("Invoice not found, or nothing is outstanding on it."))
	return {name: rows[name] for name in names}


def own_invoice(viewer: Viewer, name: str) -> frappe._dict:
	"""One of the viewer's submitted invoices (paid or not), or a refusal."""
	rows = portal.invoices_of(viewer.customer, _names([name]))
	if not rows:
		deny(_("Invoice not found."))
	return rows[0]


def own_company(viewer: Viewer, company: str | None) -> str:
	"""``company`` if the viewer's customer has an account with it (default: the only one)."""
	companies = portal.companies_of(viewer.customer)
	if not company and len(companies) == 1:
		return companies[0]
	if company not in companies:
		deny(_("No account with that company."))
	return company


def _names(names) -> list[str]:
	if isinstance(names, str):
		names = frappe.parse_json(names) if names.strip().startswith("[") else [names]
	if isinstance(names, list | tuple) and not names:
		frappe.throw(_("Choose at least one invoice."), title=_("Invoices"))
	if not isinstance(names, list | tuple) or len(names) > 500:
		deny()
	if not all(isinstance(name, str) and 0 < len(name) <= 140 for name in names):
		deny()
	return list(dict.fromkeys(names))


def ensure_csrf_token() -> None:
	"""Frappe checks X-Frappe-CSRF-Token only for sessions that hold a CSRF token, and only the Desk
	makes one: a website user gets theirs when the portal page is rendered (and put in the page)."""
	if frappe.session.user == "Guest" or (frappe.session.data or {}).get("csrf_token"):
		return
	if getattr(frappe.local, "session_obj", None) or frappe.flags.in_test:
		frappe.sessions.get_csrf_token()


def check_csrf() -> None:
	"""Refuse an unsafe request of a logged-in session without its CSRF token, even where Frappe would
	not check (a session without a token yet, or ``ignore_csrf``)."""
	request = getattr(frappe.local, "request", None)
	if not request or frappe.session.user == "Guest" or request.method in ("GET", "HEAD", "OPTIONS"):
		return
	expected = (frappe.session.data or {}).get("csrf_token") or ""
	sent = frappe.get_request_header("X-Frappe-CSRF-Token") or frappe.form_dict.get("csrf_token") or ""
	if not (expected and sent and hmac.compare_digest(str(sent), str(expected))):
		frappe.throw(_("Your session has expired. Reload the page and try again."), frappe.CSRFTokenError)


# ---------------------------------------------------------------------------------------- throttling


def _ip() -> str | None:
	return client_address()


def throttle_key(bucket: str, ip: str | None) -> str:
	"""The cache key counting ``bucket`` ("page", "bad-token") for one client address."""
	return frappe.cache.make_key(f"optimar-portal:{bucket}:{ip}")


def _counter(bucket: str, seconds: int, increment: int = 1) -> int:
	key = throttle_key(bucket, _ip())
	count = frappe.cache.incrby(key, increment)
	if count == increment:
		frappe.cache.expire(key, seconds)
	return int(count)


def throttle_page() -> None:
	"""At most PAGE_VIEWS_PER_MINUTE page views a minute from one IP (none counted without a request)."""
	if _ip() and _counter("page", 60) > PAGE_VIEWS_PER_MINUTE:
		frappe.throw(_("Too many requests. Please wait a minute and try again."), frappe.TooManyRequestsError)


def note_bad_token() -> None:
	if _ip():
		_counter("bad-token", 3600)


def too_many_bad_tokens() -> bool:
	return bool(_ip()) and _counter("bad-token", 3600, increment=0) >= BAD_TOKENS_PER_HOUR
