"""The standalone HTML report."""

import re

import pandas as pd

from optimar_erp.engine.analytics import monthly_metrics, summary
from optimar_erp.engine.html_report import render_html
from optimar_erp.engine.schema import validate_invoices


def _book(name: str = "Acme <b>& Co</b>", currency: str = "USD") -> pd.DataFrame:
	return validate_invoices(
		pd.DataFrame(
			{
				"invoice": ["A", "B"],
				"customer": ["C<1>", "C2"],
				"customer_name": [name, "Beta"],
				"posting_date": ["2024-01-10", "2024-03-01"],
				"due_date": ["2024-02-09", "2024-03-31"],
				"grand_total": [1234567.0, 500.0],
				"outstanding": [1234567.0, 500.0],
				"settled_date": [None, None],
				"currency": [currency, "USD"],
			}
		)
	)


def _render(inv: pd.DataFrame, title: str = "AR <report>") -> str:
	s = summary(inv, "2024-03-31")
	return render_html(s, monthly_metrics(inv, "2024-01-01", "2024-03-31"), title, "2024-03-31")


def test_report_is_self_contained_and_complete():
	html = _render(_book())
	assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
	assert "<title>AR &lt;report&gt;</title>" in html
	for section in ('id="kpis"', 'id="aging"', 'id="trends"', 'id="top-overdue"'):
		assert section in html
	assert html.count("<svg") == 3  # aging bars, DSO lines, CEI line
	assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)  # nothing fetched from elsewhere
	assert "<script" not in html and "@import" not in html and "<link" not in html
	assert '<th scope="col">' in html and 'role="img"' in html


def test_user_strings_are_escaped():
	html = _render(_book())
	assert "Acme &lt;b&gt;&amp; Co&lt;/b&gt;" in html and "<b>&" not in html
	assert "C&lt;1&gt;" in html


def test_amounts_with_currency_and_separators():
	html = _render(_book())
	assert "USD 1,235,067" in html  # total AR: 1,234,567 + 500
	assert "USD 1,234,567" in html  # overdue
	mixed = _render(_book(currency="EUR"))
	assert "mixes currencies" in mixed and "EUR, USD" in mixed and "USD 1,235,067" not in mixed


def test_outside_text_never_becomes_a_spreadsheet_formula():
	from optimar_erp.engine.tables import spreadsheet_safe

	for attack in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", " =cmd|' /C calc'!A0", "\uff1d1+1"):
		assert spreadsheet_safe(attack) == "'" + attack
	for fine in ("We will pay on the 28th", "1-2 weeks", "", "'=already quoted", 42, None):
		assert spreadsheet_safe(fine) == fine
