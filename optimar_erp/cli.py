"""The ``optimar`` command: receivables analytics without a Frappe site.

- ``optimar demo``: simulate a realistic AR book and write its HTML report.
- ``optimar analyse --ledger FILE``: read an AR export (CSV or Excel), check it, and write its report.
- ``optimar backtest --ledger FILE --cutoff YYYY-MM-DD``: train the risk models on the invoices before
  the cutoff, test them on the settled invoices after it, and print model and baseline figures as JSON.
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

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.engine.analytics import DEFAULT_BUCKETS, bucket_labels, monthly_metrics, summary
from optimar_erp.engine.report import render_html
from optimar_erp.engine.schema import FIELDS, SchemaError, read_ledger
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
	"""A number for the terminal, or "n/a"."""
	return "n/a" if x is None else f"{x:,.{digits}f}{suffix}"


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
		f"{_fmt(s['dso_countback'], 1, ' days')} countback; ADD {_fmt(s['add'], 1, ' days')}",
		file=file,
	)
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
	monthly = monthly_metrics(book.invoices, book.start, end, events=events)
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


def cmd_analyse(args: argparse.Namespace) -> int:
	"""Read a ledger, check it, compute its analytics and write the HTML report (and JSON if asked)."""
	inv = read_ledger(args.ledger, _mapping(args.map), repair_dates=args.repair_dates)
	if inv.empty:
		raise SchemaError([f"{args.ledger}: the file has no invoice rows"])
	for message in inv.attrs.get("repairs", [])[:5]:
		print(f"repaired: {message}", file=sys.stderr)
	if len(inv.attrs.get("repairs", [])) > 5:
		print(f"repaired: ... {len(inv.attrs['repairs']) - 5} more", file=sys.stderr)
	as_of = args.as_of or pd.concat([inv["posting_date"], inv["settled_date"]]).max().date()
	if not args.as_of and (inv["outstanding"] < AMOUNT_TOLERANCE).all():
		print(f"note: every invoice is settled by {as_of}; use --as-of for an earlier date", file=sys.stderr)
	s = summary(inv, as_of, buckets=args.buckets)
	monthly = monthly_metrics(inv, _trend_start(inv["posting_date"].min(), as_of), as_of)
	out = Path(args.out) if args.out else Path(f"{Path(args.ledger).stem}-report.html")
	title = args.title or f"Receivables report — {Path(args.ledger).name}"
	_write(out, render_html(s, monthly, title, as_of))
	log = sys.stderr if args.json else sys.stdout
	if args.json:
		print(json.dumps(s, indent=2))
	else:
		print(
			f"Read {len(inv):,} invoices of {inv['customer'].nunique():,} customers from {args.ledger}.",
			file=log,
		)
		_print_summary(s, file=log)
	print(f"Report written to {out.resolve()}", file=log)
	return EXIT_OK


def cmd_backtest(args: argparse.Namespace) -> int:
	"""Read a ledger, backtest the risk models at the cutoff and print the figures as JSON."""
	from optimar_erp.engine.risk.backtest import backtest

	inv = read_ledger(args.ledger, _mapping(args.map), repair_dates=args.repair_dates)
	if inv.empty:
		raise SchemaError([f"{args.ledger}: the file has no invoice rows"])
	if len(inv.attrs.get("repairs", [])):
		print(f"repaired: {len(inv.attrs['repairs']):,} posting date(s) moved back", file=sys.stderr)
	try:
		figures = backtest(inv, pd.Timestamp(args.cutoff))
	except ValueError as exc:
		raise UsageError(f"--cutoff {args.cutoff}: {exc}") from exc
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


def build_parser() -> argparse.ArgumentParser:
	"""The argument parser, one sub-command per action (room for ``backtest`` and ``classify``)."""
	parser = argparse.ArgumentParser(
		prog="optimar", description="OptimAR receivables analytics, without a site."
	)
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
	an.add_argument(
		"--repair-dates",
		action="store_true",
		help="move a posting date that is after the due or settled date back to it, instead of rejecting the row",
	)
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
	bt.add_argument(
		"--repair-dates",
		action="store_true",
		help="move a posting date that is after the due or settled date back to it, instead of rejecting the row",
	)
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
