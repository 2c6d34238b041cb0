"""Opt-in: reads a real Google Sheet. Runs only with KLACHTEN_LIVE_SHEET and credentials set."""

import os

import pytest

from register.check import check_register
from register.deadlines import today_amsterdam
from tests.conftest import BASE_TOML

pytestmark = pytest.mark.live


@pytest.mark.skipif(not (os.environ.get("KLACHTEN_LIVE_SHEET") and os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")),
                    reason="live test: zet KLACHTEN_LIVE_SHEET en GOOGLE_APPLICATION_CREDENTIALS")
def test_live_sheet_reads(make_config):
    cfg = make_config(f"""
[register]
bron = "google"
spreadsheet = "{os.environ['KLACHTEN_LIVE_SHEET']}"
tabblad = "{os.environ.get('KLACHTEN_LIVE_TAB', 'Register')}"
""", base=BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n', ''))
    result = check_register(cfg, today_amsterdam())
    assert result.register.grid.gid is not None
