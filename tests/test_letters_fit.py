"""Letters fit to send: salutation, apology, withdrawal, honest dates, layout measured in the PDF."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import complaint

runner = CliRunner()
MM = 25.4 / 72


def run(cfg, *args):
    return runner.invoke(app, [*args, "--config", str(cfg.path)])


def pages_text(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def words(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax) in mm from the top-left corner, and the word, via pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)
    return [(float(a) * MM, float(b) * MM, float(c) * MM, float(d) * MM, w) for a, b, c, d, w in found]


def lines(found):
    """Words grouped by their baseline (yMax rounded to 0.5 mm), top to bottom."""
    grouped: dict[float, list] = {}
    for w in found:
        grouped.setdefault(round(w[3] * 2) / 2, []).append(w)
    return [sorted(grouped[y]) for y in sorted(grouped)]


DECIDED = dict(received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3), decided=dt.date(2026, 3, 12),
               status="afgehandeld", motivation="De monteur kwam te laat.")


@pytest.fixture
def cfg(make_config):
    rows = [
        complaint(complaint_no="K1", name="Marieke Nepstra", salutation="mevrouw", address="Proefstraat 1",
                  postcode="1234 AB", city="Demohaven", outcome="gegrond", **DECIDED),
        complaint(complaint_no="K2", name="Jan de Vries", salutation="heer", outcome="deels gegrond", **DECIDED),
        complaint(complaint_no="K3", name="Piet Proef", outcome="ongegrond", **DECIDED),
        complaint(complaint_no="K4", name="Ans Anders", received=dt.date(2026, 3, 2), decided=dt.date(2026, 3, 10),
                  status="afgehandeld", outcome="ingetrokken"),
        # received Mon 9 Nov 2026: acknowledgement due 18 Nov, decision due 23 Nov
        complaint(complaint_no="K5", name="Laat Bevestigd", received=dt.date(2026, 11, 9)),
        complaint(complaint_no="K6", name="Heel Laat", received=dt.date(2026, 10, 1)),
    ]
    return make_config(rows=rows, base=_base_with_contact())


def _base_with_contact() -> str:
    from tests.conftest import BASE_TOML

    return BASE_TOML.replace('telefoon = "010-0000001"\n', 'telefoon = "010-0000001"\ncontactpersoon = "R. Bakker"\n'
                             'contactpersoon_email = "r.bakker@testbedrijf.example"\n'
                             'contactpersoon_telefoon = "010 000 00 02"\n') + '''
[[escalatie.mogelijkheden]]
naam = "Geschillencommissie"
website = "https://www.degeschillencommissie.example/consumenten/klacht-indienen"
toelichting = "Een onafhankelijke commissie doet een bindende uitspraak."
'''


def letter(cfg, tmp_path, number, kind, day="2026-03-13") -> Path:
    result = run(cfg, "brief", number, kind, "--peildatum", day)
    assert result.exit_code == 0, result.output
    return tmp_path / "private" / "brieven" / f"{number}_{kind}.pdf"


def test_salutation_from_aanhef_and_surname(cfg, tmp_path):
    assert "Geachte mevrouw Nepstra," in pages_text(letter(cfg, tmp_path, "K1", "standpunt"))[0]
    assert "Geachte heer De Vries," in pages_text(letter(cfg, tmp_path, "K2", "standpunt"))[0]
    assert "Geachte Piet Proef," in pages_text(letter(cfg, tmp_path, "K3", "standpunt"))[0]


def test_neutral_salutation_is_the_configs(make_config, tmp_path):
    cfg = make_config('[brieven]\naanhef_neutraal = "beste"\n', rows=[complaint(complaint_no="K1", name="Piet Proef")])
    assert "Beste Piet Proef," in pages_text(letter(cfg, tmp_path, "K1", "ontvangstbevestiging"))[0]


def test_apology_only_when_upheld(cfg, tmp_path):
    apology = "Wij bieden u onze excuses aan"
    assert apology in " ".join(pages_text(letter(cfg, tmp_path, "K1", "standpunt")))
    assert apology in " ".join(pages_text(letter(cfg, tmp_path, "K2", "standpunt")))
    assert "U had voor een deel gelijk." in " ".join(pages_text(letter(cfg, tmp_path, "K2", "standpunt")))
    assert "excuses" not in " ".join(pages_text(letter(cfg, tmp_path, "K3", "standpunt")))


def test_withdrawn_complaint_gets_the_short_letter(cfg, tmp_path):
    text = " ".join(pages_text(letter(cfg, tmp_path, "K4", "intrekking")))
    assert "U heeft laten weten dat u uw klacht intrekt." in text
    for absent in ("Bent u het niet met ons eens", "Geschillencommissie", "Ons standpunt", "Wat wij hebben onderzocht"):
        assert absent not in text
    refused = run(cfg, "brief", "K4", "standpunt")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Fout: klacht K4 is ingetrokken; maak de brief 'intrekking' in plaats van "
                                      "het standpunt")
    wrong = run(cfg, "brief", "K3", "intrekking")
    assert wrong.stderr.strip() == ("Fout: klacht K3: 'Standpunt' (V4) is niet 'ingetrokken'; de bevestiging van "
                                    "de intrekking is niet gemaakt")


def test_late_acknowledgement_says_so_and_promises_no_past_date(cfg, tmp_path):
    # Friday 20 November: two days after the acknowledgement was due, decision still ahead (23 Nov)
    text = pages_text(letter(cfg, tmp_path, "K5", "ontvangstbevestiging", "2026-11-20"))[0]
    assert "Teststad, 20 november 2026" in text
    assert "Deze bevestiging had u uiterlijk op 18 november 2026 moeten krijgen" in text
    assert "uiterlijk op 23 november 2026 een gemotiveerd antwoord" in text
    # Received 1 October: the decision term ended 15 October; no promise of that date
    text = pages_text(letter(cfg, tmp_path, "K6", "ontvangstbevestiging", "2026-11-20"))[0]
    assert "een gemotiveerd antwoord op uw klacht" not in text
    assert "Ons gemotiveerde antwoord had u uiterlijk op 15 oktober 2026 moeten krijgen" in text
    promised = re.findall(r"uiterlijk op (\d+ \w+ 2026)", text)
    assert all(p in ("12 oktober 2026", "15 oktober 2026") for p in promised)  # only named as past, never promised


@pytest.mark.parametrize(("day", "dated"), [("2026-11-21", "23 november 2026"),   # Saturday -> Monday
                                             ("2026-11-22", "23 november 2026"),   # Sunday -> Monday
                                             ("2026-12-25", "28 december 2026"),   # Kerst (Fri), Sat, Sun -> Mon
                                             ("2026-11-23", "23 november 2026")])  # a working day: itself
def test_letter_date_is_the_day_made_never_a_weekend(cfg, tmp_path, day, dated):
    text = pages_text(letter(cfg, tmp_path, "K5", "ontvangstbevestiging", day))[0]
    assert f"Teststad, {dated}" in text


def test_one_contact_person_with_own_address_and_phone(cfg, tmp_path):
    text = " ".join(pages_text(letter(cfg, tmp_path, "K1", "standpunt")))
    assert "R. Bakker, telefoon 010 000 00 02 of e-mail r.bakker@testbedrijf.example" in text
    for other in ("T. Tester", "t.tester@", "A. Behandelaar", "010-0000001"):
        assert other not in text, other
    assert "Met vriendelijke groet, R. Bakker klachtbehandeling, Testbedrijf B.V." in text


def test_address_block_inside_the_envelope_window(cfg, tmp_path):
    path = letter(cfg, tmp_path, "K1", "standpunt")
    found = words(path)
    # Default window: 20 mm from the left, 45 mm from the top, 90 x 45 mm; 3 mm margin inside.
    block = [w for w in found if 40 <= w[1] <= 95]
    assert {"Testbedrijf", "Nepstra", "Proefstraat", "Demohaven"} <= {w[4].rstrip(",") for w in block}
    for x0, y0, x1, y1, word in block:
        assert 23 <= x0 and x1 <= 107 and 48 <= y0 and y1 <= 87, (word, x0, y0, x1, y1)
    retour = [ln for ln in lines(block) if ln[0][4].startswith("Testbedrijf")]
    assert len(retour) == 1 and retour[0][-1][4] == "Teststad"  # the return line is one line, not wrapped


def test_long_return_line_shrinks_instead_of_wrapping(make_config, tmp_path):
    from tests.conftest import BASE_TOML

    base = BASE_TOML.replace('naam = "Testbedrijf B.V."', 'naam = "Installatie- en Onderhoudsbedrijf Voorbeeld '
                             'en Zonen B.V."').replace('adres = "Teststraat 1"', 'adres = "Burgemeester van '
                                                       'Voorbeeldenlaan 123"')
    cfg = make_config(base=base, rows=[complaint(complaint_no="K1")])
    found = words(letter(cfg, tmp_path, "K1", "ontvangstbevestiging"))
    retour = [ln for ln in lines(w for w in found if 40 <= w[1] <= 95) if ln[0][4] == "Installatie-"]
    assert len(retour) == 1 and retour[0][-1][4] == "Teststad"
    assert retour[0][-1][2] <= 107


def test_window_position_comes_from_the_config(make_config, tmp_path):
    cfg = make_config('[brieven]\nvenster_links_mm = 30\nvenster_boven_mm = 55\n', rows=[complaint(complaint_no="K1")])
    found = words(letter(cfg, tmp_path, "K1", "ontvangstbevestiging"))
    name = next(w for w in found if w[4] == "Proef")
    assert name[1] >= 57.9 and next(w for w in found if w[4] == "Piet")[0] >= 32.9


def test_one_left_edge(cfg, tmp_path):
    path = letter(cfg, tmp_path, "K1", "standpunt")
    starts = {round(ln[0][0], 1) for ln in lines(words(path)) if ln[0][0] < 60}
    bullets = {s for s in starts if s > 25.5}  # list items are indented under their bullet
    assert min(starts) == 25.0
    assert starts - bullets == {25.0}, starts


def test_long_letter_pages_carry_reference_date_and_number(make_config, tmp_path):
    long_text = " ".join(["Dit is een lange klacht met veel details over wat er is misgegaan."] * 55)
    toelichting = " ".join(["Een toelichting die lang genoeg is om over een paginagrens te kunnen lopen."] * 6)
    from tests.conftest import BASE_TOML

    base = BASE_TOML + f'''
[[escalatie.mogelijkheden]]
naam = "Tweede instantie"
website = "https://www.tweede-instantie.example/klachten/indienen"
toelichting = "{toelichting}"
'''
    for n in range(30, 60, 6):
        cfg = make_config(base=base, rows=[complaint(complaint_no="K1", description=long_text[: n * 68],
                                                     outcome="gegrond", **DECIDED)])
        path = letter(cfg, tmp_path, "K1", "standpunt")
        pages = pages_text(path)
        assert len(pages) >= 2
        for number, text in enumerate(pages[1:], 2):
            assert "Ons kenmerk K1 · 13 maart 2026" in text and f"pagina {number} van {len(pages)}" in text
        assert "Ons kenmerk K1 ·" not in pages[0]
        closing = [i for i, t in enumerate(pages) if "Met vriendelijke groet" in t]
        assert len(closing) == 1 and "T. Tester" in pages[closing[0]]
        item = "Tweede instantie, https://www.tweede-instantie.example/klachten/indienen."
        assert sum(item in t for t in pages) == 1  # never split over a page break, URL unbroken
        assert sum(toelichting.split()[-3] in t and "Tweede instantie" in t for t in pages) == 1
