"""The inbox corpus tool: the templates are data, and the tool regrows the shipped corpus byte for byte."""

import pytest

from optimar_erp.engine.inbox.classifier import CORPUS_PATH
from optimar_erp.tools import inbox_corpus


def test_tool_regrows_the_shipped_corpus_byte_for_byte():
	assert inbox_corpus.CORPUS_PATH == CORPUS_PATH
	records = inbox_corpus.build(seed=7, copies=2)
	assert inbox_corpus.to_jsonl(records).encode("utf-8") == CORPUS_PATH.read_bytes()


def test_templates_are_read_from_the_data_file():
	blocks = inbox_corpus.load_templates()
	assert list(blocks) == list(inbox_corpus.PREFIX)
	rows = inbox_corpus.templates()
	assert len(rows) == sum(len(lines) for lines in blocks.values()) == 604
	assert rows[0][0] == "ptp-001" and rows[-1][1] == "other"
	assert len({group for group, *_ in rows}) == len(rows)
	families = {row[-1] for row in rows} - {None}
	assert families == {
		"amount-then-date",
		"plain-amount",
		"remittance-list",
		"short-indirect",
		"conditional-document",
		"indirect-document",
	}


def test_new_slots_state_the_amount_a_reader_should_find():
	import random

	rng = random.Random(3)
	for _ in range(50):
		invoices: list[str] = []
		text, total = inbox_corpus.remittance_list(rng, invoices)
		lines = text.split("\n")
		assert 2 <= len(invoices) <= 4 and len(lines) in (len(invoices), len(invoices) + 1)
		items = [
			float(line.rsplit(" ", 1)[-1].split("\t")[-1].replace(",", "")) for line in lines[: len(invoices)]
		]
		assert sum(items) == total
		phrase, value = inbox_corpus.plain_amount(rng)
		assert float(phrase.replace(",", "")) == value and not any(c in phrase for c in "₹$€£")


def test_family_records_carry_their_family_and_hold_out_whole():
	records = inbox_corpus.build(seed=7, copies=2)
	by_group: dict[str, set] = {}
	for rec in records:
		by_group.setdefault(rec["group"], set()).add(rec.get("family"))
	assert all(len(f) == 1 for f in by_group.values())
	listed = [r for r in records if r.get("family") == "remittance-list"]
	assert listed and all(r["intent"] == "payment_made" and len(r["expect"]["invoices"]) >= 2 for r in listed)


def test_template_file_errors_name_the_line(tmp_path):
	bad = tmp_path / "t.txt"
	bad.write_text("# comment\n\n[dispute]\nen|price|Wrong price.\n[refund]\nen|-|x\n", encoding="utf-8")
	with pytest.raises(ValueError, match="line 5: unknown or repeated section"):
		inbox_corpus.load_templates(bad)
	bad.write_text("en|-|before any section\n", encoding="utf-8")
	with pytest.raises(ValueError, match="line 1 is not a template"):
		inbox_corpus.load_templates(bad)
	bad.write_text(
		"[dispute]\nen|-|one\n\n# note\n[other]\nfr|-|deux\n@family short\nen|-|k\n", encoding="utf-8"
	)
	assert inbox_corpus.load_templates(bad) == {
		"dispute": [("en|-|one", None)],
		"other": [("fr|-|deux", None), ("en|-|k", "short")],
	}
