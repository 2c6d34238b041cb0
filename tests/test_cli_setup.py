"""`klachten init` asks what letters, site and mail need; `klachten config` names what is missing
per use; with "geen mail" the nightly run writes the digest to a file and says where."""

import datetime as dt
import stat
from pathlib import Path

from typer.testing import CliRunner

from generator.app.cli import app
from register.config import load_config
from register.demo import write_xlsx
from tests.conftest import HEADERS, complaint

runner = CliRunner()
OWNER = ["--organisatie", "Bakkerij De Korrel", "--klachtverantwoordelijke", "J. Jansen",
         "--email", "klachten@dekorrel.nl", "--telefoon", "010-1234567"]
ADDRESS = ["--adres", "Molenweg 3", "--postcode", "3011 AB", "--plaats", "Rotterdam"]


def config_report(folder: Path):
    return runner.invoke(app, ["config", "--config", str(folder / "klachten.toml")])


def test_init_with_everything_is_ready_for_letters_site_and_mail(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", *OWNER, *ADDRESS, "--mailserver", "smtp.dekorrel.nl:465"])
    assert result.exit_code == 0, result.output
    assert "Nog in te vullen" not in result.stdout
    cfg = load_config(tmp_path / "klachten.toml")
    assert (cfg.organisatie.adres, cfg.organisatie.postcode, cfg.organisatie.plaats) == \
        ("Molenweg 3", "3011 AB", "Rotterdam")
    assert (cfg.mail.host, cfg.mail.poort, cfg.mail.beveiliging, cfg.mail.bezorging) == \
        ("smtp.dekorrel.nl", 465, "ssl", "smtp")
    report = config_report(tmp_path)
    assert report.exit_code == 0, report.output
    assert report.stdout.startswith(f"Configuratie in orde: {tmp_path / 'klachten.toml'} "
                                    "(brieven, site en mail kunnen worden gemaakt)\n")
    assert "  brieven: in orde\n  site: in orde\n  mail: in orde\n" in report.stdout


def test_config_without_an_address_names_it_per_use(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", *OWNER, "--mailserver", "smtp.dekorrel.nl"])
    assert result.exit_code == 0, result.output
    assert "  [organisatie] adres ontbreekt: straat en huisnummer" in result.stdout  # init says it too
    report = config_report(tmp_path)
    out = report.stdout
    assert out.startswith("Configuratie gelezen, maar nog niet klaar: ")
    assert "in orde:" not in out.splitlines()[0]
    letters = out.split("  brieven: nog niet in orde\n")[1].split("  site:")[0]
    assert letters.splitlines() == ["    [organisatie] adres ontbreekt: straat en huisnummer",
                                    "    [organisatie] postcode ontbreekt: postcode",
                                    "    [organisatie] plaats ontbreekt: vestigingsplaats, ook de plaats boven brieven"]
    assert "  site: nog niet in orde\n    [organisatie] adres ontbreekt" in out
    assert "  mail: in orde\n" in out


def test_config_without_a_mail_server_says_so_and_no_mail_is_a_choice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", *OWNER, *ADDRESS]).exit_code == 0
    out = config_report(tmp_path).stdout
    assert ("  mail: nog niet in orde\n    [mail] host ontbreekt: SMTP-server (bijv. smtp.uwprovider.nl); leeg = nog "
            "niet ingesteld (of zet bezorging = \"bestand\" als u geen mail wilt)\n") in out
    assert "  brieven: in orde\n  site: in orde\n" in out


def test_example_values_count_as_missing(tmp_path):
    from tests.conftest import ROOT

    (tmp_path / "klachten.toml").write_text((ROOT / "klachten.toml").read_text(encoding="utf-8"), encoding="utf-8")
    out = config_report(tmp_path).stdout
    assert "  brieven: nog niet in orde\n" in out
    assert '    [organisatie] naam = "Installatiebedrijf Voorbeeld B.V." is een voorbeeldwaarde' in out


def test_missing_config_points_to_init(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KLACHTEN_CONFIG", raising=False)
    for command in (["config"], ["controleer"], ["nachtrun", "--droog"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, command
        assert result.stderr == (f"Fout: configuratiebestand '{tmp_path / 'klachten.toml'}' niet gevonden; maak er "
                                 "een met 'klachten init', of geef een pad met --config of zet KLACHTEN_CONFIG\n")


def test_bad_mail_server_answer_is_refused_before_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", *OWNER, "--mailserver", "smtp.dekorrel.nl:poort"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: mailserver 'smtp.dekorrel.nl:poort': na de dubbele punt hoort een poortnummer")
    assert not (tmp_path / "klachten.toml").exists()


def test_no_mail_writes_the_digest_to_a_file_and_says_where(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", *OWNER, *ADDRESS, "--mailserver", "geen"]).exit_code == 0
    cfg = load_config(tmp_path / "klachten.toml")
    assert cfg.mail.bezorging == "bestand"
    assert "  mail: in orde\n" in config_report(tmp_path).stdout
    write_xlsx(cfg.register_path(), [HEADERS, complaint(complaint_no="K2026-001", received=dt.date(2026, 11, 2),
                                                        name="Piet Proef")])
    result = runner.invoke(app, ["nachtrun", "--peildatum", "3-12-2026"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "private" / "dagmail" / "dagmail-2026-12-03.txt"
    assert f"dagmail geschreven in {written}" in result.stdout
    text = written.read_text(encoding="utf-8")
    assert text.startswith("Onderwerp: Klachten: ") and "K2026-001" in text and "Piet Proef" not in text
    assert (written.with_suffix(".eml")).is_file()
    # Through the private store: 0600 in a 0700 folder, and in the manifest under the numbers it names.
    from register.store import PrivateStore

    assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in written.parent.iterdir()} == {0o600}
    assert {written, written.with_suffix(".eml")} <= {p.resolve() for p in PrivateStore(cfg).files_of(["K2026-001"])}
    again = runner.invoke(app, ["nachtrun", "--peildatum", "3-12-2026"])
    assert again.exit_code == 0
    assert sorted(p.name for p in written.parent.iterdir()) == ["dagmail-2026-12-03.eml", "dagmail-2026-12-03.txt"]


def test_an_empty_mail_server_never_falls_back_to_localhost(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", *OWNER, *ADDRESS]).exit_code == 0
    cfg = load_config(tmp_path / "klachten.toml")
    write_xlsx(cfg.register_path(), [HEADERS, complaint(complaint_no="K2026-001", received=dt.date(2026, 11, 2))])
    result = runner.invoke(app, ["nachtrun", "--peildatum", "2026-12-03"])
    assert result.exit_code == 1
    assert "geen mailserver ingesteld: vul [mail] host in" in result.stderr
    assert "localhost" not in result.output
    assert result.stderr.count("geen mailserver ingesteld") == 1


def test_init_asks_for_address_and_mail_server(tmp_path, monkeypatch):
    import generator.app.cli as cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)
    answers = ["Bakkerij De Korrel", "Molenweg 3", "3011 AB", "Rotterdam", "J. Jansen", "klachten@dekorrel.nl",
               "geen", "", "", "", "", ""]
    result = runner.invoke(app, ["init"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    for question in ("Naam van de organisatie", "Straat en huisnummer", "Postcode", "Plaats",
                     "Mailserver voor de dagmail"):
        assert question in result.stdout, question
    cfg = load_config(tmp_path / "klachten.toml")
    assert (cfg.organisatie.adres, cfg.organisatie.postcode, cfg.organisatie.plaats, cfg.mail.bezorging) == \
        ("Molenweg 3", "3011 AB", "Rotterdam", "bestand")
    assert "  brieven: in orde\n  site: in orde\n  mail: in orde\n" in config_report(tmp_path).stdout
