"""Late-payment interest and fees on a real site: the policy and its validation, the reminder's and the
portal's figures, Charge (a Journal Entry that the GL and ERPNext's Accounts Receivable show) and Waive
(only the log). Invoices are placed relative to today and the figures follow from the days overdue, so
nothing depends on the date the suite runs."""

import frappe
from frappe.utils import add_days, flt, getdate, today

from erpnext.accounts.report.accounts_receivable.accounts_receivable import execute as receivable

from optimar_erp.collections.doctype.collection_activity.collection_activity import SystemActivityError
from optimar_erp.dunning import delivery, interest
from optimar_erp.portal import access, view
from optimar_erp.tests.factories import OptimarTestCase, default_company, make_customer, make_invoice
from optimar_erp.tests.test_permissions import make_user

DAYS_LATE = 30


def count(doctype: str, **filters) -> int:
	return frappe.db.count(doctype, filters)


class TestLatePaymentInterest(OptimarTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = default_company()
		cls.suffix = frappe.generate_hash(length=6)
		abbr = frappe.get_cached_value("Company", cls.company, "abbr")
		parent = frappe.db.get_value(
			"Account",
			{"company": cls.company, "root_type": "Income", "is_group": 1, "parent_account": ("is", "set")},
		)
		name = f"Late Payment Interest {cls.suffix}"
		cls.income = (
			frappe.get_doc(
				{
					"doctype": "Account",
					"account_name": name,
					"parent_account": parent,
					"company": cls.company,
					"root_type": "Income",
					"report_type": "Profit and Loss",
					"account_type": "Income Account",
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		assert cls.income.endswith(abbr)
		cls.reference = (
			frappe.get_doc(
				{
					"doctype": "Reference Interest Rate",
					"rate_name": f"Test Base Rate {cls.suffix}",
					# the rate in force changes 10 days ago: a 30-day period is split 20 / 10
					"rates": [
						{"effective_date": "2000-01-01", "rate": 4.0},
						{"effective_date": add_days(today(), -9), "rate": 5.0},
					],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def setUp(self):
		frappe.db.savepoint("interest_test")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point="interest_test")

	def policy(self, for_customer: str, preset: str = "UK Late Payment Act", **fields) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Late Payment Policy",
					"title": f"{preset} {for_customer}",
					"company": self.company,
					"applies_to": "Customer",
					"customer": for_customer,
					"preset": preset,
					"reference_rate": self.reference,
					"income_account": self.income,
					**fields,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)

	def overdue(self, amount: float = 5000) -> tuple[str, str]:
		customer = make_customer(f"Interest {frappe.generate_hash(length=8)}", "ap@example.com")
		return customer, make_invoice(customer, amount, due_in_days=-DAYS_LATE, posting_days_ago=60)

	@staticmethod
	def uk_interest(amount: float) -> float:
		# UK preset: base + 8 points, simple, on 365 days; the 30 days after the due date are 20 days at
		# 4 + 8 = 12 % and 10 days at 5 + 8 = 13 % (the table's rate changes 9 days before today)
		return round(amount * (0.12 * 20 + 0.13 * 10) / 365, 2)

	def row(self, customer: str, invoice: str):
		return frappe._dict(
			name=None,
			customer=customer,
			company=self.company,
			currency=frappe.db.get_value("Sales Invoice", invoice, "currency"),
			channel="Email",
			tone="Final",
			step_id="Standard B2B:+30:Email",
			dunning_sequence="Standard B2B",
		)

	# -------------------------------------------------------------------------------- the policy

	def test_a_preset_fills_the_law_and_bad_input_writes_nothing(self):
		customer, _invoice = self.overdue()
		doc = frappe.get_doc("Late Payment Policy", self.policy(customer))
		self.assertEqual(
			(doc.method, doc.rate_source, flt(doc.margin), flt(doc.multiplier)),
			("Simple", "Reference", 8.0, 1.0),
		)
		self.assertEqual(
			[(flt(b.debt_below), flt(b.fee)) for b in doc.fee_bands], [(1000, 40), (10000, 70), (0, 100)]
		)
		other, _ = self.overdue()
		before = count("Late Payment Policy")
		for label, change in {
			"margin below the law": {"margin": 5},
			"compound": {"method": "Compound"},
		}.items():
			with self.subTest(label), self.assertRaises(interest.InterestPolicyError):
				frappe.get_doc("Late Payment Policy", doc.name).update(change).save(ignore_permissions=True)
		bad = {
			"an income account of no company": {"income_account": "No Such Account"},
			"a receivable as income": {
				"income_account": frappe.get_cached_value(
					"Company", self.company, "default_receivable_account"
				)
			},
			"a negative grace": {"grace_days": -3},
			"a customer policy without a customer": {"customer": None},
		}
		for label, fields in bad.items():
			with self.subTest(label), self.assertRaises(frappe.ValidationError):
				self.policy(other, **fields)
		with self.assertRaises(interest.InterestPolicyError):
			self.policy(customer, title="A second policy for the same customer")
		self.assertEqual(count("Late Payment Policy"), before)
		with self.assertRaises(interest.InterestPolicyError):
			frappe.get_doc(
				{
					"doctype": "Reference Interest Rate",
					"rate_name": f"Twice {self.suffix}",
					"rates": [
						{"effective_date": "2026-01-01", "rate": 1},
						{"effective_date": "2026-01-01", "rate": 2},
					],
				}
			).insert(ignore_permissions=True)

	def test_the_customer_policy_wins_over_its_group_and_the_company(self):
		customer, invoice = self.overdue()
		group = frappe.db.get_value("Customer", customer, "customer_group")
		fixed = {"preset": "None", "rate_source": "Fixed", "applies_to": "Customer Group", "customer": None}
		by_group = self.policy(
			customer, customer_group=group, fixed_rate=10, title=f"Group {self.suffix}", **fixed
		)
		self.assertEqual(interest.policy_name_for(customer, self.company), by_group)
		# 5,000 × 10 % × 30 / 365 = 41.10, no fee (no bands)
		self.assertEqual(interest.totals([invoice]), (41.1, 0.0))
		own = self.policy(customer)
		self.assertEqual(interest.policy_name_for(customer, self.company), own)
		self.assertEqual(interest.totals([invoice]), (self.uk_interest(5000), 70.0))

	# --------------------------------------------------------------------- reminder and portal

	def test_the_reminder_shows_interest_and_fee_only_when_due(self):
		customer, invoice = self.overdue(12000)
		_step, _customer, context, _subject, body = delivery.compose(self.row(customer, invoice), [invoice])
		self.assertEqual((context["interest_due"], context["fees_due"]), ("", ""))
		self.assertNotIn("Late-payment charges", body)
		self.policy(customer)
		_step, _customer, context, _subject, body = delivery.compose(self.row(customer, invoice), [invoice])
		money = frappe.utils.fmt_money
		currency = frappe.db.get_value("Sales Invoice", invoice, "currency")
		# 12,000 × (12 % × 20 + 13 % × 10) / 365 = 12,000 × 3.7 / 365 = 121.64; a debt of 10,000 or more: 100
		self.assertEqual(self.uk_interest(12000), 121.64)
		self.assertEqual(context["interest_due"], money(121.64, currency=currency))
		self.assertEqual(context["fees_due"], money(100, currency=currency))
		self.assertIn(f"interest {context['interest_due']}", body)
		self.assertIn(f"fixed compensation {context['fees_due']}", body)

	def test_the_portal_shows_the_late_charges(self):

		customer, invoice = self.overdue(800)
		self.policy(customer)
		viewer = access.Viewer(customer=customer, user="Guest", link="test", customers=(customer,))
		page = view.page_context(viewer, token="test")
		currency = frappe.db.get_value("Sales Invoice", invoice, "currency")
		[aging] = page["aging"]
		self.assertEqual(aging["interest_due"], view.Formats().money(self.uk_interest(800), currency))
		self.assertEqual(aging["fees_due"], view.Formats().money(40, currency))

	# ------------------------------------------------------------------------------ charge, waive

	def test_charge_posts_a_journal_entry_that_the_receivable_report_shows_once(self):
		customer, invoice = self.overdue(5000)
		self.policy(customer)
		expected = self.uk_interest(5000) + 70
		[done] = interest.charge([invoice])
		je = frappe.get_doc("Journal Entry", done["journal_entry"])
		self.assertEqual(je.docstatus, 1)
		gl = frappe.get_all(
			"GL Entry",
			filters={"voucher_no": je.name, "is_cancelled": 0},
			fields=["account", "party", "debit", "credit"],
		)
		receivable_account = frappe.db.get_value("Sales Invoice", invoice, "debit_to")
		self.assertEqual(
			sorted((g.account, g.party or None, flt(g.debit), flt(g.credit)) for g in gl),
			sorted([(receivable_account, customer, expected, 0.0), (self.income, None, 0.0, expected)]),
		)
		rows = self.receivable(customer)
		self.assertEqual(rows.get(je.name), expected)
		self.assertEqual(rows.get(invoice), 5000.0, "the invoice itself is unchanged")
		# charging again the same day: nothing new is due, nothing is posted
		self.assertEqual(interest.charge([invoice]), [])
		self.assertEqual(count("Journal Entry", user_remark=("like", f"%{invoice}%"), docstatus=1), 1)
		self.assertEqual(interest.totals([invoice]), (0.0, 0.0))
		log = frappe.get_doc("Collection Activity", done["activity"])
		self.assertEqual(
			(log.activity_type, getdate(log.interest_through)), ("Interest Charged", getdate(today()))
		)
		self.assertEqual((flt(log.amount), flt(log.fee_amount)), (self.uk_interest(5000), 70.0))

	def receivable(self, customer: str) -> dict[str, float]:
		_columns, data, *_rest = receivable(
			frappe._dict(
				company=self.company,
				report_date=today(),
				party_type="Customer",
				party=[customer],
				ageing_based_on="Due Date",
				range="30, 60, 90, 120",
			)
		)
		return {row.get("voucher_no"): flt(row.get("outstanding")) for row in data if row.get("voucher_no")}

	def test_waive_writes_only_the_log(self):
		customer, invoice = self.overdue(5000)
		self.policy(customer)
		with self.assertRaises(interest.InterestPolicyError):
			interest.waive([invoice], reason="  ")
		before = {
			dt: count(dt) for dt in ("Journal Entry", "GL Entry", "Payment Ledger Entry", "Sales Invoice")
		}
		[done] = interest.waive([invoice], reason="Long-standing customer, first delay")
		self.assertIsNone(done["journal_entry"])
		self.assertEqual({dt: count(dt) for dt in before}, before)
		log = frappe.get_doc("Collection Activity", done["activity"])
		self.assertEqual(
			(log.activity_type, log.reason), ("Interest Waived", "Long-standing customer, first delay")
		)
		self.assertEqual(interest.totals([invoice]), (0.0, 0.0), "a waived period is not shown or charged")
		self.assertEqual(self.receivable(customer), {invoice: 5000.0})

	def test_only_a_collections_manager_charges_and_nobody_writes_the_log_by_hand(self):
		customer, invoice = self.overdue(5000)
		self.policy(customer)
		collector = make_user(f"interest.collector.{self.suffix}@example.com", ("Collector",))
		frappe.set_user(collector)
		try:
			with self.assertRaises(frappe.PermissionError):
				interest.charge([invoice])
			with self.assertRaises(frappe.PermissionError):
				interest.waive([invoice], reason="x")
		finally:
			frappe.set_user("Administrator")
		with self.assertRaises(SystemActivityError):
			frappe.get_doc(
				{
					"doctype": "Collection Activity",
					"activity_type": "Interest Waived",
					"status": "Done",
					"customer": customer,
					"sales_invoice": invoice,
					"interest_through": add_days(today(), 365),
				}
			).insert(ignore_permissions=True)
		self.assertEqual(interest.totals([invoice]), (self.uk_interest(5000), 70.0))

	def test_an_add_interest_step_charges_when_its_reminder_went(self):
		customer, invoice = self.overdue(5000)
		self.policy(customer)
		row = self.row(customer, invoice)
		step = frappe.db.get_value(
			"Dunning Sequence Step",
			{"parent": "Standard B2B", "offset_days": 30},
			["name", "add_interest"],
			as_dict=True,
		)
		delivery._add_interest(row, [invoice])
		self.assertEqual(
			count("Collection Activity", sales_invoice=invoice, activity_type="Interest Charged"), 0
		)
		frappe.db.set_value("Dunning Sequence Step", step.name, "add_interest", 1)
		try:
			delivery._add_interest(row, [invoice])
		finally:
			frappe.db.set_value("Dunning Sequence Step", step.name, "add_interest", step.add_interest)
		self.assertEqual(
			count("Collection Activity", sales_invoice=invoice, activity_type="Interest Charged"), 1
		)
		self.assertIn(
			invoice,
			frappe.db.get_value(
				"Journal Entry", {"docstatus": 1, "user_remark": ("like", f"%{invoice}%")}, "user_remark"
			),
		)
