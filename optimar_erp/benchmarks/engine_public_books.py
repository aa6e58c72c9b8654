"""Backtest of the risk models on public, real payment books:
``python -m optimar_erp.benchmarks.engine_public_books [DATA_DIR]``.

Each book is read from ``DATA_DIR`` (default: ``$OPTIMAR_PUBLIC_BOOKS``, else
``../shared/data/public-books`` next to the checkout), turned into the engine's invoice schema, split in
time (train on the invoices posted before the date that leaves the last quarter of them for testing, as
known the day before; test on the later settled ones, see :func:`~optimar_erp.engine.risk.backtest.backtest`)
and the table printed: the model (with the late-payment and days-to-settle models it chose on its own
training invoices) against the customer-history baseline (P(late) = the customer's late rate, days to
settle = its mean) and a regularised logistic regression on the same features: AUC, Brier score and mean
absolute error of the days to settle. The data stays outside the package; :data:`BOOKS` says where each
file comes from (a public GitHub repository at a fixed commit), and a missing file is reported with the
address to download it from. The IBM sample (2,466 invoices, 100 customers) is the small book the
model was first found weak on; Cassandra, Home Credit and SuperLender are books it was never tuned on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimar_erp.engine.risk.backtest import backtest

HOLDOUT_SHARE = 0.25
"""Share of a book's invoices (the latest by posting date) held out for testing."""

HOME_CREDIT_DAY0 = pd.Timestamp("2018-01-01")
"""Home Credit gives days relative to the loan application (negative = before it): day 0 is put here."""

INSTALMENT_TERMS_DAYS = 30
"""Home Credit instalments are monthly: each is taken as billed this many days before it falls due."""

SINGLE_REPAYMENT_MAX_DAYS = 30
"""SuperLender loans of at most this many days are repaid in one payment (the longer ones are left out)."""


def _ibm(path: Path) -> pd.DataFrame:
	raw = pd.read_csv(path, dtype={"invoiceNumber": str, "customerID": str, "countryCode": str})
	return pd.DataFrame(
		{
			"invoice": raw["invoiceNumber"],
			"customer": raw["customerID"],
			"posting_date": pd.to_datetime(raw["InvoiceDate"], format="%m/%d/%Y"),
			"due_date": pd.to_datetime(raw["DueDate"], format="%m/%d/%Y"),
			"grand_total": raw["InvoiceAmount"].astype(float),
			"outstanding": 0.0,
			"settled_date": pd.to_datetime(raw["SettledDate"], format="%m/%d/%Y"),
			"country": raw["countryCode"],
		}
	)


def _cassandra(path: Path) -> pd.DataFrame:
	raw = pd.read_csv(path)
	posted = pd.to_datetime(raw["Invoice_Date"], format="%d-%b-%y")
	settled = posted + pd.to_timedelta(raw["Number_of_Days_until_Payment"], unit="D")
	df = pd.DataFrame(
		{
			"invoice": [f"CAS-{i:05d}" for i in range(len(raw))],
			"customer": raw["Vendor_Name"].astype(str).str.strip(),
			"posting_date": posted,
			"due_date": pd.to_datetime(raw["Due_Date"], format="%d-%b-%y"),
			"grand_total": raw["Amount"].astype(float),
			"outstanding": 0.0,
			"settled_date": settled,
		}
	)
	# a few rows say they were paid before they were invoiced, or fall due before: not usable
	return df[(df["settled_date"] >= df["posting_date"]) & (df["due_date"] >= df["posting_date"])]


def _home_credit(path: Path) -> pd.DataFrame:
	raw = pd.read_csv(path)
	raw = raw[raw["DAYS_INSTALMENT"].notna()]
	# an instalment paid in several parts appears once per payment: it is settled by the last one
	g = raw.groupby(["SK_ID_PREV", "NUM_INSTALMENT_NUMBER"], as_index=False).agg(
		customer=("SK_ID_CURR", "first"),
		due=("DAYS_INSTALMENT", "min"),
		paid=("DAYS_ENTRY_PAYMENT", "max"),
		amount=("AMT_INSTALMENT", "max"),
	)
	due = HOME_CREDIT_DAY0 + pd.to_timedelta(g["due"], unit="D")
	return pd.DataFrame(
		{
			"invoice": g["SK_ID_PREV"].astype(str) + "-" + g["NUM_INSTALMENT_NUMBER"].astype(int).astype(str),
			"customer": g["customer"].astype(str),
			"posting_date": due - pd.Timedelta(days=INSTALMENT_TERMS_DAYS),
			"due_date": due,
			"grand_total": g["amount"].astype(float),
			"outstanding": 0.0,
			"settled_date": HOME_CREDIT_DAY0 + pd.to_timedelta(g["paid"], unit="D"),
		}
	)


def _superlender(path: Path) -> pd.DataFrame:
	raw = pd.read_csv(path, index_col=0)
	# loans of 15 or 30 days are repaid in one payment (longer ones in monthly instalments, whose amounts
	# the file does not give): each is one bill of the total due, settled when the loan was closed
	raw = raw[raw["termdays"] <= SINGLE_REPAYMENT_MAX_DAYS]
	return pd.DataFrame(
		{
			"invoice": raw["systemloanid"].astype(str),
			"customer": raw["customerid"].astype(str),
			"posting_date": pd.to_datetime(raw["approveddate"]).dt.normalize(),
			"due_date": pd.to_datetime(raw["firstduedate"]).dt.normalize(),
			"grand_total": raw["totaldue"].astype(float),
			"outstanding": 0.0,
			"settled_date": pd.to_datetime(raw["closeddate"]).dt.normalize(),
		}
	)


@dataclass(frozen=True)
class PublicDataset:
	name: str
	file: str
	source: str
	note: str
	load: Callable[[Path], pd.DataFrame]


BOOKS: tuple[PublicDataset, ...] = (
	PublicDataset(
		"IBM accounts receivable (Kaggle / IBM Watson sample) - the small book of issue 22",
		"ibm_accounts_receivable.csv",
		"https://raw.githubusercontent.com/pthiagu2/DataMining/c62bd3cd9e07218e15cf18ee6284c876cf082de8/"
		"WA_Fn-UseC_-Accounts-Receivable.csv",
		"2,466 invoices of 100 customers, 2012-2013; invoice, due and settlement dates exact",
		_ibm,
	),
	PublicDataset(
		"Cassandra UDYAM 2022 invoices (Kaggle competition)",
		"cassandra_udyam_invoices.csv",
		"https://raw.githubusercontent.com/Dcoder422/Cassandra-Final-Round-UDYAM-22/"
		"ec5a6b314420622bf8579a8167509c0c75992691/trainData.csv",
		"8,753 invoices of 3,276 parties, 2011-2017; settled = invoice date + days until payment",
		_cassandra,
	),
	PublicDataset(
		"Home Credit instalment payments (Kaggle, 20,000-row sample)",
		"homecredit_installments_sample.csv",
		"https://raw.githubusercontent.com/samurad2000/BDA-project_work/"
		"e8be0bacb210e2628a4105ecefe478504e926f5f/installments_payments.csv",
		"consumer-credit instalments of 13,181 borrowers; due and payment days exact (relative), "
		"billing date = due - 30 days",
		_home_credit,
	),
	PublicDataset(
		"SuperLender loan repayments (Data Science Nigeria / Zindi loan default challenge)",
		"superlender_prev_loans.csv",
		"https://raw.githubusercontent.com/risenW/Practical_feature_engineering_guide/"
		"dc5a37a3cfc5b08bd9cf5b11a353e1dca1edcf0a/trainprevloans.csv",
		"17,160 short-term loans (15 or 30 days, one repayment) of 4,357 borrowers, 2016-2017; approval, "
		"due and closing dates exact; bill = total due",
		_superlender,
	),
)


def default_dir() -> Path:
	"""``$OPTIMAR_PUBLIC_BOOKS``, else ``shared/data/public-books`` beside the checkout."""
	env = os.environ.get("OPTIMAR_PUBLIC_BOOKS")
	if env:
		return Path(env)
	return Path(__file__).resolve().parents[3] / "shared" / "data" / "public-books"


def holdout_cutoff(invoices: pd.DataFrame, share: float = HOLDOUT_SHARE) -> pd.Timestamp:
	"""The posting date from which the last ``share`` of the invoices are posted."""
	dates = invoices["posting_date"].sort_values(kind="stable").to_numpy()
	return pd.Timestamp(dates[int(len(dates) * (1 - share))]).normalize()


def run_book(book: PublicDataset, data_dir: Path) -> dict:
	"""Backtest one book; its figures with name, size and where it came from."""
	inv = book.load(data_dir / book.file).sort_values("posting_date", kind="stable").reset_index(drop=True)
	cutoff = holdout_cutoff(inv)
	figures = backtest(inv, cutoff)
	return {
		"book": book.name,
		"source": book.source,
		"note": book.note,
		"invoices": len(inv),
		"customers": int(inv["customer"].nunique()),
		"late_rate": float((inv["settled_date"] > inv["due_date"]).mean()),
		**figures,
	}


def check(res: dict) -> bool:
	"""The acceptance bar: the model's AUC at least the better of the two baselines', its MAE at most
	the customer-mean baseline's."""
	best = max(res["baseline"]["auc"], res["logistic"]["auc"])
	return res["auc"] >= best and res["mae_days_to_settle"] <= res["baseline"]["mae_days_to_settle"]


def table(results: list[dict]) -> str:
	"""A Markdown table of the figures."""
	lines = [
		"| book | invoices / customers (test) | cutoff | model: AUC / Brier / MAE | chosen | "
		"customer history: AUC / Brier / MAE | logistic regression: AUC / Brier | bar met |",
		"|---|---|---|---|---|---|---|---|",
	]
	for r in results:
		b, lr = r["baseline"], r["logistic"]
		lines.append(
			f"| {r['book']} | {r['invoices']:,} / {r['customers']:,} ({r['n_test']:,}) | {r['cutoff']} | "
			f"**{r['auc']:.3f}** / {r['brier']:.3f} / **{r['mae_days_to_settle']:.2f}** | "
			f"{r['late_model']}, {r['days_model']} | "
			f"{b['auc']:.3f} / {b['brier']:.3f} / {b['mae_days_to_settle']:.2f} | "
			f"{lr['auc']:.3f} / {lr['brier']:.3f} | {'yes' if check(r) else 'NO'} |"
		)
	return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
	"""Print the table and the sources; exit 1 when a file is missing or a book misses the bar."""
	argv = sys.argv[1:] if argv is None else argv
	data_dir = Path(argv[0]) if argv else default_dir()
	missing = [b for b in BOOKS if not (data_dir / b.file).exists()]
	for b in missing:
		print(f"missing {data_dir / b.file}: download it from {b.source}", file=sys.stderr)
	if missing:
		return 1
	results = [run_book(b, data_dir) for b in BOOKS]
	print(table(results))
	print()
	for r in results:
		print(f"- {r['book']}: {r['note']}; late rate {r['late_rate']:.1%}. Source: {r['source']}")
	return 0 if all(check(r) for r in results) else 1


if __name__ == "__main__":
	np.seterr(all="ignore")
	sys.exit(main())
