"""Fault injection on a real site: dunning never stalls, never sends twice, never loses a reminder and
never sends one the customer should no longer get.

Each test injects one fault (a worker killed between claim and send, SMTP down, a provider error or
timeout, a deadlock on claim, two hourly jobs at once, "Run Again" while chunks are pending, or a change
arriving between claim and send), counts what reached the Email Queue or the provider and
asserts the counts: sent twice 0, lost 0, sent after the customer should no longer get it 0."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

import pymysql

import frappe
from frappe.utils import add_to_date, now_datetime, today

from optimar_erp.api import record_promise
from optimar_erp.collections.doctype.collection_activity.collection_activity import (
	SystemActivityError,
)
from optimar_erp.collections.doctype.dunning_run.dunning_run import DunningRunBusyError, rerun
from optimar_erp.collections.doctype.dunning_run.test_dunning_run import activities, new_run, queued_emails
from optimar_erp.dunning import channels, delivery, lease
from optimar_erp.dunning import run as dunning_run
from optimar_erp.dunning.run import execute_run
from optimar_erp.setup.roles import COLLECTOR
from optimar_erp.tasks import HOURLY_DUNNING_LOCK, hourly_dunning
from optimar_erp.tests.factories import (
	CollectionsTestCase,
	at_once,
	make_customer,
	make_invoice,
	make_payment,
	no_live_dunning_runs,
)
from optimar_erp.tests.test_permissions import make_user


class WorkerKilled(BaseException):
	"""Stands for SIGKILL / OOM: not an Exception, so nothing in the app catches it."""


def email_count(invoices: list[str]) -> dict[str, int]:
	counts = dict.fromkeys(invoices, 0)
	for email in queued_emails(invoices):
		counts[email.reference_name] += 1
	return counts


def expire(run_name: str) -> None:
	"""The lease of the run passes (its worker is gone and time went by)."""
	frappe.db.set_value("Dunning Run", run_name, "lease_expires_at", add_to_date(now_datetime(), minutes=-1))
	frappe.db.commit()


class SlowProvider(BaseHTTPRequestHandler):
	"""An SMS gateway that answers after ``delay`` seconds with ``status``, counting what it received."""

	received = 0
	delay = 0.0
	status = 200

	def do_GET(self):
		import time

		SlowProvider.received += 1
		time.sleep(SlowProvider.delay)
		try:
			self.send_response(SlowProvider.status)
			self.send_header("Content-Length", "2")
			self.end_headers()
			self.wfile.write(b"ok")
		except OSError:
			pass  # the client gave up waiting

	def log_message(self, *args):
		pass


class TestDunningFaults(CollectionsTestCase):
	SETTINGS = {"email_enabled": 1, "call_tasks_enabled": 0, "sms_enabled": 0}

	def customer(self, label: str, **fields) -> str:
		email = f"ap-{frappe.scrub(label)}-{self.suffix}@example.com".lower()
		return make_customer(f"Fault {label} {self.suffix}", email, **fields)

	# ------------------------------------------------------------------------- worker killed

	def test_worker_killed_between_claim_and_send_is_failed_released_and_sent_once_later(self):
		customer = self.customer("Killed")
		invoices = [make_invoice(customer, 500 + i, due_in_days=-7) for i in range(3)]
		frappe.db.commit()
		run = new_run(customer)

		def killed(*args, **kwargs):
			raise WorkerKilled

		with patch.object(delivery, "deliver", killed), self.assertRaises(WorkerKilled):
			execute_run(run.name)
		frappe.db.rollback()
		self.assertEqual(frappe.db.get_value("Dunning Run", run.name, "status"), "Running")
		self.assertEqual(sorted(a.status for a in activities(customer)), ["Queued"] * 3)

		# while its lease lasts, nobody may cancel or re-run it, and the hourly job leaves it be

		with self.assertRaises(DunningRunBusyError):
			rerun(run.name)
		self.assertEqual(lease.expire_stale_runs(), [])

		expire(run.name)
		self.assertEqual(lease.expire_stale_runs(), [run.name])
		status, error = frappe.db.get_value("Dunning Run", run.name, ["status", "error"])
		self.assertEqual(status, "Failed")
		self.assertIn("lease expired", error)
		self.assertEqual(sorted(a.status for a in activities(customer)), ["Skipped"] * 3)

		# the next run decides them again and sends each exactly once; nothing is lost
		later = new_run(customer)
		execute_run(later.name)
		self.assertEqual(email_count(invoices), dict.fromkeys(invoices, 1))
		self.assertEqual(sorted(a.status for a in activities(customer)), ["Sent"] * 3)
		self.assertEqual(frappe.db.get_value("Dunning Run", later.name, "status"), "Completed")
		# a late start of the dead run's job does nothing
		self.assertEqual(execute_run(run.name)["actions"], 0)
		self.assertEqual(email_count(invoices), dict.fromkeys(invoices, 1))

	def test_hourly_job_fails_a_stuck_run_and_carries_on(self):

		customer = self.customer("Stuck")
		invoice = make_invoice(customer, 640, due_in_days=-7)
		no_live_dunning_runs()
		stuck = new_run(customer)
		frappe.db.set_value("Dunning Run", stuck.name, "status", "Running")
		expire(stuck.name)
		created = hourly_dunning()
		self.assertEqual(frappe.db.get_value("Dunning Run", stuck.name, "status"), "Failed")
		self.assertTrue(created, "a stuck run must not block the company's next run")
		for name in created:
			execute_run(name)
		self.assertEqual(email_count([invoice]), {invoice: 1})

	def test_a_stuck_run_can_be_cancelled_from_the_desk(self):
		customer = self.customer("Cancel")
		make_invoice(customer, 320, due_in_days=-7)
		run = new_run(customer)
		frappe.db.commit()
		run.reload()

		with self.assertRaises(DunningRunBusyError):
			run.cancel()
		frappe.db.rollback()
		expire(run.name)
		run.reload()
		run.cancel()
		self.assertEqual(
			frappe.db.get_value("Dunning Run", run.name, ["docstatus", "status"]), (2, "Cancelled")
		)

	def test_a_reminder_sending_when_its_worker_died(self):
		"""An email mid-send had not committed, so it is decided again; an SMS may have left, so a person
		checks it and nothing sends it again."""
		customer = self.customer("MidSend")
		invoice = make_invoice(customer, 410, due_in_days=-7)
		texted = self.customer("MidSendSms", mobile_no="+15550001111", collector="Administrator")
		sms_invoice = make_invoice(texted, 120, due_in_days=-7)
		frappe.db.commit()
		run = new_run(customer)
		with patch.object(delivery, "deliver", lambda *a, **k: None):
			execute_run(run.name)
		(row,) = activities(customer)
		frappe.db.set_value("Collection Activity", row.name, "status", "Sending", update_modified=False)
		sms = frappe.get_doc(
			{
				"doctype": "Collection Activity",
				"activity_type": "Reminder",
				"status": "Sending",
				"customer": texted,
				"sales_invoice": sms_invoice,
				"invoices": sms_invoice,
				"channel": "SMS",
				"recipient": "+15550001111",
				"dunning_run": run.name,
				"idempotency_key": f"{sms_invoice}|fault-sms",
			}
		)
		sms.flags.system_send = True
		sms.insert(ignore_permissions=True)
		expire(run.name)
		lease.expire_stale_runs()
		self.assertEqual(frappe.db.get_value("Collection Activity", row.name, "status"), "Skipped")
		self.assertEqual(frappe.db.get_value("Collection Activity", sms.name, "status"), "Unknown")
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_type": "Collection Activity", "reference_name": sms.name})
		)
		execute_run(new_run(customer).name)
		self.assertEqual(email_count([invoice]), {invoice: 1})
		frappe.db.set_value(
			"Collection Activity", sms.name, "next_retry_at", add_to_date(now_datetime(), hours=-1)
		)
		self.assertEqual(delivery.retry_failed()["sent"], 0)

	# ------------------------------------------------------------------------- send failures

	def test_smtp_down_fails_one_row_not_the_batch_and_the_retry_sends_it_once(self):
		import smtplib

		customer = self.customer("Smtp")
		invoices = [make_invoice(customer, 200 + i, due_in_days=-7) for i in range(3)]
		frappe.db.commit()
		real = channels.send_email
		calls = {"n": 0}

		def flaky(*args, **kwargs):
			calls["n"] += 1
			if calls["n"] == 1:
				raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
			return real(*args, **kwargs)

		with patch.object(channels, "send_email", flaky):
			execute_run(new_run(customer).name)
		statuses = sorted(a.status for a in activities(customer))
		self.assertEqual(statuses, ["Failed", "Sent", "Sent"])
		failed = activities(customer, status="Failed")[0]
		self.assertIn("SMTPServerDisconnected", failed.reason)
		self.assertEqual(sum(email_count(invoices).values()), 2)

		frappe.db.set_value(
			"Collection Activity", failed.name, "next_retry_at", add_to_date(now_datetime(), minutes=-1)
		)
		frappe.db.commit()
		delivery.retry_failed()
		delivery.retry_failed()
		self.assertEqual(email_count(invoices), dict.fromkeys(invoices, 1))

	def test_a_template_error_ends_its_row_attempts_are_counted_and_the_last_failure_reaches_a_person(self):
		customer = self.customer("Template", collector="Administrator")
		invoice = make_invoice(customer, 900, due_in_days=-7)
		frappe.db.commit()
		with patch.object(delivery, "compose", side_effect=ValueError("template broke")):
			execute_run(new_run(customer).name)
			(row,) = activities(customer)
			for _attempt in range(4):
				frappe.db.set_value(
					"Collection Activity", row.name, "next_retry_at", add_to_date(now_datetime(), minutes=-1)
				)
				delivery.retry_failed()
		status, attempts, next_retry = frappe.db.get_value(
			"Collection Activity", row.name, ["status", "attempts", "next_retry_at"]
		)
		self.assertEqual((status, attempts, next_retry), ("Failed", 5, None))
		todo = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Collection Activity", "reference_name": row.name},
			pluck="description",
		)
		self.assertEqual(len(todo), 1)
		self.assertIn("Gave up after 5 attempts", todo[0])
		self.assertEqual(email_count([invoice]), {invoice: 0})

	def test_provider_timeout_is_unknown_never_retried_and_a_person_is_told(self):
		server = ThreadingHTTPServer(("127.0.0.1", 0), SlowProvider)
		threading.Thread(target=server.serve_forever, daemon=True).start()
		sms = frappe.get_single("SMS Settings")
		before = {f: sms.get(f) for f in ("sms_gateway_url", "message_parameter", "receiver_parameter")}
		sms.update(
			{
				"sms_gateway_url": f"http://127.0.0.1:{server.server_address[1]}/send",
				"message_parameter": "text",
				"receiver_parameter": "to",
			}
		)
		sms.save(ignore_permissions=True)
		frappe.db.set_single_value("Collections Settings", "sms_enabled", 1)
		sequence = frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": f"SMS only {self.suffix}",
				"priority": 0,
				"steps": [{"offset_days": 3, "channel": "SMS", "tone": "Firm"}],
			}
		).insert(ignore_permissions=True)
		customer = self.customer(
			"Timeout", mobile_no="+15550002222", collector="Administrator", dunning_sequence=sequence.name
		)
		make_invoice(customer, 300, due_in_days=-4)
		frappe.db.commit()
		SlowProvider.received, SlowProvider.delay = 0, 2.0
		try:
			with patch.object(channels, "PROVIDER_TIMEOUT", (2, 0.5)):
				execute_run(new_run(customer).name)
			(row,) = activities(customer)
			self.assertEqual(row.status, "Unknown")
			self.assertIn("did not answer in time", row.reason)
			self.assertTrue(
				frappe.db.exists(
					"ToDo", {"reference_type": "Collection Activity", "reference_name": row.name}
				)
			)
			frappe.db.set_value(
				"Collection Activity", row.name, "next_retry_at", add_to_date(now_datetime(), hours=-1)
			)
			delivery.retry_failed()
			execute_run(new_run(customer).name)
			self.assertEqual(SlowProvider.received, 1)
		finally:
			server.shutdown()
			for field, value in before.items():  # as they were, even empty on a new site
				frappe.db.set_single_value("SMS Settings", field, value)
			frappe.db.set_single_value("Collections Settings", "sms_enabled", 0)
			sequence.db_set("enabled", 0)
			frappe.db.commit()

	# ------------------------------------------------------------------------- concurrency

	def test_a_write_conflict_on_claim_is_retried(self):
		"""Each shape the claim's insert fails in when another transaction holds or changed its rows, as
		Frappe raises it: a deadlock (``QueryDeadlockError`` around MariaDB's 1213), and a snapshot
		conflict of MariaDB 11.6+ (1020; v16 wraps it like a deadlock, v15 raises it as it came)."""
		deadlock = pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock")
		changed = pymysql.err.OperationalError(1020, "Record has changed since last read")
		for label, error in (
			("Deadlock", frappe.QueryDeadlockError(deadlock)),
			("Snapshot v16", frappe.QueryDeadlockError(changed)),
			("Snapshot v15", changed),
		):
			with self.subTest(label):
				customer = self.customer(label)
				invoice = make_invoice(customer, 750, due_in_days=-7)
				frappe.db.commit()
				real = dunning_run.insert_rows
				calls = {"n": 0}

				def conflicting(*args, error=error, calls=calls, real=real, **kwargs):
					calls["n"] += 1
					if calls["n"] == 1:
						raise error
					return real(*args, **kwargs)

				with patch.object(dunning_run, "insert_rows", conflicting):
					execute_run(new_run(customer).name)
				self.assertEqual(calls["n"], 2)
				self.assertEqual(email_count([invoice]), {invoice: 1})

	def test_other_errors_on_claim_are_not_retried(self):
		customer = self.customer("Not Retried")
		make_invoice(customer, 760, due_in_days=-7)
		frappe.db.commit()
		calls = {"n": 0}

		def failing(*args, **kwargs):
			calls["n"] += 1
			raise pymysql.err.OperationalError(1205, "Lock wait timeout exceeded")

		run = new_run(customer)
		with (
			patch.object(dunning_run, "insert_rows", failing),
			self.assertRaises(pymysql.err.OperationalError),
		):
			execute_run(run.name)
		self.assertEqual(calls["n"], 1)

	def test_two_hourly_jobs_at_once_start_one_run(self):

		customer = self.customer("Hourly")
		make_invoice(customer, 130, due_in_days=-7)
		no_live_dunning_runs()
		# the other job holds the lock in its own connection
		other = pymysql.connect(
			host=frappe.conf.db_host or "127.0.0.1",
			port=int(frappe.conf.db_port or 3306),
			user=frappe.conf.db_user or frappe.conf.db_name,
			password=frappe.conf.db_password,
			database=frappe.conf.db_name,
		)
		try:
			with other.cursor() as cursor:
				cursor.execute("select get_lock(%s, 0)", (HOURLY_DUNNING_LOCK,))
				self.assertEqual(cursor.fetchone()[0], 1)
				self.assertEqual(hourly_dunning(), [])
				cursor.execute("select release_lock(%s)", (HOURLY_DUNNING_LOCK,))
		finally:
			other.close()
		self.assertTrue(hourly_dunning())
		frappe.db.rollback()

	def test_run_again_while_chunks_are_pending_sends_each_once(self):
		customer = self.customer("Chunks")
		invoices = [make_invoice(customer, 100 + i, due_in_days=-7) for i in range(4)]
		frappe.db.commit()
		jobs = []

		def enqueue(method, **kwargs):
			jobs.append(kwargs)

		run = new_run(customer)
		with (
			patch.object(dunning_run, "SEND_INLINE_UP_TO", 0),
			patch.object(dunning_run, "CHUNK_SIZE", 2),
			patch.object(frappe, "enqueue", enqueue),
		):
			execute_run(run.name)
		self.assertEqual(len(jobs), 2)
		# not Completed while chunks are pending
		self.assertEqual(frappe.db.get_value("Dunning Run", run.name, "status"), "Running")
		dunning_run.deliver_chunk(jobs[0]["activities"], run.name)
		self.assertEqual(frappe.db.get_value("Dunning Run", run.name, "status"), "Running")

		expire(run.name)
		with patch.object(frappe, "enqueue", enqueue):
			rerun(run.name)
		self.assertEqual(frappe.db.get_value("Dunning Run", run.name, "status"), "Queued")
		self.assertEqual(sorted(a.status for a in activities(customer)), ["Queued", "Queued", "Sent", "Sent"])
		summary = execute_run(run.name)
		self.assertNotIn("not_started", summary)
		# the old pending chunk finally runs: its rows were sent by the re-run
		self.assertEqual(dunning_run.deliver_chunk(jobs[1]["activities"], run.name)["sent"], 0)
		self.assertEqual(email_count(invoices), dict.fromkeys(invoices, 1))
		self.assertEqual(frappe.db.get_value("Dunning Run", run.name, "status"), "Completed")

	def test_the_same_rows_delivered_twice_at_once_go_once(self):
		customer = self.customer("Twice")
		invoices = [make_invoice(customer, 300 + i, due_in_days=-7) for i in range(4)]
		frappe.db.commit()
		run = new_run(customer)
		with patch.object(delivery, "deliver", lambda *a, **k: None):
			execute_run(run.name)
		names = [a.name for a in activities(customer)]

		def worker(ready):
			ready()
			return delivery.deliver(names, run.name)

		outcomes = at_once(worker, worker)
		self.assertEqual([o for o in outcomes if isinstance(o, Exception)], [])
		self.assertEqual(email_count(invoices), dict.fromkeys(invoices, 1))
		self.assertEqual(sorted(a.status for a in activities(customer)), ["Sent"] * 4)

	# ------------------------------------------------------------------- changes between claim and send

	def _claim_then(self, label: str, change, **customer_fields) -> tuple[str, str, str]:
		"""Claim one +7 reminder, apply ``change(customer, invoice)`` (committed), then deliver it."""
		customer = self.customer(label, **customer_fields)
		invoice = make_invoice(customer, 870, due_in_days=-7)
		frappe.db.commit()
		real = delivery.deliver

		def change_then_deliver(names, run_name=None):
			change(customer, invoice)
			frappe.db.commit()
			return real(names, run_name)

		with patch.object(delivery, "deliver", change_then_deliver):
			execute_run(new_run(customer).name)
		(row,) = activities(customer, activity_type="Reminder")
		return customer, invoice, row

	def assert_held_back(self, invoice: str, row, words: str):
		self.assertEqual(row.status, "Skipped")
		self.assertIn(words, row.reason)
		self.assertEqual(email_count([invoice]), {invoice: 0})

	def test_opt_out_between_claim_and_send(self):
		_c, invoice, row = self._claim_then(
			"OptOut", lambda c, i: frappe.db.set_value("Customer", c, "do_not_contact", 1)
		)
		self.assert_held_back(invoice, row, "do-not-contact")

	def test_payment_between_claim_and_send(self):
		_c, invoice, row = self._claim_then("Payment", lambda c, i: make_payment(i))
		self.assert_held_back(invoice, row, "Paid before")

	def test_dispute_between_claim_and_send(self):
		def dispute(customer, invoice):
			frappe.get_doc(
				{
					"doctype": "Dispute",
					"customer": customer,
					"sales_invoice": invoice,
					"disputed_amount": 870,
					"reason_code": "Pricing",
					"description": "Wrong unit price",
				}
			).insert(ignore_permissions=True)

		_c, invoice, row = self._claim_then("Dispute", dispute)
		self.assert_held_back(invoice, row, "dispute")

	def test_promise_between_claim_and_send(self):

		_c, invoice, row = self._claim_then(
			"Promise",
			lambda c, i: record_promise(c, 870, frappe.utils.add_days(today(), 5), invoices=[i]),
		)
		self.assert_held_back(invoice, row, "promise to pay")

	def test_hold_snooze_and_new_address_between_claim_and_send(self):
		cases = [
			("Hold", {"collections_hold": 1}, "on hold"),
			("Snooze", {"collections_snoozed_until": frappe.utils.add_days(today(), 3)}, "wait"),
			("Moved", {"email_id": "new-ap@example.com"}, "no longer a contact"),
		]
		for label, fields, words in cases:
			with self.subTest(label):
				_c, invoice, row = self._claim_then(
					label, lambda c, i, fields=fields: frappe.db.set_value("Customer", c, fields)
				)
				self.assert_held_back(invoice, row, words)

	def test_engine_switched_off_stops_delivery_and_retries(self):
		def switch_off(customer, invoice):
			frappe.db.set_single_value("Collections Settings", "enabled", 0)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")

		try:
			_c, invoice, row = self._claim_then("Off", switch_off)
			self.assert_held_back(invoice, row, "turned off")
		finally:
			frappe.db.set_single_value("Collections Settings", "enabled", 1)
			frappe.clear_document_cache("Collections Settings", "Collections Settings")
			frappe.db.commit()

	def test_retry_after_opt_out_sends_nothing(self):
		customer = self.customer("RetryOptOut")
		invoice = make_invoice(customer, 990, due_in_days=-7)
		frappe.db.commit()
		with patch.object(channels, "send_email", side_effect=channels.ChannelError("SMTP down")):
			execute_run(new_run(customer).name)
		(row,) = activities(customer)
		self.assertEqual(row.status, "Failed")
		frappe.db.set_value("Customer", customer, "do_not_contact", 1)
		frappe.db.set_value(
			"Collection Activity", row.name, "next_retry_at", add_to_date(now_datetime(), minutes=-1)
		)
		frappe.db.commit()
		delivery.retry_failed()
		self.assert_held_back(invoice, activities(customer)[0], "do-not-contact")

	# ------------------------------------------------------------------- forged reminders (security)

	def test_a_collector_cannot_make_or_redirect_a_reminder(self):
		"""Done live before: a Collector wrote a Failed reminder to an outside address with another
		customer's invoice, and the retry job mailed the PDFs as Administrator."""

		collector = make_user(f"fault.collector.{self.suffix}@example.com", (COLLECTOR,))
		victim = self.customer("Victim")
		invoice = make_invoice(victim, 4100, due_in_days=-7)
		execute_run(new_run(victim).name)
		(sent,) = activities(victim)
		frappe.set_user(collector)
		try:
			forged = frappe.get_doc(
				{
					"doctype": "Collection Activity",
					"activity_type": "Reminder",
					"status": "Failed",
					"customer": victim,
					"sales_invoice": invoice,
					"invoices": invoice,
					"channel": "Email",
					"recipient": "attacker@evil.example",
					"next_retry_at": add_to_date(now_datetime(), hours=-1),
				}
			)
			with self.assertRaises(SystemActivityError):
				forged.insert()
			mine = frappe.get_doc("Collection Activity", sent.name)
			mine.recipient = "attacker@evil.example"
			mine.status = "Failed"
			with self.assertRaises(SystemActivityError):
				mine.save()
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(
			frappe.db.get_value("Collection Activity", sent.name, ["recipient", "status"]),
			(frappe.db.get_value("Customer", victim, "email_id"), "Sent"),
		)

	def test_a_forged_row_that_bypassed_the_form_sends_nothing_and_blocks_no_genuine_retry(self):
		victim = self.customer("ForgedVictim")
		invoice = make_invoice(victim, 2300, due_in_days=-7)
		genuine_customer = self.customer("Genuine")
		genuine_invoice = make_invoice(genuine_customer, 610, due_in_days=-7)
		frappe.db.commit()
		with patch.object(channels, "send_email", side_effect=channels.ChannelError("SMTP down")):
			execute_run(new_run(genuine_customer).name)
		(genuine,) = activities(genuine_customer)

		def forge(**values):
			doc = frappe.get_doc(
				{
					"doctype": "Collection Activity",
					"activity_type": "Reminder",
					"status": "Failed",
					"channel": "Email",
					"dunning_sequence": "Standard B2B",
					"step_id": "Standard B2B:+7:Email",
					"next_retry_at": add_to_date(now_datetime(), hours=-2),
					**values,
				}
			)
			doc.flags.system_send = True  # as if written past the form (SQL, an old bug)
			doc.insert(ignore_permissions=True)
			return doc.name

		outside = forge(
			customer=victim, sales_invoice=invoice, invoices=invoice, recipient="attacker@evil.example"
		)
		cross = forge(
			customer=genuine_customer,
			sales_invoice=genuine_invoice,
			invoices=f"{genuine_invoice}, {invoice}",
			recipient=frappe.db.get_value("Customer", genuine_customer, "email_id"),
		)
		broken = forge(
			customer=victim,
			sales_invoice=invoice,
			invoices=invoice,
			recipient=frappe.db.get_value("Customer", victim, "email_id"),
			step_id="no-such-step",
		)
		frappe.db.set_value(
			"Collection Activity", genuine.name, "next_retry_at", add_to_date(now_datetime(), hours=-1)
		)
		frappe.db.commit()
		delivery.retry_failed()
		status = dict(
			frappe.get_all(
				"Collection Activity",
				filters={"name": ("in", [outside, cross, broken, genuine.name])},
				fields=["name", "status"],
				as_list=True,
			)
		)
		self.assertEqual(status[outside], "Skipped")
		self.assertEqual(status[cross], "Skipped")
		self.assertEqual(status[broken], "Failed")
		self.assertEqual(status[genuine.name], "Sent")
		self.assertFalse(
			frappe.db.exists("Email Queue Recipient", {"recipient": "attacker@evil.example"}),
			"nothing may be mailed to an address that is not the customer's",
		)
		self.assertEqual(email_count([invoice]), {invoice: 0})
		self.assertEqual(email_count([genuine_invoice]), {genuine_invoice: 1})
