"""Set-based reads for the reports, the workspace cards and the worklist.

Every figure comes from the engine (:mod:`optimar_erp.engine.analytics`, ``forecast``, ``kpis``) fed by
these queries: the Payment Ledger through :mod:`optimar_erp.data` (the same source as ERPNext's Accounts
Receivable report and the standalone ``optimar analyse``), and a few grouped queries on the app's own
doctypes. Nothing loads documents one by one.
"""

import pandas as pd

import frappe
from frappe.utils import getdate, today

from optimar_erp import data


def default_company() -> str:
	return frappe.defaults.get_user_default("Company") or frappe.db.get_single_value(
		"Global Defaults", "default_company"
	)


def ledger(company: str, as_of=None) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""(invoices, events) of ``company`` at the end of ``as_of``, in the engine's schema."""
	as_of = getdate(as_of or today())
	invoices = data.get_invoices(company, as_of)
	for col in ("posting_date", "due_date", "settled_date"):
		invoices[col] = pd.to_datetime(invoices[col])
	return invoices, data.get_events(company, as_of)


def open_invoices_today(company: str) -> pd.DataFrame | None:
	"""Today's open invoices straight from Sales Invoice (ERPNext keeps ``outstanding_amount`` in step with
	the Payment Ledger), with their risk fields: one indexed query instead of the whole ledger. None when
	some open invoice is in another currency than the company's (then the ledger's amounts are needed)."""
	currency = frappe.get_cached_value("Company", company, "default_currency")
	si = frappe.qb.DocType("Sales Invoice")
	base = (
		frappe.qb.from_(si)
		.where((si.company == company) & (si.docstatus == 1) & (si.is_return == 0))
		.where((si.outstanding_amount > 0.005) | (si.outstanding_amount < -0.005))
	)
	if base.select(si.name).where(si.currency != currency).limit(1).run():
		return None
	rows = base.select(
		si.name,
		si.customer,
		si.customer_name,
		si.posting_date,
		si.due_date,
		si.outstanding_amount,
		si.risk_band,
		si.late_probability,
		si.predicted_pay_date,
		si.collection_state,
	).run()
	frame = pd.DataFrame(
		list(rows),
		columns=[
			"invoice",
			"customer",
			"customer_name",
			"posting_date",
			"due_date",
			"outstanding",
			"risk_band",
			"late_probability",
			"predicted_pay_date",
			"collection_state",
		],
	)
	frame["outstanding"] = frame["outstanding"].astype(float)
	frame["grand_total"] = frame["outstanding"]
	frame["settled_date"] = pd.NaT
	for col in ("posting_date", "due_date"):
		frame[col] = pd.to_datetime(frame[col])
	return frame


def invoice_risk(names: list[str]) -> pd.DataFrame:
	"""Risk and collection fields of these Sales Invoices (indexed by name)."""
	cols = ["risk_band", "late_probability", "predicted_pay_date", "collection_state"]
	if not names:
		return pd.DataFrame(columns=cols)
	si = frappe.qb.DocType("Sales Invoice")
	rows = []
	for start in range(0, len(names), 20_000):
		chunk = names[start : start + 20_000]
		rows += list(
			frappe.qb.from_(si)
			.select(si.name, si.risk_band, si.late_probability, si.predicted_pay_date, si.collection_state)
			.where(si.name.isin(chunk))
			.run()
		)
	return pd.DataFrame(rows, columns=["invoice", *cols]).set_index("invoice")


def open_promises(company: str | None = None) -> pd.DataFrame:
	"""Open promises: customer, promised_date, amount still to pay."""
	ptp = frappe.qb.DocType("Promise To Pay")
	query = (
		frappe.qb.from_(ptp)
		.select(ptp.customer, ptp.promised_date, ptp.promised_amount - ptp.paid_amount)
		.where(ptp.status == "Open")
	)
	if company:
		query = query.where(ptp.company == company)
	frame = pd.DataFrame(list(query.run()), columns=["customer", "promised_date", "amount"])
	frame["amount"] = frame["amount"].astype(float).clip(lower=0)
	return frame
