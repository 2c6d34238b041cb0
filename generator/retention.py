"""What the tool wrote about a person, outside the register: removed on anonymisation,
handed over on request (AVG art. 15, `klachten inzage`).

The register is the source; everything else is a copy the tool made: letters in
``[brieven] map`` (named by :func:`generator.letters.render.letter_filename`), mails in the
outbox, files in the cache, earlier access packages. Backups are not touched here: they age out
within ``[nachtrun] backups_bewaren`` days (register.backup.rotate).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from generator.letters.kinds import NAMES as LETTER_NAMES
from generator.letters.render import letter_filename
from register.config import Config
from register.errors import InzageError
from register.parse import cell_text
from register.schema import BY_KEY, MARKER, PERSONAL_KEYS
from register.sources import Grid

#: Personal values shorter than this are not looked for in files: too likely to match by chance.
MIN_VALUE = 5
#: Files in the private folder that are searched for personal values (the rest is binary or ours).
_TEXT_SUFFIXES = {".eml", ".sent", ".sending", ".gemeld", ".reden", ".json", ".html", ".htm", ".txt",
                  ".csv", ".md"}


def letter_paths(config: Config, number: str) -> list[Path]:
    """The letters the tool may have made for this complaint (existing or not)."""
    folder = config.letters_dir()
    return [folder / letter_filename(number, kind) for kind in LETTER_NAMES]


def _values(values: list[str]) -> list[str]:
    return sorted({v.casefold() for v in values if len(v) >= MIN_VALUE and v != MARKER})


def remove_traces(config: Config, numbers: list[str], personal_values: list[str]) -> list[Path]:
    """Delete the letters of these complaints, their access packages, and every text file in
    the private folder (outbox, refused mail, cache) that holds one of their personal values.

    Backups (``backups/``), the anonymisation log and the fingerprint file are left alone: the
    first age out by themselves, the others hold numbers, dates and keyed hashes only.
    """
    removed: list[Path] = []
    for number in numbers:
        for path in letter_paths(config, number):
            if path.is_file():
                path.unlink()
                removed.append(path)
    inzage = config.private_dir() / "inzage"
    if inzage.is_dir():
        for path in inzage.glob("inzage-*.zip"):
            if any(n in path.stem.split("_") for n in numbers):
                path.unlink()
                removed.append(path)
    wanted = _values(personal_values)
    if not wanted:
        return removed
    backups = config.backups_dir()
    for folder in {config.private_dir(), config.outbox_dir(), config.cache_dir()}:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if (not path.is_file() or path.suffix.lower() not in _TEXT_SUFFIXES or backups in path.parents
                    or path in removed):
                continue
            text = _readable(path)
            if any(v in text for v in wanted):
                path.unlink()
                removed.append(path)
    return removed


def _readable(path: Path) -> str:
    """The file's text, with mail bodies decoded (base64 or quoted-printable), case-folded."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    if path.suffix.lower() in {".eml", ".sent", ".sending"}:
        from email import policy
        from email.parser import BytesParser

        try:
            message = BytesParser(policy=policy.default).parsebytes(raw)
            parts = [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
            text += "\n".join(str(p) for p in parts)
        except Exception:  # noqa: BLE001 - an unreadable mail is searched as raw text
            pass
    return text.casefold()


# -- right of access ---------------------------------------------------------------------------------
def _person_rows(grid: Grid, who: str) -> tuple[list[str], list[list[Any]]]:
    """(header row, the rows of the person): by complaint number, then every row with the
    same e-mail address; or by e-mail address directly."""
    top, positions = grid.header_positions()
    headers = [cell_text(h) for h in grid.values[top]]
    rows = [r + [None] * (len(headers) - len(r)) for r in grid.values[top + 1:] if any(cell_text(v) for v in r)]
    number_col, email_col = positions.get("complaint_no"), positions.get("email")

    def col(row: list[Any], c: int | None) -> str:
        return cell_text(row[c]) if c is not None and c < len(row) else ""

    wanted = who.strip()
    if "@" in wanted:
        emails = {wanted.casefold()}
        numbers: set[str] = set()
    else:
        numbers = {wanted}
        emails = {col(r, email_col).casefold() for r in rows if col(r, number_col) == wanted} - {"", MARKER.casefold()}
    found = [r for r in rows if col(r, number_col) in numbers or col(r, email_col).casefold() in emails]
    if not found:
        what = "dit e-mailadres" if "@" in wanted else f"klachtnummer {wanted}"
        raise InzageError(f"geen klacht gevonden met {what} in het register")
    return headers, found


def make_inzage(config: Config, grid: Grid, who: str, today: dt.date) -> tuple[Path, list[str], int]:
    """Write one private zip with every register row of the person (CSV and JSON, the
    register's own Dutch column headers, all columns) and the letters made for them.

    Returns (zip path, complaint numbers, letters included). Logs the numbers and the date only.
    """
    headers, rows = _person_rows(grid, who)
    number_col = headers.index(BY_KEY["complaint_no"].header) if BY_KEY["complaint_no"].header in headers else 0
    numbers = [cell_text(r[number_col]) for r in rows]
    folder = config.private_dir() / "inzage"
    folder.mkdir(parents=True, exist_ok=True)
    safe = [re.sub(r"[^0-9A-Za-z-]+", "-", n) for n in numbers]
    target = folder / f"inzage-{today.isoformat()}_{'_'.join(safe)}.zip"
    table = [[cell_text(v) for v in r[:len(headers)]] for r in rows]
    as_csv = io.StringIO()
    writer = csv.writer(as_csv, delimiter=";")
    writer.writerow(headers)
    writer.writerows(table)
    records = [dict(zip(headers, r, strict=True)) for r in table]
    letters = [p for n in numbers for p in letter_paths(config, n) if p.is_file()]
    personal = ", ".join(BY_KEY[k].header for k in PERSONAL_KEYS)
    readme = (
        f"Inzage in uw gegevens bij {config.organisatie.naam}, gemaakt op {today.isoformat()}.\n\n"
        f"klachtregister.csv en klachtregister.json: alle gegevens die wij over uw "
        f"{'klacht' if len(rows) == 1 else 'klachten'} ({', '.join(numbers)}) bewaren, elke kolom van het register.\n"
        f"Persoonsgegevens zijn de kolommen {personal}.\n"
        f"brieven/: de brieven die wij u over uw klacht stuurden ({len(letters)}).\n")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("LEESMIJ.txt", readme)
        zf.writestr("klachtregister.csv", "\ufeff" + as_csv.getvalue())
        zf.writestr("klachtregister.json", json.dumps(records, ensure_ascii=False, indent=2))
        for path in letters:
            zf.write(path, f"brieven/{path.name}")
    with (config.private_dir() / "inzage.log").open("a", encoding="utf-8") as fh:
        fh.write(f"{today.isoformat()} inzage {', '.join(numbers)}\n")
    return target, numbers, len(letters)
