"""Learning collections: the response model, the payment-run calendar, the policy and its guards, the
simulated evaluation and the off-policy estimates."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.dunning import ACTION_COLUMNS, DunningConfig, decide
from optimar_erp.engine.response.apply import LearnedDunning
from optimar_erp.engine.response.calendar import (
	RunCalendar,
	add_business_days,
	learn_calendars,
	run_timed_day,
)
from optimar_erp.engine.response.evaluate import (
	compare_policies,
	learn,
	off_policy_check,
	run_day_accuracy,
)
from optimar_erp.engine.response.model import ResponseModel
from optimar_erp.engine.response.ope import doubly_robust, ips
from optimar_erp.engine.response.policy import (
	FixedPolicy,
	LearnedPolicy,
	RandomPolicy,
	allowed_hours,
	inside,
)
from optimar_erp.engine.risk.features import payment_day_counts
from optimar_erp.engine.simulate import (
	ResponseBehaviour,
	response_world,
	simulate_book,
	simulate_responses,
)

START = dt.date(2025, 1, 6)


@pytest.fixture(scope="module")
def history():
	world = response_world(11, 250)
	run = simulate_responses(world, FixedPolicy(0.3), START, months=5, seed=11)
	return world, run, learn(run.touches, run.invoices)


# ------------------------------------------------------------------------------------------ model


def _touches(rows):
	"""rows of (customer, segment, channel, success count, touches)."""
	out = []
	for customer, segment, channel, wins, n in rows:
		for k in range(n):
			out.append(
				{
					"customer": customer,
					"segment": segment,
					"channel": channel,
					"tone": "polite",
					"sent_at": dt.datetime(2025, 3, 3, 10) + dt.timedelta(days=7 * k),  # Mondays
					"outcome": "payment" if k < wins else "silence",
					"days_to_outcome": 2.0 if k < wins else np.nan,
				}
			)
	return pd.DataFrame(out)


def test_model_learns_a_customers_channel_and_shrinks_thin_evidence():
	rows = [(f"S{i}", "A", ch, 3, 10) for i in range(30) for ch in ("Email", "WhatsApp")]
	rows += [("LOVES_WA", "A", "WhatsApp", 9, 10), ("LOVES_WA", "A", "Email", 0, 10)]
	rows += [("ONE_WA", "A", "WhatsApp", 1, 1), ("ONE_WA", "A", "Email", 0, 1)]
	model = ResponseModel.fit(_touches(rows))
	ctx = pd.DataFrame({"customer": ["LOVES_WA", "ONE_WA", "NEW"], "step": "", "weekday": 0})
	acts = pd.DataFrame({"channel": ["Email", "WhatsApp"], "tone": "polite", "hour": 10})
	p = model.score(ctx, acts)
	assert p[0, 1] > 0.55 and p[0, 0] < 0.25  # 9 of 10 on WhatsApp, 0 of 10 by email (shrunk)
	assert abs(p[1, 1] - p[2, 1]) < 0.15  # one answered touch moves a customer only a little
	assert abs(p[2, 0] - 0.3) < 0.05 and abs(p[2, 1] - 0.3) < 0.05  # a new customer: the site's 3 in 10
	assert model.evidence("LOVES_WA")[0].startswith("answered 9 of 10 WhatsApp reminders")


def test_model_rejects_bad_touch_tables():
	good = _touches([("C", "A", "Email", 5, 30)])
	with pytest.raises(ValueError, match="lacks column"):
		ResponseModel.fit(good.drop(columns="outcome"))
	with pytest.raises(ValueError, match="unknown value"):
		ResponseModel.fit(good.assign(outcome="maybe"))
	with pytest.raises(ValueError, match="not a date"):
		ResponseModel.fit(good.assign(sent_at=pd.NaT))


# --------------------------------------------------------------------------------------- calendar


def test_calendar_finds_the_simulated_payment_runs():
	book = simulate_book(seed=3, n_customers=120, months=12, end=dt.date(2025, 6, 30))
	cals = learn_calendars(book.invoices)
	runs = book.customers[book.customers["payment_run_rule"] != ""]
	runs = runs[[cals[c].settlements >= 6 for c in runs["customer"]]]  # enough history to tell
	assert len(runs) >= 8
	expected = {"FRI": ((4,), ()), "EOM": ((), (0,)), "15,EOM": ((), (0, 15))}
	hits = [
		(cals[c].weekdays, cals[c].month_days) == expected[rule]
		for c, rule in zip(runs["customer"], runs["payment_run_rule"], strict=True)
	]
	assert np.mean(hits) >= 0.8
	# customers without runs rarely look like they have one (weekend due dates paid on Fridays can)
	others = book.customers.loc[book.customers["payment_run_rule"] == "", "customer"]
	assert np.mean([cals[c].known for c in others if c in cals]) < 0.3


def test_payment_day_counts_histograms_and_cutoff():
	inv = pd.DataFrame(
		{
			"customer": ["A", "A", "A", "B", "B"],
			"settled_date": pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-14", "2025-03-15", None]),
		}
	)
	counts = payment_day_counts(inv)
	assert counts.loc["A", "n"] == 3 and counts.loc["A", "dom0"] == 2 and counts.loc["A", "dom14"] == 1
	assert counts.loc["A", "wd4"] == 3  # 31 Jan, 28 Feb and 14 Mar 2025 were Fridays
	assert counts.loc["B", "n"] == 1 and counts.loc["B", "wd5"] == 1
	assert payment_day_counts(inv, "2025-02-28").loc["A", "n"] == 2
	assert "B" not in payment_day_counts(inv, "2025-02-28").index


def test_run_timed_day_lands_the_lead_before_the_run_and_never_past_the_next_step():
	fridays = RunCalendar(weekdays=(4,))
	monday = dt.date(2025, 3, 3)
	assert run_timed_day(fridays, monday, monday + dt.timedelta(days=8), 3) == dt.date(2025, 3, 4)
	# Thursday: this Friday is too close, next Friday − 3 business days is Tuesday
	thursday = dt.date(2025, 3, 6)
	assert run_timed_day(fridays, thursday, dt.date(2025, 3, 20), 3) == dt.date(2025, 3, 11)
	assert run_timed_day(fridays, thursday, dt.date(2025, 3, 10), 3) == thursday  # next step first
	assert run_timed_day(RunCalendar(), thursday, None, 3) == thursday
	assert add_business_days(dt.date(2025, 3, 10), -3) == dt.date(2025, 3, 5)


def test_run_day_accuracy_on_a_book_with_runs_beats_guessing():
	book = simulate_book(seed=5, n_customers=150, months=12, end=dt.date(2025, 6, 30))
	acc = run_day_accuracy(book.invoices, "2025-03-31")
	assert acc.customers > 5
	assert acc.exact > 0.6 and acc.exact > 4 * acc.chance


# ----------------------------------------------------------------------------------------- policy


def test_policy_propensities_exploration_and_determinism(history):
	_, run, learned = history
	t = run.touches.head(400).reset_index(drop=True)
	ctx = pd.DataFrame(
		{
			"customer": t["customer"],
			"segment": t["segment"],
			"step": t["step"],
			"weekday": pd.to_datetime(t["sent_at"]).dt.weekday,
			"touches_7d": t["touches_7d"],
			"days_overdue": t["days_overdue"],
		}
	)
	allowed = [("Email", "SMS", "WhatsApp")] * len(t)
	tones = [("polite", "firm")] * len(t)
	hours = list(range(8, 19))
	policy = LearnedPolicy(learned.model, epsilon=0.2)
	grid, probs, pref, _ = policy.distribution(ctx, allowed, tones, hours)
	assert np.allclose(probs.sum(axis=1), 1.0)
	assert np.allclose(probs[np.arange(len(t)), pref], 0.8 + 0.2 / len(grid))
	a = policy.choose(ctx, allowed, tones, hours, t["key"]).table
	b = policy.choose(ctx, allowed, tones, hours, t["key"]).table
	pd.testing.assert_frame_equal(a, b)
	assert 0.1 < a["explored"].mean() < 0.3
	assert a["reason"].str.contains("% chance of payment or promise").all()
	assert (a.loc[a["explored"], "reason"].str.startswith("exploring")).all()
	r = RandomPolicy().choose(ctx, allowed, tones, hours, t["key"]).table
	assert np.allclose(r["propensity"], 1 / len(grid))
	f = FixedPolicy().choose(ctx, allowed, tones, hours, t["key"]).table
	assert (f["propensity"] == 1.0).all()


# ------------------------------------------------------------------------------------- evaluation


def test_learned_beats_fixed_on_held_out_seeds():
	c = compare_policies(seeds=(301,), n_customers=400, history_months=6, eval_months=4, bootstrap=300)
	assert c.violations == 0
	assert c.diffs["fixed"]["collected_14"].low > 0
	assert c.diffs["fixed"]["dso"].high < 0
	assert c.rates["learned"][0] > c.rates["random"][0]


def test_learned_does_no_harm_without_response_differences():
	c = compare_policies(
		seeds=(302,),
		n_customers=400,
		history_months=6,
		eval_months=4,
		behaviour=ResponseBehaviour.none(),
		bootstrap=300,
	)
	assert c.diffs["fixed"]["collected_14"].low > -0.01
	assert c.diffs["fixed"]["dso"].high < 0.5


def test_simulation_is_deterministic_and_behaviour_off_means_no_differences():
	world = response_world(4, 60, ResponseBehaviour.none())
	assert (
		(world[["aff_Email", "aff_SMS", "aff_WhatsApp", "firm", "band_effect", "fatigue"]] == 0).all().all()
	)
	assert (world["run_rule"] == "").all()
	a = simulate_responses(world, FixedPolicy(0.3), START, months=2, seed=4)
	b = simulate_responses(world, FixedPolicy(0.3), START, months=2, seed=4)
	pd.testing.assert_frame_equal(a.touches, b.touches)
	assert not a.violations


def test_off_policy_estimates_agree_with_the_simulated_truth():
	o = off_policy_check(seed=201, n_customers=600, history_months=6, log_months=9)
	for name in ("learned", "fixed"):
		assert o.estimates[name]["dr"].covers(o.truth[name]), (name, o.estimates[name], o.truth[name])
		assert o.estimates[name]["ips"].covers(o.truth[name]), (name, o.estimates[name], o.truth[name])
	assert o.truth["learned"] > o.truth["fixed"]


def test_ips_and_dr_on_a_known_bandit():
	rng = np.random.default_rng(0)
	n, k = 20000, 3
	p_true = np.array([0.2, 0.5, 0.3])
	logged = rng.integers(0, k, n)
	reward = (rng.random(n) < p_true[logged]).astype(float)
	mu = np.full(n, 1 / k)
	target = np.tile([0.0, 0.9, 0.1], (n, 1))
	truth = 0.9 * 0.5 + 0.1 * 0.3
	assert ips(reward, mu, logged, target).covers(truth)
	assert doubly_robust(reward, mu, logged, target, np.tile([0.25, 0.45, 0.3], (n, 1))).covers(truth)
	with pytest.raises(ValueError, match="propensities"):
		ips(reward, np.zeros(n), logged, target)


# --------------------------------------------------------------------------- dunning integration

TODAY = dt.date(2025, 3, 12)
STEPS = pd.DataFrame(
	{
		"sequence": ["S"] * 4,
		"step_id": ["S:-5", "S:+3", "S:+10", "S:+20"],
		"offset_days": [-5, 3, 10, 20],
		"channel": ["Email"] * 4,
		"tone": ["polite", "polite", "firm", "firm"],
	}
)


def _book(n_customers, rng):
	rows, cust = [], []
	for i in range(n_customers):
		c = f"RCUST-{i + 1:04d}"
		for j in range(3):
			rows.append(
				{
					"invoice": f"{c}-{j}",
					"customer": c,
					"due_date": TODAY - dt.timedelta(days=int(rng.choice([-5, 3, 10, 20]))),
					"outstanding": 100.0,
					"grand_total": 100.0,
					"sequence": "S",
				}
			)
		cust.append(
			{
				"customer": c,
				"email": f"{c}@x.example" if rng.random() < 0.9 else "",
				"mobile": "+100" if rng.random() < 0.7 else "",
				"whatsapp_opt_in": bool(rng.random() < 0.5),
				"do_not_contact": bool(rng.random() < 0.05),
				"time_zone": str(rng.choice(["Asia/Kolkata", "America/New_York", "Europe/Berlin", ""])),
				"segment": "India",
			}
		)
	return pd.DataFrame(rows), pd.DataFrame(cust)


def test_learned_flags_change_nothing_without_a_policy():
	rng = np.random.default_rng(1)
	inv, cus = _book(30, rng)
	cfg = DunningConfig(
		today=TODAY,
		now=dt.datetime(2025, 3, 12, 10, tzinfo=dt.timezone.utc),
		company_time_zone="Europe/London",
		enabled_channels=frozenset({"Email", "SMS", "WhatsApp"}),
	)
	flagged = STEPS.assign(learned_channel=True, learned_time=True, learned_tone=True, channels="Email,SMS")
	a = decide(inv, STEPS, None, cus, None, None, cfg)
	b = decide(inv, flagged, None, cus, None, None, cfg)
	pd.testing.assert_frame_equal(a.actions, b.actions)
	pd.testing.assert_frame_equal(a.skipped, b.skipped)
	assert tuple(a.actions.columns) == ACTION_COLUMNS


def test_policy_never_breaks_quiet_hours_caps_opt_ins_or_time_zones(history):
	_, _, learned = history
	rng = np.random.default_rng(7)
	inv, cus = _book(40, rng)
	steps = STEPS.assign(
		learned_channel=True,
		learned_time=True,
		learned_tone=True,
		channels="Email,SMS,WhatsApp",
		tones="polite,firm",
	)
	windows = [(dt.time(8), dt.time(19)), (dt.time(9), dt.time(17)), (dt.time(20), dt.time(7))]
	quiets = [(None, None), (dt.time(12), dt.time(14)), (dt.time(17), dt.time(8))]
	enabled_sets = [{"Email"}, {"Email", "SMS"}, {"Email", "SMS", "WhatsApp"}, {"SMS", "WhatsApp"}]
	caps = [0, 1, 3]
	seen_actions = 0
	combos = list(itertools.product(windows, quiets, enabled_sets, caps, (3, 9, 14)))
	sweep = [combos[i] for i in rng.choice(len(combos), size=36, replace=False)]
	for (ws, we), (qs, qe), enabled, cap, utc_hour in sweep:
		now = dt.datetime(2025, 3, 12, utc_hour, tzinfo=dt.timezone.utc)
		prior = [
			{
				"idempotency_key": f"old-{c}",
				"customer": c,
				"step_id": "S:-5",
				"channel": "Email",
				"status": "Sent",
				"at": now - dt.timedelta(days=2),
			}
			for c in cus["customer"][::3]
		]
		cfg = DunningConfig(
			today=TODAY,
			now=now,
			company_time_zone="Europe/London",
			window_start=ws,
			window_end=we,
			max_touches_per_7_days=cap,
			enabled_channels=frozenset(enabled),
		)
		policy = LearnedDunning(LearnedPolicy(learned.model, learned.calendars, 0.3), qs, qe)
		d = decide(inv, steps, pd.DataFrame(prior), cus, None, None, cfg, policy=policy)
		ok_hours = set(allowed_hours(ws, we, qs, qe))
		acts = d.actions.merge(cus, on="customer", suffixes=("", "_c"))
		seen_actions += len(acts)
		for a in acts.itertuples(index=False):
			assert a.channel in enabled
			assert not a.do_not_contact
			if a.channel == "Email":
				assert a.email and a.recipient == a.email
			if a.channel in ("SMS", "WhatsApp"):
				assert a.mobile and a.recipient == a.mobile
			if a.channel == "WhatsApp":
				assert a.whatsapp_opt_in
			local = now.astimezone(ZoneInfo(a.time_zone or "Europe/London"))
			minutes = local.hour * 60 + local.minute
			assert inside(minutes, ws, we) and not (qs and inside(minutes, qs, qe)), (a.time_zone, local)
			assert a.send_hour in ok_hours and a.send_hour <= local.hour
			assert 0 < a.propensity <= 1 and a.choice_reason
		prior_count = pd.Series([p["customer"] for p in prior]).value_counts()
		per_customer = d.actions.groupby("customer").size()
		for c, n in per_customer.items():
			assert n + prior_count.get(c, 0) <= cap
	assert seen_actions > 100


def test_decide_with_a_learned_policy_chooses_waits_for_the_run_and_explains():
	# WA_FAN answered 9 of 10 WhatsApp reminders and none of 10 emails; everyone else 3 in 10 either way
	rows = [(f"S{i}", "A", ch, 3, 10) for i in range(30) for ch in ("Email", "WhatsApp")]
	rows += [("WA_FAN", "A", "WhatsApp", 9, 10), ("WA_FAN", "A", "Email", 0, 10)]
	model = ResponseModel.fit(_touches(rows))
	fridays = {"RUNNER": RunCalendar(weekdays=(4,), share=1.0, settlements=20)}
	policy = LearnedDunning(LearnedPolicy(model, fridays, epsilon=0.0, lead_business_days=3))
	today = dt.date(2025, 3, 3)  # a Monday
	inv = pd.DataFrame(
		{
			"invoice": ["I-FAN", "I-RUN"],
			"customer": ["WA_FAN", "RUNNER"],
			"due_date": [today - dt.timedelta(days=3), today + dt.timedelta(days=5)],  # +3 and -5 steps due
			"outstanding": 100.0,
			"grand_total": 100.0,
			"sequence": "S",
		}
	)
	cus = pd.DataFrame(
		{
			"customer": ["WA_FAN", "RUNNER"],
			"email": ["fan@x.example", "run@x.example"],
			"mobile": ["+911", "+912"],
			"whatsapp_opt_in": [True, True],
			"time_zone": ["Asia/Kolkata", "Europe/Berlin"],
		}
	)
	steps = STEPS.assign(learned_channel=True, learned_time=True, channels="Email,WhatsApp")
	cfg = DunningConfig(
		today=today,
		now=dt.datetime(2025, 3, 3, 12, 30, tzinfo=dt.timezone.utc),  # 18:00 in Kolkata, 13:30 in Berlin
		company_time_zone="Europe/London",
		window_start=dt.time(8),
		window_end=dt.time(19),
		enabled_channels=frozenset({"Email", "WhatsApp"}),
	)
	d = decide(inv, steps, None, cus, None, None, cfg, policy=policy)
	fan = d.actions.set_index("customer").loc["WA_FAN"]
	assert (fan["channel"], fan["recipient"], bool(fan["learned"])) == ("WhatsApp", "+911", True)
	assert fan["propensity"] == 1.0 and "chance of payment or promise" in fan["choice_reason"]
	assert fan["send_hour"] <= 18
	# RUNNER pays on Fridays: its pre-due reminder waits for Tuesday, 3 business days before Friday
	held = d.skipped.set_index("customer").loc["RUNNER"]
	assert held["reason_code"] == "awaiting_payment_run" and bool(held["transient"])
	assert held["reason"].startswith("Held until 2025-03-04") and "Fridays" in held["reason"]
	# the same decision without WhatsApp enabled falls back to email, and WhatsApp without an opt-in too
	no_wa = decide(inv, steps, None, cus.assign(whatsapp_opt_in=False), None, None, cfg, policy=policy)
	assert no_wa.actions.set_index("customer").loc["WA_FAN", "channel"] == "Email"
	with pytest.raises(ValueError, match="unknown channel"):
		decide(inv, steps.assign(channels="Email,Pigeon"), None, cus, None, None, cfg, policy=policy)
