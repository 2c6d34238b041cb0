"""The half-year review's figures: honest on-time counts, repeat complainants, urgency-6 links,
similar earlier solutions, measures and the period tables."""

import datetime as dt

import numpy as np
import pytest

from generator.analysis.compute import analyse, contact_keys, frame_of, period_columns
from register.check import check_grid
from register.errors import ConfigError
from register.parse import parse_amounts
from register.periods import half_year_labels, last_ended_half_year, parse_period
from register.sources import Grid
from tests.conftest import HEADERS, complaint

D = dt.date
CLOSED = {"status": "afgehandeld", "outcome": "gegrond"}
PEIL = D(2026, 7, 15)


def check(config, rows, peil=PEIL):
    return check_grid(Grid([HEADERS] + rows, "test"), config, peil, reviews=[])


def test_on_time_is_counted_honestly(config):
    # Default terms: acknowledgement 7 working days, decision 2 weeks. Peildatum Wed 15 July 2026.
    rows = [
        complaint(complaint_no="A", received=D(2026, 6, 1), acknowledged=D(2026, 6, 2), decided=D(2026, 6, 10),
                  **CLOSED),  # both on time
        complaint(complaint_no="B", received=D(2026, 6, 1), acknowledged=D(2026, 6, 20), decided=D(2026, 6, 25),
                  **CLOSED),  # both late (decision due 15 June)
        complaint(complaint_no="C", received=D(2026, 6, 1)),  # open, never acknowledged: both late
        complaint(complaint_no="D", received=D(2026, 6, 1), acknowledged=D(2026, 6, 2), status="afgehandeld",
                  outcome="gegrond"),  # closed without Datum standpunt: not on time
        complaint(complaint_no="E", received=D(2026, 6, 30), acknowledged=D(2026, 6, 30)),  # decision due 14 July: late
    ]
    analysis = analyse(check(config, rows), parse_period("2026-H1"))
    assert [c.label for c in analysis.columns] == ["2025-H2", "2026-H1"]
    f = analysis.figures[1]
    assert f.received == 5 and f.closed == 3
    assert (f.ack_on_time, f.ack_late, f.ack_pending) == (3, 2, 0)  # A, D, E on time; B late; C past due
    assert (f.decision_on_time, f.decision_late, f.decision_pending, f.decision_undated) == (1, 4, 0, 1)
    assert f.decision_rate == pytest.approx(20.0)
    assert (f.days_median, f.days_mean) == (12.5, 12.5)  # working days, as on the site: A 7, B 18
    assert analysis.figures[0].received == 0 and analysis.figures[0].decision_rate is None


def test_running_terms_are_left_out_not_counted_as_late(config):
    rows = [complaint(complaint_no="F", received=D(2026, 7, 13))]  # Mon; everything still running
    analysis = analyse(check(config, rows), parse_period("2026"))
    f = analysis.figures[1]  # 2026-H2
    assert (f.ack_on_time, f.ack_late, f.ack_pending) == (0, 0, 1)
    assert (f.decision_on_time, f.decision_late, f.decision_pending) == (0, 0, 1)
    assert analysis.figures[2].received == 1  # heel 2026
    assert analysis.notes == ["De periode is nog niet voorbij: de cijfers gaan tot en met 15 juli 2026."]


def test_satisfaction_and_compensation(config):
    rows = [
        complaint(complaint_no="S1", received=D(2026, 2, 2), decided=D(2026, 2, 9), satisfied="ja",
                  compensation_amount="49,95", **CLOSED),
        complaint(complaint_no="S2", received=D(2026, 2, 3), decided=D(2026, 2, 9), satisfied="Nee",
                  compensation_amount=100, **CLOSED),
        complaint(complaint_no="S3", received=D(2026, 2, 4), decided=D(2026, 2, 9), satisfied="ja",
                  compensation_amount="€ 1.250,00", **CLOSED),
        complaint(complaint_no="S4", received=D(2026, 2, 5), decided=D(2026, 2, 9), **CLOSED),
        complaint(complaint_no="S5", received=D(2026, 2, 6), decided=D(2026, 2, 9), compensation_amount="veel",
                  **CLOSED),
    ]
    result = check(config, rows)
    assert [f.code for f in result.findings if f.code == "geen_bedrag"] == ["geen_bedrag"]
    f = analyse(result, parse_period("2026-H1")).figures[1]
    assert (f.satisfied_yes, f.satisfied_no, f.satisfied_unknown) == (2, 1, 2)
    assert f.satisfaction_rate == pytest.approx(200 / 3)
    assert f.compensation_total == pytest.approx(1399.95) and f.compensation_count == 3


def test_parse_amounts():
    values, bad = parse_amounts(np.array([50, "49,95", "€ 1.250,00", "1.250", "12.50", None, "abc", "€ 75,-", ""],
                                         dtype=object))
    np.testing.assert_allclose(values, [50, 49.95, 1250, 1250, 12.5, np.nan, np.nan, 75, np.nan])
    assert bad.tolist() == [False] * 6 + [True, False, False]


def test_repeat_complainants_are_found_through_normalised_keys(config):
    rows = [
        complaint(complaint_no="R1", received=D(2025, 3, 1), email="Jan@Voorbeeld.nl", name="Jan A",
                  decided=D(2025, 3, 9), **CLOSED),
        complaint(complaint_no="R2", received=D(2026, 3, 1), email=" jan@voorbeeld.nl ", phone="+31 6 1234 5678",
                  name="Jan B"),
        complaint(complaint_no="R3", received=D(2026, 4, 1), phone="06-12345678", name="Jan C"),  # via R2's phone
        complaint(complaint_no="P1", received=D(2024, 5, 1), postcode="1234 ab", address="Dorpsstraat 5",
                  decided=D(2024, 5, 9), **CLOSED),
        complaint(complaint_no="P2", received=D(2026, 5, 1), postcode="1234AB", address="Dorpsstraat 5",
                  name="Piet P"),
        complaint(complaint_no="X1", received=D(2026, 5, 2), postcode="1234AB", address="Dorpsstraat 7"),
        complaint(complaint_no="M1", received=D(2024, 1, 5), email="[geanonimiseerd]",
                  phone="[geanonimiseerd]", decided=D(2024, 1, 9), anonymised=D(2025, 2, 1), **CLOSED),
        complaint(complaint_no="M2", received=D(2026, 1, 5), email="[geanonimiseerd]", phone="[geanonimiseerd]"),
        complaint(complaint_no="O1", received=D(2023, 1, 5), email="oud@voorbeeld.nl", decided=D(2023, 1, 9),
                  **CLOSED),
        complaint(complaint_no="O2", received=D(2023, 6, 5), email="oud@voorbeeld.nl", decided=D(2023, 6, 9),
                  **CLOSED),  # repeat, but not in the period
    ]
    analysis = analyse(check(config, rows), parse_period("2026-H1"))
    groups = {tuple(c.number for c in g.complaints): g.matched_on for g in analysis.repeat_groups}
    assert groups == {("R1", "R2", "R3"): ["e-mail", "telefoon"], ("P1", "P2"): ["postcode en huisnummer"]}
    assert (analysis.repeat_total, analysis.repeat_complaints) == (2, 5)
    assert [g.complaints[-1].name for g in analysis.repeat_groups] == ["Piet P", "Jan C"]  # most recent first


def test_contact_keys_normalise():
    import pandas as pd

    frame = pd.DataFrame({"email": ["A@B.NL ", "geen-adres", ""], "phone": ["0031 6-12345678", "12", ""],
                          "postcode": ["1234 ab", "12345", ""], "address": ["Laan 12 a", "Laan 3", ""]})
    keys = contact_keys(frame)
    assert keys["e-mail"].tolist() == ["a@b.nl", "", ""]
    assert keys["telefoon"].tolist() == ["0612345678", "", ""]
    assert keys["postcode en huisnummer"].tolist() == ["1234AB 12A", "", ""]


def test_urgency_six_is_linked_to_the_earlier_complaint(config):
    rows = [
        complaint(complaint_no="U0", received=D(2025, 1, 1), email="k@v.nl", decided=D(2025, 1, 9),
                  solution="Ketel vervangen", category="product", **CLOSED),
        complaint(complaint_no="U1", received=D(2025, 10, 1), email="k@v.nl", decided=D(2025, 10, 9),
                  solution="Thermostaat afgesteld", category="product", **CLOSED),
        complaint(complaint_no="U2", received=D(2026, 2, 1), email="k@v.nl", urgency=6),
        complaint(complaint_no="U3", received=D(2026, 3, 1), email="ander@v.nl", urgency=6),
        complaint(complaint_no="U4", received=D(2026, 8, 1), email="k@v.nl", urgency=6),  # outside the period
    ]
    links = analyse(check(config, rows, D(2026, 8, 20)), parse_period("2026-H1")).urgency_six
    assert [(link.complaint.number, link.earlier and link.earlier.number) for link in links] == \
        [("U2", "U1"), ("U3", None)]
    assert links[0].earlier.solution == "Thermostaat afgesteld"


def test_open_complaints_get_recent_similar_solutions(config):
    same = {"category": "factuur", "cause": "kwaliteit"}
    rows = [complaint(complaint_no=f"C{i}", received=D(2026, 1, i), decided=D(2026, 1, i + 10),
                      solution=f"Oplossing {i}", **same, **CLOSED) for i in range(1, 6)]
    rows[4][HEADERS.index("Oplossing")] = "[geanonimiseerd]"
    rows[4][HEADERS.index("Geanonimiseerd op")] = D(2026, 7, 1)
    rows += [
        complaint(complaint_no="D1", received=D(2026, 2, 1), decided=D(2026, 3, 1), category="factuur",
                  cause="anders", **CLOSED),
        complaint(complaint_no="OPEN", received=D(2026, 7, 1), **same),
        complaint(complaint_no="ALONE", received=D(2026, 7, 2), category="levering", cause="kwaliteit"),
    ]
    analysis = analyse(check(config, rows), parse_period("2026-H2"))
    listed = {o.complaint.number: [k.number for k in o.similar] for o in analysis.open_similar}
    assert listed == {"OPEN": ["C5", "C4", "C3"], "ALONE": []}
    # The H1 report lists only its own complaints: these two were received in H2.
    assert analyse(check(config, rows), parse_period("2026-H1")).open_similar == []
    newest, second = analysis.open_similar[0].similar[:2]
    assert (newest.solution, newest.anonymised) == ("", True)  # the marker is never shown as a solution
    assert (second.solution, second.anonymised) == ("Oplossing 4", False)
    assert analysis.open_total == 2


def test_measure_effect_before_and_after(config):
    rows = [complaint(complaint_no=f"B{i}", received=D(2025, 9, 1) + dt.timedelta(days=10 * i),
                      decided=D(2025, 9, 5) + dt.timedelta(days=10 * i), category="levering", **CLOSED)
            for i in range(4)]  # 4 before
    rows.append(complaint(complaint_no="M", received=D(2026, 1, 5), decided=D(2026, 1, 10), category="levering",
                          measure="Extra controle bij levering", **CLOSED))
    rows.append(complaint(complaint_no="A1", received=D(2026, 3, 1), decided=D(2026, 3, 5), category="levering",
                          **CLOSED))  # after: M itself (received 5 Jan < 10 Jan) is before
    rows.append(complaint(complaint_no="N", received=D(2026, 6, 1), decided=D(2026, 6, 10), category="factuur",
                          measure="Nieuwe factuurcontrole", **CLOSED))
    effects = {e.measure: e for e in analyse(check(config, rows, D(2026, 7, 15)), parse_period("2026-H1")).measures}
    first = effects["Extra controle bij levering"]
    assert (first.first, first.before, first.after, first.verdict) == (D(2026, 1, 10), 5, 1, "gedaald")
    late = effects["Nieuwe factuurcontrole"]
    assert late.after is None and late.verdict == "nog te vroeg" and late.ready_on == D(2026, 12, 9)


def test_breakdowns_per_half_year_and_year(config):
    rows = [complaint(complaint_no="H1", received=D(2026, 2, 1), category="factuur", urgency=3),
            complaint(complaint_no="H2", received=D(2026, 8, 1), category="factuur", urgency="6"),
            complaint(complaint_no="H3", received=D(2026, 9, 1))]
    analysis = analyse(check(config, rows, D(2026, 10, 1)), parse_period("2026"))
    by_title = {b.title: b for b in analysis.breakdowns}
    assert by_title["Categorie"].columns == ["eerste halfjaar 2026", "tweede halfjaar 2026", "heel 2026"]
    assert by_title["Categorie"].rows == [("factuur", [1, 1, 2]), ("(leeg)", [0, 1, 1])]
    assert by_title["Urgentie"].rows == [("3 – betaling ingehouden", [1, 0, 1]),
                                         ("6 – opgeleverd werk of eerdere storing niet goed verholpen", [0, 1, 1]),
                                         ("(leeg)", [0, 1, 1])]
    assert analysis.received_per_half.labels == ["2026-H1", "2026-H2"]
    assert analysis.received_per_half.values == [1.0, 2.0]


def test_trend_fills_years_without_complaints(config):
    rows = [complaint(complaint_no="T1", received=D(2023, 3, 1), decided=D(2023, 3, 5), satisfied="ja", **CLOSED),
            complaint(complaint_no="T2", received=D(2025, 3, 1), decided=D(2025, 5, 1), satisfied="nee", **CLOSED)]
    analysis = analyse(check(config, rows), parse_period("2024-2026"))
    assert analysis.on_time_per_year.labels == ["2023", "2024", "2025", "2026"]
    assert analysis.on_time_per_year.values == [100.0, None, 0.0, None]
    assert analysis.satisfaction_per_year.values == [100.0, None, 0.0, None]
    assert [c.label for c in analysis.columns] == ["2024", "2025", "2026"]


@pytest.mark.parametrize(("text", "label", "start", "end"), [
    ("2026-H2", "2026-H2", D(2026, 7, 1), D(2026, 12, 31)),
    ("2026-h1", "2026-H1", D(2026, 1, 1), D(2026, 6, 30)),
    (" 2026 ", "2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("2024-2026", "2024-2026", D(2024, 1, 1), D(2026, 12, 31)),
    ("2025-2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
])
def test_parse_period(text, label, start, end):
    period = parse_period(text)
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize(("text", "message"), [
    ("2026-H3", "ongeldige periode '2026-H3'; gebruik bijvoorbeeld 2026-H2, 2026 of 2024-2026"),
    ("H2", "ongeldige periode 'H2'; gebruik bijvoorbeeld 2026-H2, 2026 of 2024-2026"),
    ("2026-2024", "ongeldige periode '2026-2024': het eerste jaar ligt na het laatste"),
])
def test_bad_period(text, message):
    with pytest.raises(ConfigError) as exc:
        parse_period(text)
    assert str(exc.value) == message


def test_half_years_and_last_ended():
    dates = np.array(["2026-06-30", "2026-07-01", "NaT", "1999-12-31"], dtype="datetime64[D]")
    assert half_year_labels(dates).tolist() == ["2026-H1", "2026-H2", "", "1999-H2"]
    assert last_ended_half_year(D(2026, 7, 1)).label == "2026-H1"
    assert last_ended_half_year(D(2026, 6, 30)).label == "2025-H2"
    assert last_ended_half_year(D(2027, 1, 1)).label == "2026-H2"
    assert [c.label for c in period_columns(parse_period("2026-H1"))] == ["2025-H2", "2026-H1"]


def test_rows_without_received_date_are_only_counted(config):
    rows = [complaint(complaint_no="Z1", received="ooit"), complaint(complaint_no="Z2", received=D(2026, 2, 2))]
    result = check(config, rows)
    analysis = analyse(result, parse_period("2026-H1"))
    assert analysis.undated == 1 and analysis.total == 2 and analysis.figures[1].received == 1
    assert len(frame_of(result)) == 2


def test_every_written_form_of_one_phone_number_is_one_complainant(config):
    forms = ["06-12345678", "0612345678", "+31 6 12345678", "0031612345678", "+31 (0)6 12345678", "612345678"]
    rows = [complaint(complaint_no=f"T{n}", received=D(2026, 2, n + 1), phone=form, name=f"N{n}")
            for n, form in enumerate(forms)]
    analysis = analyse(check(config, rows), parse_period("2026-H1"))
    assert [[c.number for c in g.complaints] for g in analysis.repeat_groups] == [[f"T{n}" for n in range(6)]]
