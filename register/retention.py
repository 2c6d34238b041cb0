"""What the tool wrote about a person outside the register: removed on anonymisation, handed
over on request (AVG art. 15, `klachten inzage`). Both go by the private store's manifest
(:mod:`register.store`), never by matching file names.

Backups are not touched here: they age out within ``[nachtrun] backups_bewaren`` days
(register.backup.rotate).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .errors import InzageError, resolved
from .export import csv_bytes, json_bytes
from .parse import cell_text
from .personal import canonical_phone, words
from .policy import MARKER, PERSONAL_HEADERS, canonical_number, long_enough
from .sources import Grid
from .store import WHOLE_REGISTER, PrivateStore, readable_text


def _wanted(values: Iterable[str]) -> list[str]:
    return sorted({v.casefold() for v in values if long_enough(v)})


def remove_traces(config: Config, numbers: list[str], personal_values: list[str]) -> list[Path]:
    """Delete every private file the manifest lists for these complaints (letters, their mail,
    access packages, analysis reports), and every file the manifest does not know that holds
    one of their personal values (mail in the outbox, a cache; zips, PDFs and mails opened).

    Backups and the copies before a change are left alone (they age out by themselves), as are
    the logs and the fingerprint file, which hold numbers, dates and keyed hashes only.
    """
    store = PrivateStore(config)
    removed: list[Path] = []
    for path in store.files_of(numbers):
        store.remove(path)
        removed.append(path)
    wanted = _wanted(personal_values)
    if not wanted:
        return removed
    known = {resolved(p) for p in store.entries()}
    backups = resolved(config.backups_dir())
    for path in list(store.files()):
        real = resolved(path)
        if real in known or backups in real.parents or path in removed:
            continue
        try:
            text = readable_text(path).casefold()
        except OSError:
            continue
        if any(v in text for v in wanted):
            store.remove(path)
            removed.append(path)
    return removed


# -- right of access ---------------------------------------------------------------------------------
def same_name(name: str) -> str:
    """A name as compared for `inzage`: case, spacing, punctuation and accents do not count."""
    return " ".join(words(name))


def _contact(email: str, phone: str) -> set[str]:
    found = set()
    if email.strip() and email.strip() != MARKER:
        found.add("e:" + email.strip().casefold())
    digits = re.sub(r"\D", "", phone)
    if digits:
        found.add("t:" + (canonical_phone(digits, register=True) or digits))
    return found


@dataclass
class PersonRows:
    """The rows an access request hands over, and those left out because they share a contact
    detail but carry another name (numbers only). ``represented``: the numbers where the person
    is the representative only; those rows carry their own columns, the complainant's emptied."""

    headers: list[str]
    rows: list[list[Any]]
    numbers: list[str]
    left_out: list[str] = field(default_factory=list)
    represented: list[str] = field(default_factory=list)


def person_rows(grid: Grid, who: str, also: Iterable[str] = ()) -> PersonRows:
    """The rows of the person asking: by complaint number or e-mail address, the person is the
    name on those rows plus their e-mail addresses and phone numbers. Every row with the same
    name (case, spacing and accents aside) and one of those contact details belongs to them; a
    row sharing a contact detail under another name is left out unless named in ``also``.

    By e-mail address the person may also be a representative (Vertegenwoordiger, E-mail
    vertegenwoordiger): the same rule with those two columns; such a row is handed over with
    the complainant's personal columns emptied."""
    # On a complaint filed for someone else, the complainant's personal columns are not theirs.
    from .policy import PERSONAL_KEYS, REPRESENTATIVE_KEYS

    top, positions = grid.header_positions()
    headers = [cell_text(h) for h in grid.values[top]]
    rows = [r + [None] * (len(headers) - len(r)) for r in grid.values[top + 1:] if any(cell_text(v) for v in r)]

    def col(row: list[Any], key: str) -> str:
        c = positions.get(key)
        return cell_text(row[c]) if c is not None and c < len(row) else ""

    def as_representative(row: list[Any]) -> set[str]:
        return _contact(col(row, "representative_email"), "")

    wanted = who.strip()
    agents: list[list[Any]] = []  # rows where the person asking is the representative
    if "@" in wanted:
        seeds = [r for r in rows if col(r, "email").strip().casefold() == wanted.casefold()]
        agents = [r for r in rows if col(r, "representative_email").strip().casefold() == wanted.casefold()]
        what = "dit e-mailadres"
    else:
        seeds = [r for r in rows if canonical_number(col(r, "complaint_no")) == canonical_number(wanted)]
        what = f"klachtnummer {wanted}"
    if not seeds and not agents:
        raise InzageError(f"geen klacht gevonden met {what} in het register")
    names = ({same_name(col(r, "name")) for r in seeds} | {same_name(col(r, "representative")) for r in agents}) \
        - {"", same_name(MARKER)}
    if len(names) > 1:
        numbers = ", ".join(col(r, "complaint_no") for r in seeds + agents)
        if agents:
            raise InzageError(f"dit e-mailadres staat bij klachten van verschillende personen ({numbers}), ook als "
                              "E-mail vertegenwoordiger; geef elke vertegenwoordiger één naam of een eigen "
                              "e-mailadres in het register en probeer het opnieuw")
        raise InzageError(f"dit e-mailadres staat bij klachten van verschillende personen ({numbers}); vraag "
                          "de inzage aan met het klachtnummer van de klager")
    contacts = set().union(*(_contact(col(r, "email"), col(r, "phone")) for r in seeds),
                           *(as_representative(r) for r in agents))
    extra = {canonical_number(n) for n in also}
    unknown = extra - {canonical_number(col(r, "complaint_no")) for r in rows}
    if unknown:
        raise InzageError(f"--ook: klachtnummer {', '.join(sorted(unknown))} staat niet in het register")
    complainant_only = [positions[k] for k in PERSONAL_KEYS if k not in REPRESENTATIVE_KEYS and k in positions]
    found: list[list[Any]] = []
    left_out: list[str] = []
    represented: list[str] = []
    for row in rows:
        number = col(row, "complaint_no")
        own = contacts & _contact(col(row, "email"), col(row, "phone"))
        agent = contacts & as_representative(row)
        mine = (row in seeds and (not names or same_name(col(row, "name")) in names)) \
            or bool(own and names and same_name(col(row, "name")) in names)
        acting = bool(agent) and (row in agents or bool(names)) \
            and (not names or same_name(col(row, "representative")) in names)
        if not (mine or acting) and canonical_number(number) in extra:  # the owner's word: theirs
            mine, acting = not agent or bool(own), bool(agent) and not own
        if mine:
            found.append(row)
        elif acting:
            found.append([None if c in complainant_only else v for c, v in enumerate(row)])
            represented.append(number)
        elif own or agent:
            left_out.append(number)
    if not found:  # an e-mail request for anonymised rows only
        raise InzageError(f"geen klacht met persoonsgegevens gevonden met {what} in het register")
    return PersonRows(headers, found, [col(r, "complaint_no") for r in found], left_out, represented)


@dataclass
class InzagePackage:
    path: Path
    numbers: list[str]
    letters: int
    left_out: list[str]
    represented: list[str] = field(default_factory=list)


def make_inzage(config: Config, grid: Grid, who: str, today: dt.date, also: Iterable[str] = ()) -> InzagePackage:
    """Write one private zip with every register row of the person (CSV and JSON through the
    export writer, the register's own Dutch column headers, all columns) and the letters the
    manifest lists for those complaints alone. Logs the numbers and the date only."""
    import io
    import zipfile

    person = person_rows(grid, who, also)
    numbers = person.numbers
    store = PrivateStore(config)
    folder = config.private_dir() / "inzage"
    safe = [re.sub(r"[^0-9A-Za-z-]+", "-", n) for n in numbers]
    target = folder / f"inzage-{today.isoformat()}_{'_'.join(safe)}.zip"
    table = [[cell_text(v) for v in r[:len(person.headers)]] for r in person.rows]
    records = [dict(zip(person.headers, r, strict=True)) for r in table]
    # Letters go with the complaints of the person themself, not those they only represented.
    own = {canonical_number(n) for n in numbers} - {canonical_number(n) for n in person.represented}
    inzage_dir = resolved(folder)
    letters = sorted(p for p, held in store.entries().items()
                     if held and WHOLE_REGISTER not in held and set(held) <= own and p.suffix.lower() == ".pdf"
                     and inzage_dir not in resolved(p).parents and p.is_file())
    readme = (
        f"Inzage in uw gegevens bij {config.organisatie.naam}, gemaakt op {today.isoformat()}.\n\n"
        f"klachtregister.csv en klachtregister.json: alle gegevens die wij over uw "
        f"{'klacht' if len(numbers) == 1 else 'klachten'} ({', '.join(numbers)}) bewaren, elke kolom van het register.\n"
        f"Persoonsgegevens zijn de kolommen {', '.join(PERSONAL_HEADERS)}.\n"
        f"brieven/: de brieven die wij u over uw klacht stuurden ({len(letters)}).\n"
        + (f"Bij {', '.join(person.represented)} diende u de klacht namens een ander in: daar staan alleen uw "
           f"eigen gegevens, die van de klager zijn weggelaten.\n" if person.represented else ""))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("LEESMIJ.txt", readme)
        zf.writestr("klachtregister.csv", csv_bytes([person.headers, *table]))
        zf.writestr("klachtregister.json", json_bytes(records))
        for path in letters:
            zf.write(path, f"brieven/{path.name}")
    store.write(target, out.getvalue(), numbers)
    store.append(config.private_dir() / "inzage.log", f"{today.isoformat()} inzage {', '.join(numbers)}\n", [])
    return InzagePackage(target, numbers, len(letters), person.left_out, person.represented)
