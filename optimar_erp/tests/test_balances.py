"""Money received but not yet matched to invoices counts everywhere the app shows or asks for a balance:
compared customer by customer with ERPNext's Accounts Receivable (Summary) on a real site."""

import json

import frappe
from frappe.utils import flt, today

from erpnext.accounts.report.accounts_receivable_summary.accounts_receivable_summary import (
	execute as receivable_summary,
)

from optimar_erp import cards
from optimar_erp.api import collections_summary
from optimar_erp.collections.doctype.dunning_run.test_dunning_run import new_run
from optimar_erp.dunning import delivery
from optimar_erp.dunning.run import execute_run
from optimar_erp.queries.ledger import credits_on_account
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	default_company,
	make_credit_note,
	make_customer,
	make_invoice,
	make_payment,
	make_receipt,
)


def erpnext_outstanding(company: str, customers: list[str]) -> dict[str, float]:
	"""Each customer's outstanding in ERPNext's Accounts Receivable (Summary), unallocated payments and
	credits included."""
	_columns, rows, *_rest = receivable_summary(
		frappe._dict(
			company=company, report_date=today(), ageing_based_on="Due Date", range="30, 60, 90, 120"
		)
	)
	return {row["party"]: flt(row["outstanding"], 2) for row in rows if row.get("party") in customers}


class TestBalancesWithUnmatchedMoney(CollectionsTestCase):
	SETTINGS = {"email_enabled": 1}

	def test_balances_agree_with_erpnexts_receivable_summary_customer_by_customer(self):
		company = default_company()
		s = frappe.generate_hash(length=6)
		book = {}
		# paid on account (unmatched) part of what is owed
		book["partly"] = make_customer(f"Balance Partly {s}", f"partly-{s}@example.com")
		first = make_invoice(book["partly"], 1000, due_in_days=-20)
		make_invoice(book["partly"], 400, due_in_days=-5)
		make_receipt(first, 600)
		# paid everything, not yet matched
		book["covered"] = make_customer(f"Balance Covered {s}", f"covered-{s}@example.com")
		covered = make_invoice(book["covered"], 750, due_in_days=-12)
		make_receipt(covered, 750)
		# an allocated payment and a credit note (which this ERPNext keeps as its own outstanding)
		book["matched"] = make_customer(f"Balance Matched {s}", f"matched-{s}@example.com")
		matched = make_invoice(book["matched"], 500, due_in_days=-9)
		make_payment(matched, 200)
		make_credit_note(matched, 100)
		# paid more than owed: a credit balance
		book["ahead"] = make_customer(f"Balance Ahead {s}", f"ahead-{s}@example.com")
		ahead = make_invoice(book["ahead"], 300, due_in_days=-3)
		make_receipt(ahead, 450)

		customers = list(book.values())
		erpnext = erpnext_outstanding(company, customers)
		held = credits_on_account(company, customers).set_index("customer")["credit"].to_dict()
		for label, customer in book.items():
			open_ = flt(
				sum(
					frappe.get_all(
						"Sales Invoice",
						filters={"customer": customer, "docstatus": 1, "outstanding_amount": (">", 0)},
						pluck="outstanding_amount",
					)
				)
			)
			with self.subTest(label):
				# the summary leaves out a party that owes nothing
				self.assertAlmostEqual(open_ - held.get(customer, 0), erpnext.get(customer, 0), places=2)
		self.assertAlmostEqual(held[book["partly"]], 600)

		# the Customer dashboard: overdue net of what was received
		summary = collections_summary(book["partly"])
		self.assertAlmostEqual(summary["overdue_invoiced"], 1400)
		self.assertAlmostEqual(summary["unmatched_credit"], 600)
		self.assertAlmostEqual(summary["overdue"], 800)
		self.assertEqual(collections_summary(book["covered"])["overdue"], 0)

		# dunning: nothing is asked of a customer whose unmatched money covers what it owes; a partial
		# credit is shown and taken off the balance due
		frappe.db.commit()
		runs = {}
		for customer in customers:
			runs[customer] = new_run(customer).name
			execute_run(runs[customer])
		sent = {
			row.customer: row
			for row in frappe.get_all(
				"Collection Activity",
				filters={"customer": ("in", customers), "status": "Sent", "activity_type": "Reminder"},
				fields=["customer", "message"],
			)
		}
		self.assertNotIn(book["covered"], sent)
		self.assertNotIn(book["ahead"], sent)
		for label in ("covered", "ahead"):
			self.assertIn(
				"credit_on_account: 1",
				frappe.db.get_value("Dunning Run", runs[book[label]], "skip_reasons"),
			)
		self.assertIn("not yet matched", sent[book["partly"]].message)
		self.assertEqual(
			"not yet matched" in sent[book["matched"]].message, held.get(book["matched"], 0) > 0.005
		)
		context = delivery.compose(
			frappe._dict(
				name=None,
				customer=book["partly"],
				company=company,
				currency=frappe.db.get_value("Sales Invoice", first, "currency"),
				channel="Email",
				tone="Firm",
				step_id="Standard B2B:+7:Email",
				dunning_sequence="Standard B2B",
			),
			[first],
		)[2]
		self.assertIn("600", context["credit_on_account"])
		self.assertIn("400", context["balance_due"])

	def test_the_workspace_overdue_card_counts_money_on_account_up_to_each_customers_overdue(self):
		"""The Total Overdue card nets a customer's unmatched payments against its overdue, never below
		zero for that customer: the card moves by exactly what the customer no longer owes."""
		company = default_company()
		filters = json.dumps({"company": company})
		s = frappe.generate_hash(length=6)
		customer = make_customer(f"Card On Account {s}", f"card-{s}@example.com")
		overdue = make_invoice(customer, 1000, due_in_days=-10)
		make_invoice(customer, 700, due_in_days=10)  # not due: credit beyond the overdue does not count
		before = cards.total_overdue(filters)["value"]
		make_receipt(overdue, 400)
		self.assertAlmostEqual(cards.total_overdue(filters)["value"], before - 400, places=2)
		make_receipt(overdue, 900)  # 1,300 on account against 1,000 overdue
		self.assertAlmostEqual(cards.total_overdue(filters)["value"], before - 1000, places=2)
