import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

from typer.testing import CliRunner

from generator.app.cli import app
from generator.app.nightly import run_nightly
from tests.conftest import complaint
from tests.smtp_servers import free_port, hanging_server, smtp_server

runner = CliRunner()
PEIL = "2026-03-27"
ROWS = [
    complaint(complaint_no="K1", received=dt.date(2026, 3, 2), name="Piet Proef", address="Geheimstraat 9",
              handler="A. Behandelaar"),
    complaint(complaint_no="K2", received=dt.date(2026, 3, 17), acknowledged=dt.date(2026, 3, 18),
              handler="B. Tweede"),
    # decision due Fri 3 April: 5 working days from Fri 27 March, inside the notice lead time
    complaint(complaint_no="K3", received=dt.date(2026, 3, 20), acknowledged=dt.date(2026, 3, 20), channel="duif"),
]


def mail_toml(port: int, extra: str = "") -> str:
    return (f'[mail]\nhost = "127.0.0.1"\npoort = {port}\nbeveiliging = "geen"\n'
            f'afzender = "nacht@testbedrijf.example"\ntimeout_seconden = 2\n{extra}')


def nachtrun(cfg, *args, env=None):
    return runner.invoke(app, ["nachtrun", "--peildatum", PEIL, *args, "--config", str(cfg.path)], env=env)


def parsed(envelope):
    return message_from_bytes(envelope.original_content, policy=policy.default)


def outbox(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "private" / "postvak-uit").glob("*.eml"))


def test_digest_is_delivered_once_per_day(make_config, tmp_path):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        result = nachtrun(cfg)
        assert result.exit_code == 0, result.output
        assert len(server.messages) == 1
        envelope = server.messages[0]
        assert envelope.rcpt_tos == ["t.tester@testbedrijf.example"]
        msg = parsed(envelope)
        assert msg["Subject"] == "Klachten: 2 te laat, 2 uitstelberichten nodig, 1 fout in het register"
        assert msg["From"] == "nacht@testbedrijf.example"
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        for body in (text, html):
            assert "K1" in body and "K2" in body and "K3" in body
            assert "Ontvangstbevestiging te laat" in body and "Standpunt te laat" in body
            assert "Uitstelbericht nodig" in body and "Problemen in het register" in body
            assert "Piet Proef" not in body and "Geheimstraat" not in body
        assert "- K1, A. Behandelaar: uiterlijk 11 maart 2026, 16 dagen te laat" in text
        assert "- K2, B. Tweede: uiterlijk 31 maart 2026, nog 4 dagen" in text
        assert "- K3 (cel C4, kolom Kanaal): fout: een keuzekolom bevat een waarde die niet bestaat" in text
        assert "- K2 (cel " in text and "het uitstelbericht kan niet worden gemaakt: Reden uitstel is leeg" in text
        assert "duif" not in text and "duif" not in html  # the cell's content is never mailed

        again = nachtrun(cfg)
        assert again.exit_code == 0
        assert "vandaag al verstuurd aan t.tester@testbedrijf.example" in again.stdout
        assert len(server.messages) == 1
        assert nachtrun(cfg, "--opnieuw").exit_code == 0
        assert len(server.messages) == 2


def test_each_handler_gets_only_their_own(make_config):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port, 'per_behandelaar = true\n[mail.behandelaars]\n"B. Tweede" = "b@testbedrijf.example"\n'),
                          rows=ROWS)
        assert nachtrun(cfg).exit_code == 0
        by_rcpt = {e.rcpt_tos[0]: parsed(e) for e in server.messages}
        assert set(by_rcpt) == {"t.tester@testbedrijf.example", "b@testbedrijf.example"}
        own = by_rcpt["b@testbedrijf.example"].get_body(("plain",)).get_content()
        assert "K2" in own and "K1" not in own and "K3" not in own
        assert by_rcpt["b@testbedrijf.example"]["Subject"] == "Klachten: 1 uitstelbericht nodig"


def test_server_down_keeps_the_digest_and_next_run_delivers_it_once(make_config, tmp_path):
    port = free_port()
    cfg = make_config(mail_toml(port), rows=ROWS)
    result = nachtrun(cfg)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Fout: stap 'mail' mislukt: de mailserver 127.0.0.1:{port} is niet bereikbaar")
    assert len(outbox(tmp_path)) == 1
    assert "ok   back-up" in result.stdout and "ok   register" in result.stdout  # other steps still reported
    with smtp_server() as (server, _):
        server_port = _
        cfg = make_config(mail_toml(server_port), rows=ROWS)
        assert nachtrun(cfg).exit_code == 0
        assert len(server.messages) == 1
        assert outbox(tmp_path) == []
        assert nachtrun(cfg).exit_code == 0
        assert len(server.messages) == 1


def test_login_refused(make_config, tmp_path):
    with smtp_server(users={"nacht": "goed"}) as (server, port):
        cfg = make_config(mail_toml(port, 'gebruiker_env = "T_SMTP_USER"\nwachtwoord_env = "T_SMTP_PW"\n'), rows=ROWS)
        result = nachtrun(cfg, env={"T_SMTP_USER": "nacht", "T_SMTP_PW": "fout"})
        assert result.exit_code == 1
        assert f"de mailserver 127.0.0.1:{port} weigert de inlog van 'nacht'" in result.stderr
        assert len(outbox(tmp_path)) == 1 and server.messages == []
        assert nachtrun(cfg, env={"T_SMTP_USER": "nacht", "T_SMTP_PW": "goed"}).exit_code == 0
        assert len(server.messages) == 1 and outbox(tmp_path) == []


def test_hanging_server_times_out(make_config, tmp_path):
    with hanging_server() as port:
        cfg = make_config(mail_toml(port).replace("timeout_seconden = 2", "timeout_seconden = 1"), rows=ROWS)
        result = nachtrun(cfg)
        assert result.exit_code == 1
        assert f"de mailserver 127.0.0.1:{port} reageert niet binnen 1 seconden" in result.stderr
        assert len(outbox(tmp_path)) == 1


def test_nothing_to_report(make_config):
    quiet = [complaint(complaint_no="K1", received=dt.date(2026, 3, 26))]
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=quiet)
        result = nachtrun(cfg)
        assert result.exit_code == 0 and server.messages == []
        assert "niets te melden; geen mail verstuurd" in result.stdout
        cfg = make_config(mail_toml(port, "ook_als_alles_op_tijd = true\n"), rows=quiet)
        assert nachtrun(cfg).exit_code == 0
        msg = parsed(server.messages[0])
        assert msg["Subject"] == "Klachten: alles op tijd"
        assert "Alles is op tijd" in msg.get_body(("plain",)).get_content()


def test_droog_prints_and_sends_nothing(make_config, tmp_path):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        result = nachtrun(cfg, "--droog")
        assert result.exit_code == 0
        assert "Onderwerp: Klachten: 2 te laat, 2 uitstelberichten nodig, 1 fout in het register" in result.stdout
        assert server.messages == [] and outbox(tmp_path) == []


def test_unreadable_register_sends_an_alert(make_config):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port))  # no register file
        result = nachtrun(cfg)
        assert result.exit_code == 1
        assert result.stderr.startswith("Fout: stap 'register' mislukt: registerbestand")
        msg = parsed(server.messages[0])
        assert msg["Subject"] == "Klachten: register kon niet worden gelezen"


def test_backups_rotate_and_never_overwrite(make_config, tmp_path):
    cfg = make_config("[nachtrun]\nbackups_bewaren = 3\n", rows=ROWS)
    from register.deadlines import AMSTERDAM

    base = dt.datetime(2026, 3, 27, 3, 0, tzinfo=AMSTERDAM)
    for n in range(5):
        run_nightly(cfg, dt.date(2026, 3, 27), base + dt.timedelta(days=n), dry=True, echo=lambda s: None)
    run_nightly(cfg, dt.date(2026, 3, 27), base + dt.timedelta(days=4), dry=True, echo=lambda s: None)
    names = sorted(p.name for p in (tmp_path / "private" / "backups").iterdir())
    assert names == ["register-20260330-030000.csv", "register-20260331-030000-1.csv", "register-20260331-030000.csv"]
    text = (tmp_path / "private" / "backups" / "register-20260331-030000.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Klachtnummer;Datum ontvangst;Kanaal;Naam")
    assert "K1;2026-03-02;e-mail;Piet Proef;Geheimstraat 9" in text


def test_google_rows_are_linked_in_the_digest(config):
    from generator.mail.digest import build_sections
    from register.check import check_grid
    from register.sources import Grid
    from tests.conftest import HEADERS

    grid = Grid([HEADERS] + ROWS, "sheet", url="https://docs.google.com/spreadsheets/d/KEY/edit", gid=42)
    sections = build_sections(check_grid(grid, config, dt.date(2026, 3, 27)))
    late = next(s for s in sections if s.titel == "Standpunt te laat")
    assert late.regels[0].link == "https://docs.google.com/spreadsheets/d/KEY/edit#gid=42&range=A2"


def test_nightly_can_write_the_deadline_columns(make_config, tmp_path):
    import openpyxl

    from tests.conftest import HEADERS

    headers = HEADERS + ["Bevestigen vóór", "Standpunt vóór", "Signaal"]
    cfg = make_config("[nachtrun]\ndeadlines_schrijven = true\n", rows=ROWS, headers=headers)
    steps = run_nightly(cfg, dt.date(2026, 3, 27), dt.datetime(2026, 3, 27, 6, 0, tzinfo=dt.UTC),
                        echo=lambda s: None)
    assert next(s for s in steps if s.name == "termijnen").ok
    ws = openpyxl.load_workbook(tmp_path / "register.xlsx")["Register"]
    row = {ws.cell(row=1, column=c).value: ws.cell(row=2, column=c).value for c in range(1, ws.max_column + 1)}
    assert row["Bevestigen vóór"].date() == dt.date(2026, 3, 11)
    assert row["Standpunt vóór"].date() == dt.date(2026, 3, 16)
    assert row["Signaal"] == "ontvangstbevestiging te laat; standpunt te laat"


def test_nightly_rebuilds_the_site_when_asked(make_config, tmp_path, monkeypatch):
    from register.sources.xlsx import XlsxSource

    refused = make_config("[nachtrun]\nsite_bouwen = true\n", rows=ROWS)  # the test config's .example addresses
    steps = run_nightly(refused, dt.date(2026, 3, 27), dt.datetime(2026, 3, 27, 6, 0, tzinfo=dt.UTC), dry=True,
                        echo=lambda s: None)
    website = next(s for s in steps if s.name == "website")
    assert not website.ok and website.message.startswith("de configuratie bevat nog 3 voorbeeldwaarden")
    assert not (tmp_path / "public").exists()
    cfg = make_config("[nachtrun]\nsite_bouwen = true\n[site]\ndemo = true\n", rows=ROWS)
    reads = []
    original = XlsxSource.read
    monkeypatch.setattr(XlsxSource, "read", lambda self: reads.append(1) or original(self))
    steps = run_nightly(cfg, dt.date(2026, 3, 27), dt.datetime(2026, 3, 27, 6, 0, tzinfo=dt.UTC), dry=True,
                        echo=lambda s: None)
    website = next(s for s in steps if s.name == "website")
    assert website.ok, website.message
    assert (tmp_path / "public" / "klachtenregeling" / "index.html").exists()
    assert len(reads) == 1  # the site is built from the run's own check result


def test_digests_queue_up_while_the_server_is_down_and_go_out_once(make_config, tmp_path):
    port = free_port()
    cfg = make_config(mail_toml(port), rows=ROWS)
    assert nachtrun(cfg).exit_code == 1
    second = runner.invoke(app, ["nachtrun", "--peildatum", "2026-03-28", "--config", str(cfg.path)])
    assert second.exit_code == 1
    assert "2 mails bewaard in" in second.stderr
    assert [p.name[:10] for p in outbox(tmp_path)] == ["2026-03-27", "2026-03-28"]
    with smtp_server() as (server, up):
        cfg = make_config(mail_toml(up), rows=ROWS)
        third = runner.invoke(app, ["nachtrun", "--peildatum", "2026-03-28", "--config", str(cfg.path)])
        assert third.exit_code == 0, third.output
        assert len(server.messages) == 2 and outbox(tmp_path) == []
        assert "vandaag al verstuurd" in third.stdout
        assert runner.invoke(app, ["nachtrun", "--peildatum", "2026-03-28", "--config", str(cfg.path)]).exit_code == 0
        assert len(server.messages) == 2
