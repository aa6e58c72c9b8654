"""Credit advice on a site: the engine's recommended limit, written beside ERPNext's credit limit.

The advice is only shown; ERPNext's limit (Customer → Credit Limits) changes only when a user applies it
with :func:`apply_credit_limit`, which logs who did it.
"""

import pandas as pd

import frappe
from frappe import _
from frappe.utils import flt, fmt_money, getdate

from optimar_erp.engine.risk.credit import CreditConfig, credit_advice
from optimar_erp.writes import bulk_update


def write_credit_advice(company, history, preds, customers, as_of, settings) -> pd.DataFrame:
	"""Compute the company's advice and store it on its customers (figures and reasoning in words)."""
	table = history.copy()
	if preds is not None and len(preds):
		table["predicted_days"] = preds["predicted_days"].reindex(table.index)
	config = CreditConfig(months=int(settings.get("credit_advice_months") or 6))
	advice = credit_advice(table, getdate(as_of), customers[["customer", "band"]], config)
	currency = frappe.get_cached_value("Company", company, "default_currency")
	limits = _current_limits(company, list(advice["customer"]))
	texts = [reasoning(row, currency, limits.get(row.customer), config.months) for row in advice.itertuples()]
	bulk_update(
		"Customer",
		list(advice["customer"]),
		{
			"recommended_credit_limit": [flt(x) if x == x else 0 for x in advice["recommended_limit"]],
			"credit_advice": texts,
			"credit_advice_company": [company] * len(advice),
		},
	)
	return advice


def _current_limits(company: str, customers: list[str]) -> dict[str, float]:
	ccl = frappe.qb.DocType("Customer Credit Limit")
	rows = (
		frappe.qb.from_(ccl)
		.select(ccl.parent, ccl.credit_limit)
		.where((ccl.parenttype == "Customer") & (ccl.company == company))
		.where(ccl.parent.isin(customers or [""]))
		.run()
	)
	return {r[0]: flt(r[1]) for r in rows}


def reasoning(row, currency: str, current: float | None, months: int) -> str:
	"""The advice in words: the figures that lead to the recommended limit."""
	if row.status != "ok":
		return _("Not enough history: {0} invoices in the last {1} months.").format(row.invoices, months)
	text = _(
		"Billed about {0} a month over the last {1} months and takes {2} days to pay on average, so it "
		"usually owes about {3}. Risk band {4}: × {5}. Recommended limit {6}."
	).format(
		fmt_money(row.monthly_billing, currency=currency),
		months,
		flt(row.days_to_pay, 0),
		fmt_money(row.usual_exposure, currency=currency),
		_(row.band or "Low"),
		row.band_factor,
		fmt_money(row.recommended_limit, currency=currency),
	)
	if current:
		text += " " + _("Current limit {0}.").format(fmt_money(current, currency=currency))
	else:
		text += " " + _("No credit limit is set in ERPNext.")
	return text


@frappe.whitelist()
def apply_credit_limit(customer: str, company: str, credit_limit: float) -> float:
	"""Set ERPNext's credit limit of ``customer`` for ``company`` (a user's decision; logged)."""
	credit_limit = flt(credit_limit)
	if credit_limit <= 0:
		frappe.throw(_("The credit limit must be greater than zero."), title=_("Invalid Credit Limit"))
	if not frappe.db.exists("Company", company):
		frappe.throw(_("Company {0} does not exist").format(company))
	doc = frappe.get_doc("Customer", customer)
	doc.check_permission("write")
	row = next((r for r in doc.credit_limits if r.company == company), None)
	before = flt(row.credit_limit) if row else 0.0
	if row:
		row.credit_limit = credit_limit
	else:
		doc.append("credit_limits", {"company": company, "credit_limit": credit_limit})
	doc.save()
	frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Note",
			"status": "Done",
			"customer": customer,
			"company": company,
			"subject": _("Credit limit changed from {0} to {1} following the credit advice").format(
				before, credit_limit
			),
			"amount": credit_limit,
			"currency": frappe.get_cached_value("Company", company, "default_currency"),
		}
	).insert(ignore_permissions=True)
	return credit_limit
