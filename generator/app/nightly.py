"""`klachten nachtrun`: read, check, back up, mail the digest, optionally rebuild the site.

Each step reports its own result; a failed step never hides the others' results. The order
matters: the backup is written before anything is sent, and undelivered mail from earlier runs
is delivered before today's digest is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.mail.delivery import Outbox
from generator.mail.digest import Digest, Line, Section, build_digests, to_message
from generator.templating import render
from register.config import Config
from register.errors import KlachtenError
from register.plural import count
from register.validate import Severity


@dataclass
class Step:
    name: str
    ok: bool
    message: str


def _alert_digest(config: Config, reason: str, peildatum: dt.date) -> Digest:
    section = Section("Register niet gelezen", "De nachtrun kon het register niet lezen; er is vandaag niets gecontroleerd.",
                      [Line("—", "", reason)])
    digest = Digest(config.klachtbehandeling.email, "Klachten: register kon niet worden gelezen", [section])
    context = {"kop": "De nachtrun kon het register niet lezen", "peildatum": peildatum, "bron": "onbekend",
               "secties": [section], "onderwerp": digest.subject}
    digest.text = render(config, "mail/digest.txt", **context)
    digest.html = render(config, "mail/digest.html", **context)
    return digest


def run_nightly(config: Config, peildatum: dt.date, now: dt.datetime, dry: bool = False, redo: bool = False,
                echo: Callable[[str], None] = print, session: Any = None) -> list[Step]:
    from register.backup import write_backup
    from register.check import check_grid
    from register.sources import read_grid

    steps: list[Step] = []

    grid = result = None
    try:
        grid = read_grid(config, session=session)
        result = check_grid(grid, config, peildatum)
        errors = sum(f.ernst is Severity.FOUT for f in result.findings)
        steps.append(Step("register", True, f"{len(result.register)} klachten gelezen uit {grid.label}; "
                                            f"{count(errors, 'fout', 'fouten')}, "
                                            f"{count(len(result.findings) - errors, 'waarschuwing', 'waarschuwingen')}, "
                                            f"{count(len(result.flags), 'signaal', 'signalen')}"))
    except KlachtenError as exc:
        steps.append(Step("register", False, str(exc)))

    if result is not None and not dry:
        from register.sources import open_source

        try:
            written = open_source(config, session).keep_holidays_current(peildatum)
            steps.append(Step("feestdagen", True, written or "tabblad Feestdagen reikt al twee jaar vooruit"))
        except KlachtenError as exc:
            steps.append(Step("feestdagen", False, str(exc)))

    if grid is not None:
        try:
            path = write_backup(grid, config.backups_dir(), now, config.nachtrun.backups_bewaren)
            steps.append(Step("back-up", True, f"back-up geschreven: {path}"))
        except (KlachtenError, OSError) as exc:
            steps.append(Step("back-up", False, f"back-up mislukt: {exc}"))

    steps.append(_mail_step(config, result, steps, peildatum, now, dry, redo, echo))

    if config.nachtrun.site_bouwen and result is not None:
        from generator.site.build import build_site

        try:
            target, seconds = build_site(config, peildatum, result=result)
            steps.append(Step("website", True, f"website gebouwd in {target} ({seconds:.1f} s)"))
        except KlachtenError as exc:
            steps.append(Step("website", False, str(exc)))

    if config.nachtrun.deadlines_schrijven and result is not None and not dry:
        from register.writeback import write_deadlines

        try:
            report = write_deadlines(config, result, session=session)
            steps.append(Step("termijnen", True, report.summary()))
        except KlachtenError as exc:
            steps.append(Step("termijnen", False, str(exc)))
    return steps


def _mail_step(config, result, steps, peildatum, now, dry, redo, echo) -> Step:
    outbox = Outbox(config.outbox_dir(), config.state_file())
    day = peildatum.isoformat()
    delivered: list[str] = []
    down: str | None = None  # set when the server failed: today's digests are then only queued
    if not dry:  # first what earlier runs could not deliver, oldest first
        for path, message in outbox.pending():
            try:
                outbox.deliver(path, message, config)
                delivered.append(f"{message['To']} (uit postvak-uit, {message['X-Klachten-Dag']})")
            except KlachtenError as exc:
                down = str(exc)
                break
    try:
        if result is None:
            failed = next(s for s in steps if s.name == "register")
            digests = [_alert_digest(config, failed.message, peildatum)]
        else:
            digests = build_digests(result, config)
    except KlachtenError as exc:
        return Step("mail", False, f"mail niet verstuurd: {exc}")
    skipped, queued = [], []
    for digest in digests:
        message = to_message(digest, config, now, peildatum)
        if dry:
            echo(f"Aan: {message['To']}\nOnderwerp: {message['Subject']}\n\n{digest.text}")
            continue
        if outbox.delivered(day, digest.recipient) and not redo:
            skipped.append(digest.recipient)
            continue
        path = outbox.put(message)  # kept until the server has accepted it
        if down is not None:
            queued.append(digest.recipient)
            continue
        try:
            outbox.deliver(path, message, config)
            delivered.append(digest.recipient)
        except KlachtenError as exc:
            down = str(exc)
            queued.append(digest.recipient)
    if dry:
        return Step("mail", True, f"droog: {len(digests)} mail(s) getoond, niets verstuurd")
    if down is not None:
        kept = f"{len(outbox.pending())} mail(s) bewaard in {outbox.folder}, de volgende run verstuurt ze"
        return Step("mail", False, f"{down} ({kept})")
    if not digests:
        return Step("mail", True, "niets te melden; geen mail verstuurd" +
                    (f" (wel afgeleverd: {', '.join(delivered)})" if delivered else ""))
    parts = []
    if delivered:
        parts.append("verstuurd aan " + ", ".join(delivered))
    if skipped:
        parts.append("vandaag al verstuurd aan " + ", ".join(skipped) + " (gebruik --opnieuw)")
    return Step("mail", True, "; ".join(parts))
