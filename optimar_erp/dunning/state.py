"""Keep each Sales Invoice's collection state in step with payments, credit notes and reminders."""

import frappe
from frappe.utils import getdate

from optimar_erp.engine.sequences import collection_states
from optimar_erp.queries import open_invoices
from optimar_erp.queries.disputes import open_disputes_table
from optimar_erp.queries.invoices import invoices_on_hold, state_inputs
from optimar_erp.queries.promises import open_promises_table


def refresh_collection_state(invoices: list[str]) -> dict[str, str]:
	"""Recompute and store the state of these invoices in a handful of queries; returns it."""
	invoices = sorted({name for name in invoices if name})
	if not invoices:
		return {}
	frame = state_inputs(invoices)
	cancelled = set(frame.loc[frame["docstatus"] == 2, "invoice"])
	frame = frame[frame["docstatus"] == 1]
	states = collection_states(
		frame,
		getdate(),
		reminded=set(frame.loc[frame["reminded"].fillna("") != "", "invoice"]),
		written_off=set(frame.loc[frame["write_off"].fillna(0) > 0, "invoice"]),
		escalated=invoices_on_hold(frame["invoice"].tolist()),
		disputed=set(open_disputes_table(invoices=frame["invoice"].tolist())["invoice"]),
		promised=set(open_promises_table(invoices=frame["invoice"].tolist())["invoice"]),
	).to_dict()
	for name in cancelled:
		states[name] = ""
	si = frappe.qb.DocType("Sales Invoice")
	for state in set(states.values()):
		names = [name for name, s in states.items() if s == state]
		frappe.qb.update(si).set(si.collection_state, state).where(si.name.isin(names)).run()
	open_invoices.fields_changed(list(states))
	return states
