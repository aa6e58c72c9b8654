import frappe
from frappe import _
from frappe.utils import fmt_money

from optimar_erp.collections.doctype.dispute.dispute import resolve_by_credit_note
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.queries.invoices import overdue_total


def validate(doc, method=None):
	enforce_collections_hold(doc)


def on_submit(doc, method=None):
	if doc.is_return and doc.return_against:
		resolve_by_credit_note(doc)
	refresh_collection_state(_affected(doc))
	queue_risk_scoring(doc)


def on_cancel(doc, method=None):
	refresh_collection_state(_affected(doc))


def queue_risk_scoring(doc) -> None:
	"""A new invoice gets its late probability and predicted pay date as soon as it is submitted."""
	if doc.is_return or not frappe.db.get_single_value("Collections Settings", "risk_scoring_enabled"):
		return
	if not frappe.db.exists("Risk Model", {"company": doc.company, "status": "Active"}):
		return
	from optimar_erp.risk.jobs import enqueue_invoice_scoring

	enqueue_invoice_scoring(doc.name)


def _affected(doc) -> list[str]:
	"""A credit note changes the invoice it returns against; an invoice changes itself."""
	if doc.is_return:
		return [doc.return_against] if doc.return_against and not doc.update_outstanding_for_self else []
	return [doc.name]


def enforce_collections_hold(doc) -> None:
	"""A customer on collections hold gets no new Sales Order or Sales Invoice, unless the user holds
	the credit controller role of Accounts Settings (logged as an override)."""
	if not doc.is_new() or doc.get("is_return") or not doc.customer:
		return
	hold, reason = frappe.db.get_value(
		"Customer", doc.customer, ["collections_hold", "collections_hold_reason"]
	)
	if not hold:
		return
	overdue = overdue_total(doc.customer)
	controller_role = frappe.db.get_single_value("Accounts Settings", "credit_controller")
	if controller_role and controller_role in frappe.get_roles():
		frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Hold Override",
				"status": "Done",
				"customer": doc.customer,
				"company": doc.company,
				"message": _("{0} overrode the collections hold to create a {1}").format(
					frappe.session.user, _(doc.doctype)
				),
				"reason": reason,
			}
		).insert(ignore_permissions=True)
		return
	frappe.throw(
		_(
			"{0} is on collections hold ({1}); {2} is overdue. Only a {3} can create a {4} for this customer."
		).format(
			frappe.bold(doc.customer),
			reason or _("no reason given"),
			fmt_money(overdue, currency=doc.currency),
			controller_role or _("credit controller"),
			_(doc.doctype),
		),
		title=_("Collections Hold"),
	)
