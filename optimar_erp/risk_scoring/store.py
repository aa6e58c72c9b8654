"""Risk Model records: saving a fitted model with its figures, and loading the active one."""

import json

import frappe
from frappe.utils import now_datetime

from optimar_erp.engine.risk import RiskModel

KEEP_MODEL_FILES = 3
"""Superseded models keep their figures for ever; only the latest few keep their model file."""

_loaded: dict[str, RiskModel] = {}


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
			_loaded[name] = RiskModel.from_bytes(f.read())
	return _loaded[name]


def active_model(company: str) -> tuple[str, RiskModel] | None:
	name = active_model_name(company)
	return (name, load(name)) if name else None


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
			"content": model.to_bytes(),
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
		limit_page_length=1000,
		pluck="name",
	)
	for name in old:
		for file in frappe.get_all(
			"File", {"attached_to_doctype": "Risk Model", "attached_to_name": name}, pluck="name"
		):
			frappe.delete_doc("File", file, ignore_permissions=True, force=True)
		frappe.db.set_value("Risk Model", name, "model_file", None, update_modified=False)
		_loaded.pop(name, None)
