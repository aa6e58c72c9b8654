"""A believable company book on a bench site, made by the engine's simulator.

    bench --site S execute optimar_erp.demo.setup
    bench --site S execute optimar_erp.demo.setup --kwargs "{'customers': 50, 'months': 9}"

Customers with contacts, submitted Sales Invoices, Credit Notes and Payment Entries: ERPNext's own
documents with real GL and Payment Ledger entries. Idempotent: the simulator is seeded and anchored to
the date of the first run, and every document carries the simulator's id, so a second run only adds
what is missing. Shows progress. ERPNext spends about half a second validating and posting each
document, so the book is loaded by ``workers`` processes (default 2), each owning a share of the
customers with their invoices, credit notes and payments; they commit document by document so they
never wait on each other's naming-series locks.
"""

import multiprocessing
import random
import time

import frappe
from frappe import _
from frappe.model.naming import make_autoname
from frappe.utils import flt, getdate, today, update_progress_bar

from optimar_erp.engine.simulate import simulate_book
from optimar_erp.risk.jobs import train_and_score
from optimar_erp.setup.bootstrap import DEMO_ITEM, ensure_erpnext_setup

AS_OF_DEFAULT_KEY = "optimar_demo_as_of"
BATCH_SIZE = 50
MODE_OF_PAYMENT = "Wire Transfer"
DEADLOCK_RETRIES = 8


def setup(
	customers: int = 300,
	months: int = 18,
	seed: int = 7,
	company: str | None = None,
	as_of: str | None = None,
	workers: int = 2,
) -> dict:
	"""Create (or complete) the demo book; returns the number of documents created by type."""
	frappe.only_for("System Manager")
	if int(customers) < 1 or int(months) < 1:
		frappe.throw(_("The demo needs at least one customer and one month."))
	if not 1 <= int(workers) <= 8:
		frappe.throw(_("Use between 1 and 8 workers."))

	default_company = ensure_erpnext_setup(history_months=int(months) + 1)
	company = company or default_company
	as_of = getdate(as_of or frappe.db.get_default(AS_OF_DEFAULT_KEY) or today())
	frappe.db.set_default(AS_OF_DEFAULT_KEY, str(as_of))

	params = {
		"seed": int(seed),
		"n_customers": int(customers),
		"months": int(months),
		"end": as_of,
		"currency": frappe.get_cached_value("Company", company, "default_currency"),
		"company": company,
	}
	frappe.db.commit()
	workers = min(int(workers), int(customers))
	if workers == 1 or frappe.flags.in_test:
		created = DemoLoader(company).load(demo_book(**params))
	else:
		jobs = [(frappe.local.site, params, worker, workers) for worker in range(workers)]
		with multiprocessing.get_context("spawn").Pool(workers) as pool:
			parts = pool.starmap(_load_share, jobs)
		created = {doctype: sum(part[doctype] for part in parts) for doctype in parts[0]}
	if not frappe.flags.in_test:
		print()
		print(_("Demo book for {0} as of {1}: {2}").format(company, as_of, created))
		_score(company)
	return created


def _score(company: str) -> None:
	"""Train and score at once, so the demo shows its risk badges without waiting for the nightly job."""
	if not frappe.db.get_single_value("Collections Settings", "risk_scoring_enabled"):
		print(_("Risk scoring is off in Collections Settings: no badges until it is on."))
		return
	for result in train_and_score(company):
		model = frappe.db.get_value("Risk Model", result["trained"], ["status", "message"], as_dict=True)
		print(
			_("Risk model {0}: {1}; {2} open invoices and {3} customers scored. {4}").format(
				result["trained"],
				model.status if model else "-",
				result["invoices"],
				result["customers"],
				(model.message or "") if model else "",
			)
		)
	frappe.db.commit()


def demo_book(**params):
	"""The simulator's book with its document ids namespaced by everything that shapes it (seed, size,
	last day; they become the Customer's PO number and payment reference), so two different books on one
	site never mistake each other's documents, and the same book loaded again finds its own."""
	book = simulate_book(**params)
	end = params.get("end")
	prefix = "S{}-{}x{}-{}-".format(
		params["seed"],
		params.get("n_customers", ""),
		params.get("months", ""),
		f"{end:%Y%m%d}" if end else "",
	)
	for table, columns in (
		("invoices", ["invoice"]),
		("credit_notes", ["credit_note", "invoice"]),
		("payments", ["payment_id", "invoice"]),
	):
		frame = getattr(book, table).copy()
		for column in columns:
			frame[column] = prefix + frame[column].astype(str)
		setattr(book, table, frame)
	return book


def _load_share(site: str, params: dict, worker: int, workers: int) -> dict:
	"""In a worker process: load every ``workers``-th customer of the book, starting at ``worker``."""
	frappe.init(site=site)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		book = demo_book(**params)
		mine = set(book.customers["customer"].iloc[worker::workers])
		for table in ("customers", "invoices", "credit_notes", "payments"):
			frame = getattr(book, table)
			setattr(book, table, frame[frame["customer"].isin(mine)])
		loader = DemoLoader(params["company"], commit_each=True, show_progress=worker == 0)
		return loader.load(book)
	finally:
		frappe.destroy()


class DemoLoader:
	"""Turns the simulator's tables into submitted ERPNext documents, skipping what exists."""

	def __init__(self, company: str, commit_each: bool = False, show_progress: bool = True):
		self.company = company
		self.commit_each = commit_each
		self.show_progress = show_progress and not frappe.flags.in_test
		self.receivable = frappe.get_cached_value("Company", company, "default_receivable_account")
		self.bank = frappe.get_cached_value(
			"Company", company, "default_bank_account"
		) or frappe.get_cached_value("Company", company, "default_cash_account")
		self.cost_center = frappe.get_cached_value("Company", company, "cost_center")
		self.customer_names: dict[str, str] = {}
		self.invoice_names: dict[str, str] = {}

	def load(self, book) -> dict:
		created = {
			"Customer": self.customers(book.customers),
			"Sales Invoice": self.invoices(book.invoices),
			"Credit Note": self.credit_notes(book.credit_notes),
			"Payment Entry": self.payments(book.payments),
		}
		frappe.db.commit()
		return created

	# -- helpers -------------------------------------------------------------------------------

	def _existing(self, doctype: str, field: str, values: list[str], extra: dict | None = None) -> dict:
		"""Map simulator ids already on the site (stored in ``field``) to document names, in one query."""
		if not values:
			return {}
		filters = {field: ("in", values), "docstatus": 1, **(extra or {})}
		return dict(frappe.get_all(doctype, filters=filters, fields=[field, "name"], as_list=True))

	def _retrying(self, make, *args):
		"""Two workers posting at once now and then deadlock in the ledger tables: the database rolls
		one back, and that document is simply made again."""
		for attempt in range(DEADLOCK_RETRIES):
			try:
				return make(*args)
			except frappe.QueryDeadlockError:
				frappe.db.rollback()
				time.sleep(0.2 * (attempt + 1) + random.random() * 0.3)
		return make(*args)

	def _insert_and_submit(self, doc) -> None:
		"""Insert and submit; in a worker, take the name from the naming series in its own transaction
		first, so the series row is not locked while ERPNext validates and posts the document."""
		if self.commit_each:
			series = (
				doc.get("naming_series")
				or frappe.get_meta(doc.doctype).get_field("naming_series").options.split("\n")[0]
			)
			name = make_autoname(series, doc.doctype, doc)
			frappe.db.commit()
			doc.insert(ignore_permissions=True, set_name=name)
		else:
			doc.insert(ignore_permissions=True)
		doc.submit()

	def _progress(self, title: str, done: int, total: int) -> None:
		if self.commit_each or (done and done % BATCH_SIZE == 0):
			frappe.db.commit()
		if not self.show_progress:
			return
		update_progress_bar(title, done, total)
		if done % BATCH_SIZE == 0 or done == total - 1:
			frappe.publish_progress(flt(done + 1) * 100 / total, title=title)

	# -- loaders ---------------------------------------------------------------------------------

	def customers(self, customers) -> int:
		existing = set(
			frappe.get_all(
				"Customer", filters={"name": ("in", list(customers["customer_name"]))}, pluck="name"
			)
		)
		created = 0
		rows = customers.to_dict("records")
		for i, row in enumerate(rows):
			self.customer_names[row["customer"]] = row["customer_name"]
			if row["customer_name"] not in existing:
				self._retrying(self._make_customer, row)
				created += 1
			self._progress(_("Customers"), i, len(rows))
		frappe.db.commit()
		return created

	def _make_customer(self, row: dict) -> None:
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": row["customer_name"],
				"customer_type": "Company",
				"customer_group": _existing_or_default("Customer Group", row.get("customer_group")),
				"territory": _existing_or_default("Territory", row.get("territory")),
			}
		).insert(ignore_permissions=True)
		first, _sep, last = str(row.get("contact_name") or "Accounts Payable").partition(" ")
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": first,
				"last_name": last,
				"email_ids": [{"email_id": row["email"], "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer.name}],
			}
		).insert(ignore_permissions=True)
		customer.db_set({"customer_primary_contact": contact.name, "email_id": row["email"]})

	def invoices(self, invoices) -> int:
		invoices = invoices.sort_values(["posting_date", "invoice"])
		self.invoice_names = self._existing("Sales Invoice", "po_no", list(invoices["invoice"]))
		created = 0
		rows = invoices.to_dict("records")
		for i, row in enumerate(rows):
			if row["invoice"] not in self.invoice_names:
				self.invoice_names[row["invoice"]] = self._retrying(self._make_invoice, row)
				created += 1
			self._progress(_("Sales Invoices"), i, len(rows))
		frappe.db.commit()
		return created

	def _make_invoice(self, row: dict) -> str:
		si = frappe.get_doc(
			{
				"doctype": "Sales Invoice",
				"company": self.company,
				"customer": self.customer_names[row["customer"]],
				"posting_date": getdate(row["posting_date"]),
				"set_posting_time": 1,
				"due_date": getdate(row["due_date"]),
				"po_no": row["invoice"],
				"debit_to": self.receivable,
				"disable_rounded_total": 1,
				"items": [
					{
						"item_code": DEMO_ITEM,
						"qty": 1,
						"rate": flt(row["grand_total"], 2),
						"cost_center": self.cost_center,
					}
				],
			}
		)
		self._insert_and_submit(si)
		return si.name

	def credit_notes(self, credit_notes) -> int:
		credit_notes = credit_notes.sort_values(["posting_date", "credit_note"])
		existing = self._existing(
			"Sales Invoice", "po_no", list(credit_notes["credit_note"]), extra={"is_return": 1}
		)
		created = 0
		rows = credit_notes.to_dict("records")
		for i, row in enumerate(rows):
			if row["credit_note"] not in existing:
				self._retrying(self._make_credit_note, row)
				created += 1
			self._progress(_("Credit Notes"), i, len(rows))
		frappe.db.commit()
		return created

	def _make_credit_note(self, row: dict) -> None:
		note = frappe.get_doc(
			{
				"doctype": "Sales Invoice",
				"is_return": 1,
				"return_against": self.invoice_names[row["invoice"]],
				"update_outstanding_for_self": 0,
				"company": self.company,
				"customer": self.customer_names[row["customer"]],
				"posting_date": getdate(row["posting_date"]),
				"set_posting_time": 1,
				"po_no": row["credit_note"],
				"debit_to": self.receivable,
				"disable_rounded_total": 1,
				"items": [
					{
						"item_code": DEMO_ITEM,
						"qty": -1,
						"rate": flt(row["amount"], 2),
						"cost_center": self.cost_center,
					}
				],
			}
		)
		self._insert_and_submit(note)

	def payments(self, payments) -> int:
		existing = set(
			frappe.get_all(
				"Payment Entry",
				filters={"reference_no": ("in", list(payments["payment_id"].unique())), "docstatus": 1},
				pluck="reference_no",
			)
		)
		groups = [
			(payment_id, rows)
			for payment_id, rows in payments.sort_values(["posting_date", "payment_id"]).groupby(
				"payment_id", sort=False
			)
		]
		created = 0
		for i, (payment_id, rows) in enumerate(groups):
			if payment_id not in existing:
				self._retrying(self._make_payment, payment_id, rows)
				created += 1
			self._progress(_("Payment Entries"), i, len(groups))
		frappe.db.commit()
		return created

	def _make_payment(self, payment_id: str, rows) -> None:
		first = rows.iloc[0]
		amount = flt(rows["allocated_amount"].sum(), 2)
		posting_date = getdate(first["posting_date"])
		pe = frappe.get_doc(
			{
				"doctype": "Payment Entry",
				"payment_type": "Receive",
				"company": self.company,
				"posting_date": posting_date,
				"mode_of_payment": MODE_OF_PAYMENT
				if frappe.db.exists("Mode of Payment", MODE_OF_PAYMENT)
				else None,
				"party_type": "Customer",
				"party": self.customer_names[first["customer"]],
				"paid_from": self.receivable,
				"paid_to": self.bank,
				"paid_amount": amount,
				"received_amount": amount,
				"source_exchange_rate": 1,
				"target_exchange_rate": 1,
				"reference_no": payment_id,
				"reference_date": posting_date,
				"references": [
					{
						"reference_doctype": "Sales Invoice",
						"reference_name": self.invoice_names[row["invoice"]],
						"allocated_amount": flt(row["allocated_amount"], 2),
					}
					for row in rows.to_dict("records")
				],
			}
		)
		self._insert_and_submit(pe)


def _existing_or_default(doctype: str, value: str | None) -> str:
	"""Use the simulator's group/territory when the site has it, else the tree's first leaf."""
	if value and frappe.db.exists(doctype, value):
		return value
	from frappe.utils.nestedset import get_root_of

	leaf = frappe.db.get_value(doctype, {"is_group": 0}, "name")
	return leaf or get_root_of(doctype)
