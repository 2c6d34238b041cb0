"""The two blank forms: public (only what a complainant knows, fillable, tagged) and internal."""

from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.letters.render import form_job, write_pdf
from tests.test_letters_fit import words

INTERNAL_ONLY = ("Klachtnummer", "Datum ontvangst", "Kanaal", "fax", "Categorie", "Oorzaak", "Urgentie",
                 "boze", "Behandelaar", "Aangenomen door", "Intern")


@pytest.fixture
def forms(config, tmp_path) -> dict[str, Path]:
    out = {}
    for name, public in (("publiek", True), ("intern", False)):
        out[name] = tmp_path / f"{name}.pdf"
        write_pdf(form_job(config, out[name], public=public))
    return out


def text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_public_form_asks_only_what_a_complainant_knows(forms):
    found = text(forms["publiek"])
    for label in ("Naam", "Adres", "E-mail", "Telefoon", "Wat is er gebeurd?", "Wanneer was dat?",
                  "Wat verwacht u van ons?", "Hoe wilt u antwoord krijgen?", "per e-mail", "per post",
                  "binnen zeven werkdagen", "t.a.v. T. Tester", "t.tester@testbedrijf.example"):
        assert label in found, label
    for internal in INTERNAL_ONLY:
        assert internal not in found, internal


def test_public_form_is_fillable_and_tagged(forms):
    reader = PdfReader(forms["publiek"])
    fields = reader.get_fields()
    assert {"naam", "adres", "email", "telefoon", "wat_gebeurd", "wanneer", "verwachting", "antwoord"} <= set(fields)
    assert fields["wat_gebeurd"].get("/FT") == "/Tx" and fields["antwoord"].get("/FT") == "/Btn"
    # One choice: a radio group (flag bit 16) of two buttons, each at least 10 points square.
    assert int(fields["antwoord"].get("/Ff", 0)) & (1 << 15)
    buttons = [a.get_object() for a in reader.pages[0]["/Annots"]
               if a.get_object().get("/Parent", {}).get("/T") == "antwoord"]
    assert len(buttons) == 2
    for button in buttons:
        x0, y0, x1, y1 = (float(v) for v in button["/Rect"])
        assert abs(x1 - x0) >= 10 and abs(y1 - y0) >= 10, (x1 - x0, y1 - y0)
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # a tagged PDF


def test_internal_form_keeps_the_internal_fields(forms):
    found = text(forms["intern"])
    for label in INTERNAL_ONLY + ("mevrouw", "heer", "gedrag medewerker", "webformulier"):
        assert label in found, label
    assert len(PdfReader(forms["intern"]).pages) == 1
    assert {"klachtnummer", "aangenomen_door", "kanaal_1"} <= set(PdfReader(forms["intern"]).get_fields())


@pytest.mark.parametrize("name", ["publiek", "intern"])
def test_no_text_outside_the_page_margins(forms, name):
    # A4 with margins 25 mm left and 20 mm right; the footer sits in the bottom margin, at least
    # 5 mm from the paper's edge (what printers can reach).
    for page in range(1, len(PdfReader(forms[name]).pages) + 1):
        for x0, y0, x1, y1, word in words(forms[name], page):
            assert 24.9 <= x0 and x1 <= 190.1 and 5 <= y0 and y1 <= 292, (word, round(x0, 1), round(x1, 1))


def test_long_choice_lists_wrap_inside_the_margin(make_config, tmp_path):
    cfg = make_config('[lijsten]\ncategorieen = ["een heel erg lange categorie", "nog een lange categorie", '
                      '"installatie en onderhoud", "facturering en betaling", "anders"]\n')
    target = tmp_path / "f.pdf"
    write_pdf(form_job(cfg, target))
    assert {"lange", "facturering", "anders"} <= {w[4] for w in words(target)}
    assert all(x0 >= 24.9 and x1 <= 190.1 for x0, _, x1, _, _ in words(target))
