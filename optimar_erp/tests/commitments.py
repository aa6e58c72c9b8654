"""What the tests of promises, disputes, escalation and hold share: a customer per test, an invoice's
collection state, and time passing for a promise. Not a test module (no tests of its own)."""

import frappe
from frappe.utils import add_days, today

from optimar_erp.tests.factories import CollectionsTestCase, make_customer


def state(invoice: str) -> str:
	return frappe.db.get_value("Sales Invoice", invoice, "collection_state")


def backdate(promise: str, recorded_days_ago: int, promised_days_ago: int) -> None:
	"""Let time pass: the promise was recorded and fell due some days ago."""
	frappe.db.set_value(
		"Promise To Pay",
		promise,
		{
			"creation": add_days(today(), -recorded_days_ago),
			"promised_date": add_days(today(), -promised_days_ago),
		},
		update_modified=False,
	)


class CommitmentsTestCase(CollectionsTestCase):
	"""No grace days: a promise is broken the day after its date."""

	SETTINGS = {"promise_grace_days": 0}

	def customer(self, label: str, **fields) -> str:
		return make_customer(
			f"PTP {label} {self.suffix}", f"ap-{frappe.scrub(label)}-{self.suffix}@example.com", **fields
		)
