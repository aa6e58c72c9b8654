"""Page time of /customer-portal for a customer with 200 open invoices, on a real site.

	bench --site portalbench.test set-config optimar_benchmark_site 1
	bench --site portalbench.test serve --port 8013 --noreload &
	bench --site portalbench.test execute optimar_erp.benchmarks.portal.run \
		--kwargs "{'url': 'http://127.0.0.1:8013'}"

Bulk-inserts (once; re-runs reuse them, ``reset=True`` recreates them) a PORTAL-BENCH customer with
``invoices`` submitted open Sales Invoices (due from 60 days ahead to 200 days past due), ``paid``
invoices settled in the last 90 days, their General Ledger and Payment Ledger entries, a website user
among the customer's portal users, and a few promises and disputes made through the real documents.
Then renders the page ``renders`` times in process (``frappe.website.serve.get_response``, as the
website user and through a signed link) and, with ``url``, over HTTP against that running server (the
acceptance figures: logged in, and through a signed link as a guest), and prints p50/p95/max, the bytes
sent, the machine's load average and cores. Target: p95 ≤ 300 ms over HTTP on both paths. For scale it
also times Frappe's own /me (website user) and /login (guest) pages the same way (``floors=False``
skips them). Only for a site marked ``optimar_benchmark_site`` in its config: it writes rows.

The server must not run with the reloader on a bench whose files others edit (each edit restarts it
mid-run): use ``--noreload``.
"""

import random
import socket
import statistics
import time
from urllib.parse import urlparse

import frappe
from frappe import _
from frappe.utils import add_days, getdate, now_datetime, today

from optimar_erp.benchmarks.dunning_run import benchmark_company, invoice_record
from optimar_erp.portal import links
from optimar_erp.portal.access import throttle_key

CUSTOMER = "PORTAL-BENCH-CUSTOMER"
USER = "portal-bench@example.com"
INVOICE_PREFIX = "PORTAL-BENCH-SINV-"
PAYMENT_PREFIX = "PORTAL-BENCH-PE-"
TARGET_P95_MS = 300.0
HTTP_USER = "website user (HTTP)"
HTTP_LINK = "signed link (HTTP)"


def run(
	invoices: int = 200,
	paid: int = 40,
	renders: int = 60,
	url: str | None = None,
	seed: int = 7,
	reset: bool = False,
	guest: bool = True,
	floors: bool = True,
) -> dict:
	"""``guest=False`` skips the signed-link and /login timings; ``floors=False`` skips Frappe's own
	pages (its /login takes 1-2 s here: a guest's website boot data rebuilds the guest's permissions once
	per Desk workspace, which the portal's renderer avoids, optimar_erp.portal.page)."""
	company = benchmark_company(_("a customer with {0} invoices").format(invoices))
	started = time.perf_counter()
	if reset:
		delete_book()
	book = ensure_book(company, invoices, paid, random.Random(seed))
	setup_s = time.perf_counter() - started
	token = _token()
	frappe.db.commit()

	results = {}
	if url:  # first, while the machine's load is what the report prints
		results[HTTP_USER] = render_over_http(url, renders, invoices)
		if guest:
			results[HTTP_LINK] = render_over_http(url, renders, invoices, token=token)
		if floors:
			results["Frappe's /me (HTTP, for scale)"] = render_over_http(url, renders, None, path="/me")
	results["website user (in process)"] = render_in_process(USER, renders, invoices)
	if guest:
		results["signed link (in process)"] = render_in_process("Guest", renders, invoices, token=token)
	if floors:
		results["Frappe's /me, same user (for scale)"] = render_in_process(USER, renders, None, path="/me")
		if guest:
			results["Frappe's /login, guest (for scale)"] = render_in_process(
				"Guest", renders, None, path="/login"
			)
	report(book, setup_s, results, bool(url))
	return {"book": book, "setup_s": round(setup_s, 1), "results": results}


def _token() -> str:
	"""A fresh one-day signed link for the benchmark customer."""
	from urllib.parse import parse_qs

	return parse_qs(urlparse(links.issue_link(CUSTOMER, 1)).query)["token"][0]


# ---------------------------------------------------------------------------------------------- data


def ensure_book(company: str, invoices: int, paid: int, rng: random.Random) -> dict:
	"""The benchmark customer, user and documents: reused when present, else bulk-inserted."""
	ensure_customer_and_user()
	have = frappe.db.count("Sales Invoice", {"name": ("like", f"{INVOICE_PREFIX}%")})
	if have and have != invoices + paid:
		frappe.throw(
			_(
				"The site holds {0} portal benchmark invoices, not {1}; pass reset=True to recreate them."
			).format(have, invoices + paid)
		)
	if not have:
		insert_invoices(company, invoices, paid, rng)
		add_promises_and_disputes(rng)
		frappe.db.commit()
	return {
		"open_invoices": frappe.db.count(
			"Sales Invoice", {"customer": CUSTOMER, "docstatus": 1, "outstanding_amount": (">", 0)}
		),
		"paid_invoices": frappe.db.count(
			"Sales Invoice", {"customer": CUSTOMER, "docstatus": 1, "outstanding_amount": 0}
		),
		"gl_entries": frappe.db.count("GL Entry", {"party": CUSTOMER}),
		"reused": bool(have),
	}


def delete_book() -> None:
	"""Remove the benchmark's invoices, ledger rows, promises, disputes and activities (not the customer)."""
	invoices = frappe.get_all("Sales Invoice", {"name": ("like", f"{INVOICE_PREFIX}%")}, pluck="name")
	for doctype, field in (("Promise To Pay", "customer"), ("Dispute", "customer")):
		for name in frappe.get_all(doctype, {field: CUSTOMER}, pluck="name"):
			frappe.delete_doc(doctype, name, ignore_permissions=True, force=True)
	for doctype, field, values in (
		("Collection Activity", "customer", [CUSTOMER]),
		("GL Entry", "party", [CUSTOMER]),
		("Payment Ledger Entry", "party", [CUSTOMER]),
		("Sales Invoice", "name", invoices),
	):
		if values:
			table = frappe.qb.DocType(doctype)
			frappe.qb.from_(table).delete().where(table[field].isin(values)).run()
	frappe.db.commit()


def ensure_customer_and_user() -> None:
	if not frappe.db.exists("User", USER):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": USER,
				"first_name": "Portal Benchmark",
				"user_type": "Website User",
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Customer", CUSTOMER):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": CUSTOMER,
				"customer_type": "Company",
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}, "name"),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}, "name"),
				"portal_users": [{"user": USER}],
			}
		).insert(ignore_permissions=True, set_name=CUSTOMER)


def insert_invoices(company: str, count: int, paid: int, rng: random.Random) -> None:
	"""``count`` open and ``paid`` settled invoices with their GL and Payment Ledger entries."""
	currency, receivable = frappe.get_cached_value(
		"Company", company, ["default_currency", "default_receivable_account"]
	)
	customer = frappe.db.get_value(
		"Customer", CUSTOMER, ["name", "customer_name", "customer_group", "territory"], as_dict=True
	)
	now, user, day = now_datetime(), frappe.session.user, getdate(today())
	common = {"creation": now, "modified": now, "owner": user, "modified_by": user, "docstatus": 1}
	party = {"party_type": "Customer", "party": CUSTOMER, "company": company, "account": receivable}
	invoices, gl, ple = [], [], []
	for i in range(1, count + paid + 1):
		settled = i > count
		due = add_days(day, rng.randint(-85, -1) if settled else rng.randint(-200, 60))
		posting = min(getdate(add_days(due, -30)), day)
		total = round(min(max(rng.lognormvariate(7, 1), 50), 250_000), 2)
		name = f"{INVOICE_PREFIX}{i:05d}"
		invoices.append(
			invoice_record(
				name=name,
				customer=customer,
				company=company,
				currency=currency,
				receivable=receivable,
				posting=posting,
				due=due,
				total=total,
				outstanding=0 if settled else total,
				status="Paid" if settled else ("Overdue" if due < day else "Unpaid"),
				remarks="Portal benchmark invoice",
				now=now,
				user=user,
			)
		)
		movements = [("Sales Invoice", name, posting, total)]
		if settled:
			movements.append(
				("Payment Entry", f"{PAYMENT_PREFIX}{i:05d}", add_days(due, rng.randint(-5, 0)), -total)
			)
		for voucher_type, voucher_no, date, amount in movements:
			gl.append(
				{
					**common,
					**party,
					"name": frappe.generate_hash(length=12),
					"posting_date": date,
					"debit": max(amount, 0),
					"credit": max(-amount, 0),
					"debit_in_account_currency": max(amount, 0),
					"credit_in_account_currency": max(-amount, 0),
					"account_currency": currency,
					"voucher_type": voucher_type,
					"voucher_no": voucher_no,
					"against_voucher_type": "Sales Invoice",
					"against_voucher": name,
					"is_cancelled": 0,
					"is_opening": "No",
					"remarks": "Portal benchmark",
				}
			)
			ple.append(
				{
					**common,
					**party,
					"name": frappe.generate_hash(length=12),
					"posting_date": date,
					"account_type": "Receivable",
					"due_date": due,
					"voucher_type": voucher_type,
					"voucher_no": voucher_no,
					"against_voucher_type": "Sales Invoice",
					"against_voucher_no": name,
					"amount": amount,
					"amount_in_account_currency": amount,
					"account_currency": currency,
					"delinked": 0,
					"remarks": "Portal benchmark",
				}
			)
	for doctype, records in (("Sales Invoice", invoices), ("GL Entry", gl), ("Payment Ledger Entry", ple)):
		fields = list(records[0])
		frappe.db.bulk_insert(
			doctype, fields, [tuple(r[f] for f in fields) for r in records], chunk_size=2000
		)


def add_promises_and_disputes(rng: random.Random) -> None:
	"""A few promises and disputes through the real documents, so the page shows every status."""
	overdue = frappe.get_all(
		"Sales Invoice",
		filters={"customer": CUSTOMER, "outstanding_amount": (">", 0), "due_date": ("<", today())},
		fields=["name", "outstanding_amount"],
		order_by="name",
		limit=20,
	)
	for row in overdue[:10]:
		frappe.get_doc(
			{
				"doctype": "Promise To Pay",
				"customer": CUSTOMER,
				"promised_amount": row.outstanding_amount,
				"promised_date": add_days(today(), rng.randint(1, 30)),
				"source": "Portal",
				"channel": "Portal",
				"invoices": [{"sales_invoice": row.name}],
			}
		).insert(ignore_permissions=True)
	for row in overdue[10:15]:
		frappe.get_doc(
			{
				"doctype": "Dispute",
				"sales_invoice": row.name,
				"reason_code": "Pricing",
				"description": "Benchmark dispute",
				"disputed_amount": row.outstanding_amount,
				"source": "Portal",
			}
		).insert(ignore_permissions=True)


# ---------------------------------------------------------------------------------------------- timing


def _p95(values: list[float]) -> float:
	ordered = sorted(values)
	return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _stats(
	times_ms: list[float], rows: int, cpu_ms: list[float] | None = None, sent: int | None = None
) -> dict:
	stats = {
		"renders": len(times_ms),
		"invoice_rows": rows,
		"p50_ms": round(statistics.median(times_ms), 1),
		"p95_ms": round(_p95(times_ms), 1),
		"max_ms": round(max(times_ms), 1),
	}
	if cpu_ms:
		# this process's CPU time per render: what the page costs without waiting for a busy machine
		stats["cpu_p50_ms"] = round(statistics.median(cpu_ms), 1)
		stats["cpu_p95_ms"] = round(_p95(cpu_ms), 1)
	if sent is not None:
		stats["kb_sent"] = round(sent / 1024)  # the body on the wire (gzip when the server sends it)
	return stats


def _listed_invoices(html: str, expected: int | None) -> int:
	"""How many open invoices the page lists; refused when it is not ``expected`` (None: any number)."""
	rows = html.count('class="portal-invoice"')
	if expected is not None and rows != expected:
		frappe.throw(f"the page shows {rows} open invoices, not {expected}")
	return rows


def render_in_process(
	user: str,
	renders: int,
	invoices: int | None,
	token: str | None = None,
	warmup: int = 3,
	path: str = "/customer-portal",
) -> dict:
	"""Render the page ``renders`` times through Frappe's website router, as a web request would (a
	fresh Jinja environment each time). ``invoices``: the open invoices the page must list (None: any
	page, such as Frappe's own for comparison)."""
	from frappe.utils import set_request
	from frappe.website.serve import get_response

	times, cpu, rows = [], [], 0
	try:
		for i in range(warmup + renders):
			frappe.set_user(user)
			set_request(method="GET", path=path, query_string=f"token={token}" if token else "")
			frappe.local.form_dict = frappe._dict({"token": token} if token else {})
			started, cpu_started = time.perf_counter(), time.process_time()
			response = get_response(path)
			elapsed = (time.perf_counter() - started) * 1000
			cpu_elapsed = (time.process_time() - cpu_started) * 1000
			html = response.get_data(as_text=True)
			frappe.db.rollback()
			if response.status_code != 200:
				frappe.throw(f"{path} answered {response.status_code}")
			rows = _listed_invoices(html, invoices)
			if i >= warmup:
				times.append(elapsed)
				cpu.append(cpu_elapsed)
	finally:
		frappe.local.request = None
		frappe.set_user("Administrator")
	return _stats(times, rows, cpu)


def render_over_http(
	url: str,
	renders: int,
	invoices: int | None,
	token: str | None = None,
	warmup: int = 3,
	path: str = "/customer-portal",
) -> dict:
	"""GET the page from a running server: logged in as the benchmark user, or through the link."""
	import requests

	from frappe.utils.password import update_password

	# the page allows PAGE_VIEWS_PER_MINUTE views a minute from one address, fewer than a run makes
	throttled = throttle_key("page", socket.gethostbyname(urlparse(url).hostname))
	session = requests.Session()
	base = url.rstrip("/")
	if not token:
		password = frappe.generate_hash(length=20)
		update_password(USER, password)
		frappe.db.commit()
		response = session.post(f"{base}/api/method/login", data={"usr": USER, "pwd": password}, timeout=30)
		response.raise_for_status()
	times, rows, sent = [], 0, 0
	for i in range(warmup + renders):
		frappe.cache.delete(throttled)
		started = time.perf_counter()
		response = session.get(f"{base}{path}", params={"token": token} if token else None, timeout=60)
		elapsed = (time.perf_counter() - started) * 1000
		response.raise_for_status()
		sent = int(response.headers.get("Content-Length") or len(response.content))
		rows = _listed_invoices(response.text, invoices)
		if i >= warmup:
			times.append(elapsed)
	return _stats(times, rows, sent=sent)


def report(book: dict, setup_s: float, results: dict, over_http: bool) -> None:
	import os

	load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
	print(
		f"\nportal benchmark: {book['open_invoices']} open + {book['paid_invoices']} paid invoices, "
		f"{book['gl_entries']} GL entries ({'reused' if book['reused'] else 'inserted'} in {setup_s:.1f} s); "
		f"load average {load} (1, 5, 15 min) on {os.cpu_count()} CPUs"
	)
	print(
		f"{'page':36} {'renders':>7} {'rows':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
		f"{'cpu p50':>8} {'cpu p95':>8} {'KB sent':>8}"
	)
	for label, r in results.items():
		print(
			f"{label:36} {r['renders']:>7} {r['invoice_rows']:>5} {r['p50_ms']:>7} {r['p95_ms']:>7} "
			f"{r['max_ms']:>7} {r.get('cpu_p50_ms', '-'):>8} {r.get('cpu_p95_ms', '-'):>8} "
			f"{r.get('kb_sent', '-'):>8}"
		)
	if not over_http:
		print(f"target: p95 ≤ {TARGET_P95_MS:.0f} ms over HTTP; not measured (pass url=...)")
		return
	for label in (HTTP_USER, HTTP_LINK):
		if label in results:
			p95 = results[label]["p95_ms"]
			verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
			print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms, {label}: {p95} ms, {verdict}")
