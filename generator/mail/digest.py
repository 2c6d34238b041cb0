"""The morning digest: what needs doing today, as one multipart e-mail per recipient.

Personal data is kept to the minimum: complaint number, handler, dates and (for a Google
Sheet) a link straight to the row. Never the complainant's name or address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import numpy as np

from generator.templating import render
from register.check import CheckResult
from register.config import Config
from register.parse import format_date_nl
from register.plural import count
from register.signals import BY_NAME, IN_MAIL_ORDER
from register.validate import Severity

ERRORS_SECTION = "Fouten in het register"


@dataclass
class Line:
    klachtnummer: str
    behandelaar: str
    wat: str
    link: str | None = None
    cel: str = ""


@dataclass
class Section:
    titel: str
    uitleg: str
    regels: list[Line]
    cellen: bool = False
    signal: str | None = None  # the Signal's name; None for the findings section


@dataclass
class Digest:
    """One recipient's digest."""

    recipient: str
    subject: str
    sections: list[Section] = field(default_factory=list)
    text: str = ""
    html: str = ""


def _when(due: dt.date, days: int) -> str:
    if days > 0:
        return f"uiterlijk {format_date_nl(due)}, {days} dag{'en' if days != 1 else ''} te laat"
    if days == 0:
        return f"uiterlijk vandaag ({format_date_nl(due)})"
    return f"uiterlijk {format_date_nl(due)}, nog {-days} dag{'en' if days != -1 else ''}"


def _expired(since: dt.date, days: int) -> str:
    return f"bewaartermijn verlopen sinds {format_date_nl(since)}"


def build_sections(result: CheckResult, handler: str | None = None) -> list[Section]:
    """The digest's sections, each only when non-empty; ``handler`` limits to one behandelaar."""
    reg = result.register
    flags = result.flags
    if handler is not None:
        flags = flags[flags["behandelaar"] == handler]
    sections = []
    for signal in IN_MAIL_ORDER:
        part = flags[flags["signaal"] == signal.name]
        if part.empty:
            continue
        describe = _expired if signal.retention else _when
        lines = [Line(row.klachtnummer, row.behandelaar,
                      describe(np.datetime64(row.uiterlijk, "D").astype(dt.date), int(row.dagen_te_laat)),
                      reg.grid.row_link(int(reg.sheet_rows[row.row])))
                 for row in part.itertuples(index=False)]
        sections.append(Section(signal.section, signal.explanation, lines, signal=signal.name))
    if handler is None:
        errors = [f for f in result.findings if f.ernst is Severity.FOUT]
        if errors:
            lines = [Line(f.klachtnummer or "—", "", f.melding + (f" ({f.hint})" if f.hint else ""),
                          reg.grid.row_link(f.sheet_row) if f.sheet_row else None, f.cel) for f in errors]
            sections.append(Section(ERRORS_SECTION, "Verbeter deze cellen in het register.", lines,
                                    cellen=True))
    return sections


def subject_for(sections: list[Section]) -> str:
    """'Klachten: 2 te laat, 1 uitstelbericht nodig, 3 fouten in het register' (phrases from SIGNALS;
    signals sharing a phrase, such as 'te laat', are added up)."""
    totals: dict[tuple[str, str], int] = {}
    for section in sections:
        if section.signal:
            phrase = BY_NAME[section.signal].subject
            totals[phrase] = totals.get(phrase, 0) + len(section.regels)
    parts = [f"{n} {singular if n == 1 else plural}" for (singular, plural), n in totals.items()]
    errors = sum(len(s.regels) for s in sections if s.cellen)
    if errors:
        parts.append(f"{count(errors, 'fout', 'fouten')} in het register")
    return "Klachten: " + (", ".join(parts) if parts else "alles op tijd")


def build_digests(result: CheckResult, config: Config) -> list[Digest]:
    """Digests to send: the klachtverantwoordelijke always (when there is something to report,
    or always with [mail] ook_als_alles_op_tijd), and optionally each behandelaar their own."""
    from register.errors import MailError

    main = config.klachtbehandeling.email
    if not main:
        raise MailError("geen ontvanger voor de dagmail: vul [klachtbehandeling] email in")
    wanted: list[tuple[str, str | None]] = [(main, None)]
    if config.mail.per_behandelaar:
        handlers = set(result.flags["behandelaar"])
        for name, address in config.mail.behandelaars.items():
            if name in handlers and address.lower() != main.lower():
                wanted.append((address, name))
    digests = []
    for recipient, handler in wanted:
        sections = build_sections(result, handler)
        if not sections and not (handler is None and config.mail.ook_als_alles_op_tijd):
            continue
        digest = Digest(recipient, subject_for(sections), sections)
        head = "Wat er vandaag moet gebeuren" + (f" (klachten van {handler})" if handler else "")
        context = {"kop": head, "peildatum": result.peildatum, "bron": result.register.grid.label,
                   "secties": sections, "onderwerp": digest.subject}
        digest.text = render(config, "mail/digest.txt", **context)
        digest.html = render(config, "mail/digest.html", **context)
        digests.append(digest)
    return digests


def to_message(digest: Digest, config: Config, when: dt.datetime, day: dt.date) -> EmailMessage:
    """The digest as a multipart e-mail; ``day`` (the peildatum) marks it for the once-a-day rule."""
    sender = config.mail.afzender or config.organisatie.email or config.klachtbehandeling.email
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = sender
    message["To"] = digest.recipient
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1] if "@" in sender else None)
    message["X-Klachten-Dag"] = day.isoformat()
    message.set_content(digest.text)
    message.add_alternative(digest.html, subtype="html")
    return message
