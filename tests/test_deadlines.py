import datetime as dt

from register.check import check_grid
from register.sources import Grid
from tests.conftest import HEADERS, complaint


def flags_of(config, rows, peil):
    result = check_grid(Grid([HEADERS] + rows, "test"), config, peil)
    return {(f["klachtnummer"], f["signaal"]): f["uiterlijk"] for f in result.to_json()["signalen"]}, result


def test_acknowledgement_late_and_almost_late(config):
    # received Wed 1 April 2026: acknowledgement due Tue 14 April (Easter in between)
    rows = [complaint(complaint_no="K1", received=dt.date(2026, 4, 1))]
    flags, _ = flags_of(config, rows, dt.date(2026, 4, 14))
    assert flags[("K1", "bevestiging_bijna_te_laat")] == "2026-04-14"
    flags, _ = flags_of(config, rows, dt.date(2026, 4, 15))
    assert flags[("K1", "bevestiging_te_laat")] == "2026-04-14"
    flags, _ = flags_of(config, [complaint(complaint_no="K1", received=dt.date(2026, 4, 1),
                                           acknowledged=dt.date(2026, 4, 2))], dt.date(2026, 4, 15))
    assert not any(s.startswith("bevestiging") for _, s in flags)


def test_decision_late_and_extension_needed(config):
    # received Mon 2 March 2026: decision due Mon 16 March; notice asked 5 working days before.
    rows = [complaint(complaint_no="K1", acknowledged=dt.date(2026, 3, 3))]
    assert flags_of(config, rows, dt.date(2026, 3, 6))[0] == {}  # Fri: 6 working days left
    flags, _ = flags_of(config, rows, dt.date(2026, 3, 9))  # Mon: 5 working days left (9 .. 13)
    assert flags == {("K1", "uitstelbericht_nodig"): "2026-03-16"}
    flags, _ = flags_of(config, rows, dt.date(2026, 3, 17))
    assert flags == {("K1", "standpunt_te_laat"): "2026-03-16"}


def test_valid_extension_moves_the_decision_date(config):
    rows = [complaint(complaint_no="K1", acknowledged=dt.date(2026, 3, 3), extension_sent=dt.date(2026, 3, 12),
                      extension_reason="onderzoek", extended_until=dt.date(2026, 4, 1))]
    assert flags_of(config, rows, dt.date(2026, 3, 20))[0] == {}
    assert flags_of(config, rows, dt.date(2026, 4, 2))[0] == {("K1", "standpunt_te_laat"): "2026-04-01"}


def test_late_extension_does_not_count(config):
    rows = [complaint(complaint_no="K1", acknowledged=dt.date(2026, 3, 3), extension_sent=dt.date(2026, 3, 18),
                      extended_until=dt.date(2026, 4, 1))]
    assert flags_of(config, rows, dt.date(2026, 3, 20))[0] == {("K1", "standpunt_te_laat"): "2026-03-16"}


def test_retention_expires_one_year_after_closing(config):
    closed = dict(acknowledged=dt.date(2025, 3, 3), decided=dt.date(2025, 3, 10), status="afgehandeld",
                  outcome="gegrond", received=dt.date(2025, 3, 2))
    rows = [complaint(complaint_no="K1", **closed),
            complaint(complaint_no="K2", anonymised=dt.date(2026, 3, 20), **closed),
            complaint(complaint_no="K3", escalated_to="geschillencommissie", **closed)]
    assert flags_of(config, rows, dt.date(2026, 3, 9))[0] == {("K3", "procedure_afgerond_navragen"): "2025-09-10"}
    flags, result = flags_of(config, rows, dt.date(2026, 3, 10))
    # K3 waits for its external procedure: never expired, and its end date was asked for from
    # 10 September 2025 (Datum standpunt + 6 months).
    assert flags == {("K1", "bewaartermijn_verlopen"): "2026-03-10",
                     ("K3", "procedure_afgerond_navragen"): "2025-09-10"}
    assert str(result.deadlines["retention_expires"][0])[:10] == "2026-03-10"


def test_closed_complaints_raise_no_term_flags(config):
    rows = [complaint(complaint_no="K1", decided=dt.date(2026, 4, 20), status="afgehandeld", outcome="ongegrond")]
    assert flags_of(config, rows, dt.date(2026, 4, 21))[0] == {}


def test_terms_come_from_the_config(make_config):
    cfg = make_config("[termijnen]\nbevestiging = \"3 werkdagen\"\nstandpunt = \"10 werkdagen\"\n")
    rows = [complaint(complaint_no="K1")]  # Mon 2 March 2026
    flags, _ = flags_of(cfg, rows, dt.date(2026, 3, 12))
    assert flags[("K1", "bevestiging_te_laat")] == "2026-03-05"
    assert flags[("K1", "uitstelbericht_nodig")] == "2026-03-16"
