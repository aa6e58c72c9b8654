"""Post-dated cheques carried by a promise to pay.

* While a cheque is *Pending*, its promise stays open (and its invoices' reminders paused) until the
  cheque date plus its clearing days: :func:`hold_until` moves the promise's date for the evaluation.
* On the cheque date its collector (else a Collections Manager) gets a "deposit" ToDo (:func:`deposit_tasks`,
  daily).
* A submitted Payment Entry of the customer whose reference number is the cheque number clears it
  (:func:`on_payment_submit`); the promise is then judged on that payment as on any other.
* A bounce — recorded on the cheque (:func:`mark_bounced`) or the cheque's Payment Entry cancelled
  (:func:`on_payment_cancel`) — breaks the promise (reminders resume), alerts the collector and the
  managers, and, when asked, charges the bounce fee of the customer's Late Payment Policy. A broken promise
  counts where broken promises count (escalation, risk alerts, the worklist).
"""

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate, today

from optimar_erp.constants import CHEQUE_BOUNCED, CHEQUE_CLEARED, CHEQUE_PENDING, PROMISE_BROKEN
from optimar_erp.dunning import channels, interest
from optimar_erp.dunning.state import refresh_collection_state
from optimar_erp.setup.roles import COLLECTIONS_MANAGER, COLLECTOR


class ChequeError(frappe.ValidationError):
	"""A cheque that cannot be recorded or changed as asked."""


# ------------------------------------------------------------------------------------------ reads


def hold_until(promises: list[str]) -> dict:
	"""Per promise, the latest cheque date + clearing days of its pending or cleared cheques: the date the
	promise is judged against (a cheque paid in its window keeps the promise)."""
	if not promises:
		return {}
	rows = frappe.get_all(
		"Post Dated Cheque",
		filters={"promise_to_pay": ("in", promises), "status": ("in", (CHEQUE_PENDING, CHEQUE_CLEARED))},
		fields=["promise_to_pay", "cheque_date", "clearing_days"],
	)
	out: dict = {}
	for r in rows:
		until = getdate(add_days(r.cheque_date, int(r.clearing_days or 0)))
		out[r.promise_to_pay] = max(out.get(r.promise_to_pay, until), until)
	return out


def bounced_promises(promises: list[str]) -> dict:
	"""Per promise with a bounced cheque, the day it bounced (first)."""
	if not promises:
		return {}
	rows = frappe.get_all(
		"Post Dated Cheque",
		filters={"promise_to_pay": ("in", promises), "status": CHEQUE_BOUNCED},
		fields=["promise_to_pay", "bounced_on"],
		order_by="bounced_on",
	)
	out: dict = {}
	for r in rows:
		out.setdefault(r.promise_to_pay, getdate(r.bounced_on))
	return out


def invoices_of(cheque) -> list[str]:
	rows = cheque.get("invoices") or []
	if rows:
		return [r.sales_invoice for r in rows]
	return frappe.get_all(
		"Promise To Pay Invoice",
		filters={"parent": cheque.promise_to_pay, "parenttype": "Promise To Pay"},
		pluck="sales_invoice",
	)


def _matching(customer: str, cheque_no: str, statuses: tuple[str, ...]) -> list[str]:
	if not cheque_no:
		return []
	return frappe.get_all(
		"Post Dated Cheque",
		filters={"customer": customer, "cheque_no": cheque_no.strip(), "status": ("in", statuses)},
		pluck="name",
	)


# ------------------------------------------------------------------------------------------- acts


def deposit_tasks(on=None) -> list[str]:
	"""A "deposit" ToDo for each pending cheque whose date has come and has none yet; returns the cheques."""
	on = getdate(on or today())
	due = frappe.get_all(
		"Post Dated Cheque",
		filters={"status": CHEQUE_PENDING, "cheque_date": ("<=", on), "deposit_task": ("is", "not set")},
		fields=["name", "customer", "cheque_no", "bank", "amount", "currency", "cheque_date"],
	)
	done = []
	for cheque in due:
		assignee = frappe.db.get_value("Customer", cheque.customer, "collector") or channels.first_manager()
		if not assignee:
			continue
		description = _("Deposit cheque {0} ({1}) of {2} for {3} {4}, dated {5}").format(
			cheque.cheque_no, cheque.bank, cheque.customer, cheque.currency, cheque.amount, cheque.cheque_date
		)
		todo = channels.create_call_task(assignee, ("Post Dated Cheque", cheque.name), description, on)
		frappe.db.set_value("Post Dated Cheque", cheque.name, "deposit_task", todo)
		done.append(cheque.name)
	return done


def on_payment_submit(payment) -> list[str]:
	"""The customer's Payment Entry with a pending cheque's number clears it."""
	names = _matching(payment.party, payment.reference_no, (CHEQUE_PENDING,))
	for name in names:
		frappe.db.set_value(
			"Post Dated Cheque", name, {"status": CHEQUE_CLEARED, "payment_entry": payment.name}
		)
	return names


def on_payment_cancel(payment) -> list[str]:
	"""Cancelling the Payment Entry of a cleared cheque (the bank returned it) is a bounce."""
	names = frappe.get_all(
		"Post Dated Cheque", filters={"payment_entry": payment.name, "status": CHEQUE_CLEARED}, pluck="name"
	)
	for name in names:
		bounce(name, _("Payment Entry {0} was cancelled").format(payment.name))
	return names


def bounce(name: str, reason: str, charge_fee: bool = False) -> dict:
	"""Record a bounce: the promise is broken, reminders resume, the collector and managers hear of it,
	the policy's bounce fee is charged when asked."""
	cheque = frappe.get_doc("Post Dated Cheque", name)
	if cheque.status == CHEQUE_BOUNCED:
		return {"cheque": name, "journal_entry": cheque.bounce_fee_entry}
	if cheque.status not in (CHEQUE_PENDING, CHEQUE_CLEARED):
		raise ChequeError(
			_("Cheque {0} is {1}: it cannot bounce.").format(cheque.cheque_no, _(cheque.status))
		)
	on = getdate(today())
	journal_entry = _bounce_fee(cheque, on) if charge_fee else None
	cheque.db_set(
		{
			"status": CHEQUE_BOUNCED,
			"bounced_on": on,
			"bounce_reason": reason,
			"bounce_fee_entry": journal_entry,
		}
	)
	frappe.db.set_value(
		"Promise To Pay",
		cheque.promise_to_pay,
		{"status": PROMISE_BROKEN, "broken_on": on},
		update_modified=True,
	)
	description = _("Cheque {0} ({1}, {2} {3}) bounced: {4}. Promise {5} is broken.").format(
		cheque.cheque_no, cheque.bank, cheque.currency, cheque.amount, reason, cheque.promise_to_pay
	)
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Cheque Bounced",
			"status": "Done",
			"customer": cheque.customer,
			"company": cheque.company,
			"invoices": ", ".join(invoices_of(cheque)),
			"amount": cheque.amount,
			"currency": cheque.currency,
			"reference_doctype": "Post Dated Cheque",
			"reference_name": cheque.name,
			"reason": reason,
			"message": description,
		}
	).insert(ignore_permissions=True)
	collector = frappe.db.get_value("Customer", cheque.customer, "collector")
	if collector:
		channels.create_call_task(collector, ("Post Dated Cheque", cheque.name), description, on)
	channels.alert_managers(cheque.customer, description)
	refresh_collection_state(invoices_of(cheque))
	return {"cheque": name, "journal_entry": journal_entry}


def _bounce_fee(cheque, on) -> str:
	from erpnext.accounts.party import get_party_account

	policy_name = interest.policy_name_for(cheque.customer, cheque.company)
	fee = flt(frappe.db.get_value("Late Payment Policy", policy_name, "bounce_fee")) if policy_name else 0
	if fee <= 0:
		raise ChequeError(
			_("No bounced-cheque fee is set in a Late Payment Policy of {0} for {1}.").format(
				cheque.company, cheque.customer
			)
		)
	income = frappe.db.get_value("Late Payment Policy", policy_name, "income_account")
	cost_center = frappe.get_cached_value("Company", cheque.company, "cost_center")
	je = frappe.get_doc(
		{
			"doctype": "Journal Entry",
			"voucher_type": "Journal Entry",
			"company": cheque.company,
			"posting_date": on,
			"user_remark": _("Bounced cheque {0} ({1}) fee").format(cheque.cheque_no, cheque.name),
			"accounts": [
				{
					"account": get_party_account("Customer", cheque.customer, cheque.company),
					"party_type": "Customer",
					"party": cheque.customer,
					"debit_in_account_currency": fee,
					"cost_center": cost_center,
				},
				{"account": income, "credit_in_account_currency": fee, "cost_center": cost_center},
			],
		}
	)
	je.flags.ignore_permissions = True
	je.insert()
	je.submit()
	return je.name


@frappe.whitelist(methods=["POST"])
def mark_bounced(cheque: str, reason: str, charge_fee: int = 0) -> dict:
	"""The bank returned the cheque: a collector or manager records it, with the bank's reason."""
	frappe.only_for((COLLECTOR, COLLECTIONS_MANAGER, "System Manager"))
	frappe.has_permission("Post Dated Cheque", "write", cheque, throw=True)
	if not (reason or "").strip():
		raise ChequeError(_("Give the bank's reason for the bounce."))
	if int(charge_fee or 0) and not {COLLECTIONS_MANAGER, "System Manager"} & set(frappe.get_roles()):
		raise frappe.PermissionError(_("Only a Collections Manager charges the bounce fee."))
	return bounce(cheque, reason.strip(), bool(int(charge_fee or 0)))
