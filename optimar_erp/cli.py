"""The ``optimar`` command: receivables analytics without a Frappe site.

- ``optimar demo``: simulate a realistic AR book and write its HTML report.
- ``optimar analyse --ledger FILE``: read an AR export (CSV or Excel) as accounting systems write it,
  check it, and write its report. ``--dates dayfirst|monthfirst`` (when the file's dates do not decide),
  ``--header-row N`` (when the header is not found), ``--terms DAYS`` (no due dates), ``--repair-dates``,
  ``--map 'Source=field'``. What reading decided or filled in is printed as ``note:`` lines and listed in
  the report; what is left out and why as ``left out:`` (``--json``: ``notes``, ``left_out``,
  ``open_items`` in the summary).
- ``optimar backtest --ledger FILE --cutoff YYYY-MM-DD``: train the risk models on the invoices before
  the cutoff, test them on the settled invoices after it, and print model and baseline figures as JSON
  (``auc_note`` says why when the AUC is undefined). Same reading options as ``analyse``.
- ``optimar --version``.
- ``optimar classify FILE.jsonl [--threshold 0.6] [--dayfirst | --monthfirst]``: classify customers'
  replies to payment reminders (one ``{"text": …, "received": "YYYY-MM-DD"}`` object per line) and print
  one JSON line per reply: intent, confidence, needs_human, suggested action and the fields read from it
  (promised date, amount, currency, return date, dispute reason, invoices, payment reference, document).

Exit codes: 0 done, 2 bad input (the problems are printed on stderr and no file is written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from optimar_erp import __version__
from optimar_erp.engine.analytics import (
	DEFAULT_BUCKETS,
	bucket_labels,
	mark_trend,
	monthly_metrics,
	summary,
	undated_payments,
)
from optimar_erp.engine.dates import ORDERS
from optimar_erp.engine.html_report import render_html
from optimar_erp.engine.schema import AMOUNT_TOLERANCE, FIELDS, SchemaError, read_ledger
from optimar_erp.engine.simulate import simulate_book

EXIT_OK = 0
EXIT_BAD_INPUT = 2
TREND_MONTHS = 18


class UsageError(Exception):
	"""A command-line value that cannot be used (bad date, bad --map entry, unwritable path)."""


def _date(text: str) -> dt.date:
	"""Parse YYYY-MM-DD for argparse."""
	try:
		return dt.date.fromisoformat(text)
	except ValueError as exc:
		raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from exc


def _buckets(text: str) -> tuple[int, ...]:
	"""Parse "30,60,90" for argparse: ascending positive day bounds."""
	try:
		bounds = tuple(int(p) for p in text.split(","))
		bucket_labels(bounds)
	except ValueError as exc:
		raise argparse.ArgumentTypeError(
			f"{text!r}: buckets are ascending whole days, e.g. 30,60,90,120"
		) from exc
	return bounds


def _mapping(entries: Sequence[str] | None) -> dict[str, str]:
	"""``["Invoice No=invoice", ...]`` as a {source column: field} dict."""
	mapping: dict[str, str] = {}
	for entry in entries or []:
		source, sep, target = entry.rpartition("=")
		if not sep or not source.strip() or not target.strip():
			raise UsageError(f"--map {entry!r}: expected 'Source Column=field' (fields: {', '.join(FIELDS)})")
		mapping[source.strip()] = target.strip()
	return mapping


def _write(path: Path, text: str) -> None:
	"""Write ``text`` to ``path`` through a temporary file, so a failed run leaves no partial report."""
	path.parent.mkdir(parents=True, exist_ok=True)
	tmp = path.with_name(path.name + ".tmp")
	tmp.write_text(text, encoding="utf-8")
	os.replace(tmp, path)


def _fmt(x: float | None, digits: int = 0, suffix: str = "") -> str:
	"""A number for the terminal, or "n/a"; never "-0.0" (+ 0.0 turns a rounded -0.0 into 0.0)."""
	return "n/a" if x is None else f"{round(float(x), digits) + 0.0:,.{digits}f}{suffix}"


def _print_summary(s: dict, file=None) -> None:
	"""A few lines of headline figures (on stdout unless ``file`` is given)."""
	file = file or sys.stdout
	cur = f"{s['currency']} " if s.get("currency") else ""
	print(f"Receivables as of {s['as_of']}", file=file)
	print(
		f"  Total AR      {cur}{_fmt(s['total_ar'])}   overdue {cur}{_fmt(s['overdue'])} ({_fmt(s['overdue_pct'], 1, '%')})",
		file=file,
	)
	print("  Aging         " + "  ".join(f"{k}: {_fmt(v)}" for k, v in s["buckets"].items()), file=file)
	print(
		f"  DSO           {_fmt(s['dso_standard'], 1, ' days')} standard ({s['dso_window_days']} d), "
		+ (
			"countback left out"
			if s.get("open_items")
			else f"{_fmt(s['dso_countback'], 1, ' days')} countback"
		)
		+ f"; ADD {_fmt(s['add'], 1, ' days')}",
		file=file,
	)
	if s.get("cei") is None and s.get("left_out"):
		print("  CEI           left out (see above)", file=file)
	else:
		print(f"  CEI           {_fmt(s['cei'], 1, '%')} in {s['cei_month']}", file=file)
	print(
		f"  Open          {s['open_invoices']:,} invoices of {s['open_customers']:,} customers "
		f"({s['overdue_invoices']:,} invoices overdue)",
		file=file,
	)
	if len(s.get("currencies", [])) > 1:
		print(f"  Note: currencies {', '.join(s['currencies'])} are added without conversion.", file=file)


def _trend_start(first_posting: pd.Timestamp, as_of: dt.date) -> dt.date:
	"""First month of the trend charts: 18 months back from ``as_of``, not before the first invoice."""
	back = (pd.Timestamp(as_of) - pd.DateOffset(months=TREND_MONTHS - 1)).replace(day=1)
	return max(back, first_posting.replace(day=1)).date()


def cmd_demo(args: argparse.Namespace) -> int:
	"""Simulate a book, compute its analytics and write the HTML report."""
	end = args.as_of or dt.date.today()
	book = simulate_book(seed=args.seed, n_customers=args.customers, months=args.months, end=end)
	events = book.events()
	s = summary(book.invoices, end, events=events, buckets=args.buckets)
	monthly = mark_trend(
		monthly_metrics(book.invoices, book.start, end, events=events), book.invoices, events_known=True
	)
	title = f"OptimAR demo — {book.company} receivables"
	out = Path(args.out)
	_write(out, render_html(s, monthly, title, end))
	print(
		f"Simulated {len(book.customers):,} customers, {len(book.invoices):,} invoices, "
		f"{book.payments['payment_id'].nunique():,} payments, {len(book.credit_notes):,} credit notes "
		f"({book.start} to {book.end}, seed {args.seed})."
	)
	_print_summary(s)
	print(f"Report written to {out.resolve()}")
	return EXIT_OK


def _read(args: argparse.Namespace) -> pd.DataFrame:
	"""The ledger named on the command line, read with its options; SchemaError when unusable."""
	inv = read_ledger(
		args.ledger,
		_mapping(args.map),
		repair_dates=args.repair_dates,
		dates=args.dates,
		header_row=args.header_row,
		terms=args.terms,
	)
	if inv.empty:
		raise SchemaError([f"{args.ledger}: the file has no invoice rows"])
	return inv


def _notes(inv: pd.DataFrame) -> list[str]:
	"""What reading the file decided or filled in, then the date repairs (at most five listed)."""
	notes = list(inv.attrs.get("notes", []))
	repairs = inv.attrs.get("repairs", [])
	notes += [f"repaired: {m}" for m in repairs[:5]]
	if len(repairs) > 5:
		notes.append(f"repaired: ... {len(repairs) - 5:,} more")
	return notes


def _report_date(inv: pd.DataFrame, args: argparse.Namespace) -> tuple[dt.date, str]:
	"""The report date and how it was chosen: --as-of, the date a title row states, or the latest date
	in the file."""
	if args.as_of:
		return args.as_of, ""
	if inv.attrs.get("title_as_of") is not None:
		day = inv.attrs["title_as_of"].date()
		return (
			day,
			f"report date: {day} from the title row {inv.attrs['title_as_of_text']!r}; --as-of to choose",
		)
	day = pd.concat([inv["posting_date"], inv["settled_date"]]).max().date()
	return day, f"report date: {day}, the latest date in the file; --as-of to choose another"


OPEN_ITEMS_LEFT_OUT = (
	"The file has no payment dates (an open-items list), so today's aging, DSO and top overdue customers "
	"are shown, and the monthly trend, CEI and countback DSO, which need the day each invoice was paid, "
	"are left out."
)


def _undated_text(paid: pd.Series, outstanding: pd.Series) -> str:
	"""A sentence on money paid on dates the file does not give: how many invoices, partly or fully."""
	has = paid > 0
	partly = has & (outstanding >= AMOUNT_TOLERANCE)
	parts = []
	if partly.any():
		parts.append(f"{int(partly.sum()):,} open invoice(s) partly paid")
	if (has & ~partly).any():
		parts.append(f"{int((has & ~partly).sum()):,} invoice(s) paid in full")
	return f"{' and '.join(parts)} ({_fmt(float(paid[has].sum()), 2)} in all) on dates the file does not give"


def analyse_book(inv: pd.DataFrame, as_of: dt.date, buckets: tuple[int, ...]) -> tuple[dict, pd.DataFrame]:
	"""The summary and the marked monthly trend of a ledger read from a file, with what was left out and
	why in ``summary["left_out"]`` (sentences) and fill-ins in ``summary["notes"]``."""
	s = summary(inv, as_of, buckets=buckets)
	s["open_items"] = bool(inv.attrs.get("open_items"))
	s["left_out"] = []
	s["notes"] = []
	undated = undated_payments(inv)
	undated = undated[(inv["posting_date"] <= pd.Timestamp(as_of)).to_numpy()]
	n_undated = int((undated > 0).sum())
	undated_text = _undated_text(undated, inv.loc[undated.index, "outstanding"])
	if s["open_items"]:
		s["cei"] = s["dso_countback"] = None
		s["left_out"].append(OPEN_ITEMS_LEFT_OUT)
		trend = mark_trend(monthly_metrics(inv, as_of, as_of), inv).iloc[0:0]
		if n_undated:
			s["notes"].append(f"payments: {undated_text}; today's open amounts are used for the aging")
		return s, trend
	trend = mark_trend(monthly_metrics(inv, _trend_start(inv["posting_date"].min(), as_of), as_of), inv)
	if n_undated:
		out = trend[trend["left_out"] == "partial payments of unknown date"]["month"].tolist()
		months = f"{out[0]} to {out[-1]}" if len(out) > 1 else (out[0] if out else "none")
		s["notes"].append(
			f"payments: {undated_text}; today's aging uses the open amounts, and months whose balances "
			f"depend on that money for 1% or more are left out of the trend ({months})"
		)
	cut = trend[trend["partial"]]
	if len(cut):
		s["notes"].append(
			f"trend: {cut['month'].iloc[0]} ends on the report date; it is listed but not charted "
			"(a part of a month is not comparable with whole months)"
		)
	row = trend[trend["month"] == s["cei_month"]]
	if len(row) and row["left_out"].iloc[0]:
		s["cei"] = None
		s["left_out"].append(
			f"CEI of {s['cei_month']} is left out: {row['left_out'].iloc[0]} make its collections unknown."
		)
	return s, trend


def cmd_analyse(args: argparse.Namespace) -> int:
	"""Read a ledger, check it, compute its analytics and write the HTML report (and JSON if asked)."""
	inv = _read(args)
	as_of, how = _report_date(inv, args)
	notes = _notes(inv) + ([how] if how else [])
	if not args.as_of and (inv["outstanding"] < AMOUNT_TOLERANCE).all():
		notes.append(f"every invoice is settled by {as_of}; use --as-of for an earlier date")
	s, trend = analyse_book(inv, as_of, args.buckets)
	s["notes"] = notes + s["notes"]
	out = Path(args.out) if args.out else Path(f"{Path(args.ledger).stem}-report.html")
	title = args.title or f"Receivables report — {Path(args.ledger).name}"
	_write(out, render_html(s, trend, title, as_of))
	log = sys.stderr if args.json else sys.stdout
	print(
		f"Read {len(inv):,} invoices of {inv['customer'].nunique():,} customers from {args.ledger}.", file=log
	)
	for note in s["notes"]:
		print(f"note: {note}", file=log)
	for sentence in s["left_out"]:
		print(f"left out: {sentence}", file=log)
	if args.json:
		print(json.dumps(s, indent=2))
	else:
		_print_summary(s, file=log)
	print(f"Report written to {out.resolve()}", file=log)
	return EXIT_OK


def cmd_backtest(args: argparse.Namespace) -> int:
	"""Read a ledger, backtest the risk models at the cutoff and print the figures as JSON."""
	from optimar_erp.engine.risk.backtest import backtest

	inv = _read(args)
	for note in _notes(inv):
		print(f"note: {note}", file=sys.stderr)
	if inv.attrs.get("open_items"):
		raise UsageError(
			f"{args.ledger}: the file has no payment dates (an open-items list); a backtest needs the day "
			"each invoice was paid (name that column with --map 'Your Header=settled_date')"
		)
	try:
		figures = backtest(inv, pd.Timestamp(args.cutoff))
	except ValueError as exc:
		raise UsageError(f"--cutoff {args.cutoff}: {exc}") from exc
	if figures.get("auc") is None:
		late = figures.get("late_rate_test")
		outcome = "paid late" if late == 1 else "paid on time" if late == 0 else "of one outcome"
		figures["auc_note"] = (
			f"AUC is undefined: all {figures.get('n_test', 0):,} test invoices (settled, posted on or after "
			f"{args.cutoff}) were {outcome}, and AUC compares late with on-time invoices; choose a --cutoff "
			"whose later invoices include both"
		)
	print(json.dumps(figures, indent=2))
	return EXIT_OK


def _probability(text: str) -> float:
	"""Parse a number between 0 and 1 for argparse."""
	try:
		value = float(text)
	except ValueError:
		value = -1.0
	if not 0 <= value <= 1:
		raise argparse.ArgumentTypeError(f"{text!r} is not a number between 0 and 1")
	return value


CLASSIFY_FIELDS = (
	"intent",
	"confidence",
	"needs_human",
	"suggested_action",
	"safe_to_auto_apply",
	"promised_date",
	"payment_date",
	"amount",
	"currency",
	"return_date",
	"reason",
	"invoices",
	"reference",
	"document",
	"review_reasons",
)
"""What ``optimar classify`` prints for each reply (after ``id``/``line``)."""


def _read_replies(path: Path) -> list[dict]:
	"""The replies of a JSONL file, or SchemaError listing every bad line (nothing is classified then)."""
	raw = path.read_bytes()
	try:
		text = raw.decode("utf-8-sig")  # JSON Lines is UTF-8; a byte-order mark is tolerated
	except UnicodeDecodeError as exc:
		line = raw[: exc.start].count(b"\n") + 1
		raise SchemaError(
			[f"{path.name}: line {line} is not UTF-8 text (byte {exc.start}); save it as UTF-8"]
		) from exc
	rows, problems = [], []
	for number, line in enumerate(text.splitlines(), start=1):
		if not line.strip():
			continue
		try:
			rec = json.loads(line)
		except ValueError as exc:
			problems.append(f"line {number}: not valid JSON ({getattr(exc, 'msg', exc)})")
			continue
		if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
			problems.append(f'line {number}: expected an object with a "text" string')
			continue
		received = rec.get("received")
		if received not in (None, ""):
			try:
				received = dt.date.fromisoformat(str(received))
			except ValueError:
				problems.append(f"line {number}: received {received!r} is not a date in YYYY-MM-DD form")
				continue
		rows.append({"line": number, "id": rec.get("id"), "text": rec["text"], "received": received or None})
	if problems:
		raise SchemaError(problems)
	if not rows:
		raise SchemaError([f"{path}: the file has no replies"])
	return rows


def _json_value(value: object) -> object:
	"""A cell of the classify table as plain JSON (dates as YYYY-MM-DD, NaT/NaN as null)."""
	if value is None or value is pd.NaT:
		return None
	if isinstance(value, pd.Timestamp):
		return value.date().isoformat()
	if isinstance(value, tuple):
		return list(value)
	if isinstance(value, float) and value != value:
		return None
	if hasattr(value, "item"):  # numpy scalars
		return value.item()
	return value


def cmd_classify(args: argparse.Namespace) -> int:
	"""Classify the replies in a JSONL file and print one JSON line per reply, in file order."""
	from optimar_erp.engine.inbox import classify

	rows = _read_replies(Path(args.file))
	result = classify(rows, threshold=args.threshold, dayfirst=args.dayfirst)
	lines = []
	for row, (_, out) in zip(rows, result.iterrows(), strict=True):
		record = {"line": row["line"]} if row["id"] is None else {"id": row["id"], "line": row["line"]}
		record.update({field: _json_value(out[field]) for field in CLASSIFY_FIELDS})
		lines.append(json.dumps(record, ensure_ascii=False))
	print("\n".join(lines))
	return EXIT_OK


def _positive(text: str) -> int:
	"""A whole number of at least 1 for argparse."""
	if not text.strip().isdigit() or int(text) < 1:
		raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
	return int(text)


def _days(text: str) -> int:
	"""A whole number of days, 0 or more, for argparse."""
	if not text.strip().isdigit():
		raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days")
	return int(text)


def _file_options(cmd: argparse.ArgumentParser) -> None:
	"""The options that say how to read an export (analyse and backtest)."""
	cmd.add_argument(
		"--repair-dates",
		action="store_true",
		help="move a posting date that is after the due or settled date back to it, instead of rejecting the row",
	)
	cmd.add_argument(
		"--dates",
		choices=ORDERS,
		help="day or month first for dates like 05/03/2026 (default: decided from the file's dates, "
		"an error when nothing decides)",
	)
	cmd.add_argument(
		"--header-row",
		type=_positive,
		metavar="N",
		help="the row that holds the column names (default: found among the first 30 rows)",
	)
	cmd.add_argument(
		"--terms",
		type=_days,
		metavar="DAYS",
		help="payment terms: due date = posting date + DAYS when the file has no due date (or an empty one)",
	)


def build_parser() -> argparse.ArgumentParser:
	"""The argument parser, one sub-command per action (room for ``backtest`` and ``classify``)."""
	parser = argparse.ArgumentParser(
		prog="optimar", description="OptimAR receivables analytics, without a site."
	)
	parser.add_argument("--version", action="version", version=f"optimar {__version__}")
	sub = parser.add_subparsers(dest="command", metavar="COMMAND")
	buckets_help = "aging bucket bounds in days (default %(default)s)"
	default_buckets = ",".join(map(str, DEFAULT_BUCKETS))

	demo = sub.add_parser("demo", help="simulate an AR book and write its HTML report")
	demo.add_argument("--out", default="optimar-report.html", help="report file (default %(default)s)")
	demo.add_argument("--seed", type=int, default=7, help="random seed (default %(default)s)")
	demo.add_argument("--customers", type=int, default=300, help="number of customers (default %(default)s)")
	demo.add_argument("--months", type=int, default=18, help="months of history (default %(default)s)")
	demo.add_argument("--as-of", type=_date, help="end date of the book, YYYY-MM-DD (default today)")
	demo.add_argument(
		"--buckets", type=_buckets, default=DEFAULT_BUCKETS, help=buckets_help % {"default": default_buckets}
	)
	demo.set_defaults(func=cmd_demo)

	an = sub.add_parser("analyse", aliases=["analyze"], help="analyse an AR export (CSV or Excel)")
	an.add_argument("--ledger", required=True, help="the invoice file (.csv, .xlsx, .xls)")
	an.add_argument(
		"--map",
		action="append",
		metavar="'SOURCE=field'",
		help="name a column: 'Invoice No=invoice' (repeatable; fields: " + ", ".join(FIELDS) + ")",
	)
	an.add_argument(
		"--as-of", type=_date, help="report date, YYYY-MM-DD (default: the latest date in the file)"
	)
	an.add_argument("--out", help="report file (default: <ledger name>-report.html)")
	an.add_argument("--title", help="report title")
	an.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
	_file_options(an)
	an.add_argument(
		"--buckets", type=_buckets, default=DEFAULT_BUCKETS, help=buckets_help % {"default": default_buckets}
	)
	an.set_defaults(func=cmd_analyse)

	bt = sub.add_parser("backtest", help="backtest the payment-risk models on an AR export (JSON figures)")
	bt.add_argument("--ledger", required=True, help="the invoice file (.csv, .xlsx, .xls)")
	bt.add_argument(
		"--cutoff", required=True, type=_date, help="train before this date, test on/after it (YYYY-MM-DD)"
	)
	bt.add_argument(
		"--map",
		action="append",
		metavar="'SOURCE=field'",
		help="name a column: 'Invoice No=invoice' (repeatable; fields: " + ", ".join(FIELDS) + ")",
	)
	_file_options(bt)
	bt.set_defaults(func=cmd_backtest)

	cl = sub.add_parser("classify", help="classify replies to payment reminders (JSONL in, JSON lines out)")
	cl.add_argument("file", help='a .jsonl file: one {"text": ..., "received": "YYYY-MM-DD"} object per line')
	cl.add_argument(
		"--threshold",
		type=_probability,
		default=0.6,
		help="below this confidence a reply needs a human (default %(default)s)",
	)
	order = cl.add_mutually_exclusive_group()
	order.add_argument(
		"--dayfirst",
		dest="dayfirst",
		action="store_true",
		default=True,
		help="read 05/12/2026 as 5 December (default)",
	)
	order.add_argument(
		"--monthfirst", dest="dayfirst", action="store_false", help="read 05/12/2026 as May 12"
	)
	cl.set_defaults(func=cmd_classify)
	return parser


def main(argv: Sequence[str] | None = None) -> int:
	"""Run the command line; returns the exit code (the console script passes it to ``sys.exit``)."""
	parser = build_parser()
	try:
		args = parser.parse_args(argv)
	except SystemExit as exc:  # argparse already printed the usage problem (or the help)
		return int(exc.code or 0)
	if not getattr(args, "func", None):
		parser.print_help(sys.stderr)
		return EXIT_BAD_INPUT
	try:
		return args.func(args)
	except (SchemaError, UsageError) as exc:
		problems = exc.errors if isinstance(exc, SchemaError) else [str(exc)]
		print(f"optimar: cannot use this input ({len(problems)} problem(s)):", file=sys.stderr)
		for message in problems[:50]:
			print(f"  - {message}", file=sys.stderr)
		if len(problems) > 50:
			print(f"  - and {len(problems) - 50} more", file=sys.stderr)
		return EXIT_BAD_INPUT
	except OSError as exc:
		print(f"optimar: {exc}", file=sys.stderr)
		return EXIT_BAD_INPUT


if __name__ == "__main__":
	sys.exit(main())
