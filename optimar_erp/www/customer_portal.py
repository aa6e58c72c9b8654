"""/customer-portal: a customer's invoices, balance and statement, with pay, promise, dispute and
balance confirmation. Logged-in website users linked to a Customer see it from the portal menu; a signed
link from a reminder (``?token=…``) opens it for that customer only, without a password."""

from urllib.parse import urlencode

import frappe
from frappe import _

from optimar_erp.portal import access, links, templating, view
from optimar_erp.queries import portal

no_cache = 1


def get_context(context):
	context.no_cache = 1
	templating.use_compiled_templates()
	context.title = _("Your Account")
	context.head_include = (
		'<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
	)
	token = frappe.form_dict.get("token")
	if not token and frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?" + urlencode({"redirect-to": f"/{links.PAGE_ROUTE}"})
		raise frappe.Redirect(302)  # not 301: browsers would keep sending the user to the login page
	try:
		access.throttle_page()
		viewer = access.resolve(token=token, customer=frappe.form_dict.get("customer"))
	except (access.PortalAccessDenied, frappe.TooManyRequestsError) as e:
		frappe.clear_messages()
		context.denied = str(e)
		context.http_status_code = getattr(e, "http_status_code", 403)
		context.show_sidebar = False
		context.portal_html = templating.render_portal(context)
		return context
	if viewer.via_link:
		links.record_use(viewer.link)
		frappe.local.flags.commit = True
	access.ensure_csrf_token()
	# the customer's home: their account only, under their supplier's name, not ERPNext's whole portal
	context.show_sidebar = False
	context.brand = brand(viewer.customer)
	context.update(view.page_context(viewer, token))
	# rendered here, outside Frappe's sandboxed environment (see templating.render_portal)
	context.portal_html = templating.render_portal(context)
	return context


def brand(customer: str) -> dict:
	"""The company the customer deals with (the first it has an account with): name, logo and where to
	write, for the page's own header and footer."""
	companies = portal.companies_of(customer)
	company = companies[0] if companies else frappe.db.get_single_value("Global Defaults", "default_company")
	if not company:
		return {}
	settings = frappe.get_cached_doc("Collections Settings")
	mailbox = settings.reminder_email_account and frappe.db.get_value(
		"Email Account", settings.reminder_email_account, "email_id"
	)
	return {
		"company": company,
		"logo": frappe.db.get_value("Company", company, "company_logo") or "",
		"email": mailbox or frappe.db.get_value("Company", company, "email") or "",
	}
