"""A local Stripe and Razorpay on 127.0.0.1, reached by unmodified client code that calls
``https://api.stripe.com`` and ``https://api.razorpay.com``.

	with GatewaySimulator() as sim:
		payment_id = sim.razorpay_checkout(50000)  # what the checkout widget would do in a browser
		...  # code that calls the real gateway URLs through ``requests`` or the ``stripe`` library
		assert sim.stripe_charges[0]["amount"] == 1999

The simulator is an HTTPS CONNECT proxy that terminates TLS itself for the two gateway hosts, with a
throwaway CA made at start. While active it sets ``HTTPS_PROXY``/``https_proxy``, ``NO_PROXY``/``no_proxy``
and ``REQUESTS_CA_BUNDLE`` in ``os.environ`` (``requests`` reads them on every request) and
``stripe.ca_bundle_path`` (the stripe library verifies against its own bundle); on exit it puts every one
back as it was. A CONNECT to any other host gets 403: nothing leaves the machine. State lives in memory:
``requests`` (every request seen), ``stripe_charges``, ``razorpay_payments`` and ``razorpay_orders``.
Amounts are integers in the smallest unit, as the real APIs take them: ``"500.0"`` is refused with a 400.
"""

import base64
import datetime
import json
import os
import secrets
import shutil
import socket
import socketserver
import ssl
import string
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

STRIPE_HOST = "api.stripe.com"
RAZORPAY_HOST = "api.razorpay.com"
HOSTS = (STRIPE_HOST, RAZORPAY_HOST)
ENV_KEYS = ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE")
DECLINES = {  # Stripe's test tokens of declined cards: (code, decline_code, message)
	"tok_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
	"tok_chargeDeclinedInsufficientFunds": (
		"card_declined",
		"insufficient_funds",
		"Your card has insufficient funds.",
	),
	"tok_chargeDeclinedExpiredCard": ("expired_card", None, "Your card has expired."),
}
RAZORPAY_STATUSES = ("created", "authorized", "captured", "refunded", "failed")


def _make_certs(directory: str) -> tuple[str, str, str]:
	"""A CA and one leaf for both gateway hosts signed by it; returns the (CA, leaf, leaf key) files. Fixed
	validity dates: a frozen test clock must not find the certificates expired or not yet valid."""
	ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
	ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Optimar gateway simulator CA")])

	def build(subject, key, *extensions):
		builder = x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name).public_key(key)
		builder = builder.serial_number(x509.random_serial_number())
		builder = builder.not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
		builder = builder.not_valid_after(datetime.datetime(2099, 12, 31, tzinfo=datetime.timezone.utc))
		builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
		for extension in extensions:
			builder = builder.add_extension(extension, critical=isinstance(extension, x509.BasicConstraints))
		return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)

	ca = build(
		ca_name,
		ca_key.public_key(),
		x509.BasicConstraints(ca=True, path_length=0),
		x509.KeyUsage(False, False, False, False, False, True, True, False, False),  # cert and CRL signing
	)
	leaf = build(
		x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, STRIPE_HOST)]),
		leaf_key.public_key(),
		x509.BasicConstraints(ca=False, path_length=None),
		x509.SubjectAlternativeName([x509.DNSName(host) for host in HOSTS]),
		x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
		x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
	)
	key = leaf_key.private_bytes(
		serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
	)
	files = tuple(os.path.join(directory, name) for name in ("ca.pem", "leaf.pem", "leaf-key.pem"))
	for path, content in zip(files, (ca, leaf, key), strict=True):
		with open(path, "wb") as f:
			f.write(content)
	return files


def _credentials(headers) -> tuple[str | None, str | None]:
	"""(user, password) of HTTP basic auth, or (token, None) of a bearer token, or (None, None)."""
	scheme, _, value = (headers.get("Authorization") or "").partition(" ")
	if scheme.lower() == "bearer":
		return value.strip(), None
	if scheme.lower() == "basic":
		try:
			user, _, password = base64.b64decode(value).decode().partition(":")
		except ValueError:
			return None, None
		return user, password
	return None, None


def _integer(value) -> int | None:
	"""An integer amount as the gateways take it (``50000``, ``"50000"``); anything else is None."""
	if isinstance(value, int) and not isinstance(value, bool):
		return value
	return int(value) if isinstance(value, str) and value.isdigit() else None


def _stripe_error(status: int, type_: str, message: str, **extra) -> tuple[int, dict]:
	return status, {"error": {"type": type_, "message": message, **extra}}


def _razorpay_error(status: int, description: str) -> tuple[int, dict]:
	return status, {"error": {"code": "BAD_REQUEST_ERROR", "description": description}}


class GatewaySimulator:
	"""The fake Stripe and Razorpay; a context manager (``start``/``stop`` for the same by hand)."""

	def __init__(
		self,
		stripe_secret: str = "sk_test_optimar",
		razorpay_key: str = "rzp_test_optimar",
		razorpay_secret: str = "rzp_secret_optimar",
	):
		self.stripe_secret = stripe_secret
		self.razorpay_key, self.razorpay_secret = razorpay_key, razorpay_secret
		self.port: int | None = None
		self.ca_file: str | None = None
		self.requests: list[dict] = []  # {"method", "host", "path", "query", "body"}
		self.stripe_charges: list[dict] = []
		self.razorpay_payments: dict[str, dict] = {}
		self.razorpay_orders: list[dict] = []
		self._lock = threading.Lock()
		self._server = None

	def __enter__(self) -> "GatewaySimulator":
		self.start()
		return self

	def __exit__(self, *exc_info) -> None:
		self.stop()

	def start(self) -> None:
		self._dir = tempfile.mkdtemp(prefix="gateway-sim-")
		self.ca_file, leaf_cert, leaf_key = _make_certs(self._dir)
		tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
		tls.load_cert_chain(leaf_cert, leaf_key)
		self._server = _Server(("127.0.0.1", 0), _Handler)
		self._server.sim, self._server.tls, self._server.handlers = self, tls, set()
		self.port = self._server.server_address[1]
		self._thread = threading.Thread(
			target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="gateway-sim", daemon=True
		)
		self._thread.start()
		self._saved_env = {key: os.environ.get(key) for key in ENV_KEYS}
		proxy, local = f"http://127.0.0.1:{self.port}", "127.0.0.1,localhost"
		os.environ.update(HTTPS_PROXY=proxy, https_proxy=proxy, NO_PROXY=local, no_proxy=local)
		os.environ["REQUESTS_CA_BUNDLE"] = self.ca_file
		try:
			import stripe
		except ImportError:
			stripe = None
		self._stripe = stripe
		if stripe:
			self._saved_bundle, self._stripe.ca_bundle_path = self._stripe.ca_bundle_path, self.ca_file

	def stop(self) -> None:
		if self._server is None:
			return
		for key, value in self._saved_env.items():
			if value is None:
				os.environ.pop(key, None)
			else:
				os.environ[key] = value
		if self._stripe:
			self._stripe.ca_bundle_path = self._saved_bundle
		server, self._server = self._server, None
		server.shutdown()
		for handler in list(server.handlers):  # kept-alive client connections: wake their threads up
			try:
				socket.socket.shutdown(handler.connection, socket.SHUT_RDWR)
			except OSError:
				pass
		server.server_close()
		self._thread.join(5)
		shutil.rmtree(self._dir, ignore_errors=True)

	def razorpay_checkout(
		self, amount_paise: int, currency: str = "INR", status: str = "captured", notes: dict | None = None
	) -> str:
		"""What Razorpay's checkout widget does when a customer pays: a payment; returns its id."""
		if _integer(amount_paise) is None or amount_paise <= 0 or status not in RAZORPAY_STATUSES:
			raise ValueError(f"razorpay_checkout: bad amount {amount_paise!r} or status {status!r}")
		alphabet = string.ascii_letters + string.digits
		payment_id = "pay_" + "".join(secrets.choice(alphabet) for _ in range(14))
		payment = {"id": payment_id, "entity": "payment", "amount": amount_paise, "currency": currency}
		payment.update(status=status, order_id=None, method="card", captured=status == "captured")
		payment.update(notes=dict(notes or {}), created_at=int(time.time()))
		with self._lock:
			self.razorpay_payments[payment_id] = payment
		return payment_id

	def _handle(self, method: str, host: str, url: str, headers, body: dict) -> tuple[int, dict]:
		path, query = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query))
		with self._lock:
			self.requests.append({"method": method, "host": host, "path": path, "query": query, "body": body})
			if host == STRIPE_HOST:
				return self._stripe_api(method, path, headers, body)
			return self._razorpay_api(method, path, headers, body)

	def _stripe_api(self, method: str, path: str, headers, body: dict) -> tuple[int, dict]:
		key = _credentials(headers)[0]
		if not key:
			return _stripe_error(401, "invalid_request_error", "You did not provide an API key.")
		if key != self.stripe_secret:
			masked = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:]
			return _stripe_error(401, "invalid_request_error", f"Invalid API Key provided: {masked}")
		if path == "/v1/charges" and method == "GET":
			charges = [dict(charge) for charge in reversed(self.stripe_charges)]
			return 200, {"object": "list", "data": charges, "has_more": False, "url": "/v1/charges"}
		if path == "/v1/charges" and method == "POST":
			return self._stripe_charge(body)
		return _stripe_error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

	def _stripe_charge(self, body: dict) -> tuple[int, dict]:
		for field in ("amount", "currency"):
			if not body.get(field):
				return _stripe_error(
					400, "invalid_request_error", f"Missing required param: {field}.", param=field
				)
		amount, source = _integer(body["amount"]), body.get("source") or ""
		if amount is None or amount < 1:
			message = f"Invalid integer: {body['amount']}"
			return _stripe_error(400, "invalid_request_error", message, param="amount")
		if not source.startswith("tok_"):
			message = f"No such token: '{source}'" if source else "Must provide source or customer."
			return _stripe_error(
				400, "invalid_request_error", message, code="resource_missing", param="source"
			)
		if source in DECLINES:
			code, decline_code, message = DECLINES[source]
			return _stripe_error(402, "card_error", message, code=code, decline_code=decline_code)
		charge = {"id": "ch_" + secrets.token_hex(12), "object": "charge", "amount": amount}
		charge.update(amount_captured=amount, currency=body["currency"].lower(), captured=True, paid=True)
		charge.update(status="succeeded", description=body.get("description"))
		charge.update(receipt_email=body.get("receipt_email"), created=int(time.time()), livemode=False)
		charge["source"] = {"id": source, "object": "card", "brand": "Visa", "last4": "4242"}
		self.stripe_charges.append(charge)
		return 200, dict(charge)

	def _razorpay_api(self, method: str, path: str, headers, body: dict) -> tuple[int, dict]:
		if _credentials(headers) != (self.razorpay_key, self.razorpay_secret):
			return _razorpay_error(401, "The api key provided is invalid")
		parts = path.strip("/").split("/")
		if parts == ["v1", "payments"] and method == "GET":
			items = [dict(payment) for payment in reversed(self.razorpay_payments.values())]
			return 200, {"entity": "collection", "count": len(items), "items": items}
		if parts[:2] == ["v1", "payments"] and len(parts) in (3, 4):
			payment = self.razorpay_payments.get(parts[2])
			if payment is None:
				return _razorpay_error(400, "The id provided does not exist")
			if len(parts) == 3 and method == "GET":
				return 200, dict(payment)
			if parts[3:] == ["capture"] and method == "POST":
				return self._razorpay_capture(payment, body)
		if parts == ["v1", "orders"] and method == "POST":
			amount = _integer(body.get("amount"))
			if amount is None or amount < 100:
				return _razorpay_error(400, "The amount must be an integer of at least 100 (paise).")
			order = {"id": "order_" + secrets.token_hex(7), "entity": "order", "amount": amount}
			order.update(
				currency=body.get("currency") or "INR", receipt=body.get("receipt"), status="created"
			)
			self.razorpay_orders.append(order)
			return 200, dict(order)
		return _razorpay_error(404, "The requested URL was not found on the server.")

	def _razorpay_capture(self, payment: dict, body: dict) -> tuple[int, dict]:
		amount = _integer(body.get("amount"))
		if amount is None:
			return _razorpay_error(400, "The amount must be an integer.")
		if payment["status"] == "captured":
			return _razorpay_error(400, "This payment has already been captured")
		if payment["status"] != "authorized":
			return _razorpay_error(
				400, "Only payments which have been authorized and not yet captured can be captured"
			)
		if amount != payment["amount"]:
			return _razorpay_error(400, "Capture amount must be equal to the amount authorized")
		payment.update(status="captured", captured=True)
		return 200, dict(payment)


class _Server(ThreadingHTTPServer):
	block_on_close = False  # a client's kept-alive connection must not hold up ``stop``

	def server_bind(self):  # HTTPServer's would look the host's name up in DNS
		socketserver.TCPServer.server_bind(self)
		self.server_name, self.server_port = self.server_address[:2]

	def handle_error(self, request, client_address):
		if not isinstance(sys.exc_info()[1], OSError):  # a client gone away, or the simulator stopping
			super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"
	timeout = 60
	tunnel_host: str | None = None

	def log_message(self, format, *args):
		pass

	def setup(self):
		super().setup()
		self.server.handlers.add(self)

	def finish(self):
		try:
			super().finish()
		finally:
			self.server.handlers.discard(self)
			if self.connection is not self.request:
				self.connection.close()

	def do_CONNECT(self):
		host, _, port = self.path.rpartition(":")
		if host not in HOSTS or port != "443" or self.tunnel_host:
			self.close_connection = True
			return self._send(403, {"error": f"the gateway simulator does not go to {self.path}"})
		self.send_response(200, "Connection established")
		self.end_headers()
		try:
			tls_socket = self.server.tls.wrap_socket(self.connection, server_side=True)
		except OSError:  # the client refused the certificate
			self.close_connection = True
			return
		self.rfile.close()
		self.wfile.close()
		self.connection, self.tunnel_host = tls_socket, host
		self.close_connection = False  # http.client asks with HTTP/1.0: the tunnel stays open all the same
		self.rfile, self.wfile = tls_socket.makefile("rb"), tls_socket.makefile("wb")

	def _serve(self):
		length = int(self.headers.get("Content-Length") or 0)
		raw = self.rfile.read(length) if length else b""
		if not self.tunnel_host:  # a plain proxy request, or a direct one
			self.close_connection = True
			return self._send(403, {"error": "the gateway simulator only answers inside a CONNECT tunnel"})
		try:
			if "json" in (self.headers.get("Content-Type") or ""):
				body = json.loads(raw or b"{}")
			else:
				body = dict(parse_qsl(raw.decode(), keep_blank_values=True))
		except ValueError:
			return self._send(400, {"error": {"message": "the request body does not parse"}})
		try:
			status, payload = self.server.sim._handle(
				self.command, self.tunnel_host, self.path, self.headers, body
			)
		except Exception as exc:  # a bug in the simulator: an answer, not a hung client
			status, payload = 500, {"error": {"message": f"gateway simulator: {exc!r}"}}
		self._send(status, payload)

	do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

	def _send(self, status: int, payload: dict) -> None:
		data = json.dumps(payload).encode()
		self.send_response(status)
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(data)))
		if self.tunnel_host == STRIPE_HOST:
			self.send_header("Request-Id", "req_" + secrets.token_hex(7))
		self.end_headers()
		self.wfile.write(data)
