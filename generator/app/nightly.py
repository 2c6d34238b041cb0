"""`klachten nachtrun`: read, check, back up, mail the digest, optionally rebuild the site.

Each step reports its own result; a failed step (an OSError or an unexpected error included)
never hides the others' results, so the step report always comes out. The order matters: the
backup is written before anything is sent, and undelivered mail from earlier runs is delivered
before today's digest is made. The whole run holds the private-folder lock: two runs at once
never send the digest twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.mail.delivery import DAY_HEADER, MAIN_ROLE, Outbox
from generator.mail.digest import Digest, Line, Section, build_digests, refusal_section, to_message
from generator.templating import render
from register.config import Config
from register.errors import KlachtenError, MailError, MailRefused, os_error_message
from register.plural import count
from register.validate import Severity


@dataclass
class Step:
    name: str
    ok: bool
    message: str


def _alert_digest(config: Config, reason: str, peildatum: dt.date, notices: list[Section]) -> Digest:
    if not config.klachtbehandeling.email:
        raise MailError("geen ontvanger voor de dagmail: vul [klachtbehandeling] email in")
    section = Section("Register niet gelezen", "De nachtrun kon het register niet lezen; er is vandaag niets gecontroleerd.",
                      [Line("—", "", reason)])
    digest = Digest(config.klachtbehandeling.email, "Klachten: register kon niet worden gelezen", [section, *notices])
    context = {"kop": "De nachtrun kon het register niet lezen", "peildatum": peildatum, "bron": "onbekend",
               "secties": digest.sections, "onderwerp": digest.subject}
    digest.text = render(config, "mail/digest.txt", **context)
    digest.html = render(config, "mail/digest.html", **context)
    return digest


def run_nightly(config: Config, peildatum: dt.date, now: dt.datetime, dry: bool = False, redo: bool = False,
                echo: Callable[[str], None] = print, session: Any = None) -> list[Step]:
    """Every step, under the private-folder lock: a second run at the same time waits briefly,
    then stops with a Dutch line instead of sending the digest again."""
    from register import locks

    try:
        with locks.private_lock(config, wait=locks.WAIT_SECONDS):
            return _run_steps(config, peildatum, now, dry, redo, echo, session)
    except locks.RegisterBusy as exc:
        return [Step("nachtrun", False, f"{exc}; deze run slaat alle stappen over")]
    except OSError as exc:  # the lock file itself could not be made
        return [Step("nachtrun", False, f"kon de map {config.private_dir()} niet vergrendelen: "
                                        f"{os_error_message(exc)}")]


def _guarded(name: str, action: Callable[[], Step]) -> Step:
    """Run one step; whatever it raises becomes that step's failure, so the report always follows."""
    try:
        return action()
    except KlachtenError as exc:
        return Step(name, False, str(exc))
    except OSError as exc:
        return Step(name, False, os_error_message(exc))
    except Exception as exc:  # noqa: BLE001 - the report must come out; the step shows the cause
        return Step(name, False, f"onverwachte fout in deze stap ({' '.join(str(exc).split())[:200]})")


def _run_steps(config, peildatum, now, dry, redo, echo, session) -> list[Step]:
    from register.backup import write_backup
    from register.check import check_grid
    from register.sources import read_grid
    from register.store import PrivateStore

    steps: list[Step] = []
    loaded: dict[str, Any] = {}

    def register_step() -> Step:
        loaded["grid"] = grid = read_grid(config, session=session)
        loaded["result"] = result = check_grid(grid, config, peildatum)
        errors = sum(f.ernst is Severity.FOUT for f in result.findings)
        return Step("register", True, f"{count(len(result.register), 'klacht', 'klachten')} gelezen uit "
                                      f"{grid.label}; {count(errors, 'fout', 'fouten')}, "
                                      f"{count(len(result.findings) - errors, 'waarschuwing', 'waarschuwingen')}, "
                                      f"{count(len(result.flags), 'signaal', 'signalen')}")

    if config.nachtrun.formulier_importeren and not dry:  # first, so today's check sees the new complaints
        steps.append(_guarded("formulier", lambda: _intake_step(config, session)))

    steps.append(_guarded("register", register_step))
    grid, result = loaded.get("grid"), loaded.get("result")
    if result is not None and not dry:
        adopted = _guarded("privémap", lambda: Step("privémap", True, adopt_private(config, result) or ""))
        if not adopted.ok or adopted.message:
            steps.append(adopted)

    if result is not None and not dry:
        from register.sources import open_source

        def holidays_step() -> Step:
            written = open_source(config, session).keep_holidays_current(peildatum)
            return Step("feestdagen", True, written or "tabblad Feestdagen reikt al twee jaar vooruit")

        steps.append(_guarded("feestdagen", holidays_step))

    if grid is not None:
        def backup_step() -> Step:
            path = write_backup(grid, config.backups_dir(), now, config.nachtrun.backups_bewaren,
                                config.nachtrun.backups_bewaren, store=PrivateStore(config))
            return Step("back-up", True, f"back-up geschreven: {path}")

        step = _guarded("back-up", backup_step)
        if not step.ok:
            step.message = f"back-up mislukt: {step.message}"
        steps.append(step)

    steps.append(_guarded("mail", lambda: _mail_step(config, result, steps, peildatum, now, dry, redo, echo)))

    if config.nachtrun.bevestigingen_versturen and result is not None:
        steps.append(_guarded("bevestigingen", lambda: _acknowledgement_step(config, result, dry, session)))

    if config.nachtrun.site_bouwen and result is not None:
        from generator.site.build import build_site

        def site_step() -> Step:
            target, seconds = build_site(config, peildatum, result=result)
            return Step("website", True, f"website gebouwd in {target} ({seconds:.1f} s)")

        steps.append(_guarded("website", site_step))

    if config.nachtrun.deadlines_schrijven and result is not None and not dry:
        from register.writeback import write_deadlines

        steps.append(_guarded("termijnen", lambda: Step("termijnen", True,
                                                       write_deadlines(config, result, session=session).summary())))

    def tighten_step() -> Step:
        PrivateStore(config).tighten()
        return Step("privémap", True, "rechten in orde")

    tightened = _guarded("privémap", tighten_step)
    if not tightened.ok and not dry:
        steps.append(tightened)
    return steps


def adopt_private(config: Config, result: Any) -> str | None:
    """Adopt a private folder from before the manifest (one Dutch line), else None."""
    from register.store import PrivateStore

    numbers = [str(n) for n in result.register.frame["complaint_no"].to_numpy() if n]
    return PrivateStore(config).adopt(numbers)


def _intake_step(config: Config, session: Any) -> Step:
    """Opt-in ([nachtrun] formulier_importeren): new responses of the online form into the register."""
    from register.intake import import_responses

    report = import_responses(config, dry=False, session=session)
    if report.problems:
        return Step("formulier", False, report.summary() + "; " + "; ".join(report.problems))
    return Step("formulier", True, report.summary())


def _acknowledgement_step(config: Config, result, dry: bool, session: Any) -> Step:
    """Opt-in ([nachtrun] bevestigingen_versturen): mail the due acknowledgements to complainants
    with an e-mail address and record them; postal ones stay for `klachten brieven --verstuur`."""
    from generator.letters.render import due_letters
    from generator.letters.sending import send_letters

    due, made = due_letters(result, config)
    wanted = sorted(w for w in due + made if w[1] == "ontvangstbevestiging")
    try:
        report = send_letters(config, result, wanted, dry=dry, postal=False, workers=1, session=session,
                              locked=True)  # run_nightly holds the private-folder lock
    except KlachtenError as exc:
        return Step("bevestigingen", False, str(exc))
    summary = "; ".join(report.lines())
    if report.problems:
        return Step("bevestigingen", False, f"{summary}; niet verstuurd: " + "; ".join(report.problems))
    return Step("bevestigingen", True, summary)


def _mail_step(config, result, steps, peildatum, now, dry, redo, echo) -> Step:
    """Settle earlier runs' marks, send the queue (addressed by today's config), then today's digests.

    A permanent refusal sets that message aside and the queue goes on; any other failure stops
    sending for this run and keeps what is left queued.
    """
    if config.mail.bezorging == "bestand" and not dry:
        return _digest_to_file(config, result, steps, peildatum, now)
    outbox = Outbox(config.outbox_dir(), config.state_file())
    day = peildatum.isoformat()
    delivered: list[str] = []
    notes: list[str] = [] if dry else outbox.settle()
    refused: list[str] = []
    down: str | None = None  # set when the server failed: today's digests are then only queued
    if not config.mail.host:
        down = ("geen mailserver ingesteld: vul [mail] host in (klachten config toont wat ontbreekt), "
                "of zet [mail] bezorging = \"bestand\" als u geen mail wilt")

    def attempt(path, message, label: str) -> None:
        nonlocal down
        try:
            done = outbox.deliver(path, message, config)
        except MailRefused as exc:
            where = f"; de mail staat nu in {outbox.refused_dir}" if path is not None else ""
            refused.append(f"{exc}{where}")
        except KlachtenError as exc:
            down = str(exc)
        else:
            delivered.append(label)
            if done.note:
                notes.append(done.note)

    if not dry:  # first what earlier runs could not deliver, oldest first
        for path, message in outbox.pending():
            if down is not None:
                break
            queued_path = outbox.readdress(path, message, config)
            if queued_path is not None:
                attempt(queued_path, message, f"{message['To']} (uit postvak-uit, {message[DAY_HEADER]})")

    refusals = outbox.refusals()  # including those refused just now
    notices = [refusal_section(refusals)] if refusals and not dry else []
    if result is None:
        failed = next(s for s in steps if s.name == "register")
        digests = [_alert_digest(config, failed.message, peildatum, notices)]
    else:
        digests = build_digests(result, config, notices)
    skipped: list[str] = []
    finder = None
    if result is not None:
        from register.store import NumberFinder

        finder = NumberFinder(str(n) for n in result.register.frame["complaint_no"].to_numpy() if n)
    for digest in digests:
        message = to_message(digest, config, now, peildatum)
        if dry:
            echo(f"Aan: {message['To']}\nOnderwerp: {message['Subject']}\n\n{digest.text}")
            continue
        if outbox.delivered(day, digest.recipient) and not redo:
            skipped.append(digest.recipient)
            continue
        queued: Path | None
        try:
            queued = outbox.put(message, finder.in_text(digest.text) if finder else ())  # kept until accepted
        except OSError as exc:  # a full disk: send it anyway, guarded by an empty write-ahead mark
            queued = None
            notes.append(f"mail aan {digest.recipient} niet in het postvak-uit gezet ({os_error_message(exc)})")
        if down is not None:
            continue
        before = len(delivered)
        attempt(queued, message, digest.recipient)
        if len(delivered) > before and digest.role == MAIN_ROLE and notices:
            outbox.mark_reported(refusals)
    if dry:
        return Step("mail", True, f"droog: {count(len(digests), 'mail', 'mails')} getoond, niets verstuurd")
    parts = []
    if delivered:
        parts.append("verstuurd aan " + ", ".join(delivered))
    if skipped:
        parts.append("vandaag al verstuurd aan " + ", ".join(skipped) + " (gebruik --opnieuw)")
    if not digests:
        parts.append("niets te melden; geen mail verstuurd")
    parts += notes
    problems = list(refused)
    if down is not None:
        left = len(outbox.pending())
        problems.append(f"{down} ({count(left, 'mail', 'mails')} bewaard in {outbox.folder}, de volgende run "
                        f"verstuurt ze)")
    if problems:
        return Step("mail", False, "; ".join(problems + parts))
    return Step("mail", True, "; ".join(parts))


def _digest_to_file(config: Config, result, steps, peildatum: dt.date, now: dt.datetime) -> Step:
    """[mail] bezorging = "bestand": no mail server; each digest becomes a text file (and the
    .eml beside it) in the private folder, one per day and recipient, rewritten on a rerun."""
    from register.store import NumberFinder, PrivateStore

    if result is None:
        failed = next(s for s in steps if s.name == "register")
        digests = [_alert_digest(config, failed.message, peildatum, [])]
    else:
        digests = build_digests(result, config)
    if not digests:
        return Step("mail", True, "niets te melden; geen dagmail geschreven")
    # Through the private store, as the outbox does: 0600 in 0700 folders, and the complaint
    # numbers each file names in the manifest (so anonymising and inzage find it).
    store = PrivateStore(config)
    folder = store.ensure_dir(config.digest_file_dir())
    finder = None
    if result is not None:
        finder = NumberFinder(str(n) for n in result.register.frame["complaint_no"].to_numpy() if n)
    written = []
    for digest in digests:
        message = to_message(digest, config, now, peildatum)
        numbers = finder.in_text(digest.text) if finder else ()
        suffix = "" if digest.role == MAIN_ROLE else "-" + "".join(c if c.isalnum() else "-" for c in digest.role)
        stem = folder / f"dagmail-{peildatum.isoformat()}{suffix}"
        store.write(stem.with_suffix(".txt"), f"Onderwerp: {digest.subject}\n\n{digest.text}".encode(), numbers)
        store.write(stem.with_suffix(".eml"), message.as_bytes(), numbers)
        written.append(str(stem.with_suffix(".txt")))
    return Step("mail", True, "geen mailserver ([mail] bezorging = \"bestand\"): dagmail geschreven in "
                              + ", ".join(written))
