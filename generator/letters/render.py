"""Letters as print-ready PDFs: ontvangstbevestiging, uitstelbericht, standpunt, and the blank form.

Every date in a letter comes from the deadline engine (register.deadlines), so the letter
promises exactly what the tool enforces. HTML is rendered by the one jinja Environment in the
parent process; WeasyPrint turns it into PDF, spread over the cores for long runs.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.letters.kinds import BY_NAME as LETTER_BY_NAME
from generator.letters.kinds import LETTER_KINDS, names_in_words
from generator.templating import render
from register.check import CheckResult
from register.config import Config
from register.errors import LetterError
from register.parse import format_date_nl
from register.schema import BY_KEY, CHANNELS, URGENCY_LABELS
from register.validate import number_problem

#: Added to a letter only when it runs over one page.
PAGE_NUMBERS = ('@page { @bottom-right { content: "pagina " counter(page) " van " counter(pages); '
                'font-size: 8pt; color: #555; font-family: "DejaVu Sans", sans-serif; } }')


@dataclass(frozen=True)
class LetterJob:
    """One PDF to write: the HTML and where it goes."""

    target: Path
    html: str
    base_url: str


#: The longest encoded number kept whole in a file name; longer ones are cut and get a hash.
MAX_NAME_NUMBER = 120


def letter_filename(number: str, kind: str) -> str:
    """A file name that no other number shares and that gives the number back.

    Every character outside A-Z, a-z, 0-9 and '-' is percent-encoded (its UTF-8 bytes), so
    K2026/099 -> 'K2026%2F099' and K2026-099 stay apart; ``number_from_filename`` undoes it.
    An encoding longer than MAX_NAME_NUMBER is cut and followed by '~' and a hash of the whole
    number, so even a 300-character number gives a valid, unique name.
    """
    from urllib.parse import quote

    encoded = quote(number, safe="-") if number else "zonder-nummer"
    encoded = encoded.replace(".", "%2E").replace("_", "%5F").replace("~", "%7E")
    if len(encoded) > MAX_NAME_NUMBER:
        import hashlib

        digest = hashlib.sha256(number.encode("utf-8")).hexdigest()[:16]
        encoded = encoded[:MAX_NAME_NUMBER - 17].rsplit("%", 1)[0] + "~" + digest
    return f"{encoded}_{kind}.pdf"


def number_from_filename(name: str) -> str | None:
    """The Klachtnummer a letter file name was made from (None for a cut, hashed name)."""
    from urllib.parse import unquote

    encoded = name.rsplit("_", 1)[0]
    return None if "~" in encoded else unquote(encoded)


def output_dir(config: Config) -> Path:
    return config.letters_dir()


def _date(value) -> dt.date | None:
    value = np.datetime64(value, "D")
    return None if np.isnat(value) else value.astype(dt.date)


def find_row(result: CheckResult, number: str) -> int:
    numbers = result.register.frame["complaint_no"].to_numpy()
    rows = np.flatnonzero(numbers == number.strip())
    if len(rows) == 0:
        raise LetterError(f"klacht {number} staat niet in het register")
    if len(rows) > 1:
        raise LetterError(f"klachtnummer {number} komt {len(rows)} keer voor in het register; maak het uniek")
    return int(rows[0])


def late_extension_notice(result: CheckResult, i: int, kind: str) -> str | None:
    """A Dutch warning when an uitstelbericht goes out after the original term ended: the
    procedure asks for it before, and a late extension does not move the deadline."""
    if kind != "uitstelbericht":
        return None
    original = _date(result.deadlines["decision_due_original"].iat[i])
    sent = _date(result.register.dates("extension_sent")[i]) or result.peildatum
    if original and sent > original:
        from register.parse import format_date_nl

        return (f"de oorspronkelijke termijn liep af op {format_date_nl(original)}; dit uitstel is te laat "
                f"gemeld en verschuift de termijn niet")
    return None


def _common(config: Config) -> dict:
    kb = config.klachtbehandeling
    logo = config.resolve(config.organisatie.logo).as_uri() if config.organisatie.logo else ""
    return {
        "org": config.organisatie, "termijnen": config.termijnen, "logo": logo,
        "ondertekenaar": config.brieven.ondertekenaar or kb.klachtverantwoordelijke or config.organisatie.naam,
        "functie": kb.functie, "verantwoordelijke": kb.klachtverantwoordelijke or "de klachtverantwoordelijke",
        "escalatie": config.escalatie.mogelijkheden,
    }


def letter_context(result: CheckResult, config: Config, i: int, kind: str) -> dict:
    """Everything a letter template may use, for complaint row ``i``; raises LetterError when
    the register lacks what this letter needs."""
    if kind not in LETTER_BY_NAME:
        raise LetterError(f"onbekende soort brief '{kind}'; kies uit {names_in_words()}")
    letter = LETTER_BY_NAME[kind]
    reg = result.register
    number = str(reg.frame["complaint_no"].iat[i] or f"(rij {reg.sheet_rows[i]})")
    if problem := number_problem(str(reg.frame["complaint_no"].iat[i])):
        raise LetterError(f"klacht in rij {reg.sheet_rows[i]}: {problem[1]}; {letter.noun} is niet gemaakt")
    if not np.isnat(reg.dates("anonymised")[i]):
        raise LetterError(f"klacht {number} is geanonimiseerd; er kan geen brief meer van worden gemaakt")
    expires = result.deadlines["retention_expires"].to_numpy(dtype="datetime64[D]")[i]
    if not np.isnat(expires) and expires <= np.datetime64(result.peildatum, "D"):
        raise LetterError(f"klacht {number}: de bewaartermijn is verlopen op {format_date_nl(expires)}; er wordt "
                          "geen brief meer gemaakt (verwijder de gegevens met klachten anonimiseer)")
    missing = []
    for key in letter.required:
        empty = np.isnat(reg.dates(key)[i]) if BY_KEY[key].kind == "date" else reg.text(key)[i] == ""
        if empty:
            missing.append(f"'{BY_KEY[key].header}' ({reg.cell(key, i)})")
    if missing:
        raise LetterError(f"klacht {number}: {', '.join(missing)} is leeg; {letter.noun} is niet gemaakt")

    d = result.deadlines.iloc[i]
    kb = config.klachtbehandeling
    contact_name = reg.text("contact_person")[i] or kb.contactpersoon or kb.klachtverantwoordelijke
    complaint = {
        "nummer": number, "naam": reg.text("name")[i], "adres": reg.text("address")[i],
        "postcode": reg.text("postcode")[i], "woonplaats": reg.text("city")[i],
        "ontvangen": _date(reg.dates("received")[i]), "omschrijving": reg.text("description")[i],
        "reden_uitstel": reg.text("extension_reason")[i], "onderzoek": reg.text("investigation")[i],
        "motivering": reg.text("motivation")[i], "oplossing": reg.text("solution")[i],
        "compensatie": reg.text("compensation")[i], "maatregel": reg.text("measure")[i],
    }
    today = result.peildatum
    context = _common(config) | {
        "titel": letter.title.format(nr=number), "klacht": complaint,
        "behandelaar": reg.frame["handler"].iat[i],
        "contact": {"naam": contact_name, "telefoon": kb.telefoon, "email": kb.email or config.organisatie.email},
        "standpunt_uiterlijk": _date(d["decision_due"]),
        "oorspronkelijk_uiterlijk": _date(d["decision_due_original"]),
        "nieuw_uiterlijk": _date(reg.dates("extended_until")[i]) or _date(d["extension_limit"]),
        "oordeel": reg.frame["outcome"].iat[i],
    }
    context["briefdatum"] = letter.letter_date(result, i) or today
    return context


def _job(config: Config, template: str, context: dict, target: Path) -> LetterJob:
    return LetterJob(target=target, html=render(config, template, **context), base_url=str(config.root))


def letter_job(result: CheckResult, config: Config, i: int, kind: str, out: Path | None = None) -> LetterJob:
    context = letter_context(result, config, i, kind)
    target = (out or output_dir(config)) / letter_filename(context["klacht"]["nummer"], kind)
    return _job(config, LETTER_BY_NAME[kind].template, context, target)


def form_job(config: Config, target: Path, public: bool = False) -> LetterJob:
    """The blank form; ``public``: worded for the complainant (the website's download)."""
    context = _common(config) | {
        "publiek": public,
        "titel": f"Klachtenformulier {config.organisatie.naam}", "kanalen": CHANNELS,
        "categorieen": config.lijsten.categorieen, "oorzaken": config.lijsten.oorzaken,
        "urgenties": list(URGENCY_LABELS.items()),
    }
    return _job(config, "brieven/klachtenformulier.html", context, target)


def due_letters(result: CheckResult, config: Config, redo: bool = False,
                out: Path | None = None) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(due, skipped): letters the register asks for; skipped ones already exist on disk."""
    reg = result.register
    out = out or output_dir(config)
    due: list[tuple[int, str]] = []
    skipped: list[tuple[int, str]] = []
    numbers = reg.frame["complaint_no"].to_numpy()
    for letter in LETTER_KINDS:
        for i in np.flatnonzero(letter.due(result) & (numbers != "")):
            exists = (out / letter_filename(numbers[i], letter.name)).exists()
            (skipped if exists and not redo else due).append((int(i), letter.name))
    return due, skipped


# -- PDF ----------------------------------------------------------------------------------------
def write_pdf(job: LetterJob) -> int:
    """Render one job to PDF atomically (no half letters); returns the number of pages.
    Page numbers are added only when the letter runs over one page."""
    from weasyprint import CSS, HTML

    html = HTML(string=job.html, base_url=job.base_url)
    document = html.render()
    if len(document.pages) > 1:
        document = html.render(stylesheets=[CSS(string=PAGE_NUMBERS)])
    job.target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    # A unique temporary name in the same folder: two runs never share (or leave) one file.
    fd, tmp_name = tempfile.mkstemp(prefix=".klachten-", suffix=".pdf.tmp", dir=job.target.parent)
    os.close(fd)
    try:
        document.write_pdf(tmp_name)
        os.replace(tmp_name, job.target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return len(document.pages)


def write_pdfs(jobs: list[LetterJob], workers: int | None = None,
               on_done: Callable[[LetterJob], None] | None = None) -> None:
    """Write many PDFs, spread over ``workers`` processes (default: all cores)."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < 2:
        for job in jobs:
            write_pdf(job)
            if on_done:
                on_done(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    import weasyprint  # noqa: F401  - imported once here, shared by the forked workers

    context = multiprocessing.get_context("fork") if os.name == "posix" else None
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(write_pdf, job): job for job in jobs}
        for future in as_completed(futures):
            future.result()
            if on_done:
                on_done(futures[future])


def make_jobs(result: CheckResult, config: Config, wanted: Iterable[tuple[int, str]],
              out: Path | None = None) -> tuple[list[LetterJob], list[str]]:
    """Jobs for the wanted letters, and a Dutch problem line for each that cannot be made."""
    jobs, problems = [], []
    for i, kind in wanted:
        try:
            jobs.append(letter_job(result, config, i, kind, out))
        except LetterError as exc:
            problems.append(str(exc))
    return jobs, problems
