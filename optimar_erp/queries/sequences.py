"""Reads of Dunning Sequences: their steps, and which sequence applies to which customer."""

import pandas as pd

import frappe
from frappe.query_builder.functions import Coalesce

from optimar_erp.engine.sequences import SEQUENCE_COLUMNS, assign_sequences


def _ancestors(doctype: str) -> dict[str, list[str]]:
	"""Every node of a nested-set tree with its ancestors (itself first)."""
	nodes = frappe.get_all(doctype, fields=["name", "lft", "rgt"], order_by="lft")
	return {
		node.name: [n.name for n in nodes if n.lft <= node.lft and n.rgt >= node.rgt][::-1] for node in nodes
	}


def sequences_and_steps() -> tuple[pd.DataFrame, pd.DataFrame]:
	seq = frappe.qb.DocType("Dunning Sequence")
	step = frappe.qb.DocType("Dunning Sequence Step")
	columns = [*SEQUENCE_COLUMNS, "consolidate"]
	fields = ["name as sequence", *columns[1:]]
	sequences = pd.DataFrame(frappe.get_all("Dunning Sequence", fields=fields, as_list=True), columns=columns)
	rows = (
		frappe.qb.from_(step)
		.join(seq)
		.on(seq.name == step.parent)
		.select(
			step.parent,
			step.idx,
			step.offset_days,
			step.channel,
			step.tone,
			step.min_gap_days,
			Coalesce(step.escalation_action, ""),
			seq.consolidate,
			Coalesce(step.learned_channel, 0),
			Coalesce(step.learned_time, 0),
			Coalesce(step.learned_tone, 0),
			Coalesce(step.channels, ""),
			Coalesce(step.tones, ""),
		)
		.where(step.parenttype == "Dunning Sequence")
		.where(seq.enabled == 1)
		.run()
	)
	steps = pd.DataFrame(
		list(rows),
		columns=[
			"sequence",
			"idx",
			"offset_days",
			"channel",
			"tone",
			"min_gap_days",
			"escalation",
			"consolidate",
			"learned_channel",
			"learned_time",
			"learned_tone",
			"channels",
			"tones",
		],
	)
	steps["step_id"] = step_id(steps["sequence"], steps["offset_days"], steps["channel"])
	steps["consolidate"] = steps["consolidate"].astype(bool)
	for col in ("learned_channel", "learned_time", "learned_tone"):
		steps[col] = steps[col].astype(bool)
	return sequences, steps


def step_id(sequence, offset, channel):
	"""The stable ids of steps (columns of sequences, offsets and channels): see :func:`step_identity`."""
	return pd.Series(
		[step_identity(s, o, ch) for s, o, ch in zip(sequence, offset, channel, strict=True)],
		index=sequence.index,
		dtype=object,
	)


def step_identity(sequence: str, offset: int, channel: str) -> str:
	"""The stable id of one step (``Standard B2B:+7:Email``): survives reordering and edits of its wording.
	Made here only, carried as the ``step_id`` column (engine steps → actions → Collection Activity), and
	only ever compared, never taken apart: a step is found again by its id (:func:`reminder_step`)."""
	return f"{sequence}:{'+' if offset > 0 else ''}{int(offset)}:{channel}"


STEP_FIELDS = (
	"offset_days",
	"channel",
	"tone",
	"subject",
	"message",
	"attach_pdf",
	"include_payment_link",
	"whatsapp_template",
	"add_interest",
)
"""What sending a reminder needs of its step."""


def reminder_step(sequence: str | None, step_id: str) -> frappe._dict | None:
	"""The step of ``sequence`` whose id is ``step_id`` (None: the step is gone or was changed since)."""
	steps = frappe.get_all(
		"Dunning Sequence Step",
		filters={"parent": sequence or "", "parenttype": "Dunning Sequence"},
		fields=list(STEP_FIELDS),
		order_by="idx asc",
	)
	return next((s for s in steps if step_identity(sequence, s.offset_days, s.channel) == step_id), None)


def step_translation(sequence: str | None, step_id: str, language: str) -> frappe._dict | None:
	"""The subject and message of the step ``step_id`` of ``sequence`` in ``language``, if written."""
	translations = frappe.get_all(
		"Dunning Sequence Translation",
		filters={"parent": sequence or "", "language": language},
		fields=["offset_days", "channel", "subject", "message"],
		order_by="idx asc",
	)
	return next(
		(t for t in translations if step_identity(sequence, t.offset_days, t.channel) == step_id), None
	)


def sequence_per_customer(
	customers: pd.DataFrame, invoices: pd.DataFrame, company: str, sequences
) -> pd.Series:
	groups = _ancestors("Customer Group")
	territories = _ancestors("Territory")
	outstanding = invoices.groupby("customer")["outstanding"].sum()
	table = pd.DataFrame(
		{
			"customer": customers["customer"],
			"company": company,
			"groups": customers["customer_group"].map(lambda g: groups.get(g, [])),
			"territories": customers["territory"].map(lambda t: territories.get(t, [])),
			"risk_band": customers["risk_band"],
			"outstanding": customers["customer"].map(outstanding).fillna(0),
			"own_sequence": customers["own_sequence"],
		}
	)
	default = frappe.db.get_single_value("Collections Settings", "default_dunning_sequence")
	return assign_sequences(table, sequences.fillna(""), default=default)
