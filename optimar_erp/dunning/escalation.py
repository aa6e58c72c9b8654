"""Behaviour-driven escalation on a site: customer aggregates → engine → tasks, alerts, holds."""

import frappe
from frappe import _
from frappe.utils import fmt_money, getdate

from optimar_erp.dunning.channels import alert_managers, create_call_task
from optimar_erp.engine.escalation import DEFAULT_RULES, EscalationRule, decide_escalations
from optimar_erp.queries.customers import customer_positions
from optimar_erp.queries.users import collections_managers


def configured_rules(settings=None) -> tuple:
	"""The escalation rules of Collections Settings, or the engine's defaults when none are set."""
	settings = settings or frappe.get_cached_doc("Collections Settings")
	if not settings.escalation_rules:
		return DEFAULT_RULES
	rules = []
	for row in settings.escalation_rules:
		try:
			rules.append(
				EscalationRule(
					level=row.level,
					min_days_overdue=row.min_days_overdue or None,
					min_broken_promises=row.min_broken_promises or None,
					min_overdue_amount=row.min_overdue_amount or None,
					risk_bands=frozenset(b.strip() for b in (row.risk_bands or "").split(",") if b.strip()),
					match=(row.match or "Any").lower(),
				)
			)
		except ValueError as e:
			frappe.throw(_("Escalation rule {0}: {1}").format(row.idx, e), title=_("Escalation Rules"))
	return tuple(rules)


def escalate(company: str | None = None) -> list[dict]:
	"""Decide and carry out the escalations due today; returns what was done."""
	positions = customer_positions(company)
	if positions.empty:
		return []
	decisions = decide_escalations(positions, configured_rules())
	done = []
	for row in decisions.itertuples(index=False):
		amount = float(positions.loc[positions["customer"] == row.customer, "overdue_amount"].iloc[0])
		_act(row, amount)
		done.append({"customer": row.customer, "level": row.to_level, "action": row.action})
	return done


def _act(row, overdue: float) -> None:
	customer = frappe.db.get_value(
		"Customer",
		row.customer,
		["customer_name", "collector", "account_manager", "default_currency"],
		as_dict=True,
	)
	description = _("{0}: {1} ({2})").format(_(row.to_level), customer.customer_name, row.reason)
	managers = collections_managers()
	assignee = {
		"call_task": customer.collector,
		"review_task": customer.account_manager or customer.collector,
		"approval_request": managers[0] if managers else customer.collector,
	}.get(row.action)
	if assignee:
		create_call_task(assignee, ("Customer", row.customer), description, getdate())
	if row.action in ("approval_request", "hold"):
		alert_managers(row.customer, description)
	values = {"escalation_level": row.to_level}
	if row.action == "hold":
		values.update(
			{
				"collections_hold": 1,
				"collections_hold_reason": _("{0}; {1} overdue").format(
					row.reason, fmt_money(overdue, currency=customer.default_currency)
				),
			}
		)
	frappe.db.set_value("Customer", row.customer, values)
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Hold" if row.action == "hold" else "Escalation",
			"status": "Done",
			"customer": row.customer,
			"escalation_action": row.to_level,
			"message": description,
			"reason": row.reason,
			"amount": overdue,
		}
	).insert(ignore_permissions=True)
