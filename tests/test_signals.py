"""Every signal is declared once, completely; the engine, digest, docs and CLI all read it."""

import dataclasses
import datetime as dt

import numpy as np
import pytest

from generator.mail.digest import build_sections, subject_for
from register.check import check_grid
from register.docs import register_doc
from register.signals import IN_MAIL_ORDER, SCOPES, SIGNALS, WORDINGS, FlagInputs, Signal
from register.sources import Grid
from tests.conftest import HEADERS, complaint


def _inputs(n: int = 3) -> FlagInputs:
    day = np.datetime64("2026-03-10")
    dates = np.array(["2026-03-09", "2026-03-10", "2026-03-11"], dtype="datetime64[D]")[:n]
    true = np.ones(n, dtype=bool)
    return FlagInputs(today=day, warn=2, open_=true, not_acknowledged=true, no_extension=true, closed=~true,
                      anonymised=~true, escalated=~true, escalation_open=~true, escalation_ask=dates,
                      outside=~true, extension_lead=5, acknowledge_due=dates, decision_due=dates,
                      decision_due_original=dates, retention_expires=dates,
                      working_days_to_ack=np.zeros(n), working_days_to_decision=np.zeros(n),
                      urgency=np.array([1, 3, 4])[:n], follow_up=dates, half_year_end=dates,
                      half_year_reviewed=np.array([True, False, False])[:n])


@pytest.mark.parametrize("signal", SIGNALS, ids=lambda s: s.name)
def test_every_signal_is_declared_completely(signal: Signal):
    for field in dataclasses.fields(Signal):
        value = getattr(signal, field.name)
        assert value not in ("", None, ()), f"{signal.name}: {field.name} is empty"
    assert signal.name.isidentifier() and signal.name == signal.name.lower()
    inputs = {f.name for f in dataclasses.fields(FlagInputs)}
    assert signal.due in inputs
    assert signal.order_by == "due" or signal.order_by in inputs
    assert signal.wording in WORDINGS and signal.scope in SCOPES
    assert all(signal.subject) and signal.label and signal.section[0].isupper()
    mask = signal.condition(_inputs())
    assert mask.dtype == bool and mask.shape == (3,)
    assert f"`{signal.name}`" in register_doc()


def test_names_and_mail_order_are_unique():
    assert len({s.name for s in SIGNALS}) == len(SIGNALS)
    assert len({s.mail_order for s in SIGNALS}) == len(SIGNALS)
    assert len({s.section for s in SIGNALS}) == len(SIGNALS)
    assert [s.mail_order for s in IN_MAIL_ORDER] == sorted(s.mail_order for s in SIGNALS)


def test_every_raised_signal_reaches_the_digest_and_its_subject(config):
    # One complaint per signal, all as of 16 March 2026 (Mon); default terms: 7 werkdagen / 2 weken.
    peil = dt.date(2026, 3, 16)
    rows = [
        complaint(complaint_no="K1", received=dt.date(2026, 3, 2)),  # ack due 11 Mar: late; decision due today: uitstel
        # decision due Wed 18 Mar: 2 working days left (16, 17) -> uitstelbericht nodig
        complaint(complaint_no="K2", received=dt.date(2026, 3, 4), acknowledged=dt.date(2026, 3, 4)),
        # received Sun 1 Feb: decision due Sun 15 Feb, rolls to Mon 16 Feb -> late
        complaint(complaint_no="K3", received=dt.date(2026, 2, 1), acknowledged=dt.date(2026, 2, 2)),
        complaint(complaint_no="K7", received=dt.date(2026, 3, 12)),  # ack due 23 Mar: 5 working days left: nothing
        complaint(complaint_no="K4", received=dt.date(2026, 3, 5), acknowledged=None),  # ack due 16 Mar: today
        complaint(complaint_no="K5", received=dt.date(2025, 2, 2), acknowledged=dt.date(2025, 2, 3),
                  decided=dt.date(2025, 2, 10), status="afgehandeld", outcome="ongegrond"),
        complaint(complaint_no="K6", received=dt.date(2026, 2, 2), acknowledged=dt.date(2026, 2, 3)),  # decision late
        # urgency 2, open: leads the mail; follow-up day reached today
        complaint(complaint_no="K8", received=dt.date(2026, 3, 13), acknowledged=dt.date(2026, 3, 13), urgency=2,
                  follow_up=dt.date(2026, 3, 16)),
        # received in the second half of 2025, which has ended without a recorded review
        complaint(complaint_no="K9", received=dt.date(2025, 9, 1), acknowledged=dt.date(2025, 9, 2),
                  decided=dt.date(2025, 9, 10), status="afgehandeld", outcome="gegrond",
                  anonymised=dt.date(2026, 3, 1)),
        # outside the regeling, received Mon 2 Mar: its 7 working days ended Wed 11 Mar -> late
        complaint(complaint_no="K10", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 2),
                  outcome="buiten de regeling"),
        # escalated, decided 16 Sep 2025 (six months ago today), procedure end not recorded -> ask
        complaint(complaint_no="K11", received=dt.date(2025, 9, 1), acknowledged=dt.date(2025, 9, 2),
                  decided=dt.date(2025, 9, 16), status="afgehandeld", outcome="ongegrond",
                  method="schriftelijk", escalated_to="geschillencommissie"),
    ]
    result = check_grid(Grid([HEADERS] + rows, "test"), config, peil, reviews=[])
    raised = set(result.flags["signaal"]) | set(result.reminders["signaal"])
    assert raised == {s.name for s in SIGNALS}
    sections = build_sections(result)
    # every signal in mail order; the register's problems (warnings here) come last
    assert [s.signal for s in sections] == [s.name for s in IN_MAIL_ORDER] + [None]
    assert sections[-1].titel == "Problemen in het register" and not any(line.fout for line in sections[-1].regels)
    # K4's decision is due Thu 19 Mar: 3 working days, inside the 5-day lead time for notices.
    # Both 2025 half-years had complaints and no review: each is named.
    # The whole subject would run to over 150 characters: the most urgent parts lead, the rest is
    # 'en meer' (the mail lists everything), the problems stay named, and the header fits one line.
    problems = len(sections[-1].regels)
    assert subject_for(sections) == ("Klachten: 1 met voorrang en meer, "
                                     f"{problems} {'probleem' if problems == 1 else 'problemen'} in het register")
    # Each signal alone reaches the subject with its own phrase and count.
    alone = {s.signal: subject_for([s]) for s in sections if s.signal}
    assert alone == {
        "urgentie_hoog": "Klachten: 1 met voorrang", "bevestiging_te_laat": "Klachten: 1 te laat",
        "buiten_regeling_te_laat": "Klachten: 1 te laat",
        "standpunt_te_laat": "Klachten: 2 te laat", "uitstelbericht_nodig": "Klachten: 3 uitstelberichten nodig",
        "opvolgen": "Klachten: 1 op te volgen", "bevestiging_bijna_te_laat": "Klachten: 1 bevestiging binnenkort",
        "bewaartermijn_verlopen": "Klachten: 1 te anonimiseren",
        "procedure_afgerond_navragen": "Klachten: 1 procedure navragen",
        "halfjaaranalyse_nodig": "Klachten: 2 halfjaaranalyses nodig"}
    assert list(result.reminders["periode"]) == ["2025-H1", "2025-H2"]
    text = "\n".join(line.wat for section in sections for line in section.regels
                     if section.signal == "procedure_afgerond_navragen")
    assert text == "navragen sinds 16 maart 2026"


def test_follow_up_does_not_pause_the_terms(config):
    # Waiting for the customer until 1 April does not stop the decision term (due 16 March).
    rows = [complaint(complaint_no="W1", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                      follow_up=dt.date(2026, 4, 1))]
    late = check_grid(Grid([HEADERS] + rows, "test"), config, dt.date(2026, 3, 20), reviews=[])
    assert list(late.flags["signaal"]) == ["standpunt_te_laat"]
    due = check_grid(Grid([HEADERS] + rows, "test"), config, dt.date(2026, 4, 1), reviews=[])
    assert list(due.flags["signaal"]) == ["standpunt_te_laat", "opvolgen"]
    assert str(due.flags["uiterlijk"].iloc[1])[:10] == "2026-04-01"
