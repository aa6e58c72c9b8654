"""The ``optimar`` command line, run in-process through ``main``."""

import json
from pathlib import Path

import pandas as pd
import pytest

from optimar_erp.cli import main

REAL_CSV_CANDIDATES = [
	Path("/work/shared/data/highradius_ar_dev.csv"),
	Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "highradius_ar_dev.csv",
]
REAL_CSV = next((p for p in REAL_CSV_CANDIDATES if p.exists()), None)

LEDGER = """Invoice No,Customer,Customer Name,Posting Date,Due Date,Grand Total,Outstanding Amount,Currency
INV-1,C1,Acme Ltd,2024-01-10,2024-02-09,1000,0,USD
INV-2,C1,Acme Ltd,2024-02-15,2024-03-16,500,500,USD
INV-3,C2,Beta GmbH,2024-03-05,2024-04-04,300,300,USD
INV-4,C2,Beta GmbH,2023-11-01,2023-12-01,200,200,USD
"""


def test_demo_writes_report(tmp_path, capsys):
	out = tmp_path / "demo.html"
	code = main(["demo", "--out", str(out), "--customers", "60", "--months", "6", "--as-of", "2025-06-30"])
	assert code == 0
	html = out.read_text(encoding="utf-8")
	for section in ('id="kpis"', 'id="aging"', 'id="trends"', 'id="top-overdue"', "Top overdue customers"):
		assert section in html
	assert "USD " in html and "Jan 2025" in html and "Jun 2025" in html
	printed = capsys.readouterr().out
	assert "Simulated 60 customers" in printed and "Total AR" in printed and str(out.resolve()) in printed
	assert not list(tmp_path.glob("*.tmp"))


def test_analyse_csv_json(tmp_path, capsys):
	ledger = tmp_path / "ar.csv"
	ledger.write_text(LEDGER, encoding="utf-8")
	out = tmp_path / "r.html"
	code = main(["analyse", "--ledger", str(ledger), "--as-of", "2024-03-31", "--out", str(out), "--json"])
	assert code == 0 and out.exists()
	s = json.loads(capsys.readouterr().out)
	assert s["total_ar"] == 1000.0 and s["overdue"] == 700.0 and s["currency"] == "USD"
	assert s["buckets"]["1-30"] == 500.0 and s["buckets"]["120+"] == 200.0
	assert s["top_overdue"][0]["customer_name"] == "Acme Ltd"


def test_analyse_default_as_of_and_output_name(tmp_path, capsys, monkeypatch):
	monkeypatch.chdir(tmp_path)
	(tmp_path / "book.csv").write_text(LEDGER, encoding="utf-8")
	assert main(["analyse", "--ledger", "book.csv", "--buckets", "30,90"]) == 0
	assert (tmp_path / "book-report.html").exists()
	printed = capsys.readouterr().out
	assert "Receivables as of 2024-03-05" in printed  # the latest date in the file
	assert "31-90" in printed and "90+" in printed


def test_analyse_with_map(tmp_path, capsys):
	ledger = tmp_path / "odd.csv"
	ledger.write_text(
		"Ref,Client Code,Issued,Payable By,Value,Owed\nR1,K9,2024-01-10,2024-02-09,100,40\n", encoding="utf-8"
	)
	out = tmp_path / "odd.html"
	assert main(["analyse", "--ledger", str(ledger), "--out", str(out)]) == 2
	assert "missing field(s): invoice, customer" in capsys.readouterr().err and not out.exists()
	args = ["analyse", "--ledger", str(ledger), "--out", str(out), "--as-of", "2024-03-01", "--json"]
	for m in ("Ref=invoice", "Client Code=customer", "Issued=posting_date", "Payable By=due_date"):
		args += ["--map", m]
	args += ["--map", "Value=grand_total", "--map", "Owed=outstanding"]
	assert main(args) == 0
	s = json.loads(capsys.readouterr().out)
	assert s["total_ar"] == 40.0 and s["buckets"]["1-30"] == 40.0  # 21 days past due on 2024-03-01
	assert out.exists()


def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
	ledger = tmp_path / "bad.csv"
	ledger.write_text(
		LEDGER.replace("2024-02-15,2024-03-16,500,500", "2024-02-15,2024-02-01,500,900"), encoding="utf-8"
	)
	out = tmp_path / "bad.html"
	assert main(["analyse", "--ledger", str(ledger), "--out", str(out)]) == 2
	err = capsys.readouterr().err
	assert "row 3 (invoice INV-2): due_date 2024-02-01 is before posting_date 2024-02-15" in err
	assert "row 3 (invoice INV-2): outstanding 900.00 is above grand_total 500.00" in err
	assert list(tmp_path.iterdir()) == [ledger]


@pytest.mark.parametrize(
	"argv",
	[
		[],
		["nonsense"],
		["analyse"],
		["analyse", "--ledger", "x.csv", "--as-of", "31/12/2024"],
		["analyse", "--ledger", "x.csv", "--map", "no-equals-sign"],
		["demo", "--buckets", "60,30"],
	],
)
def test_usage_errors(argv, tmp_path, monkeypatch, capsys):
	monkeypatch.chdir(tmp_path)
	(tmp_path / "x.csv").write_text(LEDGER, encoding="utf-8")
	assert main(argv) == 2
	assert not list(tmp_path.glob("*.html"))


def test_missing_ledger_file(tmp_path, capsys):
	assert main(["analyse", "--ledger", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o.html")]) == 2
	assert "no such file" in capsys.readouterr().err


@pytest.mark.skipif(REAL_CSV is None, reason="shared/data/highradius_ar_dev.csv is not available")
def test_analyse_real_highradius_book(tmp_path, capsys):
	out = tmp_path / "hr.html"
	base = ["analyse", "--ledger", str(REAL_CSV), "--out", str(out)]
	# its posting dates are estimated, and ~1% fall after the due or clearing date
	assert main(base) == 2 and not out.exists()
	assert "is before posting_date" in capsys.readouterr().err
	assert main(base + ["--repair-dates", "--as-of", "2019-06-30", "--json"]) == 0
	s = json.loads(capsys.readouterr().out)
	raw = pd.read_csv(REAL_CSV, dtype={"invoice": str})
	assert s["currencies"] == ["CAD", "USD"] and s["currency"] is None
	assert 0 < s["overdue"] < s["total_ar"] < raw["grand_total"].sum() * 0.1
	assert sum(s["buckets"].values()) == pytest.approx(s["total_ar"], abs=0.1)
	assert 100 < s["open_invoices"] < 5000 and 50 < s["open_customers"] < 901
	assert 5 < s["dso_standard"] < 60 and 5 < s["dso_countback"] < 60
	assert 50 < s["cei"] <= 100 and s["add"] >= 0
	html = out.read_text(encoding="utf-8")
	assert "mixes currencies" in html and 'id="top-overdue"' in html
