"""The privacy guard: normalised comparison, remembered hashes and every file type."""

import datetime as dt
import gzip
import io
import random
import shutil
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.app.cli import app
from generator.site.build import build_site
from generator.site.privacy import REMEMBERED, Unreadable, find_leaks, texts
from register.errors import SiteError
from register.personal import COMMON_WORDS, HASH_FILE, KEY_FILE
from tests.conftest import complaint, own_docs_dir

PEIL = dt.date(2026, 11, 21)

PERSON = {
    "name": "Johanna Verbeek-Smit", "address": "Kastanjelaan 14", "postcode": "3581 KL", "city": "Zeist",
    "email": "johanna.verbeek@privemail.nl", "phone": "06-12345678",
    "description": "De monteur liet de voordeur van de woning de hele middag openstaan",
}
OTHER = {"name": "Renée Daniëlsen"}


def columns_of(*people: dict) -> dict:
    columns: dict[str, tuple[list[str], list[int]]] = {}
    for row, person in enumerate(people, start=2):
        for key, value in person.items():
            values, rows = columns.setdefault(key, ([], []))
            values.append(value)
            rows.append(row)
    return columns


def leaks_in(folder: Path, files: dict[str, bytes | str], *people: dict):
    site = folder / "gebouwd"
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    for name, content in files.items():
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return find_leaks(site, columns_of(*(people or (PERSON, OTHER))))


def page(text: str) -> dict[str, str]:
    return {"index.html": f"<html><body><p>Excuses aangeboden aan {text} voor het ongemak.</p></body></html>"}


# -- variants from the hostile-input report ----------------------------------------------------
VARIANTS = {
    "double space": ("Johanna  Verbeek-Smit", "name"),
    "no-break space": ("Johanna\u00a0Verbeek-Smit", "name"),
    "tab": ("Johanna\tVerbeek-Smit", "name"),
    "soft hyphen": ("Jo\u00adhanna Ver\u00adbeek-Smit", "name"),
    "zero-width space": ("Johanna\u200bVerbeek\u200b-Smit", "name"),
    "accents added": ("Jóhanna Vèrbeek-Smït", "name"),
    "accents removed": ("Renee Danielsen", "name"),
    "full-width letters": ("\uff2a\uff4f\uff48\uff41\uff4e\uff4e\uff41 \uff36\uff45\uff52\uff42\uff45\uff45\uff4b", "name"),
    "upper case": ("JOHANNA VERBEEK-SMIT", "name"),
    "surname alone": ("mevrouw Verbeek", "name"),
    "surname as entity": ("mevrouw Verb&#101;ek", "name"),
    "phone without dash": ("tel. 0612345678", "phone"),
    "phone +31": ("+31 6 12345678", "phone"),
    "phone 0031": ("0031612345678", "phone"),
    "phone +31 (0)": ("+31 (0)6-1234 5678", "phone"),
    "phone in pairs": ("06 12 34 56 78", "phone"),
    "postcode without space": ("3581KL", "postcode"),
    "postcode lower case": ("3581 kl", "postcode"),
    "e-mail [at] [dot]": ("johanna.verbeek [at] privemail [dot] nl", "email"),
    "e-mail at": ("johanna.verbeek at privemail.nl", "email"),
    "e-mail (at)": ("johanna.verbeek(at)privemail.nl", "email"),
    "e-mail without domain": ("johanna.verbeek [at] privemail", "email"),
    "e-mail JSON-escaped": ("johanna.verbeek\\u0040privemail.nl", "email"),
    "woonplaats": ("een klant uit Zeist", "city"),
    "part of the omschrijving": ("wie liet de voordeur van de woning de hele dag open", "description"),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_guard_catches_each_variant(name, tmp_path):
    text, column = VARIANTS[name]
    files = {"search/search_index.json": f'{{"docs": [{{"text": "{text}"}}]}}'} if "JSON" in name else page(text)
    leaks = leaks_in(tmp_path, files)
    assert leaks, name
    assert column in {leak.column for leak in leaks}, (name, leaks)


@pytest.mark.parametrize("text", [
    "Smit en Zonen leverden de onderdelen",  # 'smit' is too short to prove a leak
    "De Verbeekstraat is afgesloten",  # a surname inside a longer word is not the surname
    "De monteur liet de voordeur openstaan",  # five words of the Omschrijving, not six
    "Ontvangen klachten 2024 12 2025 345 2026 678",  # figures from the cells of a table
    "Johanna kwam langs",  # a first name alone
    "Wij deden ons best in Zeistweg",  # a common word; a place name inside a street name
])
def test_guard_leaves_ordinary_text_alone(text, tmp_path):
    assert leaks_in(tmp_path, page(text)) == []


# -- property test: generated register values in generated disguises ---------------------------
LETTERS = "abcdefghijklmnoprstuvwyzéëèïöü"
ACCENTED = {"a": "á", "e": "é", "i": "ï", "o": "ö", "u": "ü", "n": "ñ", "c": "ç"}
CAUGHT = {"variants": 0}


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def soft_hyphens(text: str, rng: random.Random) -> str:
    return "".join(c + ("\u00ad" if c.isalpha() and rng.random() < 0.3 else "") for c in text)


def zero_width(text: str, rng: random.Random) -> str:
    return "".join(c + ("\u200b" if rng.random() < 0.2 else "") for c in text)


SPELLINGS = {  # how a value can be retyped; each keeps the value recognisable to a reader
    "spaces": lambda t, r: t.replace(" ", "  "),
    "nbsp": lambda t, r: t.replace(" ", "\u00a0"),
    "tabs": lambda t, r: t.replace(" ", "\t"),
    "soft hyphens": soft_hyphens,
    "zero-width": zero_width,
    "accents added": lambda t, r: "".join(ACCENTED.get(c, c) if r.random() < 0.5 else c for c in t),
    "accents removed": lambda t, r: fold(t),
    "full-width": lambda t, r: full_width(t),
    "upper": lambda t, r: t.upper(),
    "lower": lambda t, r: t.lower(),
    "title": lambda t, r: t.title(),
}
PHONE_FORMATS = [lambda d: f"06-{d}", lambda d: f"06{d}", lambda d: f"+31 6 {d}", lambda d: f"0031 6{d}",
                 lambda d: f"+31(0)6 {d[:4]} {d[4:]}", lambda d: f"06 {d[:2]} {d[2:4]} {d[4:6]} {d[6:]}",
                 lambda d: f"+316{d}"]
EMAIL_FORMATS = [lambda loc, dom: f"{loc}@{dom}.nl", lambda loc, dom: f"{loc} [at] {dom} [dot] nl",
                 lambda loc, dom: f"{loc} at {dom}.nl", lambda loc, dom: f"{loc}(at){dom}(dot)nl",
                 lambda loc, dom: f"{loc} @ {dom} . nl"]
surname = st.text(LETTERS, min_size=5, max_size=12).filter(lambda s: fold(s) not in COMMON_WORDS)
first = st.text(LETTERS, min_size=3, max_size=8)
word = st.text(LETTERS, min_size=2, max_size=9)


@st.composite
def register_value(draw):
    kind = draw(st.sampled_from(["name", "surname", "phone", "postcode", "email", "city", "description"]))
    digits = draw(st.text("0123456789", min_size=8, max_size=8))
    if kind in ("name", "surname"):
        name = f"{draw(first).title()} {draw(surname).title()}"
        return "name", name, (name if kind == "name" else name.split()[-1])
    if kind == "phone":
        return "phone", f"06-{digits}", draw(st.sampled_from(PHONE_FORMATS))(digits)
    if kind == "postcode":
        code = f"{draw(st.integers(1000, 9999))} {draw(st.text('ABCDEFGHJKLMNPRSTVWXZ', min_size=2, max_size=2))}"
        return "postcode", code, draw(st.sampled_from([code, code.replace(" ", ""), code.lower()]))
    if kind == "email":
        local, domain = f"{draw(first)}.{draw(surname)}", draw(surname)
        return "email", f"{local}@{domain}.nl", draw(st.sampled_from(EMAIL_FORMATS))(local, domain)
    if kind == "city":
        city = draw(surname).title() + draw(st.sampled_from(["", "dam", " aan Zee"]))
        return "city", city, city
    text = " ".join(draw(st.lists(word, min_size=6, max_size=14)))
    start = draw(st.integers(0, len(text.split()) - 6))
    return "description", text, " ".join(text.split()[start:start + 6 + draw(st.integers(0, 2))])


@given(value=register_value(), spellings=st.lists(st.sampled_from(list(SPELLINGS)), max_size=3),
       seed=st.integers(0, 2**32))
@settings(max_examples=400, deadline=None)
def test_guard_catches_generated_variants(value, spellings, seed):
    column, stored, published = value
    rng = random.Random(seed)
    for spelling in spellings:
        published = SPELLINGS[spelling](published, rng)
    with tempfile.TemporaryDirectory() as tmp:
        leaks = leaks_in(Path(tmp), page(published), {column: stored})
    assert leaks and leaks[0].column == column, (stored, published)
    CAUGHT["variants"] += 1


def test_report_generated_variants_caught():
    """Runs after the property test in file order; prints the figure for the lead."""
    print(f"\nprivacybewaking: {CAUGHT['variants']} gegenereerde varianten gevangen")


# -- every file type ---------------------------------------------------------------------------
def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, written by hand (no PDF library needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def xlsx_copy() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Klachtnummer", "Naam", "Telefoon"])
    wb.active.append(["K2026-001", "Johanna Verbeek-Smit", "06-12345678"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def tar_gz(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(name)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def png_with_text(text: str) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(b"\x00\x00\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"zTXt", b"Author\x00\x00" + zlib.compress(text.encode("latin-1")))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


LINE = "Johanna Verbeek-Smit, 06-12345678"
FILES = {
    "brief.pdf": minimal_pdf(LINE),
    "register-kopie.xlsx": xlsx_copy(),
    "brief.docx": zipped("word/document.xml", f"<w:document><w:p><w:r><w:t>{LINE}</w:t></w:r></w:p></w:document>".encode()),
    "export.tsv": f"K2026-001\t{LINE}\n",
    "klanten.yaml": f"- naam: {LINE}\n",
    "klant.vcf": "BEGIN:VCARD\nVERSION:3.0\nFN:Johanna Verbeek-Smit\nTEL:+31612345678\nEND:VCARD\n",
    "zonder-extensie": LINE,
    "register.XML.GZ": gzip.compress(f"<rij><naam>{LINE}</naam></rij>".encode()),
    "archief.tar.gz": tar_gz("klant.txt", LINE.encode()),
    "logo.png": png_with_text(LINE),
    "utf16.txt": LINE.encode("utf-16"),
    "cp1252.txt": "Renée Daniëlsen".encode("cp1252"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_guard_reads_every_file_type(name, tmp_path):
    assert leaks_in(tmp_path, {name: FILES[name]}), name


def test_guard_refuses_what_it_cannot_read(tmp_path):
    with pytest.raises(Unreadable, match="'geheim.bin' is een bestandstype dat de privacybewaking niet kan lezen"):
        leaks_in(tmp_path, {"geheim.bin": b"\x00\x01\x02 Johanna Verbeek-Smit \x00" * 10})
    with pytest.raises(Unreadable, match="'kapot.gz' is beschadigd of onleesbaar"):
        list(texts(b"\x1f\x8b\x08\x00garbage", "kapot.gz"))


def test_a_clean_pdf_and_image_pass(tmp_path):
    files = {"folder.pdf": minimal_pdf("Openingstijden: maandag tot en met vrijdag"), "logo.png": png_with_text("Logo")}
    assert leaks_in(tmp_path, files) == []


# -- end to end: files in site/, remembered complaints ------------------------------------------
def test_owner_files_in_site_dir_are_checked(make_config, tmp_path, monkeypatch):
    docs = own_docs_dir(tmp_path, monkeypatch)
    cfg = make_config(rows=[complaint(name="Johanna Verbeek-Smit", phone="06-12345678", received=dt.date(2026, 3, 2))])
    (docs / "folder.pdf").write_bytes(minimal_pdf("Openingstijden: maandag tot en met vrijdag"))
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)  # a clean PDF of the owner's is published
    assert (out / "folder.pdf").is_file()
    for name in ("brief.pdf", "klant.vcf", "register.XML.GZ"):
        (docs / name).write_bytes(FILES[name] if isinstance(FILES[name], bytes) else FILES[name].encode())
        with pytest.raises(SiteError) as err:
            build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
        assert f"in {name}" in str(err.value) and "bijvoorbeeld de kolom 'Naam' van rij 2" in str(err.value)
        assert not (tmp_path / "out").exists()
        (docs / name).unlink()
    (docs / "data.bin").write_bytes(b"\x00\x9f\x92\x96" * 64)
    with pytest.raises(SiteError) as err:
        build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    assert str(err.value) == (
        "website niet gebouwd: Privacybewaking: 'data.bin' is een bestandstype dat de privacybewaking niet kan "
        "lezen; de site is niet gepubliceerd. Verwijder het bestand uit docs/ of zet er een leesbare versie neer.")
    assert not (tmp_path / "out").exists()


def test_guard_remembers_anonymised_complaints(make_config, tmp_path):
    name = "Johanna Verbeek-Smit"
    rows = [complaint(complaint_no="K2024-001", name=name, phone="06-12345678", received=dt.date(2024, 3, 4),
                      acknowledged=dt.date(2024, 3, 5), decided=dt.date(2024, 3, 15), status="afgehandeld",
                      outcome="gegrond", measure=f"Excuses aangeboden aan {name} (06-12345678)")]
    cfg = make_config(rows=rows)
    with pytest.raises(SiteError, match="bijvoorbeeld de kolom 'Naam' van rij 2"):
        build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    done = CliRunner().invoke(app, ["anonimiseer", "--uitvoeren", "--peildatum", PEIL.isoformat(), "--config", str(cfg.path)])
    assert done.exit_code == 0, done.output
    assert "Geanonimiseerd: K2024-001" in done.stdout
    private = tmp_path / "private"
    kept = (private / HASH_FILE).read_text(encoding="ascii")
    assert "verbeek" not in kept.lower() and "12345678" not in kept and len(kept.split()) >= 5
    assert (private / KEY_FILE).stat().st_mode & 0o077 == 0
    with pytest.raises(SiteError) as err:
        build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    assert "bijvoorbeeld een gegeven van een geanonimiseerde klacht" in str(err.value)
    assert not (tmp_path / "out").exists()
    # The same text published by another installation (another key) is not recognised.
    (private / KEY_FILE).unlink()
    (private / HASH_FILE).unlink()
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    assert "Excuses aangeboden aan Johanna Verbeek-Smit" in (out / "jaarverslagen" / "2024" / "index.html").read_text()
    assert REMEMBERED == "een geanonimiseerde klacht"


def test_the_guard_skips_only_files_it_found_clean_under_the_same_register(tmp_path):
    """A warm rebuild scans only what changed: an unchanged file is skipped, a changed file or a
    changed register (another fingerprint) is scanned again."""
    from generator.site.guard_cache import CheckedFiles

    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text("<p>Jaarverslag</p>", encoding="utf-8")
    (site / "b.html").write_text("<p>Klachtenregeling</p>", encoding="utf-8")
    values = {"name": (["Johanna Verbeek"], [2])}
    checked = CheckedFiles(tmp_path / "cache", values, frozenset(), None)
    assert checked.unchanged(site, frozenset()) == frozenset()
    checked.remember(site, frozenset())
    assert checked.unchanged(site, frozenset()) == {"a.html", "b.html"}
    (site / "b.html").write_text("<p>Johanna Verbeek</p>", encoding="utf-8")
    assert CheckedFiles(tmp_path / "cache", values, frozenset(), None).unchanged(site, frozenset()) == {"a.html"}
    other = CheckedFiles(tmp_path / "cache", {"name": (["Kees Anders"], [2])}, frozenset(), None)
    assert other.unchanged(site, frozenset()) == frozenset()
