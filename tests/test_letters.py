import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import complaint

runner = CliRunner()


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def run(cfg, *args):
    return runner.invoke(app, [*args, "--config", str(cfg.path)])


@pytest.fixture
def letters_config(make_config):
    rows = [
        # Mon 13 April 2026 + 2 weeks = Mon 27 April (Koningsdag) -> Tue 28 April
        complaint(complaint_no="K2026-014", received=dt.date(2026, 4, 13), name="Henk de Klager",
                  address="Klaagweg 3", postcode="1234 XY", city="Mopperdam",
                  description="<b>Monteur</b> kwam niet {{ 7*7 }} & belde niet af", handler="S. Jansen"),
        complaint(complaint_no="K2026-015", received=dt.date(2026, 4, 1), acknowledged=dt.date(2026, 4, 2),
                  extension_sent=dt.date(2026, 4, 10), extended_until=dt.date(2026, 5, 6)),
        complaint(complaint_no="K2026-016", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                  decided=dt.date(2026, 3, 12), status="afgehandeld", outcome="deels gegrond",
                  investigation="Werkbon bekeken", motivation="De monteur was te laat, de rekening klopte wel.",
                  solution="Nieuwe afspraak gemaakt", compensation="Voorrijkosten terugbetaald",
                  measure="Planning belt voortaan vooraf."),
    ]
    return make_config(rows=rows)


def test_ontvangstbevestiging_states_the_engine_dates(letters_config, tmp_path):
    result = run(letters_config, "brief", "K2026-014", "ontvangstbevestiging", "--peildatum", "2026-04-14")
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "private" / "brieven" / "K2026-014_ontvangstbevestiging.pdf"
    text = flat(pdf_text(pdf))
    assert "Teststad, 14 april 2026" in text
    assert "Geachte Henk de Klager," in text  # no Aanhef: the neutral form
    assert "Klaagweg 3" in text and "1234 XY Mopperdam" in text
    assert "Op 13 april 2026 hebben wij uw klacht ontvangen" in text
    assert "uiterlijk op 28 april 2026 een gemotiveerd antwoord" in text  # across Koningsdag
    assert "binnen twee weken na ontvangst" in text
    assert "S. Jansen" not in text  # one person per letter: the contact person, who also signs
    assert "Uw aanspreekpunt is T. Tester, telefoon 010-0000001 of e-mail t.tester@testbedrijf.example." in text
    meta = PdfReader(pdf).metadata
    assert meta.title == "Ontvangstbevestiging klacht K2026-014"
    assert meta.author == "Testbedrijf B.V."


def test_complaint_text_is_printed_literally(letters_config, tmp_path):
    run(letters_config, "brief", "K2026-014", "ontvangstbevestiging", "--peildatum", "2026-04-14")
    text = flat(pdf_text(tmp_path / "private" / "brieven" / "K2026-014_ontvangstbevestiging.pdf"))
    assert "<b>Monteur</b> kwam niet {{ 7*7 }} & belde niet af" in text
    assert "49" not in text


def test_uitstelbericht_needs_a_reason(letters_config, tmp_path):
    result = run(letters_config, "brief", "K2026-015", "uitstelbericht", "--peildatum", "2026-04-10")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Fout: klacht K2026-015: 'Reden uitstel' (R3) is leeg; "
                                     "het uitstelbericht is niet gemaakt")
    assert not list((tmp_path / "private" / "brieven").glob("*.pdf")) if (tmp_path / "private").exists() else True


def test_uitstelbericht_dates(make_config, tmp_path):
    cfg = make_config(rows=[complaint(complaint_no="K1", received=dt.date(2026, 4, 1), extension_sent=dt.date(2026, 4, 10),
                                      extension_reason="Onderdeel is nabesteld", extended_until=dt.date(2026, 5, 6))])
    assert run(cfg, "brief", "K1", "uitstelbericht", "--peildatum", "2026-04-10").exit_code == 0
    text = flat(pdf_text(tmp_path / "private" / "brieven" / "K1_uitstelbericht.pdf"))
    assert "uiterlijk op 15 april 2026 een gemotiveerd antwoord" in text
    assert "Onderdeel is nabesteld" in text
    assert "uiterlijk op 6 mei 2026" in text
    assert "Teststad, 10 april 2026" in text
    assert "Let op" not in run(cfg, "brief", "K1", "uitstelbericht", "--peildatum", "2026-04-10").stderr


def test_late_uitstelbericht_is_made_only_on_purpose_and_says_so(make_config, tmp_path):
    cfg = make_config(rows=[complaint(complaint_no="K1", received=dt.date(2026, 4, 1),
                                      extension_reason="Onderdeel is nabesteld")])
    refused = run(cfg, "brief", "K1", "uitstelbericht", "--peildatum", "2026-04-20")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Fout: klacht K1: de standpunttermijn eindigt op 15 april 2026; een "
                                      "uitstelbericht van 20 april 2026 komt niet meer op tijd. Maak het alleen "
                                      "bewust, met: klachten brief K1 uitstelbericht --te-laat")
    result = run(cfg, "brief", "K1", "uitstelbericht", "--peildatum", "2026-04-20", "--te-laat")
    assert result.exit_code == 0
    assert result.stderr.strip() == ("Let op: de oorspronkelijke termijn liep af op 15 april 2026; dit uitstel is "
                                     "te laat gemeld en verschuift de termijn niet")
    text = flat(pdf_text(tmp_path / "private" / "brieven" / "K1_uitstelbericht.pdf"))
    assert ("Dit bericht had u ruim vóór 15 april 2026 moeten krijgen. Het komt later dan wij beloofden; "
            "onze excuses daarvoor.") in text


@pytest.mark.parametrize(("peil", "late"), [("2026-04-14", False), ("2026-04-15", True)])
def test_uitstelbericht_on_the_due_day_itself_is_late(make_config, tmp_path, peil, late):
    # Received Wed 1 April 2026: decision due Wed 15 April. The day before is in time; the day itself not.
    cfg = make_config(rows=[complaint(complaint_no="K1", received=dt.date(2026, 4, 1),
                                      extension_reason="Onderdeel is nabesteld")])
    plain = run(cfg, "brief", "K1", "uitstelbericht", "--peildatum", peil)
    assert plain.exit_code == (1 if late else 0)
    if late:
        assert "komt niet meer op tijd" in plain.stderr
        assert run(cfg, "brief", "K1", "uitstelbericht", "--peildatum", peil, "--te-laat").exit_code == 0
    text = flat(pdf_text(tmp_path / "private" / "brieven" / "K1_uitstelbericht.pdf"))
    assert ("later dan wij beloofden" in text) is late


def test_standpunt_letter(letters_config, tmp_path):
    assert run(letters_config, "brief", "K2026-016", "standpunt", "--peildatum", "2026-03-13").exit_code == 0
    text = flat(pdf_text(tmp_path / "private" / "brieven" / "K2026-016_standpunt.pdf"))
    assert "Teststad, 13 maart 2026" in text  # the day it is made, not the register's Datum standpunt
    assert "Wij vinden uw klacht deels gegrond." in text
    for part in ("Werkbon bekeken", "De monteur was te laat, de rekening klopte wel.", "Nieuwe afspraak gemaakt",
                 "Voorrijkosten terugbetaald", "Planning belt voortaan vooraf.",
                 "Testgeschillencommissie, Postbus 1, 9999 ZZ Nergensveen. Termijn: binnen 12 maanden"):
        assert part in text, part


def test_standpunt_without_outcome_fails_with_the_column(letters_config):
    result = run(letters_config, "brief", "K2026-014", "standpunt")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Fout: klacht K2026-014: 'Standpunt' (V2) en 'Motivering' (X2) zijn leeg; "
                                     "het standpunt is niet gemaakt")


def test_unknown_number_and_kind(letters_config):
    assert run(letters_config, "brief", "K9", "standpunt").stderr.strip() == "Fout: klacht K9 staat niet in het register"
    result = run(letters_config, "brief", "K2026-014", "bedankje")
    assert result.exit_code == 2
    assert "onbekende soort brief 'bedankje'" in result.stderr


def test_owner_template_overrides_ours(letters_config, tmp_path):
    own = tmp_path / "mijn-sjablonen" / "brieven"
    own.mkdir(parents=True)
    (own / "ontvangstbevestiging.html").write_text(
        '{% extends "brieven/_brief.html" %}{% block onderwerp %}uw klacht{% endblock %}'
        '{% block tekst %}<p>EIGEN SJABLOON voor {{ klacht.nummer }}</p>{% endblock %}', encoding="utf-8")
    from generator.templating import _environment

    _environment.cache_clear()
    assert run(letters_config, "brief", "K2026-014", "ontvangstbevestiging").exit_code == 0
    text = flat(pdf_text(tmp_path / "private" / "brieven" / "K2026-014_ontvangstbevestiging.pdf"))
    assert "EIGEN SJABLOON voor K2026-014" in text
    assert "Wat u van ons kunt verwachten" not in text


def test_long_letters_get_page_numbers(make_config, tmp_path):
    long_text = " ".join(["Dit is een lange klacht met veel details over wat er is misgegaan."] * 80)
    cfg = make_config(rows=[complaint(complaint_no="K1", description=long_text), complaint(complaint_no="K2")])
    run(cfg, "brief", "K1", "ontvangstbevestiging")
    run(cfg, "brief", "K2", "ontvangstbevestiging")
    long_pdf = pdf_text(tmp_path / "private" / "brieven" / "K1_ontvangstbevestiging.pdf")
    short_pdf = pdf_text(tmp_path / "private" / "brieven" / "K2_ontvangstbevestiging.pdf")
    pages = len(PdfReader(tmp_path / "private" / "brieven" / "K1_ontvangstbevestiging.pdf").pages)
    assert pages >= 2
    assert f"pagina 1 van {pages}" in long_pdf and f"pagina {pages} van {pages}" in long_pdf
    assert "pagina" not in short_pdf


def test_brieven_renders_what_is_due_and_keeps_existing(make_config, tmp_path):
    rows = [complaint(complaint_no=f"K{i}", received=dt.date(2026, 4, 1)) for i in range(4)]
    rows.append(complaint(complaint_no="K-closed", received=dt.date(2026, 3, 25), acknowledged=dt.date(2026, 3, 26),
                          decided=dt.date(2026, 3, 30), status="afgehandeld", outcome="ongegrond",
                          motivation="Afspraak is nagekomen."))  # 14 days before the peildatum: still due
    rows.append(complaint(complaint_no="K-history", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                          decided=dt.date(2026, 3, 29), status="afgehandeld", outcome="ongegrond",
                          motivation="Afspraak is nagekomen."))  # 15 days: history, never made again
    rows.append(complaint(complaint_no="K-ext", received=dt.date(2026, 4, 1), acknowledged=dt.date(2026, 4, 2),
                          extension_reason="Wachten op fabrikant"))
    rows.append(complaint(complaint_no="K-nomotive", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                          decided=dt.date(2026, 4, 9), status="afgehandeld", outcome="gegrond"))
    cfg = make_config(rows=rows)
    # 13 April 2026: K-ext's term (15 April) ends within 2 working days -> uitstelbericht nodig
    result = run(cfg, "brieven", "--peildatum", "2026-04-13", "--processen", "2")
    out = tmp_path / "private" / "brieven"
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert names == ["K-closed_standpunt.pdf", "K-ext_uitstelbericht.pdf"] + \
        [f"K{i}_ontvangstbevestiging.pdf" for i in range(4)]
    assert result.exit_code == 1  # K-nomotive lacks Motivering
    assert "Niet gemaakt: klacht K-nomotive: 'Motivering'" in result.stderr
    assert "6 brieven geschreven" in result.stdout
    stamp = (out / "K0_ontvangstbevestiging.pdf").stat().st_mtime_ns
    again = run(cfg, "brieven", "--peildatum", "2026-04-13")
    assert "0 brieven geschreven" in again.stdout and "6 bestonden al" in again.stdout
    assert (out / "K0_ontvangstbevestiging.pdf").stat().st_mtime_ns == stamp
    redo = run(cfg, "brieven", "--peildatum", "2026-04-13", "--opnieuw", "--processen", "1")
    assert "6 brieven geschreven" in redo.stdout


def test_blank_form(config, tmp_path):
    result = runner.invoke(app, ["formulier", "--uitvoer", str(tmp_path / "f.pdf"), "--config", str(config.path)])
    assert result.exit_code == 0
    reader = PdfReader(tmp_path / "f.pdf")
    assert len(reader.pages) == 1
    text = flat(reader.pages[0].extract_text())
    for label in ("Klachtenformulier", "Klachtnummer", "Datum ontvangst", "Naam", "Omschrijving van de klacht",
                  "Aangenomen door",
                  "webformulier", "gedrag medewerker", "Behandelaar", "binnen zeven werkdagen"):
        assert label in text, label
