"""Risk Model records: saving a fitted model with its figures, and loading the active one.

A model file is a pickle, and unpickling runs code: only bytes this site's training job wrote may be
loaded. Each file carries an HMAC-SHA256 of its bytes under the site's encryption key; a file that does
not (uploaded by a person, repointed ``model_file``, an old or torn file) is refused before it is read.
"""

import hashlib
import hmac
import json

import frappe
from frappe import _
from frappe.utils import now_datetime

from optimar_erp.engine.risk import RiskModel
from optimar_erp.exceptions import ModelIntegrityError

KEEP_MODEL_FILES = 3
"""Superseded models keep their figures for ever; only the latest few keep their model file."""

_loaded: dict[str, RiskModel] = {}
SIGNED_HEADER = b"OPTIMAR-RISK-MODEL-1\n"


def _digest(payload: bytes) -> bytes:
	from frappe.utils.password import get_encryption_key

	return hmac.new(get_encryption_key().encode(), payload, hashlib.sha256).hexdigest().encode()


def sign(payload: bytes) -> bytes:
	"""The bytes to store: header, signature line, payload."""
	return SIGNED_HEADER + _digest(payload) + b"\n" + payload


def verified(data: bytes) -> bytes:
	"""The payload of a signed model file, or ModelIntegrityError."""
	if not data.startswith(SIGNED_HEADER):
		raise ModelIntegrityError(_("This model file was not written by the training job."))
	signature, _sep, payload = data[len(SIGNED_HEADER) :].partition(b"\n")
	if not hmac.compare_digest(signature, _digest(payload)):
		raise ModelIntegrityError(_("This model file's signature does not match its contents."))
	return payload


def active_model_name(company: str) -> str | None:
	return frappe.db.get_value("Risk Model", {"company": company, "status": "Active"}, "name")


def load(name: str) -> RiskModel:
	"""The fitted model of a Risk Model record (kept in memory per worker, by record name)."""
	if name not in _loaded:
		file_url = frappe.db.get_value("Risk Model", name, "model_file")
		if not file_url:
			raise frappe.DoesNotExistError(f"Risk Model {name} has no model file")
		file = frappe.get_doc("File", {"file_url": file_url, "attached_to_name": name})
		with open(file.get_full_path(), "rb") as f:
			_loaded[name] = RiskModel.from_bytes(verified(f.read()))
	return _loaded[name]


def active_model(company: str) -> tuple[str, RiskModel] | None:
	"""The company's active model; None (and an Error Log) when its file is not one the job wrote, so
	the next training replaces it."""
	name = active_model_name(company)
	if not name:
		return None
	try:
		return name, load(name)
	except ModelIntegrityError:
		frappe.log_error(title=_("Risk Model {0} refused: its file is not signed by this site").format(name))
		return None


def record(company: str, status: str, **values) -> str:
	"""Insert a Risk Model record (figures only) and return its name."""
	doc = frappe.get_doc(
		{
			"doctype": "Risk Model",
			"company": company,
			"status": status,
			"trained_on": now_datetime(),
			**values,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


def save_active(company: str, model: RiskModel, figures: dict, **values) -> str:
	"""Store ``model`` as the company's active model (the previous one is superseded)."""
	previous = frappe.get_all("Risk Model", {"company": company, "status": "Active"}, pluck="name")
	name = record(company, "Active", metrics_json=json.dumps(figures, indent=1, default=str), **values)
	file = frappe.get_doc(
		{
			"doctype": "File",
			"file_name": f"{name}.joblib",
			"is_private": 1,
			"content": sign(model.to_bytes()),
			"attached_to_doctype": "Risk Model",
			"attached_to_name": name,
			"attached_to_field": "model_file",
		}
	)
	file.save(ignore_permissions=True)
	frappe.db.set_value("Risk Model", name, "model_file", file.file_url, update_modified=False)
	if previous:
		rm = frappe.qb.DocType("Risk Model")
		frappe.qb.update(rm).set(rm.status, "Superseded").where(rm.name.isin(previous)).run()
	_prune_files(company)
	_loaded[name] = model
	return name


def _prune_files(company: str) -> None:
	"""Delete the model files of all but the latest :data:`KEEP_MODEL_FILES` models of the company."""
	old = frappe.get_all(
		"Risk Model",
		filters={"company": company, "model_file": ("is", "set")},
		fields=["name"],
		order_by="creation desc",
		start=KEEP_MODEL_FILES,
		limit=1000,
		pluck="name",
	)
	for name in old:
		for file in frappe.get_all(
			"File", {"attached_to_doctype": "Risk Model", "attached_to_name": name}, pluck="name"
		):
			frappe.delete_doc("File", file, ignore_permissions=True, force=True)
		frappe.db.set_value("Risk Model", name, "model_file", None, update_modified=False)
		_loaded.pop(name, None)
