"""The private store: permissions whatever the umask, the manifest, adoption, retention and
inzage by manifest, inzage by person."""

import datetime as dt
import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from generator.app.cli import app
from register.store import MANIFEST, PrivateStore
from tests.conftest import complaint
from tests.smtp_servers import smtp_server

runner = CliRunner()
PEIL = "2026-11-21"
CLOSED = dict(status="afgehandeld", outcome="ongegrond", motivation="De afspraak is nagekomen.")


def run(cfg, *args):
    return runner.invoke(app, [*args, "--config", str(cfg.path)])


def mail_toml(port: int) -> str:
    return (f'[mail]\nhost = "127.0.0.1"\npoort = {port}\nbeveiliging = "geen"\n'
            f'afzender = "nacht@testbedrijf.example"\ntimeout_seconden = 2\n')


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def rows_two_people():
    return [
        # Anna Zwartveld: closed 3 March 2025, retention (1 jaar) expired 3 March 2026
        complaint(complaint_no="K2024/005", received=dt.date(2025, 2, 24), name="Anna Zwartveld",
                  email="anna@zwartveld.example", phone="06-11112222", address="Klaagweg 3",
                  acknowledged=dt.date(2025, 2, 25), decided=dt.date(2025, 3, 3), **CLOSED),
        complaint(complaint_no="K2026-010", received=dt.date(2026, 11, 10), name="Johanna Verbeek",
                  email="johanna@verbeek.example", acknowledged=dt.date(2026, 11, 11),
                  decided=dt.date(2026, 11, 19), **CLOSED),
        complaint(complaint_no="K2026-011", received=dt.date(2026, 11, 12), name="Kees Anders",
                  email="kees@anders.example"),
    ]


def modes(cfg) -> dict[str, str]:
    """Every file and folder in the private folders that is not 0600/0700, with its mode."""
    wrong = {}
    for root in (cfg.private_dir(), cfg.letters_dir()):
        assert root.is_dir()
        for path in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode != (0o700 if path.is_dir() else 0o600):
                wrong[str(path)] = oct(mode)
    return wrong


def test_every_private_file_is_0600_and_every_folder_0700_under_umask_022(make_config, umask_022):
    with smtp_server() as (handler, port):
        cfg = make_config(rows=rows_two_people(), extra=mail_toml(port))
        assert run(cfg, "brieven", "--peildatum", PEIL, "--processen", "1").exit_code in (0, 1)
        assert run(cfg, "inzage", "K2026-010", "--peildatum", PEIL).exit_code == 0
        analysed = run(cfg, "analyse", "--periode", "2026-H2", "--vastleggen", "--peildatum", PEIL)
        assert analysed.exit_code == 0, analysed.output
        night = run(cfg, "nachtrun", "--peildatum", PEIL)
        assert night.exit_code == 0, night.output
        assert handler.messages  # the digest was really sent
    assert list(cfg.letters_dir().glob("*.pdf"))
    assert list((cfg.private_dir() / "inzage").glob("*.zip"))
    assert list((cfg.private_dir() / "analyse").glob("*.pdf"))
    assert list(cfg.backups_dir().glob("*.csv"))
    assert modes(cfg) == {}
    # Everything the commands wrote is in the manifest.
    assert PrivateStore(cfg).unknown() == []


def test_the_manifest_says_whose_data_each_file_holds(make_config):
    cfg = make_config(rows=rows_two_people())
    assert run(cfg, "brief", "K2026-010", "standpunt", "--peildatum", PEIL).exit_code == 0
    assert run(cfg, "inzage", "kees@anders.example", "--peildatum", PEIL).exit_code == 0
    manifest = json.loads((cfg.private_dir() / MANIFEST).read_text(encoding="utf-8"))["bestanden"]
    letter = str(cfg.letters_dir() / "K2026-010_standpunt.pdf")
    assert manifest[letter.removeprefix(str(cfg.private_dir()) + "/")] == ["K2026-010"]
    assert manifest["inzage/inzage-2026-11-21_K2026-011.zip"] == ["K2026-011"]
    assert manifest["inzage.log"] == []


def test_an_existing_private_folder_is_adopted_once(make_config):
    cfg = make_config(rows=rows_two_people())
    assert run(cfg, "brief", "K2026-010", "standpunt", "--peildatum", PEIL).exit_code == 0
    # As an older version left it: no manifest, readable for everyone, a mail in the outbox.
    (cfg.private_dir() / MANIFEST).unlink()
    outbox = cfg.outbox_dir()
    outbox.mkdir(parents=True)
    (outbox / "2026-11-20_eigenaar.eml").write_text("Subject: x\n\nNieuw: K2026-011 van Kees Anders\n")
    for path in [cfg.private_dir(), *cfg.private_dir().rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    first = run(cfg, "controleer", "--peildatum", PEIL)
    assert first.stderr.splitlines()[0] == ("Privémap overgenomen: 2 bestanden in het manifest (manifest.json), "
                                            "rechten aangescherpt (mappen 0700, bestanden 0600).")
    assert "niet in het manifest" not in first.stdout
    assert modes(cfg) == {}
    entries = {p.name: held for p, held in PrivateStore(cfg).entries().items()}
    assert entries == {"K2026-010_standpunt.pdf": ["K2026-010"], "2026-11-20_eigenaar.eml": ["K2026-011"]}
    second = run(cfg, "controleer", "--peildatum", PEIL)
    assert "Privémap overgenomen" not in second.stderr


def test_controleer_names_a_private_file_the_manifest_does_not_know(make_config):
    cfg = make_config(rows=rows_two_people())
    assert run(cfg, "brief", "K2026-010", "standpunt", "--peildatum", PEIL).exit_code == 0
    (cfg.private_dir() / "notities.txt").write_text("Kees belde terug\n", encoding="utf-8")
    result = run(cfg, "controleer", "--peildatum", PEIL)
    lines = [line for line in result.stdout.splitlines() if "manifest" in line]
    assert lines == ["Let op: 1 bestand in de privémap staat niet in het manifest (notities.txt); anonimiseren en "
                     "inzage weten niet wiens gegevens erin staan: verplaats of verwijder wat niet van klachten is."]


def _text(path: Path) -> str:
    """A file's text with zips and PDFs opened (independent of the store's own reader)."""
    raw = path.read_bytes()
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            parts = []
            for name in zf.namelist():
                data = zf.read(name)
                parts.append(name)
                if data[:5] == b"%PDF-":
                    parts += [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
                else:
                    parts.append(data.decode("utf-8", "replace"))
            return "\n".join(parts)
    if raw[:5] == b"%PDF-":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(raw)).pages)
    return raw.decode("utf-8", "replace")


def test_after_anonymising_no_file_outside_the_backups_holds_the_person(make_config):
    rows = rows_two_people() + [
        complaint(complaint_no="K2024/006", received=dt.date(2025, 2, 26), name="Anna Zwartveld",
                  email="anna@zwartveld.example", acknowledged=dt.date(2025, 2, 27), decided=dt.date(2025, 3, 3),
                  **CLOSED)]
    cfg = make_config(rows=rows)
    # While Anna's complaints were still kept: her letter, an access package (K2024/005 in the
    # name as K2024-005) and the half-year analysis that lists her as a returning complainant.
    assert run(cfg, "brief", "K2024/005", "standpunt", "--peildatum", "2025-03-04").exit_code == 0
    assert run(cfg, "inzage", "K2024/005", "--peildatum", "2025-03-04").exit_code == 0
    package = cfg.private_dir() / "inzage" / "inzage-2025-03-04_K2024-005_K2024-006.zip"
    assert "Anna Zwartveld" in _text(package)
    assert run(cfg, "analyse", "--periode", "2025-H1", "--peildatum", "2025-07-02").exit_code == 0
    report = cfg.private_dir() / "analyse" / "klachtenanalyse-2025-H1.pdf"
    assert "Zwartveld" in _text(report)
    assert run(cfg, "brief", "K2026-010", "standpunt", "--peildatum", PEIL).exit_code == 0
    result = run(cfg, "anonimiseer", "--uitvoeren", "--peildatum", PEIL)
    assert result.exit_code == 0, result.output
    assert "Geanonimiseerd: K2024/005, K2024/006" in result.stdout
    assert not package.exists() and not report.exists()
    assert (cfg.letters_dir() / "K2026-010_standpunt.pdf").exists()  # another person's letter stays
    backups = cfg.backups_dir()
    leftovers = []
    for root in (cfg.private_dir(), cfg.letters_dir()):
        for path in root.rglob("*"):
            if path.is_file() and backups not in path.parents and path.name != "register.xlsx":
                text = _text(path).casefold()
                if "zwartveld" in text or "anna@zwartveld.example" in text:
                    leftovers.append(path.name)
    assert leftovers == []


# -- inzage by person ---------------------------------------------------------------------------------
def family_rows():
    return [
        complaint(complaint_no="K2026-060", received=dt.date(2026, 11, 2), name="Piet de Vries",
                  email="info@gezin.example", phone="06-12345678",
                  description="@SUM(A1:A2) de monteur kwam niet"),
        complaint(complaint_no="K2026-061", received=dt.date(2026, 11, 3), name="Anna de Vries",
                  email="info@gezin.example", description="Lekkage bij de buren van Anna"),
        complaint(complaint_no="K2026-062", received=dt.date(2026, 11, 4), name="piet  DE vriés",
                  email="piet@werk.example", phone="+31 6 12345678", description="\uff1d1+1 en +cmd"),
        complaint(complaint_no="K2026-063", received=dt.date(2026, 11, 5), name="Piet de Vries",
                  email="ander@adres.example", description="Een andere Piet de Vries"),
    ]


def _package(cfg, stdout: str) -> tuple[str, list[dict]]:
    path = Path(stdout.splitlines()[0].removeprefix("Inzagepakket gemaakt: "))
    with zipfile.ZipFile(path) as zf:
        return (zf.read("klachtregister.csv").decode("utf-8-sig"), json.loads(zf.read("klachtregister.json")))


def test_inzage_holds_nothing_of_another_person_with_the_same_email(make_config):
    cfg = make_config(rows=family_rows())
    result = run(cfg, "inzage", "K2026-060", "--peildatum", PEIL)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "  2 klachten (K2026-060, K2026-062), 0 brieven; geef het bestand alleen aan de klager zelf.",
        "Niet opgenomen: K2026-061 (zelfde e-mailadres of telefoonnummer, andere naam); neem deze klacht alleen "
        "op met --ook K2026-061 als ze van deze persoon is."]
    csv_text, records = _package(cfg, result.stdout)
    assert [r["Klachtnummer"] for r in records] == ["K2026-060", "K2026-062"]  # case, spaces and accents aside
    assert "Anna" not in csv_text and "Lekkage" not in csv_text and "K2026-061" not in csv_text
    assert "K2026-063" not in csv_text  # the same name, but nothing else in common
    lines = csv_text.splitlines()
    assert ";'@SUM(A1:A2) de monteur kwam niet;" in lines[1] and ";'\uff1d1+1 en +cmd;" in lines[2]
    assert [r["Omschrijving"] for r in records] == ["'@SUM(A1:A2) de monteur kwam niet", "'\uff1d1+1 en +cmd"]


def test_inzage_includes_a_left_out_complaint_only_when_named(make_config):
    cfg = make_config(rows=family_rows())
    result = run(cfg, "inzage", "K2026-060", "--ook", "K2026-061", "--peildatum", PEIL)
    assert result.exit_code == 0, result.output
    _, records = _package(cfg, result.stdout)
    assert [r["Klachtnummer"] for r in records] == ["K2026-060", "K2026-061", "K2026-062"]
    assert "Niet opgenomen" not in result.stdout
    unknown = run(cfg, "inzage", "K2026-060", "--ook", "K2026-999", "--peildatum", PEIL)
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "Fout: --ook: klachtnummer K2026-999 staat niet in het register"


def test_inzage_by_a_shared_email_asks_for_the_number(make_config):
    cfg = make_config(rows=family_rows())
    result = run(cfg, "inzage", "INFO@gezin.example", "--peildatum", PEIL)
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Fout: dit e-mailadres staat bij klachten van verschillende personen "
                                     "(K2026-060, K2026-061); vraag de inzage aan met het klachtnummer van de klager")
    alone = run(cfg, "inzage", "piet@werk.example", "--peildatum", PEIL)
    assert alone.exit_code == 0
    _, records = _package(cfg, alone.stdout)
    assert [r["Klachtnummer"] for r in records] == ["K2026-060", "K2026-062"]  # the phone number links them


def test_inzage_collects_letters_by_manifest_not_by_name(make_config):
    cfg = make_config(rows=family_rows())
    assert run(cfg, "brief", "K2026-061", "ontvangstbevestiging", "--peildatum", PEIL).exit_code == 0
    assert run(cfg, "brief", "K2026-060", "ontvangstbevestiging", "--peildatum", PEIL).exit_code == 0
    result = run(cfg, "inzage", "K2026-060", "--peildatum", PEIL)
    path = Path(result.stdout.splitlines()[0].removeprefix("Inzagepakket gemaakt: "))
    with zipfile.ZipFile(path) as zf:
        assert sorted(n for n in zf.namelist() if n.startswith("brieven/")) == \
            ["brieven/K2026-060_ontvangstbevestiging.pdf"]


def test_controleer_json_lists_the_private_files_the_manifest_does_not_know(make_config):
    import json

    cfg = make_config(rows=rows_two_people())
    clean = json.loads(run(cfg, "controleer", "--json", "--peildatum", PEIL).stdout)
    assert clean["onbekende_bestanden"] == []
    assert list(clean)[:3] == ["fouten", "signalen", "herinneringen"]  # the existing keys stay as they were
    assert run(cfg, "brief", "K2026-010", "standpunt", "--peildatum", PEIL).exit_code == 0
    (cfg.private_dir() / "notities.txt").write_text("Kees belde terug\n", encoding="utf-8")
    (cfg.private_dir() / "oud").mkdir()
    (cfg.private_dir() / "oud" / "lijst.csv").write_text("naam\nKees\n", encoding="utf-8")
    result = run(cfg, "controleer", "--json", "--peildatum", PEIL)
    data = json.loads(result.stdout)  # still exactly one JSON object, no line of text around it
    assert data["onbekende_bestanden"] == ["notities.txt", "oud/lijst.csv"]
    assert "manifest" not in result.stdout.replace('"onbekende_bestanden"', "")
