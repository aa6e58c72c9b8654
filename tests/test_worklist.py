"""The collector's worklist: ranking by value at risk, what drops off, the next action and its reason."""

import datetime as dt

import pandas as pd
import pytest

from optimar_erp.engine.worklist import build_worklist, urgency

TODAY = dt.date(2026, 11, 23)


def _inv(rows):
	return pd.DataFrame(
		[
			{
				"invoice": f"I{i}",
				"customer": c,
				"due_date": TODAY + dt.timedelta(days=d),
				"outstanding": a,
				"late_probability": p,
				**extra,
			}
			for i, (c, d, a, p, extra) in enumerate(rows)
		]
	)


def test_urgency():
	assert urgency([-90, -30, -1, 0, 7, 8]).tolist() == [4.0, 2.0, pytest.approx(1 + 1 / 30), 0.5, 0.5, 0.0]


def test_ranked_by_value_at_risk():
	inv = _inv(
		[
			("A", -10, 1000, 0.2, {}),  # overdue: p=1, urgency 1.33 → 1,333
			("B", 5, 10_000, 0.8, {}),  # due soon: 10,000 × 0.8 × 0.5 = 4,000
			("C", 30, 50_000, 0.9, {}),  # not due for a month: nothing to do
		]
	)
	wl = build_worklist(pd.DataFrame({"customer": ["A", "B", "C"]}), inv, TODAY)
	assert wl["customer"].tolist() == ["B", "A"]
	assert wl.loc[0, "value_at_risk"] == pytest.approx(4000)
	assert wl.loc[1, "value_at_risk"] == pytest.approx(1000 * (1 + 10 / 30), abs=0.01)


def test_disputed_and_promised_invoices_are_not_chased():
	inv = _inv(
		[
			("A", -20, 5000, None, {"disputed": True}),
			("B", -20, 5000, None, {"promised_until": TODAY + dt.timedelta(days=3)}),
			("C", -20, 5000, None, {"promised_until": TODAY - dt.timedelta(days=1)}),  # promise passed
		]
	)
	wl = build_worklist(pd.DataFrame({"customer": ["A", "B", "C"]}), inv, TODAY).set_index("customer")
	assert "A" not in wl.index  # only a disputed invoice: the dispute is worked, not the customer
	assert wl.loc["B", "next_action"] == "wait_for_promise"
	assert wl.loc["B", "value_at_risk"] == pytest.approx(0.1 * 5000 * (1 + 20 / 30), abs=0.01)
	assert wl.loc["C", "next_action"] != "wait_for_promise"


def test_touched_today_and_snoozed_drop_off():
	inv = _inv([("A", -5, 100, None, {}), ("B", -5, 100, None, {}), ("C", -5, 100, None, {})])
	cust = pd.DataFrame(
		{
			"customer": ["A", "B", "C"],
			"touched_today": [True, False, False],
			"snoozed_until": [None, TODAY + dt.timedelta(days=2), TODAY],
		}
	)
	assert build_worklist(cust, inv, TODAY)["customer"].tolist() == ["C"]


def test_next_best_action_rules():
	inv = _inv(
		[
			("broken", -5, 100, None, {}),
			("old", -45, 100, None, {}),
			("wa", -5, 100, None, {}),
			("mail", -5, 100, None, {}),
			("emailed", -5, 100, None, {}),
			("hold", -5, 100, None, {}),
		]
	)
	cust = pd.DataFrame(
		{
			"customer": ["broken", "old", "wa", "mail", "emailed", "hold"],
			"broken_promises": [2, 0, 0, 0, 0, 0],
			"preferred_channel": ["", "", "WhatsApp", "WhatsApp", "", ""],
			"whatsapp_opt_in": [0, 0, 1, 0, 0, 0],
			"last_email_date": [None, None, None, None, TODAY - dt.timedelta(days=2), None],
			"on_hold": [0, 0, 0, 0, 0, 1],
		}
	)
	wl = build_worklist(cust, inv, TODAY).set_index("customer")["next_action"].to_dict()
	assert wl == {
		"broken": "escalate",
		"old": "call",
		"wa": "whatsapp",
		"mail": "email",
		"emailed": "call",
		"hold": "escalate",
	}


def test_reason_in_words():
	inv = _inv([("A", -12, 2500, None, {}), ("A", -3, 500, None, {"disputed": True})])
	cust = pd.DataFrame({"customer": ["A"], "risk_band": ["High"], "broken_promises": [1]})
	reason = build_worklist(cust, inv, TODAY).loc[0, "reason"]
	assert reason == "3,000.00 overdue, oldest 12 days; High risk; 1 broken promise(s); 500.00 disputed"


def test_bad_input():
	with pytest.raises(ValueError, match="invoices table is missing required column"):
		build_worklist(pd.DataFrame({"customer": ["A"]}), pd.DataFrame({"invoice": ["I"]}), TODAY)
	with pytest.raises(ValueError, match="outstanding must be numbers"):
		build_worklist(pd.DataFrame({"customer": ["A"]}), _inv([("A", -1, "x", None, {})]), TODAY)


def test_learned_channel_replaces_the_preference_and_says_why():
	inv = _inv([(c, -5, 1000, 0.5, {}) for c in ("A", "B", "C", "D")])
	cust = pd.DataFrame(
		{
			"customer": ["A", "B", "C", "D"],
			"whatsapp_opt_in": [True, True, False, True],
			"preferred_channel": ["Email", "WhatsApp", "", "WhatsApp"],
			"learned_channel": ["WhatsApp", "Email", "WhatsApp", ""],
			"learned_reason": ["best: WhatsApp at 10:00 (answered 7 of 9 WhatsApp reminders)", "", "", ""],
		}
	)
	rows = build_worklist(cust, inv, TODAY).set_index("customer")
	assert rows.loc["A", "next_action"] == "whatsapp"  # learned beats the stated preference
	assert rows.loc["B", "next_action"] == "email"  # learned says email although it prefers WhatsApp
	assert rows.loc["C", "next_action"] == "email"  # no opt-in: never WhatsApp, whatever was learned
	assert rows.loc["D", "next_action"] == "whatsapp"  # nothing learned: its preference
	assert rows.loc["A", "reason"].endswith("; best: WhatsApp at 10:00 (answered 7 of 9 WhatsApp reminders)")
	assert "best" not in rows.loc["B", "reason"]
