"""The public boundary through real `klachten site` builds: every hiding place of a personal
value in a built file stops the build and names the file; the privacy variants in published
register text; a complaint anonymised last week; the guard runs after every other plugin; and
`controleer` reports published text that holds a personal value (publiek_persoonsgegeven)."""

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import ROOT, complaint, own_docs_dir

PEIL = dt.date(2026, 11, 21)
NAME, EMAIL, PHONE, POSTCODE = "Johanna Verbeek-Smit", "johanna.verbeek@privemail.nl", "06-12345678", "3581 KL"


def closed(**values) -> list:
    """A complaint decided in 2026 (so the year report lists its Maatregel)."""
    base = dict(complaint_no="K2026-001", name=NAME, email=EMAIL, phone=PHONE, postcode=POSTCODE,
                received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3), decided=dt.date(2026, 3, 12),
                status="afgehandeld", outcome="gegrond")
    return complaint(**(base | values))


@pytest.fixture
def docs(tmp_path, monkeypatch) -> Path:
    """The site/ folder of a checkout of our own (mkdocs.yml pointing at it)."""
    return own_docs_dir(tmp_path, monkeypatch)


def site(cfg, peildatum: dt.date = PEIL):
    return CliRunner().invoke(app, ["site", "--demo", "--peildatum", peildatum.isoformat(), "--config", str(cfg.path)])


# -- the seven hiding places of the privacy report ------------------------------------------------
def jpeg_with_xp_tags(comment: str, author: str) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x9C9C] = (comment + "\x00").encode("utf-16-le")  # XPComment
    exif[0x9C9D] = (author + "\x00").encode("utf-16-le")  # XPAuthor
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def pdf(bookmark: str | None = None, attachment: tuple[str, bytes] | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if bookmark:
        writer.add_outline_item(title=bookmark, page_number=0)
    if attachment:
        writer.add_attachment(*attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


HIDING_PLACES = {
    "address in angle brackets (.txt)": ("contact.txt", f"Mail ons gerust: <{EMAIL}>\n".encode()),
    "address in angle brackets (.csv)": ("adressen.csv", f"naam;adres\nklant;<{EMAIL}>\n".encode()),
    "HTML comment": ("bericht.html", f"<html><body><!-- terugbellen: {NAME} --><p>Welkom</p></body></html>".encode()),
    "data attribute": ("kaart.html", f'<html><body><div data-klant="{NAME}">Kaart</div></body></html>'.encode()),
    "UTF-32 text file": ("lijst.txt", f"Klant: {NAME}\n".encode("utf-32")),
    "UTF-32 without byte order mark": ("lijst-le.txt", f"Klant: {NAME}\n".encode("utf-32-le")),
    "JPEG EXIF XPComment/XPAuthor": ("foto.jpg", jpeg_with_xp_tags(f"Bij {NAME} thuis", NAME)),
    "PDF bookmark": ("folder.pdf", pdf(bookmark=f"Brief aan {NAME}")),
    "file attached inside a PDF": ("bijlage.pdf", pdf(attachment=("klant.txt", f"{NAME}, {PHONE}".encode()))),
}


@pytest.mark.parametrize("place", list(HIDING_PLACES))
def test_each_hiding_place_stops_the_build_and_names_the_file(place, make_config, docs, tmp_path):
    name, content = HIDING_PLACES[place]
    cfg = make_config(rows=[closed()])
    (docs / name).write_bytes(content)
    result = site(cfg)
    assert result.exit_code != 0, (place, result.output)
    assert "Privacybewaking: persoonsgegevens uit het register staan in de gebouwde site" in result.output
    assert name in result.output, result.output
    assert not (tmp_path / "public").exists()


def test_the_same_files_without_personal_data_are_published(make_config, docs, tmp_path):
    cfg = make_config(rows=[closed()])
    (docs / "foto.jpg").write_bytes(jpeg_with_xp_tags("Onze werkplaats", "Fotograaf van de zaak"))
    (docs / "folder.pdf").write_bytes(pdf(bookmark="Openingstijden", attachment=("tarieven.txt", b"Voorrijkosten 45 euro")))
    (docs / "lijst.txt").write_bytes("Openingstijden: maandag tot en met vrijdag\n".encode("utf-32"))
    (docs / "kaart.html").write_text('<div data-plaats="Werkplaats">Kaart</div><!-- nieuw -->', encoding="utf-8")
    result = site(cfg)
    assert result.exit_code == 0, result.output
    out = tmp_path / "public"
    assert (out / "foto.jpg").read_bytes() == (docs / "foto.jpg").read_bytes()
    assert (out / "folder.pdf").is_file() and (out / "kaart.html").is_file()


def test_a_file_the_guard_cannot_read_completely_stops_the_build(make_config, docs, tmp_path):
    cfg = make_config(rows=[closed()])
    good = pdf(attachment=("klant.txt", b"Voorrijkosten"))
    (docs / "kapot.pdf").write_bytes(good[: len(good) // 2])  # cut off halfway
    result = site(cfg)
    assert result.exit_code != 0
    assert "Privacybewaking: 'kapot.pdf'" in result.output and "de site is niet gepubliceerd" in result.output
    assert not (tmp_path / "public").exists()


# -- privacy variants in published register text (the Maatregel on the year report) ---------------
VARIANTS = {
    "no-break space": "Excuses aan Johanna\u00a0Verbeek-Smit gemaakt",
    "zero-width characters": "Excuses aan Jo\u200bhanna Ver\u200dbeek\u2060-Smit gemaakt",
    "accents": "Excuses aan Jóhanna Vèrbeek-Smït gemaakt",
    "case": "EXCUSES AAN JOHANNA VERBEEK-SMIT GEMAAKT",
    "phone +31": "Teruggebeld op +31 6 12345678",
    "phone 0031": "Teruggebeld op 0031 6 1234 5678",
    "phone (0)6": "Teruggebeld op +31 (0)6-1234 5678",
    "postcode without space": "Monteur gestuurd naar 3581KL",
    "postcode with space": "Monteur gestuurd naar 3581 kl",
    "name split by markup": "Excuses aan Johanna Ver<b>beek</b>-Smit gemaakt",
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_privacy_variants_in_published_text_stop_the_build(variant, make_config, tmp_path):
    rows = [closed(), closed(complaint_no="K2026-002", name="Kees Anders", email="kees@anders.example", phone="",
                            postcode="", measure=VARIANTS[variant])]
    cfg = make_config(rows=rows)
    result = site(cfg)
    assert result.exit_code != 0, (variant, result.output)
    assert "jaarverslagen/2026/index.html" in result.output, result.output
    assert "van rij 2" in result.output  # the value is Johanna's (row 2), though Kees's row published it
    assert not (tmp_path / "public").exists()


def test_a_name_split_by_markup_on_an_own_page_stops_the_build(make_config, docs):
    cfg = make_config(rows=[closed()])
    (docs / "over-ons.md").write_text("# Over ons\n\nMet dank aan mevrouw Ver**beek**-<span>Smit</span>.\n",
                                      encoding="utf-8")
    result = site(cfg)
    assert result.exit_code != 0 and "over-ons/index.html" in result.output, result.output


def test_a_complaint_anonymised_last_week_is_still_caught(make_config, docs, tmp_path):
    """Anonymised a week before the build: the register no longer holds the name, the site does."""
    rows = [closed(complaint_no="K2019-001", received=dt.date(2019, 3, 4), acknowledged=dt.date(2019, 3, 5),
                   decided=dt.date(2019, 3, 15))]
    cfg = make_config(rows=rows)
    last_week = PEIL - dt.timedelta(days=7)
    done = CliRunner().invoke(app, ["anonimiseer", "--uitvoeren", "--peildatum", last_week.isoformat(),
                                    "--config", str(cfg.path)])
    assert done.exit_code == 0 and "Geanonimiseerd: K2019-001" in done.stdout, done.output
    (docs / "bedankt.md").write_text(f"# Bedankt\n\nDank aan {NAME} voor de tip.\n", encoding="utf-8")
    result = site(cfg)
    assert result.exit_code != 0, result.output
    assert "bedankt/index.html" in result.output and "een gegeven van een geanonimiseerde klacht" in result.output
    (docs / "bedankt.md").write_text("# Bedankt\n\nDank aan iedereen voor de tips.\n", encoding="utf-8")
    assert site(cfg).exit_code == 0


# -- the guard runs last ---------------------------------------------------------------------------
def test_a_plugin_listed_after_ours_cannot_escape_the_guard(make_config, tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort
    from mkdocs.plugins import BasePlugin

    from register.check import check_register

    class LateWriter(BasePlugin):
        """Writes a file into the built site in its own on_post_build (default priority)."""

        def on_post_build(self, *, config):
            Path(config.site_dir, "laat.txt").write_text(f"Geschreven na de bouw: {NAME}\n", encoding="utf-8")

    cfg = make_config(rows=[closed()])
    mk = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    mk.plugins["klachten"].provide(cfg, check_register(cfg, PEIL), demo=True)
    mk.plugins["laat"] = LateWriter()  # listed after ours
    names = [getattr(m, "__self__", None).__class__.__name__ for m in mk.plugins.events["post_build"]]
    assert names.index("LateWriter") < names.index("KlachtenPlugin")
    with pytest.raises(Abort, match=r"in laat\.txt"):
        build(mk)
    assert not (tmp_path / "out").exists()


# -- controleer: published text is checked where it enters ---------------------------------------------
def test_controleer_reports_a_personal_value_in_a_published_cell(make_config):
    rows = [closed(), closed(complaint_no="K2026-002", name="Kees Anders", email="kees@anders.example", phone="",
                            postcode="", measure="Excuses aan Johanna Verbeek gemaakt, mail naar johanna.verbeek@privemail.nl")]
    cfg = make_config(rows=rows)
    result = CliRunner().invoke(app, ["controleer", "--json", "--peildatum", PEIL.isoformat(), "--config", str(cfg.path)])
    assert result.exit_code == 1, result.output
    found = [f for f in json.loads(result.stdout)["fouten"] if f["code"] == "publiek_persoonsgegeven"]
    from register.schema import COLUMNS, column_letter

    column = column_letter([c.key for c in COLUMNS].index("measure"))
    assert found == [{
        "cel": f"{column}3", "klachtnummer": "K2026-002", "ernst": "fout", "code": "publiek_persoonsgegeven",
        "melding": "de Maatregel komt op de website maar bevat een persoonsgegeven: de Naam van rij 2 (en 1 andere)",
        "hint": "schrijf de tekst zonder namen, adressen, telefoonnummers of e-mailadressen; "
                "de website wordt anders niet gebouwd",
    }]
    assert "verbeek" not in found[0]["melding"].lower()  # the finding names the cell, never the value


def test_the_representatives_name_and_email_are_personal_on_the_public_side(make_config, docs, tmp_path):
    # Derived from the schema's personal flag: controleer and the built-output guard both catch them.
    rows = [closed(representative="Gerrit Raadsman-Dijkstra", representative_email="g.dijkstra@kantoorpost.nl"),
            closed(complaint_no="K2026-002", name="Kees Anders", email="", phone="", postcode="",
                   measure="Besproken met Gerrit Raadsman-Dijkstra")]
    cfg = make_config(rows=rows)
    result = CliRunner().invoke(app, ["controleer", "--json", "--peildatum", PEIL.isoformat(), "--config", str(cfg.path)])
    found = [f["melding"] for f in json.loads(result.stdout)["fouten"] if f["code"] == "publiek_persoonsgegeven"]
    assert found == ["de Maatregel komt op de website maar bevat een persoonsgegeven: de Vertegenwoordiger van rij 2"]

    cfg = make_config(rows=rows[:1])
    (docs / "contact.txt").write_text("Vragen? Mail g.dijkstra@kantoorpost.nl\n", encoding="utf-8")
    built = site(cfg)
    assert built.exit_code != 0, built.output
    assert "Privacybewaking" in built.output and "contact.txt" in built.output
    assert not (tmp_path / "public").exists()


def test_controleer_reports_a_personal_value_in_a_published_config_text(make_config):
    from tests.conftest import BASE_TOML

    cfg = make_config(rows=[closed()], base=BASE_TOML.replace('naam = "Testbedrijf B.V."',
                                                              'naam = "Testbedrijf B.V. (vraag naar 06 1234 5678)"'))
    result = CliRunner().invoke(app, ["controleer", "--json", "--peildatum", PEIL.isoformat(), "--config", str(cfg.path)])
    found = [f for f in json.loads(result.stdout)["fouten"] if f["code"] == "publiek_persoonsgegeven"]
    assert [(f["cel"], f["melding"]) for f in found] == [(
        "klachten.toml: organisatie.naam",
        "de instelling organisatie.naam komt op de website maar bevat een persoonsgegeven: de Telefoon van rij 2")]


def test_ordinary_published_text_gives_no_finding(make_config):
    rows = [closed(measure="Monteurs bellen voortaan een dag vooraf; planning aangepast"),
            closed(complaint_no="K2026-002", name="Kees Anders", email="", phone="", postcode="",
                   measure="Smit en Zonen leveren de onderdelen sneller")]  # 'smit' alone is too short
    cfg = make_config(rows=rows)
    result = CliRunner().invoke(app, ["controleer", "--json", "--peildatum", PEIL.isoformat(), "--config", str(cfg.path)])
    assert "publiek_persoonsgegeven" not in result.stdout, result.stdout


def test_what_may_be_published_is_one_declaration():
    """The year report publishes exactly the declared columns, and none of them is personal."""
    import inspect

    import generator.site.jaarverslag as jaarverslag
    from register.boundary import PUBLISHED_TEXT_KEYS
    from register.schema import PERSONAL_KEYS

    assert PUBLISHED_TEXT_KEYS and not set(PUBLISHED_TEXT_KEYS) & set(PERSONAL_KEYS)
    source = inspect.getsource(jaarverslag)
    assert 'reg.text("measure")' not in source and "PUBLISHED_TEXT_KEYS" in source


# -- every other channel, file by file (the guard's reader without a build) ---------------------------
def pdf_with(annotation: str = "", metadata: str = "", field: str = "") -> bytes:
    from pypdf import PdfWriter
    from pypdf.annotations import FreeText
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if annotation:
        writer.add_annotation(0, FreeText(text=annotation, rect=(50, 550, 200, 650)))
    if metadata:
        writer.add_metadata({"/Author": metadata})
    if field:
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): DictionaryObject(
            {NameObject("/V"): TextStringObject(field)})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_data_uri(text: str) -> str:
    import base64

    from tests.test_site_privacy import png_with_text

    return "data:image/png;base64," + base64.b64encode(png_with_text(text)).decode()


def zip_with_comment(comment: str) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("leeg.txt", "niets")
        archive.comment = comment.encode()
    return out.getvalue()


CHANNELS = {
    "PDF annotation": ("opmerking.pdf", lambda: pdf_with(annotation=f"Gesproken met {NAME}")),
    "PDF metadata": ("meta.pdf", lambda: pdf_with(metadata=NAME)),
    "PDF form field": ("formulier.pdf", lambda: pdf_with(field=EMAIL)),
    "CSS escape": ("stijl.css", lambda: b'.x::after { content: "johanna.verbeek\\40 privemail.nl"; }'),
    "JavaScript escape": ("app.js", lambda: b'const a = "johanna.verbeek\\u0040privemail\\x2enl";'),
    "script with comparisons": ("script.html", lambda: f"<script>if (a<b && {NAME!r}>c) {{}}</script>".encode()),
    "percent-escaped link": ("link.html", lambda: b'<a href="mailto:johanna.verbeek%40privemail.nl">mail</a>'),
    "PNG in a data URI": ("logo.html", lambda: f'<img src="{png_data_uri(NAME)}">'.encode()),
    "SVG title": ("icoon.svg", lambda: f'<svg xmlns="http://www.w3.org/2000/svg"><title>{NAME}</title></svg>'.encode()),
    "UTF-16 without BOM": ("lijst16.txt", lambda: f"Klant {NAME}".encode("utf-16-le")),
    "UTF-8 with BOM": ("bom.txt", lambda: f"Klant {NAME}".encode("utf-8-sig")),
    "zip comment": ("map.zip", lambda: zip_with_comment(NAME)),
    "escaped markup in text": ("tekst.html", lambda: b"<p>Ver&lt;b&gt;beek-Smit</p>"),
}


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_the_guard_reads_every_channel(channel, tmp_path):
    from generator.site.privacy import find_leaks

    name, make = CHANNELS[channel]
    site_dir = tmp_path / "gebouwd"
    site_dir.mkdir()
    (site_dir / name).write_bytes(make())
    values = {"name": ([NAME], [2]), "email": ([EMAIL], [2])}
    assert {leak.file for leak in find_leaks(site_dir, values)} == {name}, channel


def test_utf16_and_binary_noise_are_told_apart():
    from generator.site.privacy import Unreadable, texts

    with pytest.raises(Unreadable, match="'ruis.bin' is een bestandstype"):
        list(texts(b"\x00\x9f\x92\x96" * 64, "ruis.bin"))
    assert "Johanna" in "".join(texts("Johanna".encode("utf-32-be"), "be.txt"))


def test_six_words_of_one_free_text_are_caught_but_not_across_two(tmp_path):
    from generator.site.privacy import find_leaks

    values = {"description": (["gisteren liet de monteur de voordeur open staan",
                               "toen kwam de hond naar binnen rennen zonder riem"], [2, 3])}
    site_dir = tmp_path / "gebouwd"
    site_dir.mkdir()
    (site_dir / "a.html").write_text("<p>de hond naar binnen rennen</p>", encoding="utf-8")  # five words
    (site_dir / "b.html").write_text("<p>voordeur open staan toen kwam de</p>", encoding="utf-8")  # across two values
    assert find_leaks(site_dir, values) == []
    (site_dir / "c.html").write_text("<p>Liet de monteur de voordeur open</p>", encoding="utf-8")  # one run of six
    leaks = find_leaks(site_dir, values)
    assert [(leak.file, leak.column, leak.row) for leak in leaks] == [("c.html", "description", 2)]
    (site_dir / "d.html").write_text("<p>de hond naar binnen rennen zonder</p>", encoding="utf-8")
    assert {(leak.file, leak.row) for leak in find_leaks(site_dir, values)} == {("c.html", 2), ("d.html", 3)}


def test_theme_copies_are_known_by_their_package_record_wherever_the_venv_lives(tmp_path):
    """A built file identical to what mkdocs-material shipped is skipped (also with .venv inside
    the checkout, as here); the same file changed by one byte, or a file of our own theme, is not."""
    import material

    from generator.site.privacy import package_copies

    theme = Path(material.__file__).parent / "templates"
    script = next(p for p in sorted((theme / "assets" / "javascripts").glob("bundle.*.min.js")))
    rel = script.relative_to(theme).as_posix()
    site_dir = tmp_path / "gebouwd"
    (site_dir / rel).parent.mkdir(parents=True)
    shutil.copy2(script, site_dir / rel)
    (site_dir / "assets" / "extra.css").write_bytes((ROOT / "site" / "assets" / "extra.css").read_bytes())
    dirs = [str(ROOT / "templates" / "theme"), str(theme)]
    assert package_copies(site_dir, dirs) == {rel}
    (site_dir / rel).write_bytes(script.read_bytes() + b"\n// Johanna Verbeek-Smit")
    assert package_copies(site_dir, dirs) == frozenset()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "at", "dot", "x" * 50, "0031", "6", "12345678", "jan"]), max_size=30),
       st.integers(1, 80))
def test_candidates_are_every_run_of_up_to_eight_words(page_words, max_chars):
    """The vectorised candidates equal the plain definition."""
    from register.personal import SPELLED, candidates, canonical_phone

    expected: set[str] = set()
    spelled = [w for w in page_words if w not in SPELLED]
    for sequence in (page_words, spelled):
        expected.update(sequence)
        for i in range(len(sequence)):
            for j in range(i + 2, min(i + 8, len(sequence)) + 1):
                if len("".join(sequence[i:j])) <= max_chars:
                    expected.add("".join(sequence[i:j]))
    expected.update(canonical_phone(c) for c in list(expected) if c.isdigit() and 11 <= len(c) <= 15)
    assert candidates(page_words, max_chars) == expected
