"""Dunning decisions: one hand-built example per rule, with exact expected actions and skips."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.dunning import (
	ACTION_COLUMNS,
	REASON_CODES,
	SKIPPED_COLUMNS,
	Decision,
	DunningConfig,
	decide,
)

TODAY = dt.date(2024, 6, 15)
NOW = dt.datetime(2024, 6, 15, 10, 0, tzinfo=dt.timezone.utc)  # 11:00 in London, 15:30 in Kolkata
UTC = dt.timezone.utc

STEPS = pd.DataFrame(
	{
		"sequence": ["Std"] * 5 + ["Cons"] * 2,
		"step_id": ["Std:-5", "Std:+1", "Std:+7", "Std:+15", "Std:+30", "Cons:+1", "Cons:+10"],
		"offset_days": [-5, 1, 7, 15, 30, 1, 10],
		"channel": ["Email", "Email", "Email", "Email", "Call Task", "Email", "Email"],
		"tone": ["Polite", "Friendly", "Firm", "Urgent", "Final", "Friendly", "Firm"],
		"min_gap_days": [0, 0, 0, 0, 0, 0, 0],
		"escalation": ["", "", "", "ToDo", "Notify Manager", "", ""],
		"consolidate": [False] * 5 + [True] * 2,
	}
)


def customers(**overrides) -> pd.DataFrame:
	"""C1..C4, all reachable on every channel; ``C1={"email": ""}`` changes one customer."""
	rows = []
	for c in ("C1", "C2", "C3", "C4"):
		row = {
			"customer": c,
			"do_not_contact": False,
			"on_hold": False,
			"email": f"{c.lower()}@example.com",
			"mobile": f"+4470000000{c[1]}",
			"whatsapp_opt_in": True,
			"collector": "ana@optimar.test",
			"time_zone": "",
		}
		row.update(overrides.get(c, {}))
		rows.append(row)
	return pd.DataFrame(rows)


def invoices(*rows: tuple) -> pd.DataFrame:
	"""Rows of (invoice, customer, days_overdue, outstanding[, sequence[, extra dict]])."""
	records = []
	for row in rows:
		name, cust, days, outstanding = row[:4]
		seq = row[4] if len(row) > 4 else "Std"
		rec = {
			"invoice": name,
			"customer": cust,
			"due_date": TODAY - dt.timedelta(days=days),
			"outstanding": outstanding,
			"grand_total": max(outstanding, 100.0),
			"currency": "GBP",
			"disputed": False,
			"sequence": seq,
		}
		if len(row) > 5:
			rec.update(row[5])
		records.append(rec)
	return pd.DataFrame(records)


def activity(key, customer, step_id, invoice="", status="Sent", at=NOW - dt.timedelta(days=30), **kw) -> dict:
	rec = {
		"idempotency_key": key,
		"customer": customer,
		"invoice": invoice,
		"invoices": kw.pop("invoices", ()),
		"step_id": step_id,
		"channel": kw.pop("channel", "Email"),
		"notice": kw.pop("notice", ""),
		"status": status,
		"at": at,
	}
	assert not kw
	return rec


def config(**kw) -> DunningConfig:
	base = {"today": TODAY, "now": NOW, "company_time_zone": "Europe/London"}
	base.update(kw)
	return DunningConfig(**base)


def run(
	inv: pd.DataFrame,
	activities=None,
	cust=None,
	promises=None,
	disputes=None,
	steps=None,
	**cfg,
) -> Decision:
	acts = pd.DataFrame(activities) if isinstance(activities, list) else activities
	return decide(
		inv,
		STEPS if steps is None else steps,
		acts,
		customers() if cust is None else cust,
		promises,
		disputes,
		config(**cfg),
	)


def keys(decision: Decision) -> list[str]:
	return decision.actions["idempotency_key"].tolist()


def skips(decision: Decision) -> list[tuple]:
	s = decision.skipped
	return list(zip(s["invoices"], s["step_id"], s["reason_code"], s["transient"], strict=True))


# --------------------------------------------------------------------------------- rule 1: eligibility


def test_paid_fully_credited_and_unsequenced_invoices_are_not_evaluated():
	d = run(
		invoices(
			("PAID", "C1", 10, 0.0),
			("CREDITED", "C1", 10, 0.004),
			("NOSEQ", "C1", 10, 50.0, ""),
			("NONE", "C1", 10, 50.0, None),
			("OPEN", "C1", 10, 0.005),
		)
	)
	assert keys(d) == ["OPEN|Std:+7"]
	assert d.skipped.empty
	assert d.evaluated == 1


def test_disputed_invoices_are_paused_by_flag_or_open_dispute():
	inv = invoices(
		("FLAG", "C1", 10, 10.0, "Std", {"disputed": True}),
		("OPEN", "C1", 10, 20.0),
		("REVIEW", "C1", 10, 30.0),
		("RESOLVED", "C1", 10, 40.0),
		("CLOSED", "C1", 10, 50.0),
	)
	disputes = pd.DataFrame(
		{
			"invoice": ["OPEN", "REVIEW", "RESOLVED", "CLOSED"],
			"status": ["Open", "Under Review", "Resolved", "Closed"],
		}
	)
	d = run(inv, disputes=disputes)
	assert keys(d) == ["CLOSED|Std:+7", "RESOLVED|Std:+7"]
	assert skips(d) == [
		(("FLAG",), "Std:+7", "disputed", False),
		(("OPEN",), "Std:+7", "disputed", False),
		(("REVIEW",), "Std:+7", "disputed", False),
	]
	assert set(d.skipped["reason"]) == {"Invoice is under dispute"}


def test_credit_on_account_covering_the_balance_asks_for_nothing():
	"""Money received but not yet matched to invoices counts: a customer whose unmatched payments cover
	everything open in a currency gets no reminder in that currency; a partial credit changes nothing
	here (the message shows it); credits in another currency or of another customer never count."""
	inv = invoices(
		("A1", "C1", 10, 300.0),
		("A2", "C1", 2, 200.0),
		("B1", "C2", 10, 500.0),
		("D1", "C3", 10, 100.0),
		("E1", "C4", 10, 100.0, "Std", {"currency": "EUR"}),
	)
	credits = pd.DataFrame(
		{
			"customer": ["C1", "C2", "C3", "C4"],
			"currency": ["GBP", "GBP", "GBP", "GBP"],
			"credit": [499.996, 499.0, 40.0, 100.0],
		}
	)
	d = decide(inv, STEPS, None, customers(), None, None, config(), credits)
	assert keys(d) == ["B1|Std:+7", "D1|Std:+7", "E1|Std:+7"]
	assert skips(d) == [
		(("A1",), "Std:+7", "credit_on_account", True),
		(("A2",), "Std:+1", "credit_on_account", True),
	]
	assert "not yet matched" in d.skipped["reason"].iloc[0]
	# without credits nothing changes
	assert keys(run(inv)) == ["A1|Std:+7", "A2|Std:+1", "B1|Std:+7", "D1|Std:+7", "E1|Std:+7"]


def test_open_promise_pauses_until_promised_date_plus_grace():
	inv = invoices(
		("TODAY", "C1", 10, 10.0),
		("LAPSED", "C1", 10, 20.0),
		("GRACE", "C1", 10, 30.0),
		("BROKEN", "C1", 10, 40.0),
	)
	promises = pd.DataFrame(
		{
			"invoice": ["TODAY", "LAPSED", "GRACE", "BROKEN"],
			"promised_date": [TODAY, TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=2), TODAY],
			"status": ["Open", "Open", "Open", "Broken"],
		}
	)
	d = run(inv, promises=promises, grace_days=2)
	assert keys(d) == ["BROKEN|Std:+7", "LAPSED|Std:+7"]
	assert skips(d) == [
		(("GRACE",), "Std:+7", "promise_to_pay", True),
		(("TODAY",), "Std:+7", "promise_to_pay", True),
	]
	assert d.skipped["reason"].tolist() == [
		"Invoice is covered by an open promise to pay dated 2024-06-13",
		"Invoice is covered by an open promise to pay dated 2024-06-15",
	]
	# Without grace, the promise dated two days ago has passed: reminders resume.
	assert keys(run(inv, promises=promises, grace_days=0)) == [
		"BROKEN|Std:+7",
		"GRACE|Std:+7",
		"LAPSED|Std:+7",
	]


# ------------------------------------------------------------------------------ rule 2: the due step


@pytest.mark.parametrize(
	"days, step",
	[
		(-6, None),
		(-5, "Std:-5"),
		(0, "Std:-5"),
		(1, "Std:+1"),
		(6, "Std:+1"),
		(7, "Std:+7"),
		(14, "Std:+7"),
		(15, "Std:+15"),
		(29, "Std:+15"),
		(30, "Std:+30"),
		(200, "Std:+30"),
	],
)
def test_due_step_is_the_largest_offset_not_after_days_overdue(days, step):
	d = run(invoices(("I", "C1", days, 100.0)))
	if step is None:
		assert d.actions.empty and d.skipped.empty
	else:
		assert keys(d) == [f"I|{step}"]
		assert d.actions["days_overdue"].tolist() == [days]


def test_no_retroactive_catch_up():
	d = run(invoices(("LATE", "C1", 20, 100.0)))
	assert keys(d) == ["LATE|Std:+15"]
	row = d.actions.iloc[0]
	assert (row["tone"], row["escalation"], row["offset_days"], row["days_overdue"]) == (
		"Urgent",
		"ToDo",
		15,
		20,
	)


def test_never_goes_backwards():
	"""The due date moved later: the due step is now +7 but +15 already went, so nothing is sent."""
	acts = [activity("MOVED|Std:+15", "C1", "Std:+15", "MOVED")]
	d = run(invoices(("MOVED", "C1", 8, 100.0), ("OTHER", "C1", 8, 50.0)), acts)
	assert keys(d) == ["OTHER|Std:+7"]
	assert d.skipped.empty


@pytest.mark.parametrize(
	"status, sent_again", [("Queued", False), ("Sent", False), ("Failed", False), ("Skipped", True)]
)
def test_due_step_already_handed_out(status, sent_again):
	acts = [activity("I|Std:+7", "C1", "Std:+7", "I", status=status)]
	d = run(invoices(("I", "C1", 9, 100.0)), acts)
	assert keys(d) == (["I|Std:+7"] if sent_again else [])


def test_done_is_recognised_by_key_alone_and_earlier_steps_do_not_count():
	acts = [
		activity("A|Std:+7", "C1", "Std:+7"),  # no invoice column filled in: the key says it
		activity("B|Std:+1", "C1", "Std:+1", "B"),  # an earlier step: +7 is still due
	]
	d = run(invoices(("A", "C1", 9, 100.0), ("B", "C1", 9, 50.0)), acts)
	assert keys(d) == ["B|Std:+7"]


def test_history_of_another_sequence_does_not_block():
	acts = [activity("I|Cons:+10", "C1", "Cons:+10", "I")]
	assert keys(run(invoices(("I", "C1", 12, 100.0)), acts)) == ["I|Std:+7"]


def test_steps_sharing_an_offset_are_all_due_and_done_one_by_one():
	both = pd.concat(
		[
			STEPS,
			pd.DataFrame(
				[
					{
						"sequence": "Std",
						"step_id": "Std:+15:Call",
						"offset_days": 15,
						"channel": "Call Task",
						"consolidate": False,
					},
					{
						"sequence": "Cons",
						"step_id": "Cons:+10:Call",
						"offset_days": 10,
						"channel": "Call Task",
						"consolidate": True,
					},
				]
			),
		],
		ignore_index=True,
	)
	inv = invoices(("I", "C1", 16, 100.0), ("X1", "C2", 11, 5.0, "Cons"), ("X2", "C2", 12, 6.0, "Cons"))
	d = run(inv, steps=both)
	assert keys(d) == [
		"I|Std:+15",
		"I|Std:+15:Call",
		"C2|Cons:+10|GBP|2024-06-15",
		"C2|Cons:+10:Call|GBP|2024-06-15",
	]
	assert d.actions["channel"].tolist() == ["Email", "Call Task", "Email", "Call Task"]
	assert d.actions["invoices"].tolist() == [("I",), ("I",), ("X1", "X2"), ("X1", "X2")]
	acts = [activity("I|Std:+15", "C1", "Std:+15", "I", at=NOW - dt.timedelta(days=1))]
	assert keys(run(inv.iloc[:1], acts, steps=both)) == ["I|Std:+15:Call"]
	# A later offset done blocks both; the same offset on another channel does not.
	acts = [activity("I|Std:+30", "C1", "Std:+30", "I", channel="Call Task")]
	assert keys(run(inv.iloc[:1], acts, steps=both)) == []


# ------------------------------------------------------------------------- rule 3: keys, idempotency


def test_keys_are_deterministic_and_idempotent():
	inv = invoices(
		("A", "C1", 3, 100.0),
		("B", "C1", 16, 200.0),
		("X", "C2", 2, 10.0, "Cons"),
		("Y", "C2", 4, 20.0, "Cons"),
		("Z", "C3", 40, 30.0),
	)
	first = run(inv)
	assert keys(first) == ["B|Std:+15", "A|Std:+1", "C2|Cons:+1|GBP|2024-06-15", "Z|Std:+30"]
	pd.testing.assert_frame_equal(first.actions, run(inv).actions)
	fed = [
		activity(
			r.idempotency_key,
			r.customer,
			r.step_id,
			"" if r.consolidated else r.invoices[0],
			invoices=list(r.invoices) if r.consolidated else (),
			channel=r.channel,
			at=NOW,
		)
		for r in first.actions.itertuples()
	]
	second = run(inv, fed)
	assert second.actions.empty
	assert second.skipped.empty


# ------------------------------------------------------------------------------ rule 4: guards


@pytest.mark.parametrize(
	"overrides, step_channel, code, reason",
	[
		({"do_not_contact": True}, "Email", "do_not_contact", "Customer is marked do-not-contact"),
		({"do_not_contact": True}, "Call Task", "do_not_contact", "Customer is marked do-not-contact"),
		({"on_hold": True}, "Email", "on_hold", "Customer is on hold"),
		({"email": ""}, "Email", "no_recipient", "Customer has no email address"),
		({"email": None}, "Letter", "no_recipient", "Customer has no email address"),
		({"mobile": ""}, "SMS", "no_recipient", "Customer has no mobile number"),
		(
			{"whatsapp_opt_in": False},
			"WhatsApp",
			"no_recipient",
			"Customer has no mobile number or has not opted in to WhatsApp",
		),
		(
			{"mobile": ""},
			"WhatsApp",
			"no_recipient",
			"Customer has no mobile number or has not opted in to WhatsApp",
		),
		({"collector": ""}, "Call Task", "no_recipient", "Customer has no collector assigned"),
	],
)
def test_customer_guards(overrides, step_channel, code, reason):
	steps = STEPS.copy()
	steps.loc[steps["step_id"] == "Std:+7", "channel"] = step_channel
	channels = {"Email", "SMS", "WhatsApp", "Call Task", "Letter"}
	d = run(
		invoices(("I", "C1", 8, 100.0)), cust=customers(C1=overrides), steps=steps, enabled_channels=channels
	)
	assert d.actions.empty
	assert skips(d) == [(("I",), "Std:+7", code, False)]
	assert d.skipped["reason"].tolist() == [reason]
	assert d.skipped["channel"].tolist() == [step_channel]


@pytest.mark.parametrize(
	"channel, recipient",
	[
		("Email", "c1@example.com"),
		("Letter", "c1@example.com"),
		("SMS", "+44700000001"),
		("WhatsApp", "+44700000001"),
		("Call Task", "ana@optimar.test"),
	],
)
def test_recipient_per_channel(channel, recipient):
	steps = STEPS.copy()
	steps.loc[steps["step_id"] == "Std:+7", "channel"] = channel
	d = run(invoices(("I", "C1", 8, 100.0)), steps=steps, enabled_channels=set(STEPS["channel"]) | {channel})
	assert d.actions["recipient"].tolist() == [recipient]
	assert d.actions["channel"].tolist() == [channel]


def test_on_hold_skips_hold_escalation_steps_too():
	steps = STEPS.copy()
	steps.loc[steps["step_id"] == "Std:+30", "escalation"] = "Hold"
	d = run(invoices(("I", "C1", 31, 100.0)), cust=customers(C1={"on_hold": True}), steps=steps)
	assert skips(d) == [(("I",), "Std:+30", "on_hold", False)]


def test_snoozed_customer_waits_and_is_retried_later():
	d = run(invoices(("I", "C1", 8, 100.0)), cust=customers(C1={"snoozed": True}))
	assert keys(d) == []
	assert skips(d) == [(("I",), "Std:+7", "snoozed", True)]
	assert keys(run(invoices(("I", "C1", 8, 100.0)), cust=customers(C1={"snoozed": False}))) == ["I|Std:+7"]


def test_channel_disabled():
	steps = STEPS.copy()
	steps.loc[steps["step_id"] == "Std:+7", "channel"] = "SMS"
	d = run(invoices(("I", "C1", 8, 100.0), ("J", "C1", 2, 5.0)), steps=steps)
	assert keys(d) == ["J|Std:+1"]
	assert skips(d) == [(("I",), "Std:+7", "channel_disabled", False)]
	assert d.skipped["reason"].tolist() == ["Channel SMS is not enabled for dunning"]
	assert keys(run(invoices(("I", "C1", 8, 100.0)), steps=steps, enabled_channels={"SMS"})) == ["I|Std:+7"]


def test_first_failing_guard_wins_and_unknown_customers_have_no_recipient():
	cust = customers(C1={"do_not_contact": True, "on_hold": True, "email": ""})
	d = run(invoices(("I", "C1", 8, 100.0), ("J", "C9", 8, 100.0)), cust=cust)
	assert skips(d) == [
		(("I",), "Std:+7", "do_not_contact", False),
		(("J",), "Std:+7", "no_recipient", False),
	]


def test_unknown_sequence_is_reported():
	d = run(invoices(("I", "C1", 8, 100.0, "Gone")))
	assert d.actions.empty
	assert skips(d) == [(("I",), "", "unknown_sequence", False)]
	assert d.skipped["reason"].tolist() == ["Dunning sequence Gone has no steps"]


# ----------------------------------------------------------------------------- rule 5: send window


def test_window_uses_each_customers_time_zone():
	"""03:30 UTC is 09:00 in Kolkata (inside 08:00–19:00) and 23:30 the day before in New York."""
	cust = customers(
		C1={"time_zone": "Asia/Kolkata"}, C2={"time_zone": "America/New_York"}, C3={"time_zone": ""}
	)
	inv = invoices(("K", "C1", 8, 100.0), ("N", "C2", 8, 100.0), ("L", "C3", 8, 100.0))
	now = dt.datetime(2024, 6, 15, 3, 30, tzinfo=UTC)
	d = run(inv, cust=cust, now=now)
	assert keys(d) == ["K|Std:+7"]
	assert skips(d) == [
		(("N",), "Std:+7", "outside_window", True),
		(("L",), "Std:+7", "outside_window", True),
	]
	assert d.skipped["reason"].tolist() == [
		"Outside the send window 08:00–19:00: it is 23:30 in America/New_York",
		"Outside the send window 08:00–19:00: it is 04:30 in Europe/London",
	]
	# 13:30 UTC: 19:00 in Kolkata (the end is excluded), 09:30 in New York, 14:30 in London.
	d = run(inv, cust=cust, now=dt.datetime(2024, 6, 15, 13, 30, tzinfo=UTC))
	assert keys(d) == ["N|Std:+7", "L|Std:+7"]
	assert skips(d) == [(("K",), "Std:+7", "outside_window", True)]
	# 07:00 UTC = 08:00 in London: the start is included.
	assert keys(run(inv.iloc[2:], cust=cust, now=dt.datetime(2024, 6, 15, 7, 0, tzinfo=UTC))) == ["L|Std:+7"]


def test_window_may_span_midnight_and_now_may_be_given_in_any_zone():
	inv = invoices(("I", "C1", 8, 100.0))
	late = dt.datetime(2024, 6, 15, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # 23:00 London
	assert keys(run(inv, now=late, window_start=dt.time(22, 0), window_end=dt.time(6, 0))) == ["I|Std:+7"]
	assert keys(run(inv, now=late)) == []


def test_invalid_customer_time_zone():
	d = run(
		invoices(("I", "C1", 8, 100.0), ("J", "C1", 31, 5.0)),
		cust=customers(C1={"time_zone": "Mars/Olympus"}),
	)
	assert keys(d) == ["J|Std:+30"]  # the call task does not depend on the window
	assert skips(d) == [(("I",), "Std:+7", "invalid_time_zone", False)]
	assert d.skipped["reason"].tolist() == ["Unknown time zone Mars/Olympus"]


# ----------------------------------------------------------------------------- rule 6: weekly cap


def test_weekly_cap_counts_prior_touches_and_this_run_in_priority_order():
	acts = [
		activity("P1|Std:+1", "C1", "Std:+1", "P1", at=NOW - dt.timedelta(days=1)),
		activity("P2|Std:+1", "C1", "Std:+1", "P2", status="Queued", at=NOW - dt.timedelta(days=6, hours=23)),
		activity("P3|Std:+1", "C1", "Std:+1", "P3", at=NOW - dt.timedelta(days=7, minutes=1)),  # too old
		activity("P4|Std:+1", "C1", "Std:+1", "P4", status="Failed", at=NOW - dt.timedelta(days=1)),
		activity("P5|Std:+1", "C1", "Std:+1", "P5", status="Skipped", at=NOW - dt.timedelta(days=1)),
		activity("P6|Std:+30", "C1", "Std:+30", "P6", channel="Call Task", at=NOW - dt.timedelta(days=1)),
	]
	inv = invoices(
		("SMALL", "C1", 9, 50.0),
		("BIG", "C1", 9, 500.0),
		("OLDEST", "C1", 20, 10.0),
		("OTHER", "C2", 9, 10.0),
	)
	d = run(inv, acts, max_touches_per_7_days=4)  # 2 prior touches: 2 more may go
	assert keys(d) == ["OLDEST|Std:+15", "BIG|Std:+7", "OTHER|Std:+7"]
	assert skips(d) == [(("SMALL",), "Std:+7", "weekly_cap", True)]
	assert d.skipped["reason"].tolist() == ["Customer already has 4 touch(es) in the last 7 days"]
	d = run(inv, acts)  # default cap 3: one more
	assert keys(d) == ["OLDEST|Std:+15", "OTHER|Std:+7"]
	assert [s[0] for s in skips(d)] == [("BIG",), ("SMALL",)]


def test_call_tasks_are_exempt_from_cap_and_window_and_do_not_count():
	acts = [
		activity(f"P{i}|Std:+1", "C1", "Std:+1", f"P{i}", at=NOW - dt.timedelta(days=1)) for i in range(3)
	]
	inv = invoices(("CALL1", "C1", 31, 100.0), ("CALL2", "C1", 45, 100.0), ("MAIL", "C2", 8, 1.0))
	d = run(inv, acts, now=dt.datetime(2024, 6, 15, 2, 0, tzinfo=UTC))  # 03:00 in London
	assert keys(d) == ["CALL1|Std:+30", "CALL2|Std:+30"]
	assert d.actions["recipient"].tolist() == ["ana@optimar.test"] * 2
	assert skips(d) == [(("MAIL",), "Std:+7", "outside_window", True)]
	# Call tasks decided in this run leave room for a message under the cap.
	d = run(invoices(("CALL", "C1", 31, 100.0), ("MAIL", "C1", 8, 1.0)), max_touches_per_7_days=1)
	assert keys(d) == ["CALL|Std:+30", "MAIL|Std:+7"]


# ------------------------------------------------------------------------------ rule 7: minimum gap


def test_min_gap_days():
	steps = STEPS.copy()
	steps.loc[steps["step_id"] == "Std:+7", "min_gap_days"] = 3
	inv = invoices(("I", "C1", 8, 100.0), ("J", "C1", 2, 10.0))
	recent = [
		activity("X|Std:+1", "C1", "Std:+1", "X", status="Queued", at=NOW - dt.timedelta(days=2, hours=23))
	]
	d = run(inv, recent, steps=steps)
	assert keys(d) == ["J|Std:+1"]  # +1 has no minimum gap
	assert skips(d) == [(("I",), "Std:+7", "min_gap", True)]
	assert d.skipped["reason"].tolist() == [
		"Customer was last contacted less than 3 day(s) ago, at 2024-06-12 11:00 UTC"
	]
	old_enough = [activity("X|Std:+1", "C1", "Std:+1", "X", at=NOW - dt.timedelta(days=3))]
	assert keys(run(inv, old_enough, steps=steps)) == ["I|Std:+7", "J|Std:+1"]
	not_touches = [
		activity("X|Std:+30", "C1", "Std:+30", "X", channel="Call Task", at=NOW - dt.timedelta(hours=1)),
		activity("Y|Std:+1", "C1", "Std:+1", "Y", status="Failed", at=NOW - dt.timedelta(hours=1)),
		activity("Z|Std:+1", "C2", "Std:+1", "Z", at=NOW - dt.timedelta(hours=1)),
	]
	assert keys(run(inv, not_touches, steps=steps)) == ["I|Std:+7", "J|Std:+1"]


# ---------------------------------------------------------------------------- rule 8: consolidation


def test_consolidated_notice_per_customer_and_step():
	inv = invoices(
		("X3", "C1", 5, 30.0, "Cons", {"currency": "EUR"}),
		("X1", "C1", 1, 10.0, "Cons"),
		("X2", "C1", 3, 20.0, "Cons"),
		("X9", "C1", 12, 90.0, "Cons"),
		("Y1", "C2", 2, 5.0, "Cons"),
	)
	d = run(inv)
	a = d.actions
	assert keys(d) == [
		"C1|Cons:+10|GBP|2024-06-15",
		"C1|Cons:+1|GBP|2024-06-15",
		"C1|Cons:+1|EUR|2024-06-15",
		"C2|Cons:+1|GBP|2024-06-15",
	]
	# amounts owed in different currencies are never added up: one notice per currency
	assert a["invoices"].tolist() == [("X9",), ("X1", "X2"), ("X3",), ("Y1",)]
	assert a["days_overdue"].tolist() == [12, 3, 5, 2]
	assert a["amount"].tolist() == [90.0, 30.0, 30.0, 5.0]
	assert a["currency"].tolist() == ["GBP", "GBP", "EUR", "GBP"]
	assert a["consolidated"].tolist() == [True, True, True, True]

	# The next day, every invoice the notice covered counts as done; a newcomer gets its own notice.
	fed = [
		activity(r.idempotency_key, r.customer, r.step_id, invoices=",".join(r.invoices), at=NOW)
		for r in a.itertuples()
	]
	tomorrow = invoices(
		("X3", "C1", 6, 30.0, "Cons"),
		("X1", "C1", 2, 10.0, "Cons"),
		("X2", "C1", 4, 20.0, "Cons"),
		("X4", "C1", 1, 40.0, "Cons"),
	)
	d2 = run(
		tomorrow,
		fed,
		today=TODAY + dt.timedelta(days=1),
		now=NOW + dt.timedelta(days=1),
		max_touches_per_7_days=5,
	)
	assert keys(d2) == ["C1|Cons:+1|GBP|2024-06-16"]
	assert d2.actions["invoices"].tolist() == [("X4",)]


@pytest.mark.parametrize(
	"listed", [["X1", "X2"], ("X1", "X2"), "X1, X2", '["X1", "X2"]', np.array(["X1", "X2"], dtype=object)]
)
def test_consolidated_coverage_accepts_lists_and_strings(listed):
	acts = [activity("C1|Cons:+1|GBP|2024-06-14", "C1", "Cons:+1", invoices=listed)]
	d = run(invoices(("X1", "C1", 3, 10.0, "Cons"), ("X2", "C1", 3, 10.0, "Cons")), acts)
	assert d.actions.empty and d.skipped.empty


def test_consolidated_key_already_used_today_waits_for_tomorrow():
	acts = [
		activity(
			"C1|Cons:+1|GBP|2024-06-15", "C1", "Cons:+1", invoices=["X1"], at=NOW - dt.timedelta(hours=2)
		)
	]
	d = run(invoices(("X1", "C1", 3, 10.0, "Cons"), ("X2", "C1", 3, 10.0, "Cons")), acts)
	assert d.actions.empty
	assert skips(d) == [(("X2",), "Cons:+1", "consolidated_today", True)]
	# A Skipped row under today's key is decided again under the same key (the shell updates it).
	acts[0]["status"] = "Skipped"
	assert keys(run(invoices(("X1", "C1", 3, 10.0, "Cons")), acts)) == ["C1|Cons:+1|GBP|2024-06-15"]


def test_consolidated_notice_counts_once_toward_the_cap():
	inv = invoices(*[(f"X{i}", "C1", 3, 10.0, "Cons") for i in range(5)])
	d = run(inv, max_touches_per_7_days=1)
	assert keys(d) == ["C1|Cons:+1|GBP|2024-06-15"]
	assert d.actions["invoices"].tolist() == [("X0", "X1", "X2", "X3", "X4")]


# --------------------------------------------------------------------------------- rule 9: ordering


def test_actions_are_ordered_by_customer_offset_and_invoice_whatever_the_input_order():
	inv = invoices(
		("B", "C2", 8, 1.0),
		("A", "C2", 8, 1.0),
		("Z", "C1", 2, 1.0),
		("Y", "C1", 16, 1.0),
		("Q", "C3", -3, 1.0),
		("P", "C1", 31, 1.0),
	)
	expected = ["P|Std:+30", "Y|Std:+15", "Z|Std:+1", "A|Std:+7", "B|Std:+7", "Q|Std:-5"]
	assert keys(run(inv)) == expected
	shuffled = inv.sample(frac=1, random_state=7)
	pd.testing.assert_frame_equal(run(inv).actions, run(shuffled).actions)
	assert keys(run(inv, steps=STEPS.iloc[::-1])) == expected


# ---------------------------------------------------------------------------- inputs and the result


def test_output_columns_types_and_summary():
	inv = invoices(("A", "C1", 8, 100.0), ("B", "C2", 31, 20.0), ("C", "C3", 8, 5.0), ("D", "C4", 8, 0.0))
	d = run(inv, cust=customers(C3={"email": ""}))
	assert tuple(d.actions.columns) == ACTION_COLUMNS
	assert tuple(d.skipped.columns) == SKIPPED_COLUMNS
	first = d.actions.iloc[0].to_dict()
	assert first == {
		"idempotency_key": "A|Std:+7",
		"customer": "C1",
		"invoices": ("A",),
		"step_id": "Std:+7",
		"sequence": "Std",
		"channel": "Email",
		"tone": "Firm",
		"escalation": "",
		"offset_days": 7,
		"days_overdue": 8,
		"amount": 100.0,
		"currency": "GBP",
		"consolidated": False,
		"recipient": "c1@example.com",
		"notice": "A|Std:+7",
	}
	assert d.summary() == {
		"evaluated_invoices": 3,
		"actions": 2,
		"actions_by_channel": {"Call Task": 1, "Email": 1},
		"skipped": 1,
		"skipped_by_reason": {"no_recipient": 1},
	}


def test_grouped_emails_are_one_notice_per_customer_and_currency_and_one_touch():
	"""With group_emails, a customer's Email reminders due in a run (any step) share a notice, so they go
	as one email and take one place in the weekly allowance; another currency is another email; a Call
	Task is never grouped."""
	inv = invoices(
		("A1", "C1", 16, 300.0),  # Std:+15
		("A2", "C1", 8, 200.0),  # Std:+7
		("A3", "C1", 2, 100.0),  # Std:+1
		("A5", "C1", 31, 40.0),  # Std:+30, a Call Task
		("A4", "C1", 8, 50.0, "Std", {"currency": "EUR"}),
		("B1", "C2", 8, 80.0),
	)
	grouped = run(inv, group_emails=True, max_touches_per_7_days=2)
	emails = grouped.actions[grouped.actions["channel"] == "Email"]
	assert emails.groupby("customer")["notice"].nunique().to_dict() == {"C1": 2, "C2": 1}
	c1 = emails[(emails["customer"] == "C1") & (emails["currency"] == "GBP")]
	assert sorted(c1["step_id"]) == ["Std:+1", "Std:+15", "Std:+7"]
	assert set(c1["notice"]) == {f"C1|Email|GBP|{TODAY:%Y-%m-%d}"}
	calls = grouped.actions[grouped.actions["channel"] == "Call Task"]
	assert len(calls) == 1 and (calls["notice"] == calls["idempotency_key"]).all()
	assert grouped.skipped.empty, "two notices fit an allowance of two"
	# one earlier notice of three reminders is one touch: a third message is capped, not the second
	earlier = [
		activity(f"X{i}|Std:+1", "C1", "Std:+1", f"X{i}", at=NOW - dt.timedelta(days=1), notice="N1")
		for i in range(3)
	]
	again = run(inv, earlier, group_emails=True, max_touches_per_7_days=2)
	capped = again.skipped[again.skipped["reason_code"] == "weekly_cap"]
	assert set(capped["customer"]) == {"C1"}
	assert (
		again.actions[again.actions["channel"] == "Email"].groupby("customer")["notice"].nunique()["C1"] == 1
	)
	# without grouping every reminder is its own message (and its own touch)
	single = run(inv, max_touches_per_7_days=10)
	assert (single.actions["notice"] == single.actions["idempotency_key"]).all()


def test_optional_columns_take_defaults_and_empty_tables_are_fine():
	inv = invoices(("A", "C1", 8, 100.0)).drop(columns=["currency", "disputed"])
	steps = STEPS[["sequence", "step_id", "offset_days", "channel"]]
	cust = pd.DataFrame({"customer": ["C1"], "email": ["a@b.c"]})
	d = decide(inv, steps, pd.DataFrame(), cust, pd.DataFrame(), None, config())
	assert keys(d) == ["A|Std:+7"]
	assert d.actions[["tone", "escalation", "currency", "recipient"]].iloc[0].tolist() == [
		"",
		"",
		"",
		"a@b.c",
	]
	empty = decide(inv.iloc[0:0], steps, None, cust, None, None, config())
	assert empty.actions.empty and tuple(empty.actions.columns) == ACTION_COLUMNS
	assert empty.summary()["evaluated_invoices"] == 0


@pytest.mark.parametrize(
	"table, drop, message",
	[
		(
			"invoices",
			["due_date", "sequence"],
			"invoices table is missing required column(s): due_date, sequence",
		),
		("steps", ["offset_days"], "steps table is missing required column(s): offset_days"),
		("activities", ["status", "at"], "activities table is missing required column(s): status, at"),
		("customers", ["customer"], "customers table is missing required column(s): customer"),
		("promises", ["promised_date"], "promises table is missing required column(s): promised_date"),
		("disputes", ["status"], "disputes table is missing required column(s): status"),
	],
)
def test_missing_required_columns_are_named(table, drop, message):
	tables = {
		"invoices": invoices(("A", "C1", 8, 100.0)),
		"steps": STEPS,
		"activities": pd.DataFrame([activity("K", "C1", "Std:+1", "A")]),
		"customers": customers(),
		"promises": pd.DataFrame({"invoice": ["A"], "promised_date": [TODAY], "status": ["Open"]}),
		"disputes": pd.DataFrame({"invoice": ["A"], "status": ["Open"]}),
	}
	tables[table] = tables[table].drop(columns=drop)
	with pytest.raises(ValueError) as err:
		decide(**tables, config=config())
	assert str(err.value) == message


@pytest.mark.parametrize(
	"change, message",
	[
		({"step_id": ["Std:-5", "Std:-5", "a", "b", "c", "d", "e"]}, "duplicate step_id(s): Std:-5"),
		({"channel": ["Fax"] + ["Email"] * 6}, "unknown channel(s): Fax"),
		({"escalation": ["Sue"] + [""] * 6}, "unknown escalation(s): Sue"),
		({"consolidate": [True] + [False] * 4 + [True] * 2}, "consolidate differs between the steps of: Std"),
		({"min_gap_days": [-1] + [0] * 6}, "min_gap_days must be >= 0"),
	],
)
def test_inconsistent_steps_are_rejected(change, message):
	steps = STEPS.assign(**change)
	with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
		run(invoices(("A", "C1", 8, 100.0)), steps=steps)


def test_duplicate_invoices_are_rejected():
	with pytest.raises(ValueError, match="duplicate invoice id"):
		run(invoices(("A", "C1", 8, 100.0), ("A", "C1", 9, 100.0)))


@pytest.mark.parametrize(
	"kw, message",
	[
		({"now": dt.datetime(2024, 6, 15, 10, 0)}, "timezone-aware"),
		({"company_time_zone": "Nowhere/Town"}, "unknown time zone"),
		({"enabled_channels": {"Email", "Pigeon"}}, "unknown channel"),
		({"window_start": dt.time(9), "window_end": dt.time(9)}, "must differ"),
		({"max_touches_per_7_days": -1}, ">= 0"),
	],
)
def test_config_is_validated(kw, message):
	with pytest.raises(ValueError, match=message):
		config(**kw)


def test_config_is_frozen_and_normalised():
	cfg = config(
		enabled_channels=["Email"],
		now=dt.datetime(2024, 6, 15, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
	)
	assert cfg.enabled_channels == frozenset({"Email"})
	assert cfg.now == NOW
	with pytest.raises(AttributeError):
		cfg.today = TODAY  # type: ignore[misc]


def test_every_reason_code_is_declared():
	assert set(REASON_CODES) == {
		"unknown_sequence",
		"disputed",
		"promise_to_pay",
		"credit_on_account",
		"do_not_contact",
		"on_hold",
		"snoozed",
		"channel_disabled",
		"no_recipient",
		"invalid_time_zone",
		"consolidated_today",
		"outside_window",
		"min_gap",
		"weekly_cap",
	}


def test_naive_activity_times_are_utc_and_gap_needs_a_prior_touch():
	steps = STEPS.copy()
	steps.loc[steps["step_id"] == "Std:+7", "min_gap_days"] = 1
	inv = invoices(("I", "C1", 8, 100.0))
	assert keys(run(inv, steps=steps)) == ["I|Std:+7"]
	naive = [activity("X|Std:+1", "C1", "Std:+1", "X", at=dt.datetime(2024, 6, 14, 10, 30))]  # 23.5 h ago
	aware = [activity("X|Std:+1", "C1", "Std:+1", "X", at=dt.datetime(2024, 6, 14, 9, 30, tzinfo=UTC))]
	assert skips(run(inv, naive, steps=steps)) == [(("I",), "Std:+7", "min_gap", True)]
	assert keys(run(inv, aware, steps=steps)) == ["I|Std:+7"]


# ------------------------------------------------------------------------------- send-time recheck


def claimed(*rows: tuple) -> pd.DataFrame:
	"""Rows of (name, customer, invoices, channel[, recipient]); the recipient defaults to the address the
	decision would have used."""
	addresses = customers().set_index("customer")
	records = []
	for row in rows:
		name, cust, invs, channel = row[:4]
		default = {"SMS": "mobile", "WhatsApp": "mobile", "Call Task": "collector"}.get(channel, "email")
		recipient = row[4] if len(row) > 4 else addresses.at[cust, default]
		records.append(
			{"name": name, "customer": cust, "invoices": invs, "channel": channel, "recipient": recipient}
		)
	return pd.DataFrame(records)


def now_owing(*rows: tuple) -> pd.DataFrame:
	return pd.DataFrame(rows, columns=["invoice", "customer", "outstanding"])


def recheck_codes(result: pd.DataFrame) -> list[tuple]:
	return list(zip(result["name"], result["send"], result["invoices"], result["reason_code"], strict=True))


def test_recheck_lets_an_unchanged_reminder_go_and_drops_paid_invoices_from_a_notice():
	from optimar_erp.engine.dunning import recheck

	result = recheck(
		claimed(("R1", "C1", "A", "Email"), ("R2", "C2", "B, C", "Email"), ("R3", "C3", ("D",), "Email")),
		now_owing(("A", "C1", 100.0), ("B", "C2", 0.0), ("C", "C2", 40.0), ("D", "C3", 0.001)),
		customers(),
		None,
		None,
		config(),
	)
	assert recheck_codes(result) == [
		("R1", True, ("A",), ""),
		("R2", True, ("C",), ""),
		("R3", False, (), "paid"),
	]
	assert result["reason"].iloc[2] == "Paid before the reminder went out"


@pytest.mark.parametrize(
	"change, code",
	[
		({"engine_enabled": False}, "engine_off"),
		({"cfg": {"enabled_channels": frozenset({"SMS"})}}, "channel_disabled"),
		({"cust": {"C1": {"do_not_contact": True}}}, "do_not_contact"),
		({"cust": {"C1": {"on_hold": True}}}, "on_hold"),
		({"cust": {"C1": {"snoozed": True}}}, "snoozed"),
		({"cust": {"C1": {"email": ""}}}, "no_recipient"),
		({"cust": {"C1": {"email": "new-ap@example.com"}}}, "recipient_changed"),
		({"owing": [("A", "C2", 100.0)]}, "foreign_invoice"),
		({"owing": []}, "foreign_invoice"),
		({"disputes": [("A", "Open")]}, "disputed"),
		({"promises": [("A", TODAY + dt.timedelta(days=3), "Open")]}, "promise_to_pay"),
		({"cfg": {"now": dt.datetime(2024, 6, 15, 23, 0, tzinfo=UTC)}}, "outside_window"),
		({"cust": {"C1": {"time_zone": "Mars/Olympus"}}}, "invalid_time_zone"),
	],
)
def test_recheck_holds_back_what_changed_since_the_claim(change, code):
	from optimar_erp.engine.dunning import RECHECK_REASONS, recheck

	result = recheck(
		claimed(("R1", "C1", "A", "Email")),
		now_owing(*change.get("owing", [("A", "C1", 100.0)])),
		customers(**change.get("cust", {})),
		pd.DataFrame(change.get("promises", []), columns=["invoice", "promised_date", "status"]),
		pd.DataFrame(change.get("disputes", []), columns=["invoice", "status"]),
		config(**change.get("cfg", {})),
		engine_enabled=change.get("engine_enabled", True),
	)
	assert recheck_codes(result)[0][1:] == (False, ("A",) if code != "foreign_invoice" else (), code)
	assert result["reason"].iloc[0] and code in RECHECK_REASONS


def test_recheck_accepts_any_current_contact_and_checks_each_channel_against_its_own_address():
	from optimar_erp.engine.dunning import recheck

	cust = customers()
	cust["emails"] = [("billing@c1.example", "C1@Example.com"), (), (), ()]
	cust["mobiles"] = [("+44 7000 000099",), (), (), ()]
	result = recheck(
		claimed(
			("R1", "C1", "A", "Email", "Billing@C1.example"),
			("R2", "C1", "A", "SMS", "+447000000099"),
			("R3", "C1", "A", "WhatsApp", "+44 70000000 1"),
			("R4", "C1", "A", "Call Task", "someone-else@optimar.test"),
			("R5", "C1", "A", "Email", "attacker@evil.example"),
		),
		now_owing(("A", "C1", 100.0)),
		cust,
		None,
		None,
		config(enabled_channels=frozenset({"Email", "SMS", "WhatsApp", "Call Task"})),
	)
	assert result["reason_code"].tolist() == ["", "", "", "recipient_changed", "recipient_changed"]


def test_recheck_respects_the_customers_own_time_zone_and_lets_call_tasks_through_at_night():
	from optimar_erp.engine.dunning import recheck

	night = dt.datetime(2024, 6, 15, 22, 0, tzinfo=UTC)  # 23:00 in London, 03:30 in Kolkata
	result = recheck(
		claimed(("R1", "C1", "A", "Email"), ("R2", "C2", "B", "Email"), ("R3", "C3", "C", "Call Task")),
		now_owing(("A", "C1", 1.0), ("B", "C2", 1.0), ("C", "C3", 1.0)),
		customers(C1={"time_zone": "America/New_York"}),
		None,
		None,
		config(now=night),
	)
	# 18:00 in New York is inside the window; 23:00 in London is not
	assert result["reason_code"].tolist() == ["", "outside_window", ""]
	assert "it is 23:00 in Europe/London" in result["reason"].iloc[1]
