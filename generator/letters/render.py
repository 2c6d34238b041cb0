"""Letters as print-ready PDFs: ontvangstbevestiging, uitstelbericht, standpunt, and the blank form.

Every date in a letter comes from the deadline engine (register.deadlines), so the letter
promises exactly what the tool enforces. HTML is rendered by the one jinja Environment in the
parent process; WeasyPrint turns it into PDF, spread over the cores for long runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from generator.letters.kinds import BY_NAME as LETTER_BY_NAME
from generator.letters.kinds import LETTER_KINDS, OUTSIDE, WITHDRAWN, letter_date, names_in_words
from generator.templating import render
from register.check import CheckResult
from register.config import Config
from register.errors import LetterError
from register.parse import format_date_nl
from register.policy import retention_expired
from register.schema import BY_KEY, CHANNELS, REPLY_BY, URGENCY_LABELS
from register.store import PrivateStore
from register.validate import number_problem

#: Added to a letter only when it runs over one page: "pagina 1 van N" on the first page (pages
#: 2+ carry reference, date and page number from the template's running header).
PAGE_NUMBERS = ('@page :first { @bottom-right { content: "pagina " counter(page) " van " counter(pages); '
                'font-size: 8pt; color: #555; font-family: "DejaVu Sans", sans-serif; } }')
#: Outcomes for which the decision letter apologises.
UPHELD = ("gegrond", "deels gegrond")
#: Dutch surname particles: 'Jan de Vries' -> 'De Vries' after 'mevrouw' or 'heer'.
PARTICLES = {"van", "de", "der", "den", "het", "'t", "te", "ten", "ter", "in", "op", "d'", "la", "le", "du", "von",
             "vd", "v.d."}
#: Widest average glyph advance of DejaVu Sans in em, when the font file cannot be measured.
GLYPH_EM = 0.62


@functools.lru_cache(maxsize=64)
def text_width_em(text: str) -> float:
    """Width of ``text`` in DejaVu Sans (the letters' font), in em; measured with Pillow."""
    try:
        from PIL import ImageFont

        font = ImageFont.truetype("DejaVuSans.ttf", 1000)
    except (ImportError, OSError):
        return len(text) * GLYPH_EM
    return font.getlength(text) / 1000


@dataclass(frozen=True)
class LetterJob:
    """One PDF to write: the HTML and where it goes."""

    target: Path
    html: str
    base_url: str
    form: bool = False  # fillable PDF form fields and a tagged PDF (the blank forms)
    store: PrivateStore | None = None  # a letter about complainants: written through the private store
    numbers: tuple[str, ...] = ()  # whose data the letter holds (the store's manifest)


#: The longest encoded number kept whole in a file name; longer ones are cut and get a hash.
MAX_NAME_NUMBER = 120


def letter_filename(number: str, kind: str) -> str:
    """A file name that no other number shares and that gives the number back.

    Every character outside A-Z, a-z, 0-9 and '-' is percent-encoded (its UTF-8 bytes), so
    K2026/099 -> 'K2026%2F099' and K2026-099 stay apart; ``number_from_filename`` undoes it.
    An encoding longer than MAX_NAME_NUMBER is cut and followed by '~' and a hash of the whole
    number, so even a 300-character number gives a valid, unique name. Two numbers that differ
    only in case would share a file where the disk ignores case: :func:`same_file_as` refuses
    their letters.
    """
    from urllib.parse import quote

    encoded = quote(number, safe="-") if number else "zonder-nummer"
    encoded = encoded.replace(".", "%2E").replace("_", "%5F").replace("~", "%7E")
    if len(encoded) > MAX_NAME_NUMBER:
        import hashlib

        digest = hashlib.sha256(number.encode("utf-8")).hexdigest()[:16]
        encoded = encoded[:MAX_NAME_NUMBER - 17].rsplit("%", 1)[0] + "~" + digest
    return f"{encoded}_{kind}.pdf"


#: id(register) -> (a weak reference to it, row -> the other number): one computation per register.
_TWINS: dict[int, tuple[weakref.ref, dict[int, str]]] = {}


def same_file_as(result: CheckResult, i: int) -> str | None:
    """Another complaint number whose letters would share a file with row ``i``'s on a disk
    that ignores case (K2026-099 and k2026-099), or None. Computed once per register."""
    reg = result.register
    cached = _TWINS.get(id(reg))
    if cached is None or cached[0]() is not reg:
        numbers = [str(n) for n in reg.frame["complaint_no"].to_numpy()]
        by_name: dict[str, list[int]] = {}
        for row, number in enumerate(numbers):
            if number:
                by_name.setdefault(letter_filename(number, "").casefold(), []).append(row)
        twins: dict[int, str] = {}
        for rows in by_name.values():
            distinct = {numbers[r] for r in rows}
            if len(distinct) > 1:
                for r in rows:
                    twins[r] = next(numbers[o] for o in rows if numbers[o] != numbers[r])
        key = id(reg)

        def forget(_: weakref.ref) -> None:
            _TWINS.pop(key, None)

        _TWINS[key] = cached = (weakref.ref(reg, forget), twins)
    return cached[1].get(i)


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
        return (f"de oorspronkelijke termijn liep af op {format_date_nl(original)}; dit uitstel is te laat "
                f"gemeld en verschuift de termijn niet")
    if original and sent == original:
        return (f"de oorspronkelijke termijn eindigt vandaag ({format_date_nl(original)}); dit uitstel "
                f"verschuift de termijn nog wel, maar komt niet ruim op tijd")
    return None


def surname(name: str) -> str:
    """The part of a full name that follows 'mevrouw' or 'heer': 'Marieke Nepstra' -> 'Nepstra',
    'Jan de Vries' -> 'De Vries' (a particle is capitalised when no first name precedes it)."""
    words = name.split()
    if len(words) < 2:
        return name.strip()
    start = len(words) - 1
    for j in range(1, len(words) - 1):
        if words[j].lower() in PARTICLES:
            start = j
            break
    rest = " ".join(words[start:])
    return rest[:1].upper() + rest[1:]


def salutation(config: Config, name: str, aanhef: str) -> str:
    """'Geachte mevrouw Nepstra' with Aanhef, else the neutral form the config chooses."""
    if aanhef in ("mevrouw", "heer"):
        return f"Geachte {aanhef} {surname(name)}"
    return f"{config.brieven.aanhef_neutraal.capitalize()} {name.strip()}"


def contact_person(config: Config, row_contact: str = "") -> dict:
    """The one person a letter names (register.contact.contact, shared with the site and the
    public form); without any configured person, the organisation's name."""
    from register.contact import contact

    person = contact(config, row_contact)
    return person.as_dict() | {"naam": person.naam or config.organisatie.naam}


def window(config: Config) -> dict:
    """Where the address block goes, in mm from the sheet's top-left corner: inside the envelope
    window with a 3 mm margin, on the letter's one left edge when that fits."""
    b = config.brieven
    left = max(PAGE_LEFT_MM, b.venster_links_mm + 3)
    top = b.venster_boven_mm + 3
    width = b.venster_links_mm + b.venster_breedte_mm - 3 - left
    height = b.venster_boven_mm + b.venster_hoogte_mm - 3 - top
    return {"links": left, "boven": top, "breedte": width, "hoogte": height}


#: The left page margin: every block of a letter starts here.
PAGE_LEFT_MM = 25
PAGE_TOP_MM = 20


def _common(config: Config, row_contact: str = "") -> dict:
    kb = config.klachtbehandeling
    org = config.organisatie
    logo = config.resolve(org.logo).as_uri() if org.logo else ""
    contact = contact_person(config, row_contact)
    signer = config.brieven.ondertekenaar
    retour = ", ".join(part for part in (org.naam, org.adres, f"{org.postcode} {org.plaats}".strip()) if part)
    box = window(config)
    # The return line never wraps: shrink its font so that it fits the window's width.
    retour_pt = min(7.0, int(box["breedte"] / 25.4 * 72 / max(0.1, text_width_em(retour)) * 0.97 * 10) / 10)
    return {
        "org": org, "termijnen": config.termijnen, "logo": logo, "contact": contact,
        "ondertekenaar": signer or contact["naam"],
        "functie": (kb.functie if signer and signer == kb.klachtverantwoordelijke else
                    "" if signer else contact["functie"]),
        "verantwoordelijke": kb.klachtverantwoordelijke or "de klachtverantwoordelijke",
        "escalatie": config.escalatie.mogelijkheden, "retour": retour, "retour_pt": retour_pt,
        "venster": box, "pagina": {"links": PAGE_LEFT_MM, "boven": PAGE_TOP_MM},
    }


def letter_context(result: CheckResult, config: Config, i: int, kind: str, late_ok: bool = False,
                   sending: bool = False) -> dict:
    """Everything a letter template may use, for complaint row ``i``; raises LetterError when
    the register lacks what this letter needs. An uitstelbericht dated on or after the original
    decision deadline is made only with ``late_ok`` (`brief … uitstelbericht --te-laat`);
    ``sending``: the refusal names the command that sends it (``--verstuur``)."""
    if kind not in LETTER_BY_NAME:
        raise LetterError(f"onbekende soort brief '{kind}'; kies uit {names_in_words()}")
    letter = LETTER_BY_NAME[kind]
    reg = result.register
    number = str(reg.frame["complaint_no"].iat[i] or f"(rij {reg.sheet_rows[i]})")
    if problem := number_problem(str(reg.frame["complaint_no"].iat[i])):
        raise LetterError(f"klacht in rij {reg.sheet_rows[i]}: {problem[1]}; {letter.noun} is niet gemaakt")
    if twin := same_file_as(result, i):
        raise LetterError(f"klacht {number}: de brief zou op een schijf die hoofdletters niet onderscheidt "
                          f"hetzelfde bestand worden als die van {twin}; maak de klachtnummers verschillend "
                          f"(niet alleen in hoofdletters)")
    if not np.isnat(reg.dates("anonymised")[i]):
        raise LetterError(f"klacht {number} is geanonimiseerd; er kan geen brief meer van worden gemaakt")
    expires = result.deadlines["retention_expires"].to_numpy(dtype="datetime64[D]")[i]
    if retention_expired(np.array([expires]), result.peildatum)[0]:
        raise LetterError(f"klacht {number}: de bewaartermijn is verlopen op {format_date_nl(expires)}; er wordt "
                          "geen brief meer gemaakt (verwijder de gegevens met klachten anonimiseer)")
    outcome = reg.frame["outcome"].iat[i]
    if kind == "standpunt" and outcome == WITHDRAWN:
        raise LetterError(f"klacht {number} is ingetrokken; maak de brief 'intrekking' in plaats van het standpunt")
    if kind == "intrekking" and outcome != WITHDRAWN:
        raise LetterError(f"klacht {number}: 'Standpunt' ({reg.cell('outcome', i)}) is niet 'ingetrokken'; "
                          f"{letter.noun} is niet gemaakt")
    if kind == "standpunt" and outcome == OUTSIDE:
        raise LetterError(f"klacht {number} valt buiten de regeling; maak de brief 'buiten_regeling' in plaats "
                          "van het standpunt")
    if kind == "buiten_regeling" and outcome != OUTSIDE:
        raise LetterError(f"klacht {number}: 'Standpunt' ({reg.cell('outcome', i)}) is niet '{OUTSIDE}'; "
                          f"{letter.noun} is niet gemaakt")
    if kind == "uitstelbericht" and not late_ok and (late := extension_late(result, i)):
        day = _date(reg.dates("extension_sent")[i]) or letter_date(result)
        raise LetterError(f"klacht {number}: de standpunttermijn eindigt op {format_date_nl(late)}; een "
                          f"uitstelbericht van {format_date_nl(day)} komt niet meer op tijd. Maak het alleen "
                          f"bewust, met: klachten brief {number} uitstelbericht --te-laat"
                          + (" --verstuur" if sending else ""))

    missing = []
    for key in letter.required:
        empty = np.isnat(reg.dates(key)[i]) if BY_KEY[key].kind == "date" else reg.text(key)[i] == ""
        if empty:
            missing.append(f"'{BY_KEY[key].header}' ({reg.cell(key, i)})")
    if missing:
        from register.plural import is_or_are, listing

        raise LetterError(f"klacht {number}: {listing(missing)} {is_or_are(missing)} leeg; "
                          f"{letter.noun} is niet gemaakt")

    d = result.deadlines.iloc[i]
    name = reg.text("name")[i]
    complaint = {
        "nummer": number, "naam": name, "adres": reg.text("address")[i],
        "postcode": reg.text("postcode")[i], "woonplaats": reg.text("city")[i],
        "ontvangen": _date(reg.dates("received")[i]), "omschrijving": reg.text("description")[i],
        "reden_uitstel": reg.text("extension_reason")[i], "onderzoek": reg.text("investigation")[i],
        "motivering": reg.text("motivation")[i], "oplossing": reg.text("solution")[i],
        "compensatie": reg.text("compensation")[i], "maatregel": reg.text("measure")[i],
        "email": reg.text("email")[i],
        # Someone who complained on the complainant's behalf gets every letter too.
        "vertegenwoordiger": reg.text("representative")[i],
        "vertegenwoordiger_adres": reg.text("representative_address")[i],
        "vertegenwoordiger_email": reg.text("representative_email")[i],
    }
    day = letter_date(result)
    decision_due = _date(d["decision_due"])
    ack_due = _date(d["acknowledge_due"])
    context = _common(config, reg.text("contact_person")[i]) | {
        "titel": letter.title.format(nr=number), "klacht": complaint,
        "aanhef": salutation(config, name, str(reg.frame["salutation"].iat[i])),
        "briefdatum": day,
        "bevestiging_uiterlijk": ack_due,
        "bevestiging_te_laat": bool(ack_due and day > ack_due),
        # Never a promise in the past: None when the decision term has already run out.
        "standpunt_uiterlijk": decision_due if decision_due and decision_due >= day else None,
        "standpunt_verlopen": decision_due if decision_due and decision_due < day else None,
        "oorspronkelijk_uiterlijk": _date(d["decision_due_original"]),
        "nieuw_uiterlijk": _date(reg.dates("extended_until")[i]) or _date(d["extension_limit"]),
        "oordeel": outcome, "excuses": outcome in UPHELD,
        # A letter that comes later than promised says so, names the due date and apologises.
        "standpunt_te_laat": decision_late(result, i),
        "uitstel_te_laat": extension_late(result, i),
    }
    return context


def decision_late(result: CheckResult, i: int) -> dt.date | None:
    """The due date a standpunt missed: Datum standpunt (or, before it is filled in, the letter's
    own date) after the (validly extended) decision term; None when it is in time."""
    due = _date(result.deadlines["decision_due"].iat[i])
    given = _date(result.register.dates("decided")[i]) or letter_date(result)
    return due if due and given > due else None


def extension_late(result: CheckResult, i: int) -> dt.date | None:
    """The original decision deadline when the uitstelbericht is dated on or after it (Datum
    uitstelbericht, or the letter's own date): notice must come before the term ends."""
    original = _date(result.deadlines["decision_due_original"].iat[i])
    sent = _date(result.register.dates("extension_sent")[i]) or letter_date(result)
    return original if original and sent >= original else None


def _job(config: Config, template: str, context: dict, target: Path) -> LetterJob:
    return LetterJob(target=target, html=render(config, template, **context), base_url=str(config.root))


def letter_job(result: CheckResult, config: Config, i: int, kind: str, out: Path | None = None,
               late_ok: bool = False, sending: bool = False) -> LetterJob:
    context = letter_context(result, config, i, kind, late_ok, sending)
    number = context["klacht"]["nummer"]
    target = (out or output_dir(config)) / letter_filename(number, kind)
    job = _job(config, LETTER_BY_NAME[kind].template, context, target)
    return LetterJob(job.target, job.html, job.base_url, store=PrivateStore(config), numbers=(number,))


def form_job(config: Config, target: Path, public: bool = False) -> LetterJob:
    """The blank form; ``public``: worded for the complainant (the website's download)."""
    context = _common(config) | {
        "publiek": public,
        "titel": f"Klachtenformulier {config.organisatie.naam}", "kanalen": CHANNELS,
        "categorieen": config.lijsten.categorieen, "oorzaken": config.lijsten.oorzaken,
        "urgenties": list(URGENCY_LABELS.items()),
        "antwoord_keuzes": [f"per {way}" for way in REPLY_BY],
    }
    job = _job(config, "brieven/klachtenformulier.html", context, target)
    return LetterJob(job.target, job.html, job.base_url, form=True)


def due_letters(result: CheckResult, config: Config, redo: bool = False,
                out: Path | None = None) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(due, skipped): letters the register asks for (each kind's ``due``); skipped ones already
    exist on disk or were sent (the letters' sent log)."""
    reg = result.register
    out = out or output_dir(config)
    due: list[tuple[int, str]] = []
    skipped: list[tuple[int, str]] = []
    numbers = reg.frame["complaint_no"].to_numpy()
    sent = sent_letters(config)
    for letter in LETTER_KINDS:
        for i in np.flatnonzero(letter.due(result, config.brieven.standpunt_recent_dagen) & (numbers != "")):
            exists = (out / letter_filename(numbers[i], letter.name)).exists() or \
                f"{numbers[i]}/{letter.name}" in sent
            (skipped if exists and not redo else due).append((int(i), letter.name))
    return due, skipped


def sent_letters(config: Config) -> set[str]:
    """'K2026-001/ontvangstbevestiging' for every letter the sent log knows as sent or sending."""
    import json

    try:
        return set(json.loads(config.letters_log().read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


# -- PDF ----------------------------------------------------------------------------------------
def write_pdf(job: LetterJob, record: bool = True) -> int:
    """Render one job to PDF atomically (no half letters); returns the number of pages.
    Page numbers are added only when the letter runs over one page. ``record=False``: the
    caller records the letter in the private store's manifest (many at once)."""
    from weasyprint import CSS, HTML

    html = HTML(string=job.html, base_url=job.base_url)
    document = html.render()
    if len(document.pages) > 1:
        document = html.render(stylesheets=[CSS(string=PAGE_NUMBERS)])
    if job.store is not None:
        job.store.ensure_dir(job.target.parent)
    else:
        job.target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    # A unique temporary name in the same folder: two runs never share (or leave) one file.
    fd, tmp_name = tempfile.mkstemp(prefix=".klachten-", suffix=".pdf.tmp", dir=job.target.parent)
    os.close(fd)
    try:
        document.write_pdf(tmp_name, **({"pdf_forms": True, "pdf_tags": True} if job.form else {}))
        os.replace(tmp_name, job.target)  # mkstemp made it 0600
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if job.store is not None and record:
        job.store.record(job.target, job.numbers)
    return len(document.pages)


def _record_letters(jobs: list[LetterJob]) -> None:
    """One manifest write for every letter of a run (per private store)."""
    by_store: dict[Path, tuple[PrivateStore, dict[Path, Iterable[str]]]] = {}
    for job in jobs:
        if job.store is not None and job.target.exists():
            by_store.setdefault(job.store.root, (job.store, {}))[1][job.target] = job.numbers
    for store, files in by_store.values():
        store.record_many(files)


def write_pdfs(jobs: list[LetterJob], workers: int | None = None,
               on_done: Callable[[LetterJob], None] | None = None) -> None:
    """Write many PDFs, spread over ``workers`` processes (default: all cores)."""
    workers = workers or os.cpu_count() or 1
    try:
        _write_pdfs(jobs, workers, on_done)
    finally:
        _record_letters(jobs)  # what was written is in the manifest, also after a failure


def _write_pdfs(jobs: list[LetterJob], workers: int, on_done: Callable[[LetterJob], None] | None) -> None:
    if workers == 1 or len(jobs) < 2:
        for job in jobs:
            write_pdf(job, record=False)
            if on_done:
                on_done(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    import weasyprint  # noqa: F401  - imported once here, shared by the forked workers

    context = multiprocessing.get_context("fork") if os.name == "posix" else None
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(write_pdf, job, False): job for job in jobs}
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
