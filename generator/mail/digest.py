"""The morning digest: what needs doing today, as one multipart e-mail per recipient.

Personal data is kept to the minimum: complaint number, handler, dates and (for a Google
Sheet) a link straight to the row. Never the complainant's name or address, and never what a
cell holds: a finding is told by its cell, its column and its kind (the stable code's
description), so a name typed into the wrong column is not mailed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import numpy as np

from generator.templating import render
from register.check import CheckResult
from register.config import Config
from register.parse import format_date_nl
from register.periods import half_year
from register.plural import count
from register.schema import BY_KEY, URGENCY_LABELS, column_letter
from register.signals import BY_NAME, IN_MAIL_ORDER, Signal
from register.validate import FINDING_KINDS, Finding, Severity

PROBLEMS_SECTION = "Problemen in het register"
# RFC 5322's advised line length is 78 including "Subject: ": the header stays on one line
# (a longer one is folded, and some phones then show only its start).
SUBJECT_MAX = 78 - len("Subject: ")
OVERVIEW_SECTION = "Weekoverzicht: open klachten per behandelaar"


@dataclass
class Line:
    klachtnummer: str
    behandelaar: str
    wat: str
    link: str | None = None
    cel: str = ""
    kolom: str = ""  # the column's schema header, for findings
    fout: bool = False  # an error (not a warning) in the register's problems


@dataclass
class Section:
    titel: str
    uitleg: str
    regels: list[Line]
    cellen: bool = False  # the register's problems: lines carry a cell and a column
    signal: str | None = None  # the Signal's name; None for the findings section and the overview
    label: str = "Klacht"  # heading of the first column in the HTML table
    subject: tuple[str, str] | None = None  # (singular, plural) phrase for the subject, if not a signal
    overzicht: bool = False  # the weekly overview per behandelaar


@dataclass
class Digest:
    """One recipient's digest."""

    recipient: str
    subject: str
    sections: list[Section] = field(default_factory=list)
    role: str = "klachtverantwoordelijke"  # or the behandelaar's name (queued mail follows the config)
    text: str = ""
    html: str = ""


def _when(due: dt.date, days: int) -> str:
    if days > 0:
        return f"uiterlijk {format_date_nl(due)}, {days} dag{'en' if days != 1 else ''} te laat"
    if days == 0:
        return f"uiterlijk vandaag ({format_date_nl(due)})"
    return f"uiterlijk {format_date_nl(due)}, nog {-days} dag{'en' if days != -1 else ''}"


def _days(n: int) -> str:
    return count(n, "dag", "dagen")


def _describe(signal: Signal, result: CheckResult, row, due: dt.date, days: int) -> str:
    """One digest line's 'Wat', worded as the signal declares."""
    if signal.wording == "retention":
        return f"bewaartermijn verlopen sinds {format_date_nl(due)}"
    if signal.wording == "ask":
        return f"navragen sinds {format_date_nl(due)}"
    if signal.wording == "follow_up":
        return f"opvolgen op {format_date_nl(due)}" + (f" ({_days(days)} geleden)" if days > 0 else " (vandaag)")
    if signal.wording == "urgency":
        urgency = int(str(result.register.frame["urgency"].iat[row.row]))
        return f"urgentie {urgency} ({URGENCY_LABELS[urgency]}); standpunt {_when(due, days)}"
    return _when(due, days)


def _review_line(row, peildatum: dt.date) -> Line:
    period = half_year(row.periode)
    overdue = _overdue(period.end, peildatum)
    return Line(period.label, "", f"{period.in_words()} ({format_date_nl(period.start)} t/m "
                         f"{format_date_nl(period.end)}){overdue}: maak het rapport met 'klachten analyse "
                         f"--periode {period.label}' en leg de analyse vast met 'klachten analyse --periode "
                         f"{period.label} --vastleggen'")


def _overdue(since: dt.date, today: dt.date) -> str:
    """', 5 maanden te laat' after the day ``since``: whole months once a month has passed, else days."""
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    # 30 June -> 31 July is one whole month: a month-end counts as reached at the later month's end
    if today.day < since.day and today.day == _month_end(today):
        months += 1
    if months >= 1:
        return f", {count(months, 'maand', 'maanden')} te laat"
    days = (today - since).days
    return f", {_days(days)} te laat" if days > 0 else ""


def _month_end(day: dt.date) -> int:
    import calendar

    return calendar.monthrange(day.year, day.month)[1]


def weekly_overview(result: CheckResult, handler: str | None = None) -> Section | None:
    """Every open complaint per behandelaar with its age and next due date (None when there are none)."""
    reg = result.register
    from register.deadlines import open_complaints

    open_ = open_complaints(reg)
    if handler is not None:
        open_ &= reg.frame["handler"].to_numpy() == handler
    rows = np.flatnonzero(open_)
    if len(rows) == 0:
        return None
    today = np.datetime64(result.peildatum, "D")
    received = reg.dates("received")[rows]
    not_acknowledged = np.isnat(reg.dates("acknowledged")[rows])
    ack_due = result.deadlines["acknowledge_due"].to_numpy(dtype="datetime64[D]")[rows]
    decision_due = result.deadlines["decision_due"].to_numpy(dtype="datetime64[D]")[rows]
    next_due = np.where(not_acknowledged, ack_due, decision_due)
    handlers = reg.frame["handler"].to_numpy()[rows]
    numbers = reg.frame["complaint_no"].to_numpy()[rows]
    order = np.lexsort((numbers.astype(str), next_due, handlers.astype(str)))
    lines = []
    for i in order:
        what = "ontvangstbevestiging" if not_acknowledged[i] else "standpunt"
        age = int((today - received[i]).astype(np.int64))
        due = next_due[i].astype(dt.date)
        lines.append(Line(numbers[i], handlers[i] or "(geen behandelaar)",
                          f"{_days(age)} oud; {what} {_when(due, int((today - next_due[i]).astype(np.int64)))}",
                          reg.grid.row_link(int(reg.sheet_rows[rows[i]]))))
    return Section(OVERVIEW_SECTION, "Alle klachten zonder standpunt, per behandelaar, met de eerstvolgende "
                   "termijn.", lines, overzicht=True)


def build_sections(result: CheckResult, handler: str | None = None, overview: bool = False,
                   letters: list[Line] | tuple = ()) -> list[Section]:
    """The digest's sections, each only when non-empty; ``handler`` limits to one behandelaar.

    Register-level reminders (the half-year review) go only to the klachtverantwoordelijke;
    ``overview`` adds the weekly overview per behandelaar at the end."""
    reg = result.register
    flags = result.flags
    if handler is not None:
        flags = flags[flags["behandelaar"] == handler]
    reminders = result.reminders
    sections = []
    for signal in IN_MAIL_ORDER:
        if signal.scope == "register":
            if handler is not None or reminders is None:
                continue
            part = reminders[reminders["signaal"] == signal.name]
            reminder_rows: Iterable[Any] = part.itertuples(index=False)
            lines = [_review_line(row, result.peildatum) for row in reminder_rows]
        else:
            part = flags[flags["signaal"] == signal.name]
            rows: Iterable[Any] = part.itertuples(index=False)  # pandas-stubs: one broad scalar union per field
            lines = [Line(row.klachtnummer, row.behandelaar,
                          _describe(signal, result, row, np.datetime64(row.uiterlijk, "D").astype(dt.date),
                                    int(row.dagen_te_laat)),
                          reg.grid.row_link(int(reg.sheet_rows[row.row])))
                     for row in rows]
        if lines:
            sections.append(Section(signal.section, signal.explanation, lines, signal=signal.name,
                                    label="Periode" if signal.scope == "register" else "Klacht"))
    if handler is None and (result.findings or letters):
        sections.append(problems_section(result, letters))
    if overview and (week := weekly_overview(result, handler)) is not None:
        sections.append(week)
    return sections


def problems_section(result: CheckResult, letters: list[Line] | tuple = ()) -> Section:
    """Every finding (errors first, then warnings) by its cell, column and kind, plus the letters
    that cannot be made and why; never what a cell holds."""
    reg = result.register
    column_of = {column_letter(idx): BY_KEY[key].header for key, idx in reg.positions.items()}
    ordered = sorted(result.findings, key=lambda f: f.ernst is not Severity.FOUT)  # stable: register order kept
    lines = [Line(f.klachtnummer or "—", "", f"{f.ernst}: {_kind(f)}",
                  reg.grid.row_link(f.sheet_row) if f.sheet_row else None, f.cel, _column(f, column_of),
                  fout=f.ernst is Severity.FOUT)
             for f in ordered]
    return Section(PROBLEMS_SECTION, "Verbeter deze cellen in het register; 'klachten controleer' toont per cel "
                   "wat er mis is.", lines + list(letters), cellen=True)


def unmakeable_letters(result: CheckResult, config: Config) -> list[Line]:
    """The letters the register asks for that cannot be made, each with the empty cell that stops it."""
    from generator.letters.kinds import BY_NAME as LETTER_BY_NAME
    from generator.letters.render import due_letters, letter_context
    from register.errors import LetterError

    reg = result.register
    due, _ = due_letters(result, config)
    lines = []
    for i, kind in due:
        try:
            letter_context(result, config, i, kind)
        except LetterError:
            letter = LETTER_BY_NAME[kind]
            empty = [key for key in letter.required
                     if (np.isnat(reg.dates(key)[i]) if BY_KEY[key].kind == "date" else reg.text(key)[i] == "")]
            number = str(reg.frame["complaint_no"].iat[i])
            link = reg.grid.row_link(int(reg.sheet_rows[i]))
            if empty:
                for key in empty:
                    lines.append(Line(number, "", f"{letter.noun} kan niet worden gemaakt: {BY_KEY[key].header} "
                                                  "is leeg", link, reg.cell(key, i), BY_KEY[key].header))
            else:  # refused for another reason (anonymised, withdrawn, …): the reason without cell contents
                lines.append(Line(number, "", f"{letter.noun} kan niet worden gemaakt; 'klachten brief {number} "
                                              f"{kind}' zegt waarom", link))
    return lines


def overview_today(config: Config, day: dt.date) -> bool:
    """True when ``day`` is the weekday of [mail] weekoverzicht."""
    from register.config import WEEKDAYS

    return config.mail.weekoverzicht == WEEKDAYS[day.weekday()]


def _kind(finding: Finding) -> str:
    """What is wrong, from the finding's code: never the cell's content."""
    kind = FINDING_KINDS.get(finding.code)
    return kind[1] if kind else "zie 'klachten controleer'"


def _column(finding: Finding, column_of: dict[str, str]) -> str:
    match = re.fullmatch(r"([A-Z]+)\d+", finding.cel)
    return column_of.get(match.group(1), "") if match else ""


def refusal_section(refusals) -> Section:
    """The digest's report of mail that a server refused for good (delivery.Refusal items)."""
    lines = [Line(f"dagmail {format_date_nl(dt.date.fromisoformat(r.day))}" if _is_day(r.day) else "dagmail", "",
                  r.reason or f"aan {r.recipient} geweigerd") for r in refusals]
    folder = refusals[0].path.parent if refusals else ""
    return Section("Mail geweigerd", f"De mailserver weigerde deze mail blijvend. Controleer [mail] en "
                   f"[klachtbehandeling] in klachten.toml; de mail staat in {folder}.", lines,
                   label="Mail", subject=("mail geweigerd", "mails geweigerd"))


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def subject_for(sections: list[Section]) -> str:
    """'Klachten: 2 te laat, 1 uitstelbericht nodig, 3 fouten in het register' (phrases from SIGNALS;
    signals sharing a phrase, such as 'te laat', are added up)."""
    totals: dict[tuple[str, str], int] = {}
    for section in sections:
        phrase = BY_NAME[section.signal].subject if section.signal else section.subject
        if phrase:
            totals[phrase] = totals.get(phrase, 0) + len(section.regels)
    parts = [f"{n} {singular if n == 1 else plural}" for (singular, plural), n in totals.items()]
    tail = []  # always named, whatever else is left out
    problems = [line for s in sections if s.cellen for line in s.regels]
    errors = sum(line.fout for line in problems)
    if errors:
        tail.append(f"{count(errors, 'fout', 'fouten')} in het register")
    elif problems:
        tail.append(f"{count(len(problems), 'probleem', 'problemen')} in het register")
    if any(s.overzicht for s in sections):
        tail.append("weekoverzicht")
    return fit_subject("Klachten: ", parts, tail) if parts or tail else "Klachten: alles op tijd"


def fit_subject(prefix: str, parts: list[str], tail: list[str] | tuple = ()) -> str:
    """``prefix`` + the parts, as many as fit in SUBJECT_MAX characters, + the tail; 'en meer'
    when a part was left out.

    The parts come in mail order (the most urgent first), so what is dropped is what matters least;
    the mail itself always lists everything."""
    kept = list(parts)
    subject = prefix + ", ".join(kept + list(tail))
    while len(subject) > SUBJECT_MAX and kept:
        kept.pop()
        if kept:
            subject = prefix + ", ".join([", ".join(kept) + " en meer", *tail])
        else:  # not even the first part fits beside the tail: all of them as one number
            total = sum(int(part.split()[0]) for part in parts)
            subject = prefix + ", ".join([count(total, "melding", "meldingen"), *tail])
    return subject if len(subject) <= SUBJECT_MAX else subject[:SUBJECT_MAX - 1] + "…"


def build_digests(result: CheckResult, config: Config, notices: list[Section] | tuple = ()) -> list[Digest]:
    """Digests to send: the klachtverantwoordelijke always (when there is something to report,
    or always with [mail] ook_als_alles_op_tijd), and optionally each behandelaar their own.
    ``notices`` (e.g. refused mail) go to the klachtverantwoordelijke only."""
    from register.errors import KlachtenError, MailError

    main = config.klachtbehandeling.email
    if not main:
        raise MailError("geen ontvanger voor de dagmail: vul [klachtbehandeling] email in")
    wanted: list[tuple[str, str | None]] = [(main, None)]
    if config.mail.per_behandelaar:
        handlers = set(result.flags["behandelaar"])
        if overview_today(config, result.peildatum):
            from register.deadlines import open_complaints

            handlers |= set(result.register.frame["handler"].to_numpy()[open_complaints(result.register)])
        for name, address in config.mail.behandelaars.items():
            if name in handlers and address.lower() != main.lower():
                wanted.append((address, name))
    digests = []
    overview = overview_today(config, result.peildatum)
    try:
        letters = unmakeable_letters(result, config)
    except (KlachtenError, OSError) as exc:  # the digest itself must still go out
        letters = [Line("—", "", f"de brieven zijn niet gecontroleerd: {exc}")]
    for recipient, handler in wanted:
        sections = build_sections(result, handler, overview, letters if handler is None else ()) + \
            (list(notices) if handler is None else [])
        if not sections and not (handler is None and config.mail.ook_als_alles_op_tijd):
            continue
        digest = Digest(recipient, subject_for(sections), sections, role=handler or "klachtverantwoordelijke")
        head = "Wat er vandaag moet gebeuren" + (f" (klachten van {handler})" if handler else "")
        context = {"kop": head, "peildatum": result.peildatum, "bron": result.register.grid.label,
                   "secties": sections, "onderwerp": digest.subject}
        digest.text = render(config, "mail/digest.txt", **context)
        digest.html = render(config, "mail/digest.html", **context)
        digests.append(digest)
    return digests


def to_message(digest: Digest, config: Config, when: dt.datetime, day: dt.date) -> EmailMessage:
    """The digest as a multipart e-mail; ``day`` (the peildatum) marks it for the once-a-day rule."""
    sender = sender_for(config)
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = sender
    message["To"] = digest.recipient
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1] if "@" in sender else None)
    message["X-Klachten-Dag"] = day.isoformat()
    message["X-Klachten-Voor"] = digest.role
    message.set_content(digest.text)
    message.add_alternative(digest.html, subtype="html")
    return message


def sender_for(config: Config) -> str:
    """The From address: [mail] afzender, else the organisation's or the klachtverantwoordelijke's."""
    return config.mail.afzender or config.organisatie.email or config.klachtbehandeling.email
