"""A site's state for the browser check of learning collections (``browser_tests/test_learning.py``).

``.ci/run`` runs :func:`prepare` on the site made for the run, before the browser checks
(``bench --site SITE execute optimar_erp.tests.learning_site.prepare``): a customer that paid two days
after 8 of its 10 emailed reminders, one that ignored 10, learning turned on and the nightly job run, then a
Dunning Run whose learned step (its tone learned; a learned send time could wait for the payment run) reminds the first customer of a new overdue
invoice. The clock reads 10:00 of today (the site's time zone) while it works. Everything it makes has names of its own (a random tag), so it can run on any site, again."""

import datetime as dt
from zoneinfo import ZoneInfo

from freezegun import freeze_time

import frappe
from frappe.utils import add_days, get_system_timezone, getdate, now_datetime

from optimar_erp.collections.doctype.dunning_run.test_dunning_run import new_run
from optimar_erp.dunning.run import ACTIVITY_FIELDS, _activity_row, execute_run, insert_rows
from optimar_erp.response.jobs import learn
from optimar_erp.setup.bootstrap import ensure_fiscal_years
from optimar_erp.tests.factories import default_company, make_customer, make_invoice, make_payment

HISTORY_DAYS = 160
"""How long before today the first logged reminder went out."""

PAYER_EVERY = 15
"""Days between the payer's reminders: each falls one weekday later than the one before, as in a real book
(every 14 days would put them all, and its payments, on one weekday)."""


MORNING = dt.time(10, 0)
"""The run's local time, inside any send window: the data are made on today's date at that hour."""


def logged_reminder(customer: str, channel: str, at, k: int) -> tuple:
	"""A Sent reminder of ``channel`` at ``at`` (the ``k``-th of its customer), as an insert_rows row."""
	return _activity_row(
		status="Sent",
		customer=customer,
		company=default_company(),
		channel=channel,
		tone="Polite",
		step_id=f"History:+3:{channel}",
		idempotency_key=f"history|{customer}|{channel}|{k}",
		days_overdue=3,
		creation=at,
		modified=at,
	)


def prepare() -> dict:
	"""Log a history, learn from it and run a learned step; returns the names the browser check looks for."""
	local = dt.datetime.combine(dt.date.today(), MORNING, tzinfo=ZoneInfo(get_system_timezone()))
	with freeze_time(local.astimezone(dt.UTC), tick=True):
		return _prepare()


def _prepare() -> dict:
	frappe.set_user("Administrator")
	ensure_fiscal_years(getdate() - dt.timedelta(days=HISTORY_DAYS + 60), add_days(getdate(), 60))
	settings = frappe.get_single("Collections Settings")
	engine_was_on = settings.enabled
	settings.update(
		{
			"email_enabled": 1,
			"learning_enabled": 1,
			"learning_exploration": 0,
			"learning_outcome_days": 7,
			"learning_min_touches": 20,
		}
	)
	settings.save(ignore_permissions=True)
	tag = frappe.generate_hash(length=5)
	sequence = f"Learned Browser {tag}"
	frappe.get_doc(
		{
			"doctype": "Dunning Sequence",
			"sequence_name": sequence,
			"priority": 0,  # only the customers that name it use it
			"steps": [
				{
					"offset_days": 3,
					"channel": "Email",
					"tone": "Polite",
					"learned_tone": 1,
					"tones": "Polite, Firm",
				}
			],
		}
	).insert(ignore_permissions=True)
	payer = make_customer(f"Learned Payer {tag}", f"payer-{tag}@example.com", dunning_sequence=sequence)
	silent = make_customer(f"Learned Silent {tag}", f"silent-{tag}@example.com")
	start = now_datetime() - dt.timedelta(days=HISTORY_DAYS)
	rows = []
	for customer, touches, every in ((payer, 10, PAYER_EVERY), (silent, 10, 8)):
		for k in range(touches):
			at = start + dt.timedelta(days=every * k)
			rows.append(logged_reminder(customer, "Email", at, k))
	insert_rows("Collection Activity", ACTIVITY_FIELDS, rows)
	for k in range(8):  # the payer paid two days after 8 of its 10 reminders
		invoice = make_invoice(
			payer, 100, due_in_days=-(HISTORY_DAYS + 5), posting_days_ago=HISTORY_DAYS + 10
		)
		make_payment(invoice, posting_date=getdate(start + dt.timedelta(days=PAYER_EVERY * k + 2)))
	frappe.db.commit()
	figures = learn()
	invoice = make_invoice(payer, 640, due_in_days=-3)
	frappe.db.commit()
	run = new_run(payer)
	frappe.db.set_single_value("Collections Settings", "enabled", 1)  # the run sends, not only decides
	try:
		execute_run(run.name)
	finally:
		frappe.db.set_single_value("Collections Settings", "enabled", engine_was_on)
	frappe.db.commit()
	learned = frappe.db.get_value(
		"Collection Activity",
		{"dunning_run": run.name, "learned": 1, "status": "Sent"},
		["name", "choice_reason"],
		as_dict=True,
	)
	if not learned:
		raise RuntimeError(f"The Dunning Run {run.name} sent nothing chosen by the model: {figures}")
	return {"customer": payer, "invoice": invoice, "dunning_run": run.name, "reason": learned.choice_reason}
