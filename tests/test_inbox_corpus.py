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
	assert len(rows) == sum(len(lines) for lines in blocks.values()) == 549
	assert rows[0][0] == "ptp-001" and rows[-1][1] == "other"
	assert len({group for group, *_ in rows}) == len(rows)


def test_template_file_errors_name_the_line(tmp_path):
	bad = tmp_path / "t.txt"
	bad.write_text("# comment\n\n[dispute]\nen|price|Wrong price.\n[refund]\nen|-|x\n", encoding="utf-8")
	with pytest.raises(ValueError, match="line 5: unknown or repeated section"):
		inbox_corpus.load_templates(bad)
	bad.write_text("en|-|before any section\n", encoding="utf-8")
	with pytest.raises(ValueError, match="line 1 is not a template"):
		inbox_corpus.load_templates(bad)
	bad.write_text("[dispute]\nen|-|one\n\n# note\n[other]\nfr|-|deux\n", encoding="utf-8")
	assert inbox_corpus.load_templates(bad) == {"dispute": ["en|-|one"], "other": ["fr|-|deux"]}
