"""Boundary tests that kill the mutants tests/test_deadlines.py let live (issue 22; the list and
the equivalent mutants are in bench/mutation.md). Each test pins one helper of
register/deadlines.py on the exact boundary a mutant would move."""

from __future__ import annotations

import datetime as dt

import numpy as np

from register.deadlines import (
    _review_inputs,
    _urgency_numbers,
    compute_reminders,
)
from register.model import build_register
from register.periods import parse_period
from register.reviews import Review
from register.sources import Grid
from tests.conftest import HEADERS, complaint
from tests.test_deadlines import flags_of

D = dt.date


def register_of(config, rows):
    return build_register(Grid([HEADERS] + rows, "test"), config)


def as_dates(values):
    return np.array(values, dtype="datetime64[D]")


# -- retention ---------------------------------------------------------------------------------
def test_a_closed_complaint_without_decision_date_has_no_expiry(config):
    # Datum standpunt empty: kept until it is filled in (controleer reports the cell), never flagged.
    rows = [complaint(complaint_no="K1", received=D(2025, 3, 2), acknowledged=D(2025, 3, 3),
                      follow_up=D(2025, 3, 10), status="afgehandeld", outcome="gegrond"),
            complaint(complaint_no="K2", received=D(2025, 3, 2), acknowledged=D(2025, 3, 3),
                      decided=D(2025, 3, 10), status="afgehandeld", outcome="gegrond")]
    flags, result = flags_of(config, rows, D(2026, 3, 10))
    assert result.deadlines["retention_expires"].to_numpy(dtype="datetime64[D]").tolist() == [None, D(2026, 3, 10)]
    assert ("K1", "bewaartermijn_verlopen") not in flags and ("K2", "bewaartermijn_verlopen") in flags
    assert ("K2", "bewaartermijn_verlopen") not in flags_of(config, rows, D(2026, 3, 9))[0]


# -- _urgency_numbers ----------------------------------------------------------------------------
def test_urgency_numbers_empty_is_zero(config):
    rows = [complaint(complaint_no=f"K{n}", urgency=u) for n, u in enumerate([None, 3, "8", 1, None, 4])]
    numbers = _urgency_numbers(register_of(config, rows))
    assert numbers.dtype == np.int64
    assert numbers.tolist() == [0, 3, 8, 1, 0, 4]


def test_urgency_flag_from_one_to_three_only(config):
    rows = [complaint(complaint_no=f"K{u}", urgency=u, acknowledged=D(2026, 3, 3)) for u in (1, 3, 4, 8)]
    rows.append(complaint(complaint_no="K0", acknowledged=D(2026, 3, 3)))  # no urgency
    flags, result = flags_of(config, rows, D(2026, 3, 4))
    assert sorted(k for k, s in flags if s == "urgentie_hoog") == ["K1", "K3"]
    urgent = result.flags[result.flags["signaal"] == "urgentie_hoog"]
    assert urgent["klachtnummer"].tolist() == ["K1", "K3"]  # the most urgent first


# -- _review_inputs ------------------------------------------------------------------------------
H1 = parse_period("2026-H1")  # the last ended half-year on 1 July 2026 and later in 2026


def test_review_inputs_counts_complaints_on_the_first_and_last_day(config):
    for received in (D(2026, 1, 1), D(2026, 6, 30)):
        end, reviewed = _review_inputs(register_of(config, [complaint(received=received)]), D(2026, 7, 1), [])
        assert end.dtype == np.dtype("datetime64[D]") and reviewed.dtype == np.bool_
        assert end.tolist() == [D(2026, 6, 30)] and reviewed.tolist() == [False]


def test_review_inputs_without_complaints_in_an_ended_half_year(config):
    # received the day after the last ended half-year: nothing to review yet
    end, reviewed = _review_inputs(register_of(config, [complaint(received=D(2026, 7, 1))]), D(2026, 7, 2), [])
    assert end.dtype == np.dtype("datetime64[D]") and reviewed.dtype == np.bool_
    assert end.tolist() == [] and reviewed.tolist() == []
    # the day before it began: the half-year before (2025-H2) is asked for
    end, reviewed = _review_inputs(register_of(config, [complaint(received=D(2025, 12, 31))]), D(2026, 7, 2), [])
    assert end.tolist() == [D(2025, 12, 31)] and reviewed.tolist() == [False]


def test_review_inputs_one_covering_review_is_enough(config):
    reg = register_of(config, [complaint(received=D(2026, 3, 2))])
    covering = Review(H1, D(2026, 7, 10))
    too_early = Review(H1, D(2026, 6, 30))  # recorded before the half-year ended: does not count
    other = Review(parse_period("2025-H2"), D(2026, 1, 10))
    assert _review_inputs(reg, D(2026, 8, 1), [other, covering])[1].tolist() == [True]
    assert _review_inputs(reg, D(2026, 8, 1), [covering, other])[1].tolist() == [True]
    assert _review_inputs(reg, D(2026, 8, 1), [too_early, other])[1].tolist() == [False]
    assert _review_inputs(reg, D(2026, 8, 1), [])[1].tolist() == [False]


# -- compute_reminders ---------------------------------------------------------------------------
def test_reminder_for_the_half_year_the_day_after_it_ended(config):
    rows = [complaint(received=D(2026, 3, 2), acknowledged=D(2026, 3, 3))]
    _, result = flags_of(config, rows, D(2026, 7, 1))
    reminders = result.reminders
    assert list(reminders.columns) == ["signaal", "periode", "uiterlijk"]
    assert reminders["signaal"].tolist() == ["halfjaaranalyse_nodig"]
    assert reminders["periode"].tolist() == ["2026-H1"]
    assert reminders["uiterlijk"].to_numpy(dtype="datetime64[D]").tolist() == [D(2026, 6, 30)]
    assert result.to_json()["herinneringen"] == [
        {"signaal": "halfjaaranalyse_nodig", "periode": "2026-H1", "uiterlijk": "2026-06-30"}]


def test_no_reminder_on_the_last_day_or_when_reviewed(config):
    from register.check import check_grid

    rows = [complaint(received=D(2026, 3, 2), acknowledged=D(2026, 3, 3))]
    grid = Grid([HEADERS] + rows, "test")
    # On 30 June the half-year has not ended: the reminder is for 2025-H2, which had no complaints.
    assert check_grid(grid, config, D(2026, 6, 30), reviews=[]).reminders.empty
    reviewed = check_grid(grid, config, D(2026, 7, 20), reviews=[Review(H1, D(2026, 7, 10))])
    assert reviewed.reminders.empty and list(reviewed.reminders.columns) == ["signaal", "periode", "uiterlijk"]


def test_compute_reminders_reads_only_the_register_arrays(config):
    from register.calendar import WorkCalendar
    from register.deadlines import compute_deadlines, flag_inputs

    reg = register_of(config, [complaint(received=D(2025, 8, 4)), complaint(complaint_no="K2", received=D(2025, 9, 1))])
    cal = WorkCalendar.for_dates(config, reg.dates("received"), peildatum=D(2026, 2, 1))
    inputs = flag_inputs(reg, compute_deadlines(reg, config, cal), D(2026, 2, 1), config, cal, [])
    reminders = compute_reminders(inputs)
    assert reminders.to_dict("list") == {"signaal": ["halfjaaranalyse_nodig"], "periode": ["2025-H2"],
                                         "uiterlijk": [np.datetime64("2025-12-31")]}


# -- compute_flags -------------------------------------------------------------------------------
def _engine(config, rows, peil):
    from register.calendar import WorkCalendar
    from register.deadlines import compute_deadlines

    reg = register_of(config, rows)
    cal = WorkCalendar.for_dates(config, reg.dates("received"), peildatum=peil)
    return reg, compute_deadlines(reg, config, cal), cal


def test_compute_flags_without_inputs_and_without_flags(config):
    from register.deadlines import compute_flags

    reg, deadlines, cal = _engine(config, [complaint(acknowledged=D(2026, 3, 3))], D(2026, 3, 4))
    flags = compute_flags(reg, deadlines, D(2026, 3, 4), config, cal)  # inputs computed here
    assert flags.empty
    assert list(flags.columns) == ["row", "klachtnummer", "signaal", "uiterlijk", "dagen_te_laat", "behandelaar"]
    assert flags["row"].dtype == np.int64 and flags["dagen_te_laat"].dtype == np.int64
    assert flags["uiterlijk"].dtype == np.dtype("datetime64[s]")
    # the signal column has the dtype of a table with flags (here: K1 late with its acknowledgement)
    reg, deadlines, cal = _engine(config, [complaint(complaint_no="K1")], D(2026, 3, 20))
    assert compute_flags(reg, deadlines, D(2026, 3, 20), config, cal)["signaal"].dtype == flags["signaal"].dtype


def test_compute_flags_table_order_and_days_late(config):
    from register.deadlines import compute_flags

    # Acknowledgement (7 working days) due 11 March for receipt 2 March, 12 March for 3 March; peildatum 20 March.
    rows = [complaint(complaint_no="K9", received=D(2026, 3, 2), handler="B"),
            complaint(complaint_no="K10", received=D(2026, 3, 3), handler="A"),
            complaint(complaint_no="K2", received=D(2026, 3, 3), handler="C", urgency=2),
            complaint(complaint_no="K1", received=D(2026, 3, 3), handler="D", urgency=1,
                      acknowledged=D(2026, 3, 4))]
    reg, deadlines, cal = _engine(config, rows, D(2026, 3, 20))
    flags = compute_flags(reg, deadlines, D(2026, 3, 20), config, cal)
    late = flags[flags["signaal"] == "bevestiging_te_laat"]
    # by due date, then by number as text ('K10' before 'K2')
    assert late["klachtnummer"].tolist() == ["K9", "K10", "K2"]
    assert late["row"].tolist() == [0, 1, 2]
    assert late["behandelaar"].tolist() == ["B", "A", "C"]
    assert late["uiterlijk"].to_numpy(dtype="datetime64[D]").tolist() == [D(2026, 3, 11), D(2026, 3, 12), D(2026, 3, 12)]
    assert late["dagen_te_laat"].tolist() == [9, 8, 8]
    urgent = flags[flags["signaal"] == "urgentie_hoog"]
    assert urgent["klachtnummer"].tolist() == ["K1", "K2"]  # urgency 1 before 2, although 'K1' < 'K2' anyway
    assert urgent["row"].tolist() == [3, 2]
    # Signals in SIGNALS order: the acknowledgement flags come before the urgency flags.
    assert flags["signaal"].tolist()[:3] == ["bevestiging_te_laat"] * 3


def test_compute_flags_urgency_orders_before_due_date(config):
    from register.deadlines import compute_flags

    # K-A: urgency 3, due earlier; K-B: urgency 1, due later: urgency wins.
    rows = [complaint(complaint_no="KA", received=D(2026, 3, 2), urgency=3, acknowledged=D(2026, 3, 3)),
            complaint(complaint_no="KB", received=D(2026, 3, 9), urgency=1, acknowledged=D(2026, 3, 10)),
            complaint(complaint_no="KC", received=D(2026, 3, 2), urgency=1, acknowledged=D(2026, 3, 3))]
    reg, deadlines, cal = _engine(config, rows, D(2026, 3, 11))
    flags = compute_flags(reg, deadlines, D(2026, 3, 11), config, cal)
    assert flags[flags["signaal"] == "urgentie_hoog"]["klachtnummer"].tolist() == ["KC", "KB", "KA"]
    urgent = flags[flags["signaal"] == "urgentie_hoog"]
    assert urgent["dagen_te_laat"].tolist() == [-5, -12, -5]  # days left (decision due 16 and 23 March): negative


# -- flag_inputs ---------------------------------------------------------------------------------
def test_an_announced_extension_without_new_date_still_silences_the_extension_signal(config):
    # Decision due Mon 16 March; on Thu 12 March 2 working days are left. An extension notice was
    # sent (Datum uitstelbericht) but Verlengd tot is empty: no 'uitstelbericht nodig' any more.
    sent = complaint(complaint_no="K1", acknowledged=D(2026, 3, 3), extension_sent=D(2026, 3, 10))
    plain = complaint(complaint_no="K2", acknowledged=D(2026, 3, 3))
    flags, _ = flags_of(config, [sent, plain], D(2026, 3, 12))
    assert flags == {("K2", "uitstelbericht_nodig"): "2026-03-16"}


def test_flag_inputs_per_complaint(config):
    from register.deadlines import flag_inputs

    rows = [complaint(complaint_no="K1", acknowledged=D(2026, 3, 3), escalated_to="geschillencommissie"),
            complaint(complaint_no="K2", status="afgehandeld", outcome="gegrond", decided=D(2026, 3, 5),
                      anonymised=D(2026, 3, 6), urgency=2, follow_up=D(2026, 3, 9))]
    reg, deadlines, cal = _engine(config, rows, D(2026, 3, 12))
    f = flag_inputs(reg, deadlines, D(2026, 3, 12), config, cal)
    assert f.today == np.datetime64("2026-03-12") and f.warn == config.termijnen.waarschuwing_werkdagen
    assert f.open_.tolist() == [True, False] and f.closed.tolist() == [False, True]
    assert f.not_acknowledged.tolist() == [False, False]
    assert f.escalated.tolist() == [True, False] and f.anonymised.tolist() == [False, True]
    assert f.no_extension.tolist() == [True, True]
    assert f.urgency.tolist() == [0, 2]
    assert f.follow_up.tolist() == [None, D(2026, 3, 9)]
    # working days in [12 March, due): due 11 March (acknowledgement) is one day before: -1
    assert f.working_days_to_ack.tolist() == [-1.0, -1.0]
    assert f.working_days_to_decision.tolist() == [2.0, 2.0]  # Thu and Fri before Mon 16 March
    assert f.decision_due.tolist() == [D(2026, 3, 16)] * 2


# -- compute_deadlines: a complaint outside the regeling beside an ordinary one ---------------------
def test_outside_term_replaces_only_its_own_rows(config):
    # K1 falls outside the regeling (7 working days); K2 beside it keeps the ordinary term of
    # 2 weeks. Received Monday 2 March 2026: 7 working days -> 11 March, 2 weeks -> 16 March.
    rows = [complaint(complaint_no="K1", received=D(2026, 3, 2), acknowledged=D(2026, 3, 3),
                      outcome="buiten de regeling"),
            complaint(complaint_no="K2", received=D(2026, 3, 2), acknowledged=D(2026, 3, 3))]
    _, result = flags_of(config, rows, D(2026, 3, 4))
    assert result.deadlines["decision_due"].to_numpy(dtype="datetime64[D]").tolist() == [D(2026, 3, 11), D(2026, 3, 16)]
