"""`klachten site --serve` serves the folder's own site and rebuilds when the register or
klachten.toml changes; `--poort` picks the port."""

import datetime as dt
import os
import threading
import urllib.request

from typer.testing import CliRunner

from generator.app.cli import app
from generator.site.serve import serve_site
from register.demo import write_xlsx
from tests.conftest import HEADERS, complaint
from tests.smtp_servers import free_port

OWN = """
[organisatie]
naam = "Bakkerij De Korrel"
adres = "Molenweg 3"
postcode = "3011 AB"
plaats = "Rotterdam"
email = "klachten@dekorrel.nl"
[klachtbehandeling]
klachtverantwoordelijke = "J. Jansen"
email = "j.jansen@dekorrel.nl"
[register]
pad = "register.xlsx"
"""


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def wait_for(event: threading.Event, what: str) -> None:
    # Waits for the server thread to report, not a timing assertion: the bound only stops a hang.
    assert event.wait(300), what


def test_serves_the_folders_own_site_and_rebuilds_on_changes(tmp_path):
    (tmp_path / "klachten.toml").write_text(OWN, encoding="utf-8")
    rows = [complaint(complaint_no="K2026-001", received=dt.date(2026, 11, 20))]
    write_xlsx(tmp_path / "register.xlsx", [HEADERS, *rows])
    lines: list[str] = []
    built = {n: threading.Event() for n in (1, 2, 3)}
    started = threading.Event()
    address: list[str] = []
    stop = threading.Event()

    def echo(line: str) -> None:
        lines.append(line)
        if "gebouwd (" in line:
            built[sum("gebouwd (" in seen for seen in lines)].set()

    port = free_port()
    thread = threading.Thread(target=serve_site, args=(tmp_path / "klachten.toml", dt.date(2026, 12, 3)),
                              kwargs={"port": port, "echo": echo, "stop": stop, "poll_seconds": 0.2,
                                      "ready": lambda url: (address.append(url), started.set())}, daemon=True)
    thread.start()
    try:
        wait_for(started, "de server startte niet")
        assert address == [f"http://127.0.0.1:{port}/"]
        assert built[1].is_set() and lines[0] == "Website gebouwd (eerste keer)."
        assert "Bakkerij De Korrel" in fetch(address[0] + "klachtenregeling/")
        assert "Molenweg 3" in fetch(address[0] + "klacht-indienen/")
        assert not (tmp_path / "public").exists()  # served from its own build, the published folder untouched

        text = OWN.replace("Bakkerij De Korrel", "Bakkerij Het Graan")
        (tmp_path / "klachten.toml").write_text(text, encoding="utf-8")
        os.utime(tmp_path / "klachten.toml", ns=(1, 1))  # a different mtime even on a coarse clock
        wait_for(built[2], "geen nieuwe bouw na een gewijzigde klachten.toml")
        assert lines[-1] == "Website opnieuw gebouwd (klachten.toml gewijzigd)."
        assert "Bakkerij Het Graan" in fetch(address[0] + "klachtenregeling/")

        write_xlsx(tmp_path / "register.xlsx", [HEADERS, *rows, complaint(complaint_no="K2026-002",
                                                                          received=dt.date(2026, 12, 1))])
        wait_for(built[3], "geen nieuwe bouw na een gewijzigd register")
        assert lines[-1] == "Website opnieuw gebouwd (register gewijzigd)."
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive()


def test_poort_option_is_checked():
    help_text = CliRunner().invoke(app, ["site", "--help"]).output
    assert "--poort" in help_text
    result = CliRunner().invoke(app, ["site", "--serve", "--poort", "70000"])
    assert result.exit_code == 2
    assert "--poort" in result.stderr
