"""The daily mail leads with urgency 1-3, lists follow-ups, reminds of the half-year review and,
on the configured weekday, adds the weekly overview per behandelaar. Mails go through a real
SMTP server on 127.0.0.1."""

import datetime as dt
from email import message_from_bytes, policy

from typer.testing import CliRunner

from generator.app.cli import app
from register.periods import half_year
from register.reviews import Review, record_review
from tests.conftest import complaint
from tests.smtp_servers import smtp_server

runner = CliRunner()
MONDAY = "2026-07-06"  # the first half of 2026 has ended
ROWS = [
    complaint(complaint_no="K1", received=dt.date(2026, 6, 29), acknowledged=dt.date(2026, 6, 30), urgency=3,
              handler="A. Eerste"),
    complaint(complaint_no="K2", received=dt.date(2026, 7, 1), acknowledged=dt.date(2026, 7, 1), urgency="1",
              handler="B. Tweede", name="Geheime Klager"),
    complaint(complaint_no="K3", received=dt.date(2026, 7, 2), acknowledged=dt.date(2026, 7, 2), urgency=2,
              handler="A. Eerste", follow_up=dt.date(2026, 7, 6)),
    complaint(complaint_no="K4", received=dt.date(2026, 7, 3), urgency=4, handler="B. Tweede",
              follow_up=dt.date(2026, 7, 7)),  # follow-up tomorrow: not yet
    complaint(complaint_no="K5", received=dt.date(2026, 2, 2), acknowledged=dt.date(2026, 2, 3),
              decided=dt.date(2026, 2, 10), status="afgehandeld", outcome="gegrond", urgency=1,
              follow_up=dt.date(2026, 7, 1), handler="A. Eerste"),  # closed: not urgent any more, follow-up still due
]


def mail_toml(port: int, extra: str = "") -> str:
    return (f'[mail]\nhost = "127.0.0.1"\npoort = {port}\nbeveiliging = "geen"\n'
            f'afzender = "nacht@testbedrijf.example"\ntimeout_seconden = 2\n{extra}')


def run(cfg, day=MONDAY):
    result = runner.invoke(app, ["nachtrun", "--peildatum", day, "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    return result


def bodies(server):
    msg = message_from_bytes(server.messages[-1].original_content, policy=policy.default)
    return msg, msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()


def test_mail_leads_with_urgency_most_urgent_first_and_lists_follow_ups(make_config):
    with smtp_server() as (server, port):
        run(make_config(mail_toml(port), rows=ROWS))
        msg, text, html = bodies(server)
    # K1's decision is due Mon 13 July: 5 working days from Mon 6 July, the notice's lead time.
    # In full the subject would not fit one header line: urgency leads, the rest is 'en meer'; the two
    # problems are the letters the register cannot make yet (no Reden uitstel), named in the mail.
    assert msg["Subject"] == "Klachten: 3 met voorrang en meer, 2 problemen in het register"
    assert "== Problemen in het register (2) ==" in text
    first_section = text.split("== ")[1]
    assert first_section.startswith("Eerst: urgentie 1 t/m 3 (3)")
    lines = [line for line in first_section.splitlines() if line.startswith("- ")]
    assert lines == [
        "- K2, B. Tweede: urgentie 1 (geschilleninstantie of rechter ingeschakeld); "
        "standpunt uiterlijk 15 juli 2026, nog 9 dagen",
        "- K3, A. Eerste: urgentie 2 (aangetekende brief, eis of dreiging); "
        "standpunt uiterlijk 16 juli 2026, nog 10 dagen",
        "- K1, A. Eerste: urgentie 3 (betaling ingehouden); standpunt uiterlijk 13 juli 2026, nog 7 dagen",
    ]
    assert "- K3, A. Eerste: opvolgen op 6 juli 2026 (vandaag)" in text
    assert "- K5, A. Eerste: opvolgen op 1 juli 2026 (5 dagen geleden)" in text
    assert "K4" not in text
    assert ("- 2026-H1: eerste halfjaar 2026 (1 januari 2026 t/m 30 juni 2026), 6 dagen te laat: maak het rapport met "
            "'klachten analyse --periode 2026-H1'") in text
    assert "<th>Periode</th>" in html
    assert "Eerst: urgentie 1 t/m 3" in html and "Geheime Klager" not in text + html
    assert "Weekoverzicht" not in text  # not configured


def test_recorded_review_stops_the_reminder(make_config):
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port), rows=ROWS)
        # A review recorded before the half-year ended does not count.
        record_review(cfg, half_year("2026-H1"), dt.date(2026, 6, 30))
        run(cfg)
        assert "== Halfjaarlijkse analyse (1) ==" in bodies(server)[1]
        record_review(cfg, half_year("2026-H1"), dt.date(2026, 7, 6))
        runner.invoke(app, ["nachtrun", "--peildatum", MONDAY, "--opnieuw", "--config", str(cfg.path)])
        assert "Halfjaarlijkse analyse" not in bodies(server)[1] and "halfjaaranalyse" not in bodies(server)[0]["Subject"]


def test_a_year_review_covers_both_halves():
    year = Review(half_year("2026-H1").__class__("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                  dt.date(2027, 1, 5))
    assert year.covers(half_year("2026-H1")) and year.covers(half_year("2026-H2"))
    assert not year.covers(half_year("2025-H2"))


def test_weekly_overview_on_its_day_per_behandelaar(make_config):
    extra = ('weekoverzicht = "maandag"\nper_behandelaar = true\n'
             '[mail.behandelaars]\n"B. Tweede" = "b@testbedrijf.example"\n')
    with smtp_server() as (server, port):
        cfg = make_config(mail_toml(port, extra), rows=ROWS)
        run(cfg)
        by_rcpt = {e.rcpt_tos[0]: message_from_bytes(e.original_content, policy=policy.default)
                   for e in server.messages}
    main = by_rcpt["t.tester@testbedrijf.example"]
    assert main["Subject"].endswith(", weekoverzicht")
    text = main.get_body(("plain",)).get_content()
    overview = text.split("== Weekoverzicht: open klachten per behandelaar (4) ==")[1]
    lines = [line for line in overview.splitlines() if line.startswith("- ")]
    assert lines == [
        "- K1, A. Eerste: 7 dagen oud; standpunt uiterlijk 13 juli 2026, nog 7 dagen",
        "- K3, A. Eerste: 4 dagen oud; standpunt uiterlijk 16 juli 2026, nog 10 dagen",
        "- K4, B. Tweede: 3 dagen oud; ontvangstbevestiging uiterlijk 14 juli 2026, nog 8 dagen",
        "- K2, B. Tweede: 5 dagen oud; standpunt uiterlijk 15 juli 2026, nog 9 dagen",
    ]
    own = by_rcpt["b@testbedrijf.example"].get_body(("plain",)).get_content()
    assert "K4, B. Tweede: 3 dagen oud" in own and "K1" not in own and "halfjaar" not in own


def test_no_weekly_overview_on_other_days(make_config):
    with smtp_server() as (server, port):
        run(make_config(mail_toml(port, 'weekoverzicht = "maandag"\n'), rows=ROWS), day="2026-07-07")
        msg, text, _ = bodies(server)
    assert "Weekoverzicht" not in text and "weekoverzicht" not in msg["Subject"]


def test_unknown_weekday_is_a_config_error(make_config, tmp_path):
    (tmp_path / "k.toml").write_text('[mail]\nweekoverzicht = "maandg"\n', encoding="utf-8")
    result = runner.invoke(app, ["config", "--config", str(tmp_path / "k.toml")])
    assert result.exit_code == 2
    assert "[mail] weekoverzicht: 'maandg' is niet toegestaan" in result.stderr
    assert "(bedoelde u 'maandag'?)" in result.stderr
