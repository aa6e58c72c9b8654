"""Factory helpers for the Frappe test suites: real ERPNext documents, made the short way."""

import threading

import frappe
from frappe.utils import add_days, flt, getdate, today

from optimar_erp.compat import IntegrationTestCase
from optimar_erp.dunning.lease import expire_stale_runs
from optimar_erp.setup.bootstrap import DEMO_ITEM, ensure_erpnext_setup

TEST_SENDER = "collections@optimar.test"


def default_company() -> str:
	return frappe.db.get_single_value("Global Defaults", "default_company")


def ensure_outgoing_email_account() -> str:
	"""Email Queue needs a default outgoing account; tests never talk to the SMTP server."""
	name = frappe.db.get_value("Email Account", {"default_outgoing": 1, "enable_outgoing": 1})
	if name:
		return name
	account = frappe.get_doc(
		{
			"doctype": "Email Account",
			"email_account_name": "OptimAR Collections",
			"email_id": TEST_SENDER,
			"enable_outgoing": 1,
			"default_outgoing": 1,
			"smtp_server": "127.0.0.1",
			"smtp_port": 2525,
			"no_smtp_authentication": 1,
			"awaiting_password": 0,
		}
	).insert(ignore_permissions=True)
	return account.name


def make_customer(name: str, email: str | None = None, **fields) -> str:
	if frappe.db.exists("Customer", name):
		frappe.db.set_value("Customer", name, {"email_id": email, **fields})
		return name
	customer = frappe.get_doc(
		{
			"doctype": "Customer",
			"customer_name": name,
			"customer_type": "Company",
			"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
			"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
		}
	).insert(ignore_permissions=True)
	frappe.db.set_value("Customer", customer.name, {"email_id": email, **fields})
	return customer.name


def make_invoice(customer: str, amount: float, due_in_days: int, posting_days_ago: int = 30, **fields) -> str:
	"""A submitted Sales Invoice due ``due_in_days`` from today (negative: overdue)."""
	company = fields.pop("company", None) or default_company()
	posting = add_days(today(), -posting_days_ago)
	due = add_days(today(), due_in_days)
	if getdate(due) < getdate(posting):
		posting = due
	si = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": company,
			"customer": customer,
			"posting_date": posting,
			"set_posting_time": 1,
			"due_date": due,
			"disable_rounded_total": 1,
			"items": [{"item_code": DEMO_ITEM, "qty": 1, "rate": flt(amount)}],
			**fields,
		}
	)
	si.insert(ignore_permissions=True)
	si.submit()
	return si.name


def make_rupee_invoice(customer: str, amount: float, due_in_days: int, company: str | None = None) -> str:
	"""A submitted invoice in INR through a rupee receivable account of the (USD) test company; the customer
	is billed in rupees from then on."""
	company = company or default_company()
	name = "Debtors INR (tests)"
	account = frappe.db.get_value("Account", {"company": company, "account_name": name}) or (
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": name,
				"parent_account": frappe.db.get_value(
					"Account",
					{"company": company, "account_type": "Receivable", "is_group": 0},
					"parent_account",
				),
				"account_type": "Receivable",
				"account_currency": "INR",
				"company": company,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)
	doc = frappe.get_doc("Customer", customer)
	doc.default_currency = "INR"
	doc.set("accounts", [{"company": company, "account": account}])
	doc.save(ignore_permissions=True)
	return make_invoice(
		customer,
		amount,
		due_in_days,
		currency="INR",
		conversion_rate=0.012,
		debit_to=account,
		company=company,
	)


def make_payment(invoice: str, amount: float | None = None, submit: bool = True, posting_date=None):
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	pe = get_payment_entry("Sales Invoice", invoice)
	pe.reference_no = frappe.generate_hash(length=8)
	pe.posting_date = pe.reference_date = posting_date or today()
	if amount is not None:
		pe.paid_amount = pe.received_amount = amount
		pe.references[0].allocated_amount = amount
	pe.insert(ignore_permissions=True)
	if submit:
		pe.submit()
	return pe


def make_receipt(invoice: str, amount: float) -> str:
	"""A submitted Payment Entry from ``invoice``'s customer for ``amount``, allocated to no invoice (money
	received on account, not yet matched)."""
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	pe = get_payment_entry("Sales Invoice", invoice)
	pe.references = []
	pe.paid_amount = pe.received_amount = amount
	pe.reference_no = frappe.generate_hash(length=8)
	pe.reference_date = today()
	pe.insert(ignore_permissions=True)
	pe.submit()
	return pe.name


def make_credit_note(invoice: str, amount: float):
	"""A submitted credit note reducing ``invoice`` by ``amount``."""
	from erpnext.controllers.sales_and_purchase_return import make_return_doc

	note = make_return_doc("Sales Invoice", invoice)
	note.update_outstanding_for_self = 0
	note.items[0].qty = -1
	note.items[0].rate = amount
	note.insert(ignore_permissions=True)
	note.submit()
	return note


class OptimarTestCase(IntegrationTestCase):
	"""Every test class of the app: the site has a company, fiscal years and the service item (made once
	per process, committed), whatever ran before on it. On Frappe's integration-test base of each major
	(:mod:`optimar_erp.compat`): v16's runner gives its setup only to subclasses of that class."""

	_site_ready: set[tuple[str, str]] = set()

	TEST_USER_LIMIT = 10_000
	"""Frappe refuses a 61st User within an hour (``throttle_user_limit``, against sign-up spam); the
	suite makes one or more users per role it checks, and a suite run twice in an hour on one site
	(the loops, a developer) passes that. Raised for this process only."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.local.conf.throttle_user_limit = max(
			frappe.local.conf.get("throttle_user_limit") or 0, cls.TEST_USER_LIMIT
		)
		# per site and day: a run with the clock frozen on another day needs that day's fiscal years
		key = (frappe.local.site, today())
		if key not in OptimarTestCase._site_ready:
			ensure_erpnext_setup()
			frappe.db.commit()
			OptimarTestCase._site_ready.add(key)


class CollectionsTestCase(OptimarTestCase):
	"""Runs with Collections Settings changed by ``SETTINGS`` (committed, since dunning runs commit and
	concurrent runs use their own connections) and puts them back afterwards. Each class gets a random
	``suffix`` for the names it creates, so runs of the suite never collide."""

	SETTINGS: dict = {}
	BASE_SETTINGS = {
		"enabled": 1,
		"send_window_start": "00:00:00",
		"send_window_end": "23:59:59",
		"max_touches_per_week": 10,
		"default_dunning_sequence": "Standard B2B",
		# one email per reminder unless a test groups them (the default on a real site)
		"group_reminder_emails": 0,
	}

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		ensure_outgoing_email_account()
		changes = {**cls.BASE_SETTINGS, **cls.SETTINGS}
		settings = frappe.get_single("Collections Settings")
		cls._settings_before = {field: settings.get(field) for field in changes}
		settings.update(changes)
		settings.save(ignore_permissions=True)
		cls.suffix = frappe.generate_hash(length=6)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		settings = frappe.get_single("Collections Settings")
		settings.update(cls._settings_before)
		settings.save(ignore_permissions=True)
		frappe.db.commit()
		super().tearDownClass()


def no_live_dunning_runs() -> None:
	"""Let every Queued/Running Dunning Run's lease pass and fail them, so a test of the scheduler starts
	from a site where no run holds a company (whatever other tests left running)."""

	run = frappe.qb.DocType("Dunning Run")
	frappe.qb.update(run).set(run.lease_expires_at, frappe.utils.add_to_date(None, minutes=-1)).where(
		run.status.isin(("Queued", "Running"))
	).run()
	expire_stale_runs()


def at_once(*calls, timeout: float = 120) -> list:
	"""Run each call on its own thread and database connection, as two workers or two web requests would,
	and return what each returned or the exception it raised, in order. A call gets ``ready``: calling it
	waits until every call has reached that point (so each can read the site before any of them writes).
	Calls commit what they want kept; one that raises is rolled back."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	barrier = threading.Barrier(len(calls))
	outcomes: list = [None] * len(calls)

	def work(index: int, call) -> None:
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		try:
			frappe.set_user("Administrator")
			outcomes[index] = call(lambda: barrier.wait(timeout=30))
		except Exception as e:
			frappe.db.rollback()
			outcomes[index] = e
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=timeout)
	frappe.db.rollback()  # leave this connection's snapshot: see what the calls committed
	return outcomes
