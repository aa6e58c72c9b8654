"""Rendering reminder messages: the context a template sees, and the shipped default wording."""

import frappe
from frappe import _
from frappe.utils import escape_html, flt, fmt_money, formatdate, get_url, getdate

from optimar_erp.constants import AMOUNT_TOLERANCE

SAMPLE_CONTEXT = {
	"customer_name": "Acme Traders",
	"company": "Your Company",
	"currency": "USD",
	"total_outstanding": "USD 1,250.00",
	"credit_on_account": "USD 250.00",
	"balance_due": "USD 1,000.00",
	"days_overdue": 7,
	"payment_link": "https://example.com/pay",
	"pay_online_link": "https://example.com/stripe_checkout?amount=1250.0",
	"portal_link": "https://example.com/invoices",
	"upi_link": "",
	"interest_due": "USD 12.50",
	"fees_due": "USD 40.00",
	"tone": "Firm",
	"invoices": [
		{
			"name": "ACC-SINV-2026-00001",
			"posting_date": "01-10-2026",
			"due_date": "31-10-2026",
			"grand_total": "USD 1,250.00",
			"outstanding": "USD 1,250.00",
			"days_overdue": 7,
			"pay_online_link": "https://example.com/stripe_checkout?amount=1250.0",
		}
	],
}
SAMPLE_CONTEXT["overdue_invoices"] = SAMPLE_CONTEXT["invoices"]
SAMPLE_CONTEXT["upcoming_invoices"] = []

DEFAULT_SUBJECTS = {
	"Polite": "Upcoming payment: {{ invoices|length }} {{ 'invoice' if invoices|length == 1 else 'invoices' }} "
	"from {{ company }}",
	"Friendly": "Friendly reminder: {{ total_outstanding }} is now due",
	"Firm": "Overdue: {{ total_outstanding }} from {{ company }}",
	"Urgent": "Urgent: {{ total_outstanding }} is {{ days_overdue }} days overdue",
	"Final": "Final notice before escalation: {{ total_outstanding }}",
}

DEFAULT_OPENINGS = {
	"Polite": "this is a courtesy note that {{ 'the invoice below falls' if invoices|length == 1 else "
	"'the invoices below fall' }} due soon.",
	"Friendly": "a quick reminder that {{ 'the invoice below is' if invoices|length == 1 else "
	"'the invoices below are' }} now due.",
	"Firm": "our records show {{ 'the invoice below is' if invoices|length == 1 else "
	"'the invoices below are' }} overdue. Please arrange payment.",
	"Urgent": "{{ 'the invoice below is' if invoices|length == 1 else 'the invoices below are' }} "
	"seriously overdue. Please pay today or tell us when you will.",
	"Final": "despite our reminders {{ 'the invoice below remains' if invoices|length == 1 else "
	"'the invoices below remain' }} unpaid. Without payment or a reply "
	"within 7 days the account will be placed on hold.",
}

INTEREST_LINE = """{% if interest_due or fees_due %}<p>Late-payment charges to date, under our terms and the law:
{% if interest_due %}interest {{ interest_due }}{% endif %}{% if interest_due and fees_due %}, {% endif %}
{% if fees_due %}fixed compensation {{ fees_due }}{% endif %}.</p>{% endif %}
"""
"""The optional line of the shipped email wording: shown only when a late-payment policy puts a figure
on the reminder's invoices."""

INTEREST_SMS = "{% if interest_due %} Interest: {{ interest_due }}.{% endif %}{% if fees_due %} Fee: {{ fees_due }}.{% endif %}"

PAY_ONLINE_CELL = """
{% if inv.pay_online_link %}<a href="{{ inv.pay_online_link }}">Pay online</a>{% endif %}"""
"""Beside each amount in the shipped email wording: the gateway's page to pay that invoice, when a gateway
serves it (:mod:`optimar_erp.portal.gateway`)."""

PAY_SMS = (
	"{% if pay_online_link %} Pay online: {{ pay_online_link }}"
	"{% elif payment_link %} Pay: {{ payment_link }}{% endif %}"
)
"""The shipped SMS and WhatsApp wording's link: the gateway's page when the reminder is about one invoice a
gateway serves, else the customer's page."""

DEFAULT_BODY = (
	"""<p>Dear {{ customer_name }},</p>
<p>{{ opening }}</p>
{% for title, rows in [("Overdue", overdue_invoices), ("Coming due", upcoming_invoices)] if rows %}
{% if overdue_invoices and upcoming_invoices %}<p><b>{{ title }}</b></p>{% endif %}
<table border="1" cellpadding="4" style="border-collapse: collapse">
<tr><th>Invoice</th><th>Due date</th><th>Days overdue</th><th>Outstanding</th></tr>
{% for inv in rows %}<tr><td>{{ inv.name }}</td><td>{{ inv.due_date }}</td>
<td>{{ inv.days_overdue if inv.days_overdue > 0 else "-" }}</td><td>{{ inv.outstanding }}"""
	+ PAY_ONLINE_CELL
	+ """</td></tr>
{% endfor %}</table>
{% endfor %}
<p>Total: <b>{{ total_outstanding }}</b></p>
{% if credit_on_account %}<p>We have also received {{ credit_on_account }} from you that is not yet matched to
invoices; taking it into account, <b>{{ balance_due }}</b> remains due on the invoices above.</p>{% endif %}
"""
	+ INTEREST_LINE
	+ """{% if payment_link %}<p><a href="{{ payment_link }}">Pay now, or tell us when you will</a></p>{% endif %}
{% if upi_link %}<p>UPI: <a href="{{ upi_link }}">{{ upi_link }}</a></p>{% endif %}
{% if portal_link and portal_link != payment_link %}<p><a href="{{ portal_link }}">Your account: invoices, statement, promise to pay or query</a></p>{% endif %}
<p>If you have already paid, thank you, and please ignore this message. If something on the invoice
is wrong, reply and tell us; we will put the reminder on hold while we sort it out. If you would rather
not receive these reminders, reply and say so.</p>
<p>{{ company }}</p>"""
)

DEFAULT_SMS = (
	"{{ company }}: {{ total_outstanding }} on {{ invoices|length }} "
	"{{ 'invoice' if invoices|length == 1 else 'invoices' }} is "
	"{% if days_overdue > 0 %}{{ days_overdue }} days overdue{% else %}due soon{% endif %}."
	+ INTEREST_SMS
	+ PAY_SMS
)


def default_subject(tone: str) -> str:
	return DEFAULT_SUBJECTS.get(tone or "Polite", DEFAULT_SUBJECTS["Polite"])


def default_message(tone: str, channel: str) -> str:
	if channel in ("SMS", "WhatsApp"):
		return DEFAULT_SMS
	return DEFAULT_BODY.replace(
		"{{ opening }}", DEFAULT_OPENINGS.get(tone or "Polite", DEFAULT_OPENINGS["Polite"])
	)


_TEMPLATES = None


def _environment():
	"""A Jinja environment that knows only the reminder's context and Jinja's own filters.

	Not Frappe's: its sandbox hands templates ``frappe.db.sql``, ``get_doc(...).insert``, ``sendmail``
	and ``make_post_request``, and a template here is written by a Collections Manager and rendered by
	the scheduler as Administrator. The immutable sandbox also refuses attribute tricks and changes to
	the context's lists and dicts."""
	global _TEMPLATES
	if _TEMPLATES is None:
		from jinja2.sandbox import ImmutableSandboxedEnvironment

		_TEMPLATES = ImmutableSandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
		_TEMPLATES.globals.clear()
	return _TEMPLATES


def render(template: str, context: dict) -> str:
	"""Render a reminder template with ``context`` only, raising the template's own error."""
	return _environment().from_string(template).render(context)


def template_error(template: str | None) -> str | None:
	"""The error a template raises when rendered with sample data, or None if it renders."""
	if not template:
		return None
	try:
		render(template, SAMPLE_CONTEXT)
	except Exception as e:
		return f"{type(e).__name__}: {e}"
	return None


def build_context(
	customer_name: str,
	company: str,
	currency: str,
	invoices: list[dict],
	tone: str,
	upi_link: str = "",
	html: bool = True,
	signed_link: str = "",
	include_payment_link: bool = False,
	language: str | None = None,
	credit: float = 0.0,
	interest_due: float = 0.0,
	fees_due: float = 0.0,
	gateway_links: dict[str, str] | None = None,
) -> dict:
	"""The variables a reminder template sees. ``invoices``: name, posting_date, due_date,
	grand_total, outstanding, days_overdue (plain values; formatted here, in the customer's
	``language`` when it is not the site's). Names are HTML-escaped for HTML messages (email, letter).
	``signed_link``: the customer's signed portal link, made before rendering (rendering writes nothing);
	without one the reminder points to ERPNext's invoice list, which needs a login. ``credit``: what
	the customer paid or was credited in this currency that no invoice absorbed yet (shown, and taken off
	the balance due). ``interest_due``, ``fees_due``: late-payment interest and fixed compensation due and
	not yet charged or waived (:mod:`optimar_erp.dunning.interest`); "" in the template when none.
	``gateway_links``: the gateway's URL to pay each invoice online (:mod:`optimar_erp.portal.gateway`), made
	before rendering like the signed link; each invoice's ``pay_online_link``, and ``pay_online_link`` itself
	when the reminder is about one invoice ("" otherwise: the customer's page has a Pay for each)."""
	total = sum(inv["outstanding"] for inv in invoices)
	text = escape_html if html else str
	signed = signed_link
	online = (gateway_links or {}) if include_payment_link else {}
	date_of, money_of = formatters(language, frappe.get_cached_value("Company", company, "country"))
	shown = [
		{
			**inv,
			"posting_date": date_of(inv.get("posting_date")),
			"due_date": date_of(inv.get("due_date")),
			"grand_total": money_of(inv.get("grand_total"), currency),
			"outstanding": money_of(inv["outstanding"], currency),
			"pay_online_link": text(online.get(inv["name"], "")),
		}
		for inv in invoices
	]
	return {
		"customer_name": text(customer_name),
		"company": text(company),
		"currency": currency,
		"total_outstanding": money_of(total, currency),
		"credit_on_account": money_of(credit, currency) if flt(credit) > AMOUNT_TOLERANCE else "",
		"balance_due": money_of(max(total - flt(credit), 0.0), currency),
		"days_overdue": max((inv["days_overdue"] for inv in invoices), default=0),
		# the one payment path that opens for the recipient: their signed page (pay online where a
		# gateway is set up, bank or UPI details, promise a date); no link, no Pay button
		"payment_link": signed if include_payment_link else "",
		"pay_online_link": shown[0]["pay_online_link"] if len(shown) == 1 else "",
		"portal_link": signed or get_url("/invoices"),
		"upi_link": upi_link,
		"interest_due": money_of(interest_due, currency) if flt(interest_due) > 0.005 else "",
		"fees_due": money_of(fees_due, currency) if flt(fees_due) > 0.005 else "",
		"tone": tone,
		"invoices": shown,
		# a customer's grouped email lists what is overdue apart from what is coming due
		"overdue_invoices": [inv for inv in shown if inv["days_overdue"] > 0],
		"upcoming_invoices": [inv for inv in shown if inv["days_overdue"] <= 0],
	}


def formatters(language: str | None, country: str | None = None):
	"""(date, money) formatting for a customer writing ``language``, billed by a company in ``country``:
	the site's own formats (System Settings) when both are the site's (or unset); otherwise the
	conventions of that language in that country (CLDR, through babel), so a German customer reads
	11.09.2026 and 1.234,56 €, and the Indian company of a US site writes 26-Nov-2026 and ₹1,23,456.50,
	never 11-26-2026."""
	site = (frappe.db.get_default("lang") or "en").split("-")[0].lower()
	tag = None
	if language and language.split("-")[0].lower() != site:
		tag = language.replace("-", "_")
	elif country and country != frappe.db.get_single_value("System Settings", "country"):
		code = frappe.db.get_value("Country", country, "code")
		if code:
			tag = f"{(language or site).split('-')[0]}_{code.upper()}"
	locale = None
	if tag:
		from babel import Locale, UnknownLocaleError

		try:
			locale = Locale.parse(tag)
		except (ValueError, UnknownLocaleError):
			locale = None
	if locale is None:
		return (lambda value: formatdate(value)), (
			lambda amount, currency: fmt_money(amount, currency=currency)
		)
	from babel.dates import format_date
	from babel.numbers import format_currency

	return (
		lambda value: format_date(getdate(value), format="medium", locale=locale) if value else "",
		lambda amount, currency: format_currency(flt(amount), currency, locale=locale),
	)


def describe_step(step) -> str:
	sign = "+" if step.offset_days > 0 else ""
	return _("row {0} ({1}{2} days, {3})").format(step.idx, sign, step.offset_days, _(step.channel))


THANK_YOU_SUBJECT = "Thank you for your payment"
THANK_YOU_BODY = """<p>Dear {{ customer_name }},</p>
<p>Thank you: we have received your payment for {{ invoices|map(attribute='name')|join(', ') }}.
Your account is up to date for these invoices.</p>
<p>{{ company }}</p>"""
