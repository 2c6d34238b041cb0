"""`brieven --verstuur` under the SMTP faults the daily mail already survives: each letter is
mailed exactly once, a letter that cannot go is that letter's problem, the rest go on and are
recorded, and nothing from a register cell becomes a mail header."""

import datetime as dt
import errno
import json
from email import message_from_bytes, policy

from typer.testing import CliRunner

from generator.app.cli import app
from register.check import check_register
from register.store import PrivateStore
from tests.conftest import complaint
from tests.smtp_servers import free_port, hanging_server, smtp_server

runner = CliRunner()
DAY = "2026-04-14"  # Tuesday
ROWS = [
    complaint(complaint_no="K1", received=dt.date(2026, 4, 13), name="Marieke Nepstra", email="marieke@klant.example"),
    complaint(complaint_no="K2", received=dt.date(2026, 4, 13), name="Jan de Vries", email="jan@klant.example"),
    complaint(complaint_no="K3", received=dt.date(2026, 4, 13), name="Kees Klant", email="kees@klant.example"),
]


def mail_toml(port: int) -> str:
    return (f'[mail]\nhost = "127.0.0.1"\npoort = {port}\nbeveiliging = "geen"\n'
            f'afzender = "klachten@testbedrijf.example"\ntimeout_seconden = 2\n')


def run(cfg, *args):
    return runner.invoke(app, ["brieven", "--verstuur", "--processen", "1", *args, "--peildatum", DAY,
                               "--config", str(cfg.path)])


def recipients(handler) -> list[str]:
    return sorted(a for env in handler.messages for a in env.rcpt_tos)


def acknowledged(cfg) -> dict[str, bool]:
    reg = check_register(cfg, dt.date(2026, 4, 14)).register
    return {n: str(d) != "NaT" for n, d in zip(reg.frame["complaint_no"], reg.dates("acknowledged"), strict=True)}


def settle_with_a_working_server(cfg, handler_before=()) -> list[str]:
    """Run again with a server that accepts everything; returns who got mail this time."""
    with smtp_server() as (handler, port):
        cfg.path.write_text(cfg.path.read_text(encoding="utf-8").split("[mail]")[0] + mail_toml(port),
                            encoding="utf-8")
        result = run(cfg)
        assert result.exit_code == 0, result.output
        return recipients(handler)


def test_server_down_every_letter_reported_then_each_sent_once(make_config):
    cfg = make_config(mail_toml(free_port()), rows=ROWS)
    down = run(cfg)
    assert down.exit_code == 1
    problems = [line for line in down.stderr.splitlines() if line.startswith("Niet verstuurd:")]
    assert len(problems) == 3 and all("niet bereikbaar" in p for p in problems)
    assert acknowledged(cfg) == {"K1": False, "K2": False, "K3": False}
    assert settle_with_a_working_server(cfg) == ["jan@klant.example", "kees@klant.example", "marieke@klant.example"]
    assert acknowledged(cfg) == {"K1": True, "K2": True, "K3": True}
    assert settle_with_a_working_server(cfg) == []  # nothing twice


def test_a_server_that_never_answers_does_not_hang_and_sends_nothing_twice(make_config):
    with hanging_server() as port:
        cfg = make_config(mail_toml(port), rows=ROWS)
        silent = run(cfg)
    assert silent.exit_code == 1
    assert len([line for line in silent.stderr.splitlines() if line.startswith("Niet verstuurd:")]) == 3
    assert json.loads(cfg.letters_log().read_text(encoding="utf-8")) == {}
    assert settle_with_a_working_server(cfg) == ["jan@klant.example", "kees@klant.example", "marieke@klant.example"]


def test_550_for_one_recipient_the_others_go_and_are_recorded(make_config):
    with smtp_server(reject={"jan@klant.example"}) as (handler, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        result = run(cfg)
        assert recipients(handler) == ["kees@klant.example", "marieke@klant.example"]
        assert result.exit_code == 1
        assert acknowledged(cfg) == {"K1": True, "K2": False, "K3": True}
        log = json.loads(cfg.letters_log().read_text(encoding="utf-8"))
        assert log["K2/ontvangstbevestiging"]["status"] == "geweigerd"
        assert log["K2/ontvangstbevestiging"]["aan"] == "jan@klant.example"
        handler.reject.clear()
        again = run(cfg)
        assert again.exit_code == 0 and len(handler.messages) == 2  # refused once, not retried


def test_421_on_quit_after_250_counts_as_sent(make_config):
    with smtp_server(quit_reply="421 4.3.2 Service shutting down") as (handler, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        first = run(cfg)
        assert first.exit_code == 0, first.output
        second = run(cfg)
        assert second.exit_code == 0
        assert recipients(handler) == ["jan@klant.example", "kees@klant.example", "marieke@klant.example"]
    assert acknowledged(cfg) == {"K1": True, "K2": True, "K3": True}


def test_disk_full_writing_one_letter_to_the_outbox(make_config, monkeypatch):
    real_write = PrivateStore.write

    def full_for_k2(self, path, data, numbers, exclusive=False):
        if path.suffix == ".eml" and path.name.startswith("K2_"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, path, data, numbers, exclusive)

    with smtp_server() as (handler, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        monkeypatch.setattr(PrivateStore, "write", full_for_k2)
        full = run(cfg)
        assert full.exit_code == 1
        assert "Niet verstuurd: klacht K2: de ontvangstbevestiging is niet verstuurd: de schijf is vol" in full.stderr
        assert recipients(handler) == ["kees@klant.example", "marieke@klant.example"]
        assert acknowledged(cfg) == {"K1": True, "K2": False, "K3": True}
        monkeypatch.setattr(PrivateStore, "write", real_write)
        assert run(cfg).exit_code == 0
        assert recipients(handler) == ["jan@klant.example", "kees@klant.example", "marieke@klant.example"]


def test_a_line_break_in_email_or_name_never_becomes_a_header(make_config):
    rows = [complaint(complaint_no="K1", received=dt.date(2026, 4, 13), name="Jan\r\nBcc: stiekem@elders.example",
                      email="jan@klant.example"),
            complaint(complaint_no="K2", received=dt.date(2026, 4, 13), name="Piet Proef",
                      email="piet@klant.example\r\nBcc: stiekem@elders.example"),
            complaint(complaint_no="K3", received=dt.date(2026, 4, 13), name="Kees Klant",
                      email="kees@klant.example, anna@klant.example")]
    with smtp_server() as (handler, port):
        cfg = make_config(mail_toml(port), rows=rows)
        result = run(cfg)
        assert result.exit_code == 1
        assert recipients(handler) == ["jan@klant.example"]
        for env in handler.messages:
            message = message_from_bytes(env.content, policy=policy.default)
            assert message["Bcc"] is None and "stiekem" not in str(message["To"])
            assert all("stiekem" not in str(value) for _, value in message.items())
    assert "klacht K2: 'E-mail' (" in result.stderr and "bevat een regeleinde of stuurteken" in result.stderr
    assert "klacht K3: 'E-mail' (" in result.stderr and "bevat meer dan één e-mailadres" in result.stderr
    assert acknowledged(cfg) == {"K1": True, "K2": False, "K3": False}
