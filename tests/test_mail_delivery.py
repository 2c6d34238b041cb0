"""The mail queue under faults: refusals, a tarpit, QUIT errors, a full disk, crashes, two runs at once.

Every scenario runs `nachtrun` against a real aiosmtpd server on 127.0.0.1 and counts the
copies the server received.
"""

from __future__ import annotations

import builtins
import datetime as dt
import errno
import io
import os
import smtplib
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import BASE_TOML, ROOT, complaint
from tests.smtp_servers import free_port, smtp_server, tarpit_server
from tests.test_cli_nachtrun import ROWS, mail_toml, nachtrun, outbox, parsed

runner = CliRunner()
MAIN = "t.tester@testbedrijf.example"
TYPO = "t.tster@testbedrijf.example"


def refused_dir(tmp_path: Path) -> Path:
    return tmp_path / "private" / "postvak-uit" / "geweigerd"


def body(envelope) -> tuple[str, str]:
    msg = parsed(envelope)
    return msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def test_permanent_refusal_is_set_aside_and_reported_once_the_config_is_fixed(make_config, tmp_path):
    with smtp_server(reject={TYPO}) as (server, port):
        typo = make_config(mail_toml(port), rows=ROWS, base=BASE_TOML.replace(MAIN, TYPO))
        first = nachtrun(typo)
        assert first.exit_code == 1
        assert (f"Fout: stap 'mail' mislukt: de mailserver 127.0.0.1:{port} weigert ontvanger {TYPO} "
                f"(550: 5.1.1 Mailbox unavailable); de mail staat nu in {refused_dir(tmp_path)}") in first.stderr
        assert "b'" not in first.stderr
        assert outbox(tmp_path) == []  # nothing left to jam the queue
        assert len(list(refused_dir(tmp_path).glob("*.eml"))) == 1
        assert "FOUT mail:" in first.stdout and "ok   register" in first.stdout

        fixed = make_config(mail_toml(port), rows=ROWS)
        second = nachtrun(fixed)
        assert second.exit_code == 0, second.output
        assert len(server.messages) == 1 and server.messages[0].rcpt_tos == [MAIN]
        msg = parsed(server.messages[0])
        # The rows of test_cli_nachtrun (K2 and K3 inside the 5-day notice lead time) give 87 characters
        # in full: the least urgent parts give way, the register's errors stay named
        assert msg["Subject"] == "Klachten: 2 te laat en meer, 1 fout in het register"
        text, html = body(server.messages[0])
        assert "== Mail geweigerd (1) ==" in text
        assert (f"- dagmail 27 maart 2026: de mailserver 127.0.0.1:{port} weigert ontvanger {TYPO} "
                f"(550: 5.1.1 Mailbox unavailable)") in text
        assert "Mail geweigerd (1)" in html and "<th>Mail</th>" in html

        assert nachtrun(fixed).exit_code == 0
        assert len(server.messages) == 1
        next_day = runner.invoke(app, ["nachtrun", "--peildatum", "2026-03-28", "--config", str(fixed.path)])
        assert next_day.exit_code == 0 and len(server.messages) == 2
        assert "Mail geweigerd" not in body(server.messages[1])[0]  # reported once


def test_queued_mail_is_sent_with_the_current_recipient_and_sender(make_config, tmp_path):
    old = make_config(mail_toml(free_port()), rows=ROWS, base=BASE_TOML.replace(MAIN, "oud@testbedrijf.example"))
    assert nachtrun(old).exit_code == 1
    assert len(outbox(tmp_path)) == 1
    with smtp_server() as (server, port):
        new = make_config(mail_toml(port).replace("nacht@", "klachten@"), rows=ROWS)
        result = nachtrun(new)
        assert result.exit_code == 0, result.output
        assert [e.rcpt_tos for e in server.messages] == [[MAIN]]
        assert parsed(server.messages[0])["From"] == "klachten@testbedrijf.example"
        assert parsed(server.messages[0])["To"] == MAIN
        assert "vandaag al verstuurd" in result.stdout
        assert outbox(tmp_path) == []


def test_tarpit_server_cannot_hold_the_run_past_the_deadline(make_config, tmp_path):
    with tarpit_server(interval=0.5, lifetime=20) as port:  # each line within the per-read timeout
        cfg = make_config(mail_toml(port), rows=ROWS)  # timeout_seconden = 2
        result = nachtrun(cfg)
        assert result.exit_code == 1
        assert f"de mailserver 127.0.0.1:{port} reageert niet binnen 2 seconden" in result.stderr
        assert "ok   register" in result.stdout
        assert len(outbox(tmp_path)) == 1


def test_quit_refused_after_250_counts_as_delivered(make_config, tmp_path):
    with smtp_server(quit_reply="421 4.3.2 Service shutting down") as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        codes = [nachtrun(cfg).exit_code for _ in range(3)]
        assert codes == [0, 0, 0]
        assert len(server.messages) == 1
        assert outbox(tmp_path) == []


def test_smtp_errors_are_shown_without_raw_bytes(make_config, tmp_path):
    with smtp_server(data_reply="451 4.3.0 Tijdelijk probleem, later opnieuw") as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        result = nachtrun(cfg)
        assert result.exit_code == 1
        assert (f"de mailserver 127.0.0.1:{port} weigert de mail voorlopig "
                f"(451: 4.3.0 Tijdelijk probleem, later opnieuw)") in result.stderr
        assert "b'" not in result.stderr and "SMTP" not in result.stderr
        assert len(outbox(tmp_path)) == 1  # temporary: stays queued
    with smtp_server(data_reply="554 5.6.0 Inhoud geweigerd") as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        result = nachtrun(cfg)
        assert f"de mailserver 127.0.0.1:{port} weigert de mail (554: 5.6.0 Inhoud geweigerd)" in result.stderr
        assert outbox(tmp_path) == [] and len(list(refused_dir(tmp_path).glob("*.eml"))) == 2


class _NoSpace:
    """A file whose writes fail as on a full disk."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def writelines(self, lines):
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()

    def __iter__(self):
        return iter(self._fh)


def full_disk(monkeypatch, hit):
    """From now on, writing to a file whose path makes ``hit(path)`` true fails with ENOSPC
    (creating the file, renaming and deleting still work, as on a real full disk)."""
    real_open = io.open

    def fake_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if any(c in mode for c in "wax+"):
            path = os.readlink(f"/proc/self/fd/{file}") if isinstance(file, int) else os.fspath(file)
            if hit(str(path)):
                return _NoSpace(fh)
        return fh

    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(builtins, "open", fake_open)


def test_state_file_unwritable_after_250_never_causes_a_second_copy(make_config, tmp_path, monkeypatch):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        with monkeypatch.context() as m:
            full_disk(m, lambda path: "nachtrun-status" in path)
            first = nachtrun(cfg)
        assert first.exit_code == 0, first.output
        assert "ok   mail: verstuurd aan t.tester@testbedrijf.example; status niet opgeslagen" in first.stdout
        assert "de schijf is vol" in first.stdout
        assert len(server.messages) == 1
        for _ in range(2):
            again = nachtrun(cfg)
            assert again.exit_code == 0 and "vandaag al verstuurd" in again.stdout
        assert len(server.messages) == 1
        assert list((tmp_path / "private" / "postvak-uit").iterdir()) == []  # the mark is settled


def test_full_disk_still_sends_the_digest_once_and_reports_every_step(make_config, tmp_path, monkeypatch):
    private = str(tmp_path / "private")
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        with monkeypatch.context() as m:
            full_disk(m, lambda path: path.startswith(private))
            first = nachtrun(cfg)
            assert first.exit_code == 1
            assert "ok   register" in first.stdout
            assert "FOUT back-up: back-up mislukt:" in first.stdout and "de schijf is vol" in first.stdout
            assert "ok   mail: verstuurd aan t.tester@testbedrijf.example" in first.stdout
            assert "niet in het postvak-uit gezet" in first.stdout
            assert len(server.messages) == 1
            second = nachtrun(cfg)  # the disk is still full
            assert "vandaag al verstuurd" in second.stdout and "ok   register" in second.stdout
        third = nachtrun(cfg)
        assert third.exit_code == 0 and "vandaag al verstuurd" in third.stdout
        assert len(server.messages) == 1
        assert parsed(server.messages[0])["X-Klachten-Dag"] == "2026-03-27"


def test_a_crash_during_data_never_causes_a_second_copy(make_config, tmp_path, monkeypatch):
    real_data = smtplib.SMTP.data

    def data_then_crash(self, msg):
        real_data(self, msg)
        raise KeyboardInterrupt  # the process dies after the server got the message

    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        with monkeypatch.context() as m:
            m.setattr(smtplib.SMTP, "data", data_then_crash)
            assert nachtrun(cfg).exit_code == 130
        assert len(server.messages) == 1
        again = nachtrun(cfg)
        assert again.exit_code == 0, again.output
        assert "tijdens het versturen onderbroken; niet opnieuw verstuurd" in again.stdout
        assert nachtrun(cfg).exit_code == 0
        assert len(server.messages) == 1


def test_a_second_run_waits_then_stops_with_a_dutch_line(make_config, tmp_path, monkeypatch):
    from register import locks

    monkeypatch.setattr(locks, "WAIT_SECONDS", 0.3)
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        with locks.private_lock(cfg):
            result = nachtrun(cfg)
        assert result.exit_code == 1
        assert (f"FOUT nachtrun: de map {tmp_path / 'private'} is bezet door een andere klachten-opdracht; "
                f"probeer het over een minuut opnieuw; deze run slaat alle stappen over") in result.stdout
        assert server.messages == []
        assert nachtrun(cfg).exit_code == 0 and len(server.messages) == 1


ROUNDS = 3  # bench/parallel_nachtrun.py runs more rounds and prints the figures


def test_two_nightly_runs_at_once_send_one_digest_per_day(make_config, tmp_path):
    """ROUNDS days; each day two `nachtrun` processes start together against one slow server
    (2 s per DATA, so without the lock both runs are sending at the same time)."""
    with smtp_server(data_delay=2) as (server, port):
        cfg = make_config(mail_toml(port).replace("timeout_seconden = 2", "timeout_seconden = 30"), rows=ROWS)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        outputs = []
        for n in range(ROUNDS):
            day = (dt.date(2026, 3, 27) + dt.timedelta(days=n)).isoformat()
            procs = [subprocess.Popen([sys.executable, "-m", "generator.app.cli", "nachtrun", "--peildatum", day,
                                      "--config", str(cfg.path)], env=env, cwd=tmp_path,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]
            for p in procs:
                out, err = p.communicate(timeout=120)
                outputs.append((day, p.returncode, out, err))
        days = sorted(parsed(e)["X-Klachten-Dag"] for e in server.messages)
        want = sorted((dt.date(2026, 3, 27) + dt.timedelta(days=n)).isoformat() for n in range(ROUNDS))
        assert days == want  # exactly one digest per day
        for day, _, out, err in outputs:
            assert "Traceback" not in err and "bestaat niet" not in err
            assert "register:" in out and "mail:" in out or "FOUT nachtrun:" in out, (day, out, err)
        assert list(outbox(tmp_path)) == []


def test_digest_never_quotes_cell_contents(make_config):
    rows = [complaint(complaint_no="K1", received=dt.date(2026, 3, 20), acknowledged="Piet Pietersen",
                      channel="Piet Pietersen piet@pietersen.example", handler="A. Behandelaar")]
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=rows)
        assert nachtrun(cfg).exit_code == 0
        text, html = body(server.messages[0])
        for part in (text, html):
            assert "Pietersen" not in part and "piet@" not in part
        assert "- K1 (cel C2, kolom Kanaal): fout: een keuzekolom bevat een waarde die niet bestaat" in text
        assert "(cel P2, kolom Datum bevestiging): fout: een datumcel bevat geen leesbare datum" in text
        assert "<td style=\"white-space: nowrap;\">C2</td><td>Kanaal</td>" in html


@pytest.mark.parametrize("field", ["complaint_no", "handler"])
def test_a_newline_in_a_cell_adds_no_lines_to_the_text_digest(make_config, field):
    sneaky = {"complaint_no": "K1\n== Nep-sectie ==\n- K9", "handler": "A. Behandelaar\n- K9, nep: alles goed"}
    rows = [complaint(received=dt.date(2026, 3, 2), **{"complaint_no": "K1", field: sneaky[field]})]
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=rows)
        nachtrun(cfg)
        text = body(server.messages[0])[0]
        lines = text.splitlines()
        assert not any(line.startswith(("- K9", "== Nep")) for line in lines)
        assert any(" ".join(sneaky[field].split()) in line for line in lines)


def test_message_bytes_parse(make_config):  # the queued .eml is a valid message with the role header
    from generator.mail.delivery import ROLE_HEADER, Outbox
    from generator.mail.digest import Digest, to_message

    cfg = make_config()
    digest = Digest(MAIN, "Klachten: alles op tijd", text="x", html="<p>x</p>")
    message = to_message(digest, cfg, dt.datetime(2026, 3, 27, 6, 0, tzinfo=dt.UTC), dt.date(2026, 3, 27))
    path = Outbox(cfg.outbox_dir(), cfg.state_file()).put(message)
    assert path.name == "2026-03-27_t.tester@testbedrijf.example.eml"
    again = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert again[ROLE_HEADER] == "klachtverantwoordelijke" and again["To"] == MAIN
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_login_required_is_not_a_refusal_of_the_message(make_config, tmp_path):
    with smtp_server(users={"nacht": "goed"}) as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        result = nachtrun(cfg, env={"KLACHTEN_SMTP_USER": None, "KLACHTEN_SMTP_PASSWORD": None})
        assert result.exit_code == 1
        assert "de server vraagt eerst een geldige inlog (530: 5.7.0 Authentication required)" in result.stderr
        assert len(outbox(tmp_path)) == 1 and not refused_dir(tmp_path).exists()


def test_leftover_temporary_files_of_a_killed_run_are_removed(make_config, tmp_path):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        box = tmp_path / "private" / "postvak-uit"
        box.mkdir(parents=True)
        leftovers = [tmp_path / "private" / ".nachtrun-status.json.k1ll3d.tmp", box / ".2026-03-26_x.eml.k1ll3d.tmp"]
        for path in leftovers:
            path.write_text("half", encoding="utf-8")
        assert nachtrun(cfg).exit_code == 0
        assert not any(p.exists() for p in leftovers)
        assert len(server.messages) == 1
