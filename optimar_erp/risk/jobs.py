"""Nightly training and scoring, and scoring of single invoices on submit.

One direction: Payment Ledger (set-based query) → engine (train / predict / scores / alerts / credit
advice) → bulk updates of the custom fields and one bulk insert of the day's Customer Risk Scores →
alerts. Nothing loops over documents with ``get_doc``.
"""

import time

import pandas as pd

import frappe
from frappe import _
from frappe.utils import add_days, flt, fmt_money, getdate, now_datetime, today

from optimar_erp.constants import AMOUNT_TOLERANCE
from optimar_erp.engine.forecast import cash_forecast
from optimar_erp.engine.risk import customer_scores, invoice_scores, late_labels
from optimar_erp.engine.risk.backtest import backtest, beats_baseline
from optimar_erp.engine.risk.features import BOUNCED_ON
from optimar_erp.engine.risk.model import RiskModel
from optimar_erp.queries import open_invoices
from optimar_erp.queries.cheques import cheque_bounces
from optimar_erp.queries.invoices import companies_with_invoices, submitted_invoices
from optimar_erp.queries.ledger import get_invoices
from optimar_erp.queries.promises import open_promises
from optimar_erp.risk import alerts, credit, store
from optimar_erp.writes import STANDARD_COLUMNS, bulk_update

JOB_ID = "optimar-risk-nightly"
MIN_TEST_INVOICES = 30
MULTITHREAD_FROM = 50_000
"""Below this many invoices the models use one thread: on small tables extra threads only wait."""


def _threads(rows: int) -> int:
	return 2 if rows >= MULTITHREAD_FROM else 1


# ------------------------------------------------------------------------------------------- entry points
def enqueue_nightly(company: str | None = None, train: bool = True) -> None:
	"""Queue the training and scoring on the long queue, once (a run already queued is not repeated)."""
	frappe.enqueue(
		"optimar_erp.risk.jobs.train_and_score",
		queue="long",
		timeout=4 * 3600,
		job_id=JOB_ID,
		deduplicate=True,
		enqueue_after_commit=True,
		company=company,
		train=train,
	)


@frappe.whitelist()
def train_now(company: str | None = None) -> str:
	"""Desk button: queue a training and scoring run now (Collections Manager / System Manager)."""
	frappe.only_for(("Collections Manager", "System Manager"))
	if company and not frappe.db.exists("Company", company):
		frappe.throw(_("Company {0} does not exist").format(company))
	enqueue_nightly(company)
	return _("Training and scoring queued; the Risk Model list shows the result when it is done.")


def train_and_score(company: str | None = None, train: bool = True) -> list[dict]:
	"""Train (when there is enough history) and score every company with invoices; returns a summary."""
	settings = frappe.get_cached_doc("Collections Settings")
	if not settings.get("risk_scoring_enabled"):
		return []
	summary = []
	companies = [company] if company else _companies()
	for i, name in enumerate(companies):
		frappe.publish_progress(i * 100 / max(len(companies), 1), title=_("Risk scoring"), description=name)
		summary.append(_train_and_score_company(name, settings, train))
	frappe.publish_progress(100, title=_("Risk scoring"))
	return summary


def _companies() -> list[str]:
	return companies_with_invoices()


# ------------------------------------------------------------------------------------------- reading
def history_frame(company: str, as_of, customers: list[str] | None = None) -> pd.DataFrame:
	"""The company's invoices (engine schema, pandas dates) as known at the end of ``as_of``, with the day
	a cheque given for the invoice bounced (``cheque_bounced_on``, one invoice per bounced cheque)."""
	frame = get_invoices(company, as_of, customers=customers)
	bounces = cheque_bounces(company, customers)
	bounces = bounces[pd.to_datetime(bounces["bounced_on"]) <= pd.Timestamp(getdate(as_of))]
	first = bounces.groupby("sales_invoice")["bounced_on"].min()
	frame[BOUNCED_ON] = frame["invoice"].map(first)
	for col in ("posting_date", "due_date", "settled_date", BOUNCED_ON):
		frame[col] = pd.to_datetime(frame[col])
	return frame


# ------------------------------------------------------------------------------------------- training
def _train(company: str, history: pd.DataFrame, settings, as_of) -> str | None:
	"""Train, evaluate on the held-out recent invoices, and store; returns the Risk Model name."""
	known = int(late_labels(history, pd.Timestamp(as_of)).notna().sum())
	minimum = int(settings.get("risk_min_history") or 0) or 300
	if known < minimum:
		return store.record(
			company,
			"Not Enough History",
			n_train=known,
			as_of=as_of,
			message=_("{0} invoices with a known outcome; at least {1} are needed to train.").format(
				known, minimum
			),
		)
	started = time.perf_counter()
	try:
		figures = _evaluate(history, as_of, int(settings.get("risk_holdout_days") or 90))
		model = RiskModel(n_threads=_threads(len(history))).fit(history, as_of=pd.Timestamp(as_of))
	except ValueError as e:
		frappe.log_error(title=_("Risk model training failed"), message=frappe.get_traceback())
		return store.record(company, "Failed", as_of=as_of, message=str(e))
	m = model.metrics_
	base = figures.get("baseline", {})
	message = choose_scorer(model, figures) or figures.get("message")
	message = "\n".join(filter(None, [message, model_choice(m)]))
	return store.save_active(
		company,
		model,
		{"training": m, "evaluation": figures},
		as_of=as_of,
		n_train=m["n_train"],
		n_customers=int(history["customer"].nunique()),
		late_rate_train=100 * m["late_rate_train"],
		fit_seconds=round(time.perf_counter() - started, 1),
		holdout_from=figures.get("cutoff"),
		n_test=figures.get("n_test"),
		auc=figures.get("auc"),
		brier=figures.get("brier"),
		accuracy=100 * figures["accuracy"] if figures.get("accuracy") is not None else None,
		f1=figures.get("f1"),
		mae_days=figures.get("mae_days_to_settle"),
		late_rate_test=100 * figures["late_rate_test"] if figures.get("late_rate_test") is not None else None,
		baseline_auc=base.get("auc"),
		baseline_brier=base.get("brier"),
		baseline_mae_days=base.get("mae_days_to_settle"),
		scorer="Baseline" if model.uses_baseline else "Model",
		message=message,
	)


def model_choice(metrics: dict) -> str | None:
	"""Which late-payment and days-to-settle models the training kept, in words (the reasons, with
	each candidate's figures on time-ordered folds of the training invoices, are in the metrics)."""
	late, days = metrics.get("late_model"), metrics.get("days_model")
	if not late or not days:
		return None
	return _(
		"Chosen on this site's own history (time-ordered folds of the training invoices): {0} for the "
		"late probability, {1} for days to settle. Why: see Metrics."
	).format(late["chosen"].replace("_", " "), days["chosen"].replace("_", " "))


def choose_scorer(model: RiskModel, figures: dict) -> str | None:
	"""Switch ``model`` to the baseline when its held-out ``figures`` do not beat the baseline's (the
	engine's rule: AUC at least 0.005 higher, Brier not higher); returns the sentence that says so."""
	if beats_baseline(figures) is not False:
		return None
	model.use_baseline()
	base = figures["baseline"]
	return _(
		"Using the baseline: the trained model was not better on this site's holdout "
		"(AUC {0} vs {1}, Brier {2} vs {3})."
	).format(*(f"{v:.3f}" for v in (figures["auc"], base["auc"], figures["brier"], base["brier"])))


def _evaluate(history: pd.DataFrame, as_of, holdout_days: int) -> dict:
	"""Held-out figures: train on invoices posted before ``as_of − holdout_days``, test on the later
	settled ones (the engine's backtest protocol); a note instead when the split leaves too little."""
	cutoff = pd.Timestamp(add_days(as_of, -holdout_days))
	settled = history["settled_date"].notna() & (history["settled_date"] <= pd.Timestamp(as_of))
	visible = history.assign(settled_date=history["settled_date"].where(settled))
	n_test = int(((visible["posting_date"] >= cutoff) & visible["settled_date"].notna()).sum())
	n_before = int((visible["posting_date"] < cutoff).sum())
	if n_test < MIN_TEST_INVOICES or n_before < MIN_TEST_INVOICES:
		return {
			"message": _("Too few invoices on one side of {0} to evaluate the model.").format(cutoff.date())
		}
	try:
		return backtest(visible, cutoff, n_threads=_threads(len(visible)))
	except ValueError as e:
		return {"message": str(e)}


# ------------------------------------------------------------------------------------------- scoring
def _train_and_score_company(company: str, settings, train: bool) -> dict:
	as_of = getdate(today())
	history = history_frame(company, as_of)
	result = {"company": company, "trained": None, "invoices": 0, "customers": 0, "alerts": 0}
	if train and len(history):
		result["trained"] = _train(company, history, settings, as_of)
	active = store.active_model(company)
	if not active or history.empty:
		return result
	name, model = active
	started = time.perf_counter()
	open_ = history[history["outstanding"] > AMOUNT_TOLERANCE]
	preds = (
		model.predict(open_, history=history, as_of=pd.Timestamp(as_of), money=money_writer(company))
		if len(open_)
		else None
	)
	if preds is not None:
		write_invoice_scores(preds)
	customers = _customer_table(history, open_, preds, as_of)
	bands_before = dict(
		frappe.get_all(
			"Customer",
			{"name": ("in", list(customers["customer"]) or [""])},
			["name", "risk_band"],
			as_list=1,
		)
	)
	write_customer_scores(customers)
	_insert_history(company, customers, name, as_of)
	credit.write_credit_advice(company, history, preds, customers, as_of, settings)
	raised = 0
	if settings.get("risk_alerts_enabled"):
		raised = alerts.raise_alerts(company, customers, bands_before, open_, preds, as_of, settings)
	result.update(invoices=len(open_), customers=len(customers), alerts=raised)
	frappe.db.set_value(
		"Risk Model",
		name,
		{
			"forecast_json": _forecast_snapshot(company, open_, preds, as_of),
			"invoices_scored": len(open_),
			"customers_scored": len(customers),
			"alerts_raised": raised,
			"score_seconds": round(time.perf_counter() - started, 1),
		},
		update_modified=False,
	)
	return result


def money_writer(company: str):
	"""The engine's ``money`` for the factors in words: amounts in the company's currency, as the Desk
	formats them (e.g. "$ 32,009.00")."""
	currency = frappe.get_cached_value("Company", company, "default_currency")
	return lambda amounts: amounts.map(lambda v: fmt_money(v, currency=currency))


def _forecast_snapshot(company, open_, preds, as_of) -> str:
	"""Tonight's 13-week cash-in forecast, kept so later weeks can be compared with what came in."""
	import json

	invoices = pd.DataFrame(
		{
			"customer": open_["customer"],
			"outstanding": open_["outstanding"],
			"due_date": open_["due_date"],
			"predicted_pay_date": preds["predicted_pay_date"].reindex(open_.index)
			if preds is not None
			else pd.NaT,
		}
	)
	table = cash_forecast(invoices, open_promises(company), as_of)
	weeks = [{**r, "week_start": str(r["week_start"])} for r in table.to_dict("records")]
	return json.dumps({"made_on": str(as_of), "weeks": weeks})


def _customer_table(history, open_, preds, as_of) -> pd.DataFrame:
	"""One row per customer of the company: score, band, exposure, overdue amount and top factors.

	A customer with nothing open has score 0 (band Low): no exposure, nothing at risk today.
	"""
	everyone = pd.DataFrame({"customer": sorted(history["customer"].unique())})
	if preds is not None and len(preds):
		scores = customer_scores(preds, open_)
		weight = open_["outstanding"].reindex(preds.index).to_numpy(dtype=float)
		lead = (
			preds.assign(_w=weight * invoice_scores(preds))
			.sort_values("_w", ascending=False, kind="stable")
			.drop_duplicates("customer")
			.set_index("customer")["risk_factors"]
		)
		scores["top_factors"] = scores["customer"].map(lead).fillna("")
	else:
		scores = pd.DataFrame(
			columns=["customer", "score", "band", "open_invoices", "open_amount", "expected_late_amount"]
		)
	overdue = (
		open_[open_["due_date"] < pd.Timestamp(as_of)].groupby("customer")["outstanding"].sum()
		if len(open_)
		else pd.Series(dtype=float)
	)
	out = everyone.merge(scores, on="customer", how="left")
	out["score"] = out["score"].fillna(0.0).astype(float)
	out["band"] = out["band"].fillna("").replace("", "Low")
	for col in ("open_invoices", "open_amount", "expected_late_amount"):
		out[col] = out[col].fillna(0).astype(float)
	out["overdue_amount"] = out["customer"].map(overdue).fillna(0.0).astype(float)
	out["top_factors"] = out.get("top_factors", pd.Series("", index=out.index)).fillna("")
	out.loc[out["open_invoices"] == 0, "top_factors"] = _("Nothing open")
	return out


def write_invoice_scores(preds: pd.DataFrame) -> None:
	"""Late probability (%), expected pay date, band (of the expected days late) and factors on each
	scored Sales Invoice."""
	p = preds["late_probability"].to_numpy(dtype=float)
	bulk_update(
		"Sales Invoice",
		list(preds["invoice"]),
		{
			"late_probability": [round(100 * x, 1) for x in p],
			"predicted_pay_date": [d.date() for d in pd.to_datetime(preds["predicted_pay_date"])],
			"risk_band": list(preds["risk_band"]),
			"risk_factors": list(preds.get("risk_factors", pd.Series("", index=preds.index)).fillna("")),
		},
	)
	open_invoices.fields_changed(list(preds["invoice"]))


def write_customer_scores(customers: pd.DataFrame) -> None:
	bulk_update(
		"Customer",
		list(customers["customer"]),
		{
			"risk_score": [int(round(s)) for s in customers["score"]],
			"risk_band": list(customers["band"]),
			"risk_factors": list(customers["top_factors"]),
			"risk_scored_on": [getdate(today())] * len(customers),
		},
	)


def _insert_history(company: str, customers: pd.DataFrame, model: str, as_of) -> None:
	"""The day's Customer Risk Score rows (a re-run the same day replaces them)."""
	crs = frappe.qb.DocType("Customer Risk Score")
	frappe.qb.from_(crs).delete().where((crs.company == company) & (crs.date == as_of)).run()
	now, user = now_datetime(), frappe.session.user
	fields = [
		*STANDARD_COLUMNS,
		"customer",
		"company",
		"date",
		"score",
		"band",
		"open_invoices",
		"open_amount",
		"overdue_amount",
		"expected_late_amount",
		"risk_model",
		"top_factors",
	]
	values = [
		(
			frappe.generate_hash(length=12),
			now,
			now,
			user,
			user,
			0,
			r.customer,
			company,
			as_of,
			flt(r.score, 1),
			r.band,
			int(r.open_invoices),
			flt(r.open_amount, 2),
			flt(r.overdue_amount, 2),
			flt(r.expected_late_amount, 2),
			model,
			r.top_factors,
		)
		for r in customers.itertuples(index=False)
	]
	frappe.db.bulk_insert("Customer Risk Score", fields, values, chunk_size=5000)


# ------------------------------------------------------------------------------------------- on submit
def enqueue_invoice_scoring(invoice: str) -> None:
	"""After the submit commits, score the invoice in the background (once per invoice)."""
	frappe.enqueue(
		"optimar_erp.risk.jobs.score_invoices",
		queue="short",
		enqueue_after_commit=True,
		job_id=f"optimar-risk-score-{invoice}",
		deduplicate=True,
		invoices=[invoice],
	)


def score_invoices(invoices: list[str]) -> pd.DataFrame | None:
	"""Score these invoices now with their company's active model (their customers' history only)."""
	rows = submitted_invoices(invoices)
	done = []
	for company in {r[1] for r in rows}:
		active = store.active_model(company)
		if not active:
			continue
		names = [r[0] for r in rows if r[1] == company]
		history = history_frame(company, today(), customers=sorted({r[2] for r in rows if r[1] == company}))
		target = history[history["invoice"].isin(names)]
		if target.empty:
			continue
		preds = active[1].predict(
			target, history=history, as_of=pd.Timestamp(getdate(today())), money=money_writer(company)
		)
		write_invoice_scores(preds)
		done.append(preds)
	return pd.concat(done) if done else None
