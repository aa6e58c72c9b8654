"""Risk alerts on a site: the engine picks them, this sends them to people and logs them.

Each alert is a Collection Activity ("Risk Alert", with its reason) and a Desk notification to the
customer's collector and the Collections Managers. The engine's cooldown reads the alerts of the last
7 days, and the activity's idempotency key (customer, reason, day) makes a second run the same day
write nothing.
"""

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_days, fmt_money, getdate

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.engine.risk.alerts import AlertConfig, detect_alerts
from optimar_erp.queries.activities import activity_exists, risk_alerts_since
from optimar_erp.queries.ledger import get_invoices
from optimar_erp.queries.promises import broken_promises_since
from optimar_erp.queries.users import collections_managers

BROKEN_PROMISE_LOOKBACK_DAYS = 180
WINDOW_DAYS = 7
REASON_LABELS = {
	"band_worsened": "Band Worsened",
	"overdue_spike": "Overdue Spike",
	"second_broken_promise": "Second Broken Promise",
	"predicted_late_large": "Predicted Late Large Invoice",
}
REASON_CODES = {label: code for code, label in REASON_LABELS.items()}


def config_from(settings) -> AlertConfig:
	large = settings.get("alert_large_invoice_amount")
	return AlertConfig(
		min_band=settings.get("alert_min_band") or "High",
		late_threshold=(settings.get("alert_late_probability") or 60) / 100,
		large_amount=float(large) if large else None,
		spike_percent=float(settings.get("alert_overdue_spike_percent") or 0),
		spike_min_amount=float(settings.get("alert_overdue_spike_amount") or 0),
		ahead_min=int(settings.get("alert_days_ahead_min") or 0),
		ahead_max=int(settings.get("alert_days_ahead_max") or 0),
		cooldown_days=WINDOW_DAYS,
	)


def raise_alerts(company, customers, bands_before, open_, preds, as_of, settings) -> int:
	"""Detect and send today's alerts for the company's customers; returns how many were raised."""
	as_of = getdate(as_of)
	table = customers[["customer", "band", "overdue_amount"]].rename(
		columns={"band": "band_now", "overdue_amount": "overdue_now"}
	)
	table["band_before"] = table["customer"].map(bands_before).fillna("")
	table["overdue_before"] = table["customer"].map(_overdue_on(company, add_days(as_of, -WINDOW_DAYS)))
	table["overdue_before"] = table["overdue_before"].fillna(0.0)
	broken = _broken_promises(list(table["customer"]), as_of)
	table["broken_promises"] = table["customer"].map(broken["total"]).fillna(0)
	table["broken_in_window"] = table["customer"].map(broken["recent"]).fillna(0)
	invoices = None
	if preds is not None and len(preds):
		invoices = open_[["invoice", "customer", "due_date", "outstanding"]].assign(
			late_probability=preds["late_probability"].reindex(open_.index).to_numpy()
		)
	alerts = detect_alerts(table, invoices, as_of, config_from(settings), recent=_recent(as_of))
	if alerts.empty:
		return 0
	names = frappe.get_all(
		"Customer",
		{"name": ("in", list(alerts["customer"]))},
		["name", "customer_name", "collector"],
	)
	info = {c.name: c for c in names}
	currency = frappe.get_cached_value("Company", company, "default_currency")
	managers = collections_managers()
	raised = 0
	for row in alerts.itertuples(index=False):
		customer = info.get(row.customer)
		if not customer:
			continue
		if _send(company, currency, row, customer, managers, as_of):
			raised += 1
	return raised


def _overdue_on(company: str, day) -> pd.Series:
	"""Overdue amount per customer at the end of ``day`` (the ledger as it stood then)."""
	inv = get_invoices(company, day)
	if inv.empty:
		return pd.Series(dtype=float)
	overdue = inv[
		(pd.to_datetime(inv["due_date"]) < pd.Timestamp(day)) & (inv["outstanding"] > AMOUNT_TOLERANCE)
	]
	return overdue.groupby("customer")["outstanding"].sum()


def _broken_promises(customers: list[str], as_of) -> dict[str, dict]:
	if not customers:
		return {"total": {}, "recent": {}}
	rows = broken_promises_since(customers, add_days(as_of, -BROKEN_PROMISE_LOOKBACK_DAYS))
	recent_from = getdate(add_days(as_of, -WINDOW_DAYS))
	total: dict[str, int] = {}
	recent: dict[str, int] = {}
	for r in rows:
		total[r.customer] = total.get(r.customer, 0) + 1
		if getdate(r.broken_on) > recent_from:
			recent[r.customer] = recent.get(r.customer, 0) + 1
	return {"total": total, "recent": recent}


def _recent(as_of) -> pd.DataFrame:
	rows = risk_alerts_since(add_days(as_of, -WINDOW_DAYS))
	return pd.DataFrame(
		{
			"customer": [r.customer for r in rows],
			"reason": [REASON_CODES.get(r.alert_reason, "") for r in rows],
			"date": [getdate(r.creation) for r in rows],
		}
	)


def describe(row, customer, currency) -> str:
	"""The alert in words, for the notification and the activity."""
	name = customer.customer_name or customer.name
	if row.reason == "band_worsened":
		return _("{0}: risk band worsened ({1}); overdue {2}").format(
			name, row.detail, fmt_money(row.amount, currency=currency)
		)
	if row.reason == "overdue_spike":
		before, _sep, now = row.detail.partition(" → ")
		return _("{0}: overdue amount jumped from {1} to {2} in a week").format(
			name, before, fmt_money(row.amount, currency=currency)
		)
	if row.reason == "second_broken_promise":
		return _("{0}: another promise to pay was broken ({1})").format(name, row.detail)
	return _("{0}: {1} of {2} is predicted to be paid late ({3})").format(
		name, row.invoice, fmt_money(row.amount, currency=currency), row.detail
	)


def _send(company, currency, row, customer, managers, as_of) -> bool:
	key = f"risk-alert:{row.customer}:{row.reason}:{as_of}"
	if activity_exists(key):
		return False
	text = describe(row, customer, currency)
	activity = frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": "Risk Alert",
			"status": "Done",
			"customer": row.customer,
			"company": company,
			"sales_invoice": row.invoice or None,
			"alert_reason": REASON_LABELS[row.reason],
			"subject": text,
			"amount": row.amount,
			"currency": currency,
			"idempotency_key": key,
		}
	)
	activity.insert(ignore_permissions=True)
	users = sorted({u for u in [customer.collector, *managers] if u})
	if users:
		from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification

		enqueue_create_notification(
			users,
			{
				"type": "Alert",
				"document_type": "Sales Invoice" if row.invoice else "Customer",
				"document_name": row.invoice or row.customer,
				"subject": text,
				"email_content": text,
			},
		)
	return True
