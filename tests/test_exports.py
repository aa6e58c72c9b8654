"""Real accounting exports read as they are: one synthetic sample per system (its own column names, date
style, title, group and total rows) in tests/data/exports, date orders, fill-ins and what is left out."""

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimar_erp.cli import analyse_book, main
from optimar_erp.engine.analytics import mark_trend, monthly_metrics
from optimar_erp.engine.dates import parse_date_columns
from optimar_erp.engine.html_report import _pct, render_html
from optimar_erp.engine.schema import SchemaError, read_ledger
from optimar_erp.engine.simulate import simulate_book

EXPORTS = Path(__file__).parent / "data" / "exports"

# The six open invoices every sample holds, as of 30 November 2026 (INV-1002 partly paid: 900.50 of
# 2,400.50 open), computed by hand: days overdue 78, 28, 128, not due, 33, not due.
BUCKETS = {
	"Not Due": 2779.99,
	"1-30": 900.5,
	"31-60": 560.25,
	"61-90": 1250.0,
	"91-120": 0.0,
	"120+": 3100.0,
}

SAMPLES = {
	# file: (date style noted, header row, title as-of shown, extra argv)
	"quickbooks_ar_aging_detail.csv": ("mm/dd/yyyy (month first", 5, True, []),
	"xero_aged_receivables_detail.csv": ("dd Mon yyyy", 5, True, []),
	"zoho_books_ar_aging_details.csv": ("dd/mm/yyyy (day first", 5, True, []),
	"tally_bills_receivable.csv": ("dd-Mon-yy", 6, True, []),
	"sap_fbl5n.csv": ("dd.mm.yyyy (day first", 4, True, []),
	"odoo_aged_partner_balance.xlsx": ("yyyy-mm-dd", 4, True, []),
	"erpnext_accounts_receivable.csv": ("dd-mm-yyyy (day first", 1, False, ["--as-of", "2026-11-30"]),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_systems_export_is_read_without_map(name, tmp_path, capsys):
	style, header, titled, extra = SAMPLES[name]
	out = tmp_path / "r.html"
	code = main(["analyse", "--ledger", str(EXPORTS / name), "--out", str(out), "--json", *extra])
	captured = capsys.readouterr()
	assert code == 0, captured.err
	s = json.loads(captured.out)
	assert s["as_of"] == "2026-11-30"
	assert s["buckets"] == BUCKETS
	assert s["total_ar"] == 8590.74 and s["overdue"] == 5810.75
	assert s["open_invoices"] == 6 and s["open_customers"] == 3
	assert any(style in n for n in s["notes"]), s["notes"]
	if header > 1:
		assert any(n.startswith(f"header: row {header} ") for n in s["notes"])
	if titled:
		assert any(n.startswith("report date: 2026-11-30 from the title row") for n in s["notes"])
	if name == "sap_fbl5n.csv":  # clearing dates: a ledger with history, two invoices cleared
		assert not s["open_items"] and s["cei"] is not None
		assert any("not invoices by their 'Type': 1 DZ" in n for n in s["notes"])
	else:
		assert s["open_items"] and s["cei"] is None and s["dso_countback"] is None
		assert s["left_out"] and "no payment dates" in s["left_out"][0]
		assert any("1 open invoice(s) partly paid (1,500.00 in all)" in n for n in s["notes"])
	html = out.read_text(encoding="utf-8")
	assert 'id="reading"' in html and "How the file was read" in html


def test_group_total_and_payment_rows_are_skipped_and_said(capsys):
	inv = read_ledger(EXPORTS / "quickbooks_ar_aging_detail.csv")
	assert sorted(inv["invoice"]) == ["1001", "1002", "1003", "1004", "1005", "1006"]
	notes = inv.attrs["notes"]
	assert any("skipped 12 row(s) without an invoice id and amount, or that are totals" in n for n in notes)
	assert any("not invoices by their 'Transaction Type': 1 Payment" in n for n in notes)
	zoho = read_ledger(EXPORTS / "zoho_books_ar_aging_details.csv")
	assert "CN-00017" not in set(zoho["invoice"]) and zoho["customer"].iloc[0] == "Acme Traders"


def test_header_row_option_and_its_message(tmp_path, capsys):
	qb = EXPORTS / "quickbooks_ar_aging_detail.csv"
	assert len(read_ledger(qb, header_row=5)) == 6
	with pytest.raises(SchemaError) as info:
		read_ledger(qb, header_row=2)
	(message,) = info.value.errors
	assert "missing field(s): invoice, customer, posting_date, due_date" in message
	assert "header on row 2" in message
	assert (
		main(["analyse", "--ledger", str(qb), "--header-row", "99", "--out", str(tmp_path / "o.html")]) == 2
	)
	assert "--header-row 99: the file has 26 row(s)" in capsys.readouterr().err


def _book(tmp_path: Path) -> pd.DataFrame:
	book = simulate_book(seed=3, n_customers=25, months=7, end=dt.date(2026, 10, 31))
	return book.invoices[
		["invoice", "customer", "posting_date", "due_date", "grand_total", "outstanding", "settled_date"]
	]


def _figures(argv: list[str], capsys) -> dict:
	assert main([*argv, "--json"]) == 0, capsys.readouterr().err
	s = json.loads(capsys.readouterr().out)
	s.pop("notes")
	return s


def test_day_first_csv_and_excel_with_typed_dates_give_identical_figures(tmp_path, capsys):
	inv = _book(tmp_path)
	text = inv.copy()
	for col in ("posting_date", "due_date", "settled_date"):
		text[col] = pd.to_datetime(inv[col]).dt.strftime("%d/%m/%Y").fillna("")
	text.to_csv(tmp_path / "book.csv", index=False)
	inv.to_excel(tmp_path / "book.xlsx", index=False)
	common = ["--as-of", "2026-10-31", "--out", str(tmp_path / "r.html")]
	from_csv = _figures(["analyse", "--ledger", str(tmp_path / "book.csv"), *common], capsys)
	from_xlsx = _figures(["analyse", "--ledger", str(tmp_path / "book.xlsx"), *common], capsys)
	assert from_csv == from_xlsx
	assert from_csv["total_ar"] > 0 and not from_csv["open_items"] and from_csv["dso_countback"] is not None
	a, b = read_ledger(tmp_path / "book.csv"), read_ledger(tmp_path / "book.xlsx")
	pd.testing.assert_frame_equal(a[list(inv.columns)], b[list(inv.columns)])
	assert any("dd/mm/yyyy (day first" in n for n in a.attrs["notes"])


def test_raw_export_with_title_and_no_due_date_reads_with_terms(tmp_path, capsys):
	inv = _book(tmp_path)
	edited = inv.assign(due_date=pd.to_datetime(inv["posting_date"]) + pd.Timedelta(days=30))
	edited.to_csv(tmp_path / "edited.csv", index=False, date_format="%Y-%m-%d")
	raw = inv.drop(columns="due_date").rename(
		columns={"invoice": "Doc No", "customer": "Name", "posting_date": "Invoice Date"}
	)
	raw["Invoice Date"] = pd.to_datetime(raw["Invoice Date"]).dt.strftime("%d-%b-%y")
	raw["settled_date"] = pd.to_datetime(raw["settled_date"]).dt.strftime("%d-%b-%y").fillna("")
	body = raw.rename(
		columns={"grand_total": "Amount", "outstanding": "Amount Due", "settled_date": "Paid Date"}
	)
	(tmp_path / "raw.csv").write_text(
		"Receivables ledger export\nExported as of 31-Oct-26\n\n" + body.to_csv(index=False), encoding="utf-8"
	)
	common = ["--as-of", "2026-10-31", "--out", str(tmp_path / "r.html")]
	assert main(["analyse", "--ledger", str(tmp_path / "raw.csv"), *common]) == 2
	err = capsys.readouterr().err
	assert "missing field(s): due_date" in err and "--terms DAYS" in err
	assert "'Doc No' → invoice" in err and "'Name' → customer_name" in err
	from_raw = _figures(["analyse", "--ledger", str(tmp_path / "raw.csv"), "--terms", "30", *common], capsys)
	from_edited = _figures(["analyse", "--ledger", str(tmp_path / "edited.csv"), *common], capsys)
	assert from_raw == from_edited
	notes = read_ledger(tmp_path / "raw.csv", terms=30).attrs["notes"]
	assert "due_date: not in the file; posting date + 30 days (--terms 30)" in notes
	assert any(n.startswith("header: row 4 ") for n in notes)


AMBIGUOUS = "Invoice,Customer,Posting Date,Due Date,Amount,Balance\nA1,C,05/03/2026,06/04/2026,100,100\n"


def test_ambiguous_dates_need_an_order_and_the_order_is_said(tmp_path, capsys):
	path = tmp_path / "amb.csv"
	path.write_text(AMBIGUOUS, encoding="utf-8")
	with pytest.raises(SchemaError) as info:
		read_ledger(path)
	(message,) = info.value.errors
	assert "every date reads either way" in message and "--dates dayfirst or --dates monthfirst" in message
	day = read_ledger(path, dates="dayfirst")
	month = read_ledger(path, dates="monthfirst")
	assert day["posting_date"][0] == pd.Timestamp("2026-03-05")
	assert month["posting_date"][0] == pd.Timestamp("2026-05-03")
	assert (
		"dates: posting_date ('Posting Date'): dd/mm/yyyy (day first, as --dates dayfirst says)"
		in (day.attrs["notes"])
	)
	out = tmp_path / "o.html"
	assert main(["analyse", "--ledger", str(path), "--out", str(out)]) == 2 and not out.exists()
	assert main(["analyse", "--ledger", str(path), "--out", str(out), "--dates", "monthfirst"]) == 0


def test_one_column_decides_for_the_ambiguous_others(tmp_path):
	path = tmp_path / "uk.csv"
	path.write_text(AMBIGUOUS + "A2,C,28/02/2026,30/03/2026,50,50\n", encoding="utf-8")
	inv = read_ledger(path)
	assert inv["posting_date"].tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-02-28")]
	assert inv["due_date"][0] == pd.Timestamp("2026-04-06")
	notes = inv.attrs["notes"]
	assert "dates: posting_date ('Posting Date'): dd/mm/yyyy (day first: '28/02/2026', row 3)" in notes
	with pytest.raises(SchemaError, match="--dates monthfirst: posting_date .* has '28/02/2026'"):
		read_ledger(path, dates="monthfirst")


def test_contradictory_columns_are_an_error_naming_them(tmp_path):
	path = tmp_path / "mixed.csv"
	path.write_text(
		"Invoice,Customer,Posting Date,Due Date,Amount,Balance\n"
		"A1,C,28/01/2026,02/27/2026,100,100\nA2,C,01/02/2026,03/01/2026,100,100\n",
		encoding="utf-8",
	)
	with pytest.raises(SchemaError) as info:
		read_ledger(path)
	(message,) = info.value.errors
	assert "posting_date ('Posting Date') read(s) day first but due_date ('Due Date') month first" in message
	path.write_text(
		"Invoice,Customer,Posting Date,Due Date,Amount,Balance\nA1,C,28/01/2026,02/27/2026,100,100\n"
		"A2,C,01/30/2026,03/01/2026,100,100\n",
		encoding="utf-8",
	)
	with pytest.raises(SchemaError, match=r"posting_date \('Posting Date'\) mixes day-first and month-first"):
		read_ledger(path)


def test_text_dates_of_every_style_in_one_pass():
	cells = pd.Series(
		["30-Nov-26", "1 December 2026", "Dec 2, 2026", "2026-12-03T10:15:00Z", "46360", "20261205", "", None]
	)
	parsed, bad, plan = parse_date_columns({"d": cells})
	assert parsed["d"].dt.strftime("%Y-%m-%d").tolist()[:6] == [
		"2026-11-30",
		"2026-12-01",
		"2026-12-02",
		"2026-12-03",
		"2026-12-04",
		"2026-12-05",
	]
	assert parsed["d"][6:].isna().all() and not bad["d"].any() and plan.errors == []
	_, bad, _ = parse_date_columns({"d": pd.Series(["31 Feb 2026", "soon"])})
	assert bad["d"].tolist() == [True, True]


def test_bad_order_of_dates_points_to_repair_dates(tmp_path, capsys):
	path = tmp_path / "b.csv"
	path.write_text(
		"Invoice,Customer,Posting Date,Due Date,Amount,Balance\nA1,C,2026-03-10,2026-03-01,100,100\n",
		encoding="utf-8",
	)
	assert main(["analyse", "--ledger", str(path), "--out", str(tmp_path / "o.html")]) == 2
	err = capsys.readouterr().err
	assert "due_date 2026-03-01 is before posting_date 2026-03-10" in err and "--repair-dates" in err


def _history() -> pd.DataFrame:
	"""Three invoices with payment dates; INV-3 (posted in May) is open and partly paid, date unknown."""
	return pd.DataFrame(
		{
			"invoice": ["INV-1", "INV-2", "INV-3"],
			"customer": ["C1", "C2", "C1"],
			"posting_date": pd.to_datetime(["2026-01-10", "2026-02-12", "2026-05-20"]),
			"due_date": pd.to_datetime(["2026-02-09", "2026-03-14", "2026-06-19"]),
			"grand_total": [1000.0, 500.0, 2000.0],
			"outstanding": [0.0, 0.0, 800.0],
			"settled_date": pd.to_datetime(["2026-02-20", "2026-03-10", None]),
		}
	)


def test_partial_payments_of_unknown_date_keep_their_months_out_of_the_trend(tmp_path):
	path = tmp_path / "h.csv"
	_history().to_csv(path, index=False, date_format="%Y-%m-%d")
	inv = read_ledger(path)
	s, trend = analyse_book(inv, dt.date(2026, 8, 31), (30, 60, 90, 120))
	left = dict(zip(trend["month"], trend["left_out"], strict=True))
	assert [m for m, why in left.items() if why] == ["2026-05", "2026-06", "2026-07", "2026-08"]
	assert set(left[m] for m in ("2026-05", "2026-08")) == {"partial payments of unknown date"}
	assert left["2026-03"] == "" and left["2026-04"] == ""
	assert trend.set_index("month").loc["2026-05", "undated_paid"] == 1200.0
	assert s["cei"] is None and "CEI of 2026-08 is left out" in s["left_out"][0]
	assert any("1 open invoice(s) partly paid (1,200.00 in all)" in n for n in s["notes"])
	assert s["total_ar"] == 800.0  # today's aging is exact
	html = render_html(s, trend, "t", dt.date(2026, 8, 31))
	assert "Not charted: May 2026: partial payments of unknown date" in html
	# the same book with its movements known leaves nothing out
	known = mark_trend(monthly_metrics(inv, "2026-01-01", "2026-08-31"), inv, events_known=True)
	assert (known["left_out"] == "").all()


def test_the_month_cut_short_is_marked_not_charted(tmp_path):
	inv = read_ledger(_write(tmp_path, _history().assign(outstanding=[0.0, 0.0, 2000.0])))
	s, trend = analyse_book(inv, dt.date(2026, 8, 8), (30, 60, 90, 120))
	last = trend.iloc[-1]
	assert last["month"] == "2026-08" and bool(last["partial"]) and last["days"] == 8
	assert last["left_out"].startswith("month cut short")
	assert (trend["left_out"].iloc[:-1] == "").all()
	html = render_html(s, trend, "t", dt.date(2026, 8, 8))
	assert "Aug 2026 (to 8 Aug)" in html
	assert "Aug 2026 (to 8 Aug): " not in html.split('<p class="note">')[0]  # no point drawn in any chart
	assert "Not charted: Aug 2026 (to 8 Aug): month cut short" in html
	assert "DSO standard May 2026: 31.0 days" in html
	assert any(n.startswith("trend: 2026-08 ends on the report date") for n in s["notes"])


def _write(tmp_path: Path, df: pd.DataFrame) -> Path:
	path = tmp_path / "l.csv"
	df.to_csv(path, index=False, date_format="%Y-%m-%d")
	return path


def test_no_minus_zero_percent():
	assert _pct(-0.04) == "0.0%" and _pct(-0.06) == "-0.1%" and _pct(None) == "—"


def test_open_items_report_leaves_history_out(tmp_path):
	s, trend = analyse_book(
		read_ledger(EXPORTS / "xero_aged_receivables_detail.csv"), dt.date(2026, 11, 30), (30, 60)
	)
	html = render_html(s, trend, "t", dt.date(2026, 11, 30))
	assert "they are left out rather than computed wrong" in html and "<polyline" not in html
	assert s["dso_standard"] is not None and trend.empty


def test_version(capsys):
	assert main(["--version"]) == 0
	assert capsys.readouterr().out.strip().startswith("optimar 0.")


def test_backtest_explains_an_undefined_auc(tmp_path, capsys):
	inv = simulate_book(seed=5, n_customers=40, months=10, end=dt.date(2026, 10, 31)).invoices
	cutoff = pd.Timestamp("2026-07-01")
	after = (inv["posting_date"] >= cutoff) & inv["settled_date"].notna()
	late = inv["due_date"] + pd.Timedelta(days=5)
	inv.loc[after, "settled_date"] = late[after]  # every test invoice paid late: one outcome only
	inv = inv[inv["settled_date"].isna() | (inv["settled_date"] <= pd.Timestamp("2026-10-31"))]
	path = _write(tmp_path, inv)
	assert main(["backtest", "--ledger", str(path), "--cutoff", "2026-07-01"]) == 0
	figures = json.loads(capsys.readouterr().out)
	assert figures["auc"] is None and figures["late_rate_test"] == 1.0
	assert figures["auc_note"].startswith(f"AUC is undefined: all {figures['n_test']:,} test invoices")
	assert "were paid late" in figures["auc_note"] and "--cutoff" in figures["auc_note"]
	assert np.isfinite(figures["brier"])


def test_title_date_in_the_next_cell_or_in_the_files_order(tmp_path):
	import openpyxl

	book = openpyxl.Workbook()
	sheet = book.active
	sheet.append(["Customer balances"])
	sheet.append(["As of:", dt.datetime(2026, 11, 30)])
	sheet.append([])
	sheet.append(["Invoice", "Customer", "Date", "Due", "Amount", "Balance"])
	sheet.append(["A1", "C", "03/11/2026", "25/11/2026", 10, 10])
	book.save(tmp_path / "b.xlsx")
	assert read_ledger(tmp_path / "b.xlsx").attrs["title_as_of"] == pd.Timestamp("2026-11-30")
	path = tmp_path / "b.csv"
	path.write_text(
		"Balances as of 05/11/2026\nInvoice,Customer,Date,Due,Amount,Balance\nA1,C,03/10/2026,25/10/2026,10,10\n",
		encoding="utf-8",
	)
	inv = read_ledger(path)  # 05/11 reads either way alone; the file's dates are day-first
	assert inv.attrs["title_as_of"] == pd.Timestamp("2026-11-05")


def test_terminal_says_what_is_left_out(tmp_path, capsys):
	xero = EXPORTS / "xero_aged_receivables_detail.csv"
	assert main(["analyse", "--ledger", str(xero), "--out", str(tmp_path / "x.html")]) == 0
	printed = capsys.readouterr().out
	assert "CEI           left out (see above)" in printed and "countback left out" in printed
	assert "left out: The file has no payment dates (an open-items list)" in printed
	assert "note: header: row 5" in printed and "-0.0" not in printed


def test_a_map_naming_no_column_says_where_the_header_was_read(tmp_path):
	with pytest.raises(SchemaError) as info:
		read_ledger(EXPORTS / "tally_bills_receivable.csv", {"Bill Ref": "invoice"})
	assert "--map Bill Ref=invoice: the file has no column 'Bill Ref'" in info.value.errors[0]
	assert info.value.errors[-1].startswith("hint: the column names were read from row 6 ('Date', 'Ref. No.'")
