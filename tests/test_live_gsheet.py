"""Opt-in: the whole Google path against a real sheet. Runs only with KLACHTEN_LIVE_SHEET and
GOOGLE_APPLICATION_CREDENTIALS set; use a separate test sheet (it writes deadlines into the tab).

One run proves: `verbinding` (all checks hold, the write check included), `inrichten` twice
(the second sends no batchUpdate), `controleer --schrijf` and a read of what was written.
"""

import os

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from register.check import check_register
from register.deadlines import today_amsterdam
from register.sheetsetup import setup_register
from tests.conftest import BASE_TOML

pytestmark = [pytest.mark.live, pytest.mark.skipif(
    not (os.environ.get("KLACHTEN_LIVE_SHEET") and os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")),
    reason="live test: zet KLACHTEN_LIVE_SHEET en GOOGLE_APPLICATION_CREDENTIALS")]
runner = CliRunner()


@pytest.fixture
def live_config(make_config):
    return make_config(f"""
[register]
bron = "google"
spreadsheet = "{os.environ.get('KLACHTEN_LIVE_SHEET', '')}"
tabblad = "{os.environ.get('KLACHTEN_LIVE_TAB', 'Register')}"
""", base=BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n', ''))


def test_live_whole_path(live_config, monkeypatch):
    from register.sources import google

    verbinding = runner.invoke(app, ["verbinding", "--config", str(live_config.path)])
    assert verbinding.exit_code == 0, verbinding.output  # reveals: write check, locale, sharing

    setup_register(live_config, today_amsterdam())  # reveals: the real 400s, fields masks, formulas
    sent = []
    original = google.SheetsConnection.batch_update
    monkeypatch.setattr(google.SheetsConnection, "batch_update",
                        lambda self, requests_: sent.append(requests_) or original(self, requests_))
    again = setup_register(live_config, today_amsterdam())
    assert again.changes == [] and sent == []  # what we wrote reads back as the same (formulas, rules)

    schrijf = runner.invoke(app, ["controleer", "--schrijf", "--config", str(live_config.path)])
    assert schrijf.exit_code in (0, 1), schrijf.output  # 1 = findings in the owner's data, not a failure
    result = check_register(live_config, today_amsterdam())
    assert result.register.grid.gid is not None
    assert {"Bevestigen vóór", "Standpunt vóór", "Signaal"} <= set(result.register.grid.values[0])
