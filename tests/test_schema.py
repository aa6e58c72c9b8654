"""The invoice table: validation, normalisation, column mapping and reading files."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.schema import (
	FIELDS,
	SchemaError,
	_parse_amounts,
	apply_mapping,
	read_ledger,
	recognise_headers,
	validate_invoices,
)


def table(**overrides) -> pd.DataFrame:
	"""Three valid invoices; keyword arguments replace whole columns."""
	data = {
		"invoice": ["INV-0001", "INV-0002", "INV-0003"],
		"customer": ["C1", "C1", "C2"],
		"posting_date": ["2024-01-05", "2024-02-10", "2024-03-01"],
		"due_date": ["2024-02-04", "2024-03-11", "2024-03-31"],
		"grand_total": [1000.0, 250.5, 80.0],
		"outstanding": [0.0, 100.0, 80.0],
		"settled_date": ["2024-02-01", "", None],
	}
	data.update(overrides)
	return pd.DataFrame(data)


def errors_of(df: pd.DataFrame, **kwargs) -> list[str]:
	with pytest.raises(SchemaError) as info:
		validate_invoices(df, **kwargs)
	return info.value.errors


def test_valid_table_is_normalised_with_defaults():
	df = table(
		customer=[" C1 ", "C1", "C2"], posting_date=["2024-01-05 13:45:00", "2024-02-10", "2024-03-01"]
	)
	out = validate_invoices(df)
	assert list(out.columns[: len(FIELDS)]) == list(FIELDS)
	assert out["customer"].tolist() == ["C1", "C1", "C2"]
	assert out["posting_date"].dtype == "datetime64[ns]"
	assert out["posting_date"][0] == pd.Timestamp("2024-01-05")  # time of day dropped
	assert out["settled_date"][0] == pd.Timestamp("2024-02-01")
	assert out["settled_date"][1:].isna().all()
	assert out["grand_total"].dtype == float and out["outstanding"].tolist() == [0.0, 100.0, 80.0]
	assert out["customer_name"].tolist() == ["C1", "C1", "C2"]  # defaults to the customer id
	assert out["disputed"].tolist() == [False, False, False]
	assert out["company"].tolist() == ["", "", ""] and out["currency"].tolist() == ["", "", ""]
	assert out.attrs["repairs"] == []


def test_input_is_not_modified_and_extra_columns_kept():
	df = table(business_code=["U1", "U1", "U2"])
	before = df.copy()
	out = validate_invoices(df)
	pd.testing.assert_frame_equal(df, before)
	assert out["business_code"].tolist() == ["U1", "U1", "U2"]
	assert out.columns[-1] == "business_code"


def test_optional_columns_are_parsed():
	df = table(
		disputed=["yes", "0", "TRUE"],
		customer_name=["Acme Ltd", "", "Beta"],
		currency=["USD", "USD", " EUR "],
	)
	out = validate_invoices(df)
	assert out["disputed"].tolist() == [True, False, True]
	assert out["customer_name"].tolist() == ["Acme Ltd", "C1", "Beta"]
	assert out["currency"].tolist() == ["USD", "USD", "EUR"]


def test_missing_required_columns_named_in_one_message():
	errs = errors_of(table().drop(columns=["due_date", "outstanding"]))
	assert len(errs) == 1
	assert "due_date" in errs[0] and "outstanding" in errs[0] and "missing" in errs[0]


def test_row_messages_name_row_and_column():
	df = table(
		posting_date=["2024-01-05", "not a date", "2024-03-01"],
		grand_total=[1000.0, 250.5, -5.0],
		outstanding=[0.0, 100.0, 0.0],
	)
	errs = errors_of(df)
	assert "row 3 (invoice INV-0002): posting_date: cannot read 'not a date' as a date" in errs
	assert "row 4 (invoice INV-0003): grand_total -5.00 is negative" in errs
	# messages come out in row order
	assert [e.split(":")[0] for e in errs] == sorted(
		(e.split(":")[0] for e in errs), key=lambda s: int(s.split()[1])
	)


@pytest.mark.parametrize(
	"overrides, expected",
	[
		({"invoice": ["INV-0001", "", "INV-0003"]}, "row 3: invoice is empty"),
		({"customer": ["C1", "C1", "  "]}, "row 4 (invoice INV-0003): customer is empty"),
		(
			{"invoice": ["INV-0001", "INV-0002", "INV-0001"]},
			"row 4 (invoice INV-0001): invoice: duplicate id 'INV-0001' (first on row 2)",
		),
		(
			{"due_date": ["2024-01-04", "2024-03-11", "2024-03-31"]},
			"row 2 (invoice INV-0001): due_date 2024-01-04 is before posting_date 2024-01-05",
		),
		(
			{"settled_date": ["2024-01-01", "", ""]},
			"row 2 (invoice INV-0001): settled_date 2024-01-01 is before posting_date 2024-01-05",
		),
		({"outstanding": [0.0, -1.0, 80.0]}, "row 3 (invoice INV-0002): outstanding -1.00 is negative"),
		(
			{"outstanding": [0.0, 250.51, 80.0]},
			"row 3 (invoice INV-0002): outstanding 250.51 is above grand_total 250.50",
		),
		(
			{"grand_total": [1000.0, "12x", 80.0]},
			"row 3 (invoice INV-0002): grand_total: '12x' is not a number",
		),
		({"due_date": ["2024-02-04", None, "2024-03-31"]}, "row 3 (invoice INV-0002): due_date is empty"),
		(
			{"disputed": ["no", "maybe", "no"]},
			"row 3 (invoice INV-0002): disputed: 'maybe' is not yes/no/true/false/1/0",
		),
		(
			{"settled_date": ["2024-02-01", "2024-03-01", ""]},
			"row 3 (invoice INV-0002): settled_date is set but outstanding is 100.00 (a settled invoice owes nothing)",
		),
	],
)
def test_each_rule_is_reported(overrides, expected):
	assert expected in errors_of(table(**overrides))


def test_rounding_tolerance_on_outstanding():
	out = validate_invoices(table(outstanding=[0.0, 250.504, -0.004]))
	assert out["outstanding"].tolist() == [0.0, 250.5, 0.0]  # clipped into [0, grand_total]


def test_error_list_is_capped_in_message():
	n = 25
	df = pd.DataFrame(
		{
			"invoice": [f"I{i}" for i in range(n)],
			"customer": ["C"] * n,
			"posting_date": ["2024-01-10"] * n,
			"due_date": ["2024-01-01"] * n,  # every row: due before posting
			"grand_total": [10.0] * n,
			"outstanding": [10.0] * n,
			"settled_date": [""] * n,
		}
	)
	with pytest.raises(SchemaError) as info:
		validate_invoices(df)
	assert len(info.value.errors) == n
	text = str(info.value)
	assert text.startswith("25 problem(s)")
	assert "and 5 more" in text
	assert "row 21 (invoice I19)" in text and "row 22 (invoice I20)" not in text


def test_date_formats_compact_and_datetime_values():
	df = table(
		posting_date=[dt.date(2024, 1, 5), pd.Timestamp("2024-02-10 08:00"), "20240301"],
		due_date=["20240204.0", "2024-03-11", "03/31/2024"],
	)
	out = validate_invoices(df)
	assert out["posting_date"].tolist() == [
		pd.Timestamp(x) for x in ("2024-01-05", "2024-02-10", "2024-03-01")
	]
	assert out["due_date"].tolist() == [pd.Timestamp(x) for x in ("2024-02-04", "2024-03-11", "2024-03-31")]


def test_repair_dates_moves_posting_back():
	df = table(due_date=["2024-01-03", "2024-03-11", "2024-03-31"], settled_date=["2024-01-02", "", ""])
	assert len(errors_of(df)) == 2
	out = validate_invoices(df, repair_dates=True)
	assert out["posting_date"][0] == pd.Timestamp("2024-01-02")
	assert out.attrs["repairs"] == [
		"row 2 (invoice INV-0001): posting_date 2024-01-05 moved back to 2024-01-02"
	]


def test_apply_mapping_renames_and_reports_bad_entries():
	df = pd.DataFrame({"Doc": ["A"], "Who": ["C"]})
	out = apply_mapping(df, {"Doc": "invoice", "Who": "customer"})
	assert list(out.columns) == ["invoice", "customer"]
	assert list(df.columns) == ["Doc", "Who"]
	with pytest.raises(SchemaError) as info:
		apply_mapping(df, {"Nope": "invoice", "Who": "client"})
	errs = info.value.errors
	assert any("no column 'Nope'" in e for e in errs)
	assert any("'client' is not a field" in e for e in errs)
	with pytest.raises(SchemaError, match="mapped from both"):
		apply_mapping(df, {"Doc": "invoice", "Who": "invoice"})


def test_recognise_headers_prefers_exact_names():
	got = recognise_headers(
		["Voucher No", "Customer", "Customer Name", "Posting Date", "Due Date", "Outstanding Amount"]
	)
	assert got == {
		"Voucher No": "invoice",
		"Customer": "customer",
		"Customer Name": "customer_name",
		"Posting Date": "posting_date",
		"Due Date": "due_date",
		"Outstanding Amount": "outstanding",
	}
	# highradius-style headers
	got = recognise_headers(
		["doc_id", "cust_number", "name_customer", "clear_date", "total_open_amount", "due_in_date"]
	)
	assert got["doc_id"] == "invoice" and got["cust_number"] == "customer"
	assert got["clear_date"] == "settled_date" and got["total_open_amount"] == "grand_total"
	assert got["due_in_date"] == "due_date" and got["name_customer"] == "customer_name"


def test_read_ledger_csv_with_aliases_and_leading_zeros(tmp_path):
	path = tmp_path / "ar.csv"
	path.write_text(
		"Invoice No,Party,Invoice Date,Due Date,Invoiced Amount,Outstanding Amount\n"
		'0001,007,2024-01-05,2024-02-04,"1,200.50",200.5\n'
		"0002,007,2024-01-06,2024-02-05,300,300\n",
		encoding="utf-8",
	)
	inv = read_ledger(path)
	assert inv["invoice"].tolist() == ["0001", "0002"]
	assert inv["customer"].tolist() == ["007", "007"]
	assert inv["grand_total"].tolist() == [1200.5, 300.0]
	assert inv["settled_date"].isna().all()  # no settled column: an open-items export


def test_read_ledger_derives_outstanding_from_settled_date(tmp_path):
	path = tmp_path / "ar.csv"
	path.write_text(
		"doc_id;cust_number;posting_date;due_in_date;total_open_amount;clear_date\n"
		"1;C;2024-01-05;2024-02-04;100;2024-02-01\n"
		"2;C;2024-01-05;2024-02-04;50;\n",
		encoding="utf-8",
	)
	inv = read_ledger(path)
	assert inv["outstanding"].tolist() == [0.0, 50.0]
	assert inv["settled_date"][0] == pd.Timestamp("2024-02-01")


def test_read_ledger_customer_name_only_and_mapping(tmp_path):
	path = tmp_path / "ar.csv"
	path.write_text(
		"Ref,Customer Name,Date,Due Date,Amount,Balance\nX-1,Acme Ltd,2024-01-05,2024-02-04,100,100\n",
		encoding="utf-8",
	)
	inv = read_ledger(path, {"Ref": "invoice"})
	assert inv["invoice"].tolist() == ["X-1"]
	assert inv["customer"].tolist() == ["Acme Ltd"] and inv["customer_name"].tolist() == ["Acme Ltd"]


def test_read_ledger_missing_columns_hint(tmp_path):
	path = tmp_path / "ar.csv"
	path.write_text("Ref,Who\nA,B\n", encoding="utf-8")
	with pytest.raises(SchemaError) as info:
		read_ledger(path)
	(message,) = info.value.errors
	assert "invoice" in message and "due_date" in message and "--map" in message


def test_read_ledger_xlsx(tmp_path):
	path = tmp_path / "ar.xlsx"
	table(settled_date=[pd.Timestamp("2024-02-01"), None, None]).assign(
		posting_date=pd.to_datetime(["2024-01-05", "2024-02-10", "2024-03-01"])
	).to_excel(path, index=False)
	inv = read_ledger(path)
	assert inv["posting_date"][2] == pd.Timestamp("2024-03-01")
	assert inv["outstanding"].tolist() == [0.0, 100.0, 80.0]
	assert np.isclose(inv["grand_total"].sum(), 1330.5)


def test_read_ledger_missing_file(tmp_path):
	with pytest.raises(SchemaError, match="no such file"):
		read_ledger(tmp_path / "nope.csv")


def test_read_ledger_utf8_whose_first_kilobytes_end_inside_a_character(tmp_path):
	"""The whole file decides the encoding: a multi-byte character cut at a sniffing boundary (here the
	first 4,096 bytes end inside "ü") must not turn a UTF-8 file into cp1252 mojibake."""
	header = "Invoice No,Customer,Posting Date,Due Date,Grand Total,Outstanding Amount\n"
	row = "INV-{:04d},Müller GmbH – Zürich,2024-01-05,2024-02-04,100,100\n"
	text = header + "".join(row.format(i) for i in range(1200))
	for boundary in (4096, 65536):
		raw = text.encode("utf-8")
		last = raw.rindex("ü".encode(), 0, boundary)  # the last "ü" starting before the boundary
		# lengthen the first invoice number so that this "ü" starts on the boundary's last byte
		padded = text.replace("INV-0000", "INV-" + "0" * (boundary - 1 - last) + "0000", 1).encode("utf-8")
		assert padded[boundary - 1 : boundary + 1] == "ü".encode()
		path = tmp_path / f"ar{boundary}.csv"
		path.write_bytes(padded)
		assert set(read_ledger(path)["customer"]) == {"Müller GmbH – Zürich"}
	windows = tmp_path / "windows.csv"
	windows.write_bytes((header + row.format(1)).encode("cp1252"))
	assert read_ledger(windows)["customer"].tolist() == ["Müller GmbH – Zürich"]


def _xlsx_with_shared_strings(path, shared_strings: bytes) -> None:
	import zipfile

	table().to_excel(path, index=False)
	with zipfile.ZipFile(path) as book:
		parts = {name: book.read(name) for name in book.namelist()}
	parts["xl/sharedStrings.xml"] = shared_strings
	with zipfile.ZipFile(path, "w") as book:
		for name, data in parts.items():
			book.writestr(name, data)


def test_read_ledger_refuses_xlsx_with_entities(tmp_path):
	"""An .xlsx whose XML declares entities ("billion laughs", external entities) is refused with a clear
	error, even behind a long comment; openpyxl parses through defusedxml as well."""
	import openpyxl

	assert openpyxl.DEFUSEDXML is True, "defusedxml is a dependency and openpyxl uses it"
	laughs = (
		b'<?xml version="1.0"?><!--' + b"x" * 10_000 + b'--><!DOCTYPE sst [<!ENTITY a "ha">'
		b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
		b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
		b"<si><t>&b;</t></si></sst>"
	)
	path = tmp_path / "bomb.xlsx"
	_xlsx_with_shared_strings(path, laughs)
	with pytest.raises(SchemaError) as info:
		read_ledger(path)
	assert "document type" in info.value.errors[0]
	not_a_workbook = tmp_path / "fake.xlsx"
	not_a_workbook.write_bytes(b"Invoice,Customer\n")
	with pytest.raises(SchemaError, match="not an .xlsx workbook"):
		read_ledger(not_a_workbook)


def test_recognise_headers_of_real_exports():
	"""Headers met in real AR exports that the first reading did not know."""
	got = recognise_headers(
		["AR ID", "Vendor Name", "Received Date", "Balance Due", "Invoice Date", "Due Date", "Amount"]
	)
	assert got == {
		"AR ID": "invoice",
		"Vendor Name": "customer_name",
		"Received Date": "settled_date",
		"Balance Due": "outstanding",
		"Invoice Date": "posting_date",
		"Due Date": "due_date",
		"Amount": "grand_total",
	}
	got = recognise_headers(["Doc No", "Name", "Clearing Date", "Due As of Now", "Paid Date"])
	assert got["Doc No"] == "invoice" and got["Name"] == "customer_name"
	assert got["Clearing Date"] == "settled_date" and got["Due As of Now"] == "outstanding"
	assert "Paid Date" not in got  # settled_date is taken by the earlier alias
	assert recognise_headers(["Amount Due", "Paid Date"]) == {
		"Amount Due": "outstanding",
		"Paid Date": "settled_date",
	}


@pytest.mark.parametrize(
	"cells, expected",
	[
		(
			["1,234.50", "$ 20", "INR 5", "(120.00)", "75.25-", "300.00 Cr", "300.00 Dr"],
			[1234.5, 20, 5, -120, -75.25, -300, 300],
		),
		(["1.234,50", "20,00", "7"], [1234.5, 20.0, 7.0]),
		(["1,234", "2,500"], [1234.0, 2500.0]),
	],
)
def test_amounts_as_exports_write_them(cells, expected):
	values, _, bad = _parse_amounts(pd.Series(cells, dtype=object))
	assert values.tolist() == expected and not bad.any()
	_, _, bad = _parse_amounts(pd.Series(["12 apples", "1,2,3"], dtype=object))
	assert bad.tolist() == [True, True]
