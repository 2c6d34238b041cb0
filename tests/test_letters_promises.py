"""Issue 19, letters: a letter owns its delay, names the escalation route, keeps the closing with
its last paragraph, goes to a representative too, and the cases the regeling names have a letter."""

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.app.cli import app
from register.config import ESCALATION_FALLBACK
from tests.conftest import BASE_TOML, complaint

runner = CliRunner()
BASE_WITHOUT_ESCALATION = BASE_TOML[:BASE_TOML.index("[[escalatie.mogelijkheden]]")]


def pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def text_of(path: Path) -> str:
    return " ".join(pages(path))


def run(cfg, *args):
    return runner.invoke(app, [*args, "--config", str(cfg.path)])


def letter(cfg, number: str, kind: str) -> Path:
    return cfg.letters_dir() / f"{number}_{kind}.pdf"


# Received Mon 2 March 2026: decision due Mon 16 March 2026 (2 weeks).
DECIDED = dict(received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3), status="afgehandeld",
               method="schriftelijk", motivation="De monteur heeft het werk volgens de afspraak gedaan.")


@pytest.mark.parametrize(("decided", "outcome", "late"), [
    (dt.date(2026, 3, 16), "ongegrond", False),  # the due day itself: in time, no apology
    (dt.date(2026, 3, 17), "ongegrond", True),  # the day after: late, also when ongegrond
    (dt.date(2026, 4, 20), "gegrond", True),
])
def test_a_late_standpunt_names_the_due_date_and_apologises(make_config, decided, outcome, late):
    cfg = make_config(rows=[complaint(complaint_no="K1", decided=decided, outcome=outcome, **DECIDED)])
    result = run(cfg, "brief", "K1", "standpunt", "--peildatum", "2026-04-21")
    assert result.exit_code == 0, result.output
    text = text_of(letter(cfg, "K1", "standpunt"))
    sentence = ("Wij hadden u ons standpunt uiterlijk op 16 maart 2026 beloofd. Deze brief komt later dan wij "
                "beloofden. Het spijt ons dat u zo lang op ons antwoord hebt moeten wachten; onze excuses daarvoor.")
    assert (sentence in text) is late


def test_a_validly_extended_standpunt_counts_from_the_new_date(make_config):
    row = DECIDED | dict(extension_sent=dt.date(2026, 3, 10), extension_reason="Onderzoek",
                         extended_until=dt.date(2026, 4, 1), decided=dt.date(2026, 3, 30), outcome="ongegrond")
    cfg = make_config(rows=[complaint(complaint_no="K1", **row)])
    assert run(cfg, "brief", "K1", "standpunt", "--peildatum", "2026-04-01").exit_code == 0
    assert "later dan wij beloofden" not in text_of(letter(cfg, "K1", "standpunt"))


@pytest.mark.parametrize("lines", range(6, 16))
def test_no_page_holds_only_the_closing(make_config, lines):
    # Motivations of growing length push the page break through every position of the letter's end.
    motivation = "\n".join(f"Regel {n} van de motivering: wij hebben dit punt nagelopen en besproken." for n in
                           range(lines))
    cfg = make_config(rows=[complaint(complaint_no="K1", decided=dt.date(2026, 3, 12), outcome="ongegrond",
                                      **(DECIDED | {"motivation": motivation}))])
    assert run(cfg, "brief", "K1", "standpunt", "--peildatum", "2026-03-12").exit_code == 0
    texts = pages(letter(cfg, "K1", "standpunt"))
    closing = [t for t in texts if "Met vriendelijke groet" in t]
    assert len(closing) == 1
    # The last paragraph (the route after this answer) is on the closing's page, whole.
    assert "Bent u het niet met ons eens?" in closing[0]
    assert "Lukt dat niet, dan kunt u terecht bij" in closing[0]


def test_the_closing_page_of_the_demo_letter_by_position(tmp_path):
    """K2026-058 of the demo, decided 20 November after its deadline: pdftotext -bbox shows the
    closing and the paragraph before it on one page, below each other."""
    from register.config import load_config
    from register.demo import write_xlsx
    from tests.conftest import HEADERS

    long_motivation = " ".join(["Wij hebben de werkbon, de foto's en het verslag van de monteur bekeken."] * 12)
    row = complaint(complaint_no="K2026-058", received=dt.date(2026, 9, 30), acknowledged=dt.date(2026, 10, 4),
                    decided=dt.date(2026, 11, 20), status="afgehandeld", outcome="ongegrond", method="schriftelijk",
                    investigation="Werkbon en foto's bekeken.", motivation=long_motivation,
                    description="Monteur liet afval en verpakkingsmateriaal achter.")
    write_xlsx(tmp_path / "register.xlsx", [HEADERS, row])
    (tmp_path / "klachten.toml").write_text(BASE_TOML, encoding="utf-8")
    cfg = load_config(tmp_path / "klachten.toml")
    assert run(cfg, "brief", "K2026-058", "standpunt", "--peildatum", "2026-11-21").exit_code == 0
    bbox = subprocess.run(["pdftotext", "-bbox", str(letter(cfg, "K2026-058", "standpunt")), "-"],
                          capture_output=True, text=True, check=True).stdout
    page_of: dict[str, int] = {}
    page = 0
    for line in bbox.splitlines():
        if "<page " in line:
            page += 1
        for word in ("groet,", "eens?", "Lukt"):
            if f">{word}</word>" in line:
                page_of.setdefault(word, page)
    assert page_of["groet,"] == page_of["eens?"] == page_of["Lukt"]
    assert "14 oktober 2026" in text_of(letter(cfg, "K2026-058", "standpunt"))


def test_without_escalation_bodies_letter_and_site_name_the_same_route(make_config):
    cfg = make_config(base=BASE_WITHOUT_ESCALATION,
                      rows=[complaint(complaint_no="K1", decided=dt.date(2026, 3, 12), outcome="ongegrond",
                                      **DECIDED)])
    assert run(cfg, "brief", "K1", "standpunt", "--peildatum", "2026-03-12").exit_code == 0
    text = text_of(letter(cfg, "K1", "standpunt"))
    assert f"Lukt dat niet, dan kunt u terecht bij {ESCALATION_FALLBACK}." in text
    from generator.templating import render

    site = render(cfg, "site/_escalatie.md", escalatie=[])
    assert site.strip() == f"- {ESCALATION_FALLBACK}."
    checked = run(cfg, "config")
    assert checked.exit_code == 0
    assert ("Let op: geen [[escalatie.mogelijkheden]] ingesteld; brieven en site noemen dan alleen "
            "'de bevoegde rechter' als de klager het niet met uw standpunt eens is.") in " ".join(checked.stderr.split())


def test_config_with_escalation_bodies_does_not_warn(make_config):
    checked = run(make_config(), "config")
    assert "escalatie" not in checked.stderr


def test_init_warns_without_escalation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", "--organisatie", "Testbedrijf", "--klachtverantwoordelijke", "T. Test",
                                 "--email", "klachten@testbedrijf.nl", "--escalatie", "", "--telefoon", "",
                                 "--contactpersoon", "", "--escalatie-website", "",
                                 "--register", "data/register.xlsx"])
    assert "Let op: geen [[escalatie.mogelijkheden]] ingesteld" in result.stderr


def test_outside_the_regeling_has_its_own_letter(make_config):
    row = dict(received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3), decided=dt.date(2026, 3, 12),
               status="afgehandeld", method="schriftelijk", outcome="buiten de regeling",
               motivation="Uw klacht gaat over werk van een andere installateur.")
    cfg = make_config(rows=[complaint(complaint_no="K1", **row)])
    refused = run(cfg, "brief", "K1", "standpunt", "--peildatum", "2026-03-12")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Fout: klacht K1 valt buiten de regeling; maak de brief 'buiten_regeling' "
                                      "in plaats van het standpunt")
    batch = run(cfg, "brieven", "--peildatum", "2026-03-12")
    assert batch.exit_code == 0, batch.output
    assert sorted(p.name for p in cfg.letters_dir().glob("*.pdf")) == ["K1_buiten_regeling.pdf"]
    text = text_of(letter(cfg, "K1", "buiten_regeling"))
    assert "Betreft: uw klacht K1 valt buiten onze klachtenregeling" in text
    assert "Uw klacht gaat over werk van een andere installateur." in text
    # Mon 2 March + 7 working days = Wed 11 March: 12 March is late, and the letter says so.
    assert ("Dit bericht had u uiterlijk op 11 maart 2026 moeten krijgen (binnen zeven werkdagen na "
            "ontvangst). Het komt later dan wij beloofden; onze excuses daarvoor.") in text


def test_a_representative_gets_every_letter_too(make_config):
    row = dict(representative="Mr. A. Raadsman", representative_address="Postbus 7, 1000 AA Teststad",
               representative_email="raadsman@kantoor.example", email="piet@proef.example")
    cfg = make_config(rows=[complaint(complaint_no="K1", **row)])
    assert run(cfg, "brief", "K1", "ontvangstbevestiging", "--peildatum", "2026-03-03").exit_code == 0
    text = text_of(letter(cfg, "K1", "ontvangstbevestiging"))
    assert "Afschrift aan: Mr. A. Raadsman, Postbus 7, 1000 AA Teststad, raadsman@kantoor.example" in text
    from generator.letters.render import letter_context
    from generator.letters.sending import letter_message
    from register.check import check_register
    from register.config import config_from_dict

    result = check_register(cfg, dt.date(2026, 3, 3))
    context = letter_context(result, cfg, 0, "ontvangstbevestiging")
    mail_cfg = config_from_dict({"mail": {"afzender": "klachten@testbedrijf.nl"}}, cfg.path)
    message = letter_message(mail_cfg, context, "ontvangstbevestiging", "piet@proef.example",
                             letter(cfg, "K1", "ontvangstbevestiging"))
    assert (message["To"], message["Cc"]) == ("piet@proef.example", "raadsman@kantoor.example")


def test_representative_columns_are_personal():
    from register.schema import PERSONAL_KEYS

    for key in ("representative", "representative_address", "representative_email", "employee"):
        assert key in PERSONAL_KEYS, key


def test_missing_cells_are_listed_with_the_plural_verb(make_config):
    cfg = make_config(rows=[complaint(complaint_no="K1", status="afgehandeld", decided=dt.date(2026, 3, 12))])
    result = run(cfg, "brief", "K1", "standpunt", "--peildatum", "2026-03-12")
    assert "'Standpunt' (V2) en 'Motivering' (X2) zijn leeg" in result.stderr
