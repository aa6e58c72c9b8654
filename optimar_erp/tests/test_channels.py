"""SMS and WhatsApp reminders against a real HTTP server on 127.0.0.1: exact payloads, provider
errors recorded and retried with backoff, nothing lost and nothing sent twice."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import frappe
from frappe.utils import add_to_date, now_datetime

from optimar_erp.collections.doctype.dunning_run.test_dunning_run import new_run
from optimar_erp.dunning.delivery import retry_failed
from optimar_erp.dunning.run import execute_run
from optimar_erp.tests.factories import CollectionsTestCase, make_customer, make_invoice


class Provider(BaseHTTPRequestHandler):
	"""Records every request; answers with the status the test sets."""

	requests: list[dict] = []
	status = 200

	def do_POST(self):
		body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
		self._record(body)

	def do_GET(self):
		self._record("")

	def _record(self, body):
		Provider.requests.append(
			{"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
		)
		payload = {"messages": [{"id": f"wamid.{len(Provider.requests)}"}]}
		if Provider.status >= 400:
			payload = {"error": {"message": "(#131047) Re-engagement message", "code": 131047}}
		data = json.dumps(payload).encode()
		self.send_response(Provider.status)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		self.end_headers()
		self.wfile.write(data)

	def log_message(self, *args):
		pass


class TestChannels(CollectionsTestCase):
	@classmethod
	def setUpClass(cls):
		cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
		cls.base_url = f"http://127.0.0.1:{cls.server.server_address[1]}"
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()
		sms = frappe.get_single("SMS Settings")
		sms.update(
			{
				"sms_gateway_url": f"{cls.base_url}/sms/send",
				"message_parameter": "text",
				"receiver_parameter": "to",
				"use_post": 0,
			}
		)
		sms.save(ignore_permissions=True)
		cls.SETTINGS = {
			"sms_enabled": 1,
			"sms_provider": "Frappe SMS Settings",
			"whatsapp_enabled": 1,
			"whatsapp_base_url": cls.base_url,
			"whatsapp_api_version": "v21.0",
			"whatsapp_phone_number_id": "1098765",
			"whatsapp_access_token": "TEST-TOKEN",
		}
		super().setUpClass()
		cls.sequence = f"Channels {cls.suffix}"
		frappe.get_doc(
			{
				"doctype": "Dunning Sequence",
				"sequence_name": cls.sequence,
				# below Standard B2B's priority: only the customers that name it use it
				"priority": 0,
				"steps": [
					{"offset_days": 3, "channel": "SMS", "tone": "Friendly"},
					{
						"offset_days": 10,
						"channel": "WhatsApp",
						"tone": "Firm",
						"whatsapp_template": "overdue_notice",
					},
				],
			}
		).insert(ignore_permissions=True)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		cls.server.shutdown()
		frappe.db.set_value("Dunning Sequence", cls.sequence, "enabled", 0)
		super().tearDownClass()

	def setUp(self):
		Provider.requests = []
		Provider.status = 200

	def customer(self, label: str, **fields) -> str:
		return make_customer(
			f"Channels {label} {self.suffix}",
			None,
			dunning_sequence=self.sequence,
			mobile_no="+91 98765 43210",
			**fields,
		)

	def test_whatsapp_template_payload(self):
		customer = self.customer("WA", whatsapp_opt_in=1)
		invoice = make_invoice(customer, 2500, due_in_days=-10)
		frappe.db.commit()
		execute_run(new_run(customer).name)

		self.assertEqual(len(Provider.requests), 1)
		request = Provider.requests[0]
		self.assertEqual(request["path"], "/v21.0/1098765/messages")
		self.assertEqual(request["headers"]["Authorization"], "Bearer TEST-TOKEN")
		payload = json.loads(request["body"])
		parameters = payload["template"]["components"][0]["parameters"]
		self.assertEqual(
			payload,
			{
				"messaging_product": "whatsapp",
				"to": "919876543210",
				"type": "template",
				"template": {
					"name": "overdue_notice",
					"language": {"code": "en"},
					"components": [{"type": "body", "parameters": parameters}],
				},
			},
		)
		self.assertEqual([p["text"] for p in parameters][0::2], [f"Channels WA {self.suffix}", invoice])
		self.assertIn("2,500.00", parameters[1]["text"])
		activity = frappe.get_all(
			"Collection Activity",
			filters={"customer": customer, "activity_type": "Reminder"},
			fields=["status", "provider_message_id", "channel"],
		)
		self.assertEqual(
			activity, [{"status": "Sent", "provider_message_id": "wamid.1", "channel": "WhatsApp"}]
		)

	def test_whatsapp_needs_opt_in(self):
		customer = self.customer("NoOptIn", whatsapp_opt_in=0)
		make_invoice(customer, 100, due_in_days=-10)
		frappe.db.commit()
		execute_run(new_run(customer).name)
		self.assertEqual(Provider.requests, [])

	def test_sms_through_frappe_sms_settings(self):
		customer = self.customer("SMS")
		invoice = make_invoice(customer, 640, due_in_days=-3)
		frappe.db.commit()
		execute_run(new_run(customer).name)

		self.assertEqual(len(Provider.requests), 1)
		request = Provider.requests[0]
		query = parse_qs(urlparse(request["path"]).query)
		self.assertEqual(urlparse(request["path"]).path, "/sms/send")
		self.assertEqual(query["to"], ["+91 98765 43210"])
		self.assertIn("640.00", query["text"][0])
		self.assertIn("3 days overdue", query["text"][0])
		self.assertTrue(frappe.db.exists("SMS Log", {"sent_to": ("like", "%98765 43210%")}))
		self.assertEqual(
			frappe.db.get_value("Sales Invoice", invoice, "last_reminder_step"), f"{self.sequence}:+3:SMS"
		)

	def test_provider_error_is_recorded_then_retried_once(self):
		customer = self.customer("Retry", whatsapp_opt_in=1)
		make_invoice(customer, 900, due_in_days=-10)
		frappe.db.commit()
		Provider.status = 500
		execute_run(new_run(customer).name)
		failed = frappe.get_all(
			"Collection Activity",
			filters={"customer": customer, "activity_type": "Reminder"},
			fields=["name", "status", "attempts", "reason", "next_retry_at"],
		)
		self.assertEqual(len(failed), 1)
		self.assertEqual((failed[0].status, failed[0].attempts), ("Failed", 1))
		self.assertIn("500", failed[0].reason)
		self.assertGreater(failed[0].next_retry_at, now_datetime())

		# a new run does not decide the step again: the failed activity owns it
		execute_run(new_run(customer).name)
		self.assertEqual(len(Provider.requests), 1)

		# once the backoff has passed and the provider is back, the retry sends it, once
		Provider.status = 200
		frappe.db.set_value(
			"Collection Activity", failed[0].name, "next_retry_at", add_to_date(now_datetime(), minutes=-1)
		)
		frappe.db.commit()
		retry_failed()
		retry_failed()
		self.assertEqual(len(Provider.requests), 2)
		self.assertEqual(
			frappe.db.get_value("Collection Activity", failed[0].name, ["status", "attempts"]), ("Sent", 2)
		)
