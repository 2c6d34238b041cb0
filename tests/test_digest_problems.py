"""The daily mail names every problem in the register by its cell, never by its content; letters
that cannot be made say why; the half-year reminder says how late; the subject fits a phone."""

import datetime as dt
from email import message_from_bytes, policy

from typer.testing import CliRunner

from generator.app.cli import app
from generator.mail.digest import SUBJECT_MAX, Line, Section, _overdue, subject_for
from tests.conftest import complaint
from tests.smtp_servers import smtp_server

runner = CliRunner()
PEIL = "2026-03-27"
ROWS = [
    complaint(complaint_no="K2026-001", received=dt.date(2026, 3, 20), acknowledged=dt.date(2026, 3, 20),
              channel="duif", extension_reason="Wachten op een onderdeel"),  # error: not a channel
    complaint(complaint_no="K2026-002", received=dt.date(2026, 3, 20), acknowledged=dt.date(2026, 3, 20),
              email="geheim-adres-zonder-apenstaart", name="Sanne Geheim",
              extension_reason="Wachten op een onderdeel"),  # warning: invalid e-mail address
    complaint(complaint_no="K2026-003", received=dt.date(2026, 3, 17), acknowledged=dt.date(2026, 3, 18),
              name="Piet Proef"),  # needs an uitstelbericht, and Reden uitstel is empty
]


def mail_toml(port: int) -> str:
    return (f'[mail]\nhost = "127.0.0.1"\npoort = {port}\nbeveiliging = "geen"\n'
            f'afzender = "nacht@testbedrijf.example"\ntimeout_seconden = 2\n')


def delivered(make_config, rows, peil=PEIL):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=rows)
        result = runner.invoke(app, ["nachtrun", "--peildatum", peil, "--config", str(cfg.path)])
        assert result.exit_code == 0, result.output
        assert len(server.messages) == 1
        msg = message_from_bytes(server.messages[0].original_content, policy=policy.default)
    return msg, msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def test_problems_are_named_by_cell_and_kind_never_by_content(make_config):
    msg, text, html = delivered(make_config, ROWS)
    assert "== Problemen in het register (3) ==" in text
    assert "Problemen in het register (3)" in html
    raw = msg.as_bytes().decode()
    assert f"Subject: {msg['Subject']}\n" in raw.replace("\r\n", "\n")  # one header line, not folded
    assert "- K2026-001 (cel C2, kolom Kanaal): fout: een keuzekolom bevat een waarde die niet bestaat" in text
    email_col = [line for line in text.splitlines() if line.startswith("- K2026-002 (cel ")]
    assert email_col == [f"- K2026-002 (cel {email_col[0].split('cel ')[1].split(',')[0]}, kolom E-mail): "
                         "waarschuwing: het e-mailadres is ongeldig"]
    # errors come before warnings, and the letter that cannot be made follows with its empty cell
    lines = [line for line in text.splitlines() if line.startswith("- K2026-00") and "(cel" in line]
    assert [line[2:11] for line in lines] == ["K2026-001", "K2026-002", "K2026-003"]
    assert "het uitstelbericht kan niet worden gemaakt: Reden uitstel is leeg" in lines[2]
    assert "kolom Reden uitstel" in lines[2]
    for body in (text, html):
        for content in ("duif", "geheim-adres", "Sanne", "Piet Proef"):
            assert content not in body, content
    # all three are inside the notice lead time; only K2026-003's notice lacks its reason
    assert msg["Subject"] == "Klachten: 3 uitstelberichten nodig, 1 fout in het register"


def test_warnings_alone_reach_the_mail(make_config):
    rows = [complaint(complaint_no="K2026-002", received=dt.date(2026, 3, 26), email="x@@y")]
    msg, text, _ = delivered(make_config, rows)
    assert msg["Subject"] == "Klachten: 1 probleem in het register"
    assert "waarschuwing: het e-mailadres is ongeldig" in text


def test_complaint_numbers_never_break_in_the_html_mail(make_config):
    _, _, html = delivered(make_config, ROWS)
    cells = html.split("<td")
    number_cells = [c for c in cells if "K2026-00" in c.split("</td>")[0]]
    assert number_cells and all(c.startswith(' style="white-space: nowrap;"') for c in number_cells)


def test_half_year_reminder_says_how_late(make_config):
    rows = [complaint(complaint_no="K2026-001", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                      status="afgehandeld", decided=dt.date(2026, 3, 10), outcome="gegrond",
                      motivation="m", extension_reason="")]
    msg, text, _ = delivered(make_config, rows, peil="2026-12-03")
    assert "eerste halfjaar 2026 (1 januari 2026 t/m 30 juni 2026), 5 maanden te laat: maak het rapport" in text
    assert len(msg["Subject"]) <= SUBJECT_MAX


def test_overdue_wording_at_the_boundaries():
    end = dt.date(2026, 6, 30)
    assert _overdue(end, end) == ""
    assert _overdue(end, dt.date(2026, 7, 1)) == ", 1 dag te laat"
    assert _overdue(end, dt.date(2026, 7, 29)) == ", 29 dagen te laat"
    assert _overdue(end, dt.date(2026, 7, 31)) == ", 1 maand te laat"
    assert _overdue(end, dt.date(2026, 12, 3)) == ", 5 maanden te laat"
    assert _overdue(dt.date(2026, 12, 31), dt.date(2027, 2, 28)) == ", 2 maanden te laat"
    assert _overdue(dt.date(2026, 12, 31), dt.date(2027, 2, 27)) == ", 1 maand te laat"


def test_subject_stays_within_78_characters():
    from register.signals import IN_MAIL_ORDER

    sections = [Section(s.section, "", [Line("K1", "", "x")] * 12, signal=s.name) for s in IN_MAIL_ORDER]
    sections.append(Section("Problemen in het register", "", [Line("K1", "", "x", fout=True)] * 40, cellen=True))
    subject = subject_for(sections)
    assert len(subject) <= SUBJECT_MAX
    assert subject.startswith("Klachten: 12 met voorrang") and subject.endswith(" en meer, 40 fouten in het register")
    short = subject_for(sections[:1])
    assert short == "Klachten: 12 met voorrang"


def test_subject_counts_everything_when_no_part_fits_beside_the_problems():
    from generator.mail.digest import fit_subject

    parts = ["3 met voorrang", "1 uitstelbericht nodig", "2 op te volgen", "1 halfjaaranalyse nodig"]
    subject = fit_subject("Klachten: ", parts, ["2 problemen in het register", "weekoverzicht"])
    assert subject == "Klachten: 7 meldingen, 2 problemen in het register, weekoverzicht"
    assert fit_subject("Klachten: ", parts[:1], ["1 fout in het register"]) == \
        "Klachten: 3 met voorrang, 1 fout in het register"
