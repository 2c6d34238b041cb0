"""Letters mailed as PDF and recorded in the register: a real SMTP server (aiosmtpd) on 127.0.0.1, with faults."""

import datetime as dt
import json
from email import message_from_bytes, policy

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from register.check import check_register
from tests.conftest import complaint
from tests.smtp_servers import Recorder, free_port, smtp_server

runner = CliRunner()
DAY = "2026-04-14"  # Tuesday


def run(cfg, *args):
    return runner.invoke(app, [*args, "--peildatum", DAY, "--config", str(cfg.path)])


def mail_toml(port: int) -> str:
    return f'[mail]\nhost = "127.0.0.1"\npoort = {port}\nbeveiliging = "geen"\nafzender = "klachten@testbedrijf.example"\n' \
           f'timeout_seconden = 5\n'


ROWS = [
    complaint(complaint_no="K1", received=dt.date(2026, 4, 13), name="Marieke Nepstra", salutation="mevrouw",
              email="marieke@klant.example", correspondence="2026-04-13 klacht per e-mail ontvangen"),
    complaint(complaint_no="K2", received=dt.date(2026, 4, 13), name="Jan de Vries", email="jan@klant.example"),
    complaint(complaint_no="K3", received=dt.date(2026, 4, 13), name="Piet Post", address="Postweg 1",
              postcode="1000 AB", city="Briefdorp"),  # no e-mail: the postal bundle
    # decision due 15 April, two working days away -> uitstelbericht nodig
    complaint(complaint_no="K4", received=dt.date(2026, 4, 1), acknowledged=dt.date(2026, 4, 2),
              email="kees@klant.example", extension_reason="Wachten op de fabrikant"),
]


@pytest.fixture
def server():
    with smtp_server(reject={"jan@klant.example"}) as (handler, port):
        yield handler, port


def register_row(cfg, number):
    reg = check_register(cfg, dt.date(2026, 4, 14)).register
    i = list(reg.frame["complaint_no"]).index(number)
    dates = {key: reg.dates(key)[i] for key in ("acknowledged", "extension_sent", "extended_until", "decided")}
    dates = {key: None if str(value) == "NaT" else value.astype(dt.date) for key, value in dates.items()}
    return dates | {"correspondence": reg.text("correspondence")[i]}


def received(handler):
    return [message_from_bytes(env.content, policy=policy.default) for env in handler.messages]


def test_brieven_verstuur_mails_records_and_bundles_postal_letters(make_config, tmp_path, server):
    handler, port = server
    cfg = make_config(mail_toml(port), rows=ROWS)
    result = run(cfg, "brieven", "--verstuur", "--processen", "1")
    assert result.exit_code == 1  # jan@ is refused by the server
    mails = received(handler)
    assert sorted(m["To"] for m in mails) == ["kees@klant.example", "marieke@klant.example"]
    ack = next(m for m in mails if m["To"] == "marieke@klant.example")
    assert ack["Subject"] == "Ontvangstbevestiging klacht K1"
    assert ack["Reply-To"].addresses[0].addr_spec == "t.tester@testbedrijf.example"
    assert "Geachte mevrouw Nepstra," in ack.get_body(("plain",)).get_content()
    assert "de ontvangstbevestiging over uw klacht <strong>K1</strong>" in ack.get_body(("html",)).get_content()
    [pdf] = list(ack.iter_attachments())
    assert pdf.get_filename() == "K1_ontvangstbevestiging.pdf" and pdf.get_content()[:5] == b"%PDF-"
    assert "Niet verstuurd: klacht K2: de ontvangstbevestiging is niet verstuurd: de mailserver " \
           f"127.0.0.1:{port} weigert ontvanger jan@klant.example" in result.stderr
    assert "2 brieven per e-mail verstuurd" in result.stdout
    assert "1 brief per post" in result.stdout and "post-2026-04-14.pdf" in result.stdout
    assert (tmp_path / "private" / "brieven" / "post-2026-04-14.pdf").is_file()

    k1 = register_row(cfg, "K1")
    assert k1["acknowledged"] == dt.date(2026, 4, 14)
    assert k1["correspondence"] == ("2026-04-13 klacht per e-mail ontvangen\n"
                                    "2026-04-14 ontvangstbevestiging per e-mail verstuurd")
    k4 = register_row(cfg, "K4")
    assert k4["extension_sent"] == dt.date(2026, 4, 14)
    assert k4["extended_until"] == dt.date(2026, 5, 13)  # the date the letter promises: 15 April + 4 weeks
    assert k4["correspondence"] == "2026-04-14 uitstelbericht per e-mail verstuurd"
    assert register_row(cfg, "K2")["acknowledged"] is None
    assert register_row(cfg, "K3")["acknowledged"] is None  # posted by the owner, who fills it in

    # The refusal (550) is recorded once: the next run does not try the same address again.
    handler.reject.clear()
    again = run(cfg, "brieven", "--verstuur", "--processen", "1")
    assert len(handler.messages) == 2
    assert again.exit_code == 0
    assert ("1 brief niet opnieuw verstuurd, want de mailserver weigerde het adres eerder blijvend: K2 "
            "ontvangstbevestiging (jan@klant.example). Pas het e-mailadres in het register aan om opnieuw te "
            "versturen.") in again.stdout
    # Once the owner corrects the address, it goes out; nothing twice.
    from openpyxl import load_workbook

    wb = load_workbook(cfg.register_path())
    ws = wb.active
    email_col = [c.value for c in ws[1]].index("E-mail") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "K2")
    ws.cell(row=row, column=email_col, value="jan.devries@klant.example")
    wb.save(cfg.register_path())
    fixed = run(cfg, "brieven", "--verstuur", "--processen", "1")
    assert [m["To"] for m in received(handler)[2:]] == ["jan.devries@klant.example"]
    assert "1 brief per e-mail verstuurd: K2 ontvangstbevestiging." in fixed.stdout
    third = run(cfg, "brieven", "--verstuur")
    assert len(handler.messages) == 3
    assert third.exit_code == 0
    assert register_row(cfg, "K1")["correspondence"].count("ontvangstbevestiging") == 1


def test_server_down_then_up_sends_exactly_once(make_config, tmp_path):
    port = free_port()  # nothing listens here
    cfg = make_config(mail_toml(port), rows=ROWS[:1])
    down = run(cfg, "brief", "K1", "ontvangstbevestiging", "--verstuur")
    assert down.exit_code == 1
    assert down.stderr.strip().startswith(f"Niet verstuurd: klacht K1: de ontvangstbevestiging is niet verstuurd: "
                                          f"de mailserver 127.0.0.1:{port} is niet bereikbaar")
    assert register_row(cfg, "K1")["acknowledged"] is None
    assert json.loads((tmp_path / "private" / "brieven-verzonden.json").read_text()) == {}
    handler = Recorder()
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert run(cfg, "brief", "K1", "ontvangstbevestiging", "--verstuur").exit_code == 0
        assert run(cfg, "brief", "K1", "ontvangstbevestiging", "--verstuur").exit_code == 0
    finally:
        controller.stop()
    assert len(handler.messages) == 1
    assert not list((tmp_path / "private" / "brieven-uit").glob("*.eml"))


class Dropper(Recorder):
    """Drops the connection after the message data, before answering: not accepted."""

    async def handle_DATA(self, server, session, envelope):
        server.transport.close()
        return "250 never seen"


def test_dropped_connection_is_retried_next_run(make_config, tmp_path):
    from aiosmtpd.controller import Controller

    port = free_port()
    cfg = make_config(mail_toml(port), rows=ROWS[:1])
    controller = Controller(Dropper(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        dropped = run(cfg, "brieven", "--verstuur")
    finally:
        controller.stop()
    assert dropped.exit_code == 1 and "verbrak de verbinding" in dropped.stderr
    assert (tmp_path / "private" / "brieven-uit" / "K1_ontvangstbevestiging.eml").is_file()  # kept in the outbox
    with smtp_server() as (handler, port2):
        cfg = make_config(mail_toml(port2), rows=ROWS[:1])
        assert run(cfg, "brieven", "--verstuur").exit_code == 0
    assert len(handler.messages) == 1


def test_interrupted_run_never_mails_twice(make_config, tmp_path, server):
    handler, port = server
    cfg = make_config(mail_toml(port), rows=ROWS[:1])
    log = tmp_path / "private" / "brieven-verzonden.json"
    log.parent.mkdir(parents=True)
    # A run died after marking the letter and before the server's answer.
    log.write_text(json.dumps({"K1/ontvangstbevestiging": {"status": "bezig", "datum": DAY, "via": "e-mail",
                                                           "geregistreerd": False}}))
    result = run(cfg, "brieven", "--verstuur")
    assert result.exit_code == 1 and not handler.messages
    assert ("Niet verstuurd: klacht K1: de ontvangstbevestiging is mogelijk al verstuurd (een eerdere run werd "
            "onderbroken); controleer de verzonden mail en verstuur zo nodig opnieuw met --opnieuw") in result.stderr
    assert run(cfg, "brieven", "--verstuur", "--opnieuw").exit_code == 0
    assert len(handler.messages) == 1


def test_droog_previews_without_sending_or_writing(make_config, tmp_path, server):
    handler, port = server
    cfg = make_config(mail_toml(port), rows=ROWS)
    result = run(cfg, "brieven", "--verstuur", "--droog")
    assert result.exit_code == 0, result.output
    assert "Zou mailen: K1 ontvangstbevestiging aan marieke@klant.example" in result.stdout
    assert "Zou afdrukken voor de post: K3 ontvangstbevestiging" in result.stdout
    assert not handler.messages
    for made in ("brieven", "brieven-uit", "brieven-verzonden.json"):
        assert not (tmp_path / "private" / made).exists(), made
    assert register_row(cfg, "K1")["acknowledged"] is None


def test_droog_never_writes_even_with_an_unrecorded_letter_in_the_log(make_config, tmp_path, server):
    _, port = server
    cfg = make_config(mail_toml(port), rows=ROWS[:1])
    log = tmp_path / "private" / "brieven-verzonden.json"
    log.parent.mkdir(parents=True)
    # Sent by an earlier run whose register write failed: a real run records it, a dry run must not.
    log.write_text(json.dumps({"K1/ontvangstbevestiging": {"status": "verzonden", "datum": DAY, "via": "e-mail",
                                                           "geregistreerd": False}}))
    register = tmp_path / "register.xlsx"
    before = register.read_bytes()
    assert run(cfg, "brieven", "--verstuur", "--droog").exit_code == 0
    assert register.read_bytes() == before
    assert run(cfg, "brieven", "--verstuur").exit_code == 0
    assert register_row(cfg, "K1")["acknowledged"] is not None


def test_brief_verstuur_without_email_names_the_cell(make_config, server):
    handler, port = server
    cfg = make_config(mail_toml(port), rows=ROWS)
    result = run(cfg, "brief", "K3", "ontvangstbevestiging", "--verstuur")
    assert result.exit_code == 1 and not handler.messages
    assert result.stderr.strip() == ("Niet verstuurd: klacht K3: 'E-mail' (H4) is leeg; de ontvangstbevestiging "
                                     "kan niet per e-mail worden verstuurd")


def test_nightly_sends_due_acknowledgements_only_when_opted_in(make_config, server):
    from generator.app.nightly import run_nightly
    from register.deadlines import AMSTERDAM

    handler, port = server
    handler.reject.clear()
    now = dt.datetime(2026, 4, 14, 6, 0, tzinfo=AMSTERDAM)
    cfg = make_config(mail_toml(port), rows=ROWS)
    steps = run_nightly(cfg, dt.date(2026, 4, 14), now, echo=lambda line: None)
    assert "bevestigingen" not in [s.name for s in steps]
    assert all(m["Subject"] != "Ontvangstbevestiging klacht K1" for m in received(handler))
    cfg = make_config(mail_toml(port) + "\n[nachtrun]\nbevestigingen_versturen = true\n", rows=ROWS)
    steps = run_nightly(cfg, dt.date(2026, 4, 14), now, redo=True, echo=lambda line: None)
    step = next(s for s in steps if s.name == "bevestigingen")
    assert step.ok, step.message
    acks = sorted(m["To"] for m in received(handler) if m["Subject"].startswith("Ontvangstbevestiging"))
    assert acks == ["jan@klant.example", "marieke@klant.example"]  # K3 has no e-mail: left for the post
    assert register_row(cfg, "K1")["acknowledged"] == dt.date(2026, 4, 14)
    assert register_row(cfg, "K4")["extension_sent"] is None  # only acknowledgements


def test_droog_reports_a_letter_that_cannot_be_made(make_config, server):
    handler, port = server
    rows = [complaint(complaint_no="K9", received=dt.date(2026, 4, 1), acknowledged=dt.date(2026, 4, 2),
                      email="kees@klant.example")]  # uitstelbericht nodig, but no Reden uitstel
    cfg = make_config(mail_toml(port), rows=rows)
    result = run(cfg, "brieven", "--verstuur", "--droog")
    assert result.exit_code == 1 and not handler.messages
    assert result.stderr.strip() == ("Niet verstuurd: klacht K9: 'Reden uitstel' (R2) is leeg; het uitstelbericht "
                                     "is niet gemaakt")


def test_a_complainant_who_asked_for_post_gets_letters_by_post(make_config, tmp_path, server):
    """Antwoord per = post: never mailed, even with an e-mail address; the letter goes into the
    print bundle. Antwoord per = e-mail (or empty) with an address: mailed."""
    handler, port = server
    rows = [complaint(complaint_no="P1", received=dt.date(2026, 4, 13), name="Piet Papier", email="piet@klant.example",
                      address="Postweg 2", postcode="1000 AB", city="Briefdorp", reply_by="per post"),
            complaint(complaint_no="M1", received=dt.date(2026, 4, 13), name="Mia Mail", email="mia@klant.example",
                      reply_by="e-mail")]
    cfg = make_config(mail_toml(port), rows=rows)
    result = run(cfg, "brieven", "--verstuur", "--processen", "1")
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in received(handler)] == ["mia@klant.example"]
    assert "1 brief per post" in result.stdout and "P1 ontvangstbevestiging" in result.stdout
    assert (tmp_path / "private" / "brieven" / "post-2026-04-14.pdf").is_file()
    # The one-letter command does not mail it either: it goes into a print bundle.
    single = run(cfg, "brief", "P1", "ontvangstbevestiging", "--verstuur", "--opnieuw")
    assert len(handler.messages) == 1
    assert "1 brief per post" in single.stdout, single.output


def pdf_attachment_text(message) -> str:
    import io

    from pypdf import PdfReader

    [pdf] = list(message.iter_attachments())
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages).split())


LATE_NOTICE = ("Let op: de oorspronkelijke termijn liep af op 15 april 2026; dit uitstel is te laat gemeld en "
               "verschuift de termijn niet")


def test_a_late_uitstelbericht_is_sent_only_with_te_laat_and_exactly_once(make_config, server):
    # Received Wed 1 April: decision due Wed 15 April; on the 20th an uitstelbericht is late.
    handler, port = server
    cfg = make_config(mail_toml(port), rows=[
        complaint(complaint_no="K1", received=dt.date(2026, 4, 1), acknowledged=dt.date(2026, 4, 2),
                  email="kees@klant.example", extension_reason="Wachten op de fabrikant")])

    def send(*extra):
        return runner.invoke(app, ["brief", "K1", "uitstelbericht", "--verstuur", *extra,
                                   "--peildatum", "2026-04-20", "--config", str(cfg.path)])

    refused = send()
    assert refused.exit_code == 1 and handler.messages == []
    assert refused.stderr.strip() == (
        "Niet verstuurd: klacht K1: de standpunttermijn eindigt op 15 april 2026; een uitstelbericht van "
        "20 april 2026 komt niet meer op tijd. Maak het alleen bewust, met: klachten brief K1 uitstelbericht "
        "--te-laat --verstuur")
    assert register_row(cfg, "K1")["extension_sent"] is None

    result = send("--te-laat")
    assert result.exit_code == 0, result.output
    assert "1 brief per e-mail verstuurd: K1 uitstelbericht." in result.stdout
    assert result.stderr.strip() == LATE_NOTICE
    [mail] = received(handler)
    assert mail["To"] == "kees@klant.example" and mail["Subject"] == "Uitstelbericht klacht K1"
    assert ("Dit bericht had u ruim vóór 15 april 2026 moeten krijgen. Het komt later dan wij beloofden; "
            "onze excuses daarvoor.") in pdf_attachment_text(mail)
    k1 = register_row(cfg, "K1")
    assert k1["extension_sent"] == dt.date(2026, 4, 20)
    assert k1["correspondence"].splitlines()[-1] == "2026-04-20 uitstelbericht per e-mail verstuurd"

    again = send("--te-laat")
    assert again.exit_code == 0 and "1 brief was al verstuurd." in again.stdout
    assert "Let op" not in again.stderr
    assert len(handler.messages) == 1
    assert register_row(cfg, "K1")["correspondence"].count("uitstelbericht per e-mail verstuurd") == 1


def test_brieven_verstuur_on_the_due_day_points_to_te_laat_and_never_sends_twice(make_config, server):
    # On the due day itself (15 April) the signal still asks for an uitstelbericht, but it is late:
    # the batch run leaves it to the owner's explicit choice.
    handler, port = server
    cfg = make_config(mail_toml(port), rows=[
        complaint(complaint_no="K1", received=dt.date(2026, 4, 1), acknowledged=dt.date(2026, 4, 2),
                  email="kees@klant.example", extension_reason="Wachten op de fabrikant")])

    def invoke(*args):
        return runner.invoke(app, [*args, "--peildatum", "2026-04-15", "--config", str(cfg.path)])

    batch = invoke("brieven", "--verstuur", "--processen", "1")
    assert batch.exit_code == 1 and handler.messages == []
    assert "klachten brief K1 uitstelbericht --te-laat --verstuur" in batch.stderr
    late = invoke("brief", "K1", "uitstelbericht", "--te-laat", "--verstuur")
    assert late.exit_code == 0, late.output
    assert late.stderr.strip() == ("Let op: de oorspronkelijke termijn eindigt vandaag (15 april 2026); dit uitstel "
                                   "verschuift de termijn nog wel, maar komt niet ruim op tijd")
    assert [m["To"] for m in received(handler)] == ["kees@klant.example"]
    assert register_row(cfg, "K1")["extension_sent"] == dt.date(2026, 4, 15)
    after = invoke("brieven", "--verstuur", "--processen", "1")
    assert after.exit_code == 0, after.output
    assert len(handler.messages) == 1
