"""Letters mailed as PDF attachments and recorded in the register, exactly once.

Per letter, in this order: the message is written to the letters' outbox
(``config.letters_outbox_dir()``), the sent log (``config.letters_log()``) marks it 'bezig', the
SMTP server gets it, and only when the server accepted it does the log say 'verzonden' and the
.eml leave the outbox. A refused or failed delivery (server down, recipient refused, connection
dropped before the server's 250) clears the mark, so the next run tries again. A run that died
between marking and the server's answer leaves 'bezig': that letter is never sent again by
itself (it may have arrived) but reported, until the owner sends it with ``--opnieuw``.

After the deliveries one write (by complaint number, only those cells) records them in the
register: the letter kind's own date column (Datum bevestiging, Datum uitstelbericht; Datum
standpunt stays the owner's) and one line appended to Correspondentie. A write that fails is
retried by the next run from the sent log. Letters to complainants without an e-mail address
are bundled into one print-ready PDF of the day's postal letters.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

import numpy as np

from generator.letters.kinds import BY_NAME, LETTER_KINDS
from generator.letters.render import LetterJob, letter_context, letter_job, write_pdfs
from generator.templating import render
from register.check import CheckResult
from register.config import Config
from register.errors import (
    ConfigError,
    KlachtenError,
    LetterError,
    MailError,
    MailRefused,
    RecipientRefused,
    os_error_message,
)
from register.plural import count
from register.policy import address_problem

SENDING, SENT, REFUSED = "bezig", "verzonden", "geweigerd"


def log_key(number: str, kind: str) -> str:
    return f"{number}/{kind}"


class SentLog:
    """``{"K2026-001/ontvangstbevestiging": {"status", "datum", "via", "geregistreerd"}}`` in one JSON file,
    replaced atomically on every change."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries: dict[str, dict] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.entries = {}
        except (OSError, ValueError) as exc:
            raise LetterError(f"het verzendlog {path} is onleesbaar ({exc}); herstel of verwijder het") from None

    def get(self, number: str, kind: str) -> dict | None:
        return self.entries.get(log_key(number, kind))

    def set(self, number: str, kind: str, **values) -> None:
        self.entries[log_key(number, kind)] = values
        self._save()

    def update(self, number: str, kind: str, **values) -> None:
        self.entries[log_key(number, kind)].update(values)
        self._save()

    def drop(self, number: str, kind: str) -> None:
        self.entries.pop(log_key(number, kind), None)
        self._save()

    def _save(self) -> None:
        from register.store import PrivateStore

        # Numbers, kinds and dates only: no personal data, so no complaint in the manifest.
        PrivateStore.at(self.path.parent).write_text(
            self.path, json.dumps(self.entries, indent=1, sort_keys=True, ensure_ascii=False), [])


@dataclass
class SendReport:
    """What a send run did, as Dutch lines for the CLI."""

    sent: list[str] = field(default_factory=list)  # 'K1 ontvangstbevestiging'
    posted: list[str] = field(default_factory=list)
    print_file: Path | None = None
    already: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one Dutch line per letter that did not go out
    refused_before: list[str] = field(default_factory=list)  # refused for good earlier, address unchanged
    recorded: str = ""  # the register write's summary
    preview: list[str] = field(default_factory=list)  # --droog

    def lines(self) -> list[str]:
        out = list(self.preview)
        if self.sent or not self.preview:
            out.append(f"{count(len(self.sent), 'brief', 'brieven')} per e-mail verstuurd"
                       + (f": {', '.join(self.sent)}" if self.sent else "") + ".")
        if self.posted:
            out.append(f"{count(len(self.posted), 'brief', 'brieven')} per post, samen om af te drukken in "
                       f"{self.print_file}: {', '.join(self.posted)}. Vul na het posten zelf de datum in.")
        if self.already:
            out.append(f"{count(len(self.already), 'brief was', 'brieven waren')} al verstuurd.")
        if self.refused_before:
            out.append(f"{count(len(self.refused_before), 'brief', 'brieven')} niet opnieuw verstuurd, want de "
                       f"mailserver weigerde het adres eerder blijvend: {', '.join(self.refused_before)}. Pas het "
                       f"e-mailadres in het register aan om opnieuw te versturen.")
        if self.recorded:
            out.append(f"Register bijgewerkt: {self.recorded}.")
        return out


def letter_message(config: Config, context: dict, kind: str, to: str, pdf: Path) -> EmailMessage:
    """The mail for one letter: a short Dutch text and HTML body, the PDF attached."""
    if not config.mail.afzender:
        raise ConfigError("[mail] afzender ontbreekt; brieven kunnen niet per e-mail worden verstuurd")
    letter = BY_NAME[kind]
    fields = context | {"soort": letter}
    message = EmailMessage()
    message["Subject"] = letter.title.format(nr=context["klacht"]["nummer"])
    message["From"] = formataddr((config.organisatie.naam, config.mail.afzender))
    message["To"] = to
    if context["klacht"]["vertegenwoordiger_email"]:  # the representative gets every letter too
        message["Cc"] = context["klacht"]["vertegenwoordiger_email"]
    if context["contact"]["email"]:
        message["Reply-To"] = formataddr((context["contact"]["naam"], context["contact"]["email"]))
    message["Message-ID"] = make_msgid(domain=config.mail.afzender.split("@")[-1])
    message["X-Klachten-Brief"] = log_key(context["klacht"]["nummer"], kind)
    message.set_content(render(config, "mail/brief.txt", **fields))
    message.add_alternative(render(config, "mail/brief.html", **fields), subtype="html")
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return message


def _outbox_path(config: Config, number: str, kind: str) -> Path:
    return config.letters_outbox_dir() / pdf_name_stem(number, kind).replace(".pdf", ".eml")


def pdf_name_stem(number: str, kind: str) -> str:
    from generator.letters.render import letter_filename

    return letter_filename(number, kind)


def send_letters(config: Config, result: CheckResult, wanted: list[tuple[int, str]], *, dry: bool = False,
                 redo: bool = False, strict_email: bool = False, workers: int | None = None,
                 postal: bool = True, session=None, locked: bool = False, late_ok: bool = False) -> SendReport:
    """Mail (or bundle for the post) the wanted letters and record what the server accepted.

    ``strict_email``: a complaint without e-mail is a problem (``brief --verstuur``) instead of a
    postal letter (``brieven --verstuur``); ``postal=False`` leaves those out altogether (the
    nightly run). ``redo`` also sends letters the log marks 'bezig'. ``locked``: the caller
    already holds the private-folder lock (the nightly run); otherwise it is taken here.
    ``late_ok``: the owner's explicit permission (``brief … uitstelbericht --te-laat --verstuur``)
    to send an uitstelbericht after the original decision deadline; the letter says it is late.
    """
    from register.locks import private_lock

    report = SendReport()
    reg = result.register
    numbers = reg.frame["complaint_no"].to_numpy()
    emails = reg.text("email")
    by_post = reg.frame["reply_by"].to_numpy() == "post"  # the complainant asked for post
    import contextlib

    with contextlib.nullcontext() if locked else private_lock(config):
        log = SentLog(config.letters_log())
        mail, post = [], []
        for i, kind in wanted:
            number = numbers[i]
            entry = log.get(number, kind)
            if entry and entry["status"] == SENT:
                report.already.append(f"{number} {kind}")
                continue
            if entry and entry["status"] == REFUSED and entry.get("aan") == emails[i].strip().casefold():
                report.refused_before.append(f"{number} {kind} ({emails[i].strip()})")
                continue
            if entry and entry["status"] == SENDING and not redo:
                report.problems.append(
                    f"klacht {number}: {BY_NAME[kind].noun} is mogelijk al verstuurd (een eerdere run werd "
                    f"onderbroken); controleer de verzonden mail en verstuur zo nodig opnieuw met --opnieuw")
                continue
            if emails[i] and not by_post[i] and (problem := address_problem(reg.raw["email"][i] or "")) is not None:
                report.problems.append(f"klacht {number}: 'E-mail' ({reg.cell('email', i)}) {problem[1]}; "
                                       f"{BY_NAME[kind].noun} is niet verstuurd")
            elif emails[i] and not by_post[i]:
                mail.append((i, kind))
            elif by_post[i]:
                if postal:
                    post.append((i, kind))
                elif strict_email:
                    report.problems.append(f"klacht {number}: de klager wil antwoord per post "
                                           f"({reg.cell('reply_by', i)}); {BY_NAME[kind].noun} gaat niet per e-mail")
            elif strict_email:
                report.problems.append(f"klacht {number}: 'E-mail' ({reg.cell('email', i)}) is leeg; "
                                       f"{BY_NAME[kind].noun} kan niet per e-mail worden verstuurd")
            elif postal:
                post.append((i, kind))
        if dry:  # what cannot be made is reported, exactly as a real run would
            for group in (mail, post):
                for key in list(group):
                    try:
                        letter_context(result, config, *key, late_ok=late_ok, sending=True)
                    except LetterError as exc:
                        report.problems.append(str(exc))
                        group.remove(key)
            report.preview = ([f"Zou mailen: {numbers[i]} {kind} aan {emails[i]}" for i, kind in mail]
                              + [f"Zou afdrukken voor de post: {numbers[i]} {kind}" for i, kind in post])
            return report
        jobs: dict[tuple[int, str], LetterJob] = {}
        for key in mail + post:
            try:
                jobs[key] = letter_job(result, config, key[0], key[1], late_ok=late_ok, sending=True)
            except LetterError as exc:
                report.problems.append(str(exc))
        try:
            write_pdfs(list(jobs.values()), workers=workers)
            day = _letter_day(result)
            down: str | None = None  # the server failed: the other mails wait for the next run
            for i, kind in mail:
                if (i, kind) not in jobs:
                    continue
                if down is not None:
                    report.problems.append(f"klacht {numbers[i]}: {BY_NAME[kind].noun} is niet verstuurd: {down}")
                    continue
                down = _deliver(config, result, log, report, i, kind, jobs[(i, kind)], day, late_ok)
            postal_jobs = [jobs[k] for k in post if k in jobs]
            if postal_jobs:
                try:
                    report.print_file = _print_bundle(config, postal_jobs, day)
                    report.posted = [f"{numbers[i]} {kind}" for i, kind in post if (i, kind) in jobs]
                except OSError as exc:
                    report.problems.append(f"de brieven voor de post zijn niet gebundeld ({os_error_message(exc)})")
        finally:
            _record(config, log, report, session)  # what the server accepted is always recorded
    return report


def _letter_day(result: CheckResult) -> dt.date:
    from generator.letters.kinds import letter_date

    return letter_date(result)


def _deliver(config, result, log: SentLog, report: SendReport, i: int, kind: str, job: LetterJob,
             day: dt.date, late_ok: bool = False) -> str | None:
    """Mail one letter. Whatever goes wrong is a problem of this letter, reported; returns the
    reason when the mail server itself failed (the caller then stops mailing for this run)."""
    from generator.mail.delivery import send
    from register.store import PrivateStore

    reg = result.register
    number, to = reg.frame["complaint_no"].iat[i], reg.text("email")[i].strip()
    noun = BY_NAME[kind].noun
    store = PrivateStore(config)
    eml = _outbox_path(config, number, kind)
    try:
        context = letter_context(result, config, i, kind, late_ok=late_ok, sending=True)
        message = letter_message(config, context, kind, to, job.target)
        store.write(eml, bytes(message), [number])
    except (KlachtenError, OSError, ValueError) as exc:  # ValueError: a header email.message refuses
        reason = os_error_message(exc) if isinstance(exc, OSError) else str(exc)
        report.problems.append(f"klacht {number}: {noun} is niet verstuurd: {reason}")
        return None
    extra = {}
    if kind == "uitstelbericht" and np.isnat(reg.dates("extended_until")[i]) and context["nieuw_uiterlijk"]:
        extra["verlengd_tot"] = context["nieuw_uiterlijk"].isoformat()  # the date the letter promises
    log.set(number, kind, status=SENDING, datum=day.isoformat(), via="e-mail", geregistreerd=False, **extra)
    try:
        send(message, config)
    except RecipientRefused as exc:  # for good: recorded once, not retried until the address changes
        log.set(number, kind, status=REFUSED, datum=day.isoformat(), aan=to.casefold(), reden=str(exc))
        store.discard(eml)
        report.problems.append(f"klacht {number}: {noun} is niet verstuurd: {exc}; er wordt niet opnieuw verstuurd "
                               f"tot het e-mailadres in het register is aangepast")
        return None
    except MailError as exc:
        log.drop(number, kind)  # not accepted: the next run tries again (the .eml stays in the outbox)
        report.problems.append(f"klacht {number}: {noun} is niet verstuurd: {exc}")
        return None if isinstance(exc, MailRefused) else str(exc)  # a refused message: the others go on
    log.update(number, kind, status=SENT)
    store.discard(eml)
    report.sent.append(f"{number} {kind}")
    return None


def _print_bundle(config: Config, jobs: list[LetterJob], day: dt.date) -> Path:
    """All postal letters of the day in one PDF, each starting on a new sheet."""
    from weasyprint import HTML

    documents = [HTML(string=job.html, base_url=job.base_url).render() for job in jobs]
    pages = [page for document in documents for page in document.pages]
    from register.store import PrivateStore

    target = config.letters_dir() / f"post-{day.isoformat()}.pdf"
    data = documents[0].copy(pages).write_pdf()
    PrivateStore(config).write(target, data, [n for job in jobs for n in job.numbers])
    return target


def _record(config: Config, log: SentLog, report: SendReport, session) -> None:
    """One write for every sent letter not yet in the register: its date column and a
    Correspondentie line, appended to the cell as it is right now."""
    from register.model import build_register
    from register.sources import read_grid
    from register.writeback import apply_updates

    pending = {key: e for key, e in log.entries.items() if e["status"] == SENT and not e.get("geregistreerd")}
    if not pending:
        return
    current = build_register(read_grid(config, session=session), config)
    numbers = current.frame["complaint_no"].to_numpy()
    correspondence = current.text("correspondence")
    updates: dict[str, dict] = {}
    lines: dict[str, list[str]] = {}
    for key, entry in sorted(pending.items()):
        number, kind = key.rsplit("/", 1)
        letter = BY_NAME[kind]
        values = updates.setdefault(number, {})
        sent_on = dt.date.fromisoformat(entry["datum"])
        if letter.recorded_in:
            values[letter.recorded_in] = sent_on
        if entry.get("verlengd_tot"):
            values["extended_until"] = dt.date.fromisoformat(entry["verlengd_tot"])
        lines.setdefault(number, []).append(f"{entry['datum']} {letter.correspondence} per e-mail verstuurd")
    for number, new_lines in lines.items():
        if "correspondence" not in current.positions:
            continue  # an optional column the owner does not keep
        rows = np.flatnonzero(numbers == number)
        before = correspondence[rows[0]] if len(rows) == 1 else ""
        kept = [ln for ln in new_lines if ln not in before]  # a retried write never adds a line twice
        updates[number]["correspondence"] = "\n".join([before, *kept]) if before else "\n".join(kept)
    updates = {number: {k: v for k, v in values.items() if k in current.positions}
               for number, values in updates.items()}
    try:
        written = apply_updates(config, updates, session)
    except (KlachtenError, OSError) as exc:  # the log keeps them for the next run
        report.problems.append(f"de verzonden brieven zijn niet in het register gezet ({exc}); "
                               f"de volgende run probeert het opnieuw")
        return
    skipped = written_skipped(written)
    for key in pending:
        if key.rsplit("/", 1)[0] not in skipped:
            log.entries[key]["geregistreerd"] = True
    log._save()
    report.recorded = written.summary()
    report.problems += [f"register: {reason}" for reason in written.skipped]


def written_skipped(written) -> set[str]:
    """Complaint numbers the write skipped (vanished or repeated numbers)."""
    return {reason.split()[0] for reason in written.skipped}


__all__ = ["LETTER_KINDS", "SentLog", "SendReport", "letter_message", "send_letters"]
