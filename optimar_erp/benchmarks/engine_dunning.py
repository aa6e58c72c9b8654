"""Timing of a dunning run on a large book: ``python -m optimar_erp.benchmarks.engine_dunning [n_invoices]``.

Builds 100,000 open invoices over 10,000 customers (a fifth of them on a consolidating sequence), a
6-step sequence, 200,000 prior Collection Activities, 3,000 promises and 2,000 disputes, then prints
how long :func:`optimar_erp.engine.dunning.decide` takes (best of three) and what it decided.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import numpy as np
import pandas as pd

from optimar_erp.engine.dunning import Decision, DunningConfig, decide

TODAY = dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 6, 30, 9, 30, tzinfo=dt.timezone.utc)
OFFSETS = (-3, 1, 7, 15, 30, 60)
CHANNELS = ("Email", "Email", "Email", "Email", "Call Task", "Email")
TONES = ("Polite", "Friendly", "Firm", "Urgent", "Final", "Final")
ESCALATION = ("", "", "", "ToDo", "Notify Manager", "Hold")
MIN_GAP = (0, 0, 2, 2, 0, 3)
ZONES = ("", "Europe/London", "Asia/Kolkata", "America/New_York", "Europe/Berlin", "Asia/Singapore")


def synthetic_run(
	n_invoices: int = 100_000, n_customers: int = 10_000, n_activities: int = 200_000, seed: int = 3
) -> dict[str, object]:
	"""The arguments of :func:`decide` for a random book, as a dict."""
	rng = np.random.default_rng(seed)
	sequences = ("Standard B2B", "Consolidated B2B")
	steps = pd.DataFrame(
		[
			{
				"sequence": seq,
				"step_id": f"{seq}:{off:+d}",
				"offset_days": off,
				"channel": CHANNELS[i],
				"tone": TONES[i],
				"min_gap_days": MIN_GAP[i],
				"escalation": ESCALATION[i],
				"consolidate": seq == sequences[1],
			}
			for seq in sequences
			for i, off in enumerate(OFFSETS)
		]
	)

	cust_ids = np.char.add("CUST-", np.char.zfill(np.arange(n_customers).astype(str), 5)).astype(object)
	customers = pd.DataFrame(
		{
			"customer": cust_ids,
			"do_not_contact": rng.random(n_customers) < 0.01,
			"on_hold": rng.random(n_customers) < 0.02,
			"email": np.where(
				rng.random(n_customers) < 0.95, np.char.add(cust_ids.astype(str), "@example.com"), ""
			),
			"mobile": np.where(rng.random(n_customers) < 0.8, "+4470000000", ""),
			"whatsapp_opt_in": rng.random(n_customers) < 0.3,
			"collector": np.where(rng.random(n_customers) < 0.9, "collector@example.com", ""),
			"time_zone": rng.choice(ZONES, n_customers),
		}
	)
	customer_sequence = np.where(rng.random(n_customers) < 0.2, sequences[1], sequences[0])

	cust_pos = rng.integers(0, n_customers, n_invoices)
	days = rng.integers(-10, 120, n_invoices)
	inv_ids = np.char.add("INV-", np.char.zfill(np.arange(n_invoices).astype(str), 6)).astype(object)
	total = np.round(rng.lognormal(7, 1, n_invoices), 2)
	sequence = customer_sequence[cust_pos].astype(object)
	invoices = pd.DataFrame(
		{
			"invoice": inv_ids,
			"customer": cust_ids[cust_pos],
			"due_date": pd.Timestamp(TODAY) - pd.to_timedelta(days, unit="D"),
			"outstanding": np.round(total * rng.uniform(0.1, 1.0, n_invoices), 2),
			"grand_total": total,
			"currency": "EUR",
			"disputed": rng.random(n_invoices) < 0.005,
			"sequence": np.where(rng.random(n_invoices) < 0.03, "", sequence),
		}
	)

	# Prior activities: the steps before each invoice's due step (and, for a third, the due step itself).
	due_pos = np.searchsorted(np.array(OFFSETS), days, side="right") - 1
	parts = []
	for back, share in ((0, 0.35), (1, 1.0), (2, 1.0), (3, 1.0)):
		k = due_pos - back
		m = (k >= 0) & (rng.random(n_invoices) < share)
		parts.append(pd.DataFrame({"pos": np.flatnonzero(m), "k": k[m]}))
	hist = pd.concat(parts, ignore_index=True)
	hist = hist.sample(n=min(n_activities, len(hist)), random_state=seed, ignore_index=True)
	offs = np.array(OFFSETS)[hist["k"]]
	seq = sequence[hist["pos"]]
	step_id = seq + ":" + pd.Series(offs).map("{:+d}".format).to_numpy(dtype=object)
	cons = seq == sequences[1]
	inv_of = inv_ids[hist["pos"]]
	sent_day = pd.Timestamp(NOW) - pd.to_timedelta(days[hist["pos"]] - offs, unit="D")
	at = sent_day + pd.to_timedelta(rng.integers(0, 10 * 60, len(hist)), unit="min")
	activities = pd.DataFrame(
		{
			"idempotency_key": np.where(
				cons,
				cust_ids[cust_pos[hist["pos"]]]
				+ "|"
				+ step_id
				+ "|"
				+ sent_day.strftime("%Y-%m-%d").to_numpy(),
				inv_of + "|" + step_id,
			),
			"customer": cust_ids[cust_pos[hist["pos"]]],
			"invoice": np.where(cons, "", inv_of),
			"invoices": np.where(cons, inv_of, ""),
			"step_id": step_id,
			"channel": np.array(CHANNELS)[hist["k"]],
			"status": rng.choice(["Sent", "Sent", "Sent", "Queued", "Failed", "Skipped"], len(hist)),
			"at": np.minimum(at, pd.Timestamp(NOW)),
		}
	)

	picked = rng.choice(n_invoices, 5_000, replace=False)
	promises = pd.DataFrame(
		{
			"invoice": inv_ids[picked[:3_000]],
			"promised_date": pd.Timestamp(TODAY) + pd.to_timedelta(rng.integers(-20, 20, 3_000), unit="D"),
			"status": rng.choice(["Open", "Open", "Kept", "Broken"], 3_000),
		}
	)
	disputes = pd.DataFrame(
		{
			"invoice": inv_ids[picked[3_000:]],
			"status": rng.choice(["Open", "Under Review", "Resolved", "Closed"], 2_000),
		}
	)
	config = DunningConfig(today=TODAY, now=NOW, company_time_zone="Europe/London", grace_days=2)
	return {
		"invoices": invoices,
		"steps": steps,
		"activities": activities,
		"customers": customers,
		"promises": promises,
		"disputes": disputes,
		"config": config,
	}


def run(n_invoices: int = 100_000, repeat: int = 3) -> Decision:
	"""Print the timing and counts of a dunning run over a synthetic book."""
	args = synthetic_run(n_invoices, max(n_invoices // 10, 1), 2 * n_invoices)
	print(
		f"Synthetic book: {len(args['invoices']):,} invoices, {len(args['customers']):,} customers, "
		f"{len(args['activities']):,} activities, {len(args['promises']):,} promises, "
		f"{len(args['disputes']):,} disputes, {len(args['steps'])} steps"
	)
	best, decision = float("inf"), None
	for _ in range(repeat):
		t0 = time.perf_counter()
		decision = decide(**args)
		best = min(best, time.perf_counter() - t0)
	print(f"{'decide() (best of ' + str(repeat) + ')':<52} {best * 1000:9.1f} ms")
	summary = decision.summary()
	print(f"  evaluated invoices: {summary['evaluated_invoices']:,}")
	print(f"  actions: {summary['actions']:,}  {summary['actions_by_channel']}")
	print(f"  skipped: {summary['skipped']:,}  {summary['skipped_by_reason']}")
	return decision


if __name__ == "__main__":
	run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
