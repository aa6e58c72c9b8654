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
	"""The stable id of a step: survives reordering and edits of its wording."""
	sign = offset.map(lambda o: "+" if o > 0 else "")
	return sequence + ":" + sign + offset.astype(str) + ":" + channel


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
