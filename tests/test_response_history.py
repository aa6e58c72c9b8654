"""From logged touches and events to the response model's touch table, and from a model to profiles."""

import numpy as np
import pandas as pd
import pytest

from optimar_erp.engine.response.history import customer_profiles, evidence_texts, touch_outcomes
from optimar_erp.engine.response.model import ResponseModel


def _ts(day, hour=10):
	return pd.Timestamp("2026-03-02") + pd.Timedelta(days=day, hours=hour)


def test_touch_outcomes_first_event_within_the_horizon_wins():
	touches = pd.DataFrame(
		{
			"customer": ["A", "A", "B", "C"],
			"sent_at": [_ts(0), _ts(20), _ts(0), _ts(0)],
			"channel": ["Email", "Email", "WhatsApp", "SMS"],
		}
	)
	events = pd.DataFrame(
		{
			"customer": ["A", "A", "B", "B", "C"],
			"kind": ["promise", "payment", "dispute", "payment", "payment"],
			"at": [_ts(2), _ts(3), _ts(1), _ts(1), _ts(9)],
		}
	)
	out = touch_outcomes(touches, events, horizon_days=7)
	assert list(out["outcome"]) == ["promise", "silence", "payment", "silence"]
	assert out["days_to_outcome"].iloc[0] == 2
	assert np.isnan(out["days_to_outcome"].iloc[1])
	assert list(out["channel"]) == list(touches["channel"])  # other columns kept, order kept


def test_touch_outcomes_rejects_unknown_kinds():
	with pytest.raises(ValueError, match="unknown value"):
		touch_outcomes(
			pd.DataFrame({"customer": ["A"], "sent_at": [_ts(0)]}),
			pd.DataFrame({"customer": ["A"], "kind": ["refund"], "at": [_ts(1)]}),
		)


def test_profiles_pick_the_channel_a_customer_answers_and_say_why():
	rows = []
	# every touch on a Monday at 10:00: only the channel tells them apart
	for k in range(9):  # W answers WhatsApp, never email
		rows.append(("W", "WhatsApp", _ts(14 * k), "payment" if k < 7 else "silence", 2.0))
		rows.append(("W", "Email", _ts(14 * k + 7), "silence", np.nan))
	for c in ("X", "Y", "Z"):  # the rest answer email half the time, WhatsApp rarely
		for k in range(8):
			rows.append((c, "Email", _ts(14 * k), "payment" if k % 2 else "silence", 3.0))
			rows.append((c, "WhatsApp", _ts(14 * k + 7), "payment" if k == 0 else "silence", 1.0))
	touches = pd.DataFrame(rows, columns=["customer", "channel", "sent_at", "outcome", "days_to_outcome"])
	touches["tone"] = ""
	model = ResponseModel.fit(touches, horizon_days=7)
	customers = pd.DataFrame({"customer": ["W", "X", "New"], "channels": ["Email,WhatsApp"] * 2 + ["Email"]})
	prof = customer_profiles(model, customers, hours=list(range(9, 18))).set_index("customer")
	assert prof.loc["W", "best_channel"] == "WhatsApp"
	assert prof.loc["X", "best_channel"] == "Email"
	assert prof.loc["New", "best_channel"] == "Email"  # only email reachable
	assert 9 <= prof.loc["W", "best_hour"] < 18
	assert prof.loc["W", "evidence"].startswith("answered 7 of 9 WhatsApp reminders")
	assert "0 of 9 Email" in prof.loc["W", "evidence"]
	assert prof.loc["W", "touches"] == 18 and prof.loc["New", "touches"] == 0


def test_evidence_texts_say_what_the_model_says_for_every_customer():
	rows = []
	for c, (wa_ok, em_ok) in {"A": (3, 0), "B": (1, 2), "C": (0, 0)}.items():
		for k in range(4):
			rows.append((c, "WhatsApp", _ts(14 * k), "payment" if k < wa_ok else "silence", 1.5 + k))
			rows.append((c, "Email", _ts(14 * k + 7), "promise" if k < em_ok else "silence", 2.0))
	touches = pd.DataFrame(rows, columns=["customer", "channel", "sent_at", "outcome", "days_to_outcome"])
	touches["tone"] = ""
	model = ResponseModel.fit(touches)
	texts = evidence_texts(model.evidence_table)
	for c in "ABC":
		assert texts[c] == "; ".join(model.evidence(c))
	assert texts["A"].startswith("answered 3 of 4 WhatsApp reminders (paid or promised after 2.5 days")
