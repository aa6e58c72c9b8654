"""A collections team's recent work on the benchmark book, for timing the reports that read it.

Ten collectors own the BENCH customers; over the last 90 days they logged calls and notes, obtained
promises (some kept, some broken, some still open) and registered disputes on open invoices. Written in
bulk under BENCH names by :func:`add` and taken out again by :func:`remove` (the customers' collectors put
back), so the other benchmarks on the site find the book as it was.
"""

import datetime as dt
import random

import frappe
from frappe.utils import add_days, getdate, now_datetime, today

from optimar_erp.benchmarks import dunning_run as book

COLLECTORS = 10
CALLS = 15_000
PROMISES = 5_000
DISPUTES = 2_000
USER = "bench.collector{}@example.com"
ACTIVITY_PREFIX, PROMISE_PREFIX, DISPUTE_PREFIX = "BENCH-ACT-", "BENCH-PTP-", "BENCH-DSP-"


def add(company: str, seed: int = 7) -> dict:
	"""Collectors on the BENCH customers and their calls, promises and disputes; returns the counts."""
	remove()
	rng = random.Random(seed)
	users = _collectors()
	customers = frappe.get_all(
		"Customer", filters={"name": ("like", f"{book.CUSTOMER_PREFIX}%")}, pluck="name"
	)
	owner = {name: users[i % len(users)] for i, name in enumerate(sorted(customers))}
	for user in users:
		mine = [name for name, collector in owner.items() if collector == user]
		frappe.db.sql(
			"update `tabCustomer` set collector = %s where name in %s", (user, tuple(mine) or ("",))
		)
	si = frappe.qb.DocType("Sales Invoice")
	invoices = (
		frappe.qb.from_(si)
		.select(si.name, si.customer, si.due_date, si.outstanding_amount, si.currency)
		.where((si.company == company) & (si.docstatus == 1) & (si.outstanding_amount > 0))
		.where(si.name.like(f"{book.INVOICE_PREFIX}%"))
		.run()
	)
	day, now = getdate(today()), now_datetime()
	when = lambda: now - dt.timedelta(days=rng.uniform(0, 90))  # noqa: E731
	calls = []
	for n in range(1, CALLS + 1):
		customer = rng.choice(customers)
		at = when()
		calls.append(
			_base(f"{ACTIVITY_PREFIX}{n:06d}", owner[customer], at)
			| {
				"activity_type": rng.choice(("Call", "Call", "Note")),
				"status": "Done",
				"customer": customer,
				"company": company,
				"channel": "Phone",
				"outcome": rng.choice(("Reached - Will Pay", "Left Message", "No Answer")),
			}
		)
	book._bulk_insert("Collection Activity", calls)
	promises, lines = [], []
	for n, (invoice, customer, due, left, currency) in enumerate(rng.sample(invoices, PROMISES), 1):
		at = when()
		promised = getdate(add_days(at.date(), rng.randint(3, 30)))
		status = "Open" if promised >= day else rng.choice(("Kept", "Kept", "Broken", "Partially Kept"))
		amount = round(float(left) * rng.uniform(0.3, 1), 2)
		paid = {"Kept": amount, "Partially Kept": round(amount / 2, 2)}.get(status, 0.0)
		name = f"{PROMISE_PREFIX}{n:06d}"
		promises.append(
			_base(name, owner[customer], at)
			| {
				"customer": customer,
				"customer_name": customer,
				"company": company,
				"currency": currency,
				"status": status,
				"promised_amount": amount,
				"promised_date": promised,
				"source": "Collector",
				"channel": "Phone",
				"recorded_by": owner[customer],
				"paid_amount": paid,
				"deadline": promised,
				"broken_on": promised if status in ("Broken", "Partially Kept") else None,
			}
		)
		lines.append(
			_base(f"{name}-1", owner[customer], at)
			| {
				"parent": name,
				"parenttype": "Promise To Pay",
				"parentfield": "invoices",
				"sales_invoice": invoice,
				"due_date": due,
				"outstanding": float(left),
			}
		)
	book._bulk_insert("Promise To Pay", promises)
	book._bulk_insert("Promise To Pay Invoice", lines)
	disputes = []
	for n, (invoice, customer, _due, left, currency) in enumerate(rng.sample(invoices, DISPUTES), 1):
		at = when()
		status = rng.choice(("Open", "Open", "Under Review", "Resolved"))
		disputes.append(
			_base(f"{DISPUTE_PREFIX}{n:06d}", owner[customer], at)
			| {
				"sales_invoice": invoice,
				"customer": customer,
				"company": company,
				"currency": currency,
				"disputed_amount": round(float(left) * rng.uniform(0.1, 1), 2),
				"status": status,
				"reason_code": rng.choice(("Pricing", "Quantity", "Quality", "Delivery / POD")),
				"dispute_owner": owner[customer],
				"sla_due_date": getdate(add_days(at.date(), 10)),
				"source": "Collector",
				"description": "Benchmark dispute",
				"resolved_on": getdate(add_days(at.date(), 7)) if status == "Resolved" else None,
				"sla_breach_notified": 0,
			}
		)
	book._bulk_insert("Dispute", disputes)
	frappe.db.commit()
	return {"collectors": len(users), "calls": CALLS, "promises": PROMISES, "disputes": DISPUTES}


def remove() -> None:
	"""Take the benchmark's calls, promises and disputes out, and the collectors off the customers."""
	for doctype, prefix in (
		("Collection Activity", ACTIVITY_PREFIX),
		("Promise To Pay Invoice", PROMISE_PREFIX),
		("Promise To Pay", PROMISE_PREFIX),
		("Dispute", DISPUTE_PREFIX),
	):
		table = frappe.qb.DocType(doctype)
		frappe.qb.from_(table).delete().where(table.name.like(f"{prefix}%")).run()
	c = frappe.qb.DocType("Customer")
	frappe.qb.update(c).set(c.collector, None).where(c.collector.like(USER.format("%"))).run()
	frappe.db.commit()


def _collectors() -> list[str]:
	users = []
	for i in range(1, COLLECTORS + 1):
		email = USER.format(i)
		if not frappe.db.exists("User", email):
			frappe.get_doc(
				{"doctype": "User", "email": email, "first_name": f"Collector {i}", "send_welcome_email": 0}
			).insert(ignore_permissions=True)
		users.append(email)
	return users


def _base(name: str, owner: str, at: dt.datetime) -> dict:
	return {
		"name": name,
		"creation": at,
		"modified": at,
		"owner": owner,
		"modified_by": owner,
		"docstatus": 0,
		"idx": 0,
	}
