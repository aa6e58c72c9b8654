"""The address of the client behind a portal request, and the per-client rate limit of the endpoints.

Frappe's ``request_ip`` is the first entry of ``X-Forwarded-For``, which the client writes itself: a
visitor who sends a new value with every request escapes any per-IP limit. Here the header counts only
when the request came from a trusted proxy (site config ``optimar_trusted_proxies``: addresses or
networks, by default the loopback a bench's nginx uses). The client is then the right-most entry that is
not itself a trusted proxy: every proxy appends the address it received the request from, so entries
left of that one are whatever the client chose to send. Without a trusted proxy in front, the peer
address of the connection is the client, whatever the headers say.
"""

import ipaddress
from collections.abc import Callable
from functools import lru_cache, wraps

import frappe
from frappe import _

DEFAULT_TRUSTED_PROXIES = ("127.0.0.1/32", "::1/128")
TRUSTED_PROXIES_KEY = "optimar_trusted_proxies"


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple:
	networks = []
	for entry in entries:
		try:
			networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
		except ValueError:
			frappe.log_error(f"{TRUSTED_PROXIES_KEY}: {entry!r} is not an address or network")
	return tuple(networks)


def trusted_proxies() -> tuple:
	configured = frappe.conf.get(TRUSTED_PROXIES_KEY)
	if isinstance(configured, str):
		configured = configured.split(",")
	return _networks(tuple(configured) if configured else DEFAULT_TRUSTED_PROXIES)


def is_trusted_proxy(address: str) -> bool:
	try:
		ip = ipaddress.ip_address(address.strip())
	except ValueError:
		return False
	return any(ip in network for network in trusted_proxies())


def client_address() -> str | None:
	"""The client's address (see the module docstring); None outside a request."""
	request = getattr(frappe.local, "request", None)
	peer = request.environ.get("REMOTE_ADDR") if request is not None else None
	if not peer:
		# requests built in-process (tests, ``frappe.utils.set_request``) carry no connection
		return getattr(frappe.local, "request_ip", None)
	if not is_trusted_proxy(peer):
		return peer
	hops = [hop.strip() for hop in (request.headers.get("X-Forwarded-For") or "").split(",") if hop.strip()]
	for hop in reversed(hops):
		if not is_trusted_proxy(hop):
			return hop[:140]
	return hops[0][:140] if hops else peer


def rate_limited(limit: int, seconds: int) -> Callable:
	"""At most ``limit`` calls of the endpoint per client address in ``seconds`` (like Frappe's
	``rate_limit``, keyed on :func:`client_address` instead of the spoofable ``request_ip``)."""

	def decorator(fn: Callable) -> Callable:
		@wraps(fn)
		def wrapper(*args, **kwargs):
			address = client_address() if getattr(frappe.local, "request", None) else None
			if address:
				key = frappe.cache.make_key(f"optimar-portal:rate:{fn.__module__}.{fn.__name__}:{address}")
				count = frappe.cache.incrby(key, 1)
				if count == 1:
					frappe.cache.expire(key, seconds)
				if count > limit:
					frappe.throw(
						_("You hit the rate limit because of too many requests. Please try after sometime."),
						frappe.RateLimitExceededError,
					)
			return fn(*args, **kwargs)

		return wrapper

	return decorator
