"""Learning collections, evaluated and timed: ``python -m optimar_erp.benchmarks.engine_learning``.

(Not an ``optimar`` sub-command: the response module reaches the risk package, whose import loads
scikit-learn, which the command line keeps out of its start.)

Prints (see :mod:`optimar_erp.engine.response.evaluate` for the protocol):

1. learned vs fixed vs random on held-out simulator seeds: collected within 14 days of the due date and
   DSO, with 95 % bootstrap intervals of the differences; the same on a world without response differences
   (no harm);
2. off-policy estimates (IPS, doubly robust) of the learned and the fixed policies on logged touches, beside
   the simulated truth;
3. on the HighRadius sample (``--highradius PATH``, default ``../shared/data/highradius_ar_dev.csv`` from the
   project root when it exists): how often later payments of customers with a learned run calendar fall on
   a predicted run day, against chance;
4. speed: learning from ``--activities`` (500,000) touches and choosing channel, tone and hour for
   ``--choices`` (100,000) reminders, with reasons.

``--quick`` runs smaller worlds (for a first look; the figures are noisier).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from optimar_erp.engine.response.evaluate import compare_policies, off_policy_check, run_day_accuracy
from optimar_erp.engine.response.model import ResponseModel
from optimar_erp.engine.response.policy import LearnedPolicy
from optimar_erp.engine.simulate import ResponseBehaviour

ROOT = Path(__file__).resolve().parents[2]
HIGHRADIUS = ROOT.parent / "shared" / "data" / "highradius_ar_dev.csv"
HIGHRADIUS_CUTOFF = "2019-07-18"


def synthetic_touches(n: int, n_customers: int = 20_000, seed: int = 0) -> pd.DataFrame:
	"""``n`` touches of ``n_customers`` customers with a hidden logistic response (for timing only)."""
	rng = np.random.default_rng(seed)
	cust = rng.integers(0, n_customers, n)
	channels = np.array(["Email", "SMS", "WhatsApp"], dtype=object)
	ch = rng.integers(0, 3, n)
	tone = rng.integers(0, 2, n)
	hour = rng.integers(8, 19, n)
	fav = rng.integers(0, 3, n_customers)
	logit = -1.2 + 1.0 * (ch == fav[cust]) + 0.3 * tone - 0.2 * (hour > 15)
	success = rng.random(n) < 1 / (1 + np.exp(-logit))
	sent = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
	return pd.DataFrame(
		{
			"customer": np.char.add("C", cust.astype(str)).astype(object),
			"segment": np.array(["India", "United States", "Europe"], dtype=object)[cust % 3],
			"channel": channels[ch],
			"tone": np.array(["polite", "firm"], dtype=object)[tone],
			"step": np.array(["pre_due", "first_overdue", "overdue", "final"], dtype=object)[
				rng.integers(0, 4, n)
			],
			"sent_at": sent + pd.to_timedelta(hour, unit="h"),
			"touches_7d": rng.integers(0, 4, n),
			"days_overdue": rng.integers(-5, 40, n),
			"outcome": np.where(success, "payment", "silence"),
			"days_to_outcome": np.where(success, rng.integers(0, 7, n), np.nan),
		}
	)


def speed(n_activities: int, n_choices: int) -> dict[str, float]:
	touches = synthetic_touches(n_activities)
	t0 = time.perf_counter()
	model = ResponseModel.fit(touches)
	learn_s = time.perf_counter() - t0
	rng = np.random.default_rng(1)
	ctx = touches.sample(n_choices, random_state=1, replace=n_choices > len(touches)).reset_index(drop=True)
	contexts = pd.DataFrame(
		{
			"customer": ctx["customer"],
			"segment": ctx["segment"],
			"step": ctx["step"],
			"weekday": rng.integers(0, 5, n_choices),
			"touches_7d": ctx["touches_7d"],
			"days_overdue": ctx["days_overdue"],
		}
	)
	options = [("Email",), ("Email", "SMS"), ("Email", "SMS", "WhatsApp")]
	allowed = [options[i] for i in rng.integers(0, 3, n_choices)]
	tones = [("polite", "firm")] * n_choices
	defaults = pd.DataFrame({"channel": "Email", "tone": "polite", "hour": np.full(n_choices, 9)})
	keys = [f"INV-{i}|step" for i in range(n_choices)]
	t0 = time.perf_counter()
	choices = LearnedPolicy(model).choose(contexts, allowed, tones, list(range(8, 19)), keys, defaults).table
	choose_s = time.perf_counter() - t0
	assert (choices["reason"] != "").all()
	return {"learn_s": learn_s, "choose_s": choose_s, "activities": n_activities, "choices": n_choices}


def _pct(x: float) -> str:
	return f"{x * 100:.1f} %"


def _print_comparison(title: str, c) -> None:
	print(f"\n{title} (seeds {', '.join(map(str, c.seeds))})")
	print(f"  {'policy':<8} {'collected ≤14 d':>16} {'DSO days':>9} {'touches':>8}")
	for name in ("fixed", "random", "learned"):
		c14, dso = c.rates[name]
		print(f"  {name:<8} {_pct(c14):>16} {dso:>9.2f} {c.touches[name]:>8}")
	for other in ("fixed", "random"):
		d = c.diffs[other]
		c14, dso = d["collected_14"], d["dso"]
		print(
			f"  learned − {other}: collected {c14.value * 100:+.2f} pp [{c14.low * 100:+.2f}, {c14.high * 100:+.2f}],"
			f" DSO {dso.value:+.2f} days [{dso.low:+.2f}, {dso.high:+.2f}] (95 % bootstrap over {c14.n} customers)"
		)
	print(f"  guard violations by any policy: {c.violations}")


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(
		prog="python -m optimar_erp.benchmarks.engine_learning", description=__doc__.split("\n\n")[0]
	)
	parser.add_argument("--quick", action="store_true", help="smaller worlds, fewer seeds")
	parser.add_argument("--highradius", type=Path, default=HIGHRADIUS)
	parser.add_argument("--activities", type=int, default=500_000)
	parser.add_argument("--choices", type=int, default=100_000)
	parser.add_argument("--skip", nargs="*", default=(), choices=("sim", "ope", "runs", "speed"))
	args = parser.parse_args(argv)
	quick = args.quick
	size = {"n_customers": 300, "history_months": 6, "eval_months": 4} if quick else {}
	if "sim" not in args.skip:
		t0 = time.perf_counter()
		seeds = (101,) if quick else (101, 102, 103)
		_print_comparison("Simulated truth, held-out seeds", compare_policies(seeds=seeds, **size))
		_print_comparison(
			"No response differences",
			compare_policies(
				seeds=seeds[:1] if quick else (104, 105), behaviour=ResponseBehaviour.none(), **size
			),
		)
		print(f"  ({time.perf_counter() - t0:.0f} s)")
	if "ope" not in args.skip:
		t0 = time.perf_counter()
		o = off_policy_check(
			seed=201,
			**({"n_customers": 400, "log_months": 6} if quick else {"n_customers": 600, "log_months": 9}),
		)
		print(
			f"\nOff-policy evaluation on {o.logged} logged touches (success rate per reminder, 95 % intervals)"
		)
		for name in ("learned", "fixed"):
			e = o.estimates[name]
			truth = o.truth[name]
			ok = "yes" if e["ips"].covers(truth) and e["dr"].covers(truth) else "NO"
			print(f"  {name:<8} IPS {e['ips']}  DR {e['dr']}  simulated truth {truth:.4f}  covered: {ok}")
		print(f"  ({time.perf_counter() - t0:.0f} s)")
	if "runs" not in args.skip:
		if args.highradius.exists():
			inv = pd.read_csv(
				args.highradius, dtype={"customer": str, "invoice": str}, parse_dates=["settled_date"]
			)
			acc = run_day_accuracy(inv, HIGHRADIUS_CUTOFF)
			print(
				f"\nPayment-run days on {args.highradius.name} (calendars learned up to {HIGHRADIUS_CUTOFF}):"
				f" {acc.customers} customers with a run calendar, {acc.payments} later payments;"
				f" on a predicted run day {_pct(acc.exact)} (within a day {_pct(acc.within_one_day)});"
				f" chance {_pct(acc.chance)}"
			)
		else:
			print(f"\nHighRadius sample not found at {args.highradius} (pass --highradius PATH)")
	if "speed" not in args.skip:
		s = speed(args.activities, args.choices)
		print(
			f"\nSpeed: learned from {s['activities']:,} activities in {s['learn_s']:.1f} s; chose channel, tone and"
			f" hour (with reasons) for {s['choices']:,} reminders in {s['choose_s']:.1f} s"
		)
	return 0


if __name__ == "__main__":
	raise SystemExit(main())
