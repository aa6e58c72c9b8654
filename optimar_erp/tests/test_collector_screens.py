"""What a Collector sees: the Collections workspace (cards, charts, shortcuts, links), the Customer's and
the Sales Invoice's timelines, Collector Productivity and the breadcrumbs of the app's pages.

Everything is checked as a user with the roles a collector is given (Collector and Accounts User), through
the calls the Desk makes (``get_desktop_page``, ``getdoc``, ``query_report.run``).
"""

import json
from pathlib import Path

import frappe
from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items
from frappe.desk.doctype.workspace.workspace import Workspace
from frappe.desk.form.load import get_additional_timeline_content, getdoc
from frappe.desk.query_report import run
from frappe.utils import add_days, today

from optimar_erp import api
from optimar_erp.setup.roles import COLLECTOR
from optimar_erp.tests.factories import (
	OptimarTestCase,
	default_company,
	make_customer,
	make_invoice,
	make_receipt,
)
from optimar_erp.tests.test_permissions import make_user

WORKSPACE = "Collections"
MSME_REPORT = "MSME Payment Deadlines"


def desktop_page(user: str) -> dict:
	"""The Collections workspace as ``user``'s Desk receives it."""
	frappe.set_user(user)
	try:
		return get_desktop_page(json.dumps({"name": WORKSPACE, "title": WORKSPACE, "public": 1}))
	finally:
		frappe.set_user("Administrator")


def shown_links(page: dict) -> list[tuple[str, str]]:
	"""(type, name) of every shortcut and card link the page shows."""
	found = [(s["type"], s["link_to"]) for s in page["shortcuts"]["items"]]
	for card in page["cards"]["items"]:
		found += [(link["link_type"], link["link_to"]) for link in card["links"]]
	return found


def forget_system_settings() -> None:
	"""The next ``frappe.get_system_settings`` reads the database again (it is kept per request)."""
	frappe.clear_document_cache("System Settings", "System Settings")
	if hasattr(frappe.local, "system_settings"):
		del frappe.local.system_settings


class TestCollectionsWorkspace(OptimarTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		suffix = frappe.generate_hash(length=6)
		cls.company = default_company()
		cls.collector = make_user(f"screens.collector.{suffix}@example.com", (COLLECTOR, "Accounts User"))
		cls.collector_only = make_user(f"screens.bare.{suffix}@example.com", (COLLECTOR,))
		# a receipt nobody matched yet: the Cash Application report has a row to show (its rows are what
		# refused non-System-Managers, see test_no_shortcut_or_link_a_collector_cannot_open)
		customer = make_customer(f"Screens {suffix}")
		make_receipt(make_invoice(customer, 300, due_in_days=-5), 120)
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_a_collector_sees_every_number_card_and_chart(self):
		"""Before: no number card at all (a blank gap): Frappe shows a Custom card to a non-System-Manager
		only when he reads the card's Document Type, and ours had none."""
		page = desktop_page(self.collector)
		workspace = frappe.get_doc("Workspace", WORKSPACE)
		self.assertEqual(
			[c.get("number_card_name") for c in page["number_cards"]["items"]],
			[c.number_card_name for c in workspace.number_cards],
		)
		self.assertEqual(
			[c.get("chart_name") for c in page["charts"]["items"]], [c.chart_name for c in workspace.charts]
		)
		frappe.set_user(self.collector)
		for card in page["number_cards"]["items"]:
			method = frappe.db.get_value("Number Card", card.get("number_card_name"), "method")
			with self.subTest(card.get("number_card_name")):
				self.assertIn("value", frappe.call(method, filters={"company": self.company}))

	def test_a_card_is_shown_only_to_who_may_read_its_figures(self):
		"""The cards' figures are the company's receivables: a Collector who does not read Sales Invoices
		sees no card (rather than cards that fail)."""
		page = desktop_page(self.collector_only)
		self.assertEqual(page["number_cards"]["items"], [])
		frappe.set_user(self.collector_only)
		for name in frappe.get_all("Number Card", {"module": "Collections"}, pluck="method"):
			with self.subTest(name), self.assertRaises(frappe.PermissionError):
				frappe.call(name, filters={"company": self.company})

	def test_no_shortcut_or_link_a_collector_cannot_open(self):
		"""Before: a Cash Application shortcut that answered 403 and left an Error Log entry (its Link to
		DocType column needed read on DocType, which only a System Manager has); now it opens."""
		links = shown_links(desktop_page(self.collector))
		self.assertIn(("Report", "Collections Worklist"), links)
		self.assertIn(("Report", "Cash Application"), links)
		frappe.set_user(self.collector)
		for link_type, name in links:
			with self.subTest(name):
				if link_type == "DocType":
					self.assertTrue(frappe.has_permission(name, "read"))
				else:
					self.assertEqual(link_type, "Report")
					result = run(name, filters={"company": self.company}, ignore_prepared_report=True)
					self.assertTrue(result["columns"])

	def test_the_msme_report_shows_only_on_an_indian_site(self):
		"""India's MSMED Act 45-day rule means nothing to a US company: the link is ``only_for`` India
		(Frappe compares it with System Settings' country, as ERPNext's UAE VAT 201 link does)."""
		before = frappe.get_system_settings("country")
		try:
			for country, shown in (("United States", False), ("India", True)):
				frappe.db.set_single_value("System Settings", "country", country)
				forget_system_settings()
				with self.subTest(country):
					links = shown_links(desktop_page(self.collector))
					self.assertEqual(("Report", MSME_REPORT) in links, shown)
		finally:
			frappe.db.set_single_value("System Settings", "country", before)
			forget_system_settings()


def timeline(user: str, doctype: str, name: str) -> list[dict]:
	"""The additional timeline entries of a form as ``user``'s Desk loads it."""
	frappe.set_user(user)
	try:
		getdoc(doctype, name)
		return frappe.response.docinfo.additional_timeline_content
	finally:
		frappe.set_user("Administrator")


def kinds(entries: list[dict]) -> list[str]:
	"""The activity type each entry links to, oldest first."""
	found = []
	for entry in sorted(entries, key=lambda e: e["creation"]):
		for kind in ("Call", "Note", "Promise", "Dispute", "Reminder"):
			if f">{kind}</a>" in entry["content"]:
				found.append(kind)
	return found


class TestTimelines(OptimarTestCase):
	"""Before: calls, promises and disputes were in no timeline; only the reminders (Communications)."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		suffix = frappe.generate_hash(length=6)
		cls.collector = (
			frappe.get_doc(
				{
					"doctype": "User",
					"email": f"timeline.collector.{suffix}@example.com",
					"first_name": "Jane",
					"last_name": f"Timeline {suffix}",
					"send_welcome_email": 0,
					"roles": [{"role": COLLECTOR}, {"role": "Accounts User"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
		cls.sales_user = make_user(f"timeline.sales.{suffix}@example.com", ("Sales User",))
		cls.customer = make_customer(f"Timeline {suffix}")
		cls.first = make_invoice(cls.customer, 400, due_in_days=-10)
		cls.second = make_invoice(cls.customer, 600, due_in_days=-5)
		# a reminder the dunning run sent: in the timeline already, as its Communication
		reminder = frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Reminder",
				"status": "Sent",
				"channel": "Email",
				"customer": cls.customer,
				"sales_invoice": cls.first,
			}
		)
		reminder.flags.system_send = True
		reminder.insert(ignore_permissions=True)
		frappe.set_user(cls.collector)
		api.log_call(
			cls.customer,
			"Reached - Will Pay",
			notes="<img src=x onerror=alert(1)> pays Friday",
			next_action_date=add_days(today(), 3),
			sales_invoice=cls.first,
		)
		api.record_promise(cls.customer, 1000, add_days(today(), 7), invoices=[cls.first, cls.second])
		api.raise_dispute(cls.second, "Pricing", "Wrong unit price")
		frappe.set_user("Administrator")
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_the_customer_timeline_shows_what_people_did(self):
		entries = timeline(self.collector, "Customer", self.customer)
		self.assertEqual(kinds(entries), ["Call", "Promise", "Dispute"])
		call = next(e for e in entries if ">Call</a>" in e["content"])
		self.assertEqual(call["icon"], "call")
		self.assertIn("Jane Timeline", call["content"])  # the collector by name, not by email
		self.assertNotIn(self.collector, call["content"])
		self.assertIn("Reached - Will Pay", call["content"])
		self.assertIn("pays Friday", call["content"])
		self.assertNotIn("<img", call["content"])  # what a person typed is text, never markup

	def test_an_invoice_timeline_shows_what_concerns_that_invoice(self):
		self.assertEqual(kinds(timeline(self.collector, "Sales Invoice", self.first)), ["Call", "Promise"])
		self.assertEqual(
			kinds(timeline(self.collector, "Sales Invoice", self.second)), ["Promise", "Dispute"]
		)

	def test_the_entries_link_to_the_promise_and_the_dispute(self):
		entries = get_additional_timeline_content("Customer", self.customer)
		promise = frappe.db.get_value("Promise To Pay", {"customer": self.customer})
		dispute = frappe.db.get_value("Dispute", {"sales_invoice": self.second})
		content = " ".join(e["content"] for e in entries)
		self.assertIn(f'href="/app/promise-to-pay/{promise}"', content)
		self.assertIn(f'href="/app/dispute/{dispute}"', content)

	def test_who_does_not_read_activities_sees_none(self):
		"""A Sales User reads the Customer but not the collections activities."""
		self.assertEqual(timeline(self.sales_user, "Customer", self.customer), [])


class TestCollectorProductivity(OptimarTestCase):
	"""Before: the dunning run's reminders were her touches (16 on a day she did nothing), collectors were
	email addresses, and the broken-promise alerts the scheduler records were Administrator's touches."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		suffix = frappe.generate_hash(length=6)
		cls.company = default_company()
		cls.idle, cls.busy = (
			frappe.get_doc(
				{
					"doctype": "User",
					"email": f"productivity.{first.lower()}.{suffix}@example.com",
					"first_name": first,
					"last_name": f"Productivity {suffix}",
					"send_welcome_email": 0,
					"roles": [{"role": COLLECTOR}, {"role": "Accounts User"}],
				}
			)
			.insert(ignore_permissions=True)
			.name
			for first in ("Idle", "Busy")
		)
		idle_customer = make_customer(f"Productivity Idle {suffix}", collector=cls.idle)
		busy_customer = make_customer(f"Productivity Busy {suffix}", collector=cls.busy)
		idle_invoice = make_invoice(idle_customer, 500, due_in_days=-20)
		busy_invoice = make_invoice(busy_customer, 700, due_in_days=-20)
		for _n in range(3):  # what the dunning run sent the idle collector's customer
			reminder = frappe.get_doc(
				{
					"doctype": "Collection Activity",
					"activity_type": "Reminder",
					"status": "Sent",
					"channel": "Email",
					"customer": idle_customer,
					"sales_invoice": idle_invoice,
				}
			)
			reminder.flags.system_send = True
			reminder.insert(ignore_permissions=True)
		# the scheduler's note of a broken promise (it runs as Administrator): nobody's touch
		frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Promise",
				"status": "Done",
				"customer": idle_customer,
				"sales_invoice": idle_invoice,
				"message": "Promise broken",
			}
		).insert(ignore_permissions=True)
		frappe.set_user(cls.busy)
		api.log_call(busy_customer, "Reached - Will Pay", sales_invoice=busy_invoice)
		frappe.set_user("Administrator")
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")

	def _rows(self) -> tuple[dict, dict]:
		frappe.set_user(self.busy)
		result = run(
			"Collector Productivity",
			filters={"company": self.company, "from_date": add_days(today(), -1), "to_date": today()},
			ignore_prepared_report=True,
		)
		rows = {r["collector"]: r for r in result["result"] if isinstance(r, dict) and r.get("collector")}
		return rows, result["chart"]

	def test_the_system_s_reminders_are_not_her_touches(self):
		rows, _chart = self._rows()
		idle = rows[self.idle]
		self.assertEqual((idle["touches"], idle["calls"], idle["sent_by_system"]), (0, 0, 3))
		busy = rows[self.busy]
		self.assertEqual((busy["touches"], busy["calls"], busy["sent_by_system"]), (1, 1, 0))
		# Administrator may be some customer's collector: what the system sends them counts apart, and what
		# the scheduler records as Administrator is never a touch
		self.assertEqual(rows.get("Administrator", {}).get("touches", 0), 0)

	def test_collectors_by_full_name(self):
		rows, chart = self._rows()
		self.assertEqual(rows[self.idle]["collector_name"], frappe.utils.get_fullname(self.idle))
		self.assertTrue(rows[self.idle]["collector_name"].startswith("Idle Productivity"))
		self.assertIn(rows[self.busy]["collector_name"], chart["data"]["labels"])
		self.assertNotIn(self.busy, chart["data"]["labels"])


class TestBreadcrumbs(OptimarTestCase):
	"""Frappe's Desk files a page's breadcrumb under the workspace of a module (frappe.breadcrumbs): a form
	or list under its doctype's module, a query report under its ref doctype's module, which our
	collections_actions.js replaces with the report's own module for the app's reports. Either way it
	lands on Collections only if the module is Collections, the module has that workspace and the user's
	Desk lists it. Before: the app's reports sat under Selling and Accounting."""

	def test_every_page_of_the_app_is_in_the_collections_module(self):
		"""Every doctype and report the app defines, as the site has it."""
		root = Path(frappe.get_app_path("optimar_erp"))
		for kind, folder in (("DocType", "doctype"), ("Report", "report")):
			for path in sorted(root.glob(f"*/{folder}/*/*.json")):
				name = json.loads(path.read_text())["name"]
				with self.subTest(name):
					self.assertEqual(frappe.db.get_value(kind, name, "module"), "Collections")
		self.assertEqual(Workspace.get_module_wise_workspaces()["Collections"], [WORKSPACE])

	def test_a_collectors_desk_knows_the_collections_workspace(self):
		collector = make_user(
			f"breadcrumbs.collector.{frappe.generate_hash(length=6)}@example.com",
			(COLLECTOR, "Accounts User"),
		)
		frappe.set_user(collector)
		try:
			pages = get_workspace_sidebar_items()["pages"]
		finally:
			frappe.set_user("Administrator")
		self.assertIn((WORKSPACE, "Collections"), [(p.name, p.module) for p in pages])
