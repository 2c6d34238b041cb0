"""Every nightly step is guarded: one failing step never skips the later ones, and the exit
code still reports the failure."""

import datetime as dt

from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import complaint
from tests.smtp_servers import smtp_server

runner = CliRunner()


def test_a_failing_acknowledgement_step_does_not_skip_the_deadline_columns(make_config, monkeypatch):
    import generator.letters.sending as sending

    def broken(*args, **kwargs):
        raise ValueError("Header values may not contain linefeed or carriage return characters")

    monkeypatch.setattr(sending, "send_letters", broken)
    rows = [complaint(complaint_no="K1", received=dt.date(2026, 3, 25), email="piet@klant.example")]
    with smtp_server() as (_, port):
        cfg = make_config(f'[mail]\nhost = "127.0.0.1"\npoort = {port}\nbeveiliging = "geen"\n'
                          f'afzender = "nacht@testbedrijf.example"\n\n[nachtrun]\nbevestigingen_versturen = true\n'
                          f'deadlines_schrijven = true\n', rows=rows)
        assert runner.invoke(app, ["inrichten", "--config", str(cfg.path)]).exit_code == 0
        result = runner.invoke(app, ["nachtrun", "--peildatum", "2026-03-27", "--config", str(cfg.path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("FOUT bevestigingen: onverwachte fout in deze stap") for line in lines), lines
    assert "ok   mail: niets te melden; geen mail verstuurd" in lines
    assert any(line.startswith("ok   termijnen:") for line in lines), lines
    assert "stap 'bevestigingen' mislukt" in result.stderr
