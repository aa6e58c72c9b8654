"""The fitted response model and payment-run calendars, kept in one signed file in the site's private
folder.

A pickle runs code when loaded: only bytes this site's learning job wrote are loaded. The file carries an
HMAC-SHA256 of its bytes under the site's encryption key (as :mod:`optimar_erp.risk.store` does for
risk models); a file without a valid signature is refused before it is unpickled.
"""

import hashlib
import hmac
import os
import pickle

import frappe
from frappe import _

from optimar_erp.exceptions import ModelIntegrityError

HEADER = b"OPTIMAR-RESPONSE-MODEL-1\n"
FILE_NAME = "optimar_response_model.pkl"

_cache: dict[str, tuple[float, dict]] = {}


def path() -> str:
	return frappe.get_site_path("private", FILE_NAME)


def _digest(payload: bytes) -> bytes:
	from frappe.utils.password import get_encryption_key

	return hmac.new(get_encryption_key().encode(), payload, hashlib.sha256).hexdigest().encode()


def verified(data: bytes) -> bytes:
	"""The payload of a signed file, or ModelIntegrityError."""
	if not data.startswith(HEADER):
		raise ModelIntegrityError(_("This response model file was not written by the learning job."))
	signature, _sep, payload = data[len(HEADER) :].partition(b"\n")
	if not hmac.compare_digest(signature, _digest(payload)):
		raise ModelIntegrityError(_("This response model file's signature does not match its contents."))
	return payload


def save(learned: dict) -> None:
	"""Write ``learned`` (model, calendars, figures) signed, atomically (a reader never sees half a file)."""
	payload = pickle.dumps(learned, protocol=pickle.HIGHEST_PROTOCOL)
	target = path()
	os.makedirs(os.path.dirname(target), exist_ok=True)
	tmp = f"{target}.{os.getpid()}.tmp"
	with open(tmp, "wb") as f:
		f.write(HEADER + _digest(payload) + b"\n" + payload)
	os.replace(tmp, target)
	_cache.pop(frappe.local.site, None)


def load() -> dict | None:
	"""What the last learning job stored (kept in memory per worker until the file changes); None when
	nothing was learned yet or the file is not one the job wrote (then an Error Log says so)."""
	target = path()
	try:
		mtime = os.path.getmtime(target)
	except OSError:
		return None
	cached = _cache.get(frappe.local.site)
	if cached and cached[0] == mtime:
		return cached[1]
	with open(target, "rb") as f:
		data = f.read()
	try:
		learned = pickle.loads(verified(data))  # noqa: S301 - verified: signed by this site's job
	except ModelIntegrityError:
		frappe.log_error(title=_("Response model refused: its file is not signed by this site"))
		return None
	_cache[frappe.local.site] = (mtime, learned)
	return learned


def clear() -> None:
	"""Forget the stored model (learning turned off, or a test)."""
	try:
		os.remove(path())
	except FileNotFoundError:
		pass
	_cache.pop(frappe.local.site, None)
