import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from register.check import check_grid
from register.schema import COLUMNS
from register.sources import Grid
from tests.conftest import HEADERS, complaint

PEIL = dt.date(2026, 11, 21)
COL = {c.key: chr(65 + i) for i, c in enumerate(COLUMNS)}  # all schema columns fit in A..AD? see below


def letter(key):
    from register.schema import column_letter

    return column_letter([c.key for c in COLUMNS].index(key))


def check(config, rows, headers=HEADERS, peil=PEIL):
    return check_grid(Grid([headers] + rows, "test"), config, peil)


def messages(result):
    return [(f.cel, f.klachtnummer, f.ernst, f.melding) for f in result.findings]


def test_clean_register_has_no_findings(config):
    rows = [complaint(complaint_no="K2026-001", acknowledged=dt.date(2026, 3, 4),
                      decided=dt.date(2026, 3, 10), status="afgehandeld", outcome="gegrond",
                      method="schriftelijk")]
    assert check(config, rows).findings == []


def test_missing_required_values_point_at_their_cell(config):
    rows = [complaint(), complaint(complaint_no="K2026-002", name="  ", handler=None)]
    found = messages(check(config, rows))
    assert (f"{letter('name')}3", "K2026-002", "fout", "Naam ontbreekt") in found
    assert (f"{letter('handler')}3", "K2026-002", "fout", "Behandelaar ontbreekt") in found
    assert len(found) == 2


def test_unreadable_and_future_dates(config):
    rows = [complaint(received="31-02-2026"), complaint(complaint_no="K2026-002", received="3-12-2026"),
            complaint(complaint_no="K2026-003", received="3 maart 2026", acknowledged="2-3-2026")]
    result = check(config, rows)
    found = messages(result)
    r = letter("received")
    assert (f"{r}2", "K2026-001", "fout", "'31-02-2026' in Datum ontvangst is geen datum") in found
    assert (f"{r}3", "K2026-002", "fout", "Datum ontvangst 3 december 2026 ligt in de toekomst") in found
    assert (f"{letter('acknowledged')}4", "K2026-003", "fout",
            "Datum bevestiging (2 maart 2026) ligt vóór de Datum ontvangst (3 maart 2026)") in found
    assert result.findings[0].hint.startswith("schrijf bijvoorbeeld")


def test_duplicate_numbers_are_reported_at_the_repeat(config):
    rows = [complaint(complaint_no="K2026-014"), complaint(complaint_no="K2026-015"),
            complaint(complaint_no=" K2026-014 ")]
    found = messages(check(config, rows))
    assert found == [("A4", "K2026-014", "fout", "klachtnummer K2026-014 komt vaker voor (ook in rij 2)")]


def test_unknown_values_get_the_closest_allowed_value(config):
    rows = [complaint(channel="emial", status="afgehandelt", urgency=9, satisfied="misschien",
                      decided=dt.date(2026, 3, 5), outcome="gegrond")]
    result = check(config, rows)
    by_cell = {f.cel: f for f in result.findings}
    ch = by_cell[f"{letter('channel')}2"]
    assert ch.melding == "'emial' is geen bekende waarde voor Kanaal" and ch.ernst == "fout"
    assert ch.hint.startswith("bedoelde u 'e-mail'?")
    assert by_cell[f"{letter('status')}2"].hint.startswith("bedoelde u 'afgehandeld'?")
    assert by_cell[f"{letter('urgency')}2"].melding == "Urgentie '9' bestaat niet; gebruik 1 t/m 8"
    assert f"{letter('satisfied')}2" in by_cell


def test_messy_but_meaningful_values_are_accepted(config):
    rows = [complaint(channel=" E-Mail ", status="  Afgehandeld ", urgency="3", outcome="Deels Gegrond",
                      satisfied="JA", decided="5-3-2026", complaint_no=14.0, method="Telefonisch")]
    result = check(config, rows)
    assert result.findings == []
    row = result.register.frame.iloc[0]
    assert (row.channel, row.status, row.urgency, row.outcome, row.complaint_no) == \
        ("e-mail", "afgehandeld", "3", "deels gegrond", "14")


def test_status_and_decision_date_must_agree(config):
    rows = [complaint(status="afgehandeld", outcome="gegrond"),
            complaint(complaint_no="K2026-002", decided=dt.date(2026, 3, 6))]
    found = messages(check(config, rows))
    # An error: without the date the retention period cannot start (never anonymised meanwhile).
    assert (f"{letter('decided')}2", "K2026-001", "fout",
            "Status is 'afgehandeld' maar Datum standpunt ontbreekt; de bewaartermijn kan niet ingaan") in found
    assert (f"{letter('method')}2", "K2026-001", "waarschuwing",
            "Status is 'afgehandeld' maar Wijze van afhandeling ontbreekt") in found
    assert not [f for f in found if f[1] == "K2026-002" and "Wijze" in f[3]]  # open: not yet
    assert (f"{letter('status')}3", "K2026-002", "waarschuwing",
            "Datum standpunt is ingevuld maar Status is 'in behandeling'") in found


def test_extension_too_long_or_too_late(config):
    # received Mon 2 March 2026: decision due Mon 16 March; maximum extension to Mon 13 April.
    rows = [complaint(complaint_no="K1", extension_sent=dt.date(2026, 3, 10), extended_until=dt.date(2026, 4, 20)),
            complaint(complaint_no="K2", extension_sent=dt.date(2026, 3, 17), extended_until=dt.date(2026, 4, 1)),
            complaint(complaint_no="K3", extension_sent=dt.date(2026, 3, 16), extended_until=dt.date(2026, 4, 13))]
    result = check(config, rows)
    found = messages(result)
    assert (f"{letter('extended_until')}2", "K1", "waarschuwing",
            "verlenging tot 20 april 2026 is langer dan toegestaan (uiterlijk 13 april 2026)") in found
    assert (f"{letter('extension_sent')}3", "K2", "waarschuwing",
            "uitstel is pas op 17 maart 2026 gemeld, na het einde van de termijn (16 maart 2026); "
            "het telt niet als geldig uitstel") in found
    # On the last day itself: still a valid extension, but not "ruim" before: a warning.
    assert [f[2:] for f in found if f[1] == "K3"] == [
        ("waarschuwing", "uitstel is pas op de laatste dag van de termijn (16 maart 2026) gemeld")]
    assert list(result.deadlines["extension_valid"]) == [False, False, True]
    assert list(result.deadlines["extension_late"]) == [False, True, True]


def test_handler_is_the_employee_complained_about(config):
    rows = [complaint(complaint_no="K1", employee="A. Behandelaar"),
            complaint(complaint_no="K2", employee=" a. behandelaar "),
            complaint(complaint_no="K3", employee="B. Ander"),
            complaint(complaint_no="K4")]
    found = [f for f in messages(check(config, rows)) if "behandelt" in f[3]]
    assert found == [(f"{letter('handler')}2", "K1", "waarschuwing",
                      "de klacht gaat over A. Behandelaar, die haar ook behandelt"),
                     (f"{letter('handler')}3", "K2", "waarschuwing",
                      "de klacht gaat over a. behandelaar, die haar ook behandelt")]


def test_invalid_email(config):
    found = messages(check(config, [complaint(email="piet@@example"), complaint(complaint_no="K2", email="a@b.nl")]))
    assert found == [(f"{letter('email')}2", "K2026-001", "waarschuwing", "'piet@@example' is geen geldig e-mailadres")]


def test_blank_and_repeated_header_rows_are_skipped_silently(config):
    rows = [complaint(), [None] * 5, ["", "  ", None], list(HEADERS), complaint(complaint_no="K2026-002")]
    result = check(config, rows)
    assert result.findings == []
    assert list(result.register.frame["complaint_no"]) == ["K2026-001", "K2026-002"]
    assert list(result.register.sheet_rows) == [2, 6]


def test_missing_required_column_is_one_error_with_a_hint(config):
    headers = ["Datum ontvangen" if h == "Datum ontvangst" else h for h in HEADERS]
    rows = [complaint(complaint_no=f"K{i}") for i in range(5)]
    result = check(config, rows, headers=headers)
    header_errors = [f for f in result.findings if f.cel == "rij 1"]
    assert len(header_errors) == 1
    assert header_errors[0].melding == "verplichte kolom 'Datum ontvangst' ontbreekt"
    assert header_errors[0].hint == "bedoelde u kolom B 'Datum ontvangen'? Noem die 'Datum ontvangst'"
    assert result.has_errors


def test_headers_match_loosely_and_extra_columns_are_ignored(config):
    headers = [h.upper().replace(" ", "  ") for h in HEADERS]
    headers[HEADERS.index("Geëscaleerd naar")] = "geescaleerd naar"
    result = check(config, [complaint() + ["mijn notitie"]], headers=headers + ["Mijn eigen kolom"])
    assert result.findings == []
    assert "escalated_to" in result.register.positions


def test_column_order_is_free(config):
    order = list(reversed(range(len(HEADERS))))
    row = complaint(email="fout@")
    result = check(config, [[row[i] for i in order]], headers=[HEADERS[i] for i in order])
    assert [f.cel for f in result.findings] == [f"{letter_of(order.index(HEADERS.index('E-mail')))}2"]


def letter_of(idx):
    from register.schema import column_letter

    return column_letter(idx)


cells = st.one_of(st.none(), st.text(max_size=12), st.integers(-10, 60000), st.floats(allow_nan=True),
                  st.booleans(), st.dates(), st.sampled_from(["afgehandeld", "e-mail", "3-2-2026", " ", "K1"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, max_size=len(HEADERS) + 3), max_size=12),
       st.permutations(HEADERS), st.booleans())
def test_validator_never_raises_on_messy_grids(config, rows, headers, drop_header):
    headers = list(headers)
    if drop_header:
        headers = headers[:-3]
    result = check(config, rows, headers=headers)
    for f in result.findings:
        assert f.ernst in ("fout", "waarschuwing") and f.melding
    result.to_json()


def test_title_rows_above_the_header_keep_cells_right(config):
    grid = Grid([["Klachtenregister 2026", None], [], HEADERS, complaint(email="fout@")], "test")
    result = check_grid(grid, config, PEIL)
    assert [(f.cel, f.klachtnummer) for f in result.findings] == [(f"{letter('email')}4", "K2026-001")]


def test_every_finding_has_a_declared_code_and_its_severity(make_config):
    from register.validate import FINDING_KINDS, Severity

    rows = [complaint(complaint_no="K1", received="31-2-2026", channel="duif", status="afgehandeld"),
            complaint(complaint_no="K1", email="geen-adres", received=dt.date(2026, 3, 2),
                      decided=dt.date(2026, 3, 1))]
    result = check_grid(Grid([HEADERS] + rows, "test"), make_config(), dt.date(2026, 3, 20))
    findings = result.to_json()["fouten"]
    assert findings and all(f["code"] in FINDING_KINDS for f in findings)
    for f in findings:
        assert f["ernst"] == FINDING_KINDS[f["code"]][0].value
    codes = {f["code"] for f in findings}
    assert {"geen_datum", "onbekende_waarde", "klachtnummer_dubbel", "email_ongeldig", "datum_voor_ontvangst"} <= codes
    assert all(isinstance(f.ernst, Severity) for f in result.findings)
