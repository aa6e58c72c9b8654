"""Late-payment interest and fees in the shell: which policy applies, what is due (shown in reminders and
the portal), and the two deliberate acts on it — Charge (a Journal Entry) and Waive (only a log).

The figures come from :mod:`optimar_erp.engine.interest`. What was charged or waived is kept as
*Collection Activity* rows (type Interest Charged / Interest Waived, ``interest_through`` the last day
they cover, ``amount`` the interest and ``fee_amount`` the fee): the next period starts the day after, and
the fee is settled once. Reads are small functions here, one query each.

Why a Journal Entry and not an interest Sales Invoice: it posts exactly to the policy's income account with
no item, price list or tax template to set up (statutory interest and compensation are outside VAT in the
EU and UK), it is ERPNext's own voucher so the GL and Accounts Receivable show it (its own line, the
customer's receivable debited), cancelling it reverses it, and it is not a Sales Invoice the dunning
engine would remind about or charge interest on again.
"""

import datetime as dt

import frappe
from frappe import _
from frappe.utils import flt, getdate

from optimar_erp.constants import INTEREST_CHARGED as CHARGED
from optimar_erp.constants import INTEREST_WAIVED as WAIVED
from optimar_erp.engine import interest as engine
from optimar_erp.queries.activities import activity_exists, interest_settled
from optimar_erp.queries.invoices import invoice_field, invoices_for_interest
from optimar_erp.setup.roles import COLLECTIONS_MANAGER, COLLECTOR

CHARGERS = (COLLECTIONS_MANAGER, "System Manager")


class InterestPolicyError(frappe.ValidationError):
	"""A late-payment policy, rate table or charge that cannot be used as given."""


# ------------------------------------------------------------------------------------------ reads


def _policies(company: str) -> list[dict]:
	return frappe.get_all(
		"Late Payment Policy",
		filters={"company": company, "enabled": 1},
		fields=["name", "applies_to", "customer_group", "customer"],
	)


def _group_path(customer: str) -> list[str]:
	"""The customer's group and its ancestors, nearest first."""
	group = frappe.db.get_value("Customer", customer, "customer_group")
	if not group:
		return []
	lft, rgt = frappe.db.get_value("Customer Group", group, ["lft", "rgt"])
	return frappe.get_all(
		"Customer Group",
		filters={"lft": ("<=", lft), "rgt": (">=", rgt)},
		order_by="lft desc",
		pluck="name",
	)


def policy_name_for(customer: str, company: str) -> str | None:
	"""The policy that applies: the customer's own, else its nearest group's, else the company's."""
	policies = _policies(company)
	if not policies:
		return None
	for p in policies:
		if p.applies_to == "Customer" and p.customer == customer:
			return p.name
	by_group = {p.customer_group: p.name for p in policies if p.applies_to == "Customer Group"}
	for group in _group_path(customer) if by_group else []:
		if group in by_group:
			return by_group[group]
	return next((p.name for p in policies if p.applies_to == "Company"), None)


def reference_rates(name: str | None) -> list[tuple[dt.date, float]]:
	if not name:
		return []
	rows = frappe.get_all(
		"Reference Interest Rate Row",
		filters={"parent": name, "parenttype": "Reference Interest Rate"},
		fields=["effective_date", "rate"],
		order_by="effective_date",
	)
	return [(getdate(r.effective_date), flt(r.rate)) for r in rows]


def to_engine(policy) -> engine.InterestPolicy:
	"""The engine's policy from a Late Payment Policy document (or its dict)."""
	bands = tuple(
		engine.FeeBand(flt(b.get("debt_below")) or None, flt(b.get("fee")))
		for b in policy.get("fee_bands") or []
	)
	return engine.InterestPolicy(
		method=policy.get("method") or engine.SIMPLE,
		rate_source=policy.get("rate_source") or engine.FIXED,
		fixed_rate=flt(policy.get("fixed_rate")),
		margin=flt(policy.get("margin")),
		multiplier=flt(policy.get("multiplier")) or 1.0,
		grace_days=int(policy.get("grace_days") or 0),
		minimum_interest=flt(policy.get("minimum_interest")),
		fee_bands=bands,
	)


# ------------------------------------------------------------------------------------------- figures


def due_for(invoices: list[str], as_of=None) -> dict[str, engine.InterestDue]:
	"""What each invoice owes in interest and fee for the period not yet charged or waived, by the
	policy of its customer and company (an invoice without a policy is left out)."""
	as_of = getdate(as_of)
	if not invoices or not frappe.db.exists("Late Payment Policy", {"enabled": 1}):
		return {}  # no policy on the site: one read per reminder, nothing more
	rows = invoices_for_interest(invoices)
	done = interest_settled([r.name for r in rows])
	policies: dict[tuple[str, str], str | None] = {}
	out: dict[str, engine.InterestDue] = {}
	for r in rows:
		key = (r.customer, r.company)
		if key not in policies:
			policies[key] = policy_name_for(*key)
		if not policies[key] or flt(r.outstanding_amount) <= 0:
			continue
		policy = frappe.get_cached_doc("Late Payment Policy", policies[key])
		through, fee_settled = done.get(r.name, (None, False))
		try:
			out[r.name] = engine.interest_due(
				to_engine(policy),
				flt(r.outstanding_amount),
				getdate(r.due_date),
				as_of,
				reference_rates(policy.reference_rate) if policy.rate_source == engine.REFERENCE else [],
				charged_through=through,
				fee_settled=fee_settled,
			)
		except engine.InterestError as e:
			raise InterestPolicyError(_("Policy {0}: {1}").format(policy.name, str(e))) from e
	return out


def totals(invoices: list[str], as_of=None) -> tuple[float, float]:
	"""(interest, fees) due on ``invoices`` today: what a reminder and the portal show. A policy that
	cannot give a figure (a missing reference rate) shows nothing and is logged, never stops a reminder."""
	try:
		due = due_for(invoices, as_of)
	except InterestPolicyError:
		frappe.log_error(title=_("Late-payment interest could not be computed"))
		return 0.0, 0.0
	return (
		round(sum(d.interest for d in due.values()), 2),
		round(sum(d.fee for d in due.values()), 2),
	)


def by_currency(rows: list[dict], as_of=None) -> dict[str, tuple[float, float]]:
	"""(interest, fees) due per currency on open invoices ``rows`` (name, currency): the portal's line."""
	names: dict[str, list[str]] = {}
	for row in rows:
		names.setdefault(row["currency"], []).append(row["name"])
	return {currency: totals(invoices, as_of) for currency, invoices in names.items()}


# --------------------------------------------------------------------------------------------- acts


def _check_manager() -> None:
	if not set(CHARGERS) & set(frappe.get_roles()):
		raise frappe.PermissionError(_("Only a Collections Manager can charge or waive interest."))


def _log(invoice: dict, kind: str, due: engine.InterestDue, reason: str, journal_entry: str | None) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Collection Activity",
			"activity_type": kind,
			"status": "Done",
			"customer": invoice["customer"],
			"sales_invoice": invoice["name"],
			"invoices": invoice["name"],
			"company": invoice["company"],
			"amount": due.interest,
			"fee_amount": due.fee,
			"currency": invoice["currency"],
			"interest_through": due.period_to,
			"reason": reason,
			# one charge or waiver per invoice and period end: a second one for the same period fails here
			"idempotency_key": f"interest|{invoice['name']}|{due.period_to}",
			"reference_doctype": "Journal Entry" if journal_entry else None,
			"reference_name": journal_entry,
			"message": _("{0}: interest {1} for {2} to {3} ({4} days), fixed compensation {5}").format(
				_(kind), due.interest, due.period_from, due.period_to, due.days, due.fee
			),
		}
	)
	doc.flags.system_send = True
	doc.insert(ignore_permissions=True)
	return doc.name


def _journal_entry(invoice: dict, policy, due: engine.InterestDue, as_of) -> str:
	"""Debit the customer's receivable, credit the policy's income account; submitted."""
	total = round(due.interest + due.fee, 2)
	cost_center = frappe.get_cached_value("Company", invoice["company"], "cost_center")
	je = frappe.get_doc(
		{
			"doctype": "Journal Entry",
			"voucher_type": "Journal Entry",
			"company": invoice["company"],
			"posting_date": as_of,
			"user_remark": _(
				"Late-payment interest {0} ({1} to {2}) and fixed compensation {3} on {4}"
			).format(due.interest, due.period_from, due.period_to, due.fee, invoice["name"]),
			"accounts": [
				{
					"account": invoice["debit_to"],
					"party_type": "Customer",
					"party": invoice["customer"],
					"debit_in_account_currency": total,
					"cost_center": cost_center,
				},
				{
					"account": policy.income_account,
					"credit_in_account_currency": total,
					"cost_center": cost_center,
				},
			],
		}
	)
	je.flags.ignore_permissions = True
	je.insert()
	je.submit()
	return je.name


def _act(invoices: list[str], kind: str, reason: str = "", as_of=None) -> list[dict]:
	as_of = getdate(as_of)
	if not invoices:
		raise InterestPolicyError(_("Choose at least one invoice."))
	rows = {r.name: r for r in invoices_for_interest(invoices)}
	missing = [name for name in invoices if name not in rows]
	if missing:
		raise InterestPolicyError(_("Not a submitted sales invoice: {0}").format(", ".join(missing)))
	dues = due_for(invoices, as_of)
	done = []
	for name in invoices:
		inv = rows[name]
		due = dues.get(name)
		if due is None:
			raise InterestPolicyError(
				_("No late-payment policy applies to {0} ({1}, {2}).").format(name, inv.customer, inv.company)
			)
		if due.interest <= 0 and due.fee <= 0:
			continue
		if activity_exists(f"interest|{name}|{due.period_to}"):
			continue
		journal_entry = None
		if kind == CHARGED:
			company_currency = frappe.get_cached_value("Company", inv.company, "default_currency")
			if inv.party_account_currency != company_currency or inv.currency != company_currency:
				raise InterestPolicyError(
					_(
						"{0} is in {1}: interest is charged only on invoices in the company's currency {2}."
					).format(name, inv.currency, company_currency)
				)
			policy = frappe.get_cached_doc("Late Payment Policy", policy_name_for(inv.customer, inv.company))
			journal_entry = _journal_entry(inv, policy, due, as_of)
		activity = _log(inv, kind, due, reason, journal_entry)
		done.append(
			{
				"invoice": name,
				"interest": due.interest,
				"fee": due.fee,
				"through": str(due.period_to),
				"journal_entry": journal_entry,
				"activity": activity,
			}
		)
	return done


def _names(invoices) -> list[str]:
	if isinstance(invoices, str):
		invoices = frappe.parse_json(invoices) if invoices.strip().startswith("[") else [invoices]
	return list(dict.fromkeys(str(i) for i in invoices or []))


@frappe.whitelist(methods=["POST"])
def charge(invoices, reason: str = "") -> list[dict]:
	"""Charge the interest and fee due today on ``invoices`` (a name or a JSON list): one submitted
	Journal Entry per invoice; an invoice with nothing new to charge is left alone."""
	_check_manager()
	return _act(_names(invoices), CHARGED, reason or _("Charged by {0}").format(frappe.session.user))


@frappe.whitelist(methods=["POST"])
def waive(invoices, reason: str) -> list[dict]:
	"""Waive the interest and fee due today on ``invoices``: only the log is written."""
	_check_manager()
	if not (reason or "").strip():
		raise InterestPolicyError(_("Say why the interest is waived."))
	return _act(_names(invoices), WAIVED, reason.strip())


@frappe.whitelist()
def preview(invoice: str) -> dict:
	"""Interest and fee due today on one invoice, for the Sales Invoice form."""
	frappe.only_for((*CHARGERS, COLLECTOR, "Accounts Manager", "Accounts User"))
	frappe.has_permission("Sales Invoice", "read", invoice, throw=True)
	due = due_for([invoice]).get(invoice)
	if due is None:
		return {"policy": None}
	customer, company = invoice_field(invoice, ["customer", "company"])
	return {
		"policy": policy_name_for(customer, company),
		"interest": due.interest,
		"fee": due.fee,
		"days": due.days,
		"period_from": due.period_from,
		"period_to": due.period_to,
	}


def charge_for_step(invoices: list[str]) -> None:
	"""A reminder of a step that "adds interest" was sent: charge its invoices (as the system)."""
	names = [name for name, due in due_for(invoices).items() if due.interest > 0 or due.fee > 0]
	if names:
		_act(names, CHARGED, _("Added by a dunning step"))
